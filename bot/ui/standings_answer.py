"""The one standings answer: pages, the league's summary embed, the image's marks, title and PNG.

`/standings` (cogs/league.py) and the league posts (bot/ui/league_post.py) both build it here, so the two
cannot drift apart: only the page size and whether the team standings are shown differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.services.league_night.night import LeagueSummary
from bot.services.league_night.teams import TeamRow
from bot.services.standings import Standings
from bot.ui.league_extras import image_marks, summary_embed
from bot.ui.replies import Attachment
from bot.ui.standings import DRIVERS_PER_PAGE, image_title, png_filename, shows_movement, standings_pages
from bot.ui.standings_image import StandingsImages


@dataclass(frozen=True)
class StandingsAnswer:
    """What a standings answer shows; `attachment` draws its PNG (shared by identical answers)."""

    standings: Standings
    pages: list[discord.Embed]
    image_title: str
    movement: bool
    marks: tuple[tuple[str, str], ...]
    legend: str
    teams: tuple[TeamRow, ...]

    async def attachment(self, images: StandingsImages) -> Attachment:
        png = await images.png(
            self.standings,
            title=self.image_title,
            movement=self.movement,
            marks=self.marks,
            legend=self.legend,
            teams=self.teams,
        )
        return Attachment(png_filename(self.standings), png)


def standings_answer(
    standings: Standings,
    league_name: str | None,
    summary: LeagueSummary | None,
    *,
    teams: bool,
    per_page: int = DRIVERS_PER_PAGE,
) -> StandingsAnswer:
    """The driver pages (`per_page` drivers each), then the league's summary embed when it has one (team
    standings only when `teams`); the image carries the same marks and, when `teams`, the team table.
    The image's title is the league's name and the series type, or "Series <id>" when it has no type,
    as the embeds' titles say it."""
    pages = standings_pages(standings, league_name=league_name, per_page=per_page)
    if summary is not None and league_name is not None:
        names = {row.psn_id.lower(): row.psn_id for row in standings.rows}
        extra = summary_embed(summary, names, league_name, teams=teams)
        if extra is not None:
            pages.append(extra)
    marks, legend = image_marks(summary)
    return StandingsAnswer(
        standings=standings,
        pages=pages,
        image_title=image_title(standings, league_name),
        movement=shows_movement(standings),
        marks=marks,
        legend=legend,
        teams=summary.teams if teams and summary is not None else (),
    )

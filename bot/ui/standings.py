"""Standings as Discord embeds (one driver per block, paged), as a CSV file, and their error messages."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import discord

from bot.services.league_night.clinch import ClinchMark
from bot.services.league_night.night import LeagueSummary
from bot.services.standings import (
    NoDriversError,
    NoResultsError,
    QuotaShortError,
    StandingRow,
    Standings,
    StandingsError,
    TooManyDriversError,
    UnknownSeriesError,
)
from bot.ui.embeds import EMBED_TOTAL_LIMIT, check_embed_limits, fit_embed, pages_from_lines
from bot.ui.format import BRAND_COLOUR, as_of, bold, number, truncate
from bot.ui.i18n import N_, _, ngettext

DRIVERS_PER_PAGE = 10  # an interactive reply: pages turn with buttons
DRIVERS_PER_CHANNEL_PAGE = 20  # a channel post: fewer, longer embeds (each still inside Discord's limits)
MAX_EMBEDS_PER_MESSAGE = 10
CSV_ROUND_PREFIX = "R"
CSV_FIXED_COLUMNS = (
    "position",
    "tied",
    "psn_id",
    "member_id",
    "total_points",
    "gap_to_leader",
    "gap_to_ahead",
    "season_rank",
)
LEGEND = N_("~~12~~ dropped round · =3 shared position · gap: to the leader · int: to the driver ahead")


def position_label(row: StandingRow) -> str:
    return f"={row.position}" if row.tied else str(row.position)


def movement_label(row: StandingRow) -> str:
    movement = row.movement
    if movement is None:
        return _("new")
    if movement > 0:
        return f"▲{movement}"
    if movement < 0:
        return f"▼{-movement}"
    return "="


def shows_movement(standings: Standings) -> bool:
    """Markers only make sense once there was a previous post to compare with."""
    return standings.compared_with_previous and any(
        row.previous_position is not None for row in standings.rows
    )


def driver_label(row: StandingRow) -> str:
    if row.member_id is not None:
        return f"<@{row.member_id}>"
    return bold(row.psn_id)


def _rounds_text(row: StandingRow, round_numbers: Sequence[int], *, labels: bool) -> str:
    parts = []
    for round_no in round_numbers:
        score = row.points_in(round_no)
        value = "-" if score is None else number(score.points)
        if score is not None and not score.counted:
            value = f"~~{value}~~"
        parts.append(_("R{round} {points}", round=round_no, points=value) if labels else value)
    return " · ".join(parts)


def driver_block(
    row: StandingRow, round_numbers: Sequence[int], *, movement: bool, label_width: int = 1
) -> str:
    """Two lines: position, driver, points and gaps; then the points of each round."""
    head = f"`{position_label(row):>{label_width}}`"
    if movement:
        head += f" {movement_label(row)}"
    head += " " + _("{driver} · **{points}** pts", driver=driver_label(row), points=number(row.total_points))
    if row.gap_to_ahead is not None:
        head += " · " + _(
            "gap {leader} · int {ahead}", leader=number(row.gap_to_leader), ahead=number(row.gap_to_ahead)
        )
    else:
        head += " · " + _("leader")
    if row.adjustment:
        head += " · " + _("{points} pts by the stewards ⚖️", points=f"{row.adjustment:+,}")
    rounds = _rounds_text(row, round_numbers, labels=True)
    if len(head) + len(rounds) > 290:
        rounds = _rounds_text(row, round_numbers, labels=False)
    return f"{head}\n{rounds}" if rounds else head


def standings_title(standings: Standings, league_name: str | None = None) -> str:
    series = (
        _("{kind} · series {series}", kind=standings.series_type, series=standings.series_id)
        if standings.series_type
        else _("Series {series}", series=standings.series_id)
    )
    if league_name:
        return _("{league} — {series}", league=discord.utils.escape_markdown(league_name), series=series)
    return _("{series} standings", series=series)


def standings_pages(
    standings: Standings, *, league_name: str | None = None, per_page: int = DRIVERS_PER_PAGE
) -> list[discord.Embed]:
    movement = shows_movement(standings)
    rounds = standings.round_numbers
    drivers = len(standings.rows)
    legend = _(LEGEND) + (" · " + _("▲▼ places since the last post") if movement else "")
    header = (
        ngettext("{count} driver", "{count} drivers", drivers) + f" · {as_of(standings.as_of)}\n*{legend}*"
    )
    footer = ""
    if standings.missing:
        footer = truncate(
            ngettext(
                "No results in this series for {count} of the drivers: {names}",
                "No results in this series for {count} of the drivers: {names}",
                len(standings.missing),
                names=", ".join(standings.missing),
            ),
            300,
        )
    width = max(len(position_label(row)) for row in standings.rows)
    blocks = [driver_block(row, rounds, movement=movement, label_width=width) for row in standings.rows]
    pages = pages_from_lines(
        standings_title(standings, league_name),
        blocks,
        per_page=per_page,
        header=header,
        footer=footer,
        colour=BRAND_COLOUR,
    )
    for page in pages:
        check_embed_limits(fit_embed(page))
    return pages


def channel_messages(pages: Sequence[discord.Embed]) -> list[list[discord.Embed]]:
    """Pages grouped into as few channel messages as Discord allows (10 embeds, 6,000 characters)."""
    if len(pages) > 1:
        for index, page in enumerate(pages, start=1):
            existing = page.footer.text
            label = f"{index}/{len(pages)}"
            fit_embed(page.set_footer(text=f"{label} · {existing}" if existing else label))
    messages: list[list[discord.Embed]] = []
    size = 0
    for page in pages:
        if messages and len(messages[-1]) < MAX_EMBEDS_PER_MESSAGE and size + len(page) <= EMBED_TOTAL_LIMIT:
            messages[-1].append(page)
            size += len(page)
        else:
            messages.append([page])
            size = len(page)
    return messages


def standings_csv(standings: Standings, summary: LeagueSummary | None = None) -> bytes:
    """One row per driver; round columns R1..Rn hold the points, `dropped_rounds` lists the dropped ones.

    When the league has teams, a `team` column (after `member_id`) holds the driver's team, empty if none."""
    rounds = standings.round_numbers
    team_of = driver_teams(summary) if summary is not None and summary.teams else None
    fixed = list(CSV_FIXED_COLUMNS)
    if team_of is not None:
        fixed.insert(fixed.index("member_id") + 1, "team")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            *fixed,
            *(f"{CSV_ROUND_PREFIX}{no}" for no in rounds),
            "dropped_rounds",
            "penalty_points",
            *(["title_race"] if summary is not None and summary.clinch is not None else []),
        ]
    )
    for row in standings.rows:
        scores = [row.points_in(no) for no in rounds]
        team = [team_of.get(row.psn_id.lower(), "")] if team_of is not None else []
        writer.writerow(
            [
                row.position,
                "yes" if row.tied else "no",
                row.psn_id,
                row.member_id if row.member_id is not None else "",
                *team,
                row.total_points,
                row.gap_to_leader,
                row.gap_to_ahead if row.gap_to_ahead is not None else "",
                row.season_rank if row.season_rank is not None else "",
                *(score.points if score is not None else "" for score in scores),
                ";".join(str(no) for no in row.dropped_rounds),
                row.adjustment,
                *([clinch_mark(summary, row.psn_id)] if summary is not None and summary.clinch else []),
            ]
        )
    # A byte-order mark, so spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def driver_teams(summary: LeagueSummary) -> dict[str, str]:
    """Lower-case PSN ID -> the name of the driver's team (a driver is in at most one per league)."""
    return {psn.lower(): team.name for team in summary.teams for psn in team.drivers}


def clinch_mark(summary: LeagueSummary, psn_id: str) -> str:
    """The CSV's title_race column: champion, out (can no longer win) or open."""
    assert summary.clinch is not None
    return summary.clinch.marks.get(psn_id.lower(), ClinchMark.OPEN).value


def file_stem(league_name: str | None) -> str:
    """A file name's start from a league's name: letters and digits kept, anything else a dash."""
    stem = "".join(ch if ch.isalnum() else "-" for ch in (league_name or "standings").lower()).strip("-")
    return stem or "standings"


def csv_filename(standings: Standings, league_name: str | None = None) -> str:
    return f"{file_stem(league_name)}-series-{standings.series_id}.csv"


def png_filename(standings: Standings) -> str:
    return f"standings-series-{standings.series_id}.png"


def image_title(standings: Standings, league_name: str | None) -> str:
    kind = standings.series_type or _("Series {series}", series=standings.series_id)
    if league_name:
        return _("{league} · {kind}", league=league_name, kind=kind)
    return _("{kind} standings", kind=kind)


def describe_standings_error(error: StandingsError) -> str:
    """The message for a standings error (bot/ui/errors.py calls this)."""
    match error:
        case NoDriversError():
            return _("There are no drivers to show standings for: the roster is empty.")
        case TooManyDriversError(limit=limit, count=count):
            return _(
                "Standings cover at most {limit} drivers at a time; this roster has {count}.",
                limit=limit,
                count=count,
            )
        case NoResultsError(count=count, series_id=series, series_type=kind):
            if kind:
                return ngettext(
                    "None of the {count} drivers asked about have results in series {series} ({kind}).",
                    "None of the {count} drivers asked about have results in series {series} ({kind}).",
                    count,
                    series=series,
                    kind=kind,
                )
            return ngettext(
                "None of the {count} drivers asked about have results in series {series}.",
                "None of the {count} drivers asked about have results in series {series}.",
                count,
                series=series,
            )
        case UnknownSeriesError(series_id=series):
            return _("GT Grid Stats has no series {series}. Please check the series id.", series=series)
        case QuotaShortError(needed=needed, remaining=remaining):
            return _(
                "These standings need {needed} GT Grid Stats requests and only {remaining} are left today. "
                "Please try again after the daily quota resets.",
                needed=needed,
                remaining=remaining,
            )
    return _("These standings cannot be made.")

"""/leaderboard in words: one line per linked member, with its freshness, in pages. Models in, embeds out."""

from __future__ import annotations

import discord

from bot.gtgridstats.models import Driver
from bot.services.driver_results import Leaderboard, LeaderboardEntry, LeaderboardSort, win_rate
from bot.ui.embeds import pages_from_lines
from bot.ui.errors import upstream_message
from bot.ui.format import code, number, percent, timestamp, truncate
from bot.ui.i18n import N_, _, ngettext
from bot.ui.profile import flag

SORT_LABELS: dict[LeaderboardSort, str] = {
    LeaderboardSort.DR_POINTS: N_("DR points"),
    LeaderboardSort.WINS: N_("wins"),
    LeaderboardSort.RACES: N_("races"),
    LeaderboardSort.WIN_RATE: N_("win rate"),
}


def _sort_value_text(driver: Driver, sort: LeaderboardSort) -> str:
    stats = driver.stats
    match sort:
        case LeaderboardSort.DR_POINTS:
            return _("**{points}** pts", points=number(stats.dr_points))
        case LeaderboardSort.WINS:
            return _(
                "**{wins}** wins · {points} pts", wins=number(stats.victories), points=number(stats.dr_points)
            )
        case LeaderboardSort.RACES:
            return _(
                "**{races}** races · {points} pts",
                races=number(stats.total_races),
                points=number(stats.dr_points),
            )
        case LeaderboardSort.WIN_RATE:
            return _(
                "**{rate}** wins ({wins}/{races})",
                rate=percent(win_rate(driver)),
                wins=stats.victories,
                races=stats.total_races,
            )


def leaderboard_line(rank: int, entry: LeaderboardEntry, sort: LeaderboardSort) -> str:
    driver = entry.snapshot.driver
    line = (
        f"`{rank:>3}.` <@{entry.member_id}> · {code(driver.psn_id)} {flag(driver.country_code)} · "
        + _("DR {dr}", dr=driver.dr or "—")
        + f" · {_sort_value_text(driver, sort)}"
    )
    # Every line says how fresh it is: stored data kept back ("as of"), or refreshed (by the background
    # refresh or this command) within the refresh interval ("updated").
    if entry.stale:
        line += " · " + _("as of {when}", when=timestamp(entry.snapshot.fetched_at))
    else:
        line += " · " + _("updated {when}", when=timestamp(entry.snapshot.fetched_at))
    return line


def leaderboard_pages(board: Leaderboard, *, guild_name: str | None = None) -> list[discord.Embed]:
    label = _(SORT_LABELS[board.sort])
    lines = [leaderboard_line(rank, entry, board.sort) for rank, entry in enumerate(board.entries, start=1)]
    no_data = _("no data yet")
    lines += [f"`  –.` <@{link.member_id}> · {code(link.psn_id)} · {no_data}" for link in board.missing]
    count = len(board.entries) + len(board.missing)
    header_parts = [
        ngettext(
            "{count} linked driver, ranked by {label}.",
            "{count} linked drivers, ranked by {label}.",
            count,
            label=label,
        )
    ]
    if any(entry.stale for entry in board.entries) or board.missing:
        if board.error is not None:
            reason = truncate(upstream_message(board.error), 300)
            header_parts.append(_("Some entries show stored data: {reason}", reason=reason))
        else:
            header_parts.append(
                _("Some entries show stored data, to spare the GT Grid Stats request budget.")
            )
    title = _("Leaderboard · {server}", server=guild_name) if guild_name else _("Leaderboard")
    return pages_from_lines(
        title, lines, per_page=15, header="\n".join(header_parts), footer=_("GT Grid Stats · /link to join")
    )

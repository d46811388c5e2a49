"""Driver embeds: /profile, /compare, /leaderboard. Models in, embeds out; no lookups here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import discord

from bot.gtgridstats.errors import GTGridStatsError
from bot.gtgridstats.models import Driver
from bot.services.drivers import (
    DriverChange,
    DriverResult,
    Leaderboard,
    LeaderboardEntry,
    LeaderboardSort,
    win_rate,
)
from bot.storage.snapshots import DriverSnapshot
from bot.ui.format import BRAND_COLOUR, as_of, number, percent, timestamp, truncate
from bot.ui.paginator import check_embed_limits, fit_embed, pages_from_lines

_COUNTRY = re.compile(r"[A-Za-z]{2}")
_REGIONAL_INDICATOR_A = 0x1F1E6

SORT_LABELS: dict[LeaderboardSort, str] = {
    LeaderboardSort.DR_POINTS: "DR points",
    LeaderboardSort.WINS: "wins",
    LeaderboardSort.RACES: "races",
    LeaderboardSort.WIN_RATE: "win rate",
}


def flag(country_code: str | None) -> str:
    """The flag emoji for an ISO 3166 two-letter code ("GB" -> 🇬🇧); empty when there is none."""
    if not country_code or not _COUNTRY.fullmatch(country_code):
        return ""
    return "".join(chr(_REGIONAL_INDICATOR_A + ord(letter) - ord("A")) for letter in country_code.upper())


def signed(value: int) -> str:
    return f"+{value:,}" if value > 0 else f"{value:,}" if value < 0 else "±0"


def display_name(driver: Driver) -> str:
    return driver.nickname or driver.psn_id


def upstream_note(error: GTGridStatsError | None, moment: datetime) -> str:
    reason = error.user_message if error is not None else "The data could not be refreshed."
    return f"⚠️ {reason}\nShowing the stored profile {as_of(moment)}."


def profile_embed(
    result: DriverResult, change: DriverChange | None, *, member_id: int | None = None
) -> discord.Embed:
    snapshot = result.snapshot
    driver = snapshot.driver
    stats = driver.stats
    title = f"{flag(driver.country_code)} {display_name(driver)}".strip()
    lines = [f"PSN ID `{driver.psn_id}`" + (f" · <@{member_id}>" if member_id else "")]
    if result.stale:
        lines.append(upstream_note(result.error, snapshot.fetched_at))
    embed = discord.Embed(title=truncate(title, 256), description="\n".join(lines), colour=BRAND_COLOUR)
    embed.add_field(name="Driver Rating", value=driver.dr or "—")
    embed.add_field(name="Sportsmanship", value=driver.sr or "—")
    embed.add_field(name="DR points", value=number(stats.dr_points))
    embed.add_field(name="Races", value=number(stats.total_races))
    embed.add_field(name="Wins", value=number(stats.victories))
    embed.add_field(name="Win rate", value=percent(win_rate(driver)))
    embed.add_field(name="Poles", value=number(stats.poles))
    embed.add_field(name="Fastest laps", value=number(stats.fastest_laps))
    embed.add_field(name="Clean races", value=number(stats.clean_races))
    embed.add_field(name="Licence", value=stats.license or "—")
    embed.add_field(name="Collector level", value=number(stats.collector_level))
    garage = number(stats.garage_count) + " cars" if stats.garage_count is not None else "—"
    if stats.collection_progress:
        garage += f" ({stats.collection_progress} collected)"
    embed.add_field(name="Garage", value=garage)
    embed.add_field(name="Credits", value=number(stats.total_credits))
    embed.add_field(name="Play time", value=stats.play_time_readable or "—")
    embed.add_field(name="Distance", value=f"{stats.distance_km} km" if stats.distance_km else "—")
    embed.add_field(
        name="Last GT Grid Stats sync", value=timestamp(driver.last_sync) if driver.last_sync else "—"
    )
    embed.add_field(name="Last 7 days", value=change_text(change), inline=False)
    embed.set_footer(text="GT Grid Stats · stored")
    embed.timestamp = snapshot.fetched_at
    check_embed_limits(fit_embed(embed))
    return embed


def change_text(change: DriverChange | None) -> str:
    if change is None:
        return "No earlier snapshot in the last 7 days yet."
    if change.dr_points == change.races == change.wins == 0:
        return f"No change since {timestamp(change.since)}."
    wins = "win" if abs(change.wins) == 1 else "wins"
    races = "race" if abs(change.races) == 1 else "races"
    return (
        f"{signed(change.dr_points)} DR points · {signed(change.races)} {races} · "
        f"{signed(change.wins)} {wins} since {timestamp(change.since)}"
    )


@dataclass(frozen=True)
class CompareRow:
    snapshot: DriverSnapshot
    member_id: int | None
    stale: bool


def _cell(text: str, width: int) -> str:
    return truncate(text, width).ljust(width)


def compare_table(rows: Sequence[CompareRow]) -> str:
    """An aligned table, ranked by DR points, narrow enough to read on a phone (at most ~60 columns)."""
    ranked = sorted(rows, key=lambda row: (-row.snapshot.dr_points, row.snapshot.psn_id.lower()))
    header = f"{'#':>2} {'PSN ID':<16} {'DR':<2} {'SR':<2} {'Points':>7} {'Races':>5} {'Wins':>4} {'Win%':>4}"
    lines = [header, "-" * len(header)]
    for rank, row in enumerate(ranked, start=1):
        driver = row.snapshot.driver
        stats = driver.stats
        rate = win_rate(driver)
        lines.append(
            f"{rank:>2} {_cell(driver.psn_id + ('*' if row.stale else ''), 16)} "
            f"{_cell(driver.dr or '-', 2)} {_cell(driver.sr or '-', 2)} {stats.dr_points:>7,} "
            f"{stats.total_races:>5} {stats.victories:>4} {('-' if rate is None else f'{rate:.0%}'):>4}"
        )
    return "```\n" + "\n".join(lines) + "\n```"


def compare_embed(
    rows: Sequence[CompareRow],
    *,
    not_found: Sequence[str] = (),
    unavailable: Sequence[str] = (),
    error: GTGridStatsError | None = None,
) -> discord.Embed:
    parts = [compare_table(rows)] if rows else ["No driver could be shown."]
    members = [
        f"{row.snapshot.psn_id} · <@{row.member_id}>"
        for row in sorted(rows, key=lambda row: -row.snapshot.dr_points)
        if row.member_id is not None
    ]
    if members:
        parts.append("Members: " + ", ".join(members))
    stale = [row for row in rows if row.stale]
    if stale:
        oldest = min(row.snapshot.fetched_at for row in stale)
        reason = f" ({error.user_message})" if error is not None else ""
        parts.append(f"\\* stored data, the oldest {as_of(oldest)}{reason}")
    if not_found:
        parts.append("GT Grid Stats has no driver " + ", ".join(f"`{psn}`" for psn in not_found) + ".")
    if unavailable:
        reason = error.user_message if error is not None else "Please try again later."
        parts.append("Could not look up " + ", ".join(f"`{psn}`" for psn in unavailable) + f": {reason}")
    embed = discord.Embed(
        title=f"Comparing {len(rows)} drivers", description="\n".join(parts), colour=BRAND_COLOUR
    )
    newest = max((row.snapshot.fetched_at for row in rows), default=None)
    if newest is not None:
        embed.timestamp = newest
    embed.set_footer(text="Ranked by DR points · GT Grid Stats")
    check_embed_limits(fit_embed(embed))
    return embed


def _sort_value_text(driver: Driver, sort: LeaderboardSort) -> str:
    stats = driver.stats
    match sort:
        case LeaderboardSort.DR_POINTS:
            return f"**{number(stats.dr_points)}** pts"
        case LeaderboardSort.WINS:
            return f"**{number(stats.victories)}** wins · {number(stats.dr_points)} pts"
        case LeaderboardSort.RACES:
            return f"**{number(stats.total_races)}** races · {number(stats.dr_points)} pts"
        case LeaderboardSort.WIN_RATE:
            return f"**{percent(win_rate(driver))}** wins ({stats.victories}/{stats.total_races})"


def leaderboard_line(rank: int, entry: LeaderboardEntry, sort: LeaderboardSort) -> str:
    driver = entry.snapshot.driver
    line = (
        f"`{rank:>3}.` <@{entry.member_id}> · `{driver.psn_id}` {flag(driver.country_code)} · "
        f"DR {driver.dr or '—'} · {_sort_value_text(driver, sort)}"
    )
    if entry.stale:
        line += f" · as of {timestamp(entry.snapshot.fetched_at)}"
    return line


def leaderboard_pages(board: Leaderboard, *, guild_name: str | None = None) -> list[discord.Embed]:
    label = SORT_LABELS[board.sort]
    lines = [leaderboard_line(rank, entry, board.sort) for rank, entry in enumerate(board.entries, start=1)]
    lines += [f"`  –.` <@{link.member_id}> · `{link.psn_id}` · no data yet" for link in board.missing]
    header_parts = [f"{len(board.entries) + len(board.missing)} linked drivers, ranked by {label}."]
    if any(entry.stale for entry in board.entries) or board.missing:
        if board.error is not None:
            header_parts.append(f"Some entries show stored data: {truncate(board.error.user_message, 300)}")
        else:
            header_parts.append("Some entries show stored data, to spare the GT Grid Stats request budget.")
    title = f"Leaderboard · {guild_name}" if guild_name else "Leaderboard"
    return pages_from_lines(
        title, lines, per_page=15, header="\n".join(header_parts), footer="GT Grid Stats · /link to join"
    )

"""Driver answers: /link, /unlink, /profile, /history, /compare, /leaderboard. Models in, text and embeds
out; no lookups here. Every word through `_()` / `ngettext()`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import discord

from bot.gtgridstats.errors import GTGridStatsError
from bot.gtgridstats.models import Driver
from bot.services.driver_results import (
    ClassDistance,
    DriverChange,
    DriverResult,
    Leaderboard,
    LeaderboardEntry,
    LeaderboardSort,
    LinkDone,
    ProgressEvent,
    Queued,
    Syncing,
    class_distance,
    win_rate,
)
from bot.services.ratings import BANDS_TEXT
from bot.storage.links import Link
from bot.storage.snapshots import DriverSnapshot
from bot.storage.tracking import Announcement
from bot.ui.embeds import check_embed_limits, fit_embed, pages_from_lines
from bot.ui.errors import upstream_message
from bot.ui.format import BRAND_COLOUR, as_of, code, number, percent, timestamp, truncate
from bot.ui.i18n import N_, _, ngettext
from bot.ui.replies import Attachment

_COUNTRY = re.compile(r"[A-Za-z]{2}")
_REGIONAL_INDICATOR_A = 0x1F1E6

SORT_LABELS: dict[LeaderboardSort, str] = {
    LeaderboardSort.DR_POINTS: N_("DR points"),
    LeaderboardSort.WINS: N_("wins"),
    LeaderboardSort.RACES: N_("races"),
    LeaderboardSort.WIN_RATE: N_("win rate"),
}
RELINK_NOT_YOURS = N_("Only the member who ran `/link` can answer this.")
HISTORY_FILENAME = "dr-history.png"


# --- progress, /link, /unlink ----------------------------------------------------------------------------


def progress_text(event: ProgressEvent) -> str:
    match event:
        case Syncing():
            return ngettext(
                "Syncing {count} new driver with GT Grid Stats, about {seconds} s…",
                "Syncing {count} new drivers with GT Grid Stats, about {seconds} s…",
                event.new_drivers,
                seconds=event.seconds,
            )
        case Queued():
            return _("Queued behind other GT Grid Stats requests, about {seconds} s…", seconds=event.seconds)


def relink_labels() -> tuple[str, str]:
    return _("Confirm"), _("Cancel")


def linked_text(done: LinkDone, *, self_link: bool) -> str:
    driver = done.result.snapshot.driver
    name = driver.nickname or driver.psn_id
    if self_link:
        text = _("✅ You are now linked to **{name}** ({psn_id})", name=name, psn_id=code(driver.psn_id))
    else:
        text = _(
            "✅ {member} is now linked to **{name}** ({psn_id})",
            member=f"<@{done.link.member_id}>",
            name=name,
            psn_id=code(driver.psn_id),
        )
    if driver.dr:
        text += _(", DR {dr}", dr=driver.dr)
    text += "."
    if done.previous is not None and done.previous.psn_id.lower() != driver.psn_id.lower():
        text += " " + _("The previous link to {psn_id} was replaced.", psn_id=code(done.previous.psn_id))
    return text


def released_text(psn_id: str, member_id: int) -> str:
    return _(
        "{psn_id} was linked to {member}, who has left this server: that link was released.",
        psn_id=code(psn_id),
        member=f"<@{member_id}>",
    )


def already_linked_text(current: Link, target_id: int, *, self_link: bool) -> str:
    since = timestamp(current.linked_at, "D")
    if self_link:
        return _(
            "You are already linked to {psn_id} (since {since}).", psn_id=code(current.psn_id), since=since
        )
    return _(
        "{member} is already linked to {psn_id} (since {since}).",
        member=f"<@{target_id}>",
        psn_id=code(current.psn_id),
        since=since,
    )


def link_prompt_text(current: Link, target_id: int, psn_id: str, *, self_link: bool) -> str:
    values = {
        "current": code(current.psn_id),
        "since": timestamp(current.linked_at, "D"),
        "new": code(psn_id),
    }
    if self_link:
        return _("You are linked to {current} (since {since}). Replace it with {new}?", **values)
    return _(
        "{member} is linked to {current} (since {since}). Replace it with {new}?",
        member=f"<@{target_id}>",
        **values,
    )


def looking_up_text(psn_id: str) -> str:
    return _("Looking up {psn_id} on GT Grid Stats…", psn_id=code(psn_id))


def cancelled_text(psn_id: str) -> str:
    return _("Cancelled: the link to {psn_id} is unchanged.", psn_id=code(psn_id))


def no_answer_text(psn_id: str) -> str:
    return _("No answer: the link to {psn_id} is unchanged.", psn_id=code(psn_id))


def unlinked_text(psn_id: str, target_id: int, *, self_link: bool) -> str:
    if self_link:
        return _("You are no longer linked to {psn_id} in this server.", psn_id=code(psn_id))
    return _(
        "{member} is no longer linked to {psn_id} in this server.",
        member=f"<@{target_id}>",
        psn_id=code(psn_id),
    )


def refresh_wait_text(next_refresh_at: datetime) -> str:
    return _(
        "This profile was fetched moments ago, so this is the stored one. The next refresh is possible "
        "{when}.",
        when=timestamp(next_refresh_at),
    )


# --- /history --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryAnswer:
    embed: discord.Embed
    points: list[tuple[datetime, int]]
    chart_title: str

    @staticmethod
    def attachment(png: bytes) -> Attachment:
        return Attachment(HISTORY_FILENAME, png)


def history_answer(snapshots: Sequence[DriverSnapshot]) -> HistoryAnswer:
    """The /history embed and the chart's points (each snapshot from its first to its last fetch)."""
    points: list[tuple[datetime, int]] = []
    for snapshot in snapshots:
        points.append((snapshot.first_fetched_at, snapshot.dr_points))
        if snapshot.fetched_at != snapshot.first_fetched_at:
            points.append((snapshot.fetched_at, snapshot.dr_points))
    latest = max(snapshots, key=lambda snapshot: snapshot.fetched_at)
    nickname = latest.driver.nickname
    if nickname and nickname != latest.psn_id:
        chart_title = f"{nickname} · {latest.psn_id}"
    else:
        chart_title = _("DR points · {psn_id}", psn_id=latest.psn_id)
    description = ngettext(
        "{count} stored snapshot from {first} to {last}.",
        "{count} stored snapshots from {first} to {last}.",
        len(snapshots),
        first=timestamp(snapshots[0].first_fetched_at, "D"),
        last=timestamp(latest.fetched_at, "D"),
    )
    embed = discord.Embed(
        title=_("{name} · DR history", name=nickname or latest.psn_id),
        description=description + " " + _("Bands: {bands}.", bands=BANDS_TEXT),
        colour=BRAND_COLOUR,
    )
    embed.set_image(url=f"attachment://{HISTORY_FILENAME}")
    return HistoryAnswer(embed=fit_embed(embed), points=points, chart_title=chart_title)


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
    reason = upstream_message(error) if error is not None else _("The data could not be refreshed.")
    return "⚠️ " + reason + "\n" + _("Showing the stored profile {as_of}.", as_of=as_of(moment))


def profile_embed(
    result: DriverResult,
    change: DriverChange | None,
    *,
    member_id: int | None = None,
    last_change: Announcement | None = None,
) -> discord.Embed:
    snapshot = result.snapshot
    driver = snapshot.driver
    stats = driver.stats
    title = f"{flag(driver.country_code)} {display_name(driver)}".strip()
    lines = [_("PSN ID {psn_id}", psn_id=code(driver.psn_id)) + (f" · <@{member_id}>" if member_id else "")]
    if result.stale:
        lines.append(upstream_note(result.error, snapshot.fetched_at))
    embed = discord.Embed(title=truncate(title, 256), description="\n".join(lines), colour=BRAND_COLOUR)
    embed.add_field(name=_("Driver Rating"), value=driver.dr or "—")
    embed.add_field(name=_("Sportsmanship"), value=driver.sr or "—")
    embed.add_field(name=_("DR points"), value=number(stats.dr_points))
    embed.add_field(name=_("Races"), value=number(stats.total_races))
    embed.add_field(name=_("Wins"), value=number(stats.victories))
    embed.add_field(name=_("Win rate"), value=percent(win_rate(driver)))
    embed.add_field(name=_("Poles"), value=number(stats.poles))
    embed.add_field(name=_("Fastest laps"), value=number(stats.fastest_laps))
    embed.add_field(name=_("Clean races"), value=number(stats.clean_races))
    embed.add_field(name=_("Licence"), value=stats.license or "—")
    embed.add_field(name=_("Collector level"), value=number(stats.collector_level))
    garage = "—"
    if stats.garage_count is not None:
        garage = ngettext(
            "{number} car", "{number} cars", stats.garage_count, number=number(stats.garage_count)
        )
    if stats.collection_progress:
        garage += " " + _("({progress} collected)", progress=stats.collection_progress)
    embed.add_field(name=_("Garage"), value=garage)
    embed.add_field(name=_("Credits"), value=number(stats.total_credits))
    embed.add_field(name=_("Play time"), value=stats.play_time_readable or "—")
    embed.add_field(
        name=_("Distance"), value=_("{km} km", km=stats.distance_km) if stats.distance_km else "—"
    )
    embed.add_field(
        name=_("Last GT Grid Stats sync"), value=timestamp(driver.last_sync) if driver.last_sync else "—"
    )
    embed.add_field(
        name=_("DR class"), value=class_distance_text(class_distance(stats.dr_points)), inline=False
    )
    embed.add_field(name=_("Last class change"), value=last_change_text(last_change), inline=False)
    embed.add_field(name=_("Last 7 days"), value=change_text(change), inline=False)
    embed.set_footer(text=_("GT Grid Stats · stored"))
    embed.timestamp = snapshot.fetched_at
    check_embed_limits(fit_embed(embed))
    return embed


def class_distance_text(distance: ClassDistance) -> str:
    """Two lines: the points to the next DR class up, and the margin above the class below."""
    if distance.next_band is None or distance.to_next is None:
        up = _("{dr_class} is the top DR class.", dr_class=distance.band)
    else:
        up = _(
            "{points} DR points to reach {dr_class}.",
            points=number(distance.to_next),
            dr_class=distance.next_band,
        )
    if distance.below_band is None or distance.above_below is None:
        down = _("{dr_class} is the first DR class: there is no class below.", dr_class=distance.band)
    else:
        down = _(
            "Drops to {dr_class} after losing {points} DR points.",
            points=number(distance.above_below),
            dr_class=distance.below_band,
        )
    return up + "\n" + down


def last_change_text(change: Announcement | None) -> str:
    if change is None:
        return _("No class change seen yet.")
    if change.rating == "SR":
        return _(
            "SR {before} → {after} on {date}",
            before=change.before,
            after=change.after,
            date=timestamp(change.observed_at, "D"),
        )
    return _(
        "DR {before} → {after} on {date}",
        before=change.before,
        after=change.after,
        date=timestamp(change.observed_at, "D"),
    )


def change_text(change: DriverChange | None) -> str:
    if change is None:
        return _("No earlier snapshot in the last 7 days yet.")
    if change.dr_points == change.races == change.wins == 0:
        return _("No change since {since}.", since=timestamp(change.since))
    points = _("{points} DR points", points=signed(change.dr_points))
    races = ngettext("{signed} race", "{signed} races", abs(change.races), signed=signed(change.races))
    wins = ngettext("{signed} win", "{signed} wins", abs(change.wins), signed=signed(change.wins))
    return _(
        "{points} · {races} · {wins} since {since}",
        points=points,
        races=races,
        wins=wins,
        since=timestamp(change.since),
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
    # Each column title is cut to its column, so a longer translation never breaks the alignment.
    header = " ".join(
        (
            "#".rjust(2),
            _cell(_("PSN ID"), 16),
            _cell(_("DR"), 2),
            _cell(_("SR"), 2),
            truncate(_("Points"), 7).rjust(7),
            truncate(_("Races"), 5).rjust(5),
            truncate(_("Wins"), 4).rjust(4),
            truncate(_("Win%"), 4).rjust(4),
        )
    )
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
    parts = [compare_table(rows)] if rows else [_("No driver could be shown.")]
    members = [
        f"{row.snapshot.psn_id} · <@{row.member_id}>"
        for row in sorted(rows, key=lambda row: -row.snapshot.dr_points)
        if row.member_id is not None
    ]
    if members:
        parts.append(_("Members: {members}", members=", ".join(members)))
    stale = [row for row in rows if row.stale]
    if stale:
        oldest = min(row.snapshot.fetched_at for row in stale)
        if error is not None:
            parts.append(
                _(
                    "\\* stored data, the oldest {as_of} ({reason})",
                    as_of=as_of(oldest),
                    reason=upstream_message(error),
                )
            )
        else:
            parts.append(_("\\* stored data, the oldest {as_of}", as_of=as_of(oldest)))
    if not_found:
        parts.append(
            _("GT Grid Stats has no driver {psn_ids}.", psn_ids=", ".join(code(psn) for psn in not_found))
        )
    if unavailable:
        reason = upstream_message(error) if error is not None else _("Please try again later.")
        shown = ", ".join(code(psn) for psn in unavailable)
        parts.append(_("Could not look up {psn_ids}: {reason}", psn_ids=shown, reason=reason))
    embed = discord.Embed(
        title=ngettext("Comparing {count} driver", "Comparing {count} drivers", len(rows)),
        description="\n".join(parts),
        colour=BRAND_COLOUR,
    )
    newest = max((row.snapshot.fetched_at for row in rows), default=None)
    if newest is not None:
        embed.timestamp = newest
    embed.set_footer(text=_("Ranked by DR points · GT Grid Stats"))
    check_embed_limits(fit_embed(embed))
    return embed


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

"""/profile and /history in words: lookup progress, the profile embed (DR class distance, last class change,
the last 7 days) and the /history embed. Models in, text and embeds out; no lookups here."""

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
    ProgressEvent,
    Queued,
    Syncing,
    class_distance,
    win_rate,
)
from bot.services.ratings import BANDS_TEXT
from bot.storage.snapshots import DriverSnapshot
from bot.storage.tracking import Announcement
from bot.ui.embeds import check_embed_limits, fit_embed
from bot.ui.errors import upstream_message
from bot.ui.format import BRAND_COLOUR, as_of, code, number, percent, timestamp, truncate
from bot.ui.i18n import N_, _, ngettext
from bot.ui.replies import Attachment

_COUNTRY = re.compile(r"[A-Za-z]{2}")
_REGIONAL_INDICATOR_A = 0x1F1E6
HISTORY_FILENAME = "dr-history.png"


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


def refresh_wait_text(next_refresh_at: datetime) -> str:
    return _(
        "This profile was fetched moments ago, so this is the stored one. The next refresh is possible "
        "{when}.",
        when=timestamp(next_refresh_at),
    )


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
        message = N_("SR {before} → {after} on {date}")
    else:
        message = N_("DR {before} → {after} on {date}")
    return _(message, before=change.before, after=change.after, date=timestamp(change.observed_at, "D"))


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

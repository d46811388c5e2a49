"""What organisers read from /league: replies and the roster (notices and errors: league_problems.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord
from discord.utils import escape_markdown

from bot.services.driver_refs import ResolvedDriver
from bot.services.leagues import (
    Deleted,
    League,
    RosterChange,
    Schedule,
    ScheduleChange,
    SetupResult,
)
from bot.services.standings import Standings
from bot.ui.embeds import pages_from_lines
from bot.ui.format import as_of, bold, timestamp, truncate, weekday_text
from bot.ui.i18n import N_, _, ngettext
from bot.ui.standings import standings_title

NAMES_LIMIT = 1200


def channel(channel_id: int) -> str:
    return f"<#{channel_id}>"


def names(psn_ids: Sequence[str], limit: int = NAMES_LIMIT) -> str:
    """PSN IDs (or league names) as a list, escaped, cut with an ellipsis past `limit`."""
    return truncate(", ".join(escape_markdown(psn) for psn in psn_ids), limit)


def weekday_name(weekday: int) -> str:
    return weekday_text(weekday)


def describe_schedule(schedule: Schedule) -> str:
    return _(
        "every {weekday} at {time} ({zone})",
        weekday=weekday_name(schedule.weekday),
        time=schedule.at.strftime("%H:%M"),
        zone=schedule.timezone,
    )


# --- replies ------------------------------------------------------------------------------------------


def setup_text(result: SetupResult) -> str:
    league = result.league
    values: dict[str, Any] = {
        "league": bold(league.name),
        "series": league.series_id,
        "channel": channel(league.channel_id),
    }
    if result.created:
        return _(
            "Created {league}: series {series}, posting in {channel}.\n"
            "Next: add drivers with `/league add`, then `/league post` or `/league schedule`.",
            **values,
        )
    if result.resumed:
        return _(
            "Updated {league}: series {series}, posting in {channel}. Its paused weekly post runs again.",
            **values,
        )
    return _("Updated {league}: series {series}, posting in {channel}.", **values)


def _roster_size(size: int) -> str:
    return ngettext("The roster has {count} driver.", "The roster has {count} drivers.", size)


def _roster_change_text(change: RosterChange, changed: str, unchanged: str) -> str:
    """A roster change: the `changed` sentence (the drivers changed), the `unchanged` one, the size."""
    lines = []
    if change.changed:
        lines.append(
            _(
                changed,
                count=len(change.changed),
                league=bold(change.league.name),
                names=names(change.changed),
            )
        )
    if change.unchanged:
        lines.append(_(unchanged, names=names(change.unchanged)))
    lines.append(_roster_size(change.size))
    return "\n".join(lines)


def added_text(change: RosterChange) -> str:
    return _roster_change_text(
        change, N_("Added {count} to {league}: {names}."), N_("Already in the roster: {names}.")
    )


def removed_text(change: RosterChange) -> str:
    # The service refuses a removal that removes nobody, so the first line is always there.
    return _roster_change_text(
        change, N_("Removed {count} from {league}: {names}."), N_("Not in the roster: {names}.")
    )


def roster_title(league: League) -> str:
    return _("{league} · roster", league=league.name)


def roster_empty_line() -> str:
    return _("No drivers yet: add them with `/league add`.")


def roster_summary(league: League, drivers: int) -> str:
    lines = [
        ngettext(
            "Series {series} · posts in {channel} · {count} driver",
            "Series {series} · posts in {channel} · {count} drivers",
            drivers,
            series=league.series_id,
            channel=channel(league.channel_id),
        )
    ]
    if league.paused:
        lines.append(_("Weekly post: **paused** — run `/league schedule` to resume."))
    elif league.schedule is not None and league.next_post_at is not None:
        lines.append(
            _(
                "Weekly post: {schedule}; next {when}.",
                schedule=describe_schedule(league.schedule),
                when=timestamp(league.next_post_at, "F"),
            )
        )
    else:
        lines.append(_("Weekly post: off."))
    if league.last_posted_at is not None:
        lines.append(_("Last post: {when}.", when=timestamp(league.last_posted_at, "F")))
    return "\n".join(lines)


ROSTER_PER_PAGE = 20


def roster_line(index: int, driver: ResolvedDriver) -> str:
    """`  1` PSN ID (escaped), then the member who linked it here, when one did."""
    line = f"`{index:>3}` {escape_markdown(driver.psn_id)}"
    return line if driver.member_id is None else f"{line} · <@{driver.member_id}>"


def roster_pages(league: League, drivers: Sequence[ResolvedDriver]) -> list[discord.Embed]:
    """/league roster: the league's summary, then its drivers numbered, 20 a page."""
    lines = [roster_line(index, driver) for index, driver in enumerate(drivers, start=1)]
    return pages_from_lines(
        roster_title(league),
        lines or [roster_empty_line()],
        per_page=ROSTER_PER_PAGE,
        header=roster_summary(league, len(drivers)),
    )


def posted_text(league: League, standings: Standings) -> str:
    return ngettext(
        "Posted the {league} standings ({count} driver) in {channel}.",
        "Posted the {league} standings ({count} drivers) in {channel}.",
        len(standings.rows),
        league=bold(league.name),
        channel=channel(league.channel_id),
    )


def schedule_text(change: ScheduleChange) -> str:
    league = change.league
    if league.schedule is None:
        if change.previous is not None:
            return _(
                "Weekly posts of {league} are off (it was {schedule}).",
                league=bold(league.name),
                schedule=describe_schedule(change.previous),
            )
        return _("Weekly posts of {league} are off.", league=bold(league.name))
    assert league.next_post_at is not None
    return _(
        "{league} standings will be posted in {channel} {schedule}. Next post: {when} ({relative}).",
        league=bold(league.name),
        channel=channel(league.channel_id),
        schedule=describe_schedule(league.schedule),
        when=timestamp(league.next_post_at, "F"),
        relative=timestamp(league.next_post_at),
    )


def export_text(league: League, standings: Standings) -> str:
    return ngettext(
        "{league} · {title} · {count} driver, {as_of}.",
        "{league} · {title} · {count} drivers, {as_of}.",
        len(standings.rows),
        league=bold(league.name),
        title=standings_title(standings),
        as_of=as_of(standings.as_of),
    )


def delete_question(league: League, roster_size: int) -> str:
    what = (
        ngettext(
            "Delete {league} with its roster of {count} driver, its weekly post and its post history?",
            "Delete {league} with its roster of {count} drivers, its weekly post and its post history?",
            roster_size,
            league=bold(league.name),
        )
        if league.schedule
        else ngettext(
            "Delete {league} with its roster of {count} driver and its post history?",
            "Delete {league} with its roster of {count} drivers and its post history?",
            roster_size,
            league=bold(league.name),
        )
    )
    return what + "\n" + _("This cannot be undone.")


def deleted_text(deleted: Deleted) -> str:
    league = deleted.league
    if league.schedule:
        return ngettext(
            "Deleted {league} with its roster of {count} driver, its weekly post and its post history.",
            "Deleted {league} with its roster of {count} drivers, its weekly post and its post history.",
            deleted.roster_size,
            league=bold(league.name),
        )
    return ngettext(
        "Deleted {league} with its roster of {count} driver and its post history.",
        "Deleted {league} with its roster of {count} drivers and its post history.",
        deleted.roster_size,
        league=bold(league.name),
    )


def delete_kept_text(league: League) -> str:
    return _("Nothing was deleted: {league} stays as it is.", league=bold(league.name))


def delete_timeout_text(league: League) -> str:
    return _("No answer in time: {league} was not deleted.", league=bold(league.name))

"""League-night races in words: the calendar (and the server's scheduled events), the check-in embed, its
buttons and reminders, and attendance (text and CSV)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import discord
from discord.utils import escape_markdown as escape

from bot.services.league_night.races import (
    IN,
    OUT,
    Attendance,
    CheckinBoard,
    EventNote,
    RaceChange,
    Reminder,
)
from bot.storage.races import Race
from bot.ui.embeds import fit_embed, fit_lines, numbered_names
from bot.ui.format import BRAND_COLOUR, timestamp, truncate
from bot.ui.i18n import _, ngettext

MESSAGE_LIMIT = 2_000


def checkin_label() -> str:
    return _("Check in")


def cant_make_it_label() -> str:
    return _("Can't make it")


# --- calendar --------------------------------------------------------------------------------------


def race_title(race: Race) -> str:
    what = " · ".join(escape(part) for part in (race.track, race.car) if part)
    return _("Race #{id}", id=race.id) + (f" · {what}" if what else "")


def race_line(race: Race) -> str:
    line = f"**{race_title(race)}** — {timestamp(race.starts_at, 'F')} ({timestamp(race.starts_at)})"
    if race.notes:
        line += "\n" + truncate(escape(race.notes), 200)
    return line


def calendar_text(league_name: str, races: list[Race]) -> str:
    if not races:
        return _(
            "**{league}** has no races yet: add one with `/league race add`.",
            league=escape(league_name),
        )
    header = _("**{league}** · race calendar", league=escape(league_name))
    more = _("…and more races: remove old ones with `/league race remove`.")
    return fit_lines([header, *map(race_line, races)], MESSAGE_LIMIT, more=lambda _count: more)


def _event_note(note: EventNote) -> str:
    match note:
        case EventNote.IN_STEP:
            return " " + _("The server's scheduled event is in step.")
        case EventNote.REFUSED_FIRST:
            return "\n" + _(
                "I could not create a scheduled event for it: give me the **Manage Events** permission "
                "if you want the races in the server's events. The calendar works without it "
                "(I will not say this again)."
            )
        case EventNote.FAILED:
            return "\n" + _("Discord did not take the scheduled event this time; the calendar is saved.")
        case _:
            return ""


def race_added(change: RaceChange) -> str:
    text = _(
        "Added {race} to **{league}**: {when}. Check-in opens {hours} h before.",
        race=race_line(change.race),
        league=escape(change.league.name),
        when=timestamp(change.race.starts_at),
        hours=change.race.checkin_hours,
    )
    return text + _event_note(change.event)


def race_edited(change: RaceChange) -> str:
    return _("Updated {race}.", race=race_line(change.race)) + _event_note(change.event)


def race_removed(change: RaceChange) -> str:
    return _(
        "Removed race #{id} from **{league}**.", id=change.race.id, league=escape(change.league.name)
    ) + (_event_note(change.event))


def event_name(league_name: str, race: Race) -> str:
    return truncate(_("{league}: {race}", league=league_name, race=race_title(race)), 100)


def event_description(race: Race) -> str:
    parts = [part for part in (race.track, race.car, race.notes) if part]
    return truncate("\n".join(parts) or _("League race"), 1000)


def event_location() -> str:
    return _("Gran Turismo 7")


# --- check-in --------------------------------------------------------------------------------------


def checkin_embed(board: CheckinBoard, *, closed: bool = False, removed: bool = False) -> discord.Embed:
    race = board.race
    title = _("Check-in: {league} · {race}", league=board.league.name, race=race_title(race))
    if removed:
        description = _("Check-in is closed: the race was removed from the calendar.")
    elif closed:
        description = _("Check-in is closed: the race has started.")
    else:
        description = _(
            "The race starts {when}. Press **Check in** if you will race, **Can't make it** if not.",
            when=timestamp(race.starts_at, "F"),
        )
    embed = discord.Embed(title=truncate(title, 256), description=description, colour=BRAND_COLOUR)
    fields = (
        (ngettext("Checked in: {count}", "Checked in: {count}", len(board.checked_in)), board.checked_in),
        (ngettext("Can't make it: {count}", "Can't make it: {count}", len(board.out)), board.out),
        (ngettext("No answer: {count}", "No answer: {count}", len(board.waiting)), board.waiting),
    )
    for name, names in fields:
        embed.add_field(name=name, value=numbered_names(names), inline=False)
    return fit_embed(embed)


def checkin_answer(board: CheckinBoard, status: str) -> str:
    race = race_title(board.race)
    if status == IN:
        return _("You are checked in for {race}. See you on track!", race=race)
    return _("Noted: you can't make {race}.", race=race)


def reminder_messages(reminder: Reminder) -> list[str]:
    """The reminder in messages under Discord's 2,000 characters; it mentions only the non-responders."""
    intro = _(
        "{race} starts {when}: please check in (or say you can't make it) above.",
        race=race_title(reminder.board.race),
        when=timestamp(reminder.board.race.starts_at),
    )
    mentions = [f"<@{member_id}>" for member_id in reminder.member_ids]
    if reminder.unlinked:
        mentions.append(
            _(
                "Not linked (please tell them): {names}",
                names=", ".join(escape(p) for p in reminder.unlinked),
            )
        )
    messages: list[str] = []
    current = intro
    for item in mentions:
        if len(current) + 1 + len(item) > MESSAGE_LIMIT:
            messages.append(current)
            current = truncate(item, MESSAGE_LIMIT)
        else:
            current = f"{current}\n{item}" if current == intro else f"{current} {item}"
    messages.append(current)
    return messages


# --- attendance ------------------------------------------------------------------------------------


_MARK = {IN: "✅", OUT: "❌"}


def attendance_text(attendance: Attendance) -> str:
    league = escape(attendance.league.name)
    if not attendance.races:
        return _("No check-in has opened for **{league}** yet.", league=league)
    header = _(
        "**{league}** · attendance over {count} races (✅ checked in, ❌ can't make it, — no answer)",
        league=league,
        count=len(attendance.races),
    )
    lines = [header]
    recent = attendance.races[-10:]
    for driver in sorted(attendance.drivers, key=lambda d: (-d.count(IN), d.psn_id.lower())):
        marks = "".join(_MARK.get(driver.statuses.get(race.id, ""), "—") for race in recent)
        line = _(
            "{psn}: {checked_in}/{races} {marks}",
            psn=escape(driver.psn_id),
            checked_in=driver.count(IN),
            races=len(attendance.races),
            marks=marks,
        )
        lines.append(line)
    more = _("…the whole table is in `/league export`.")
    return fit_lines(lines, MESSAGE_LIMIT, more=lambda _count: more)


def attendance_csv(attendance: Attendance) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("PSN ID"),
            *(_("Race {id} ({date})", id=race.id, date=_iso(race.starts_at)) for race in attendance.races),
            _("Checked in"),
            _("Can't make it"),
        ]
    )
    words = {IN: _("checked in"), OUT: _("can't make it")}
    for driver in attendance.drivers:
        writer.writerow(
            [
                driver.psn_id,
                *(words.get(driver.statuses.get(race.id, ""), "") for race in attendance.races),
                driver.count(IN),
                driver.count(OUT),
            ]
        )
    return out.getvalue().encode("utf-8")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")

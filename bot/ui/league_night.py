"""League night in words: sign-up, check-in and calendar messages, answers, and every league-night error."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import discord

from bot.services.league_night import errors
from bot.services.league_night.races import (
    IN,
    OUT,
    Attendance,
    CheckinBoard,
    EventNote,
    RaceChange,
    Reminder,
)
from bot.services.league_night.signups import Board, JoinOutcome, JoinStatus, LeaveOutcome, Shortfall
from bot.storage.races import Race
from bot.storage.signups import Entry
from bot.ui.embeds import fit_embed
from bot.ui.format import BRAND_COLOUR, timestamp, truncate
from bot.ui.i18n import _, ngettext

MESSAGE_LIMIT = 2_000
NAMES_LIMIT = 1_000  # an embed field holds 1,024 characters


def escape(text: str) -> str:
    return discord.utils.escape_markdown(text)


def _names(psn_ids: list[str]) -> str:
    """Numbered names, cut (with how many more) to fit one embed field."""
    lines: list[str] = []
    for index, psn in enumerate(psn_ids, 1):
        line = f"{index}. {escape(psn)}"
        if sum(len(item) + 1 for item in lines) + len(line) > NAMES_LIMIT - 20:
            lines.append(_("…and {count} more", count=len(psn_ids) - index + 1))
            break
        lines.append(line)
    return "\n".join(lines) or "—"


# --- buttons and modal -----------------------------------------------------------------------------


def join_label() -> str:
    return _("Join")


def leave_label() -> str:
    return _("Leave")


def checkin_label() -> str:
    return _("Check in")


def cant_make_it_label() -> str:
    return _("Can't make it")


def psn_modal_title() -> str:
    return _("Join with your PSN ID")


def psn_modal_label() -> str:
    return _("Your PSN ID")


def psn_modal_placeholder() -> str:
    return _("As shown in Gran Turismo 7")


# --- sign-ups --------------------------------------------------------------------------------------


def gate_text(board: Board) -> str:
    signup = board.signup
    parts = []
    if signup.min_dr:
        parts.append(_("DR {rating} or better", rating=signup.min_dr))
    if signup.min_dr_points:
        parts.append(_("at least {points} DR points", points=f"{signup.min_dr_points:,}"))
    if signup.min_sr:
        parts.append(_("SR {rating} or better", rating=signup.min_sr))
    return ", ".join(parts) if parts else _("Open to every driver")


def signup_embed(board: Board) -> discord.Embed:
    signup = board.signup
    title = _("Sign-ups: {league}", league=board.league.name)
    if signup.is_open:
        status = _("Press **Join** to take part, **Leave** to give your place back.")
        if signup.closes_at:
            status += "\n" + _("Closes {when}.", when=timestamp(signup.closes_at, "F"))
    else:
        status = _("Sign-ups are closed.")
    embed = discord.Embed(title=title, description=status, colour=BRAND_COLOUR)
    embed.add_field(name=_("Requirements"), value=gate_text(board), inline=False)
    count = len(board.grid)
    if signup.max_grid is not None:
        grid_title = _("Grid: {count}/{limit}", count=count, limit=signup.max_grid)
    else:
        grid_title = ngettext("Grid: {count} driver", "Grid: {count} drivers", count)
    embed.add_field(name=grid_title, value=_names([entry.psn_id for entry in board.grid]), inline=False)
    if board.waitlist:
        embed.add_field(
            name=ngettext("Waitlist: {count} driver", "Waitlist: {count} drivers", len(board.waitlist)),
            value=_names([entry.psn_id for entry in board.waitlist]),
            inline=False,
        )
    return fit_embed(embed)


def signup_opened(board: Board) -> str:
    return _(
        "Sign-ups for **{league}** are open in <#{channel}>.",
        league=escape(board.league.name),
        channel=board.signup.channel_id,
    )


def signup_closed_reply(board: Board) -> str:
    return ngettext(
        "Sign-ups for **{league}** are closed: {count} driver on the grid, now the league's roster.",
        "Sign-ups for **{league}** are closed: {count} drivers on the grid, now the league's roster.",
        len(board.grid),
        league=escape(board.league.name),
    )


def _shortfall(item: Shortfall) -> str:
    match item.kind:
        case "dr":
            return _("DR {required} required, yours is {actual}", required=item.required, actual=item.actual)
        case "dr_points":
            return _(
                "{required} DR points required, yours are {actual}",
                required=f"{int(item.required):,}",
                actual=f"{int(item.actual):,}",
            )
        case _:
            return _("SR {required} required, yours is {actual}", required=item.required, actual=item.actual)


def join_answer(outcome: JoinOutcome) -> str:
    psn = escape(outcome.psn_id or "")
    league = escape(outcome.board.league.name) if outcome.board else ""
    match outcome.status:
        case JoinStatus.REFUSED:
            reasons = "; ".join(_shortfall(item) for item in outcome.shortfalls)
            return _("Sorry, **{psn}** can't join: {reasons}.", psn=psn, reasons=reasons)
        case JoinStatus.WAITLISTED:
            if outcome.already:
                return _(
                    "You are already on the waitlist of **{league}** as **{psn}**, position {position}.",
                    league=league,
                    psn=psn,
                    position=outcome.position,
                )
            return _(
                "The grid of **{league}** is full: **{psn}** is on the waitlist, position {position}. "
                "You will be told when a place frees up.",
                league=league,
                psn=psn,
                position=outcome.position,
            )
        case _:
            if outcome.already:
                return _("You are already on the grid of **{league}** as **{psn}**.", league=league, psn=psn)
            return _(
                "You are on the grid of **{league}** as **{psn}**. See you on track!", league=league, psn=psn
            )


def leave_answer(outcome: LeaveOutcome) -> str:
    league = escape(outcome.board.league.name)
    if outcome.left is None:
        return _("You had not joined the sign-ups of **{league}**.", league=league)
    return _("You left the sign-ups of **{league}**; your place is free.", league=league)


def promoted_dm(board: Board, entry: Entry) -> str:
    return _(
        "Good news: a place freed up on the grid of **{league}**, and **{psn}** is in. See you on track!",
        league=escape(board.league.name),
        psn=escape(entry.psn_id),
    )


def promoted_public(entry: Entry, board: Board) -> str:
    return _(
        "<@{member}>, a place freed up: **{psn}** moves from the waitlist onto the grid of **{league}**.",
        member=entry.member_id,
        psn=escape(entry.psn_id),
        league=escape(board.league.name),
    )


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
            "**{league}** has no races yet: add one with `/league race add`.", league=escape(league_name)
        )
    lines = [_("**{league}** · race calendar", league=escape(league_name))]
    for race in races:
        line = race_line(race)
        if sum(len(item) + 1 for item in lines) + len(line) > MESSAGE_LIMIT - 60:
            lines.append(_("…and more races: remove old ones with `/league race remove`."))
            break
        lines.append(line)
    return "\n".join(lines)


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


def checkin_embed(board: CheckinBoard, *, closed: bool = False) -> discord.Embed:
    race = board.race
    title = _("Check-in: {league} · {race}", league=board.league.name, race=race_title(race))
    if closed:
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
        embed.add_field(name=name, value=_names(names), inline=False)
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
            _("Not linked (please tell them): {names}", names=", ".join(escape(p) for p in reminder.unlinked))
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
    for driver in sorted(attendance.drivers, key=lambda d: (-d.count(IN), d.psn_id.lower())):
        marks = "".join(_MARK.get(driver.statuses.get(race.id, ""), "—") for race in attendance.races[-10:])
        line = _(
            "{psn}: {checked_in}/{races} {marks}",
            psn=escape(driver.psn_id),
            checked_in=driver.count(IN),
            races=len(attendance.races),
            marks=marks,
        )
        if sum(len(item) + 1 for item in lines) + len(line) > MESSAGE_LIMIT - 80:
            lines.append(_("…the whole table is in `/league export`."))
            break
        lines.append(line)
    return "\n".join(lines)


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


# --- errors ----------------------------------------------------------------------------------------


def describe_league_night_error(error: errors.LeagueNightError) -> str:
    match error:
        case errors.SignupAlreadyOpenError(league=league):
            return _("Sign-ups for **{league}** are already open: close them first.", league=escape(league))
        case errors.NoOpenSignupError(league=league):
            return _(
                "**{league}** has no open sign-ups: open them with `/league signups open`.",
                league=escape(league),
            )
        case errors.SignupClosedError():
            return _("These sign-ups are closed.")
        case errors.GateInvalidError(kind=kind, value=value):
            return _gate_invalid(kind, value)
        case errors.BadDateTimeError(text=text):
            return _("`{text}` is not a date and time: write it like `2026-12-05 20:00`.", text=text)
        case errors.UnknownTimezoneError(text=text):
            return _("`{text}` is not a time zone: use an IANA name such as `Europe/London`.", text=text)
        case errors.InPastError(when=when):
            return _("{when} is in the past: please give a time to come.", when=timestamp(when, "F"))
        case errors.PsnTakenError(psn_id=psn):
            return _("**{psn}** has already joined these sign-ups through another member.", psn=escape(psn))
        case errors.RatingUnavailableError(psn_id=psn):
            return _(
                "GT Grid Stats can't confirm the current rating of **{psn}** right now, so I can't check "
                "the requirements. Please try again in a few minutes.",
                psn=escape(psn),
            )
        case errors.SignupFullError(limit=limit):
            return _("These sign-ups are full: at most {limit} drivers.", limit=limit)
        case errors.RaceOverlapError(other_id=other, other_start=start):
            return _(
                "That overlaps race #{id} at {when}: leave at least the race's length between two races.",
                id=other,
                when=timestamp(start, "F"),
            )
        case errors.UnknownRaceError(race_id=race_id):
            return _("This league has no race #{id}: `/league race list` shows them.", id=race_id)
        case errors.TooManyRacesError(limit=limit):
            return _("A league's calendar holds at most {limit} races: remove old ones first.", limit=limit)
        case errors.RaceStartedError(race_id=race_id):
            return _("Race #{id} has started: it can no longer be changed.", id=race_id)
        case errors.NotOnRosterError(linked=linked):
            if not linked:
                return _("Link your PSN ID with `/link` first: check-in is for the league's roster.")
            return _("You are not on this league's roster, so there is nothing to check in for.")
        case errors.CheckinClosedError():
            return _("Check-in for this race is closed.")
    return _("Something went wrong on the bot's side. The error was logged; please try again later.")


def _gate_invalid(kind: str, value: str) -> str:
    match kind:
        case "dr":
            return _("`{value}` is not a DR class: use E, D, C, B, A or A+ (A+ is the top).", value=value)
        case "sr":
            return _("`{value}` is not an SR class: use E, D, C, B, A or S (S is the top).", value=value)
        case "dr_points":
            return _("`{value}` DR points is not a possible minimum: use 0–200,000.", value=value)
        case _:
            return _("A grid holds 1–200 drivers, not {value}.", value=value)

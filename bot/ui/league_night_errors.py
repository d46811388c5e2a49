"""Every league-night error in words (sign-ups, calendar, check-in): `describe_error` asks here."""

from __future__ import annotations

from discord.utils import escape_markdown as escape

from bot.services.league_night import errors
from bot.ui.format import timestamp
from bot.ui.i18n import UNEXPECTED, _


def describe_league_night_error(error: errors.LeagueNightError) -> str:
    match error:
        case errors.SignupAlreadyOpenError(league=league):
            return _(
                "Sign-ups for **{league}** are already open: close them first.",
                league=escape(league),
            )
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
            return _(
                "**{psn}** has already joined these sign-ups through another member.",
                psn=escape(psn),
            )
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
    return _(UNEXPECTED)


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

"""Shared by sign-ups and races: local times in the league's zone, optional free text."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.services.league_night.errors import BadDateTimeError, UnknownTimezoneError
from bot.storage.leagues import League

MAX_TEXT_SHOWN = 60
_DATE_TIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2})[:h.](\d{2})")


def league_zone(league: League, zone: str | None = None) -> ZoneInfo:
    """The zone a league's times are given in: the option, else the league's schedule zone, else UTC.

    `zone` is a name the time-zone option has already parsed (bot/ui/options.TimeZoneOption), so it is
    spelled as the tz database spells it; the refusal below is for a stored zone the system lost."""
    name = zone or (league.schedule.timezone if league.schedule else "UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimezoneError(name[:MAX_TEXT_SHOWN]) from None


def parse_local(text: str, zone: ZoneInfo) -> datetime:
    """'2026-12-05 20:00' in `zone`, as an aware UTC time."""
    match = _DATE_TIME.fullmatch(text.strip())
    if match is None:
        raise BadDateTimeError(text.strip()[:MAX_TEXT_SHOWN])
    year, month, day, hour, minute = (int(group) for group in match.groups())
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=zone)
    except ValueError:
        raise BadDateTimeError(text.strip()[:MAX_TEXT_SHOWN]) from None
    return local.astimezone(UTC)


def clean_text(text: str | None, limit: int) -> str | None:
    """Optional free text: whitespace collapsed, cut to `limit`, None when empty."""
    if text is None:
        return None
    cleaned = " ".join(text.split())
    return cleaned[:limit] or None

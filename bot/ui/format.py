"""Small formatting rules shared by every embed, so numbers and times read the same everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache

import discord
from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, format_percent
from discord.utils import escape_markdown

from bot.ui.i18n import N_, SOURCE_LANGUAGE, _, current_language

BRAND_COLOUR = 0xE4002B  # GT red


def timestamp(moment: datetime, style: discord.utils.TimestampStyle = "R") -> str:
    """A Discord timestamp: each reader sees it in their own time zone and language."""
    return discord.utils.format_dt(moment, style)


def as_of(moment: datetime) -> str:
    return _("as of {moment} ({relative})", moment=timestamp(moment, "f"), relative=timestamp(moment, "R"))


def duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3_600)
    minutes, seconds = divmod(seconds, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    text = " ".join(part for part in parts if part)
    return text or f"{seconds}s"


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def number(value: int | float | None) -> str:
    """A number as the current language writes it: 12,345 in English, 12.345 in German, 12 345 in French."""
    if value is None:
        return "—"
    locale = _locale(current_language())
    if isinstance(value, float):
        return format_decimal(value, format="#,##0.00", locale=locale)
    return format_decimal(value, format="#,##0", locale=locale)


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, locale=_locale(current_language()))


# How the English source draws dates in images (strftime, C locale); other languages follow CLDR.
_ENGLISH_DATES = {"MMMd": "%-d %b", "yMMM": "%b %Y", "yMMMd": "%-d %b %Y", "Hm": "%H:%M"}


def date_text(moment: datetime, skeleton: str) -> str:
    """A date or time the bot draws itself (an image), in the current language: `skeleton` is one of the
    CLDR skeletons "MMMd" (1 Dec, 12月1日), "yMMM" (Dec 2026), "yMMMd" or "Hm"."""
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return moment.strftime(_ENGLISH_DATES[skeleton])
    return format_skeleton(skeleton, moment, locale=_locale(language))


def weekday_text(weekday: int) -> str:
    """A weekday's name (0 = Monday) in the current language: Monday, Montag, 月曜日."""
    return str(_locale(current_language()).days["format"]["wide"][weekday])


def month_text(moment: datetime) -> str:
    """The month's short name alone (Dec, Dez., 12月), in the current language."""
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return moment.strftime("%b")
    return str(_locale(language).months["format"]["abbreviated"][moment.month])


def calendar_date(moment: datetime, size: str = "medium") -> str:
    """A date the bot writes itself (an image, a file) in the current language; messages use `timestamp`."""
    return format_date(moment, format=size, locale=_locale(current_language()))


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def code(text: str, limit: int | None = None) -> str:
    """User text shown inside an inline code span, whatever it contains.

    A backtick would close the span early (and let the rest render as markdown), so each one becomes a
    look-alike grave accent (ˋ); line breaks become spaces, since a span is one line. Mentions inside a
    code span never ping, and the bot sends with no allowed mentions anyway. `limit` shortens with "…";
    empty text reads "(empty)".
    """
    return f"`{code_text(text, limit)}`"


def code_text(text: str, limit: int | None = None) -> str:
    """What `code` puts between the backticks, for messages whose template holds the backticks."""
    shown = text.replace("`", "ˋ").replace("\r", " ").replace("\n", " ")
    if limit is not None:
        shown = truncate(shown, limit)
    return shown or "(empty)"


def bold(text: str) -> str:
    """Bold in Discord markdown, with the text's own markdown characters escaped."""
    return f"**{escape_markdown(text)}**"


# Discord's own names of the permissions the bot asks for (others are spelled from their flag name).
PERMISSION_NAMES = {
    "manage_guild": N_("Manage Server"),
    "view_channel": N_("View Channels"),
    "send_messages": N_("Send Messages"),
    "embed_links": N_("Embed Links"),
    "attach_files": N_("Attach Files"),
}


def permission_names(names: Iterable[str]) -> str:
    """Permissions as Discord names them, in the current language (those the bot asks for), else spelled
    from their flag name: manage_guild -> Manage Server."""
    return ", ".join(
        _(PERMISSION_NAMES[name])
        if name in PERMISSION_NAMES
        else name.replace("_", " ").replace("guild", "server").title()
        for name in names
    )

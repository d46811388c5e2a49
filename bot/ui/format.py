"""Small formatting rules shared by every embed, so numbers and times read the same everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from discord.utils import escape_markdown

BRAND_COLOUR = 0xE4002B  # GT red


def timestamp(moment: datetime, style: str = "R") -> str:
    """A Discord timestamp: each reader sees it in their own time zone and language."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def as_of(moment: datetime) -> str:
    return f"as of {timestamp(moment, 'f')} ({timestamp(moment, 'R')})"


def duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3_600)
    minutes, seconds = divmod(seconds, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    text = " ".join(part for part in parts if part)
    return text or f"{seconds}s"


def number(value: int | float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bold(text: str) -> str:
    """Bold in Discord markdown, with the text's own markdown characters escaped."""
    return f"**{escape_markdown(text)}**"


def permission_names(names: Iterable[str]) -> str:
    """Permission flag names as Discord shows them: manage_guild -> Manage Server."""
    return ", ".join(name.replace("_", " ").replace("guild", "server").title() for name in names)

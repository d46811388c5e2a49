"""Discord's embed limits, and the helpers that keep every embed inside them (used by every embed builder)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import discord

from bot.ui.format import BRAND_COLOUR, truncate
from bot.ui.i18n import _

# Discord's limits for one message of embeds.
EMBED_TOTAL_LIMIT = 6_000
EMBED_DESCRIPTION_LIMIT = 4_096
EMBED_TITLE_LIMIT = 256
EMBED_FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1_024
FOOTER_LIMIT = 2_048
AUTHOR_LIMIT = 256
NAMES_LIMIT = 1_000  # an embed field holds 1,024 characters


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Cut `embed` (in place) to fit every one of Discord's limits, whatever the data; returns it.

    Each part is cut to its own limit (with an ellipsis), fields past the 25th are dropped; if the whole is
    still over 6,000 characters, the description, then field values from the last, then the footer give
    way. An empty field name or value (Discord refuses those) becomes a dash.
    """
    if embed.title and len(embed.title) > EMBED_TITLE_LIMIT:
        embed.title = truncate(embed.title, EMBED_TITLE_LIMIT)
    if embed.description and len(embed.description) > EMBED_DESCRIPTION_LIMIT:
        embed.description = truncate(embed.description, EMBED_DESCRIPTION_LIMIT)
    if embed.author.name and len(embed.author.name) > AUTHOR_LIMIT:
        embed.set_author(
            name=truncate(embed.author.name, AUTHOR_LIMIT),
            url=embed.author.url,
            icon_url=embed.author.icon_url,
        )
    if embed.footer.text and len(embed.footer.text) > FOOTER_LIMIT:
        embed.set_footer(text=truncate(embed.footer.text, FOOTER_LIMIT), icon_url=embed.footer.icon_url)
    while len(embed.fields) > EMBED_FIELDS_LIMIT:
        embed.remove_field(EMBED_FIELDS_LIMIT)
    for index, item in enumerate(embed.fields):
        name, value = str(item.name or "") or "—", str(item.value or "") or "—"
        if (
            name != item.name
            or value != item.value
            or len(name) > FIELD_NAME_LIMIT
            or len(value) > FIELD_VALUE_LIMIT
        ):
            embed.set_field_at(
                index,
                name=truncate(name, FIELD_NAME_LIMIT),
                value=truncate(value, FIELD_VALUE_LIMIT),
                inline=bool(item.inline),
            )
    excess = len(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.description:
        keep = max(1, len(embed.description) - excess)
        embed.description = truncate(embed.description, keep)
        excess = len(embed) - EMBED_TOTAL_LIMIT
    for index in reversed(range(len(embed.fields))):
        if excess <= 0:
            break
        item = embed.fields[index]
        value = str(item.value)
        embed.set_field_at(
            index,
            name=str(item.name),
            value=truncate(value, max(1, len(value) - excess)),
            inline=bool(item.inline),
        )
        excess = len(embed) - EMBED_TOTAL_LIMIT
    while excess > 0 and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
        excess = len(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.footer.text:
        embed.set_footer(
            text=truncate(embed.footer.text, max(1, len(embed.footer.text) - excess)),
            icon_url=embed.footer.icon_url,
        )
        excess = len(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.author.name:
        embed.set_author(
            name=truncate(embed.author.name, max(1, len(embed.author.name) - excess)),
            url=embed.author.url,
            icon_url=embed.author.icon_url,
        )
    return embed


def check_embed_limits(embed: discord.Embed) -> None:
    """Raise if Discord would refuse this embed; every page goes through this before it is sent."""
    problems = []
    if len(embed.title or "") > EMBED_TITLE_LIMIT:
        problems.append("title")
    if len(embed.description or "") > EMBED_DESCRIPTION_LIMIT:
        problems.append("description")
    if len(embed.fields) > EMBED_FIELDS_LIMIT:
        problems.append("field count")
    for embed_field in embed.fields:
        if len(embed_field.name or "") > FIELD_NAME_LIMIT or len(embed_field.value or "") > FIELD_VALUE_LIMIT:
            problems.append(f"field {embed_field.name!r}")
    if len(embed.footer.text or "") > FOOTER_LIMIT:
        problems.append("footer")
    if len(embed) > EMBED_TOTAL_LIMIT:
        problems.append("total size")
    if problems:
        raise ValueError(f"embed over Discord's limits: {', '.join(problems)}")


def pages_from_lines(
    title: str,
    lines: Sequence[str],
    *,
    per_page: int = 15,
    header: str = "",
    footer: str = "",
    colour: int = BRAND_COLOUR,
    thumbnail: str | None = None,
) -> list[discord.Embed]:
    """Cut lines into embeds of at most `per_page` lines, each well inside Discord's limits."""
    budget = EMBED_DESCRIPTION_LIMIT - len(header) - 2
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for raw in lines:
        line = truncate(raw, 300)
        if current and (len(current) >= per_page or size + len(line) + 1 > budget):
            chunks.append(current)
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current or not chunks:
        chunks.append(current)
    pages = []
    for chunk in chunks:
        body = "\n".join(chunk)
        embed = discord.Embed(
            title=truncate(title, EMBED_TITLE_LIMIT),
            description=f"{header}\n\n{body}".strip() if header else body or _("Nothing to show."),
            colour=colour,
        )
        if thumbnail:
            embed.set_thumbnail(url=thumbnail)
        if footer:
            embed.set_footer(text=footer)
        pages.append(fit_embed(embed))
    return pages


def fit_lines(
    lines: Sequence[str], limit: int, *, more: Callable[[int], str], at_most: int | None = None
) -> str:
    """`lines` joined by newlines in at most `limit` characters: the lines that do not fit (and those past
    `at_most`) are left out, and a last line `more(count)` says how many were. Lines are never cut; room for
    the `more` line is kept as the lines are added, so the whole stays within `limit`."""
    shown = len(lines) if at_most is None else min(at_most, len(lines))
    kept: list[str] = []
    size = -1  # the length of the kept lines joined (no line yet: no newline either)
    for index, line in enumerate(lines[:shown]):
        left = len(lines) - index - 1
        room = 1 + len(more(left)) if left else 0
        if size + 1 + len(line) + room > limit:
            break
        kept.append(line)
        size += 1 + len(line)
    if len(kept) < len(lines):
        kept.append(more(len(lines) - len(kept)))
    return truncate("\n".join(kept), limit)  # only a `more` line longer than `limit` alone is cut


def numbered_names(psn_ids: Sequence[str]) -> str:
    """Numbered names (markdown escaped), cut (with how many more) to fit one embed field; "—" when none."""
    lines = [f"{index}. {discord.utils.escape_markdown(psn)}" for index, psn in enumerate(psn_ids, 1)]
    return fit_lines(lines, NAMES_LIMIT, more=lambda count: _("…and {count} more", count=count)) or "—"

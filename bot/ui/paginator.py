"""The one pagination view every list command uses, and the helpers that cut content into pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.ui.format import BRAND_COLOUR, truncate
from bot.ui.i18n import N_, _
from bot.ui.replies import Attachment, Reply
from bot.ui.views import BaseView

# Discord's limits for one message of embeds.
EMBED_TOTAL_LIMIT = 6_000
EMBED_DESCRIPTION_LIMIT = 4_096
EMBED_TITLE_LIMIT = 256
EMBED_FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1_024
FOOTER_LIMIT = 2_048
AUTHOR_LIMIT = 256

NOT_YOURS = N_("Only the person who ran this command can turn its pages. Run the command yourself to browse.")


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


def _number_pages(pages: Sequence[discord.Embed]) -> None:
    if len(pages) < 2:
        return
    for index, page in enumerate(pages, start=1):
        existing = page.footer.text
        label = _("Page {index} of {count}", index=index, count=len(pages))
        page.set_footer(text=f"{label} · {existing}" if existing else label, icon_url=page.footer.icon_url)
        fit_embed(page)


class Paginator(BaseView):
    """First/previous/next/last buttons over a list of embeds; only the invoker may turn pages."""

    not_owner_text = NOT_YOURS

    def __init__(self, pages: Sequence[discord.Embed], *, owner_id: int, timeout: float = 300.0) -> None:
        super().__init__(owner_id=owner_id, timeout=timeout)
        if not pages:
            raise ValueError("a paginator needs at least one page")
        _number_pages(pages)
        for page in pages:
            check_embed_limits(fit_embed(page))
        self.pages = list(pages)
        self.index = 0
        self._sync_buttons()
        self.first.label, self.previous.label = _("First"), _("Previous")
        self.next.label, self.last.label = _("Next"), _("Last")

    @property
    def page(self) -> discord.Embed:
        return self.pages[self.index]

    def _sync_buttons(self) -> None:
        last = len(self.pages) - 1
        self.first.disabled = self.previous.disabled = self.index == 0
        self.next.disabled = self.last.disabled = self.index == last

    async def send(
        self,
        target: discord.Interaction[Any] | Reply,
        *,
        ephemeral: bool = False,
        attachment: Attachment | None = None,
        file: discord.File | None = None,
    ) -> None:
        """Answer with the first page (and `attachment`, sent once with it) through `Reply`; buttons only
        when there is more than one page.

        `target` is a Reply (its visibility wins) or an interaction (answered with `ephemeral`). `file` is
        kept for callers still holding a `discord.File`; new code passes an `Attachment`."""
        reply = target if isinstance(target, Reply) else Reply(target, private=ephemeral)
        if file is not None and attachment is None:
            attachment = Attachment(file.filename, file.fp.read())
        several = len(self.pages) > 1
        if not several:
            self.stop()
        message = await reply.send(embed=self.page, attachment=attachment, view=self if several else None)
        if several:
            self.message = message

    async def _show(self, interaction: discord.Interaction[Any], index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        self._sync_buttons()
        await Reply(interaction, private=True).update(embed=self.page, view=self)

    @discord.ui.button(label="First", style=discord.ButtonStyle.secondary)
    async def first(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Paginator]) -> None:
        await self._show(interaction, 0)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.primary)
    async def previous(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Paginator]) -> None:
        await self._show(interaction, self.index - 1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary)
    async def next(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Paginator]) -> None:
        await self._show(interaction, self.index + 1)

    @discord.ui.button(label="Last", style=discord.ButtonStyle.secondary)
    async def last(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Paginator]) -> None:
        await self._show(interaction, len(self.pages) - 1)

"""The one pagination view every list command uses, and the helpers that cut content into pages."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import discord

from bot.ui.format import BRAND_COLOUR, truncate

log = logging.getLogger(__name__)

# Discord's limits for one message of embeds.
EMBED_TOTAL_LIMIT = 6_000
EMBED_DESCRIPTION_LIMIT = 4_096
EMBED_TITLE_LIMIT = 256
EMBED_FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1_024
FOOTER_LIMIT = 2_048

NOT_YOURS = "Only the person who ran this command can turn its pages. Run the command yourself to browse."


def embed_size(embed: discord.Embed) -> int:
    return len(embed)


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
            description=f"{header}\n\n{body}".strip() if header else body or "Nothing to show.",
            colour=colour,
        )
        if thumbnail:
            embed.set_thumbnail(url=thumbnail)
        if footer:
            embed.set_footer(text=footer)
        pages.append(embed)
    return pages


def _number_pages(pages: Sequence[discord.Embed]) -> None:
    if len(pages) < 2:
        return
    for index, page in enumerate(pages, start=1):
        existing = page.footer.text
        label = f"Page {index} of {len(pages)}"
        page.set_footer(text=f"{label} · {existing}" if existing else label, icon_url=page.footer.icon_url)


class Paginator(discord.ui.View):
    """First/previous/next/last buttons over a list of embeds; only the invoker may turn pages."""

    def __init__(self, pages: Sequence[discord.Embed], *, owner_id: int, timeout: float = 300.0) -> None:
        super().__init__(timeout=timeout)
        if not pages:
            raise ValueError("a paginator needs at least one page")
        _number_pages(pages)
        for page in pages:
            check_embed_limits(page)
        self.pages = list(pages)
        self.owner_id = owner_id
        self.index = 0
        self.message: discord.Message | discord.InteractionMessage | None = None
        self._sync_buttons()

    @property
    def page(self) -> discord.Embed:
        return self.pages[self.index]

    def _sync_buttons(self) -> None:
        last = len(self.pages) - 1
        self.first.disabled = self.previous.disabled = self.index == 0
        self.next.disabled = self.last.disabled = self.index == last

    async def send(
        self,
        interaction: discord.Interaction[Any],
        *,
        ephemeral: bool = False,
        file: discord.File = discord.utils.MISSING,
    ) -> None:
        """Reply with the first page (and `file`, sent once with it); buttons only when there is more than
        one page."""
        view = self if len(self.pages) > 1 else discord.utils.MISSING
        if interaction.response.is_done():
            self.message = await interaction.followup.send(
                embed=self.page, view=view, ephemeral=ephemeral, file=file, wait=True
            )
        else:
            await interaction.response.send_message(
                embed=self.page, view=view, ephemeral=ephemeral, file=file
            )
            self.message = await interaction.original_response()
        if len(self.pages) == 1:
            self.stop()

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True)
        return False

    async def _show(self, interaction: discord.Interaction[Any], index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.page, view=self)

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

    async def on_timeout(self) -> None:
        """Leave the page on screen, with its buttons greyed out."""
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is None:
            return
        try:
            await self.message.edit(view=self)
        except discord.HTTPException as error:
            log.info("could not disable the buttons of an expired paginator: %s", error)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        log.error("paginator button failed", exc_info=error)
        if not interaction.response.is_done():
            await interaction.response.send_message(
                "That page could not be shown. Please try again.", ephemeral=True
            )

"""The one pagination view every list command uses (embed limits and page cutting: bot/ui/embeds.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.ui.embeds import check_embed_limits, fit_embed
from bot.ui.i18n import N_, _
from bot.ui.replies import Attachment, Reply
from bot.ui.views import BaseView

NOT_YOURS = N_("Only the person who ran this command can turn its pages. Run the command yourself to browse.")


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
    ) -> None:
        """Answer with the first page (and `attachment`, sent once with it) through `Reply`; buttons only
        when there is more than one page.

        `target` is a Reply (its visibility wins) or an interaction (answered with `ephemeral`)."""
        reply = target if isinstance(target, Reply) else Reply(target, private=ephemeral)
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

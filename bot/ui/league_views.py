"""/league delete asks first: Delete or Cancel; no answer in time keeps the league."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.services.leagues import League
from bot.ui.i18n import _
from bot.ui.league import delete_kept_text, delete_timeout_text
from bot.ui.replies import Reply
from bot.ui.views import BaseView

CONFIRM_SECONDS = 60.0


class ConfirmDelete(BaseView):
    """`delete` runs only on the owner's Delete press, and returns the text that replaces the question."""

    def __init__(self, league: League, *, owner_id: int, delete: Callable[[], Awaitable[str]]) -> None:
        super().__init__(owner_id=owner_id, timeout=CONFIRM_SECONDS)
        self.league = league
        self._delete = delete
        self.confirm.label = _("Delete")
        self.cancel.label = _("Cancel")

    def timeout_content(self) -> str | None:
        return delete_timeout_text(self.league)

    @discord.ui.button(label="Delete", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.stop()
        text = await self._delete()
        await Reply(interaction, private=True).update(text, view=None)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.stop()
        await Reply(interaction, private=True).update(delete_kept_text(self.league), view=None)

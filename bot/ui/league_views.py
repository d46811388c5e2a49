"""/league delete asks first: Delete or Cancel; no answer in time keeps the league."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.services.leagues import League
from bot.ui.i18n import _
from bot.ui.league import delete_kept_text, delete_timeout_text
from bot.ui.views import ConfirmView

CONFIRM_SECONDS = 60.0


def confirm_delete(league: League, *, owner_id: int, delete: Callable[[], Awaitable[str]]) -> ConfirmView:
    """`delete` runs only on the owner's Delete press, and returns the text that replaces the question."""

    async def action(_reply: object) -> str:
        return await delete()

    return ConfirmView(
        owner_id=owner_id,
        timeout=CONFIRM_SECONDS,
        confirm_label=_("Delete"),
        cancel_label=_("Cancel"),
        action=action,
        cancelled=lambda: delete_kept_text(league),
        timed_out=lambda: delete_timeout_text(league),
    )

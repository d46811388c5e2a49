"""The base view every view of the bot derives from: who may press, what an error says, what a timeout does.

- Owner check: when the view has an owner, anyone else gets a clear private refusal and nothing happens.
- Errors: a component callback's error does not reach the command tree, so `on_error` words it through
  `describe_error`, the same function the tree uses, and logs the unexpected ones with their traceback.
- Timeout: the buttons are disabled and the content stays (subclasses may say why with `timeout_content`).
- Persistent views (`owner_id=None`, `timeout=None`, stable custom ids) survive restarts.
- `ConfirmView`: the one Confirm / Cancel question (/link's relink, /league delete, /me delete).

`BaseModal` does the same for modals: a modal's submit runs in a task of its own, so it sets the language
from the interaction, and its errors are worded through `describe_error` and answered privately by `Reply`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.ui.errors import describe_error
from bot.ui.i18n import N_, _, language_for, set_language
from bot.ui.replies import Reply

log = logging.getLogger(__name__)

NOT_YOURS = N_("Only the person who ran this command can use these buttons.")


class BaseView(discord.ui.View):
    not_owner_text = NOT_YOURS

    def __init__(self, *, owner_id: int | None, timeout: float | None = 180.0) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.message: discord.Message | discord.InteractionMessage | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        # Runs in the task that then runs the callback and on_error: answers speak the presser's language.
        set_language(language_for(interaction.locale))
        if self.owner_id is None or interaction.user.id == self.owner_id:
            return True
        await Reply(interaction, private=True).send(_(self.not_owner_text))
        return False

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        text, unexpected = describe_error(error)
        if unexpected:
            log.error("%s: a component callback failed", type(self).__name__, exc_info=error)
        try:
            await self.error_reply(interaction).send(text)
        except discord.HTTPException as failure:
            log.warning("could not deliver a component error to the user: %s", failure)

    def error_reply(self, interaction: discord.Interaction[Any]) -> Reply:
        """Where a callback's error is told: a private followup, unless a subclass answers on its message."""
        return Reply(interaction, private=True)

    def disable_all(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True

    def timeout_content(self) -> str | None:
        """New content for the message when the view times out; None keeps the content as it is."""
        return None

    async def on_timeout(self) -> None:
        self.disable_all()
        if self.message is None:
            return
        content = self.timeout_content()
        try:
            if content is None:
                await self.message.edit(view=self)
            else:
                await self.message.edit(content=content, view=self)
        except discord.HTTPException as error:
            log.info("%s: could not disable the buttons of an expired view: %s", type(self).__name__, error)


class BaseModal(discord.ui.Modal):
    """Every modal of the bot: answers in the submitter's language, errors through `describe_error`."""

    command_name: str | None = None  # what an expired answer's DM says it was for (see Reply)

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        # Runs in the task that then runs on_submit and on_error.
        set_language(language_for(interaction.locale))
        return True

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        text, unexpected = describe_error(error)
        if unexpected:
            log.error("%s: a modal submit failed", type(self).__name__, exc_info=error)
        try:
            await self.reply(interaction).send(text)
        except discord.HTTPException as failure:
            log.warning("could not deliver a modal error to the user: %s", failure)

    def reply(self, interaction: discord.Interaction[Any]) -> Reply:
        """The private answer to a submit (its result or its error)."""
        return Reply(interaction, private=True, command_name=self.command_name)


class ConfirmView(BaseView):
    """A question with a confirm and a cancel button; only its owner may answer.

    - Confirm runs `action(reply)` and the message becomes the text it returns. With `working`, the
      message says `working()` at once while the action runs (its progress and its error take the message's
      place, privately, as `command_name`'s answer would); without, an error is a private followup.
    - Cancel makes the message `cancelled()`; no answer within `timeout` seconds, `timed_out()`. Every
      text is worded when it is shown, in the language of that moment. The buttons go in every case.
    """

    def __init__(
        self,
        *,
        owner_id: int,
        timeout: float,
        confirm_label: str,
        cancel_label: str,
        action: Callable[[Reply], Awaitable[str]],
        cancelled: Callable[[], str],
        timed_out: Callable[[], str],
        working: Callable[[], str] | None = None,
        command_name: str | None = None,
        not_owner_text: str = NOT_YOURS,
    ) -> None:
        super().__init__(owner_id=owner_id, timeout=timeout)
        self.not_owner_text = not_owner_text
        self._action = action
        self._cancelled = cancelled
        self._timed_out = timed_out
        self._working = working
        self._command_name = command_name
        self.confirm.label = confirm_label
        self.cancel.label = cancel_label

    def timeout_content(self) -> str:
        return self._timed_out()

    def error_reply(self, interaction: discord.Interaction[Any]) -> Reply:
        if self._working is None:
            return super().error_reply(interaction)
        message_id = interaction.message.id if interaction.message is not None else None
        return Reply(interaction, private=True, message_id=message_id, command_name=self._command_name)

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction[Any], _button: discord.ui.Button[Any]) -> None:
        self.stop()
        reply = self.error_reply(interaction)
        if self._working is None:
            await reply.update(await self._action(reply), view=None)
            return
        await reply.update(self._working(), view=None)
        await reply.send(await self._action(reply))

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[Any], _button: discord.ui.Button[Any]) -> None:
        self.stop()
        await Reply(interaction, private=True).update(self._cancelled(), view=None)

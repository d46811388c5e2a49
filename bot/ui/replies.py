"""The one way the bot answers an interaction: first response, the deferred message, a followup, or,
once the interaction's token has expired, somewhere the answer may still go.

Every command, every view and the error tree answer through `Reply`, so the choice between
`response.send_message`, `edit_original_response` and `followup.send` is made here only, and so is the
rule for answers that outlive their interaction (15 minutes): a public answer is posted in the channel
with a mention; a private one is sent by DM when the member accepts DMs, else dropped with a log line.
A private answer never becomes public. Where the bot cannot post itself (user-installed: a group DM, a
server without the bot member) a public answer goes by DM too: it never assumes a channel post works.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.contexts import bot_can_post_in_channel
from bot.ui.i18n import _

if TYPE_CHECKING:
    from bot.ui.paginator import Paginator

log = logging.getLogger(__name__)

# Discord answers 401 (invalid webhook token) or 404 (unknown interaction/message) once an interaction's
# 15 minutes are over.
TOKEN_GONE_STATUSES = (401, 404)
MESSAGE_CONTENT_LIMIT = 2_000


def token_gone(error: discord.HTTPException) -> bool:
    return error.status in TOKEN_GONE_STATUSES


@dataclass(frozen=True)
class Attachment:
    """A file to send; a `discord.File` is consumed by one upload, so every attempt gets a fresh one."""

    filename: str
    data: bytes

    def file(self) -> discord.File:
        return discord.File(io.BytesIO(self.data), filename=self.filename)


# Discord takes at most 10 files in one message.
MAX_ATTACHMENTS = 10


def _files(attachments: Sequence[Attachment]) -> list[discord.File]:
    """Fresh uploads for one attempt (a `discord.File` is consumed by the upload)."""
    return [attachment.file() for attachment in attachments]


def public_intro(mention: str, command_name: str) -> str:
    """What prefixes a public answer posted in the channel after its interaction expired."""
    return _(
        "{mention}, here is your `/{command}` answer (the original reply had expired).",
        mention=mention,
        command=command_name,
    )


def private_intro(command_name: str, guild_name: str | None) -> str:
    """What prefixes a private answer sent by DM after its interaction expired."""
    if guild_name:
        return _(
            "Here is your `/{command}` answer in **{server}**: the original reply had expired, and it was "
            "meant for you only, so it comes here.",
            command=command_name,
            server=discord.utils.escape_markdown(guild_name),
        )
    return _(
        "Here is your `/{command}` answer: the original reply had expired, and it was meant for you only, "
        "so it comes here.",
        command=command_name,
    )


class Reply:
    """Answers one interaction, however far along it is.

    `private` decides the visibility of every message this reply sends (and of the deferral); it is
    fixed for the reply's life so that a later message cannot flip an answer from private to public.
    `message_id` targets a message the interaction did not create (the message a button sits on).
    """

    def __init__(
        self,
        interaction: discord.Interaction[Any],
        *,
        private: bool,
        command_name: str | None = None,
        message_id: int | None = None,
    ) -> None:
        self.interaction = interaction
        self.private = private
        self.message_id = message_id
        command = interaction.command
        self.command_name = command_name or (command.qualified_name if command is not None else "?")
        self.token_expired = False

    @property
    def answered(self) -> bool:
        return self.interaction.response.is_done()

    async def defer(self) -> None:
        """Acknowledge now ("thinking…"), with the reply's visibility; a no-op once answered."""
        if not self.answered:
            await self.interaction.response.defer(thinking=True, ephemeral=self.private)

    async def progress(self, text: str) -> None:
        """Show progress in the deferred message; silently skipped once the token has expired."""
        if self.token_expired or not self.answered:
            return
        try:
            await self._edit(content=text)
        except discord.HTTPException as error:
            if not token_gone(error):
                raise
            self.token_expired = True
            log.info(
                "/%s: the interaction expired during progress; the answer will go to the %s",
                self.command_name,
                "member by DM" if self.private else "channel",
            )

    async def send(
        self,
        content: str | None = None,
        *,
        embed: discord.Embed | None = None,
        embeds: Sequence[discord.Embed] = (),
        attachment: Attachment | None = None,
        attachments: Sequence[Attachment] = (),
        view: discord.ui.View | None = None,
    ) -> discord.Message | discord.InteractionMessage | None:
        """Send the answer; returns the message it is in (None when it could not be delivered).

        `attachment` and `attachments` together are the message's files (at most MAX_ATTACHMENTS), in
        every path: first response, deferred edit, followup, and the expired-token channel post or DM."""
        all_embeds = [embed, *embeds] if embed is not None else list(embeds)
        files = [attachment, *attachments] if attachment is not None else list(attachments)
        if len(files) > MAX_ATTACHMENTS:
            raise ValueError(f"a message takes at most {MAX_ATTACHMENTS} files, not {len(files)}")
        response = self.interaction.response
        if not response.is_done():
            await response.send_message(
                content=content,
                embeds=all_embeds,
                files=_files(files) if files else discord.utils.MISSING,
                view=view or discord.utils.MISSING,
                ephemeral=self.private,
            )
            return await self.interaction.original_response() if view is not None else None
        if not self.token_expired:
            try:
                return await self._deliver(content, all_embeds, files, view)
            except discord.HTTPException as error:
                if not token_gone(error):
                    raise
                self.token_expired = True
        if view is not None:
            view.stop()
        await self._deliver_expired(content, all_embeds[:1], files)
        return None

    async def update(
        self,
        content: str | None = None,
        *,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
    ) -> None:
        """For a component: replace the message it sits on (content, embed, view; None removes the view)."""
        embeds = [embed] if embed is not None else []
        if not self.answered:
            await self.interaction.response.edit_message(content=content, embeds=embeds, view=view)
            return
        await self._edit(content=content, embeds=embeds, view=view)

    async def pages(
        self, pages: Sequence[discord.Embed], *, attachment: Attachment | None = None
    ) -> Paginator:
        """A paginated answer: the first page (with `attachment`), page buttons only when there are more.

        Only the member who ran the command may turn the pages; an expired interaction gets the first page
        by the expiry rule above."""
        from bot.ui.paginator import Paginator  # here: the paginator (a BaseView) imports Reply

        paginator = Paginator(pages, owner_id=self.interaction.user.id)
        await paginator.send(self, attachment=attachment)
        return paginator

    async def _edit(self, **fields: Any) -> discord.InteractionMessage | discord.WebhookMessage:
        if self.message_id is not None:
            return await self.interaction.followup.edit_message(self.message_id, **fields)
        return await self.interaction.edit_original_response(**fields)

    async def _deliver(
        self,
        content: str | None,
        embeds: list[discord.Embed],
        files: Sequence[Attachment],
        view: discord.ui.View | None,
    ) -> discord.Message | discord.InteractionMessage:
        deferred = self.interaction.response.type is discord.InteractionResponseType.deferred_channel_message
        if self.message_id is not None or deferred:
            # The deferred "thinking…" message (or the message a button sits on) becomes the answer.
            return await self._edit(
                content=content or "",
                embeds=embeds,
                attachments=_files(files),
                view=view,
            )
        return await self.interaction.followup.send(
            content=content or discord.utils.MISSING,
            embeds=embeds,
            files=_files(files) if files else discord.utils.MISSING,
            view=view or discord.utils.MISSING,
            ephemeral=self.private,
            wait=True,
        )

    async def _deliver_expired(
        self, content: str | None, embeds: list[discord.Embed], files: Sequence[Attachment]
    ) -> None:
        user = self.interaction.user
        if self.private:
            guild = self.interaction.guild
            intro = private_intro(self.command_name, guild.name if guild is not None else None)
            await self._deliver_by_dm(intro, content, embeds, files)
            return
        if not bot_can_post_in_channel(self.interaction):
            # User-installed (a group DM, a server without the bot): the interaction's webhook was the
            # only way into that channel; the bot itself cannot post there. The answer is the user's
            # own, so it goes to them by DM instead (or is dropped with a log line).
            log.info(
                "/%s: the interaction expired where the bot cannot post: answer sent by DM", self.command_name
            )
            guild = self.interaction.guild
            private = private_intro(self.command_name, guild.name if guild is not None else None)
            await self._deliver_by_dm(private, content, embeds, files)
            return
        intro = public_intro(user.mention, self.command_name)
        text = f"{intro}\n{content}" if content else intro
        channel_id = self.interaction.channel_id
        if channel_id is None:
            log.warning(
                "/%s: the interaction expired and it has no channel: answer dropped", self.command_name
            )
            return
        channel = self.interaction.client.get_partial_messageable(
            channel_id, guild_id=self.interaction.guild_id
        )
        try:
            await channel.send(
                content=text[:MESSAGE_CONTENT_LIMIT],
                embeds=embeds,
                files=_files(files) or discord.utils.MISSING,
                allowed_mentions=discord.AllowedMentions(users=[user]),
            )
        except discord.HTTPException as error:
            log.warning(
                "/%s: the interaction expired and the answer could not be posted in channel %d either: %s",
                self.command_name,
                channel_id,
                error,
            )

    async def _deliver_by_dm(
        self,
        intro: str,
        content: str | None,
        embeds: list[discord.Embed],
        files: Sequence[Attachment],
    ) -> None:
        text = f"{intro}\n{content}" if content else intro
        try:
            await self.interaction.user.send(
                content=text[:MESSAGE_CONTENT_LIMIT],
                embeds=embeds,
                files=_files(files) or discord.utils.MISSING,
            )
        except discord.HTTPException as error:
            # A private answer is never posted where others can read it.
            log.warning(
                "/%s: the interaction expired and the private answer could not be sent to user %d by DM "
                "(%s): answer dropped",
                self.command_name,
                self.interaction.user.id,
                error,
            )

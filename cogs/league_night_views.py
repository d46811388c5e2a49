"""League night's Discord side: the persistent sign-up and check-in views, the PSN modal, the poster the
loop uses, and the scheduled-event sink. Custom ids are stable (`gtgb:signup:<id>:join`), so buttons on
old messages still work after a restart (the cog registers the views of open sign-ups and check-ins)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.services.league_night.races import (
    IN,
    OUT,
    CheckinBoard,
    EventGoneError,
    EventsForbiddenError,
    Race,
    Reminder,
)
from bot.services.league_night.signups import Board, Entry, JoinOutcome, JoinStatus
from bot.services.leagues import League
from bot.ui import races as race_text
from bot.ui import signups as signup_text
from bot.ui.i18n import public_post
from bot.ui.replies import Reply
from bot.ui.views import BaseModal, BaseView

if TYPE_CHECKING:
    from cogs.league_night import LeagueNight

log = logging.getLogger(__name__)

PSN_MAX_LENGTH = 16


def signup_id(signup: int, action: str) -> str:
    return f"gtgb:signup:{signup}:{action}"


def checkin_id(race: int, action: str) -> str:
    return f"gtgb:checkin:{race}:{action}"


async def _answer_join(cog: LeagueNight, reply: Reply, outcome: JoinOutcome) -> None:
    """The member's answer to Join, then the sign-up message when its grid or waitlist changed."""
    await reply.send(signup_text.join_answer(outcome))
    if outcome.board is not None and not outcome.already and outcome.status is not JoinStatus.REFUSED:
        await cog.poster.refresh_signup(outcome.board)


class SignupView(BaseView):
    def __init__(self, cog: LeagueNight, signup: int, *, disabled: bool = False) -> None:
        super().__init__(owner_id=None, timeout=None)
        self.cog = cog
        self.signup = signup
        join: discord.ui.Button[SignupView] = discord.ui.Button(
            label=signup_text.join_label(),
            style=discord.ButtonStyle.success,
            custom_id=signup_id(signup, "join"),
            disabled=disabled,
        )
        leave: discord.ui.Button[SignupView] = discord.ui.Button(
            label=signup_text.leave_label(),
            style=discord.ButtonStyle.secondary,
            custom_id=signup_id(signup, "leave"),
            disabled=disabled,
        )
        join.callback = self._join  # type: ignore[method-assign]
        leave.callback = self._leave  # type: ignore[method-assign]
        self.add_item(join)
        self.add_item(leave)

    async def _join(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        needs_psn = await self.cog.signups.needs_psn(self.signup, interaction.guild_id, interaction.user.id)
        if needs_psn:
            await interaction.response.send_modal(PsnModal(self.cog, self.signup))
            return
        reply = Reply(interaction, private=True, command_name="league signups")
        await reply.defer()
        outcome = await self.cog.signups.join(self.signup, interaction.guild_id, interaction.user.id)
        await _answer_join(self.cog, reply, outcome)

    async def _leave(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        reply = Reply(interaction, private=True, command_name="league signups")
        await reply.defer()
        outcome = await self.cog.signups.leave(self.signup, interaction.guild_id, interaction.user.id)
        await reply.send(signup_text.leave_answer(outcome))
        if outcome.left is not None:
            await self.cog.poster.refresh_signup(outcome.board)
        if outcome.promoted is not None:
            await self.cog.poster.tell_promoted(outcome.board, outcome.promoted)


class PsnModal(BaseModal):
    command_name = "league signups"

    def __init__(self, cog: LeagueNight, signup: int) -> None:
        super().__init__(title=signup_text.psn_modal_title(), custom_id=signup_id(signup, "psn"), timeout=900)
        self.cog = cog
        self.signup = signup
        self.psn: discord.ui.TextInput[PsnModal] = discord.ui.TextInput(
            label=signup_text.psn_modal_label(),
            placeholder=signup_text.psn_modal_placeholder(),
            min_length=3,
            max_length=PSN_MAX_LENGTH,
            custom_id=signup_id(signup, "psn_id"),
        )
        self.add_item(self.psn)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        assert interaction.guild_id is not None
        reply = self.reply(interaction)
        await reply.defer()
        try:
            outcome = await self.cog.signups.join_with_psn(
                self.signup, interaction.guild_id, interaction.user.id, self.psn.value.strip()
            )
        finally:  # the link may be made even when joining is refused: rank roles follow it, as after /link
            self.cog.bot.dispatch("link_changed", interaction.guild_id, interaction.user.id)
        await _answer_join(self.cog, reply, outcome)


class CheckinView(BaseView):
    def __init__(self, cog: LeagueNight, race: int, *, disabled: bool = False) -> None:
        super().__init__(owner_id=None, timeout=None)
        self.cog = cog
        self.race = race
        for label, action, style in (
            (race_text.checkin_label(), IN, discord.ButtonStyle.success),
            (race_text.cant_make_it_label(), OUT, discord.ButtonStyle.secondary),
        ):
            button: discord.ui.Button[CheckinView] = discord.ui.Button(
                label=label, style=style, custom_id=checkin_id(race, action), disabled=disabled
            )
            button.callback = self._answer(action)  # type: ignore[method-assign]
            self.add_item(button)

    def _answer(self, status: str) -> Any:
        async def callback(interaction: discord.Interaction[Any]) -> None:
            assert interaction.guild_id is not None
            reply = Reply(interaction, private=True, command_name="league checkin")
            await reply.defer()
            board = await self.cog.races.answer(self.race, interaction.guild_id, interaction.user.id, status)
            await reply.send(race_text.checkin_answer(board, status))
            await self.cog.poster.refresh_checkin(board)

        return callback


class Poster:
    """Everything league night posts or edits in a league's channel (the loop's NightPoster)."""

    def __init__(self, cog: LeagueNight) -> None:
        self.cog = cog
        self.bot = cog.bot

    def _message(self, channel_id: int, message_id: int, guild_id: int) -> discord.PartialMessage:
        channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        return channel.get_partial_message(message_id)

    # Every post and edit here is read by the whole channel: each speaks the server's language
    # (`public_post`), also when a member's click triggered it (their private answer keeps theirs).

    async def post_signup(self, board: Board) -> int:
        """The sign-up message with its buttons; Discord's refusal is raised (the sign-up is discarded)."""
        signup = board.signup
        channel = self.bot.get_partial_messageable(signup.channel_id, guild_id=signup.guild_id)
        with public_post(self.bot, signup.guild_id):
            embed, view = signup_text.signup_embed(board), SignupView(self.cog, signup.id)
        message = await channel.send(embed=embed, view=view)
        return message.id

    async def refresh_signup(self, board: Board) -> None:
        signup = board.signup
        if signup.message_id is None:
            return
        with public_post(self.bot, signup.guild_id):
            embed = signup_text.signup_embed(board)
            view = SignupView(self.cog, signup.id, disabled=not signup.is_open)
        try:
            await self._message(signup.channel_id, signup.message_id, signup.guild_id).edit(
                embed=embed, view=view
            )
        except discord.HTTPException as error:
            log.warning("sign-up %d: its message could not be updated: %s", signup.id, error)

    async def signup_closed(self, board: Board) -> None:
        await self.refresh_signup(board)

    async def tell_promoted(self, board: Board, entry: Entry) -> None:
        # The member's own language is unknown outside an interaction: the DM speaks the server's too.
        with public_post(self.bot, board.signup.guild_id):
            dm, public = signup_text.promoted_dm(board, entry), signup_text.promoted_public(entry, board)
        try:
            channel = await self.bot.create_dm(discord.Object(id=entry.member_id))
            await channel.send(dm)
            return
        except discord.HTTPException as error:
            log.info(
                "sign-up %d: the promoted member accepts no DMs (%s); noted in the channel",
                board.signup.id,
                error,
            )
        channel_out = self.bot.get_partial_messageable(
            board.signup.channel_id, guild_id=board.signup.guild_id
        )
        try:
            await channel_out.send(
                public,
                allowed_mentions=discord.AllowedMentions(users=[discord.Object(id=entry.member_id)]),
            )
        except discord.HTTPException as error:
            log.warning("sign-up %d: the promotion could not be noted either: %s", board.signup.id, error)

    async def post_checkin(self, board: CheckinBoard) -> int | None:
        league = board.league
        channel = self.bot.get_partial_messageable(league.channel_id, guild_id=league.guild_id)
        with public_post(self.bot, league.guild_id):
            embed, view = race_text.checkin_embed(board), CheckinView(self.cog, board.race.id)
        message = await channel.send(embed=embed, view=view)
        return message.id

    async def refresh_checkin(
        self, board: CheckinBoard, *, closed: bool = False, removed: bool = False
    ) -> None:
        """Show the board on its check-in message; `closed` or `removed` disable its buttons."""
        race = board.race
        if not race.checkin_message_id or race.checkin_channel_id is None:
            return
        with public_post(self.bot, race.guild_id):
            embed = race_text.checkin_embed(board, closed=closed, removed=removed)
            view = CheckinView(self.cog, race.id, disabled=closed or removed)
        try:
            await self._message(race.checkin_channel_id, race.checkin_message_id, race.guild_id).edit(
                embed=embed, view=view
            )
        except discord.HTTPException as error:
            log.warning("race %d: its check-in message could not be updated: %s", race.id, error)

    async def remind(self, reminder: Reminder) -> None:
        league = reminder.board.league
        channel = self.bot.get_partial_messageable(league.channel_id, guild_id=league.guild_id)
        mentions = discord.AllowedMentions(
            users=[discord.Object(id=member) for member in reminder.member_ids]
        )
        with public_post(self.bot, league.guild_id):
            messages = race_text.reminder_messages(reminder)
        for content in messages:
            await channel.send(content, allowed_mentions=mentions)

    async def checkin_closed(self, board: CheckinBoard) -> None:
        await self.refresh_checkin(board, closed=True)


class EventSink:
    """The server's scheduled events for races: external events (entity type 3) with a location."""

    def __init__(self, bot: discord.Client) -> None:
        self.bot = bot

    @staticmethod
    def _payload(league: League, race: Race) -> dict[str, Any]:
        return {
            "name": race_text.event_name(league.name, race),
            "description": race_text.event_description(race),
            "privacy_level": 2,
            "entity_type": 3,
            "entity_metadata": {"location": race_text.event_location()},
            "scheduled_start_time": race.starts_at.isoformat(),
            "scheduled_end_time": race.ends_at.isoformat(),
        }

    async def create(self, league: League, race: Race) -> int:
        try:
            event = await self.bot.http.create_guild_scheduled_event(
                league.guild_id, **self._payload(league, race)
            )
        except discord.Forbidden:
            raise EventsForbiddenError from None
        return int(event["id"])

    async def edit(self, league: League, race: Race) -> None:
        assert race.event_id is not None
        try:
            await self.bot.http.edit_scheduled_event(
                league.guild_id, race.event_id, **self._payload(league, race)
            )
        except discord.Forbidden:
            raise EventsForbiddenError from None
        except discord.NotFound:
            raise EventGoneError from None

    async def delete(self, guild_id: int, event_id: int) -> None:
        try:
            await self.bot.http.delete_scheduled_event(guild_id, event_id)
        except discord.Forbidden:
            raise EventsForbiddenError from None
        except discord.NotFound:
            raise EventGoneError from None

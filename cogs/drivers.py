"""/link, /unlink, /profile, /compare, /leaderboard, /history: members and their GT7 driver profiles."""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.contexts import server_scope
from bot.errors import FriendlyError
from bot.gtgridstats.identifiers import PSN_RULES, validate_psn_id
from bot.services.driver_refs import parse_driver_list, parse_user_id, resolve_driver_refs
from bot.services.drivers import DriverResult, LeaderboardSort, LinkDone, already_linked, refresh_wait_text
from bot.services.fair_use import Requester
from bot.storage.links import Link
from bot.ui.drivers import CompareRow, compare_embed, leaderboard_pages, profile_embed
from bot.ui.errors import describe_error
from bot.ui.format import BRAND_COLOUR, timestamp
from bot.ui.history_chart import render_dr_history
from bot.ui.paginator import Paginator
from cogs.checks import anywhere, server_only

log = logging.getLogger(__name__)

# Discord answers 401 (invalid webhook token) or 404 (unknown interaction/message) once an interaction's
# 15 minutes are over: the answer then goes to the channel instead.
_TOKEN_GONE = (401, 404)
UNKNOWN_MEMBER = 10007  # Discord's JSON error code: the user is not (or no longer) a member of the guild
CONFIRM_TIMEOUT_SECONDS = 120.0
HISTORY_FILENAME = "dr-history.png"
COMPARE_MAX = 16

Target = discord.Member | discord.User


def _token_gone(error: discord.HTTPException) -> bool:
    return error.status in _TOKEN_GONE


def _requester(interaction: discord.Interaction[GridBot]) -> Requester:
    return Requester(guild_id=server_scope(interaction), member_id=interaction.user.id)


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes

    def file(self) -> discord.File:
        # A discord.File is consumed by one upload, so every attempt gets a fresh one.
        return discord.File(io.BytesIO(self.data), filename=self.filename)


class DeferredReply:
    """Progress and the final answer of an acknowledged interaction.

    Edits the interaction's message (the deferred reply, or the message a button sits on). When the
    interaction token has expired (a sync longer than 15 minutes), a public answer is posted in the
    channel instead; a private (`ephemeral`) one is sent to the member by DM, never in the channel. When
    that fails too (closed channel, DMs not accepted) the reason is logged: never dropped silently.
    """

    def __init__(
        self,
        bot: GridBot,
        interaction: discord.Interaction[GridBot],
        *,
        ephemeral: bool,
        message_id: int | None = None,
        command_name: str | None = None,
    ) -> None:
        self.bot = bot
        self.interaction = interaction
        self.ephemeral = ephemeral
        self.message_id = message_id
        command = interaction.command
        self.command_name = command_name or (command.qualified_name if command is not None else "?")
        self.token_expired = False

    async def _edit(self, **fields: Any) -> None:
        if self.message_id is None:
            await self.interaction.edit_original_response(**fields)
        else:
            await self.interaction.followup.edit_message(self.message_id, **fields)

    async def progress(self, text: str) -> None:
        if self.token_expired:
            return
        try:
            await self._edit(content=text)
        except discord.HTTPException as error:
            if not _token_gone(error):
                raise
            self.token_expired = True
            log.info(
                "/%s: the interaction expired during progress; the answer will go to the %s",
                self.command_name,
                "member by DM" if self.ephemeral else "channel",
            )

    async def finish(
        self,
        *,
        content: str | None = None,
        embed: discord.Embed | None = None,
        attachment: Attachment | None = None,
    ) -> None:
        if not self.token_expired:
            try:
                await self._edit(
                    content=content or "",
                    embeds=[embed] if embed else [],
                    attachments=[attachment.file()] if attachment else [],
                    view=None,
                )
                return
            except discord.HTTPException as error:
                if not _token_gone(error):
                    raise
                self.token_expired = True
        await self._deliver_late(content=content, embed=embed, attachment=attachment)

    async def finish_pages(self, pages: list[discord.Embed]) -> None:
        """The first page, with page buttons when there are more, in place of the deferred message."""
        paginator = Paginator(pages, owner_id=self.interaction.user.id)
        if len(pages) == 1:
            paginator.stop()
        if not self.token_expired:
            try:
                view = paginator if len(pages) > 1 else None
                paginator.message = await self.interaction.edit_original_response(
                    content="", embed=paginator.page, view=view
                )
                return
            except discord.HTTPException as error:
                if not _token_gone(error):
                    raise
                self.token_expired = True
        paginator.stop()
        await self._deliver_late(content=None, embed=pages[0], attachment=None)

    async def _deliver_late(
        self, *, content: str | None, embed: discord.Embed | None, attachment: Attachment | None
    ) -> None:
        """The token is gone: a private answer stays private (DM), only a public one goes to the channel."""
        if self.ephemeral:
            await self._to_dm(content=content, embed=embed, attachment=attachment)
        else:
            await self._to_channel(content=content, embed=embed, attachment=attachment)

    async def _to_dm(
        self, *, content: str | None, embed: discord.Embed | None, attachment: Attachment | None
    ) -> None:
        user = self.interaction.user
        guild = self.interaction.guild
        where = f" in **{discord.utils.escape_markdown(guild.name)}**" if guild and guild.name else ""
        intro = (
            f"Here is your `/{self.command_name}` answer{where}: the original reply had expired, and it "
            "was meant for you only, so it comes here."
        )
        text = f"{intro}\n{content}" if content else intro
        try:
            await user.send(
                content=text[:2000],
                embed=embed or discord.utils.MISSING,
                file=attachment.file() if attachment else discord.utils.MISSING,
            )
        except discord.HTTPException as error:
            # Never posted in the channel instead: the answer was private.
            log.warning(
                "/%s: the interaction expired and the private answer could not be sent to user %d by DM "
                "(%s): answer dropped",
                self.command_name,
                user.id,
                error,
            )

    async def _to_channel(
        self, *, content: str | None, embed: discord.Embed | None, attachment: Attachment | None
    ) -> None:
        user = self.interaction.user
        channel_id = self.interaction.channel_id
        intro = (
            f"{user.mention}, here is your `/{self.command_name}` answer (the original reply had expired)."
        )
        text = f"{intro}\n{content}" if content else intro
        if channel_id is None:
            log.warning(
                "/%s: the interaction expired and it has no channel: answer not delivered", self.command_name
            )
            return
        channel = self.bot.get_partial_messageable(channel_id, guild_id=self.interaction.guild_id)
        try:
            await channel.send(
                content=text[:2000],
                embed=embed or discord.utils.MISSING,
                file=attachment.file() if attachment else discord.utils.MISSING,
                allowed_mentions=discord.AllowedMentions(users=[user]),
            )
        except discord.HTTPException as error:
            log.warning(
                "/%s: the interaction expired and the answer could not be posted in channel %d either: %s",
                self.command_name,
                channel_id,
                error,
            )


def linked_text(done: LinkDone, *, self_link: bool) -> str:
    driver = done.result.snapshot.driver
    who = "You are" if self_link else f"<@{done.link.member_id}> is"
    text = f"✅ {who} now linked to **{driver.nickname or driver.psn_id}** (`{driver.psn_id}`)"
    if driver.dr:
        text += f", DR {driver.dr}"
    text += "."
    if done.previous is not None and done.previous.psn_id.lower() != driver.psn_id.lower():
        text += f" The previous link to `{done.previous.psn_id}` was replaced."
    return text


class ConfirmRelink(discord.ui.View):
    """Confirm / Cancel for replacing an existing link; only the member who ran /link may answer."""

    def __init__(self, cog: Drivers, *, owner_id: int, target: Target, current: Link, psn_id: str) -> None:
        super().__init__(timeout=CONFIRM_TIMEOUT_SECONDS)
        self.cog = cog
        self.owner_id = owner_id
        self.target = target
        self.current = current
        self.psn_id = psn_id
        self.message: discord.InteractionMessage | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the member who ran `/link` can answer this.", ephemeral=True
        )
        return False

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction[GridBot], _: discord.ui.Button[ConfirmRelink]
    ) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=f"Looking up `{self.psn_id}` on GT Grid Stats…", view=None
        )
        assert interaction.message is not None
        guild_id = _guild_id(interaction)
        reply = DeferredReply(
            self.cog.bot, interaction, ephemeral=True, message_id=interaction.message.id, command_name="link"
        )
        try:
            ticket = await self.cog.bot.drivers.admit(_requester(interaction), [self.psn_id])
            done = await self.cog.bot.drivers.link(
                guild_id, self.target.id, self.psn_id, progress=reply.progress, ticket=ticket
            )
        except Exception as error:
            # A button's errors do not reach the command tree: render them the same way here.
            text, unexpected = describe_error(error)
            if unexpected:
                log.error("relinking failed", exc_info=error)
            await reply.finish(content=text)
            return
        await reply.finish(content=linked_text(done, self_link=self.target.id == self.owner_id))
        self.cog.bot.dispatch("link_changed", guild_id, self.target.id)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction[GridBot], _: discord.ui.Button[ConfirmRelink]
    ) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=f"Cancelled: the link to `{self.current.psn_id}` is unchanged.", view=None
        )

    async def on_timeout(self) -> None:
        if self.message is None:
            return
        try:
            await self.message.edit(
                content=f"No answer: the link to `{self.current.psn_id}` is unchanged.", view=None
            )
        except discord.HTTPException as error:
            log.info("could not close an expired /link confirmation: %s", error)


def _guild_id(interaction: discord.Interaction[GridBot]) -> int:
    """The guild a guild-only command runs in; a DM payload gets a friendly "use this in a server"."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage("This command works only inside a server.")
    return interaction.guild_id


def _target(interaction: discord.Interaction[GridBot], member: Target | None, verb: str) -> Target:
    if member is None or member.id == interaction.user.id:
        return interaction.user
    if not isinstance(member, discord.Member):
        raise FriendlyError(f"{member.mention} is not a member of this server.")
    if member.bot:
        raise FriendlyError("Bots have no PSN ID to link.")
    if not interaction.permissions.manage_guild:
        raise FriendlyError(f"You need the Manage Server permission to {verb} someone else.")
    return member


def _unlink_target(
    interaction: discord.Interaction[GridBot], member: Target | None, user_id: str | None
) -> int:
    """Whose link /unlink removes: yours, or (Manage Server) anyone's, member or not, by mention or id.

    A user who left can still be picked in `member` when Discord resolves them; otherwise discord.py hands
    over a bare `discord.Object`, and `user_id` takes a typed id or mention. Only `.id` is relied on."""
    if member is not None and user_id is not None:
        raise FriendlyError("Give either a member or a user id, not both.")
    if user_id is not None:
        target_id = parse_user_id(user_id)
    elif member is not None:
        target_id = member.id
        if getattr(member, "bot", False) and target_id != interaction.user.id:
            raise FriendlyError("Bots have no PSN ID to link.")
    else:
        return interaction.user.id
    if target_id != interaction.user.id and not interaction.permissions.manage_guild:
        raise FriendlyError("You need the Manage Server permission to unlink someone else.")
    return target_id


class Drivers(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        await self.bot.drivers.load()

    # --- /link, /unlink ----------------------------------------------------------------------------

    async def _has_left(self, guild_id: int, user_id: int) -> bool:
        """Whether Discord says `user_id` is no longer a member (404 with code 10007 Unknown Member).

        Anything else (a member, an outage, a missing permission) counts as still there: a link is only
        released on Discord's word, never on a guess."""
        try:
            await self.bot.http.get_member(guild_id, user_id)
        except discord.NotFound as error:
            if error.code == UNKNOWN_MEMBER:
                return True
            log.warning("member check for user %d in guild %d: %s", user_id, guild_id, error)
        except discord.HTTPException as error:
            log.warning("could not check whether user %d is still in guild %d: %s", user_id, guild_id, error)
        return False

    @app_commands.command(name="link", description="Link a PSN ID to a member of this server.")
    @app_commands.describe(
        psn_id=f"The PSN online ID ({PSN_RULES})",
        member="Link someone else (needs the Manage Server permission)",
    )
    @server_only()
    async def link(
        self, interaction: discord.Interaction[GridBot], psn_id: str, member: Target | None = None
    ) -> None:
        guild_id = _guild_id(interaction)
        target = _target(interaction, member, "link")
        psn_id = validate_psn_id(psn_id)
        preflight = await self.bot.drivers.link_preflight(guild_id, target.id, psn_id)
        note = ""
        if preflight.taken_by is not None:
            holder = preflight.taken_by
            if not await self._has_left(guild_id, holder.member_id):
                raise FriendlyError(already_linked(holder))
            if await self.bot.links.release(guild_id, holder.member_id, holder.psn_id) is not None:
                log.info("guild %d: released a PSN link of user %d, who left", guild_id, holder.member_id)
            note = (
                f"`{holder.psn_id}` was linked to <@{holder.member_id}>, who has left this server: "
                "that link was released.\n"
            )
        current = preflight.current
        self_link = target.id == interaction.user.id
        if current is not None and current.psn_id.lower() == psn_id.lower():
            who = "You are" if self_link else f"{target.mention} is"
            await interaction.response.send_message(
                f"{who} already linked to `{current.psn_id}` (since {timestamp(current.linked_at, 'D')}).",
                ephemeral=True,
            )
            return
        if current is not None:
            who = "You are" if self_link else f"{target.mention} is"
            view = ConfirmRelink(
                self, owner_id=interaction.user.id, target=target, current=current, psn_id=psn_id
            )
            await interaction.response.send_message(
                f"{note}{who} linked to `{current.psn_id}` (since {timestamp(current.linked_at, 'D')}). "
                f"Replace it with `{psn_id}`?",
                view=view,
                ephemeral=True,
            )
            view.message = await interaction.original_response()
            return
        if await self.bot.drivers.all_fresh([psn_id]):
            done = await self.bot.drivers.link(guild_id, target.id, psn_id)
            await interaction.response.send_message(
                note + linked_text(done, self_link=self_link), ephemeral=True
            )
            self.bot.dispatch("link_changed", guild_id, target.id)
            return
        ticket = await self.bot.drivers.admit(_requester(interaction), [psn_id])
        await interaction.response.defer(thinking=True, ephemeral=True)
        reply = DeferredReply(self.bot, interaction, ephemeral=True)
        done = await self.bot.drivers.link(
            guild_id, target.id, psn_id, progress=reply.progress, ticket=ticket
        )
        await reply.finish(content=note + linked_text(done, self_link=self_link))
        self.bot.dispatch("link_changed", guild_id, target.id)

    @app_commands.command(name="unlink", description="Remove a member's PSN ID link in this server.")
    @app_commands.describe(
        member="Unlink someone else (needs the Manage Server permission)",
        user_id="Unlink someone who has left the server, by user id (needs Manage Server)",
    )
    @server_only()
    async def unlink(
        self,
        interaction: discord.Interaction[GridBot],
        member: Target | None = None,
        user_id: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        guild_id = _guild_id(interaction)
        target_id = _unlink_target(interaction, member, user_id)
        self_link = target_id == interaction.user.id
        removed = await self.bot.drivers.unlink(guild_id, target_id)
        if removed is None:
            who = "You have" if self_link else f"<@{target_id}> has"
            raise FriendlyError(f"{who} no linked PSN ID in this server.")
        who = "You are" if self_link else f"<@{target_id}> is"
        await interaction.response.send_message(
            f"{who} no longer linked to `{removed.psn_id}` in this server.", ephemeral=True
        )
        self.bot.dispatch("link_changed", guild_id, target_id)

    # --- /profile, /history ------------------------------------------------------------------------

    async def _one_driver(
        self, interaction: discord.Interaction[GridBot], member: Target | None, psn_id: str | None
    ) -> tuple[str, int | None]:
        """The PSN ID a command is about, and the member it is linked to here (None: not known yet, or
        a typed PSN ID, whose holder `_holder` looks up once the command has answered or deferred)."""
        if server_scope(interaction) is None:  # DMs, user-install-only servers: a personal PSN ID
            member_id, in_server = (member.id if member else None), interaction.guild_id is not None
            return await self.bot.personal.driver_outside_server(
                interaction.user.id, member_id, psn_id, in_server=in_server
            )
        guild_id = _guild_id(interaction)
        links = self.bot.links
        if member is not None and psn_id is not None:
            raise FriendlyError("Give either a member or a PSN ID, not both.")
        if psn_id is not None:
            return validate_psn_id(psn_id), None
        if member is not None and member.id != interaction.user.id:
            link = await links.get(guild_id, member.id)
            if link is None:
                raise FriendlyError(
                    f"{member.mention} has not linked a PSN ID in this server. "
                    "They can use `/link`, or you can give a `psn_id` instead."
                )
            return link.psn_id, member.id
        link = await links.get(guild_id, interaction.user.id)
        if link is None:
            raise FriendlyError(
                "You have not linked your PSN ID in this server yet. Use `/link psn_id:<your PSN ID>` "
                "first, or give a `member` or a `psn_id`."
            )
        return link.psn_id, interaction.user.id

    async def _holder(self, interaction: discord.Interaction[GridBot], psn_id: str) -> int | None:
        if (guild_id := server_scope(interaction)) is None:
            return None
        holder = await self.bot.links.find_by_psn(guild_id, psn_id)
        return holder.member_id if holder else None

    @app_commands.command(name="profile", description="A driver's GT7 profile: DR, SR, races, wins and more.")
    @app_commands.describe(
        member="A member of this server (default: you)",
        psn_id="Any PSN ID instead of a member",
        refresh="Ask GT Grid Stats to sync the driver now (slower)",
    )
    @anywhere()
    async def profile(
        self,
        interaction: discord.Interaction[GridBot],
        member: Target | None = None,
        psn_id: str | None = None,
        refresh: bool = False,
    ) -> None:
        psn, member_id = await self._one_driver(interaction, member, psn_id)
        service = self.bot.drivers
        note: str | None = None
        if refresh and (next_refresh_at := await service.next_refresh_at(psn)) is not None:
            refresh, note = False, refresh_wait_text(next_refresh_at)
        if not refresh and await service.all_fresh([psn]):
            fresh = await service.stored(psn)
            if fresh is not None and service.is_fresh(fresh):
                self.bot.api.budget.usage.record_cache(hit=True)
                change = await service.change_since_week(fresh)
                member_id = member_id or await self._holder(interaction, psn)
                embed = profile_embed(DriverResult(fresh), change, member_id=member_id)
                await interaction.response.send_message(content=note, embed=embed)
                return
        ticket = await service.admit(_requester(interaction), [psn], refresh=refresh)
        await interaction.response.defer(thinking=True)
        reply = DeferredReply(self.bot, interaction, ephemeral=False)
        result = await service.get_driver(psn, refresh=refresh, progress=reply.progress, ticket=ticket)
        change = await service.change_since_week(result.snapshot)
        member_id = member_id or await self._holder(interaction, psn)
        await reply.finish(content=note, embed=profile_embed(result, change, member_id=member_id))

    @app_commands.command(name="history", description="A chart of a driver's DR points over time.")
    @app_commands.describe(member="A member of this server (default: you)", psn_id="Any PSN ID instead")
    @anywhere()
    async def history(
        self,
        interaction: discord.Interaction[GridBot],
        member: Target | None = None,
        psn_id: str | None = None,
    ) -> None:
        psn, _ = await self._one_driver(interaction, member, psn_id)
        service = self.bot.drivers
        snapshots = await service.history(psn)
        reply: DeferredReply | None = None
        if not snapshots:
            ticket = await service.admit(_requester(interaction), [psn])
            await interaction.response.defer(thinking=True)
            reply = DeferredReply(self.bot, interaction, ephemeral=False)
            found = (await service.get_driver(psn, progress=reply.progress, ticket=ticket)).snapshot
            # By what GT Grid Stats answered: a renamed driver's snapshots carry the new PSN ID.
            snapshots = await service.history(found.psn_id, found.guid)
        points = []
        for snapshot in snapshots:
            points.append((snapshot.first_fetched_at, snapshot.dr_points))
            if snapshot.fetched_at != snapshot.first_fetched_at:
                points.append((snapshot.fetched_at, snapshot.dr_points))
        latest = max(snapshots, key=lambda snapshot: snapshot.fetched_at)
        nickname = latest.driver.nickname
        named = nickname and nickname != latest.psn_id
        title = f"{nickname} · {latest.psn_id}" if named else f"DR points · {latest.psn_id}"
        png = await asyncio.to_thread(render_dr_history, points, title=title, now=self.bot.clock.now())
        embed = discord.Embed(
            title=f"{latest.driver.nickname or latest.psn_id} · DR history",
            description=(
                f"{len(snapshots)} stored snapshot{'s' if len(snapshots) != 1 else ''} from "
                f"{timestamp(snapshots[0].first_fetched_at, 'D')} to {timestamp(latest.fetched_at, 'D')}. "
                "Bands: E < 2,000 ≤ D < 4,000 ≤ C < 10,000 ≤ B < 30,000 ≤ A < 50,000 ≤ A+."
            ),
            colour=BRAND_COLOUR,
        )
        embed.set_image(url=f"attachment://{HISTORY_FILENAME}")
        attachment = Attachment(HISTORY_FILENAME, png)
        if reply is not None:
            await reply.finish(embed=embed, attachment=attachment)
        else:
            await interaction.response.send_message(embed=embed, file=attachment.file())

    # --- /compare, /leaderboard --------------------------------------------------------------------

    @app_commands.command(name="compare", description="Compare 2 to 16 drivers side by side.")
    @app_commands.describe(drivers="PSN IDs and/or member mentions, separated by spaces or commas")
    @anywhere()
    async def compare(self, interaction: discord.Interaction[GridBot], drivers: str) -> None:
        guild_id = server_scope(interaction)
        refs = parse_driver_list(drivers, minimum=2, maximum=10_000)
        if len(refs) > COMPARE_MAX:
            extra = ", ".join(f"`{ref}`" for ref in refs[COMPARE_MAX:][:10])
            more = " and more" if len(refs) > COMPARE_MAX + 10 else ""
            raise FriendlyError(
                f"Please give at most {COMPARE_MAX} drivers; {len(refs)} were given. "
                f"Over the limit: {extra}{more}."
            )
        resolved = await resolve_driver_refs(
            refs, guild_id, self.bot.links, in_server=interaction.guild_id is not None
        )
        psn_ids = [driver.psn_id for driver in resolved]
        service = self.bot.drivers
        reply: DeferredReply | None = None
        ticket = None
        if not await service.all_fresh(psn_ids):
            ticket = await service.admit(_requester(interaction), psn_ids)
            await interaction.response.defer(thinking=True)
            reply = DeferredReply(self.bot, interaction, ephemeral=False)
        lookup = await service.get_drivers(
            psn_ids, sync_missing=True, progress=reply.progress if reply else None, ticket=ticket
        )
        if not lookup.found and lookup.error is not None:
            raise lookup.error
        rows = []
        for driver in resolved:
            snapshot = lookup.get(driver.psn_id)
            if snapshot is not None:
                rows.append(CompareRow(snapshot, driver.member_id, lookup.is_stale(driver.psn_id)))
        embed = compare_embed(
            rows, not_found=lookup.not_found, unavailable=lookup.unavailable, error=lookup.error
        )
        if reply is not None:
            await reply.finish(embed=embed)
        else:
            await interaction.response.send_message(embed=embed)

    @app_commands.command(name="leaderboard", description="Every linked member of this server, ranked.")
    @app_commands.describe(sort="What to rank by (default: DR points)")
    @app_commands.choices(
        sort=[
            app_commands.Choice(name="DR points", value=LeaderboardSort.DR_POINTS.value),
            app_commands.Choice(name="Wins", value=LeaderboardSort.WINS.value),
            app_commands.Choice(name="Races", value=LeaderboardSort.RACES.value),
            app_commands.Choice(name="Win rate", value=LeaderboardSort.WIN_RATE.value),
        ]
    )
    @server_only()
    async def leaderboard(
        self, interaction: discord.Interaction[GridBot], sort: app_commands.Choice[str] | None = None
    ) -> None:
        guild_id = _guild_id(interaction)
        order = LeaderboardSort(sort.value) if sort is not None else LeaderboardSort.DR_POINTS
        service = self.bot.drivers
        links = await self.bot.links.for_guild(guild_id)  # one read serves every step below
        if not links:
            raise FriendlyError("Nobody has linked a PSN ID in this server yet: start with `/link`.")
        reply: DeferredReply | None = None
        ticket = None
        if not await service.all_fresh(link.psn_id for link in links):
            ticket = await service.admit(
                _requester(interaction), [link.psn_id for link in links], sync_missing=False
            )
            await interaction.response.defer(thinking=True)
            reply = DeferredReply(self.bot, interaction, ephemeral=False)
        board = await service.leaderboard(
            links, order, progress=reply.progress if reply else None, ticket=ticket
        )
        guild_name = interaction.guild.name if interaction.guild is not None else None
        pages = leaderboard_pages(board, guild_name=guild_name)
        if reply is not None:
            await reply.finish_pages(pages)
        else:
            await Paginator(pages, owner_id=interaction.user.id).send(interaction)

    # --- guild removal -----------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_data_purged(self, guild_id: int) -> None:
        deleted = await self.bot.drivers.forget_unlinked_drivers()
        log.info("guild %d purged: deleted %d snapshots of drivers no guild links", guild_id, deleted)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(Drivers(bot))

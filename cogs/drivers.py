"""/link, /unlink, /profile, /compare, /leaderboard, /history: members and their GT7 driver profiles."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.contexts import server_scope
from bot.errors import (
    Action,
    AlreadyLinked,
    BotsHaveNoPsn,
    DriverCountError,
    EitherOption,
    NeedsManageServer,
    NobodyLinked,
    NotAMember,
    NotLinked,
)
from bot.gtgridstats.identifiers import validate_psn_id
from bot.services.driver_refs import parse_driver_list, parse_user_id
from bot.services.driver_results import LeaderboardSort, ProfileAnswer, ProgressEvent
from bot.services.leaderboard import build_leaderboard
from bot.ui.compare import CompareRow, compare_embed
from bot.ui.history_chart import render_dr_history
from bot.ui.leaderboard import leaderboard_pages
from bot.ui.link import (
    RELINK_NOT_YOURS,
    already_linked_text,
    cancelled_text,
    link_prompt_text,
    linked_text,
    looking_up_text,
    no_answer_text,
    released_text,
    relink_labels,
    unlinked_text,
)
from bot.ui.profile import history_answer, profile_embed, progress_text, refresh_wait_text
from bot.ui.replies import Reply
from bot.ui.views import ConfirmView
from cogs.checks import anywhere, requester, server_guild_id, server_only

log = logging.getLogger(__name__)

UNKNOWN_MEMBER = 10007  # Discord's JSON error code: the user is not (or no longer) a member of the guild
CONFIRM_TIMEOUT_SECONDS = 120.0
COMPARE_MAX = 16

Target = discord.Member | discord.User


def _progress(reply: Reply) -> Callable[[ProgressEvent], Awaitable[None]]:
    async def show(event: ProgressEvent) -> None:
        await reply.progress(progress_text(event))

    return show


def _target(interaction: discord.Interaction[GridBot], member: Target | None, action: Action) -> Target:
    if member is None or member.id == interaction.user.id:
        return interaction.user
    if not isinstance(member, discord.Member):
        raise NotAMember(member.id)
    if member.bot:
        raise BotsHaveNoPsn()
    if not interaction.permissions.manage_guild:
        raise NeedsManageServer(action)
    return member


def _unlink_target(
    interaction: discord.Interaction[GridBot], member: Target | None, user_id: str | None
) -> int:
    """Whose link /unlink removes: yours, or (Manage Server) anyone's, member or not, by mention or id.

    A user who left can still be picked in `member` when Discord resolves them; otherwise discord.py hands
    over a bare `discord.Object`, and `user_id` takes a typed id or mention. Only `.id` is relied on."""
    if member is not None and user_id is not None:
        raise EitherOption("member", "user_id")
    if user_id is not None:
        target_id = parse_user_id(user_id)
    elif member is not None:
        target_id = member.id
        if getattr(member, "bot", False) and target_id != interaction.user.id:
            raise BotsHaveNoPsn()
    else:
        return interaction.user.id
    if target_id != interaction.user.id and not interaction.permissions.manage_guild:
        raise NeedsManageServer(Action.UNLINK)
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

    def _confirm_relink(self, owner_id: int, target_id: int, current_psn: str, psn_id: str) -> ConfirmView:
        """Confirm / Cancel for replacing an existing link; only the member who ran /link may answer."""

        async def relink(reply: Reply) -> str:
            interaction = reply.interaction
            guild_id = server_guild_id(interaction)
            ticket = await self.bot.drivers.admit(requester(interaction), [psn_id])
            done = await self.bot.link_service.link(
                guild_id, target_id, psn_id, progress=_progress(reply), ticket=ticket
            )
            self.bot.dispatch("link_changed", guild_id, target_id)
            self.bot.refresh.wake()  # a newly linked driver may be wanted fresh
            return linked_text(done, self_link=target_id == owner_id)

        confirm, cancel = relink_labels()
        return ConfirmView(
            owner_id=owner_id,
            timeout=CONFIRM_TIMEOUT_SECONDS,
            confirm_label=confirm,
            cancel_label=cancel,
            action=relink,
            cancelled=lambda: cancelled_text(current_psn),
            timed_out=lambda: no_answer_text(current_psn),
            working=lambda: looking_up_text(psn_id),
            command_name="link",
            not_owner_text=RELINK_NOT_YOURS,
        )

    @app_commands.command(name="link", description="Link a PSN ID to a member of this server.")
    @app_commands.describe(
        psn_id="The driver's PSN ID (3–16 letters, digits, '-' or '_', starting with a letter)",
        member="Link someone else (needs the Manage Server permission)",
    )
    @server_only()
    async def link(
        self, interaction: discord.Interaction[GridBot], psn_id: str, member: Target | None = None
    ) -> None:
        guild_id = server_guild_id(interaction)
        target = _target(interaction, member, Action.LINK)
        psn_id = validate_psn_id(psn_id)
        reply = Reply(interaction, private=True)
        preflight = await self.bot.link_service.link_preflight(guild_id, target.id, psn_id)
        note = ""
        if preflight.taken_by is not None:
            holder = preflight.taken_by
            if not await self._has_left(guild_id, holder.member_id):
                raise AlreadyLinked(holder.psn_id, holder.member_id)
            await self.bot.link_service.release_left_member(guild_id, holder)
            note = released_text(holder.psn_id, holder.member_id) + "\n"
        current = preflight.current
        self_link = target.id == interaction.user.id
        if current is not None and current.psn_id.lower() == psn_id.lower():
            await reply.send(already_linked_text(current, target.id, self_link=self_link))
            return
        if current is not None:
            view = self._confirm_relink(interaction.user.id, target.id, current.psn_id, psn_id)
            prompt = link_prompt_text(current, target.id, psn_id, self_link=self_link)
            view.message = await reply.send(note + prompt, view=view)
            return
        ticket = await self.bot.drivers.admit_if_stale(
            requester(interaction), [psn_id], before_wait=reply.defer
        )
        done = await self.bot.link_service.link(
            guild_id, target.id, psn_id, progress=_progress(reply), ticket=ticket
        )
        await reply.send(note + linked_text(done, self_link=self_link))
        self.bot.dispatch("link_changed", guild_id, target.id)
        self.bot.refresh.wake()  # a newly linked driver may be wanted fresh

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
        guild_id = server_guild_id(interaction)
        target_id = _unlink_target(interaction, member, user_id)
        self_link = target_id == interaction.user.id
        removed = await self.bot.link_service.unlink(guild_id, target_id)
        if removed is None:
            raise NotLinked(None if self_link else target_id, hint=False)
        await Reply(interaction, private=True).send(
            unlinked_text(removed.psn_id, target_id, self_link=self_link)
        )
        self.bot.dispatch("link_changed", guild_id, target_id)

    # --- /profile, /history ------------------------------------------------------------------------

    async def _one_driver(
        self, interaction: discord.Interaction[GridBot], member: Target | None, psn_id: str | None
    ) -> tuple[str, int | None]:
        """The PSN ID a command is about, and the member it is linked to here (None: not known yet, or
        a typed PSN ID, whose holder the service looks up once the command has answered or deferred)."""
        if server_scope(interaction) is None:  # DMs, user-install-only servers: a personal PSN ID
            member_id, in_server = (member.id if member else None), interaction.guild_id is not None
            return await self.bot.personal.driver_outside_server(
                interaction.user.id, member_id, psn_id, in_server=in_server
            )
        guild_id = server_guild_id(interaction)
        if member is not None and psn_id is not None:
            raise EitherOption("member", "psn_id")
        if psn_id is not None:
            return validate_psn_id(psn_id), None
        member_id = member.id if member is not None else interaction.user.id
        is_self = member_id == interaction.user.id
        link = await self.bot.link_service.link_for(guild_id, member_id, is_self=is_self)
        return link.psn_id, member_id

    @app_commands.command(name="profile", description="A driver's GT7 profile: DR, SR, races, wins and more.")
    @app_commands.describe(
        member="A member of this server (default: you)",
        psn_id="Any driver's PSN ID, instead of a member",
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
        guild_id = server_scope(interaction)
        service = self.bot.drivers
        reply = Reply(interaction, private=False)
        answer = await self.bot.profiles.profile(guild_id, psn, refresh=refresh, member_id=member_id)
        if not isinstance(answer, ProfileAnswer):
            ticket = await service.admit_if_stale(
                requester(interaction), [psn], refresh=answer.refresh, before_wait=reply.defer
            )
            answer = await self.bot.profiles.fetch_profile(
                guild_id, answer, progress=_progress(reply), ticket=ticket
            )
        note = refresh_wait_text(answer.refresh_wait_until) if answer.refresh_wait_until else None
        last_change = await self.bot.tracking.last_change(answer.result.snapshot.psn_id)
        embed = profile_embed(
            answer.result, answer.change, member_id=answer.member_id, last_change=last_change
        )
        await reply.send(note, embed=embed)

    @app_commands.command(name="history", description="A chart of a driver's DR points over time.")
    @app_commands.describe(
        member="A member of this server (default: you)", psn_id="Any driver's PSN ID, instead of a member"
    )
    @anywhere()
    async def history(
        self,
        interaction: discord.Interaction[GridBot],
        member: Target | None = None,
        psn_id: str | None = None,
    ) -> None:
        psn, _member = await self._one_driver(interaction, member, psn_id)
        reply = Reply(interaction, private=False)
        snapshots = await self.bot.profiles.history(
            requester(interaction), psn, before_wait=reply.defer, progress=_progress(reply)
        )
        answer = history_answer(snapshots)
        png = await asyncio.to_thread(
            render_dr_history, answer.points, title=answer.chart_title, now=self.bot.clock.now()
        )
        await reply.send(embed=answer.embed, attachment=answer.attachment(png))

    # --- /compare, /leaderboard --------------------------------------------------------------------

    @app_commands.command(name="compare", description="Compare 2 to 16 drivers side by side.")
    @app_commands.describe(drivers="PSN IDs and/or member mentions, separated by spaces or commas")
    @anywhere()
    async def compare(self, interaction: discord.Interaction[GridBot], drivers: str) -> None:
        guild_id = server_scope(interaction)
        refs = parse_driver_list(drivers, minimum=2, maximum=10_000)
        if len(refs) > COMPARE_MAX:
            raise DriverCountError(
                given=len(refs), maximum=COMPARE_MAX, over=[str(ref) for ref in refs[COMPARE_MAX:][:11]]
            )
        service = self.bot.drivers
        in_server = interaction.guild_id is not None
        resolved = await self.bot.link_service.resolve_drivers(refs, guild_id, in_server=in_server)
        psn_ids = [driver.psn_id for driver in resolved]
        reply = Reply(interaction, private=False)
        ticket = await service.admit_if_stale(requester(interaction), psn_ids, before_wait=reply.defer)
        lookup = await service.get_drivers(
            psn_ids, sync_missing=True, progress=_progress(reply), ticket=ticket
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
        await reply.send(embed=embed)

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
        guild_id = server_guild_id(interaction)
        order = LeaderboardSort(sort.value) if sort is not None else LeaderboardSort.DR_POINTS
        service = self.bot.drivers
        links = await self.bot.link_service.guild_links(guild_id)  # one read serves every step below
        if not links:
            raise NobodyLinked()
        reply = Reply(interaction, private=False)
        ticket = await service.admit_if_stale(
            requester(interaction),
            [link.psn_id for link in links],
            sync_missing=False,
            before_wait=reply.defer,
        )
        board = await build_leaderboard(service, links, order, progress=_progress(reply), ticket=ticket)
        guild_name = interaction.guild.name if interaction.guild is not None else None
        await reply.pages(leaderboard_pages(board, guild_name=guild_name))

    # --- guild removal -----------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_data_purged(self, guild_id: int) -> None:
        deleted = await self.bot.link_service.forget_unlinked_drivers()
        log.info("guild %d purged: deleted %d snapshots of drivers no guild links", guild_id, deleted)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(Drivers(bot))

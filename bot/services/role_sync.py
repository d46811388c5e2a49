"""Rank roles applied: setting a mapping up, turning it off, and giving members the roles of their class.

Discord is reached through a `RoleGateway` the cog provides (REST calls only: no privileged intent), so
this module holds the rules without Discord objects. Every change is checked first (Manage Roles, the
bot's highest role above every mapped role, no @everyone, no integration role); a role Discord says is gone
(10011) or a refused change (50013) pauses the guild's mapping, which stops every update until an
organiser runs a setup or a sync again: one failure, never a loop.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from bot.clock import Clock
from bot.services.roles import (
    CLASS_COLOURS,
    MAX_GUILD_ROLES,
    DiscordUnavailable,
    GuildRoles,
    Ladder,
    MappedRole,
    MemberGone,
    NoSrRoles,
    NothingMapped,
    Pause,
    Problem,
    RoleGone,
    RoleMapping,
    RoleProblem,
    RolesForbidden,
    RolesNotSetUp,
    RolesRefused,
    SyncRunning,
    TooManyRoles,
    diff,
    validate,
    wanted,
)
from bot.storage.database import Database
from bot.storage.links import LinkStore
from bot.storage.roles import RoleStore
from bot.storage.snapshots import DriverSnapshot, SnapshotStore

log = logging.getLogger(__name__)

SyncProgress = Callable[[int, int], Awaitable[None]]  # (members done, members in all)
Refreshed = Sequence[DriverSnapshot]  # what `drivers_refreshed` carries
RoleName = Callable[[Ladder, str], str]  # the name of a role the bot creates for a class
PROGRESS_EVERY = 25


class RoleGateway(Protocol):
    """What the service needs from Discord. Raises RoleGone, RolesForbidden, MemberGone, TooManyRoles,
    DiscordUnavailable."""

    async def guild_roles(self, guild_id: int) -> GuildRoles: ...

    async def member_roles(self, guild_id: int, member_id: int) -> frozenset[int]: ...

    async def add_role(self, guild_id: int, member_id: int, role_id: int) -> None: ...

    async def remove_role(self, guild_id: int, member_id: int, role_id: int) -> None: ...

    async def create_role(self, guild_id: int, name: str, colour: int) -> int: ...

    async def delete_role(self, guild_id: int, role_id: int) -> None: ...


@dataclass(frozen=True)
class SetupDone:
    mapping: RoleMapping
    created: int = 0  # roles the bot created now
    reused: int = 0  # roles it had created before and kept
    deleted: int = 0  # roles it had created that the new mapping no longer uses


@dataclass(frozen=True)
class SyncResult:
    total: int
    checked: int = 0
    changed: int = 0
    gone: int = 0  # linked members Discord says are no longer in the server
    paused: Pause | None = None
    unavailable: bool = False  # Discord failed: stopped early, nothing paused


@dataclass(frozen=True)
class OffDone:
    removed: int = 0
    not_removed: int = 0  # created roles Discord refused to delete (permission lost)


class RoleService:
    def __init__(
        self, store: RoleStore, links: LinkStore, snapshots: SnapshotStore, gateway: RoleGateway, clock: Clock
    ) -> None:
        self.store = store
        self.links = links
        self.snapshots = snapshots
        self.gateway = gateway
        self.clock = clock
        self._syncing: set[int] = set()

    @classmethod
    def build(
        cls, *, database: Database, links: LinkStore, gateway: RoleGateway, clock: Clock
    ) -> RoleService:
        return cls(RoleStore(database), links, SnapshotStore(database), gateway, clock)

    async def mapping(self, guild_id: int) -> RoleMapping | None:
        return await self.store.get(guild_id)

    async def pause(self, guild_id: int) -> Pause | None:
        """Why the guild's rank roles are paused (None: not set up, or running)."""
        mapping = await self.store.get(guild_id)
        return None if mapping is None else mapping.pause

    async def active_guild_ids(self) -> list[int]:
        """The guilds whose rank roles run (the background refresh keeps their linked drivers fresh)."""
        return await self.store.active_guild_ids()

    async def _required(self, guild_id: int) -> RoleMapping:
        mapping = await self.store.get(guild_id)
        if mapping is None:
            raise RolesNotSetUp()
        return mapping

    # --- setting up ------------------------------------------------------------------------------------

    async def setup_create(self, guild_id: int, *, sr: bool, name: RoleName) -> SetupDone:
        """Create a role per class (reusing those the bot created before), named and coloured by class."""
        state = await self.gateway.guild_roles(guild_id)
        if not state.can_manage_roles:
            raise RolesRefused([RoleProblem(Problem.NO_MANAGE_ROLES)])
        old = await self.store.get(guild_id)
        reusable = {
            (role.ladder, role.class_name): role
            for role in (old.roles if old else ())
            if role.created_by_bot and role.role_id in state.roles
        }
        ladders = [Ladder.DR, Ladder.SR] if sr else [Ladder.DR]
        wanted_classes = [(ladder, name_) for ladder in ladders for name_ in ladder.classes]
        missing = [key for key in wanted_classes if key not in reusable]
        if len(state.roles) + len(missing) > MAX_GUILD_ROLES:
            raise RolesRefused([RoleProblem(Problem.TOO_MANY_ROLES)])
        roles = [reusable[key] for key in wanted_classes if key in reusable]
        made: list[MappedRole] = []
        try:
            for ladder, class_name in missing:
                colour = CLASS_COLOURS[(ladder.value, class_name)]
                role_id = await self.gateway.create_role(guild_id, name(ladder, class_name), colour)
                made.append(MappedRole(ladder, class_name, role_id, created_by_bot=True))
        except (TooManyRoles, RolesForbidden) as error:
            # Half a set of roles is no use: the ones made just now are deleted again.
            for role in made:
                await self._delete_quietly(guild_id, role.role_id)
            problem = Problem.TOO_MANY_ROLES if isinstance(error, TooManyRoles) else Problem.NO_MANAGE_ROLES
            raise RolesRefused([RoleProblem(problem)]) from None
        order = {key: index for index, key in enumerate(wanted_classes)}
        roles = sorted([*roles, *made], key=lambda role: order[(role.ladder, role.class_name)])
        mapping = RoleMapping(guild_id, tuple(roles), sr_enabled=sr)
        deleted = await self._drop_unused_created(old, mapping)
        await self.store.save(mapping, self.clock.now())
        return SetupDone(mapping, created=len(made), reused=len(roles) - len(made), deleted=deleted)

    async def setup_map(self, guild_id: int, roles: Sequence[tuple[Ladder, str, int]]) -> SetupDone:
        """Map existing roles; every one is checked first, and nothing is saved when one is refused."""
        if not roles:
            raise NothingMapped()
        old = await self.store.get(guild_id)
        created = old.created if old else frozenset()
        mapped = tuple(
            MappedRole(ladder, class_name, role_id, created_by_bot=role_id in created)
            for ladder, class_name, role_id in roles
        )
        state = await self.gateway.guild_roles(guild_id)
        if problems := validate(state, mapped):
            raise RolesRefused(problems)
        mapping = RoleMapping(guild_id, mapped, sr_enabled=any(role.ladder is Ladder.SR for role in mapped))
        deleted = await self._drop_unused_created(old, mapping)
        await self.store.save(mapping, self.clock.now())
        return SetupDone(mapping, deleted=deleted)

    async def set_sr(self, guild_id: int, on: bool, *, name: RoleName) -> SetupDone:
        mapping = await self._required(guild_id)
        sr_roles = [role for role in mapping.roles if role.ladder is Ladder.SR]
        if not on:
            deleted = 0
            for role in sr_roles:
                if role.created_by_bot:
                    await self._delete_quietly(guild_id, role.role_id)
                    deleted += 1
            kept = tuple(r for r in mapping.roles if r.ladder is Ladder.DR or not r.created_by_bot)
            mapping = replace(mapping, roles=kept, sr_enabled=False)
            await self.store.save(mapping, self.clock.now())
            return SetupDone(mapping, deleted=deleted)
        if sr_roles:
            state = await self.gateway.guild_roles(guild_id)
            if problems := validate(state, sr_roles):
                raise RolesRefused(problems)
            mapping = replace(mapping, sr_enabled=True)
            await self.store.save(mapping, self.clock.now())
            return SetupDone(mapping)
        if not any(role.created_by_bot for role in mapping.roles):
            raise NoSrRoles()
        return await self.setup_create(guild_id, sr=True, name=name)

    async def turn_off(self, guild_id: int, *, remove_created: bool) -> OffDone:
        """Stop updates and forget the mapping; optionally delete the roles the bot created."""
        mapping = await self._required(guild_id)
        removed = not_removed = 0
        if remove_created:
            for role_id in sorted(mapping.created):
                try:
                    await self.gateway.delete_role(guild_id, role_id)
                    removed += 1
                except RoleGone:
                    removed += 1
                except (RolesForbidden, DiscordUnavailable) as error:
                    log.info("guild %d: created role %d not deleted: %r", guild_id, role_id, error)
                    not_removed += 1
        await self.store.delete(guild_id)
        return OffDone(removed=removed, not_removed=not_removed)

    async def _drop_unused_created(self, old: RoleMapping | None, new: RoleMapping) -> int:
        if old is None:
            return 0
        unused = old.created - {role.role_id for role in new.roles}
        for role_id in unused:
            await self._delete_quietly(new.guild_id, role_id)
        return len(unused)

    async def _delete_quietly(self, guild_id: int, role_id: int) -> None:
        try:
            await self.gateway.delete_role(guild_id, role_id)
        except (RoleGone, RolesForbidden, DiscordUnavailable) as error:
            log.info("guild %d: role %d the bot created was not deleted: %r", guild_id, role_id, error)

    # --- applying --------------------------------------------------------------------------------------

    async def start_sync(self, guild_id: int) -> RoleMapping:
        """Check every mapped role (and resume a paused mapping when the problem is fixed); one sync per
        guild at a time. The caller then runs `sync` and must call `sync_finished`."""
        if guild_id in self._syncing:
            raise SyncRunning()
        mapping = await self._required(guild_id)
        state = await self.gateway.guild_roles(guild_id)
        if problems := validate(state, mapping.active()):
            raise RolesRefused(problems)
        if mapping.pause is not None:
            mapping = replace(mapping, pause=None)
            await self.store.save(mapping, self.clock.now())
        self._syncing.add(guild_id)
        return mapping

    def sync_finished(self, guild_id: int) -> None:
        self._syncing.discard(guild_id)

    async def sync(self, guild_id: int, progress: SyncProgress | None = None) -> SyncResult:
        """Re-apply the mapping to every linked member of the guild."""
        links = await self.links.for_guild(guild_id)
        latest = await self.snapshots.latest_many(link.psn_id for link in links)
        members = [(link.member_id, latest.get(link.psn_id.lower())) for link in links]
        return await self._apply(guild_id, members, progress)

    async def apply_member(self, guild_id: int, member_id: int) -> SyncResult:
        """After /link or /unlink: the member's roles for their link now (none when unlinked)."""
        link = await self.links.get(guild_id, member_id)
        snapshot = await self.snapshots.latest(link.psn_id) if link is not None else None
        return await self._apply(guild_id, [(member_id, snapshot)])

    async def apply_refreshed(self, snapshots: Sequence[DriverSnapshot]) -> dict[int, SyncResult]:
        """After a refresh cycle: every linked member of these drivers, in every guild whose roles run."""
        by_psn = {snapshot.psn_id.lower(): snapshot for snapshot in snapshots}
        per_guild: dict[int, list[tuple[int, DriverSnapshot | None]]] = defaultdict(list)
        for guild_id, member_id, psn_id in await self.store.active_links(by_psn):
            per_guild[guild_id].append((member_id, by_psn.get(psn_id.lower())))
        results = {}
        for guild_id, members in per_guild.items():
            results[guild_id] = await self._apply(guild_id, members)
        return results

    async def _apply(
        self,
        guild_id: int,
        members: Sequence[tuple[int, DriverSnapshot | None]],
        progress: SyncProgress | None = None,
    ) -> SyncResult:
        total = len(members)
        mapping = await self.store.get(guild_id)
        if mapping is None or mapping.pause is not None:
            return SyncResult(total=total, paused=mapping.pause if mapping else None)
        checked = changed = gone = 0
        checked_state = False
        try:
            for member_id, snapshot in members:
                try:
                    current = await self.gateway.member_roles(guild_id, member_id)
                    change = diff(mapping, wanted(mapping, snapshot), current)
                    if change:
                        if not checked_state:
                            # Before the first change: can every mapped role still be assigned?
                            state = await self.gateway.guild_roles(guild_id)
                            if problems := validate(state, mapping.active()):
                                return await self._pause(
                                    mapping, mapping.pause_for(problems[0]), total, checked
                                )
                            checked_state = True
                        for role_id in sorted(change.remove):
                            await self.gateway.remove_role(guild_id, member_id, role_id)
                        for role_id in sorted(change.add):
                            await self.gateway.add_role(guild_id, member_id, role_id)
                        changed += 1
                except MemberGone:
                    gone += 1
                checked += 1
                if progress is not None and (checked % PROGRESS_EVERY == 0 or checked == total):
                    await progress(checked, total)
        except RoleGone as error:
            pause = mapping.paused_by(Problem.DELETED, error.role_id)
            return await self._pause(mapping, pause, total, checked, changed, gone)
        except RolesForbidden as error:
            pause = mapping.paused_by(Problem.FORBIDDEN, error.role_id)
            return await self._pause(mapping, pause, total, checked, changed, gone)
        except DiscordUnavailable as error:
            log.warning(
                "guild %d: Discord failed while applying rank roles (retried later): %s", guild_id, error
            )
            return SyncResult(total, checked, changed, gone, unavailable=True)
        return SyncResult(total, checked, changed, gone)

    async def _pause(
        self, mapping: RoleMapping, pause: Pause, total: int, checked: int, changed: int = 0, gone: int = 0
    ) -> SyncResult:
        log.warning(
            "guild %d: rank roles paused (%s, role %s)", mapping.guild_id, pause.problem.value, pause.role_id
        )
        await self.store.pause(mapping.guild_id, pause, self.clock.now())
        return SyncResult(total, checked, changed, gone, paused=pause)

"""Rank roles: which roles a server maps to DR (and SR) classes, and which a linked member should hold.

Pure data and logic, no Discord objects: the mapping, `wanted` (the roles of a driver's current classes),
`diff` (what to add and remove, restricted to the roles the mapping manages, so a role it does not manage
is never touched) and `validate` (which mapped role the bot cannot assign, and why). The cog applies the
result through a `RoleGateway` (bot/services/role_sync.py runs the applying).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.services.ratings import DR_CLASSES, SR_CLASSES, dr_band
from bot.storage.snapshots import DriverSnapshot

# Discord permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_ROLES = 1 << 28
MAX_GUILD_ROLES = 250  # Discord refuses more (30005 Maximum number of guild roles reached)

# Colours for the roles the bot creates: grey for the entry class, then green, blue, gold, orange, red
# (DR A+) or purple (SR S), like the class badges in Gran Turismo.
_DR_COLOURS = (0x9E9E9E, 0x43A047, 0x1E88E5, 0xFDD835, 0xFB8C00, 0xE53935)
_SR_COLOURS = (0x9E9E9E, 0x66BB6A, 0x42A5F5, 0xFFCA28, 0xFFA726, 0xAB47BC)
CLASS_COLOURS: dict[tuple[str, str], int] = {
    **{("dr", name): colour for name, colour in zip(DR_CLASSES, _DR_COLOURS, strict=True)},
    **{("sr", name): colour for name, colour in zip(SR_CLASSES, _SR_COLOURS, strict=True)},
}


class Ladder(StrEnum):
    DR = "dr"
    SR = "sr"

    @property
    def classes(self) -> tuple[str, ...]:
        return DR_CLASSES if self is Ladder.DR else SR_CLASSES


class Problem(StrEnum):
    NO_MANAGE_ROLES = "no_manage_roles"
    ABOVE_BOT = "above_bot"
    EVERYONE = "everyone"
    MANAGED = "managed"
    DELETED = "deleted"
    TOO_MANY_ROLES = "too_many_roles"
    FORBIDDEN = "forbidden"  # Discord answered 50013 Missing Permissions to a change


@dataclass(frozen=True)
class MappedRole:
    ladder: Ladder
    class_name: str
    role_id: int
    created_by_bot: bool = False


@dataclass(frozen=True)
class Pause:
    """Why updates stopped by themselves: the first problem met (a role deleted, a permission lost)."""

    problem: Problem
    role_id: int | None = None
    ladder: Ladder | None = None
    class_name: str | None = None


@dataclass(frozen=True)
class RoleMapping:
    guild_id: int
    roles: tuple[MappedRole, ...]
    sr_enabled: bool = False
    pause: Pause | None = None

    def of(self, ladder: Ladder) -> dict[str, MappedRole]:
        return {role.class_name: role for role in self.roles if role.ladder is ladder}

    def active(self) -> list[MappedRole]:
        """The mapped roles updates keep: DR always, SR only while it is on."""
        return [role for role in self.roles if role.ladder is Ladder.DR or self.sr_enabled]

    @property
    def managed(self) -> frozenset[int]:
        return frozenset(role.role_id for role in self.active())

    @property
    def created(self) -> frozenset[int]:
        return frozenset(role.role_id for role in self.roles if role.created_by_bot)

    def find(self, role_id: int) -> MappedRole | None:
        return next((role for role in self.roles if role.role_id == role_id), None)

    def pause_for(self, problem: RoleProblem) -> Pause:
        return Pause(problem.problem, problem.role_id, problem.ladder, problem.class_name)

    def paused_by(self, problem: Problem, role_id: int | None) -> Pause:
        mapped = self.find(role_id) if role_id is not None else None
        return Pause(
            problem,
            role_id,
            mapped.ladder if mapped else None,
            mapped.class_name if mapped else None,
        )


def dr_class(snapshot: DriverSnapshot) -> str:
    """The driver's DR class: GT Grid Stats' `DR` letter when it is one, else the band of its points."""
    letter = (snapshot.driver.dr or "").strip().upper()
    return letter if letter in DR_CLASSES else dr_band(snapshot.dr_points)


def sr_class(snapshot: DriverSnapshot) -> str | None:
    letter = (snapshot.driver.sr or "").strip().upper()
    return letter if letter in SR_CLASSES else None


def wanted(mapping: RoleMapping, snapshot: DriverSnapshot | None) -> set[int]:
    """The managed roles a member linked to `snapshot`'s driver should hold (none when not linked)."""
    if snapshot is None:
        return set()
    roles: set[int] = set()
    if (dr := mapping.of(Ladder.DR).get(dr_class(snapshot))) is not None:
        roles.add(dr.role_id)
    sr = sr_class(snapshot)
    if mapping.sr_enabled and sr is not None and (role := mapping.of(Ladder.SR).get(sr)) is not None:
        roles.add(role.role_id)
    return roles


@dataclass(frozen=True)
class RoleDiff:
    add: frozenset[int] = frozenset()
    remove: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.add or self.remove)


def diff(mapping: RoleMapping, want: Iterable[int], current: Iterable[int]) -> RoleDiff:
    """What to add and remove so the member holds exactly `want` among the managed roles."""
    managed = mapping.managed
    want_set = frozenset(want) & managed
    held = frozenset(current) & managed
    return RoleDiff(add=want_set - held, remove=held - want_set)


# --- what Discord says about the guild's roles ------------------------------------------------------


@dataclass(frozen=True)
class GuildRole:
    id: int
    name: str
    position: int
    permissions: int = 0
    managed: bool = False


@dataclass(frozen=True)
class GuildRoles:
    """The guild's roles and the roles of the bot's own member (the @everyone role's id is the guild's)."""

    guild_id: int
    roles: Mapping[int, GuildRole]
    bot_role_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def bot_permissions(self) -> int:
        value = 0
        for role_id in {*self.bot_role_ids, self.guild_id}:
            if (role := self.roles.get(role_id)) is not None:
                value |= role.permissions
        return value

    @property
    def can_manage_roles(self) -> bool:
        permissions = self.bot_permissions
        return bool(permissions & ADMINISTRATOR or permissions & MANAGE_ROLES)

    @property
    def bot_top_role(self) -> GuildRole | None:
        held = [self.roles[role_id] for role_id in self.bot_role_ids if role_id in self.roles]
        return max(held, key=lambda role: (role.position, -role.id), default=None)

    def above_bot(self, role: GuildRole) -> bool:
        """Whether `role` is at or above the bot's highest role (Discord then refuses to assign it)."""
        top = self.bot_top_role
        return top is None or (role.position, -role.id) >= (top.position, -top.id)


@dataclass(frozen=True)
class RoleProblem:
    """Why the bot cannot assign a role (`role` is None for problems of the bot, not of one role)."""

    problem: Problem
    role_id: int | None = None
    role_name: str | None = None
    ladder: Ladder | None = None
    class_name: str | None = None
    bot_role_name: str | None = None


def _problem(
    problem: Problem, mapped: MappedRole, role: GuildRole | None = None, bot_role: GuildRole | None = None
) -> RoleProblem:
    return RoleProblem(
        problem,
        role_id=mapped.role_id,
        role_name=role.name if role is not None else None,
        ladder=mapped.ladder,
        class_name=mapped.class_name,
        bot_role_name=bot_role.name if bot_role is not None else None,
    )


def validate(state: GuildRoles, roles: Iterable[MappedRole]) -> list[RoleProblem]:
    """Every reason the bot could not assign these roles; empty when it can assign them all."""
    if not state.can_manage_roles:
        return [RoleProblem(Problem.NO_MANAGE_ROLES)]
    problems: list[RoleProblem] = []
    for mapped in roles:
        role = state.roles.get(mapped.role_id)
        if role is None:
            problems.append(_problem(Problem.DELETED, mapped))
        elif role.id == state.guild_id:
            problems.append(_problem(Problem.EVERYONE, mapped, role))
        elif role.managed:
            problems.append(_problem(Problem.MANAGED, mapped, role))
        elif state.above_bot(role):
            problems.append(_problem(Problem.ABOVE_BOT, mapped, role, state.bot_top_role))
    return problems


class RolesError(Exception):
    """Base of the rank-role errors the ui words (bot/ui/roles.py)."""


class RolesRefused(RolesError):
    """The bot cannot assign some mapped role: nothing was changed."""

    def __init__(self, problems: list[RoleProblem]) -> None:
        super().__init__(", ".join(problem.problem.value for problem in problems))
        self.problems = problems


class RolesNotSetUp(RolesError):
    pass


class NothingMapped(RolesError):
    pass


class NoSrRoles(RolesError):
    """SR was turned on but no SR role is mapped, and the mapping's roles were not created by the bot."""


class SyncRunning(RolesError):
    pass


class RoleGone(Exception):
    """Discord: 10011 Unknown Role."""

    def __init__(self, role_id: int) -> None:
        super().__init__(role_id)
        self.role_id = role_id


class RolesForbidden(Exception):
    """Discord: 50013 Missing Permissions (for a role change)."""

    def __init__(self, role_id: int | None = None) -> None:
        super().__init__(role_id)
        self.role_id = role_id


class TooManyRoles(Exception):
    """Discord: 30005 Maximum number of guild roles reached."""


class MemberGone(Exception):
    """Discord: 10007 Unknown Member (the member left)."""


class DiscordUnavailable(RolesError):
    """Discord failed otherwise (5xx, timeout): nothing is paused, the next refresh tries again."""

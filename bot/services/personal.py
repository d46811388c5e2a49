"""A user's own data: their personal PSN ID (used where no server link applies), and privacy: everything
the bot stores about them, shown and erased on request. No Discord objects here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

# Imported for their registrations of user data (bot/storage/users.py's registry).
import bot.storage.leagues
import bot.storage.links  # noqa: F401
from bot.clock import Clock
from bot.gtgridstats.identifiers import validate_psn_id
from bot.storage.users import PersonalPsn, UserDataStore, UserRow


class PersonalError(Exception):
    """Base of the personal-data errors; bot/ui/personal.py words each one."""


class NoPersonalPsn(PersonalError):
    """Outside a server with the bot, the user asked about themselves without a personal PSN ID."""


class MembersNeedTheBot(PersonalError):
    """A member was named where the bot has no server links to look them up in."""

    def __init__(self, *, in_server: bool) -> None:
        super().__init__("members can only be looked up in a server the bot is in")
        self.in_server = in_server


class MemberOrPsnNotBoth(PersonalError):
    """Both a member and a PSN ID were given."""


@dataclass(frozen=True)
class PersonalSet:
    personal: PersonalPsn
    previous: PersonalPsn | None


@dataclass(frozen=True)
class Erased:
    touched: dict[str, int]  # rows touched per kind
    link_guilds: tuple[int, ...]  # the servers where the user had a link


class PersonalService:
    def __init__(
        self,
        store: UserDataStore,
        clock: Clock,
        *,
        forget_unlinked_drivers: Callable[[], Awaitable[int]],
    ) -> None:
        self.store = store
        self.clock = clock
        self._forget_unlinked_drivers = forget_unlinked_drivers

    async def personal_psn(self, user_id: int) -> PersonalPsn | None:
        return await self.store.personal_psn(user_id)

    async def set_psn(self, user_id: int, psn_id: str) -> PersonalSet:
        """Store the user's personal PSN ID (checked, no upstream call)."""
        psn_id = validate_psn_id(psn_id)
        now = self.clock.now()
        previous = await self.store.set_personal_psn(user_id, psn_id, now)
        return PersonalSet(PersonalPsn(user_id, psn_id, now), previous)

    async def clear_psn(self, user_id: int) -> str | None:
        """Remove the personal PSN ID; returns it, or None when there was none."""
        removed = await self.store.clear_personal_psn(user_id)
        if removed is not None:
            await self._forget_unlinked_drivers()
        return removed

    async def driver_outside_server(
        self, user_id: int, member_id: int | None, psn_id: str | None, *, in_server: bool
    ) -> tuple[str, None]:
        """The PSN ID a driver command is about where no server's links apply (the bot's DMs, group DMs,
        a server where the bot is only user-installed): a typed PSN ID, else the user's personal one.
        Never another member's: no server's links are read here, and nobody else's personal PSN."""
        if member_id is not None and psn_id is not None:
            raise MemberOrPsnNotBoth()
        if psn_id is not None:
            return validate_psn_id(psn_id), None
        if member_id is not None and member_id != user_id:
            raise MembersNeedTheBot(in_server=in_server)
        personal = await self.store.personal_psn(user_id)
        if personal is None:
            raise NoPersonalPsn()
        return personal.psn_id, None

    async def everything_about(self, user_id: int) -> list[UserRow]:
        return await self.store.rows_about(user_id)

    async def delete_everything(self, user_id: int) -> Erased:
        """Erase every stored row about the user, in every server, then the driver snapshots nobody links
        or keeps as a personal PSN any more; returns rows touched per kind and the servers the user had a
        link in (read before erasing: their rank roles follow the link, as after /unlink)."""
        rows = await self.store.rows_about(user_id)
        guilds = sorted({row.guild_id for row in rows if row.kind == "link" and row.guild_id is not None})
        touched = await self.store.erase_user(user_id)
        if touched:
            snapshots = await self._forget_unlinked_drivers()
            if snapshots:
                touched["snapshot"] = snapshots
        return Erased(touched, tuple(guilds))

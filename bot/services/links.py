"""Links: which member of a server holds which PSN ID (/link, /unlink, mentions in driver lists).

Built on the DriverService (a driver must exist on GT Grid Stats before it is linked); when a link goes
and no server links that driver any more, the DriverService forgets its snapshots.
"""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.errors import AlreadyLinked, NotLinked
from bot.gtgridstats.identifiers import validate_psn_id
from bot.services.driver_refs import DriverRef, ResolvedDriver, resolve_driver_refs
from bot.services.driver_results import LinkDone, LinkPreflight, Progress
from bot.services.drivers import DriverService
from bot.services.fair_use import Ticket
from bot.storage.links import Link, LinkStore

log = logging.getLogger(__name__)


class LinkService:
    def __init__(self, links: LinkStore, drivers: DriverService, clock: Clock) -> None:
        self.links = links
        self.drivers = drivers
        self.clock = clock

    async def link_preflight(self, guild_id: int, member_id: int, psn_id: str) -> LinkPreflight:
        """What stands in the way of linking, known without any upstream call."""
        psn_id = validate_psn_id(psn_id)
        current, holder = await self.links.member_and_holder(guild_id, member_id, psn_id)
        taken_by = holder if holder is not None and holder.member_id != member_id else None
        return LinkPreflight(current=current, taken_by=taken_by)

    async def link(
        self,
        guild_id: int,
        member_id: int,
        psn_id: str,
        *,
        progress: Progress | None = None,
        ticket: Ticket | None = None,
    ) -> LinkDone:
        """Verify the driver exists (syncing it if needed), then link it; one PSN ID per guild."""
        result = await self.drivers.get_driver(psn_id, progress=progress, ticket=ticket)
        driver = result.snapshot.driver
        outcome = await self.links.claim(
            Link(
                guild_id=guild_id,
                member_id=member_id,
                psn_id=driver.psn_id,
                guid=driver.guid,
                linked_at=self.clock.now(),
            )
        )
        if outcome.taken_by is not None:
            raise AlreadyLinked(outcome.taken_by.psn_id, outcome.taken_by.member_id)
        assert outcome.link is not None
        previous = outcome.previous
        if previous is not None and previous.psn_id.lower() != driver.psn_id.lower():
            await self.drivers.forget_if_unlinked(previous)
        return LinkDone(link=outcome.link, previous=previous, result=result)

    async def unlink(self, guild_id: int, member_id: int) -> Link | None:
        """Remove the link; a driver no guild links any more is forgotten (its snapshots deleted)."""
        removed = await self.links.remove(guild_id, member_id)
        if removed is not None:
            await self.drivers.forget_if_unlinked(removed)
        return removed

    async def link_for(self, guild_id: int, member_id: int, *, is_self: bool) -> Link:
        """The member's link here; NotLinked (naming the member unless `is_self`) when there is none."""
        link = await self.links.get(guild_id, member_id)
        if link is None:
            raise NotLinked(None if is_self else member_id)
        return link

    async def release_left_member(self, guild_id: int, holder: Link) -> bool:
        """Free `holder`'s PSN ID, held by a member Discord says has left; False if it changed meanwhile."""
        released = await self.links.release(guild_id, holder.member_id, holder.psn_id) is not None
        if released:
            log.info("guild %d: released a PSN link of user %d, who left", guild_id, holder.member_id)
        return released

    async def guild_links(self, guild_id: int) -> list[Link]:
        """Every link of the guild, oldest first (one read, for the leaderboard's every step)."""
        return await self.links.for_guild(guild_id)

    async def linked_count(self, guild_id: int) -> int:
        return await self.links.count(guild_id)

    async def resolve_drivers(
        self, refs: list[DriverRef], guild_id: int | None, *, in_server: bool = True
    ) -> list[ResolvedDriver]:
        """The parsed list, each mention replaced by its linked PSN ID (see `resolve_driver_refs`)."""
        return await resolve_driver_refs(refs, guild_id, self.links, in_server=in_server)

    async def forget_unlinked_drivers(self) -> int:
        """After a guild's data was purged: delete snapshots of drivers that no guild links any more."""
        return await self.drivers.forget_unlinked()

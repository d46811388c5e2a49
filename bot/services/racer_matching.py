"""Pairing GT Grid Stats' racer answers with the PSN IDs asked for, renamed drivers included."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from bot.gtgridstats.models import Driver, RacersResponse
from bot.storage.snapshots import DriverSnapshot

log = logging.getLogger(__name__)

StoredSnapshots = Callable[[list[str]], Awaitable[Mapping[str, DriverSnapshot]]]


async def match_answers(
    asked: list[str], response: RacersResponse, stored: StoredSnapshots
) -> dict[str, Driver]:
    """Each asked PSN ID (lower-cased) with its driver. A renamed driver answers under its new PSN ID: it is
    recognised by the GUID stored for the old one (`stored` reads those snapshots, only when needed), or as
    the only answer left for the only PSN ID left unanswered."""
    by_psn = {driver.psn_id.lower(): driver for driver in response.drivers}
    matched: dict[str, Driver] = {}
    for psn_id in asked:
        driver = by_psn.pop(psn_id.lower(), None)
        if driver is not None:
            matched[psn_id.lower()] = driver
    not_found = {psn_id.lower() for psn_id in response.not_found}
    unanswered = [p.lower() for p in asked if p.lower() not in matched and p.lower() not in not_found]
    leftovers = list(by_psn.values())
    if unanswered and leftovers:
        known = await stored(unanswered)
        for key in list(unanswered):
            guid = known[key].guid if key in known else None
            driver = next((d for d in leftovers if guid and d.guid == guid), None)
            if driver is not None:
                matched[key] = driver
                leftovers.remove(driver)
                unanswered.remove(key)
        if len(unanswered) == 1 and len(leftovers) == 1:
            matched[unanswered[0]] = leftovers.pop()
    if leftovers:
        log.warning("GT Grid Stats answered drivers nobody asked for: %d", len(leftovers))
    return matched

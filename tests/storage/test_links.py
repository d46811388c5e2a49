"""Links: one PSN ID per guild, claimed atomically; GUIDs filled in and PSN renames followed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage.database import Database
from bot.storage.links import Link, LinkStore

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def links(tmp_path: Path) -> AsyncIterator[LinkStore]:
    async with Database(tmp_path / "bot.sqlite3") as database:
        await database.open()
        await database.migrate()
        yield LinkStore(database)


async def test_claim_links_replaces_and_refuses_a_psn_held_by_another_member(links: LinkStore) -> None:
    first = await links.claim(Link(1, 10, "Racer_One", None, T0))
    assert first.link is not None
    assert first.previous is None
    replaced = await links.claim(Link(1, 10, "Racer_Two", "g2", T0))
    assert replaced.previous is not None
    assert replaced.previous.psn_id == "Racer_One"
    refused = await links.claim(Link(1, 11, "racer_two", None, T0))
    assert refused.link is None
    assert refused.taken_by is not None
    assert refused.taken_by.member_id == 10
    # Another guild is another namespace.
    elsewhere = await links.claim(Link(2, 11, "Racer_Two", None, T0))
    assert elsewhere.link is not None
    assert {link.psn_id for link in await links.for_guild(1)} == {"Racer_Two"}


async def test_concurrent_claims_of_one_psn_leave_exactly_one_link(links: LinkStore) -> None:
    outcomes = await asyncio.gather(
        *(links.claim(Link(1, member, "Contested", None, T0)) for member in range(20))
    )
    assert sum(outcome.link is not None for outcome in outcomes) == 1
    assert await links.count(1) == 1


async def test_follow_drivers_fills_guids_and_follows_renames(links: LinkStore) -> None:
    await links.set(Link(1, 10, "No_Guid_Yet", None, T0))
    await links.set(Link(1, 11, "Old_Handle", "g-old", T0))
    await links.set(Link(2, 12, "old_handle", "g-old", T0))
    renamed = await links.follow_drivers([("No_Guid_Yet", "g-new"), ("New_Handle", "g-old")])
    assert renamed == 2
    filled = await links.get(1, 10)
    assert filled is not None
    assert filled.guid == "g-new"
    for guild, member in ((1, 11), (2, 12)):
        link = await links.get(guild, member)
        assert link is not None
        assert link.psn_id == "New_Handle"
    assert await links.is_linked_anywhere("new_handle")
    assert not await links.is_linked_anywhere("Old_Handle")


async def test_a_rename_onto_a_psn_already_linked_in_the_guild_is_skipped(links: LinkStore) -> None:
    await links.set(Link(1, 10, "Old_Handle", "g-old", T0))
    await links.set(Link(1, 11, "New_Handle", None, T0))
    assert await links.follow_drivers([("New_Handle", "g-old")]) == 0
    kept = await links.get(1, 10)
    assert kept is not None
    assert kept.psn_id == "Old_Handle"

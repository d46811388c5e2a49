"""The link service: member <-> PSN ID links, and forgetting the drivers that no server links any more."""

from __future__ import annotations

import pytest

from bot.errors import AlreadyLinked, NotLinked
from tests.conftest import Harness

GUILD, OTHER_GUILD = 9001, 9002
ANN, BOB = 101, 102


async def test_unlinking_the_last_link_forgets_the_driver_and_its_freshness(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Linked_One")
    links, drivers = harness.bot.link_service, harness.bot.drivers
    done = await links.link(GUILD, ANN, "linked_one")
    assert (done.link.psn_id, done.previous) == ("Linked_One", None)
    assert await drivers.all_fresh(["Linked_One"])
    removed = await links.unlink(GUILD, ANN)
    assert removed is not None
    assert removed.psn_id == "Linked_One"
    assert await drivers.stored("Linked_One") is None
    assert not await drivers.all_fresh(["Linked_One"])  # the freshness index forgot it too
    assert await links.unlink(GUILD, ANN) is None


async def test_a_driver_another_server_links_is_kept(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Shared_One")
    links, drivers = harness.bot.link_service, harness.bot.drivers
    await links.link(GUILD, ANN, "Shared_One")
    await links.link(OTHER_GUILD, ANN, "Shared_One")
    await links.unlink(GUILD, ANN)
    assert await drivers.stored("Shared_One") is not None
    assert await drivers.all_fresh(["Shared_One"])
    assert await links.forget_unlinked_drivers() == 0
    assert await links.linked_count(OTHER_GUILD) == 1


async def test_relinking_forgets_the_previous_driver(harness: Harness) -> None:
    harness.gt.dataset.add_driver("First_One")
    harness.gt.dataset.add_driver("Second_One")
    links, drivers = harness.bot.link_service, harness.bot.drivers
    await links.link(GUILD, ANN, "First_One")
    done = await links.link(GUILD, ANN, "Second_One")
    assert done.previous is not None
    assert done.previous.psn_id == "First_One"
    assert await drivers.stored("First_One") is None
    assert (await links.link_for(GUILD, ANN, is_self=True)).psn_id == "Second_One"


async def test_a_psn_id_belongs_to_one_member_per_server(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Taken_One")
    links = harness.bot.link_service
    await links.link(GUILD, ANN, "Taken_One")
    preflight = await links.link_preflight(GUILD, BOB, "taken_one")
    assert preflight.current is None
    assert preflight.taken_by is not None
    assert preflight.taken_by.member_id == ANN
    with pytest.raises(AlreadyLinked) as taken:
        await links.link(GUILD, BOB, "Taken_One")
    assert (taken.value.psn_id, taken.value.member_id) == ("Taken_One", ANN)
    assert await links.release_left_member(GUILD, preflight.taken_by)
    assert not await links.release_left_member(GUILD, preflight.taken_by)  # already released
    with pytest.raises(NotLinked) as missing:
        await links.link_for(GUILD, ANN, is_self=False)
    assert missing.value.member_id == ANN
    assert [link.member_id for link in await links.guild_links(GUILD)] == []

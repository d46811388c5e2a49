"""/compare: 2–16 PSN IDs and/or members, one upstream call for what is not fresh, a ranked table."""

from __future__ import annotations

import re

import pytest

from bot.ui.embeds import EMBED_DESCRIPTION_LIMIT
from tests.conftest import Harness
from tests.standins.interactions import FakeUser


async def link(harness: Harness, user: FakeUser, psn_id: str, dr_points: int = 12_000) -> None:
    harness.gt.dataset.add_driver(psn_id, dr_points=dr_points)
    record = await harness.slash("link", user=user, psn_id=psn_id)
    assert "now linked to" in record.reply.text()


def table_rows(description: str) -> list[str]:
    table = description.split("```")[1]
    return [line for line in table.strip().splitlines()[2:]]


async def test_compare_ranks_by_dr_points_with_members_and_psn_ids(harness: Harness) -> None:
    ann, bob = harness.member("ann"), harness.member("bob")
    await link(harness, bob, "Bob_Mid", dr_points=20_000)
    harness.gt.dataset.add_driver("Low_Guy", dr_points=3_000)
    harness.gt.dataset.add_driver("Top_Gun", dr_points=60_000, stats={"total_races": 10, "victories": 5})
    record = await harness.slash("compare", user=ann, drivers=f"Low_Guy, {bob.mention} top_gun")
    assert record.deferred  # two drivers were not stored yet
    description = record.reply.embed["description"]
    rows = table_rows(description)
    assert [row.split()[1] for row in rows] == ["Top_Gun", "Bob_Mid", "Low_Guy"]
    assert rows[0].split()[0] == "1"
    assert "60,000" in rows[0]
    assert "50%" in rows[0]
    assert f"Bob_Mid · <@{bob.id}>" in description
    assert record.reply.embed["title"] == "Comparing 3 drivers"
    # Bob was fresh; the other two came in one call.
    assert harness.gt.count("/api/racers", method="GET") == 2  # /link's, then /compare's
    assert re.search(r"Low_Guy", harness.gt.requests[-1].path)


async def test_compare_of_fresh_drivers_answers_at_once_without_a_call(harness: Harness) -> None:
    ann, bob = harness.member("ann"), harness.member("bob")
    await link(harness, ann, "Ann_Fresh")
    await link(harness, bob, "Bob_Fresh")
    harness.gt.reset_counts()
    record = await harness.slash("compare", user=ann, drivers=f"{ann.mention} {bob.mention}")
    assert not record.deferred
    assert harness.gt.count() == 0
    assert len(table_rows(record.reply.embed["description"])) == 2


async def test_compare_fetches_what_is_not_fresh_in_one_call(harness: Harness) -> None:
    names = [f"Many_{number:02d}" for number in range(16)]
    for name in names:
        harness.gt.dataset.add_driver(name)
    first = await harness.slash("compare", user=harness.member("ann"), drivers=" ".join(names[:6]))
    assert first.deferred
    harness.gt.reset_counts()
    record = await harness.slash("compare", user=harness.member("ann"), drivers=" ".join(names))
    assert harness.gt.count("/api/racers") == 1
    asked = harness.gt.requests[0].path.rsplit("/", 1)[1].split(",")
    assert sorted(asked) == sorted(names[6:])
    description = record.reply.embed["description"]
    assert len(table_rows(description)) == 16
    assert len(description) <= EMBED_DESCRIPTION_LIMIT


async def test_compare_syncs_unindexed_drivers_and_names_missing_ones(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Indexed_One")
    harness.gt.dataset.add_driver("Fresh_Signup", indexed=False)
    record = await harness.slash(
        "compare", user=harness.member("ann"), drivers="Indexed_One Fresh_Signup Not_A_Driver"
    )
    description = record.reply.embed["description"]
    assert {row.split()[1] for row in table_rows(description)} == {"Indexed_One", "Fresh_Signup"}
    assert "GT Grid Stats has no driver `Not_A_Driver`." in description
    assert harness.gt.count("/api/racers", method="GET") == 1
    assert harness.gt.count("/api/racers", method="POST") == 1


async def test_seventeen_drivers_are_refused(harness: Harness) -> None:
    names = " ".join(f"Driver_{number:02d}" for number in range(17))
    record = await harness.slash("compare", user=harness.member("ann"), drivers=names)
    assert record.reply.ephemeral
    assert "at most 16 drivers; 17 were given" in record.reply.text()
    assert "Over the limit: `Driver_16`." in record.reply.text()
    assert harness.gt.count() == 0


@pytest.mark.parametrize("drivers", ["Only_One", "", "   "])
async def test_fewer_than_two_drivers_are_refused(harness: Harness, drivers: str) -> None:
    record = await harness.slash("compare", user=harness.member("ann"), drivers=drivers)
    assert "at least 2 drivers" in record.reply.text()


async def test_every_offending_entry_is_named(harness: Harness) -> None:
    ann, bob = harness.member("ann"), harness.member("bob")
    await link(harness, ann, "Ann_Linked")
    record = await harness.slash(
        "compare", user=ann, drivers="Good_One ../x a/b Good_One 🏎️🏎️🏎️ xy Twenty_Characters_X"
    )
    text = record.reply.text()
    assert record.reply.ephemeral
    for entry in ("`../x`", "`a/b`", "`🏎️🏎️🏎️`", "`xy`", "`Twenty_Characters_X`"):
        assert entry in text
    assert "`Good_One` is listed twice" in text

    record = await harness.slash("compare", user=ann, drivers=f"{ann.mention} {bob.mention} Ann_Linked")
    text = record.reply.text()
    assert f"<@{bob.id}> has not linked a PSN ID here" in text
    assert "Ann_Linked" in text
    assert "already in the list" in text
    assert harness.gt.count("/api/racers", method="GET") == 1  # only /link's


async def test_compare_serves_stored_drivers_as_of_when_upstream_fails(harness: Harness) -> None:
    ann, bob = harness.member("ann"), harness.member("bob")
    await link(harness, ann, "Ann_Stored", dr_points=40_000)
    await link(harness, bob, "Bob_Stored", dr_points=30_000)
    harness.clock.advance(2 * 3600)
    harness.gt.fail(503, times=None, path_prefix="/api/racers")
    record = await harness.clock.run_until(
        harness.slash("compare", user=ann, drivers="Ann_Stored Bob_Stored Never_Seen")
    )
    description = record.reply.embed["description"]
    rows = table_rows(description)
    assert [row.split()[1] for row in rows] == ["Ann_Stored*", "Bob_Stored*"]
    assert "stored data, the oldest as of <t:" in description
    assert "GT Grid Stats is not answering right now." in description
    assert "Could not look up `Never_Seen`" in description


async def test_compare_with_nothing_stored_and_upstream_down_is_a_clear_message(harness: Harness) -> None:
    harness.gt.fail(401, times=None, path_prefix="/api/racers")
    record = await harness.slash("compare", user=harness.member("ann"), drivers="Some_One Some_Two")
    assert "API key was refused" in record.reply.text()
    assert record.reply.embeds == []

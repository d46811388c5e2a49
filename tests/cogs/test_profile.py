"""/profile: stored snapshots first, deferred fetches and syncs, upstream failures, expired interactions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.gtgridstats import GTGridStatsClient
from tests.conftest import API_KEY, Harness
from tests.standins.discord_api import InteractionRecord
from tests.standins.interactions import FakeChannel, FakeGuild, FakeUser

MakeHarness = Callable[..., Awaitable[Harness]]


def fields_of(record: InteractionRecord) -> dict[str, str]:
    return {field["name"]: field["value"] for field in record.reply.embed["fields"]}


async def link(harness: Harness, user: FakeUser, psn_id: str, **driver: Any) -> None:
    harness.gt.dataset.add_driver(psn_id, **driver)
    record = await harness.slash("link", user=user, psn_id=psn_id)
    assert "now linked to" in record.reply.text(), record.reply.text()


def deferred_records(harness: Harness) -> list[InteractionRecord]:
    unique = {id(record): record for record in harness.discord.interactions.values()}
    return [record for record in unique.values() if record.deferred]


async def test_profile_without_options_and_without_a_link_explains_link(harness: Harness) -> None:
    record = await harness.slash("profile", user=harness.member("ann"))
    assert record.reply.ephemeral
    assert "Use `/link psn_id:<your PSN ID>`" in record.reply.text()
    assert harness.gt.count() == 0


async def test_own_profile_is_served_from_the_fresh_snapshot_without_a_call(harness: Harness) -> None:
    ann = harness.member("ann")
    await link(
        harness,
        ann,
        "Fast_Ann",
        dr_points=31_500,
        nickname="Annie",
        country_code="JP",
        stats={"total_races": 200, "victories": 50, "poles": 7, "fastest_laps": 9, "clean_races": 80},
    )
    harness.gt.reset_counts()
    record = await harness.slash("profile", user=ann)
    assert not record.deferred
    assert not record.reply.ephemeral
    assert harness.gt.count() == 0
    embed = record.reply.embed
    assert embed["title"] == "🇯🇵 Annie"
    assert "PSN ID `Fast_Ann`" in embed["description"]
    assert f"<@{ann.id}>" in embed["description"]
    fields = fields_of(record)
    assert fields["Driver Rating"] == "A"
    assert fields["Sportsmanship"] == "S"
    assert fields["DR points"] == "31,500"
    assert fields["Races"] == "200"
    assert fields["Wins"] == "50"
    assert fields["Win rate"] == "25%"
    assert fields["Poles"] == "7"
    assert fields["Fastest laps"] == "9"
    assert fields["Clean races"] == "80"
    assert fields["Licence"] == "S"
    assert fields["Collector level"] == "30"
    assert fields["Garage"] == "150 cars (40% collected)"
    assert fields["Credits"] == "25,000,000"
    assert fields["Play time"] == "300h 0m"
    assert fields["Distance"] == "25,000.0 km"
    assert fields["Last GT Grid Stats sync"].startswith("<t:")
    assert fields["Last 7 days"] == "No earlier snapshot in the last 7 days yet."
    assert harness.bot.api.budget.usage.cache.hits >= 1


async def test_a_snapshot_older_than_the_refresh_interval_is_fetched_again(harness: Harness) -> None:
    ann = harness.member("ann")
    await link(harness, ann, "Aging_Ann", dr_points=12_000)
    harness.gt.dataset.add_driver("Aging_Ann", dr_points=12_600, stats={"total_races": 104, "victories": 11})
    harness.clock.advance(29 * 60)
    still_fresh = await harness.slash("profile", user=ann)
    assert fields_of(still_fresh)["DR points"] == "12,000"
    harness.gt.reset_counts()

    harness.clock.advance(2 * 60)
    record = await harness.slash("profile", user=ann)
    assert record.deferred
    assert harness.gt.count("/api/racers", method="GET") == 1
    fields = fields_of(record)
    assert fields["DR points"] == "12,600"
    assert fields["Last 7 days"].startswith("+600 DR points · +4 races · +1 win since <t:")


async def test_change_is_measured_from_the_oldest_snapshot_of_the_last_seven_days(harness: Harness) -> None:
    ann = harness.member("ann")
    await link(harness, ann, "Weekly_Ann", dr_points=10_000)
    harness.clock.advance(timedelta(days=3).total_seconds())
    harness.gt.dataset.add_driver("Weekly_Ann", dr_points=11_000)
    await harness.slash("profile", user=ann)
    harness.clock.advance(timedelta(days=5).total_seconds())  # the 10,000 answer is now 8 days old
    harness.gt.dataset.add_driver("Weekly_Ann", dr_points=11_500)
    record = await harness.slash("profile", user=ann)
    assert fields_of(record)["Last 7 days"].startswith("+500 DR points")


async def test_profile_of_another_member_and_of_any_psn_id(harness: Harness) -> None:
    ann, bob = harness.member("ann"), harness.member("bob")
    await link(harness, bob, "Bobs_Car", nickname="Bob")
    record = await harness.slash("profile", user=ann, member=bob)
    assert record.reply.embed["title"].endswith("Bob")
    assert f"<@{bob.id}>" in record.reply.embed["description"]

    harness.gt.dataset.add_driver("Stranger_9", nickname="Stranger")
    record = await harness.slash("profile", user=ann, psn_id="Stranger_9")
    assert record.deferred
    assert "PSN ID `Stranger_9`" in record.reply.embed["description"]


async def test_profile_of_an_unlinked_member_and_of_another_guilds_member(harness: Harness) -> None:
    ann, bob = harness.member("ann"), harness.member("bob")
    record = await harness.slash("profile", user=ann, member=bob)
    assert record.reply.ephemeral
    assert f"<@{bob.id}> has not linked a PSN ID in this server" in record.reply.text()

    elsewhere = harness.member("eve", guild=FakeGuild())
    await link(harness, elsewhere, "Eve_Elsewhere")
    record = await harness.slash("profile", user=ann, member=elsewhere)
    assert f"<@{elsewhere.id}> has not linked a PSN ID in this server" in record.reply.text()


async def test_member_and_psn_id_together_are_refused(harness: Harness) -> None:
    ann = harness.member("ann")
    record = await harness.slash("profile", user=ann, member=ann, psn_id="Someone_1")
    assert record.reply.text() == "Give either a member or a PSN ID, not both."


@pytest.mark.parametrize("bad", ["", "ab", "x" * 17, "two words", "../x", "a/b", "🙂🙂🙂"])
async def test_profile_refuses_invalid_psn_ids(harness: Harness, bad: str) -> None:
    record = await harness.slash("profile", user=harness.member("ann"), psn_id=bad)
    assert record.reply.ephemeral
    assert "is not a valid PSN ID" in record.reply.text()
    assert harness.gt.count() == 0


async def test_an_unindexed_driver_is_synced_with_progress_in_the_deferred_message(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Not_Indexed", indexed=False, nickname="Newbie")
    harness.gt.slow(0.2, path_prefix="/api/racers", times=None)
    ann = harness.member("ann")
    task = asyncio.ensure_future(harness.slash("profile", user=ann, psn_id="Not_Indexed"))
    await harness.discord.wait_for(
        lambda: any(
            r.original is not None
            and r.original.content == "Syncing 1 new driver with GT Grid Stats, about 3 s…"
            for r in deferred_records(harness)
        )
    )
    record = await task
    assert record.deferred
    assert record.reply.embed["title"].endswith("Newbie")
    assert harness.gt.count("/api/racers", method="GET") == 1
    assert harness.gt.count("/api/racers", method="POST") == 1


async def test_refresh_syncs_with_post_even_when_the_snapshot_is_fresh(harness: Harness) -> None:
    ann = harness.member("ann")
    await link(harness, ann, "Refresh_Me", dr_points=20_000)
    harness.gt.dataset.add_driver("Refresh_Me", dr_points=20_400)
    harness.clock.advance(6 * 60)  # past the refresh cooldown (5 min), still fresh (30 min)
    harness.gt.reset_counts()
    record = await harness.slash("profile", user=ann, refresh=True)
    assert record.deferred
    assert harness.gt.count("/api/racers", method="POST") == 1
    assert harness.gt.count("/api/racers", method="GET") == 0
    assert fields_of(record)["DR points"] == "20,400"


async def test_profile_of_a_driver_that_does_not_exist(harness: Harness) -> None:
    record = await harness.slash("profile", user=harness.member("ann"), psn_id="No_Such_One")
    assert record.deferred
    assert "GT Grid Stats has no driver `No_Such_One`" in record.reply.text()


async def test_the_defer_is_sent_before_any_upstream_call(make_harness: MakeHarness) -> None:
    harness = await make_harness(racer_batch_window_ms=250)
    harness.gt.dataset.add_driver("Order_Check")
    task = asyncio.ensure_future(harness.slash("profile", user=harness.member("ann"), psn_id="Order_Check"))
    await harness.discord.wait_for(lambda: len(deferred_records(harness)) == 1)
    assert harness.gt.count() == 0  # acknowledged first; the lookup waits for its batch
    record = await harness.clock.run_until(task)
    assert "Order_Check" in record.reply.text()
    assert harness.gt.count("/api/racers") == 1


async def test_twenty_profiles_in_one_window_cost_two_upstream_calls(make_harness: MakeHarness) -> None:
    harness = await make_harness(racer_batch_window_ms=250)
    names = [f"Batch_{number:02d}" for number in range(20)]
    for name in names:
        harness.gt.dataset.add_driver(name)
    users = [harness.member(f"user{number}") for number in range(20)]
    work = asyncio.ensure_future(
        asyncio.gather(
            *(
                harness.slash("profile", user=user, psn_id=name)
                for user, name in zip(users, names, strict=True)
            )
        )
    )
    await harness.discord.wait_for(lambda: len(deferred_records(harness)) == 20)
    records = await harness.clock.run_until(work)
    assert harness.gt.count("/api/racers", method="GET") == 2
    assert harness.gt.count("/api/racers", method="POST") == 0
    for record, name in zip(records, names, strict=True):
        assert f"PSN ID `{name}`" in record.reply.embed["description"]


async def test_a_driver_with_a_fresh_snapshot_is_never_fetched_again(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Popular_One")
    users = [harness.member(f"fan{number}") for number in range(10)]
    await harness.slash("profile", user=users[0], psn_id="Popular_One")
    harness.gt.reset_counts()
    records = await asyncio.gather(
        *(harness.slash("profile", user=user, psn_id="popular_one") for user in users)
    )
    assert harness.gt.count() == 0
    assert not any(record.deferred for record in records)


async def test_concurrent_lookups_of_one_driver_share_one_call(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Same_Driver")
    users = [harness.member(f"fan{number}") for number in range(8)]
    records = await asyncio.gather(
        *(harness.slash("profile", user=user, psn_id="Same_Driver") for user in users)
    )
    assert all("Same_Driver" in record.reply.text() for record in records)
    assert harness.gt.count("/api/racers") == 1


# --- upstream failures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, "API key was refused"),
        (404, "GT Grid Stats has no record of that."),
        (429, "Please try again in about 60 s."),
        (503, "GT Grid Stats is not answering right now."),
    ],
)
async def test_upstream_failure_without_stored_data_is_a_clear_message(
    harness: Harness, status: int, expected: str
) -> None:
    harness.gt.dataset.add_driver("Unlucky_One")
    harness.gt.fail(status, times=None, path_prefix="/api/racers")
    record = await harness.clock.run_until(
        harness.slash("profile", user=harness.member("ann"), psn_id="Unlucky_One")
    )
    assert record.deferred
    assert expected in record.reply.text()
    assert record.reply.embeds == []


@pytest.mark.parametrize("status", [401, 404, 429, 500, 502])
async def test_upstream_failure_with_a_stored_snapshot_shows_it_as_of(harness: Harness, status: int) -> None:
    ann = harness.member("ann")
    await link(harness, ann, "Stored_Ann", dr_points=15_000)
    linked_at = harness.clock.now()
    harness.clock.advance(3600)
    harness.gt.fail(status, times=None, path_prefix="/api/racers")
    record = await harness.clock.run_until(harness.slash("profile", user=ann))
    assert record.deferred
    description = record.reply.embed["description"]
    assert "⚠️" in description
    assert f"as of <t:{int(linked_at.timestamp())}:f>" in description
    assert fields_of(record)["DR points"] == "15,000"


async def test_dropped_connections_and_bad_json_are_clear_messages(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Flaky_One")
    harness.gt.drop(times=None, path_prefix="/api/racers")
    record = await harness.clock.run_until(
        harness.slash("profile", user=harness.member("ann"), psn_id="Flaky_One")
    )
    assert "GT Grid Stats is not answering right now." in record.reply.text()
    harness.gt.clear_faults()
    harness.gt.malformed(times=None, path_prefix="/api/racers")
    record = await harness.slash("profile", user=harness.member("bob"), psn_id="Flaky_One")
    assert "GT Grid Stats sent an answer the bot could not read." in record.reply.text()


async def test_upstream_timeouts_are_a_clear_message(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Timed_Out")
    harness.gt.slow(0.5, times=None, path_prefix="/api/racers")
    # The same client as the bot's, with a timeout short enough for a test.
    async with GTGridStatsClient(
        base_url=harness.gt.base_url,
        api_key=API_KEY,
        budget=harness.bot.api.budget,
        clock=harness.clock,
        timeout_seconds=0.2,
    ) as impatient:
        harness.bot.drivers.api = impatient
        record = await harness.clock.run_until(
            harness.slash("profile", user=harness.member("ann"), psn_id="Timed_Out")
        )
    assert "GT Grid Stats is not answering right now." in record.reply.text()
    assert harness.gt.count("/api/racers", method="GET") == 3  # the first try and two retries


# --- renames and expiry -------------------------------------------------------------------------------


async def test_a_psn_rename_is_followed_through_the_guid(harness: Harness) -> None:
    ann = harness.member("ann")
    await link(harness, ann, "Old_Name")
    driver = harness.gt.dataset.driver("Old_Name")
    assert driver is not None
    renamed = harness.gt.dataset.add_driver("New_Name", guid=driver.guid, dr_points=13_000)
    harness.gt.dataset.drivers["old_name"] = renamed  # the server still answers the old name
    harness.clock.advance(31 * 60)
    record = await harness.slash("profile", user=ann)
    assert "PSN ID `New_Name`" in record.reply.embed["description"]
    link_now = await harness.bot.links.get(harness.guild.id, ann.id)
    assert link_now is not None
    assert link_now.psn_id == "New_Name"
    history = await harness.slash("history", user=ann)
    assert "2 stored snapshots" in history.reply.text()


async def test_an_expired_interaction_still_delivers_in_the_channel(make_harness: MakeHarness) -> None:
    harness = await make_harness(racer_batch_window_ms=250)
    harness.gt.dataset.add_driver("Late_Answer", nickname="Latecomer")
    ann = harness.member("ann")
    task = asyncio.ensure_future(harness.slash("profile", user=ann, psn_id="Late_Answer"))
    await harness.discord.wait_for(lambda: len(deferred_records(harness)) == 1)
    harness.discord.expired_tokens.add(deferred_records(harness)[0].token)
    record = await harness.clock.run_until(task)
    assert record.original is not None
    assert record.original.loading  # the deferred message itself could not be filled
    posted = harness.discord.messages_in(harness.guild.channel_id)
    assert len(posted) == 1
    assert posted[0].content is not None
    assert posted[0].content.startswith(f"<@{ann.id}>, here is your `/profile` answer")
    assert posted[0].embed["title"].endswith("Latecomer")


async def test_an_expired_interaction_in_a_closed_channel_is_logged(
    make_harness: MakeHarness, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await make_harness(racer_batch_window_ms=250)
    harness.gt.dataset.add_driver("Nowhere_To_Go")
    harness.discord.forbidden_channels.add(harness.guild.channel_id)
    task = asyncio.ensure_future(harness.slash("profile", user=harness.member("ann"), psn_id="Nowhere_To_Go"))
    await harness.discord.wait_for(lambda: len(deferred_records(harness)) == 1)
    harness.discord.expired_tokens.add(deferred_records(harness)[0].token)
    with caplog.at_level(logging.WARNING, logger="cogs.drivers"):
        await harness.clock.run_until(task)
    assert "the answer could not be posted in channel" in caplog.text
    assert harness.discord.messages_in(harness.guild.channel_id) == []


@pytest.mark.parametrize(
    ("points", "dr_class"),
    [
        (11_027, "18,973 DR points to reach A.\nDrops to C after losing 1,028 DR points."),
        (56_101, "A+ is the top DR class.\nDrops to A after losing 6,102 DR points."),
        (1_500, "500 DR points to reach D.\nE is the first DR class: there is no class below."),
    ],
)
async def test_profile_shows_the_distance_to_the_next_class_and_to_the_class_below(
    harness: Harness, points: int, dr_class: str
) -> None:
    ann = harness.member("ann")
    await link(harness, ann, "Fast_Ann", dr_points=points)
    fields = fields_of(await harness.slash("profile", user=ann))
    assert fields["DR class"] == dr_class
    assert fields["Last class change"] == "No class change seen yet."


async def test_profile_shows_the_last_class_change_with_its_date(harness: Harness) -> None:
    ann = harness.member("ann")
    await link(harness, ann, "Fast_Ann", dr_points=9_500)
    tracking = harness.bot.get_cog("Tracking")
    assert tracking is not None
    await tracking.stop_loops()  # type: ignore[attr-defined]
    channel = FakeChannel(harness.guild, name="driver-news")
    await harness.slash("tracking channel", user=harness.member("org", manager=True), channel=channel)
    harness.gt.dataset.add_driver("Fast_Ann", dr_points=10_200)  # C -> B
    harness.clock.advance(31 * 60)
    await harness.clock.run_until(tracking.refresh_once())  # type: ignore[attr-defined]
    assert len(harness.discord.messages_in(channel.id)) == 1
    changed_at = int(harness.clock.now().timestamp())
    fields = fields_of(await harness.slash("profile", user=ann))
    assert fields["Last class change"] == f"DR C → B on <t:{changed_at}:D>"
    assert fields["DR class"].startswith("19,800 DR points to reach A.")

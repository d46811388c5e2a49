"""Fair use of the upstream budget, through the real bot: one member (or one server) cannot spend the
quota for everyone; unknown drivers and forced refreshes are not repeated; stored answers show their age."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from tests.conftest import Harness
from tests.standins.discord_api import InteractionRecord
from tests.standins.interactions import FakeGuild, FakeUser

MakeHarness = Callable[..., Awaitable[Harness]]

HOSTILE = {"member_upstream_per_minute": 4, "member_upstream_per_day": 50}


async def link(harness: Harness, user: FakeUser, psn_id: str, **driver: object) -> None:
    harness.gt.dataset.add_driver(psn_id, **driver)  # type: ignore[arg-type]
    record = await harness.slash("link", user=user, psn_id=psn_id)
    assert "now linked to" in record.reply.text(), record.reply.text()


def refused(records: Sequence[InteractionRecord], words: str) -> list[InteractionRecord]:
    return [record for record in records if words in record.reply.text()]


async def test_a_burst_of_twenty_commands_from_one_member_costs_at_most_eight_calls(
    make_harness: MakeHarness,
) -> None:
    harness = await make_harness(**HOSTILE)
    mallory = harness.member("mallory")
    await link(harness, mallory, "Mallory_Main")
    harness.clock.advance(10 * 60)  # the link's calls are long refilled; the profile is still fresh
    harness.gt.reset_counts()
    records = []
    for number in range(10):  # 20 commands within 57 s: unknown drivers and forced refreshes, mixed
        records.append(await harness.slash("profile", user=mallory, psn_id=f"Ghost_{number:02d}"))
        harness.clock.advance(3)
        records.append(await harness.slash("profile", user=mallory, refresh=True))
        harness.clock.advance(3)
    assert harness.gt.count() <= 8
    slow_down = refused(records, "You are asking GT Grid Stats faster than the bot allows one member")
    assert slow_down
    assert all(record.reply.ephemeral and "Try again <t:" in record.reply.text() for record in slow_down)
    assert any("GT Grid Stats has no driver `Ghost_00`" in record.reply.text() for record in records)
    assert any("next refresh is possible <t:" in record.reply.text() for record in records)


async def test_a_members_daily_cost_is_bounded_by_the_setting(make_harness: MakeHarness) -> None:
    harness = await make_harness(member_upstream_per_minute=4, member_upstream_per_day=6)
    mallory = harness.member("mallory")
    records = []
    for number in range(12):  # one a minute: never the per-minute limit, only the daily one
        harness.gt.dataset.add_driver(f"Daily_{number:02d}")
        records.append(await harness.slash("profile", user=mallory, psn_id=f"Daily_{number:02d}"))
        harness.clock.advance(60)
    assert harness.gt.count() <= 6
    capped = refused(records, "You have used your GT Grid Stats lookups for today")
    assert len(capped) >= 6
    assert all(record.reply.ephemeral for record in capped)
    # Someone else in the same server is not affected; and the next quota day, neither is mallory.
    other = await harness.slash("profile", user=harness.member("alice"), psn_id="Daily_11")
    assert "PSN ID `Daily_11`" in other.reply.text()
    harness.clock.advance(timedelta(days=1).total_seconds())
    harness.gt.dataset.add_driver("Next_Day")
    again = await harness.slash("profile", user=mallory, psn_id="Next_Day")
    assert "PSN ID `Next_Day`" in again.reply.text()


async def test_while_the_quota_is_scarce_one_server_takes_only_its_share(make_harness: MakeHarness) -> None:
    harness = await make_harness()
    harness.gt.quota_limit, harness.gt.quota_remaining = 100, 21  # fewer than 25 % left
    names = [f"Share_{number:02d}" for number in range(20)]
    for name in names:
        harness.gt.dataset.add_driver(name)
    # Many members of one server (no per-member limit helps here): each looks up a new driver.
    records = [
        await harness.slash("profile", user=harness.member(f"raider{number}"), psn_id=name)
        for number, name in enumerate(names)
    ]
    spent = harness.gt.count()
    # The first call taught the bot the quota (20 left = the pool); one server of 1 (+1 kept) gets 10.
    assert spent <= 11
    held_back = refused(records, "this server has used its fair share of what is left")
    assert held_back
    assert all(record.reply.ephemeral and "It resets <t:" in record.reply.text() for record in held_back)

    harness.gt.reset_counts()
    elsewhere = harness.member("bea", guild=FakeGuild(name="Other Guild"))
    harness.gt.dataset.add_driver("Bea_Drives", nickname="Bea")
    record = await harness.slash("profile", user=elsewhere, psn_id="Bea_Drives")
    assert record.reply.embed["title"].endswith("Bea")
    assert harness.gt.count() == 1


async def test_an_unknown_psn_id_is_remembered_for_the_refresh_interval(harness: Harness) -> None:
    first = await harness.slash("profile", user=harness.member("ann"), psn_id="No_Such_Racer")
    assert "GT Grid Stats has no driver `No_Such_Racer`" in first.reply.text()
    assert harness.gt.count("/api/racers") == 2  # GET (not indexed), then POST sync (unknown)
    harness.gt.reset_counts()
    for name in ("bob", "cid"):
        again = await harness.slash("profile", user=harness.member(name), psn_id="no_such_racer")
        assert "GT Grid Stats has no driver `no_such_racer`" in again.reply.text()
    link = await harness.slash("link", user=harness.member("dee"), psn_id="No_Such_Racer")
    assert "GT Grid Stats has no driver" in link.reply.text()
    assert harness.gt.count() == 0
    harness.clock.advance(31 * 60)
    harness.gt.dataset.add_driver("No_Such_Racer", nickname="Finally")
    later = await harness.slash("profile", user=harness.member("eve"), psn_id="No_Such_Racer")
    assert later.reply.embed["title"].endswith("Finally")
    assert harness.gt.count("/api/racers") == 1


async def test_refresh_within_the_cooldown_serves_the_stored_profile_and_says_when(
    harness: Harness,
) -> None:
    ann = harness.member("ann")
    await link(harness, ann, "Cool_Down", dr_points=20_000)
    fetched_at = harness.clock.now()
    harness.gt.dataset.add_driver("Cool_Down", dr_points=20_400)
    harness.clock.advance(2 * 60)
    harness.gt.reset_counts()
    record = await harness.slash("profile", user=ann, refresh=True)
    assert not record.deferred
    assert harness.gt.count() == 0
    next_at = int((fetched_at + timedelta(minutes=5)).timestamp())
    assert f"The next refresh is possible <t:{next_at}:R>." in record.reply.text()
    assert "20,000" in str(record.reply.embed)

    harness.clock.advance(4 * 60)
    record = await harness.slash("profile", user=ann, refresh=True)
    assert harness.gt.count("/api/racers", method="POST") == 1
    assert "20,400" in str(record.reply.embed)
    assert "next refresh" not in record.reply.text()


async def test_joining_an_in_flight_lookup_leaves_no_false_freshness(harness: Harness) -> None:
    ann, bob = harness.member("ann"), harness.member("bob")
    await link(harness, ann, "Joined_Ann", dr_points=14_000)
    harness.clock.advance(31 * 60)  # stale: the next /profile fetches
    arrived, release = asyncio.Event(), asyncio.Event()

    async def held(_: float) -> None:
        arrived.set()
        await release.wait()

    harness.gt.sleep = held
    harness.gt.slow(1.0, path_prefix="/api/racers", times=1)
    drivers = harness.bot.drivers
    original_get = drivers.indexed.get
    lookups: list[Sequence[str]] = []
    joined = asyncio.Event()

    async def counting_get(psn_ids: Sequence[str]) -> dict[str, object]:
        lookups.append(psn_ids)
        if len(lookups) == 2:
            joined.set()
        return await original_get(psn_ids)  # type: ignore[return-value]

    drivers.indexed.get = counting_get  # type: ignore[assignment,method-assign]
    first = asyncio.ensure_future(harness.slash("profile", user=ann))
    await arrived.wait()  # ann's GET is at GT Grid Stats, held there
    second = asyncio.ensure_future(harness.slash("profile", user=bob, member=ann))
    await joined.wait()  # bob's lookup joined the request in flight
    release.set()
    await asyncio.gather(first, second)
    drivers.indexed.get = original_get  # type: ignore[method-assign]

    harness.clock.advance(2 * 3600)
    harness.gt.reset_counts()
    record = await harness.slash("profile", user=ann)
    # Two hours later the stored answer is old: it is fetched again (or, failing that, shown "as of").
    assert harness.gt.count("/api/racers", method="GET") == 1
    assert record.deferred
    assert "⚠️" not in record.reply.embed["description"]


def test_member_buckets_are_bounded_and_refill() -> None:
    from bot.gtgridstats.budget import QuotaSnapshot
    from bot.services.fair_use import FairUse, LimitKind, Requester, UpstreamRateLimited
    from tests.standins.clock import ManualClock

    clock = ManualClock()
    fair = FairUse(clock, per_minute=4, per_day=50, scarce_percent=25, max_members=100)
    quota = QuotaSnapshot(limit=None, remaining=None, resets_at=None)
    for member in range(1_000):  # a flood of distinct members keeps at most 100 buckets
        fair.reserve(Requester(guild_id=1, member_id=member), 1, quota).settle()
    assert len(fair) == 100
    one = Requester(guild_id=1, member_id=5)
    fair.reserve(one, 4, quota).settle()  # spent nothing: all given back
    ticket = fair.reserve(one, 4, quota)
    ticket.spend(4)
    ticket.settle()
    try:
        fair.reserve(one, 1, quota)
    except UpstreamRateLimited as error:
        assert error.kind is LimitKind.MEMBER_MINUTE
        assert error.retry_at == clock.now() + timedelta(seconds=15)
    else:
        raise AssertionError("an empty bucket must refuse")
    clock.advance(15)
    fair.reserve(one, 1, quota).settle()


async def test_a_burst_of_standings_from_one_member_is_refused_after_the_member_rate(
    make_harness: MakeHarness,
) -> None:
    harness = await make_harness(**HOSTILE)
    psn_ids = [f"Grid_{number:02d}" for number in range(20)]  # 2 calls of 16 + 4 per series
    for series_id in range(7001, 7006):
        harness.gt.dataset.add_series(
            series_id, "Burst Cup", {psn: (n + 1, [(1, 100 - n, True)]) for n, psn in enumerate(psn_ids)}
        )
    mallory = harness.member("mallory")
    drivers = " ".join(psn_ids)
    records = []
    for series_id in range(7001, 7006):  # 5 series within 10 s: 10 calls wanted, 4 a minute allowed
        records.append(await harness.slash("standings", user=mallory, series=series_id, drivers=drivers))
        harness.clock.advance(2)
    assert harness.gt.count("/api/series-") <= 4
    assert "Burst Cup" in records[0].reply.embed["title"]
    slow_down = refused(records, "You are asking GT Grid Stats faster than the bot allows one member")
    assert len(slow_down) >= 3
    assert all(record.reply.ephemeral and "Try again <t:" in record.reply.text() for record in slow_down)
    # What is kept costs nothing, so it is not refused; someone else is not held back by mallory.
    harness.gt.reset_counts()
    again = await harness.slash("standings", user=mallory, series=7001, drivers=drivers)
    assert "Burst Cup" in again.reply.embed["title"]
    other = await harness.slash("standings", user=harness.member("alice"), series=7005, drivers=drivers)
    assert "Burst Cup" in other.reply.embed["title"]
    assert harness.gt.count("/api/series-") == 2

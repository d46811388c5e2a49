"""The refresh planner on its own: cycle cost, the refresh interval, priority, the spread quota share."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.planner import DAY_START, day_drivers, simulate_day
from bot.gtgridstats.planner import (
    BackgroundLedger,
    PlannerConfig,
    QuotaState,
    WantedDriver,
    plan,
    plan_calls,
    wanted_drivers,
)
from bot.ui.planner_text import refresh_summary_text

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
RESET = datetime(2026, 12, 2, tzinfo=UTC)
INTERVAL = timedelta(minutes=30)


def drivers(count: int) -> list[WantedDriver]:
    return [WantedDriver(f"P{n:05d}", 1) for n in range(count)]


@settings(max_examples=60, deadline=None)
@given(count=st.integers(min_value=0, max_value=700))
def test_a_cycle_costs_exactly_ceil_distinct_over_16_calls_even_asked_one_call_at_a_time(count: int) -> None:
    wanted = drivers(count)
    ledger = BackgroundLedger()
    now = NOW
    sent: list[tuple[str, ...]] = []
    while True:
        result = plan(wanted, now, QuotaState(), ledger)
        ledger = result.ledger
        if not result.calls:
            assert result.wake_at is None or result.wake_at > now
            if result.wake_at is None or result.wake_at >= NOW + INTERVAL:
                break
            now = result.wake_at
            continue
        call = result.calls[0]
        sent.append(call)
        ledger = ledger.record_call(now)
        fetched = set(call)
        wanted = [
            WantedDriver(d.psn_id, d.servers, d.league_soon, now if d.psn_id in fetched else d.last_fetched)
            for d in wanted
        ]
    assert len(sent) == math.ceil(count / 16)
    assert all(len(call) <= 16 for call in sent)
    flat = [psn for call in sent for psn in call]
    assert sorted(flat) == sorted(d.psn_id for d in drivers(count))


def test_a_driver_linked_in_five_servers_is_fetched_once() -> None:
    links = [(guild, "Shared_Driver") for guild in range(5)] + [
        (guild, "shared_driver") for guild in range(3)
    ]
    links += [(0, "Solo_Driver")]
    wanted = wanted_drivers(links)
    assert sorted((d.psn_id, d.servers) for d in wanted) == [("Shared_Driver", 5), ("Solo_Driver", 1)]
    calls = plan_calls(wanted, NOW, INTERVAL).calls
    assert calls == (("Shared_Driver", "Solo_Driver"),)


@settings(max_examples=100, deadline=None)
@given(ages=st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=7200)), max_size=80))
def test_no_driver_fetched_less_than_the_refresh_interval_ago_is_planned(ages: list[int | None]) -> None:
    wanted = [
        WantedDriver(f"P{n:03d}", 1, False, None if age is None else NOW - timedelta(seconds=age))
        for n, age in enumerate(ages)
    ]
    result = plan_calls(wanted, NOW, INTERVAL)
    planned = {psn for call in result.calls for psn in call}
    expected = {d.psn_id for d in wanted if d.last_fetched is None or NOW - d.last_fetched >= INTERVAL}
    assert planned == expected
    assert result.due == len(expected)


def test_priority_league_soon_then_more_servers_then_stalest() -> None:
    old, older = NOW - timedelta(hours=1), NOW - timedelta(hours=5)
    wanted = [
        WantedDriver("Stale_One", 1, False, older),
        WantedDriver("Fresh_Solo", 1, False, old),
        WantedDriver("Never_Solo", 1, False, None),
        WantedDriver("Three_Servers", 3, False, old),
        WantedDriver("Two_Servers", 2, False, older),
        WantedDriver("League_Solo", 1, True, old),
        WantedDriver("Young_League", 1, True, NOW - timedelta(minutes=5)),
    ]
    calls = plan_calls(wanted, NOW, INTERVAL, batch_size=2).calls
    assert calls == (
        ("League_Solo", "Three_Servers"),
        ("Two_Servers", "Never_Solo"),
        ("Stale_One", "Fresh_Solo"),
    )


def test_the_share_is_spread_over_the_day_never_bunched_and_never_above_share_of_remaining() -> None:
    day = simulate_day(200)
    assert day.too_many == 0
    assert day.share_respected
    assert day.initial_allowance == 100
    assert 0 < day.background <= 100
    # The k-th background call (0-based) never comes before k of the allowance's even slots have passed.
    slot = timedelta(days=1) / 100
    for k, moment in enumerate(day.background_times):
        assert moment >= DAY_START + slot * k - timedelta(seconds=1), (k, moment)
    morning = [moment for moment in day.background_times if moment < DAY_START + timedelta(hours=6)]
    assert len(morning) <= 100 // 4 + 1
    assert day.min_refetch is not None
    assert day.min_refetch >= INTERVAL
    assert day.refreshed == 230


def test_a_five_call_key_refreshes_what_it_can_in_priority_order_and_says_so() -> None:
    day = simulate_day(5)
    assert day.too_many == 0
    assert day.share_respected
    assert day.background == 2  # floor(5 × 0.5), one at 00:00 and one at 12:00
    assert [moment.hour for moment in day.background_times] == [0, 12]
    assert day.interactive == 2
    assert day.refused == 0
    assert day.refreshed == 32  # the 32 drivers first in line: the league's
    assert day.first_summary == (
        "Keeping 230 drivers fresh needs 15 calls a cycle; today's share allows only 2 calls, not a full "
        "cycle: the 32 drivers first in line (leagues posting soon, then drivers linked in more servers) are "
        "refreshed, the other 198 wait."
    )


def test_interactive_use_lowers_what_background_may_still_spend() -> None:
    ledger = BackgroundLedger().observe(QuotaState(200, 200, RESET), 0.5)
    assert ledger.allowance_left == 100
    ledger = ledger.record_call(NOW)
    assert ledger.allowance_left == 99
    # Interactive commands used 150: only half of the 49 left may go to background.
    ledger = ledger.observe(QuotaState(200, 49, RESET), 0.5)
    assert ledger.allowance_left == 24
    # It never grows back within the period, even if remaining is reported higher...
    assert ledger.observe(QuotaState(200, 120, RESET), 0.5).allowance_left == 24
    # ...but a new period starts a new allowance.
    assert ledger.observe(QuotaState(200, 200, RESET + timedelta(days=1)), 0.5).allowance_left == 100


def test_unknown_quota_is_paced_by_the_per_minute_limit_only() -> None:
    config = PlannerConfig(background_per_window=10)
    wanted = drivers(64)
    first = plan(wanted, NOW, QuotaState(), BackgroundLedger(), config)
    assert first.pacing.allowance is None
    assert len(first.calls) == 1
    ledger = first.ledger.record_call(NOW)
    second = plan(wanted, NOW, QuotaState(), ledger, config)
    assert second.calls == ()
    assert second.pacing.next_call_at == NOW + timedelta(seconds=6.1)
    assert second.pacing.gap == timedelta(seconds=6.1)
    day = simulate_day(None)
    assert day.too_many == 0
    assert day.fresh_share > 0.95
    assert day.min_refetch == INTERVAL


def test_a_used_up_share_plans_nothing_until_the_reset() -> None:
    ledger = BackgroundLedger().observe(QuotaState(5, 1, RESET), 0.5)
    result = plan(drivers(10), NOW, QuotaState(5, 1, RESET), ledger)
    assert result.calls == ()
    assert result.pacing.next_call_at is None
    assert result.wake_at == RESET
    assert "used up" in refresh_summary_text(result.summary)


def test_a_stale_quota_state_past_its_reset_counts_as_a_new_day() -> None:
    result = plan(drivers(10), RESET + timedelta(minutes=1), QuotaState(5, 0, RESET), BackgroundLedger())
    assert result.pacing.allowance == 2
    assert len(result.calls) == 1


def test_summary_numbers_and_words_for_230_drivers() -> None:
    # 60 calls of background share left, 24 h to the reset: 4 cycles of 15 calls, one every 6 h.
    now = DAY_START
    result = plan(day_drivers(), now, QuotaState(200, 120, now + timedelta(days=1)), BackgroundLedger())
    summary = result.summary
    assert (summary.drivers, summary.calls_per_cycle, summary.allowance, summary.cycles) == (230, 15, 60, 4)
    assert summary.cadence == timedelta(hours=6)
    assert not summary.keeps_everyone_fresh
    assert result.min_age == timedelta(hours=6)
    assert refresh_summary_text(summary) == (
        "Keeping 230 drivers fresh needs 15 calls a cycle; today's share allows 4 cycles, about one every "
        "6 h. Not everyone can be kept fresh: each cycle goes in priority order."
    )


def test_summary_when_the_share_keeps_everyone_fresh() -> None:
    now = DAY_START + timedelta(hours=23)  # one hour left: two cycles needed, 1,000 calls of share
    result = plan(drivers(20), now, QuotaState(5000, 2000, DAY_START + timedelta(days=1)), BackgroundLedger())
    assert result.summary.keeps_everyone_fresh
    assert result.min_age == INTERVAL
    assert refresh_summary_text(result.summary).endswith("Everyone stays fresh.")
    assert refresh_summary_text(plan([], now, QuotaState(), BackgroundLedger()).summary) == (
        "No linked drivers to keep fresh yet."
    )

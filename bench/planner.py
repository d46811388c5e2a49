"""The background refresh planner (issue #11): calls per cycle, planning and diff time, memory, a day.

Run: `.venv/bin/python -m bench.planner`. Pure computation, no stand-ins: the planner and the change detector
are pure modules, so the benchmark drives them directly.

1. Scale. 2,500 servers × 40 linked members = 100,000 links, 30 % of the distinct drivers linked in 2–4
   servers (62,500 distinct drivers). Calls a full refresh cycle is planned into, against the minimum
   ceil(distinct / 16) (target 1.00×); time to turn the links into wanted drivers and plan the cycle, time to
   plan the next single call (what the loop does before each call), and time to diff 100,000 drivers'
   rating snapshots (target < 1 s for planning a cycle plus the diff); resident memory (VmRSS) holding it all.
2. A simulated day: 230 drivers (32 in a league that posts soon, 30 % in several servers) under a 200-call
   and a 5-call daily quota, and with no quota known. The planner is asked again at each wake-up it names;
   interactive commands arrive on a fixed pattern (200 calls: one every 15 minutes from 08:00, plus 12 at once
   at 20:00; 5 calls: one at 09:00 and one at 20:00; no quota: as for 200). Every call, interactive first,
   passes a model of the budget's rolling limiter (10 in any 61 s); a 429 is counted whenever the server's
   60 s window would see more than 10 calls, or a call goes out with the quota used up.
"""

from __future__ import annotations

import bisect
import itertools
import math
import os
import platform
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.gtgridstats.limiter import background_slots
from bot.gtgridstats.planner import (
    BackgroundLedger,
    PlannerConfig,
    QuotaState,
    WantedDriver,
    calls_per_cycle,
    plan,
    plan_calls,
    wanted_drivers,
)
from bot.services.change_detect import RatingSnapshot, detect_changes
from bot.services.ratings import DR_CLASSES, SR_CLASSES
from bot.ui.planner_text import refresh_summary_text

SERVERS = 2_500
MEMBERS_PER_SERVER = 40
MULTI_SHARE = 0.30
METERED_PER_MINUTE = 10  # GT Grid Stats' metered limit, as the bot's default settings
SERVER_WINDOW = timedelta(seconds=60)  # GT Grid Stats' own window (the bot counts over 61 s)
DAY_START = datetime(2026, 12, 1, tzinfo=UTC)


def rss_mib() -> float:
    """Resident memory of this process, from /proc/self/status (VmRSS), in MiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{memory:.0f} GiB, {platform.machine()}"
    )


# --- 1. scale -------------------------------------------------------------------------------------------


def scale_links(seed: int = 11) -> list[tuple[int, str]]:
    """100,000 (guild, PSN ID) links, exactly 40 per server, 30 % of distinct drivers in 2–4 servers."""
    links_total = SERVERS * MEMBERS_PER_SERVER
    # 0.7 × 1 + 0.3 × 3 = 1.6 links per driver on average.
    distinct = round(links_total / (1 - MULTI_SHARE + MULTI_SHARE * 3))
    rng = random.Random(seed)
    multi = set(rng.sample(range(distinct), round(distinct * MULTI_SHARE)))
    tokens: list[str] = []
    for number in range(distinct):
        copies = 2 + number % 3 if number in multi else 1
        tokens += [f"D{number:06d}"] * copies
    while len(tokens) < links_total:  # the 2–4 copies average a little under 3: top up with singles
        tokens.append(f"D{distinct:06d}")
        distinct += 1
    tokens = tokens[:links_total]
    # Token j goes to server j mod 2,500: a driver's (consecutive) copies land in distinct servers.
    return [(j % SERVERS, psn) for j, psn in enumerate(tokens)]


@dataclass
class ScaleResult:
    links: int
    distinct: int
    multi: int
    calls: int
    minimum: int
    each_once: bool
    wanted_seconds: float
    plan_cycle_seconds: float
    next_call_seconds: float
    diff_seconds: float
    changes: int
    rss_before: float
    rss_after: float


def run_scale() -> ScaleResult:
    rss_before = rss_mib()
    links = scale_links()
    now = DAY_START + timedelta(hours=12)
    rng = random.Random(5)
    psns = sorted({psn for _, psn in links})
    league = set(rng.sample(psns, 2_000))
    fetched = {psn.lower(): now - timedelta(minutes=rng.randrange(0, 600)) for psn in psns}

    started = time.perf_counter()
    drivers = wanted_drivers(links, league, fetched)
    wanted_seconds = time.perf_counter() - started
    config = PlannerConfig()
    started = time.perf_counter()
    cycle = plan_calls(drivers, now, timedelta(0), config.batch_size)
    plan_cycle_seconds = time.perf_counter() - started
    started = time.perf_counter()
    plan(drivers, now, QuotaState(), BackgroundLedger(), config)
    next_call_seconds = time.perf_counter() - started
    planned = [psn for call in cycle.calls for psn in call]

    previous = {f"P{n:06d}": _snapshot(rng) for n in range(100_000)}
    current = {psn: (_changed(snap, rng) if rng.random() < 0.05 else snap) for psn, snap in previous.items()}
    started = time.perf_counter()
    changes = detect_changes(previous, current)
    diff_seconds = time.perf_counter() - started
    rss_after = rss_mib()
    return ScaleResult(
        links=len(links),
        distinct=len(drivers),
        multi=sum(1 for driver in drivers if driver.servers > 1),
        calls=len(cycle.calls),
        minimum=calls_per_cycle(len(drivers)),
        each_once=len(planned) == len(set(planned)) == len(drivers),
        wanted_seconds=wanted_seconds,
        plan_cycle_seconds=plan_cycle_seconds,
        next_call_seconds=next_call_seconds,
        diff_seconds=diff_seconds,
        changes=len(changes),
        rss_before=rss_before,
        rss_after=rss_after,
    )


_BOUNDS = (0, 2_000, 4_000, 10_000, 30_000, 50_000)


def _snapshot(rng: random.Random) -> RatingSnapshot:
    band = rng.randrange(6)
    return RatingSnapshot(
        DR_CLASSES[band], SR_CLASSES[rng.randrange(6)], _BOUNDS[band] + rng.randrange(1_000)
    )


def _changed(snapshot: RatingSnapshot, rng: random.Random) -> RatingSnapshot:
    band = min(5, max(0, DR_CLASSES.index(snapshot.dr or "E") + rng.choice((-1, 1))))
    return RatingSnapshot(DR_CLASSES[band], snapshot.sr, _BOUNDS[band] + rng.randrange(1_000))


# --- 2. a simulated day ---------------------------------------------------------------------------------


def day_drivers(count: int = 230, league: int = 32, seed: int = 3) -> list[WantedDriver]:
    rng = random.Random(seed)
    multi = set(rng.sample(range(count), round(count * MULTI_SHARE)))
    return [WantedDriver(f"R{n:03d}", 2 + n % 4 if n in multi else 1, n < league, None) for n in range(count)]


def interactive_pattern(quota: int | None) -> list[datetime]:
    if quota is not None and quota < 20:
        return [DAY_START + timedelta(hours=9), DAY_START + timedelta(hours=20)]
    arrivals = [DAY_START + timedelta(hours=8, minutes=15 * k) for k in range(64)]
    arrivals += [DAY_START + timedelta(hours=20, seconds=k) for k in range(12)]
    return sorted(arrivals)


@dataclass
class DayResult:
    quota: int | None
    drivers: int
    background: int = 0
    interactive: int = 0
    refused: int = 0  # interactive commands told the quota is used up (never sent)
    too_many: int = 0  # 429s: more than 10 in the server's 60 s window, or a call past the quota
    max_interactive_wait: float = 0.0
    refreshed: int = 0  # distinct drivers refreshed at least once
    fresh_share: float = 0.0  # mean over the day, sampled every minute: drivers younger than 30 min
    min_refetch: timedelta | None = None  # shortest time between two fetches of one driver
    largest_call: int = 0
    background_times: list[datetime] = field(default_factory=list)
    share_respected: bool = True  # at every background call: calls still to come <= share × remaining
    first_summary: str = ""
    initial_allowance: int | None = None


class LimiterModel:
    """The budget's rolling limiter: at most `limit` sends in any `window`, background ones only while
    fewer than `background_slots(limit)` are in it; returns when one may go."""

    def __init__(self, limit: int, window: timedelta) -> None:
        self.limit = limit
        self.window = window
        self.sent: list[datetime] = []

    def slot(self, at: datetime, *, background: bool = False) -> datetime:
        limit = background_slots(self.limit) if background else self.limit
        if len(self.sent) < limit:
            return at
        return max(at, self.sent[-limit] + self.window)

    def send(self, at: datetime) -> None:
        self.sent.append(at)


def simulate_day(
    quota_limit: int | None,
    drivers: Sequence[WantedDriver] | None = None,
    interactive: Sequence[datetime] | None = None,
    config: PlannerConfig | None = None,
) -> DayResult:
    config = config or PlannerConfig()
    wanted = list(drivers if drivers is not None else day_drivers())
    index = {driver.psn_id: n for n, driver in enumerate(wanted)}
    arrivals = list(interactive if interactive is not None else interactive_pattern(quota_limit))
    end = DAY_START + timedelta(days=1)
    remaining = quota_limit
    limiter = LimiterModel(METERED_PER_MINUTE, config.rate_window)
    ledger = BackgroundLedger()
    result = DayResult(quota_limit, len(wanted))
    fetches: dict[str, list[datetime]] = {}
    remaining_before_background: list[int] = []
    wake: datetime | None = DAY_START
    now = DAY_START

    def quota_state() -> QuotaState:
        if quota_limit is None or remaining is None:
            return QuotaState()
        return QuotaState(quota_limit, remaining, end)

    while True:
        next_arrival = arrivals[0] if arrivals else None
        candidates = [moment for moment in (next_arrival, wake) if moment is not None and moment < end]
        if not candidates:
            break
        now = min(candidates)
        if next_arrival is not None and next_arrival == now:  # interactive first
            arrivals.pop(0)
            if remaining is not None and remaining <= 0:
                result.refused += 1
                continue
            sent_at = limiter.slot(now)
            limiter.send(sent_at)
            result.interactive += 1
            result.max_interactive_wait = max(result.max_interactive_wait, (sent_at - now).total_seconds())
            if remaining is not None:
                remaining -= 1
            continue
        planned = plan(wanted, now, quota_state(), ledger, config)
        ledger = planned.ledger
        if not result.first_summary:
            result.first_summary = refresh_summary_text(planned.summary)
            result.initial_allowance = planned.pacing.allowance
        if planned.calls:
            call = planned.calls[0]
            sent_at = limiter.slot(now, background=True)
            if remaining is not None:
                if remaining <= 0:
                    result.too_many += 1
                remaining_before_background.append(remaining)
                remaining -= 1
            limiter.send(sent_at)
            ledger = ledger.record_call(sent_at)
            result.background += 1
            result.background_times.append(sent_at)
            result.largest_call = max(result.largest_call, len(call))
            for psn in call:
                fetches.setdefault(psn, []).append(sent_at)
                n = index[psn]
                wanted[n] = WantedDriver(psn, wanted[n].servers, wanted[n].league_soon, sent_at)
            wake = max(sent_at, now) + timedelta(seconds=1)
            continue
        wake = None if planned.wake_at is None else max(planned.wake_at, now + timedelta(seconds=1))

    result.too_many += _server_429s(limiter.sent, METERED_PER_MINUTE)
    for position, before in enumerate(remaining_before_background):
        still_to_come = len(remaining_before_background) - position
        if still_to_come > math.floor(before * config.background_share):
            result.share_respected = False
    result.refreshed = len(fetches)
    gaps = [b - a for times in fetches.values() for a, b in itertools.pairwise(times)]
    result.min_refetch = min(gaps) if gaps else None
    result.fresh_share = _mean_fresh(fetches, len(wanted), config.refresh_interval)
    return result


def _server_429s(sent: Sequence[datetime], limit: int) -> int:
    ordered = sorted(sent)
    too_many = 0
    for position, moment in enumerate(ordered):
        first = bisect.bisect_right(ordered, moment - SERVER_WINDOW)
        if position - first + 1 > limit:
            too_many += 1
    return too_many


def _mean_fresh(fetches: dict[str, list[datetime]], drivers: int, interval: timedelta) -> float:
    if drivers == 0:
        return 1.0
    samples = 0
    fresh_total = 0
    for minute in range(24 * 60):
        moment = DAY_START + timedelta(minutes=minute)
        samples += 1
        for times in fetches.values():
            position = bisect.bisect_right(times, moment)
            if position and moment - times[position - 1] < interval:
                fresh_total += 1
    return fresh_total / (samples * drivers)


# --- report ---------------------------------------------------------------------------------------------


def _table(rows: list[tuple[str, ...]]) -> str:
    header, *body = rows
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in body])


def main() -> None:
    print(f"Machine: {machine()}")
    scale = run_scale()
    cycle_and_diff = scale.plan_cycle_seconds + scale.diff_seconds
    ratio = scale.calls / scale.minimum
    rows: list[tuple[str, ...]] = [("measure", "result", "target", "met")]
    rows += [
        (
            "links / distinct drivers / in several servers",
            f"{scale.links:,} / {scale.distinct:,} / {scale.multi:,} ({scale.multi / scale.distinct:.0%})",
            "",
            "",
        ),
        (
            f"calls per cycle (minimum {scale.minimum:,})",
            f"{scale.calls:,} ({ratio:.2f}×)",
            "1.00×",
            "yes" if scale.calls == scale.minimum and scale.each_once else "**no**",
        ),
        ("links → wanted drivers (s)", f"{scale.wanted_seconds:.3f}", "", ""),
        ("plan a whole cycle (s)", f"{scale.plan_cycle_seconds:.3f}", "", ""),
        ("plan the next call (s)", f"{scale.next_call_seconds:.3f}", "", ""),
        (
            f"diff 100,000 drivers' snapshots ({scale.changes:,} changes) (s)",
            f"{scale.diff_seconds:.3f}",
            "",
            "",
        ),
        (
            "plan a cycle + diff (s)",
            f"{cycle_and_diff:.3f}",
            "< 1",
            "yes" if cycle_and_diff < 1 else "**no**",
        ),
        (
            "resident memory before / holding it all (MiB)",
            f"{scale.rss_before:.0f} / {scale.rss_after:.0f}",
            "",
            "",
        ),
    ]
    print(_table(rows))
    print()
    day_rows: list[tuple[str, ...]] = [
        (
            "daily quota",
            "background calls",
            "interactive calls (refused)",
            "longest interactive wait (s)",
            "drivers refreshed",
            "fresh (< 30 min), day mean",
            "shortest re-fetch",
            "share kept",
            "429s",
        )
    ]
    summaries: list[str] = []
    for quota in (200, 5, None):
        day = simulate_day(quota)
        refetch = "—" if day.min_refetch is None else f"{day.min_refetch.total_seconds() / 60:.0f} min"
        day_rows.append(
            (
                "unknown" if quota is None else str(quota),
                f"{day.background} (allowance {day.initial_allowance if quota is not None else '—'})",
                f"{day.interactive} ({day.refused})",
                f"{day.max_interactive_wait:.0f}",
                f"{day.refreshed} of {day.drivers}",
                f"{day.fresh_share:.0%}",
                refetch,
                "yes" if day.share_respected else "**no**",
                str(day.too_many),
            )
        )
        summaries.append(f"- {'unknown' if quota is None else quota}: {day.first_summary}")
    print(_table(day_rows))
    print()
    print("/quota at 00:00:")
    print("\n".join(summaries))


if __name__ == "__main__":
    main()

"""Interactive commands beside a background refresh cycle (issue #11).

Run: `.venv/bin/python -m bench.interactive` (about 2 minutes).

Two scenarios, same seed, same interactive pattern: 16 `/profile psn_id:` of distinct drivers never looked
up (each needs an upstream call), one every 5–11 s, plus a burst of 4 at once 0.5 s after the 8th (it
joins that racer batch), and 80 commands that need no upstream call (`/car`, `/regions`, `/about`) at
random moments over the same span, so the acknowledgement p99 is over 100 commands.
  A. nothing else runs;
  B. the same while the background refresh (the real loop of cogs/tracking.py, woken as `/tracking channel`
     wakes it) runs a cycle over 400 linked drivers in 20 servers with driver news on (ceil(400/16) = 25
     calls). The pattern starts once background work holds every slot of the window it may take
     (the limit less the reserved slots), i.e. with the cycle in full swing.

The real bot (production budget: 10 metered and 30 free requests per window, 250 ms racer batching window)
runs against the stand-ins in their own process, which enforce the same limits. Time is compressed by
`TIME_SCALE`: both windows (the bot's 61 s, the stand-in's 60 s) and so the planner's pacing and every
offset of the pattern are divided by it; request durations, batching and acknowledgements are not scaled.
With the real windows the run would take about seven and a half minutes.

Measured through a hook on the bot's own client (bench only): for every upstream request its priority
(the budget's), the drivers it carried, when it asked the budget for a slot, when the slot was granted
(the request leaves at once) and when its answer was in; and for every background refresh call when its
snapshots were stored. "One request slot" is the time one background request occupies the bot: p99 of a
background call's grant -> its snapshots stored (request + parse + store). Acknowledgement: hand-over to
discord.py -> first response at the Discord stand-in (`first_responses`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import statistics
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.harness import (
    RunningBot,
    StandinConfig,
    first_responses,
    machine,
    markdown_table,
    percentile,
    running_bot,
    standins_process,
)
from bot.gtgridstats import wire
from bot.gtgridstats.budget import EndpointClass
from bot.gtgridstats.limiter import BACKGROUND_RESERVED_SLOTS, Priority, current_priority
from bot.storage.links import Link
from tests.standins import gtgridstats as gtgridstats_standin
from tests.standins.gtgridstats_data import default_dataset
from tests.standins.interactions import FakeGuild, FakeUser

TIME_SCALE = 4.0
SEED = 20261211
METERED_PER_MINUTE = 10
SINGLES = 16
BURST = 4
BURST_AFTER = 8  # the burst arrives right after the 8th single
GAP_SECONDS = (5.0, 11.0)  # between singles, before scaling
TRACKED_SERVERS = 20
TRACKED_PER_SERVER = 20  # 400 linked drivers: 25 background calls a cycle
STORED_DATA_COMMANDS = 80  # /car, /regions, /about: answered from stored data, no upstream call

Command = tuple[str, dict[str, Any]]

ASKED = [f"Ask_{number:02d}" for number in range(SINGLES + BURST)]
TRACKED = [f"Trk_{number:03d}" for number in range(TRACKED_SERVERS * TRACKED_PER_SERVER)]


@dataclass
class Request:
    priority: Priority
    drivers: tuple[str, ...]
    asked: float
    granted: float = math.nan
    done: float = math.nan

    @property
    def wait(self) -> float:
        return self.granted - self.asked

    @property
    def duration(self) -> float:
        return self.done - self.granted


@dataclass
class Recorder:
    """Every upstream request the bot's client makes, timed on the loop's clock."""

    requests: list[Request] = field(default_factory=list)
    background_slots: list[float] = field(default_factory=list)  # grant -> snapshots stored, seconds
    background_granted: int = 0
    window_full: asyncio.Event = field(default_factory=asyncio.Event)

    def install(self, bench: RunningBot) -> None:
        api: Any = bench.bot.api
        send_once: Callable[[Any], Awaitable[Any]] = api._send_once
        send_in_slot: Callable[[Any], Awaitable[Any]] = api._send_in_slot
        loop = asyncio.get_running_loop()
        open_requests: dict[int, Request] = {}
        full_at = METERED_PER_MINUTE - BACKGROUND_RESERVED_SLOTS

        async def timed_send_once(call: Any) -> Any:
            path = str(call.path)
            drivers = tuple(path.rsplit("/", 1)[1].split(",")) if path.startswith("/api/racers/") else ()
            request = Request(current_priority(), drivers, loop.time())
            self.requests.append(request)
            open_requests[id(call)] = request
            try:
                return await send_once(call)
            finally:
                del open_requests[id(call)]

        async def timed_send_in_slot(call: Any) -> Any:
            request = open_requests[id(call)]
            request.granted = loop.time()  # the slot was just granted; the request leaves now
            if request.priority is Priority.BACKGROUND and call.kind is EndpointClass.METERED:
                self.background_granted += 1
                if self.background_granted >= full_at:
                    self.window_full.set()
            try:
                return await send_in_slot(call)
            finally:
                request.done = loop.time()

        api._send_once = timed_send_once
        api._send_in_slot = timed_send_in_slot

        drivers: Any = bench.bot.refresh._drivers
        get_drivers: Callable[..., Awaitable[Any]] = drivers.get_drivers

        async def timed_get_drivers(*args: Any, **kwargs: Any) -> Any:
            if current_priority() is not Priority.BACKGROUND:
                return await get_drivers(*args, **kwargs)
            asked = loop.time()
            result = await get_drivers(*args, **kwargs)  # fetched, parsed and stored when it returns
            stored = loop.time()
            mine = [
                r
                for r in self.requests
                if r.priority is Priority.BACKGROUND and r.drivers and asked <= r.granted <= stored
            ]
            if mine:
                self.background_slots.append(stored - min(r.granted for r in mine))
            return result

        drivers.get_drivers = timed_get_drivers


def pattern(rng: random.Random) -> list[tuple[float, list[Command]]]:
    """(offset in seconds before scaling, the commands handed over at that moment), in time order."""
    arrivals: list[tuple[float, list[Command]]] = []
    at = 0.0
    singles = iter(ASKED[:SINGLES])
    for number in range(SINGLES):
        arrivals.append((at, [("profile", {"psn_id": next(singles)})]))
        if number + 1 == BURST_AFTER:
            arrivals.append((at + 0.5, [("profile", {"psn_id": psn}) for psn in ASKED[SINGLES:]]))
        last = at
        at += rng.uniform(*GAP_SECONDS)
    # Drawn after the profiles, from the same generator: the profiles' moments are as before.
    cars = [car.gt7_code for car in default_dataset(drivers=0).cars]
    for number in range(STORED_DATA_COMMANDS):
        kind = ("car", "regions", "about")[number % 3]
        command: Command = (kind, {"car": rng.choice(cars)} if kind == "car" else {})
        arrivals.append((rng.uniform(0.0, last), [command]))
    return sorted(arrivals, key=lambda arrival: arrival[0])


@dataclass
class ScenarioResult:
    name: str
    acks_ms: list[float]  # every command
    profile_acks_ms: list[float]
    interactive: list[Request]
    background: list[Request]  # during the pattern (asked before its last command finished)
    background_total: int  # since the cycle started, up to the end of the pattern
    background_slots: list[float]  # each background call: grant -> snapshots stored (seconds)
    cycle_still_running: bool

    @property
    def interactive_durations(self) -> list[float]:
        return [r.duration for r in self.interactive if not math.isnan(r.done)]

    rate_limited: int
    max_in_window: int
    answered: int
    handed: int


async def run_scenario(name: str, background: bool) -> ScenarioResult:
    window = wire.RATE_WINDOW_SECONDS / TIME_SCALE
    config = StandinConfig(
        per_page=500,
        window_seconds=gtgridstats_standin.WINDOW_SECONDS / TIME_SCALE,
        drivers=tuple((psn, True) for psn in ASKED + TRACKED),
    )
    recorder = Recorder()
    with tempfile.TemporaryDirectory() as workdir:
        async with (
            standins_process(config) as standins,
            running_bot(
                Path(workdir),
                standins,
                gtgridstats_metered_per_minute=METERED_PER_MINUTE,
                gtgridstats_free_per_minute=30,
                racer_batch_window_ms=250,
            ) as bench,
        ):
            bot = bench.bot
            for limiter in bot.api.budget.limiters.values():
                limiter.window = window
            bot.refresh.config = replace(bot.refresh.config, rate_window=timedelta(seconds=window))
            await bot.catalog.refresh(force=True)
            await asyncio.sleep(window)  # the catalog's requests leave the window: both start empty
            now = bot.clock.now()
            for server in range(TRACKED_SERVERS):
                guild = FakeGuild(name=f"Tracked {server}")
                for seat in range(TRACKED_PER_SERVER):
                    psn = TRACKED[server * TRACKED_PER_SERVER + seat]
                    await bot.links.set(Link(guild.id, 10_000 + seat, psn, None, now))
                if background:
                    await bot.tracking.set_channel(guild.id, guild.channel_id)
            recorder.install(bench)
            await standins.get("gt/reset")
            if background:
                bot.refresh.wake()  # what /tracking channel does
                await recorder.window_full.wait()
            started_at = asyncio.get_running_loop().time()
            handed: dict[int, float] = {}
            profiles: set[int] = set()
            tasks: set[asyncio.Task[Any]] = set()
            for number, (offset, commands) in enumerate(pattern(random.Random(SEED))):
                delay = started_at + offset / TIME_SCALE - asyncio.get_running_loop().time()
                if delay > 0:
                    await asyncio.sleep(delay)
                for seat, (command, options) in enumerate(commands):
                    user = FakeUser(bench.guild, name=f"asker{number}-{seat}")
                    interaction_id, at, started = bench.hand_over(command, user, options)
                    handed[interaction_id] = at
                    if command == "profile":
                        profiles.add(interaction_id)
                    tasks |= started
                    await asyncio.sleep(0)  # one gateway event per loop turn
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
            failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
            if failures:
                raise RuntimeError(f"{len(failures)} commands failed; the first: {failures[0]!r}")
            ended_at = asyncio.get_running_loop().time()
            first, _ = await first_responses(standins)
            gt = await standins.get("gt")
            limiter = bot.api.budget.limiters[EndpointClass.METERED]
            still_running = background and (limiter.waiting > 0 or limiter.in_flight > 0)
            answered = sum(1 for interaction_id in handed if interaction_id in first)
            interactive = [r for r in recorder.requests if r.priority is Priority.INTERACTIVE and r.drivers]
            during = [
                r
                for r in recorder.requests
                if r.priority is Priority.BACKGROUND and started_at <= r.asked <= ended_at
            ]
            background_total = sum(1 for r in recorder.requests if r.priority is Priority.BACKGROUND)
            return ScenarioResult(
                name=name,
                acks_ms=[(first[i] - at) * 1000 for i, at in handed.items() if i in first],
                profile_acks_ms=[
                    (first[i] - at) * 1000 for i, at in handed.items() if i in first and i in profiles
                ],
                interactive=interactive,
                background=during,
                background_total=background_total,
                background_slots=list(recorder.background_slots),
                cycle_still_running=still_running,
                rate_limited=int(gt["rate_limited"]),
                max_in_window=int(gt["max_in_window"]["metered"]),
                answered=answered,
                handed=len(handed),
            )


def _ms(values: list[float]) -> str:
    return " / ".join(f"{v * 1000:.0f}" for v in values)


def report(a: ScenarioResult, b: ScenarioResult) -> str:
    # One request slot: how long one background request occupies the bot (grant -> snapshots stored).
    slot = percentile(b.background_slots, 0.99) if b.background_slots else math.nan
    spacing = wire.RATE_WINDOW_SECONDS / TIME_SCALE / METERED_PER_MINUTE
    rows: list[tuple[str, ...]] = [("measure", a.name, b.name)]

    def waits(result: ScenarioResult) -> list[float]:
        return [r.wait for r in result.interactive]

    def both(label: str, make: Callable[[ScenarioResult], str]) -> None:
        rows.append((label, make(a), make(b)))

    both("commands answered / handed over", lambda r: f"{r.answered} / {r.handed}")
    both("interactive upstream requests (drivers each)", lambda r: _sizes(r.interactive))
    both("ack p50 / p99 / max (ms), every command", lambda r: _acks(r.acks_ms))
    both("ack p50 / p99 / max (ms), `/profile` only", lambda r: _acks(r.profile_acks_ms))
    both(
        "interactive upstream wait p50 / p99 / max (ms)",
        lambda r: _ms([statistics.median(waits(r)), percentile(waits(r), 0.99), max(waits(r))]),
    )
    both(
        "interactive requests that waited for a slot (> 1 ms): their waits (ms)",
        lambda r: f"{len(w := [x for x in waits(r) if x > 0.001])}: {_ms(w) or '—'}",
    )
    both(
        "background requests granted while an interactive one waited",
        lambda r: str(
            sum(
                1
                for x in r.interactive
                for y in r.background
                if x.wait > 0.001 and x.asked < y.granted < x.granted
            )
        ),
    )
    both(
        "interactive requests carrying background drivers",
        lambda r: str(sum(1 for x in r.interactive if any(d.startswith("Trk_") for d in x.drivers))),
    )
    both(
        "upstream request duration p50 / p99 (ms), interactive",
        lambda r: _ms([statistics.median(d := [x.duration for x in r.interactive]), percentile(d, 0.99)]),
    )
    both(
        "background call grant → snapshots stored p50 / p99 (ms) (calls)",
        lambda r: (
            f"{_ms([statistics.median(r.background_slots), percentile(r.background_slots, 0.99)])} "
            f"({len(r.background_slots)})"
            if r.background_slots
            else "—"
        ),
    )
    both(
        "background calls during the pattern (before it: in the window)",
        lambda r: f"{len(r.background)} ({r.background_total - len(r.background)})",
    )
    both(
        "cycle still running when the last command finished",
        lambda r: "yes" if r.cycle_still_running else "no",
    )
    both("429s the stand-in sent", lambda r: str(r.rate_limited))
    both(
        "most metered requests in one stand-in window",
        lambda r: f"{r.max_in_window} (≤ {METERED_PER_MINUTE})",
    )
    a_wait, b_wait = percentile(waits(a), 0.99), percentile(waits(b), 0.99)
    a_ack, b_ack = percentile(a.acks_ms, 0.99) / 1000, percentile(b.acks_ms, 0.99) / 1000
    too_many = a.rate_limited + b.rate_limited
    wait_met = b_wait <= a_wait + slot
    ack_met = b_ack <= a_ack + slot
    lines = [
        markdown_table(rows),
        "",
        f"One request slot = p99 of B's background calls, grant → snapshots stored: {slot * 1000:.0f} ms "
        f"(interactive request duration p99 {percentile(b.interactive_durations, 0.99) * 1000:.0f} ms; "
        f"the limiter's spacing, window / limit, is {spacing * 1000:.0f} ms here, "
        f"{spacing * TIME_SCALE:.1f} s unscaled; {BACKGROUND_RESERVED_SLOTS} of {METERED_PER_MINUTE} slots "
        "reserved for commands).",
        f"Target wait: B p99 {b_wait * 1000:.0f} ms ≤ A p99 {a_wait * 1000:.0f} ms + {slot * 1000:.0f} ms "
        f"-> {'met' if wait_met else '**not met**'}; "
        f"within the limiter's spacing ({(a_wait + spacing) * 1000:.0f} ms): "
        f"{'yes' if b_wait <= a_wait + spacing else '**no**'}.",
        f"Target ack: B p99 {b_ack * 1000:.1f} ms ≤ A p99 {a_ack * 1000:.1f} ms + {slot * 1000:.0f} ms "
        f"-> {'met' if ack_met else '**not met**'}.",
        f"429s: {too_many} -> {'met' if too_many == 0 else '**not met**'}.",
    ]
    return "\n".join(lines)


def _acks(acks_ms: list[float]) -> str:
    return (
        f"{statistics.median(acks_ms):.1f} / {percentile(acks_ms, 0.99):.1f} / {max(acks_ms):.1f} "
        f"({len(acks_ms)})"
    )


def _sizes(requests: list[Request]) -> str:
    sizes = sorted({len(r.drivers) for r in requests})
    return f"{len(requests)} ({', '.join(map(str, sizes))})"


async def measure() -> tuple[ScenarioResult, ScenarioResult]:
    a = await run_scenario("A: commands alone", background=False)
    b = await run_scenario("B: beside a 25-call cycle", background=True)
    return a, b


async def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("discord").setLevel(logging.ERROR)
    a, b = await measure()
    print(f"Interactive beside background benchmark — {machine()}; time compressed ×{TIME_SCALE:g}\n")
    print(report(a, b))


if __name__ == "__main__":
    asyncio.run(main())

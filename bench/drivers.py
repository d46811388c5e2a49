"""Driver commands: acknowledgement latency under a burst, and upstream calls saved by batching.

Run: `.venv/bin/python -m bench.drivers`. The real bot runs in this process (SystemClock, the default 250 ms
racer batching window, generous per-minute limits so the quota is not what is measured) against the test
stand-ins over real HTTP on 127.0.0.1.

1. Acknowledgement. A burst of 200 commands handed to discord.py at once, the way the gateway hands
   over interactions: 100 /profile of drivers never looked up (a quarter of them not indexed upstream,
   so they need a POST sync with its 3 s stagger per driver), 50 /link, 50 /compare of 3 drivers each.
   Latency runs from the hand-over to the first response (the deferral or the answer) reaching the
   Discord stand-in. Both stand-ins run in a separate process, as Discord and GT Grid Stats are remote
   in production: the bot's process does only the bot's work. The burst runs twice: right after start
   ("cold": connections to open, code paths never run) and again as soon as the first is acknowledged
   ("warm"), then a burst of 20 of the same mix, then, for scale, 200 /about (answered at once, never
   calling GT Grid Stats; by then the idle connections have closed again). Target: p99 under 100 ms.
2. Batching. A burst of 100 /profile over 100 distinct indexed drivers; upstream calls counted on the GT
   stand-in (in this process). Target: ceil(100 / 16) = 7.
"""

from __future__ import annotations

import asyncio
import logging
import math
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.harness import StandinConfig, Standins, machine, percentile, standins_process
from bench.harness import running_bot as shared_running_bot
from bot.app import GridBot
from tests.conftest import API_KEY
from tests.standins.discord_api import DiscordStandin
from tests.standins.gtgridstats import GTGridStatsStandin
from tests.standins.interactions import FakeGuild, FakeUser, InteractionDriver

ROOT = Path(__file__).resolve().parents[1]
TARGET_ACK_P99_MS = 100.0
BURST = 200
ROUNDS = ("cold", "warm", "paced")
PACED = "paced"  # handed over as the gateway delivers events: one loop turn between them
SMALL = "small"  # the same mix, 20 commands: a busy moment rather than a stampede
PROFILES = 100
STAGGER_SECONDS = 3.0

Command = tuple[str, dict[str, Any]]


def ack_workload(round_name: str) -> tuple[list[Command], list[tuple[str, bool]]]:
    """The burst's commands, and the drivers (PSN ID, indexed) the GT stand-in must know for it."""
    commands: list[Command] = []
    drivers: list[tuple[str, bool]] = []
    for number in range(PROFILES):
        psn = f"{round_name}_P{number:03d}"
        drivers.append((psn, number % 4 != 0))
        commands.append(("profile", {"psn_id": psn}))
    for number in range(50):
        psn = f"{round_name}_L{number:03d}"
        drivers.append((psn, True))
        commands.append(("link", {"psn_id": psn}))
    for number in range(50):
        names = [f"{round_name}_C{3 * number + k:03d}" for k in range(3)]
        drivers += [(name, True) for name in names]
        commands.append(("compare", {"drivers": " ".join(names)}))
    assert len(commands) == BURST
    return commands, drivers


# --- the stand-ins' process ----------------------------------------------------------------------------


def standin_config() -> StandinConfig:
    """The stand-ins' process knows every driver of every round, indexed or not as the round needs."""
    drivers = [driver for name in (*ROUNDS, SMALL) for driver in ack_workload(name)[1]]
    return StandinConfig(stagger_seconds=STAGGER_SECONDS, metered_per_minute=1_000, drivers=tuple(drivers))


async def received(client: httpx.AsyncClient, discord_url: str) -> tuple[dict[int, float], set[int]]:
    """When each interaction's first callback reached the Discord stand-in (its clock), and which of
    them were deferrals. Both processes' loops read the same monotonic clock. The client is made once,
    before any burst: making one loads certificates and would stall the bot's loop for tens of ms."""
    calls = (await client.get(f"{discord_url}/bench/calls")).json()
    deferred = set((await client.get(f"{discord_url}/bench/deferred")).json())
    first: dict[int, float] = {}
    for _, path, at in calls:
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[0] == "interactions" and parts[3] == "callback":
            first.setdefault(int(parts[1]), float(at))
    return first, deferred


# --- the bot's process ---------------------------------------------------------------------------------


@dataclass
class Bench:
    bot: GridBot
    driver: InteractionDriver
    guild: FakeGuild
    observer: httpx.AsyncClient


@asynccontextmanager
async def running_bot(workdir: Path, *, discord_url: str, gt_url: str) -> AsyncIterator[Bench]:
    """The shared benchmark bot (bench.harness), with generous limits: the quota is not what is measured."""
    async with (
        shared_running_bot(
            workdir,
            Standins(discord=discord_url, gt=gt_url),
            racer_batch_window_ms=250,
            gtgridstats_metered_per_minute=1_000,
        ) as running,
        # Made once, before any burst: making one loads certificates and would stall the bot's loop.
        httpx.AsyncClient() as observer,
    ):
        yield Bench(running.bot, running.driver, running.guild, observer)


def interaction_payload(
    bench: Bench, command: str, user: FakeUser, options: dict[str, Any]
) -> dict[str, Any]:
    """What the gateway would deliver for one slash command (built before the clock starts)."""
    data = bench.driver._command_data(command, options, focused=None)
    return bench.driver._payload(2, data, user, None, None)


async def hand_over(
    bench: Bench, payloads: list[dict[str, Any]], *, paced: bool
) -> tuple[dict[int, float], set[asyncio.Task[Any]]]:
    """Give the interactions to discord.py one after the other; returns when each was handed over (loop
    time) and the command tasks discord.py started. Unpaced, all of them back to back (a stampede);
    paced, with one loop turn between them, as the gateway's one-event-per-frame reading allows."""
    loop = asyncio.get_running_loop()
    started: dict[int, float] = {}
    tasks: set[asyncio.Task[Any]] = set()
    for payload in payloads:
        before = asyncio.all_tasks()
        started[int(payload["id"])] = loop.time()
        bench.bot._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        tasks |= asyncio.all_tasks() - before
        if paced:
            await asyncio.sleep(0)
    return started, tasks


@dataclass(frozen=True)
class AckResult:
    label: str
    size: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    deferred: int


async def ack_round(
    bench: Bench, discord_url: str, label: str, commands: list[Command]
) -> tuple[AckResult, set[asyncio.Task[Any]]]:
    """Hand the whole burst over at once and wait until every command is acknowledged (not answered:
    syncs go on, and the next round starts meanwhile). Returns the result and the commands' tasks."""
    payloads = [
        interaction_payload(bench, command, FakeUser(bench.guild, name=f"{label}{number}"), options)
        for number, (command, options) in enumerate(commands)
    ]
    started, tasks = await hand_over(bench, payloads, paced=label == PACED)
    while True:
        finished = all(task.done() for task in tasks)  # before reading: a task may finish meanwhile
        first, deferred = await received(bench.observer, discord_url)
        if started.keys() <= first.keys():
            break
        if finished:
            failed = [task for task in tasks if not task.cancelled() and task.exception()]
            raise RuntimeError(f"{len(started.keys() - first.keys())} commands never answered; {failed[:1]}")
        await asyncio.sleep(0.05)  # polling the stand-in's process; the bot's loop is not what waits here
    latencies = [(first[i] - started[i]) * 1000 for i in started]
    result = AckResult(
        label=label,
        size=len(commands),
        p50_ms=statistics.median(latencies),
        p99_ms=percentile(latencies, 0.99),
        max_ms=max(latencies),
        deferred=len(deferred & set(started)),
    )
    return result, tasks


@dataclass(frozen=True)
class AckRun:
    rounds: list[AckResult]
    finished_s: float


async def acknowledgement(workdir: Path) -> AckRun:
    async with (
        standins_process(standin_config()) as standins,
        running_bot(workdir, discord_url=standins.discord, gt_url=standins.gt) as bench,
    ):
        clock = time.perf_counter()
        results: list[AckResult] = []
        pending: set[asyncio.Task[Any]] = set()
        for round_name in ROUNDS:
            result, tasks = await ack_round(bench, standins.discord, round_name, ack_workload(round_name)[0])
            results.append(result)
            pending |= tasks
        outcomes = await asyncio.gather(*pending, return_exceptions=True)
        finished = time.perf_counter() - clock
        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if failures:
            raise RuntimeError(f"{len(failures)} commands failed; the first: {failures[0]!r}")
        small_commands = ack_workload(SMALL)[0]
        small, tasks = await ack_round(
            bench,
            standins.discord,
            SMALL,
            small_commands[:10] + small_commands[100:105] + small_commands[150:155],
        )
        await asyncio.gather(*tasks)
        # For scale: the same burst size of /about, which never calls GT Grid Stats (one database read).
        reference, tasks = await ack_round(
            bench, standins.discord, "/about for reference", [("about", {})] * BURST
        )
        await asyncio.gather(*tasks)
        return AckRun(rounds=[*results, small, reference], finished_s=finished)


@dataclass(frozen=True)
class BatchResult:
    profiles: int
    upstream_calls: int
    minimum: int
    largest_batch: int


async def batching(workdir: Path) -> BatchResult:
    async with (
        GTGridStatsStandin(api_key=API_KEY, stagger_seconds=STAGGER_SECONDS, metered_per_minute=1_000) as gt,
        DiscordStandin() as discord_api,
        running_bot(workdir, discord_url=discord_api.base_url, gt_url=gt.base_url) as bench,
    ):
        driver = InteractionDriver(bench.bot, discord_api)
        names = [f"Distinct_{number:03d}" for number in range(PROFILES)]
        for name in names:
            gt.dataset.add_driver(name)
        users = [FakeUser(bench.guild, name=f"fan{number}") for number in range(PROFILES)]
        records = await asyncio.gather(
            *(
                driver.slash("profile", user=user, psn_id=name)
                for user, name in zip(users, names, strict=True)
            )
        )
        assert all(name in record.reply.text() for record, name in zip(records, names, strict=True))
        batches = [
            len(r.path.rsplit("/", 1)[1].split(",")) for r in gt.requests if r.path.startswith("/api/racers")
        ]
        return BatchResult(
            profiles=PROFILES,
            upstream_calls=len(batches),
            minimum=math.ceil(PROFILES / 16),
            largest_batch=max(batches, default=0),
        )


def table(acks: AckRun, batch: BatchResult) -> str:
    def met(ok: bool) -> str:
        return "yes" if ok else "**no**"

    rows = [("measure", "result", "target", "met"), ("---", "---:", "---:", "---")]
    for ack in acks.rounds:
        target = ack.label in ROUNDS
        rows += [
            (f"ack latency p50, burst of {ack.size}, {ack.label} (ms)", f"{ack.p50_ms:.1f}", "", ""),
            (
                f"ack latency p99, burst of {ack.size}, {ack.label} (ms)",
                f"{ack.p99_ms:.1f}",
                f"< {TARGET_ACK_P99_MS:.0f}" if target else "",
                met(ack.p99_ms < TARGET_ACK_P99_MS) if target else "",
            ),
            (f"ack latency max, burst of {ack.size}, {ack.label} (ms)", f"{ack.max_ms:.1f}", "", ""),
        ]
        if target:
            rows.append(
                (f"deferred, {ack.label} (the rest answered at once)", f"{ack.deferred} of {BURST}", "", "")
            )
    rows.append(("every final answer of both bursts sent after (s)", f"{acks.finished_s:.1f}", "", ""))
    rows += [
        (
            f"upstream calls, {batch.profiles} /profile of {batch.profiles} distinct drivers",
            str(batch.upstream_calls),
            f"= {batch.minimum}",
            met(batch.upstream_calls == batch.minimum),
        ),
        ("largest batch (drivers per call)", str(batch.largest_batch), "≤ 16", ""),
    ]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


async def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("discord").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        acks = await acknowledgement(Path(first))
        batch = await batching(Path(second))
    print(f"Drivers benchmark ({machine()})\n")
    print(table(acks, batch))


if __name__ == "__main__":
    asyncio.run(main())

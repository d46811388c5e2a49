"""Shared benchmark plumbing: the stand-ins in a child process, the real bot in this one.

The stand-ins run in their own process so that their work never sits on the bot's event loop and inflates
what is measured. Both processes read the same system-wide monotonic clock (asyncio's loop.time()), so a
dispatch time taken here and an arrival time taken there can be subtracted.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import platform
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from discord.http import Route

from bot.__main__ import tune_interpreter
from bot.app import Dependencies, GridBot
from bot.clock import SystemClock
from bot.gtgridstats import GTGridStatsClient, RequestBudget
from bot.storage.database import Database
from tests.conftest import API_KEY, DISCORD_TOKEN, make_settings
from tests.standins import gtgridstats as gtgridstats_standin
from tests.standins.discord_api import DiscordStandin
from tests.standins.gtgridstats import GTGridStatsStandin
from tests.standins.interactions import FakeGuild, FakeUser, InteractionDriver

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class StandinConfig:
    """How the child process sets up its GT Grid Stats stand-in."""

    stagger_seconds: float = 3.0
    metered_per_minute: int = 10
    free_per_minute: int = 30
    per_page: int = 50
    drivers: tuple[tuple[str, bool], ...] = ()  # (PSN ID, indexed upstream)
    # The stand-in's rolling per-minute window (GT Grid Stats: 60 s); shorter only to compress time.
    window_seconds: float = 60.0

    def to_json(self) -> str:
        return json.dumps(
            {
                "stagger_seconds": self.stagger_seconds,
                "metered_per_minute": self.metered_per_minute,
                "free_per_minute": self.free_per_minute,
                "per_page": self.per_page,
                "drivers": [list(driver) for driver in self.drivers],
                "window_seconds": self.window_seconds,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> StandinConfig:
        data = json.loads(text)
        data["drivers"] = tuple((psn, bool(indexed)) for psn, indexed in data["drivers"])
        return cls(**data)


class RecordingDiscord(DiscordStandin):
    """The Discord stand-in for benchmarks: it accepts any interaction token (the bot's process makes them
    up) and reports what it received, and the GT stand-in's counters, over HTTP."""

    def __init__(self, gt: GTGridStatsStandin) -> None:
        super().__init__()
        self.gt = gt

    async def _route(self, request: web.Request, parts: list[str]) -> web.StreamResponse:
        match parts:
            case ["bench", "calls"]:
                return web.json_response([[call.method, call.path, call.at] for call in self.calls])
            case ["bench", "deferred"]:
                return web.json_response(sorted({r.id for r in self.interactions.values() if r.deferred}))
            case ["bench", "gt"]:
                return web.json_response(
                    {
                        "requests": [[r.method, r.path, r.status] for r in self.gt.requests],
                        "rate_limited": self.gt.rate_limited,
                        "max_in_window": {kind: self.gt.max_in_window(kind) for kind in ("metered", "free")},
                    }
                )
            case ["bench", "gt", "reset"]:
                self.gt.reset_counts()
                return web.json_response({})
            case ["interactions", interaction_id, token, "callback"] if token not in self.interactions:
                self.register_interaction(int(interaction_id), token)
        return await super()._route(request, parts)


async def serve_standins(config: StandinConfig) -> None:
    """The child process: print both base URLs as JSON, serve until stdin closes."""
    gtgridstats_standin.WINDOW_SECONDS = config.window_seconds  # this process is the stand-ins' alone
    async with GTGridStatsStandin(
        api_key=API_KEY,
        stagger_seconds=config.stagger_seconds,
        metered_per_minute=config.metered_per_minute,
        free_per_minute=config.free_per_minute,
        per_page=config.per_page,
        quota_per_day=None,
    ) as gt:
        for psn, indexed in config.drivers:
            gt.dataset.add_driver(psn, indexed=indexed)
        async with RecordingDiscord(gt) as discord_api:
            print(json.dumps({"discord": discord_api.base_url, "gt": gt.base_url}), flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


@dataclass(frozen=True)
class Standins:
    discord: str
    gt: str

    async def get(self, path: str) -> Any:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{self.discord}/bench/{path}")).json()


@asynccontextmanager
async def standins_process(config: StandinConfig) -> AsyncIterator[Standins]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.harness",
        config.to_json(),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None
    assert process.stdin is not None
    try:
        urls = json.loads(await process.stdout.readline())
        yield Standins(discord=urls["discord"], gt=urls["gt"])
    finally:
        process.stdin.close()
        await process.wait()


@dataclass
class RunningBot:
    bot: GridBot
    driver: InteractionDriver
    guild: FakeGuild

    def hand_over(
        self, command: str, user: FakeUser, options: dict[str, Any]
    ) -> tuple[int, float, set[asyncio.Task[Any]]]:
        """Give one slash command to discord.py as the gateway does.

        Returns the interaction id, when it was handed over, and the tasks discord.py started for it (the
        command itself: not what the command leaves running, such as a paginator's timeout)."""
        data = self.driver._command_data(command, options, focused=None)
        payload = self.driver._payload(2, data, user, None, None)
        before = asyncio.all_tasks()
        at = asyncio.get_running_loop().time()
        self.bot._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        return int(payload["id"]), at, asyncio.all_tasks() - before


@asynccontextmanager
async def running_bot(workdir: Path, standins: Standins, **settings: Any) -> AsyncIterator[RunningBot]:
    """The real bot with its real clock, pointed at the stand-ins; `settings` override the defaults."""
    tune_interpreter()  # as `python -m bot` does
    async with AsyncExitStack() as stack:
        base = Route.BASE
        Route.BASE = standins.discord
        stack.callback(setattr, Route, "BASE", base)
        clock = SystemClock()
        resolved = make_settings(workdir, standins.gt, **settings)
        budget = RequestBudget(
            clock,
            metered_per_minute=resolved.gtgridstats_metered_per_minute,
            free_per_minute=resolved.gtgridstats_free_per_minute,
        )
        api = await stack.enter_async_context(
            GTGridStatsClient(
                base_url=resolved.gtgridstats_base_url, api_key=API_KEY, budget=budget, clock=clock
            )
        )
        database = await stack.enter_async_context(Database(resolved.database_path))
        bot = GridBot(Dependencies(settings=resolved, api=api, database=database, clock=clock))
        stack.push_async_callback(bot.close)
        await bot.login(DISCORD_TOKEN)
        # The driver only builds payloads here; its own Discord stand-in is never started.
        yield RunningBot(bot, InteractionDriver(bot, DiscordStandin()), FakeGuild())


async def first_responses(standins: Standins) -> tuple[dict[int, float], set[int]]:
    """When each interaction's first callback reached the Discord stand-in, and which were deferrals."""
    calls = await standins.get("calls")
    deferred = set(await standins.get("deferred"))
    first: dict[int, float] = {}
    for _, path, at in calls:
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[0] == "interactions" and parts[3] == "callback":
            first.setdefault(int(parts[1]), float(at))
    return first, deferred


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def resident_memory_mib() -> tuple[float, float]:
    """(current, peak) resident memory of this process, from /proc."""
    values: dict[str, float] = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{memory:.0f} GiB, {platform.machine()}"
    )


def markdown_table(rows: list[tuple[str, ...]]) -> str:
    header, *body = rows
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


if __name__ == "__main__":
    asyncio.run(serve_standins(StandinConfig.from_json(sys.argv[1])))

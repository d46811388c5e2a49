"""Fixtures that build the real bot against local stand-ins of GT Grid Stats and Discord."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from discord.http import Route

from bot.app import Dependencies, GridBot
from bot.gtgridstats import GTGridStatsClient, RequestBudget
from bot.settings import Settings
from bot.storage.database import Database
from tests.standins.clock import ManualClock
from tests.standins.discord_api import APPLICATION_ID, DiscordStandin, InteractionRecord
from tests.standins.gtgridstats import GTGridStatsStandin
from tests.standins.interactions import (
    MANAGER_PERMISSIONS,
    MEMBER_PERMISSIONS,
    FakeGuild,
    FakeUser,
    InteractionDriver,
)

DISCORD_TOKEN = "test-discord-token-Zx9"
API_KEY = "test-api-key-Qw7"


def make_settings(tmp_path: Path, base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "discord_token": DISCORD_TOKEN,
        "gtgridstats_api_key": API_KEY,
        "gtgridstats_base_url": base_url,
        "database_path": tmp_path / "bot.sqlite3",
        # Generous budgets by default, so only the budget tests ever wait for a slot.
        "gtgridstats_metered_per_minute": 1_000,
        "gtgridstats_free_per_minute": 1_000,
        "racer_batch_window_ms": 0,
        # Likewise for the per-member fair-use limits: only tests/test_fair_use.py runs into them.
        "member_upstream_per_minute": 1_000,
        "member_upstream_per_day": 100_000,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def assert_no_secrets(captured: list[str]) -> None:
    for secret in (DISCORD_TOKEN, API_KEY):
        leaks = [text for text in captured if secret in text]
        assert not leaks, f"a secret leaked into what the bot sent or logged: {leaks[0][:300]}"


def everything_sent(discord_api: DiscordStandin) -> list[str]:
    """Every reply, followup, component and channel post the bot sent to the Discord stand-in."""
    captured = [json.dumps(record.callbacks, default=str) for record in discord_api.interactions.values()]
    for record in discord_api.interactions.values():
        captured += [message.text() for message in record.messages]
        captured += [json.dumps(message.components) for message in record.messages]
    for messages in discord_api.channel_messages.values():
        captured += [message.text() for message in messages]
    return captured


@pytest.fixture(autouse=True)
def no_secrets_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """After every test: neither secret appears in any log line (the bot's or the libraries')."""
    caplog.set_level(logging.DEBUG)
    yield
    assert_no_secrets([caplog.text])


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def gt(clock: ManualClock) -> AsyncIterator[GTGridStatsStandin]:
    async with GTGridStatsStandin(
        api_key=API_KEY,
        stagger_seconds=0.0,
        metered_per_minute=1_000,
        free_per_minute=1_000,
        quota_per_day=100_000,
        clock=clock.monotonic,
    ) as standin:
        yield standin


@pytest.fixture
async def discord_api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordStandin]:
    async with DiscordStandin() as standin:
        # discord.py's one seam for "where is Discord": every REST and webhook call is built on it.
        monkeypatch.setattr(Route, "BASE", standin.base_url)
        yield standin
        assert_no_secrets(everything_sent(standin))


@dataclass
class Harness:
    """One running bot with its stand-ins; `restart()` builds a fresh bot over the same database."""

    tmp_path: Path
    gt: GTGridStatsStandin
    discord: DiscordStandin
    clock: ManualClock
    stack: AsyncExitStack
    settings_overrides: dict[str, Any] = field(default_factory=dict)
    api_timeout: float = 15.0  # the client's default; fault tests shorten it
    # Background loops (the league posts) run only in tests that ask: the others drive them by hand.
    background_loops: bool = False
    bot: GridBot = field(init=False)
    driver: InteractionDriver = field(init=False)
    guild: FakeGuild = field(default_factory=FakeGuild)

    @property
    def settings(self) -> Settings:
        return self.bot.settings

    async def start(
        self, *, api_timeout: float | None = None, background_loops: bool | None = None, **overrides: Any
    ) -> GridBot:
        if api_timeout is not None:
            self.api_timeout = api_timeout
        if background_loops is not None:
            self.background_loops = background_loops
        self.settings_overrides.update(overrides)
        settings = make_settings(self.tmp_path, self.gt.base_url, **self.settings_overrides)
        budget = RequestBudget(
            self.clock,
            metered_per_minute=settings.gtgridstats_metered_per_minute,
            free_per_minute=settings.gtgridstats_free_per_minute,
            quota_per_day=settings.gtgridstats_quota_per_day,
        )
        api = await self.stack.enter_async_context(
            GTGridStatsClient(
                base_url=settings.gtgridstats_base_url,
                api_key=settings.gtgridstats_api_key.get_secret_value(),
                budget=budget,
                clock=self.clock,
                timeout_seconds=self.api_timeout,
            )
        )
        database = await self.stack.enter_async_context(Database(settings.database_path))
        self.bot = GridBot(
            Dependencies(settings=settings, api=api, database=database, clock=self.clock),
            background_loops=self.background_loops,
        )
        self.stack.push_async_callback(self.bot.close)
        await self.bot.login(DISCORD_TOKEN)  # runs setup_hook: migrations, extensions
        self.driver = InteractionDriver(self.bot, self.discord)
        return self.bot

    async def gateway_ready(self) -> None:
        """The gateway's READY (no guilds), through discord.py's own parser, as a connected bot gets it."""
        state = self.bot._connection
        state.guild_ready_timeout = 0.0  # no GUILD_CREATE follows: do not wait for one in real time
        state.parse_ready(
            {  # type: ignore[typeddict-item]
                "v": 10,
                "user": self.discord.bot_user,
                "guilds": [],
                "session_id": "harness-session",
                "resume_gateway_url": self.discord.gateway_url,
                "application": {"id": str(APPLICATION_ID), "flags": 0},
            }
        )
        await self.bot.wait_until_ready()

    async def restart(self, *, background_loops: bool | None = None, **overrides: Any) -> GridBot:
        await self.bot.close()
        await self.bot.database.close()
        await self.bot.api.aclose()
        return await self.start(background_loops=background_loops, **overrides)

    def member(
        self,
        name: str = "racer",
        *,
        manager: bool = False,
        locale: str = "en-US",
        guild: FakeGuild | None = None,
    ) -> FakeUser:
        return FakeUser(
            guild=guild or self.guild,
            name=name,
            locale=locale,
            permissions=MANAGER_PERMISSIONS if manager else MEMBER_PERMISSIONS,
        )

    async def slash(self, command: str, *, user: FakeUser, **options: Any) -> InteractionRecord:
        return await self.driver.slash(command, user=user, **options)

    async def autocomplete(self, command: str, focused: str, *, user: FakeUser, **options: Any) -> list[Any]:
        return await self.driver.autocomplete(command, focused, user=user, **options)


@pytest.fixture
async def make_harness(
    tmp_path: Path, gt: GTGridStatsStandin, discord_api: DiscordStandin, clock: ManualClock
) -> AsyncIterator[Callable[..., Awaitable[Harness]]]:
    async with AsyncExitStack() as stack:

        async def build(**overrides: Any) -> Harness:
            harness = Harness(tmp_path=tmp_path, gt=gt, discord=discord_api, clock=clock, stack=stack)
            await harness.start(**overrides)
            return harness

        yield build


@pytest.fixture
async def harness(make_harness: Callable[..., Awaitable[Harness]]) -> Harness:
    return await make_harness()

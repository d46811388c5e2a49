"""The hostile member burst: what one member can make the bot spend upstream.

Run: `.venv/bin/python -m bench.fair_use` (a few seconds; `make bench` adds its row to the load table).

The real bot, with its default budget and fair-use settings (10 metered calls a minute,
MEMBER_UPSTREAM_PER_MINUTE=4, MEMBER_UPSTREAM_PER_DAY=50), against the stand-ins over loopback. Time is
the manual clock of the tests, so "20 commands within a minute" (one every 3 s) runs in a moment.
The burst is the one the review used: `/profile psn_id:` of drivers GT Grid Stats does not know,
alternating with `/profile refresh:true` of the member's own profile. Before the fix it cost 30 calls.
Then the same member for the rest of the quota day (1,000 more commands on unknown drivers, evenly
spread) shows the daily bound, and a member of another server looks a driver up at the end.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from discord.http import Route

from bench.harness import machine, markdown_table
from bot.app import Dependencies, GridBot
from bot.gtgridstats import GTGridStatsClient, RequestBudget, wire
from bot.storage.database import Database
from tests.conftest import API_KEY, DISCORD_TOKEN, make_settings
from tests.standins.clock import ManualClock
from tests.standins.discord_api import DiscordStandin
from tests.standins.gtgridstats import GTGridStatsStandin
from tests.standins.interactions import MEMBER_PERMISSIONS, FakeGuild, FakeUser, InteractionDriver

BURST = 20
BURST_TARGET = 8
SPACING_SECONDS = 3.0
DAY_COMMANDS = 1_000


@dataclass(frozen=True)
class FairUseResult:
    burst_calls: int
    burst_refused: int
    day_calls: int
    per_day_setting: int
    other_server_answered: bool


async def measure() -> FairUseResult:
    clock = ManualClock()
    with tempfile.TemporaryDirectory() as folder:
        async with AsyncExitStack() as stack:
            gt = await stack.enter_async_context(
                GTGridStatsStandin(api_key=API_KEY, stagger_seconds=0.0, clock=clock.monotonic)
            )
            discord_api = await stack.enter_async_context(DiscordStandin())
            old_base = Route.BASE
            Route.BASE = discord_api.base_url
            stack.callback(setattr, Route, "BASE", old_base)
            settings = make_settings(
                Path(folder),
                gt.base_url,
                gtgridstats_metered_per_minute=10,
                gtgridstats_free_per_minute=30,
                member_upstream_per_minute=4,
                member_upstream_per_day=50,
            )
            budget = RequestBudget(clock, metered_per_minute=10, free_per_minute=30)
            api = await stack.enter_async_context(
                GTGridStatsClient(
                    base_url=settings.gtgridstats_base_url,
                    api_key=settings.gtgridstats_api_key.get_secret_value(),
                    budget=budget,
                    clock=clock,
                )
            )
            database = await stack.enter_async_context(Database(settings.database_path))
            bot = GridBot(Dependencies(settings=settings, api=api, database=database, clock=clock))
            stack.push_async_callback(bot.close)
            await bot.login(DISCORD_TOKEN)
            driver = InteractionDriver(bot, discord_api)
            guild = FakeGuild()
            mallory = FakeUser(guild=guild, name="mallory", permissions=MEMBER_PERMISSIONS)

            gt.dataset.add_driver("Mallory_Main")
            await clock.run_until(driver.slash("link", user=mallory, psn_id="Mallory_Main"))
            clock.advance(10 * 60)
            gt.reset_counts()
            refused = 0
            for number in range(BURST):
                options = {"psn_id": f"Ghost_{number:04d}"} if number % 2 == 0 else {"refresh": True}
                record = await clock.run_until(driver.slash("profile", user=mallory, **options))
                refused += "faster than the bot allows" in record.reply.text()
                clock.advance(SPACING_SECONDS)
            burst_calls = gt.count()

            # The rest of the quota day: a command every `step` seconds until just before the reset.
            step = (wire.next_quota_reset(clock.now()) - clock.now()).total_seconds() / (DAY_COMMANDS + 1)
            for number in range(DAY_COMMANDS):
                await clock.run_until(driver.slash("profile", user=mallory, psn_id=f"Dayghost_{number:04d}"))
                clock.advance(step)
            day_calls = gt.count()  # everything mallory made the bot spend that day, burst included

            other = FakeUser(guild=FakeGuild(name="Other"), name="bea", permissions=MEMBER_PERMISSIONS)
            gt.dataset.add_driver("Bea_Drives", nickname="Bea")
            record = await clock.run_until(driver.slash("profile", user=other, psn_id="Bea_Drives"))
            answered = bool(record.reply.embeds) and "Bea" in record.reply.embed.get("title", "")
            return FairUseResult(
                burst_calls=burst_calls,
                burst_refused=refused,
                day_calls=day_calls,
                per_day_setting=settings.member_upstream_per_day,
                other_server_answered=answered,
            )


def rows(result: FairUseResult) -> list[tuple[str, str, str, str]]:
    def met(ok: bool) -> str:
        return "yes" if ok else "**no**"

    return [
        (
            f"hostile member burst: {BURST} upstream-spending commands in a minute -> upstream calls",
            f"{result.burst_calls} ({result.burst_refused} refused with the wait)",
            f"≤ {BURST_TARGET}",
            met(result.burst_calls <= BURST_TARGET),
        ),
        (
            f"hostile member, then {DAY_COMMANDS:,} more until the quota day ends -> calls that day",
            str(result.day_calls),
            f"≤ {result.per_day_setting} (MEMBER_UPSTREAM_PER_DAY)",
            met(result.day_calls <= result.per_day_setting),
        ),
        (
            "another server's /profile afterwards",
            "answered" if result.other_server_answered else "refused",
            "answered",
            met(result.other_server_answered),
        ),
    ]


async def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    result = await measure()
    print(f"Fair use benchmark — {machine()}\n")
    print(markdown_table([("measure", "result", "target", "met"), *rows(result)]))


if __name__ == "__main__":
    asyncio.run(main())

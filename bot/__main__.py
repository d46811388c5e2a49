"""Entry point: `python -m bot` runs the bot, `python -m bot sync` publishes the slash commands globally.

This module owns the lifetimes of everything the bot uses: they are opened here with `async with`, handed
to the bot's constructor, and closed here, whatever way the bot stops.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence

import aiohttp
import discord

from bot import __version__
from bot.app import Dependencies, GridBot
from bot.clock import SystemClock
from bot.gtgridstats import GTGridStatsClient, RequestBudget
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from bot.storage.database import Database, DatabaseUnusableError

log = logging.getLogger("bot")

EXIT_CONFIG = 2
EXIT_UNREACHABLE = 1

_DATABASE_HINT = "fix or move the file, or set DATABASE_PATH to another file (it was left untouched)"

# Database queries run on aiosqlite's worker thread. With CPython's default 5 ms switch interval, a busy
# event loop keeps that thread waiting for the GIL on every query, which under a burst of commands adds up
# to hundreds of milliseconds before an acknowledgement (bench/load.py measured 270 ms at p50 for 200
# /about; 5 ms with this setting). A 0.1 ms interval keeps the loop and the database thread both moving.
GIL_SWITCH_INTERVAL_SECONDS = 0.0001


def tune_interpreter() -> None:
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="gt-grid-bot", description="GT Grid Stats in Discord slash commands."
    )
    parser.add_argument(
        "action",
        nargs="?",
        default="run",
        choices=("run", "sync"),
        help="run the bot (default), or sync its slash commands globally once and exit",
    )
    parser.add_argument("--version", action="version", version=f"gt-grid-bot {__version__}")
    return parser.parse_args(argv)


async def _run(settings: Settings, action: str) -> None:
    clock = SystemClock()
    budget = RequestBudget(
        clock,
        metered_per_minute=settings.gtgridstats_metered_per_minute,
        free_per_minute=settings.gtgridstats_free_per_minute,
        quota_per_day=settings.gtgridstats_quota_per_day,
    )
    async with (
        GTGridStatsClient(
            base_url=settings.gtgridstats_base_url,
            api_key=settings.gtgridstats_api_key.get_secret_value(),
            budget=budget,
            clock=clock,
        ) as api,
        Database(settings.database_path) as database,
    ):
        # Before Discord is contacted: an unusable database file stops the bot here (exit status 2).
        await database.open()
        await _serve(settings, action, api, database, clock)
    log.info("stopped cleanly")


async def _serve(
    settings: Settings, action: str, api: GTGridStatsClient, database: Database, clock: SystemClock
) -> None:
    async with GridBot(Dependencies(settings=settings, api=api, database=database, clock=clock)) as bot:
        token = settings.discord_token.get_secret_value()
        if action == "sync":
            await bot.login(token)
            synced = await bot.tree.sync()
            print(f"Synced {len(synced)} global commands. Discord may take up to an hour to show them.")
            return
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            # A signal closes the bot; `bot.start` then returns and every `async with` above closes in turn.
            loop.add_signal_handler(signum, _stop, bot, signal.Signals(signum).name)
        await bot.start(token)


def _stop(bot: GridBot, signal_name: str) -> None:
    log.info("received %s, shutting down", signal_name)
    asyncio.get_running_loop().create_task(bot.close(), name="shutdown")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        for problem in error.problems:
            print(f"gt-grid-bot: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.log_level_number, settings.secrets())
    tune_interpreter()
    try:
        asyncio.run(_run(settings, args.action))
    except DatabaseUnusableError as error:
        log.error("%s: %s", error, _DATABASE_HINT)
        return EXIT_CONFIG
    except discord.LoginFailure:
        log.error(
            "Discord refused DISCORD_TOKEN: check the token in the Developer Portal (Bot -> Reset Token)."
        )
        return EXIT_CONFIG
    except (aiohttp.ClientError, OSError) as error:
        # Before the first connection there is nothing to retry into: say what failed and stop.
        log.error("could not reach Discord (%s); check the network and try again", error)
        return EXIT_UNREACHABLE
    except discord.PrivilegedIntentsRequired:
        log.error(
            "Discord refused a privileged intent: the bot asks for none, so check the application set-up."
        )
        return EXIT_CONFIG
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())

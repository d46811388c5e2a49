"""The real bot process, started as the README says, against local stand-ins of GT Grid Stats and Discord.

The test points discord.py at the Discord stand-in from the outside (a sitecustomize on PYTHONPATH sets
`Route.BASE` and the default gateway URL); nothing in the bot knows it is being tested.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import textwrap
from pathlib import Path
from typing import Any

import discord

from tests.conftest import API_KEY, DISCORD_TOKEN
from tests.standins.discord_api import DiscordStandin, InteractionRecord
from tests.standins.gtgridstats import GTGridStatsStandin
from tests.standins.interactions import FakeGuild, FakeUser, command_data, interaction_payload

ROOT = Path(__file__).resolve().parents[1]
OptionType = discord.AppCommandOptionType


def _sitecustomize(folder: Path, discord_api: DiscordStandin) -> Path:
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(
        textwrap.dedent(
            f"""
            import discord.gateway, discord.http, yarl
            discord.http.Route.BASE = {discord_api.base_url!r}
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL({discord_api.gateway_url!r})
            """
        )
    )
    return folder


def bot_environment(tmp_path: Path, discord_api: DiscordStandin, **settings: str) -> dict[str, str]:
    """The environment of a `python -m bot` child: this one without the bot's own settings, discord.py pointed
    at the stand-in, both secrets, and `settings` (setting name -> value) on top."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DISCORD_", "GTGRIDSTATS_", "DATABASE_"))
    }
    env |= {
        "PYTHONPATH": os.pathsep.join([str(_sitecustomize(tmp_path / "site", discord_api)), str(ROOT)]),
        "DISCORD_TOKEN": DISCORD_TOKEN,
        "GTGRIDSTATS_API_KEY": API_KEY,
    }
    return env | settings


async def _interact(
    discord_api: DiscordStandin,
    user: FakeUser,
    name: str,
    options: dict[tuple[str, OptionType], Any],
    *,
    until: str = "",
) -> InteractionRecord:
    """Send an interaction through the gateway; wait until the bot's reply is there (and shows `until`)."""
    payload = interaction_payload(2, command_data([name], options), user)
    record = discord_api.register_interaction(int(payload["id"]), payload["token"])
    await discord_api.dispatch_event("INTERACTION_CREATE", payload)

    def answered() -> bool:
        return bool(record.messages) and not record.reply.loading and until in record.reply.text()

    await discord_api.wait_for(answered, timeout=30)
    return record


async def test_the_bot_process_serves_commands_and_stops_cleanly(tmp_path: Path) -> None:
    guild = FakeGuild()
    user = FakeUser(guild=guild, name="operator")
    database = tmp_path / "data" / "bot.sqlite3"
    async with (
        GTGridStatsStandin(api_key=API_KEY, stagger_seconds=0.2) as gt,
        DiscordStandin() as discord_api,
    ):
        gt.dataset.add_driver("FreshFace_7", indexed=False)
        env = bot_environment(
            tmp_path,
            discord_api,
            GTGRIDSTATS_BASE_URL=gt.base_url,
            DATABASE_PATH=str(database),
            DISCORD_DEV_GUILD_ID=str(guild.id),
            LOG_LEVEL="INFO",
        )
        log_path = tmp_path / "bot.log"
        with log_path.open("wb") as log_file:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=tmp_path, env=env, stdout=log_file, stderr=log_file
            )
            try:
                await discord_api.wait_for(lambda: bool(discord_api.identify_payloads), timeout=60)
                assert discord_api.identify_payloads[0]["token"] == DISCORD_TOKEN
                await discord_api.wait_for(lambda: guild.id in discord_api.synced_commands, timeout=30)
                synced = {command["name"] for command in discord_api.synced_commands[guild.id]}
                assert {"regions", "profile", "standings", "about"} <= synced
                assert None not in discord_api.synced_commands  # no global sync on start

                regions = await _interact(discord_api, user, "regions", {})
                assert "cn" in regions.reply.text()

                profile = await _interact(
                    discord_api,
                    user,
                    "profile",
                    {("psn_id", OptionType.string): "FreshFace_7"},
                    until="DR points",
                )
                assert profile.deferred
                assert "FreshFace_7" in profile.reply.text()
                assert gt.count("/api/racers", method="POST") == 1

                standings = await _interact(
                    discord_api,
                    user,
                    "standings",
                    {
                        ("series", OptionType.integer): 1564,
                        ("drivers", OptionType.string): "skino2024 SparksTheory",
                    },
                )
                assert "skino2024" in standings.reply.text()
                assert standings.reply.attachments[0].data.startswith(b"\x89PNG")
            finally:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
                exit_code = await asyncio.wait_for(process.wait(), timeout=30)
    log = log_path.read_text()
    assert exit_code == 0, log
    assert "stopped cleanly" in log
    assert "Traceback" not in log
    assert DISCORD_TOKEN not in log
    assert API_KEY not in log
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA user_version").fetchone()[0] >= 1


async def test_an_unreachable_discord_is_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    closed = DiscordStandin()
    await closed.start()
    await closed.stop()  # its port is now closed: nothing answers there
    env = bot_environment(tmp_path, closed, DATABASE_PATH=str(tmp_path / "bot.sqlite3"))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    log = output.decode()
    assert process.returncode == 1, log
    assert "could not reach Discord" in log
    assert "Traceback" not in log
    assert DISCORD_TOKEN not in log

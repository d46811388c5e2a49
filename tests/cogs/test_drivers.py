"""Drivers data when the bot leaves a guild, and what the cog registers."""

from __future__ import annotations

import asyncio

import discord

from tests.conftest import Harness
from tests.standins.interactions import FakeGuild


async def leave(harness: Harness, guild: FakeGuild) -> None:
    """Run the bot's guild-removal handler and every listener it dispatches."""
    before = asyncio.all_tasks()
    await harness.bot.on_guild_remove(discord.Object(id=guild.id))  # type: ignore[arg-type]
    await asyncio.gather(*(asyncio.all_tasks() - before - {asyncio.current_task()}))


async def test_leaving_a_guild_deletes_its_links_and_drivers_nobody_else_links(harness: Harness) -> None:
    other = FakeGuild(name="Other")
    for psn in ("Only_Here", "Both_Places", "Only_There"):
        harness.gt.dataset.add_driver(psn)
    await harness.slash("link", user=harness.member("ann"), psn_id="Only_Here")
    await harness.slash("link", user=harness.member("bob"), psn_id="Both_Places")
    await harness.slash("link", user=harness.member("bob", guild=other), psn_id="Both_Places")
    await harness.slash("link", user=harness.member("carl", guild=other), psn_id="Only_There")
    snapshots = harness.bot.drivers.snapshots

    await leave(harness, harness.guild)

    assert await harness.bot.links.count(harness.guild.id) == 0
    assert await harness.bot.links.count(other.id) == 2
    assert await snapshots.count("Only_Here") == 0
    assert await snapshots.count("Both_Places") == 1
    assert await snapshots.count("Only_There") == 1
    harness.gt.reset_counts()
    record = await harness.slash("profile", user=harness.member("carl", guild=other), psn_id="Only_Here")
    assert record.deferred
    assert harness.gt.count("/api/racers", method="GET") == 1


def test_the_commands_and_their_options_are_registered(harness: Harness) -> None:
    tree = harness.bot.tree
    options = {
        name: [parameter.name for parameter in command.parameters]
        for name in ("link", "unlink", "profile", "compare", "leaderboard", "history")
        if isinstance(command := tree.get_command(name), discord.app_commands.Command)
    }
    assert options == {
        "link": ["psn_id", "member"],
        "unlink": ["member", "user_id"],
        "profile": ["member", "psn_id", "refresh"],
        "compare": ["drivers"],
        "leaderboard": ["sort"],
        "history": ["member", "psn_id"],
    }

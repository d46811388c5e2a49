from __future__ import annotations

import discord

from tests.conftest import Harness


async def test_about_shows_version_uptime_and_linked_members(harness: Harness) -> None:
    user = harness.member("alice")
    record = await harness.slash("about", user=user)
    embed = record.reply.embed
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Version"] == "0.1.0"
    assert fields["Linked members here"] == "0"
    assert fields["Car catalog"] == "not loaded yet"
    assert not record.reply.ephemeral


async def test_quota_defaults_to_managers_and_a_server_override_is_obeyed(harness: Harness) -> None:
    """Hidden by default from members without Manage Server; a member Discord lets through (the server
    allowed their role under Integrations) gets the answer: the bot adds no check of its own."""
    command = harness.bot.tree.get_command("quota")
    assert isinstance(command, discord.app_commands.Command)
    assert command.default_permissions is not None
    assert command.default_permissions.manage_guild
    record = await harness.slash("quota", user=harness.member("bob"))
    assert record.reply.ephemeral
    assert record.reply.content != "You need the Manage Server permission to do that."
    assert record.reply.embed["fields"]


async def test_quota_shows_budget_learned_from_headers(harness: Harness) -> None:
    await harness.bot.api.manufacturers()
    record = await harness.slash("quota", user=harness.member("boss", manager=True))
    assert record.reply.ephemeral
    fields = {field["name"]: field["value"] for field in record.reply.embed["fields"]}
    assert fields["Daily quota"].startswith("99,999 of 100,000 left")
    assert fields["Metered calls"].startswith("1 made, 0 queued")

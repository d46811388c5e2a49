"""The command tree's error handling: every error kind becomes one clear message, in the right place."""

from __future__ import annotations

import logging

import discord
import pytest
from discord import app_commands

from bot.errors import NobodyLinked
from bot.gtgridstats.errors import UpstreamUnavailableError
from bot.ui.errors import UNEXPECTED, describe_error
from tests.conftest import Harness


@pytest.fixture
async def failing(harness: Harness) -> Harness:
    """The real bot with one extra command that fails in the way its option asks for."""

    @app_commands.command(name="fail", description="fails on purpose")
    async def fail(interaction: discord.Interaction, how: str, defer: bool = False) -> None:
        if defer:
            await interaction.response.defer(thinking=True)
        if how == "bug":
            raise RuntimeError("a bug in the bot")
        if how == "user":
            raise NobodyLinked()
        raise UpstreamUnavailableError("GET /api/racers: 503")

    harness.bot.tree.add_command(fail)
    return harness


async def test_an_unexpected_error_is_logged_with_its_traceback_and_the_user_gets_a_clear_message(
    failing: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    record = await failing.slash("fail", user=failing.member(), how="bug")
    assert record.reply.content == UNEXPECTED
    assert record.reply.ephemeral
    logged = [entry for entry in caplog.records if entry.levelno == logging.ERROR and entry.name == "bot.app"]
    assert logged[0].getMessage() == "unexpected error in /fail"
    assert logged[0].exc_info is not None
    assert "a bug in the bot" in caplog.text


async def test_a_user_error_is_shown_in_its_words_and_not_logged_as_an_error(
    failing: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    record = await failing.slash("fail", user=failing.member(), how="user")
    assert record.reply.content == "Nobody has linked a PSN ID in this server yet: start with `/link`."
    assert record.reply.ephemeral
    assert not [entry for entry in caplog.records if entry.levelno >= logging.ERROR]


async def test_after_a_defer_the_error_replaces_the_thinking_message(failing: Harness) -> None:
    record = await failing.slash("fail", user=failing.member(), how="upstream", defer=True)
    assert record.deferred
    assert record.followups == []
    assert record.reply.content == describe_error(UpstreamUnavailableError())[0]
    assert not record.reply.loading

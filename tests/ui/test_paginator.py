"""The shared pagination view, driven through a real slash command and real button clicks."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from bot.ui.embeds import check_embed_limits, pages_from_lines
from bot.ui.paginator import NOT_YOURS, Paginator
from tests.conftest import Harness

LINES = [f"Line {number:03d}" for number in range(1, 46)]


@pytest.fixture
async def paged(harness: Harness) -> Harness:
    """A bot with one extra command that lists 45 lines, 15 per page, with a short view timeout."""

    @app_commands.command(name="lines", description="45 numbered lines")
    async def lines(interaction: discord.Interaction, timeout: float = 300.0) -> None:
        pages = pages_from_lines("Lines", LINES, per_page=15)
        paginator = Paginator(pages, owner_id=interaction.user.id, timeout=timeout)
        await paginator.send(interaction)

    harness.bot.tree.add_command(lines)
    return harness


async def test_pages_turn_forward_back_and_to_the_ends(paged: Harness) -> None:
    owner = paged.member("owner")
    reply = (await paged.slash("lines", user=owner)).reply
    assert "Line 001" in reply.embed["description"]
    assert reply.embed["footer"]["text"] == "Page 1 of 3"
    assert reply.button("Previous").get("disabled") is True

    await paged.driver.click(reply, "Next", user=owner)
    assert "Line 016" in reply.embed["description"]
    assert reply.embed["footer"]["text"] == "Page 2 of 3"

    await paged.driver.click(reply, "Last", user=owner)
    assert "Line 045" in reply.embed["description"]
    assert reply.button("Next").get("disabled") is True

    await paged.driver.click(reply, "First", user=owner)
    assert reply.embed["footer"]["text"] == "Page 1 of 3"


async def test_a_stranger_cannot_turn_pages(paged: Harness) -> None:
    owner, stranger = paged.member("owner"), paged.member("stranger")
    reply = (await paged.slash("lines", user=owner)).reply
    click = await paged.driver.click(reply, "Next", user=stranger)
    assert click.reply.content == NOT_YOURS
    assert click.reply.ephemeral
    assert reply.embed["footer"]["text"] == "Page 1 of 3"


async def test_on_timeout_buttons_are_disabled_and_the_page_stays(paged: Harness) -> None:
    owner = paged.member("owner")
    reply = (await paged.slash("lines", user=owner, timeout=0.01)).reply
    await paged.discord.wait_for(
        lambda: all(b.get("disabled") for row in reply.components for b in row["components"])
    )
    assert "Line 001" in reply.embed["description"]


def test_pages_respect_discord_limits_even_with_long_lines() -> None:
    pages = pages_from_lines("Long", ["x" * 1_000] * 40, per_page=25)
    for page in pages:
        check_embed_limits(page)
    assert sum(page.description.count("x" * 299) for page in pages if page.description) == 40


def test_single_page_lists_have_no_buttons_and_no_page_label() -> None:
    pages = pages_from_lines("Short", ["one", "two"])
    Paginator(pages, owner_id=1)
    assert pages[0].footer.text is None

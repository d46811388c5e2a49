"""`BaseView`: the owner check, errors through describe_error, and a timeout that keeps the content."""

from __future__ import annotations

import logging
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.errors import NobodyLinked
from bot.ui.errors import UNEXPECTED
from bot.ui.replies import Reply
from bot.ui.views import NOT_YOURS, BaseView, ConfirmView
from tests.conftest import Harness


class Probe(BaseView):
    """One button whose press does what the command asked: count, fail as the user's fault, or crash."""

    def __init__(self, *, owner_id: int, how: str, timeout: float) -> None:
        super().__init__(owner_id=owner_id, timeout=timeout)
        self.how = how
        self.presses = 0

    def timeout_content(self) -> str | None:
        return "Timed out: nothing was changed." if self.how == "say-why" else None

    @discord.ui.button(label="Press")
    async def press(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Probe]) -> None:
        if self.how == "user-error":
            raise NobodyLinked()
        if self.how == "bug":
            raise RuntimeError("a bug in a button")
        self.presses += 1
        await Reply(interaction, private=True).update(f"pressed {self.presses}", view=self)


@pytest.fixture
async def probing(harness: Harness) -> Harness:
    @app_commands.command(name="probe", description="a view to press")
    async def probe(interaction: discord.Interaction, how: str = "count", timeout: float = 300.0) -> None:
        view = Probe(owner_id=interaction.user.id, how=how, timeout=timeout)
        view.message = await Reply(interaction, private=False).send("press me", view=view)

    harness.bot.tree.add_command(probe)
    return harness


async def test_anyone_but_the_owner_gets_a_private_refusal_and_nothing_happens(probing: Harness) -> None:
    owner, stranger = probing.member("owner"), probing.member("stranger")
    prompt = (await probing.slash("probe", user=owner)).reply
    refused = await probing.driver.click(prompt, "Press", user=stranger)
    assert refused.reply.ephemeral
    assert refused.reply.content == NOT_YOURS
    assert prompt.content == "press me"
    await probing.driver.click(prompt, "Press", user=owner)
    assert prompt.content == "pressed 1"


async def test_a_callbacks_user_error_is_worded_by_describe_error_privately(
    probing: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    owner = probing.member("owner")
    prompt = (await probing.slash("probe", user=owner, how="user-error")).reply
    clicked = await probing.driver.click(prompt, "Press", user=owner)
    assert clicked.reply.ephemeral
    assert clicked.reply.content == "Nobody has linked a PSN ID in this server yet: start with `/link`."
    assert not [entry for entry in caplog.records if entry.levelno >= logging.ERROR]


async def test_a_callbacks_bug_is_logged_with_its_traceback_and_explained_privately(
    probing: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    owner = probing.member("owner")
    prompt = (await probing.slash("probe", user=owner, how="bug")).reply
    clicked = await probing.driver.click(prompt, "Press", user=owner)
    assert clicked.reply.ephemeral
    assert clicked.reply.content == UNEXPECTED
    logged = [entry for entry in caplog.records if entry.levelno == logging.ERROR]
    assert logged[0].getMessage() == "Probe: a component callback failed"
    assert logged[0].exc_info is not None
    assert prompt.content == "press me"


async def test_on_timeout_the_buttons_are_disabled_and_the_content_stays(probing: Harness) -> None:
    prompt = (await probing.slash("probe", user=probing.member("owner"), timeout=0.01)).reply
    await probing.discord.wait_for(
        lambda: all(b.get("disabled") for row in prompt.components for b in row["components"])
    )
    assert prompt.content == "press me"


async def test_on_timeout_a_view_may_say_why_in_place_of_the_content(probing: Harness) -> None:
    prompt = (await probing.slash("probe", user=probing.member("owner"), how="say-why", timeout=0.01)).reply
    await probing.discord.wait_for(lambda: prompt.content == "Timed out: nothing was changed.")
    assert all(b.get("disabled") for row in prompt.components for b in row["components"])


@pytest.fixture
async def confirming(harness: Harness) -> Harness:
    """/confirm: a ConfirmView whose action answers "done <n>" or fails as the user's fault."""

    @app_commands.command(name="confirm", description="a question to answer")
    async def confirm(interaction: discord.Interaction, fail: bool = False, working: bool = False) -> None:
        async def action(reply: Reply) -> str:
            if fail:
                raise NobodyLinked()
            await reply.progress("halfway")
            return "done"

        view = ConfirmView(
            owner_id=interaction.user.id,
            timeout=300.0,
            confirm_label="Yes",
            cancel_label="No",
            action=action,
            cancelled=lambda: "kept",
            timed_out=lambda: "no answer",
            working=(lambda: "working…") if working else None,
        )
        view.message = await Reply(interaction, private=True).send("sure?", view=view)

    harness.bot.tree.add_command(confirm)
    return harness


async def test_confirm_view_confirm_becomes_the_actions_text_and_cancel_the_cancelled_text(
    confirming: Harness,
) -> None:
    owner = confirming.member("owner")
    prompt = (await confirming.slash("confirm", user=owner)).reply
    refused = await confirming.driver.click(prompt, "Yes", user=confirming.member("stranger"))
    assert refused.reply.content == NOT_YOURS
    await confirming.driver.click(prompt, "Yes", user=owner)
    assert prompt.content == "done"
    assert prompt.components == []
    other = (await confirming.slash("confirm", user=owner)).reply
    await confirming.driver.click(other, "No", user=owner)
    assert other.content == "kept"
    assert other.components == []


async def test_confirm_view_with_working_text_keeps_progress_and_errors_on_the_message(
    confirming: Harness,
) -> None:
    owner = confirming.member("owner")
    prompt = (await confirming.slash("confirm", user=owner, working=True)).reply
    await confirming.driver.click(prompt, "Yes", user=owner)
    assert prompt.content == "done"
    failing = (await confirming.slash("confirm", user=owner, working=True, fail=True)).reply
    await confirming.driver.click(failing, "Yes", user=owner)
    assert failing.content == "Nobody has linked a PSN ID in this server yet: start with `/link`."
    assert failing.components == []

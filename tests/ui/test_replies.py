"""`Reply`, the one way to answer: each path, driven through a real slash command against the stand-in."""

from __future__ import annotations

import asyncio
import logging

import discord
import pytest
from discord import app_commands

from bot.ui.replies import Attachment, Reply
from tests.conftest import Harness
from tests.standins.discord_api import Attachment as SentFile
from tests.standins.discord_api import InteractionRecord
from tests.standins.interactions import FakeUser


class Gates:
    """Set by the command once it has deferred; the test expires the token, then releases it."""

    def __init__(self) -> None:
        self.deferred = asyncio.Event()
        self.release = asyncio.Event()


@pytest.fixture
def gates() -> Gates:
    return Gates()


@pytest.fixture
async def replying(harness: Harness, gates: Gates) -> Harness:
    """The real bot with one extra command that answers through Reply the way its options ask for."""

    @app_commands.command(name="answer", description="answers through Reply")
    async def answer(
        interaction: discord.Interaction, how: str, private: bool = False, wait: bool = False, files: int = 0
    ) -> None:
        reply = Reply(interaction, private=private)
        attachments = [Attachment(f"file-{n}.csv", f"n,{n}\n".encode()) for n in range(1, files + 1)]
        if how == "followup":
            await reply.send("first")
            await reply.send("second", attachments=attachments)
            return
        if how == "button":
            view = discord.ui.View()
            button: discord.ui.Button[discord.ui.View] = discord.ui.Button(label="Press")

            async def pressed(click: discord.Interaction) -> None:
                await Reply(click, private=private).update("updated by the button", view=None)

            button.callback = pressed  # type: ignore[method-assign,assignment]
            view.add_item(button)
            await reply.send("before the button", view=view)
            return
        if how == "deferred":
            await reply.defer()
            await reply.progress("working…")
            if wait:
                gates.deferred.set()
                await gates.release.wait()
                await reply.progress("still working…")  # the token is gone: skipped, not raised
        await reply.send("the answer", attachments=attachments)

    harness.bot.tree.add_command(answer)
    return harness


def _records(harness: Harness) -> list[InteractionRecord]:
    return list({id(record): record for record in harness.discord.interactions.values()}.values())


async def _outliving_its_token(
    harness: Harness, gates: Gates, user: FakeUser, **options: object
) -> InteractionRecord:
    task = asyncio.ensure_future(harness.slash("answer", user=user, how="deferred", wait=True, **options))
    await gates.deferred.wait()
    record = next(r for r in _records(harness) if r.deferred)
    harness.discord.expired_tokens.add(record.token)
    gates.release.set()
    return await task


async def test_a_first_response_answers_the_interaction_in_the_visibility_asked(replying: Harness) -> None:
    public = await replying.slash("answer", user=replying.member("ann"), how="now")
    assert public.reply.content == "the answer"
    assert not public.reply.ephemeral
    assert not public.deferred
    private = await replying.slash("answer", user=replying.member("ann"), how="now", private=True)
    assert private.reply.content == "the answer"
    assert private.reply.ephemeral


async def test_after_a_defer_the_answer_fills_the_thinking_message(replying: Harness) -> None:
    record = await replying.slash("answer", user=replying.member("ann"), how="deferred", private=True)
    assert record.deferred
    assert record.followups == []
    assert record.reply.content == "the answer"
    assert record.reply.ephemeral
    assert not record.reply.loading


async def test_a_second_message_is_a_followup_with_the_same_visibility(replying: Harness) -> None:
    record = await replying.slash("answer", user=replying.member("ann"), how="followup", private=True)
    assert record.reply.content == "first"
    (followup,) = record.followups
    assert followup.content == "second"
    assert followup.ephemeral


async def test_a_component_updates_the_message_it_sits_on(replying: Harness) -> None:
    ann = replying.member("ann")
    prompt = (await replying.slash("answer", user=ann, how="button")).reply
    assert prompt.content == "before the button"
    await replying.driver.click(prompt, "Press", user=ann)
    assert prompt.content == "updated by the button"
    assert prompt.components == []


async def test_an_expired_public_answer_is_posted_in_the_channel_with_a_mention(
    replying: Harness, gates: Gates
) -> None:
    ann = replying.member("ann")
    record = await _outliving_its_token(replying, gates, ann)
    assert record.original is not None
    assert record.original.content == "working…"  # the last edit the token allowed
    (posted,) = replying.discord.messages_in(replying.guild.channel_id)
    assert posted.content is not None
    assert posted.content.startswith(f"<@{ann.id}>, here is your `/answer` answer")
    assert posted.content.endswith("the answer")


async def test_an_expired_private_answer_goes_by_dm_never_to_the_channel(
    replying: Harness, gates: Gates
) -> None:
    ann = replying.member("ann")
    await _outliving_its_token(replying, gates, ann, private=True)
    assert replying.discord.messages_in(replying.guild.channel_id) == []
    (dm,) = replying.discord.dms_to(ann.id)
    assert "Here is your `/answer` answer" in dm.text()
    assert "meant for you only" in dm.text()
    assert dm.text().endswith("the answer")


async def test_an_expired_private_answer_is_dropped_with_a_log_line_when_dms_are_closed(
    replying: Harness, gates: Gates, caplog: pytest.LogCaptureFixture
) -> None:
    ann = replying.member("ann")
    replying.discord.dms_closed.add(ann.id)
    with caplog.at_level(logging.WARNING, logger="bot.ui.replies"):
        await _outliving_its_token(replying, gates, ann, private=True)
    assert "the private answer could not be sent" in caplog.text
    assert "answer dropped" in caplog.text
    assert replying.discord.messages_in(replying.guild.channel_id) == []
    assert replying.discord.dms_to(ann.id) == []


FILES = [("file-1.csv", b"n,1\n"), ("file-2.csv", b"n,2\n"), ("file-3.csv", b"n,3\n")]


def _files_of(attachments: list[SentFile]) -> list[tuple[str, bytes]]:
    return [(a.filename, a.data) for a in attachments]


async def test_several_files_go_with_the_answer_in_every_path(replying: Harness) -> None:
    ann = replying.member("ann")
    now = await replying.slash("answer", user=ann, how="now", files=3)
    assert _files_of(now.reply.attachments) == FILES
    deferred = await replying.slash("answer", user=ann, how="deferred", private=True, files=3)
    assert deferred.followups == []
    assert _files_of(deferred.reply.attachments) == FILES
    followup = await replying.slash("answer", user=ann, how="followup", private=True, files=2)
    assert followup.reply.attachments == []
    (second,) = followup.followups
    assert _files_of(second.attachments) == FILES[:2]
    assert second.ephemeral


async def test_several_files_go_with_an_expired_public_answer_to_the_channel(
    replying: Harness, gates: Gates
) -> None:
    ann = replying.member("ann")
    await _outliving_its_token(replying, gates, ann, files=3)
    (posted,) = replying.discord.messages_in(replying.guild.channel_id)
    assert _files_of(posted.attachments) == FILES


async def test_several_files_go_with_an_expired_private_answer_by_dm(replying: Harness, gates: Gates) -> None:
    ann = replying.member("ann")
    await _outliving_its_token(replying, gates, ann, private=True, files=2)
    assert replying.discord.messages_in(replying.guild.channel_id) == []
    (dm,) = replying.discord.dms_to(ann.id)
    assert _files_of(dm.attachments) == FILES[:2]

"""/link and /unlink through real interactions, against the GT Grid Stats stand-in over HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest

from tests.conftest import Harness
from tests.standins.discord_api import InteractionRecord
from tests.standins.interactions import FakeGuild, FakeUser

MakeHarness = Callable[..., Awaitable[Harness]]


async def linked(harness: Harness, guild: FakeGuild | None = None) -> dict[int, str]:
    rows = await harness.bot.links.for_guild((guild or harness.guild).id)
    return {row.member_id: row.psn_id for row in rows}


async def test_link_an_indexed_driver_answers_at_once_after_one_get(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Speedy_One", dr_points=31_000)
    ann = harness.member("ann")
    record = await harness.slash("link", user=ann, psn_id="speedy_one")
    assert record.reply.ephemeral
    assert "now linked to" in record.reply.text()
    assert "`Speedy_One`" in record.reply.text()  # the canonical spelling from GT Grid Stats
    assert await linked(harness) == {ann.id: "Speedy_One"}
    link = await harness.bot.links.get(harness.guild.id, ann.id)
    assert link is not None
    driver = harness.gt.dataset.driver("Speedy_One")
    assert driver is not None
    assert link.guid == driver.guid
    assert harness.gt.count("/api/racers", method="GET") == 1
    assert harness.gt.count("/api/racers", method="POST") == 0


async def test_link_an_unindexed_driver_defers_then_syncs_with_progress(harness: Harness) -> None:
    harness.gt.dataset.add_driver("New_Kid", indexed=False)
    ann = harness.member("ann")
    record = await harness.slash("link", user=ann, psn_id="New_Kid")
    assert record.deferred
    assert record.callbacks[0]["data"]["flags"] & 64  # ephemeral "thinking…"
    assert "now linked to" in record.reply.text()
    assert record.reply.edits >= 2  # progress ("Syncing 1 new driver…"), then the result
    assert harness.gt.count("/api/racers", method="GET") == 1
    assert harness.gt.count("/api/racers", method="POST") == 1
    assert await linked(harness) == {ann.id: "New_Kid"}


async def test_sync_progress_is_shown_while_the_sync_runs(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Slow_Sync", indexed=False)
    harness.gt.slow(0.3, path_prefix="/api/racers", times=None)
    ann = harness.member("ann")
    task = asyncio.ensure_future(harness.slash("link", user=ann, psn_id="Slow_Sync"))
    await harness.discord.wait_for(
        lambda: any(
            record.original is not None and "Syncing 1 new driver" in (record.original.content or "")
            for record in harness.discord.interactions.values()
        )
    )
    progress = next(r for r in harness.discord.interactions.values() if r.original is not None)
    assert progress.original is not None
    assert "about 3 s" in (progress.original.content or "")
    record = await task
    assert "now linked to" in record.reply.text()


async def test_link_refuses_a_driver_that_does_not_exist(harness: Harness) -> None:
    ann = harness.member("ann")
    record = await harness.slash("link", user=ann, psn_id="Nobody_Here")
    assert "GT Grid Stats has no driver `Nobody_Here`" in record.reply.text()
    assert harness.gt.count("/api/racers", method="POST") == 1
    assert await linked(harness) == {}


@pytest.mark.parametrize(
    "bad",
    ["", "ab", "a" * 17, "has space", "../x", "a/b", "🏎️racer", "1abc"],
)
async def test_link_refuses_invalid_psn_ids_without_any_call(harness: Harness, bad: str) -> None:
    record = await harness.slash("link", user=harness.member("ann"), psn_id=bad)
    assert record.reply.ephemeral
    assert "is not a valid PSN ID" in record.reply.text()
    assert not record.deferred
    assert harness.gt.count() == 0


async def test_a_psn_id_is_linked_to_one_member_per_guild(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Taken_Driver")
    ann, bob = harness.member("ann"), harness.member("bob")
    await harness.slash("link", user=ann, psn_id="Taken_Driver")
    record = await harness.slash("link", user=bob, psn_id="taken_driver")
    assert record.reply.ephemeral
    assert f"already linked to <@{ann.id}>" in record.reply.text()
    assert await linked(harness) == {ann.id: "Taken_Driver"}


async def test_two_guilds_cannot_see_each_others_links(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Shared_Driver")
    other = FakeGuild(name="Other")
    ann_here = harness.member("ann")
    ann_there = FakeUser(guild=other, name="ann", id=ann_here.id)
    bob_there = harness.member("bob", guild=other)
    await harness.slash("link", user=ann_here, psn_id="Shared_Driver")
    # The same PSN ID can be claimed in another guild: links do not cross guilds.
    record = await harness.slash("link", user=bob_there, psn_id="Shared_Driver")
    assert "now linked to" in record.reply.text()
    # ann's link is invisible from the other guild.
    profile = await harness.slash("profile", user=ann_there)
    assert "You have not linked your PSN ID in this server yet" in profile.reply.text()
    looked_up = await harness.slash("profile", user=bob_there, member=ann_here)
    assert f"<@{ann_here.id}> has not linked a PSN ID in this server" in looked_up.reply.text()
    assert await linked(harness) == {ann_here.id: "Shared_Driver"}
    assert await linked(harness, other) == {bob_there.id: "Shared_Driver"}


async def test_relinking_asks_to_confirm_and_only_the_invoker_may_answer(harness: Harness) -> None:
    harness.gt.dataset.add_driver("First_Car")
    harness.gt.dataset.add_driver("Second_Car", indexed=False)
    ann, bob = harness.member("ann"), harness.member("bob")
    await harness.slash("link", user=ann, psn_id="First_Car")
    calls_before = harness.gt.count()

    record = await harness.slash("link", user=ann, psn_id="Second_Car")
    prompt = record.reply
    assert prompt.ephemeral
    assert "linked to `First_Car`" in prompt.text()
    assert "Replace it with `Second_Car`?" in prompt.text()
    assert harness.gt.count() == calls_before  # nothing is looked up before the answer

    stranger = await harness.driver.click(prompt, "Confirm", user=bob)
    assert stranger.reply.ephemeral
    assert "Only the member who ran `/link`" in stranger.reply.text()
    assert await linked(harness) == {ann.id: "First_Car"}

    await harness.driver.click(prompt, "Confirm", user=ann)
    assert "now linked to" in prompt.text()
    assert "previous link to `First_Car` was replaced" in prompt.text()
    assert prompt.components == []
    assert await linked(harness) == {ann.id: "Second_Car"}


async def test_relinking_can_be_cancelled(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Keep_This")
    harness.gt.dataset.add_driver("Not_This")
    ann = harness.member("ann")
    await harness.slash("link", user=ann, psn_id="Keep_This")
    prompt = (await harness.slash("link", user=ann, psn_id="Not_This")).reply
    await harness.driver.click(prompt, "Cancel", user=ann)
    assert "Cancelled" in prompt.text()
    assert prompt.components == []
    assert await linked(harness) == {ann.id: "Keep_This"}


async def test_relinking_to_a_missing_driver_reports_it_on_the_prompt(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Keep_This")
    ann = harness.member("ann")
    await harness.slash("link", user=ann, psn_id="Keep_This")
    prompt = (await harness.slash("link", user=ann, psn_id="Ghost_Driver")).reply
    await harness.driver.click(prompt, "Confirm", user=ann)
    assert "GT Grid Stats has no driver `Ghost_Driver`" in prompt.text()
    assert await linked(harness) == {ann.id: "Keep_This"}


async def test_linking_the_same_psn_again_just_says_so(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Same_Again")
    ann = harness.member("ann")
    await harness.slash("link", user=ann, psn_id="Same_Again")
    record = await harness.slash("link", user=ann, psn_id="same_again")
    assert "You are already linked to `Same_Again`" in record.reply.text()
    assert record.reply.components == []


async def test_only_managers_may_link_or_unlink_someone_else(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Their_Driver")
    ann, bob = harness.member("ann"), harness.member("bob")
    boss = harness.member("boss", manager=True)

    refused = await harness.slash("link", user=ann, psn_id="Their_Driver", member=bob)
    assert refused.reply.ephemeral
    assert "You need the Manage Server permission to link someone else." in refused.reply.text()
    assert harness.gt.count() == 0

    done = await harness.slash("link", user=boss, psn_id="Their_Driver", member=bob)
    assert f"<@{bob.id}> is now linked to" in done.reply.text()
    assert await linked(harness) == {bob.id: "Their_Driver"}

    refused = await harness.slash("unlink", user=ann, member=bob)
    assert "You need the Manage Server permission to unlink someone else." in refused.reply.text()
    assert await linked(harness) == {bob.id: "Their_Driver"}

    done = await harness.slash("unlink", user=boss, member=bob)
    assert f"<@{bob.id}> is no longer linked to `Their_Driver`" in done.reply.text()
    assert await linked(harness) == {}


async def test_linking_a_user_who_is_not_a_member_is_refused(harness: Harness) -> None:
    outsider = FakeUser(guild=None, name="outsider")
    boss = harness.member("boss", manager=True)
    record = await harness.slash("link", user=boss, psn_id="Anyone_At_All", member=outsider)
    assert f"<@{outsider.id}> is not a member of this server." in record.reply.text()
    assert harness.gt.count() == 0


async def test_unlink_removes_the_link_and_the_unlinked_drivers_snapshots(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Gone_Soon")
    harness.gt.dataset.add_driver("Still_Here")
    ann, bob = harness.member("ann"), harness.member("bob")
    other = FakeGuild()
    carl = harness.member("carl", guild=other)
    await harness.slash("link", user=ann, psn_id="Gone_Soon")
    await harness.slash("link", user=bob, psn_id="Still_Here")
    await harness.slash("link", user=carl, psn_id="Still_Here")
    snapshots = harness.bot.drivers.snapshots
    assert await snapshots.count("Gone_Soon") == 1

    record = await harness.slash("unlink", user=ann)
    assert record.reply.ephemeral
    assert "You are no longer linked to `Gone_Soon`" in record.reply.text()
    assert await snapshots.count("Gone_Soon") == 0

    # Still linked in the other guild: its snapshots stay.
    await harness.slash("unlink", user=bob)
    assert await snapshots.count("Still_Here") == 1

    # Forgotten means forgotten: the next look-up asks GT Grid Stats again.
    harness.gt.reset_counts()
    record = await harness.slash("profile", user=bob, psn_id="Gone_Soon")
    assert record.deferred
    assert harness.gt.count("/api/racers", method="GET") == 1


async def test_unlink_without_a_link_says_so(harness: Harness) -> None:
    record = await harness.slash("unlink", user=harness.member("ann"))
    assert record.reply.ephemeral
    assert record.reply.text() == "You have no linked PSN ID in this server."


async def test_a_hundred_concurrent_links_all_land(harness: Harness) -> None:
    members = [harness.member(f"member{number:03d}") for number in range(100)]
    for number in range(100):
        harness.gt.dataset.add_driver(f"Crowd_{number:03d}")
    records = await asyncio.gather(
        *(
            harness.slash("link", user=member, psn_id=f"Crowd_{number:03d}")
            for number, member in enumerate(members)
        )
    )
    assert all("now linked to" in record.reply.text() for record in records)
    assert await harness.bot.links.count(harness.guild.id) == 100
    assert await linked(harness) == {member.id: f"Crowd_{n:03d}" for n, member in enumerate(members)}
    # Looked up 16 per call at most, and never one driver twice.
    assert harness.gt.count("/api/racers", method="GET") >= 7
    asked = [r.path.rsplit("/", 1)[1].split(",") for r in harness.gt.requests if r.method == "GET"]
    flat = [psn.lower() for batch in asked for psn in batch]
    assert len(flat) == len(set(flat)) == 100
    assert all(len(batch) <= 16 for batch in asked)


async def test_links_and_snapshots_survive_a_restart(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Durable_One")
    ann = harness.member("ann")
    await harness.slash("link", user=ann, psn_id="Durable_One")
    await harness.restart()
    harness.gt.reset_counts()
    record = await harness.slash("profile", user=ann)
    assert not record.deferred
    assert "Durable_One" in record.reply.text()
    assert harness.gt.count() == 0
    assert await linked(harness) == {ann.id: "Durable_One"}


# --- members who left (issue #9, defect 3) -------------------------------------------------------------


async def test_a_psn_held_by_someone_who_left_is_released_by_the_next_link(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Left_Behind")
    ann, bob = harness.member("ann"), harness.member("bob")
    await harness.slash("link", user=ann, psn_id="Left_Behind")
    harness.discord.remove_member(harness.guild.id, ann.id)

    record = await harness.slash("link", user=bob, psn_id="left_behind")
    assert record.reply.ephemeral
    text = record.reply.text()
    assert f"`Left_Behind` was linked to <@{ann.id}>, who has left this server" in text
    assert "You are now linked to" in text
    assert await linked(harness) == {bob.id: "Left_Behind"}
    # Checked with Discord, not guessed.
    asked = [c.path for c in harness.discord.calls if c.method == "GET" and "/members/" in c.path]
    assert asked == [f"/guilds/{harness.guild.id}/members/{ann.id}"]


async def test_a_psn_held_by_a_member_is_not_released(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Still_Mine")
    ann, bob = harness.member("ann"), harness.member("bob")
    await harness.slash("link", user=ann, psn_id="Still_Mine")
    record = await harness.slash("link", user=bob, psn_id="Still_Mine")
    assert f"already linked to <@{ann.id}>" in record.reply.text()
    assert await linked(harness) == {ann.id: "Still_Mine"}


async def test_a_psn_is_not_released_when_discord_does_not_say_unknown_member(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Not_Sure")
    ann, bob = harness.member("ann"), harness.member("bob")
    await harness.slash("link", user=ann, psn_id="Not_Sure")
    harness.discord.remove_member(harness.guild.id, ann.id)
    # Discord answers 403 Missing Access, not 404 Unknown Member (10007): nothing is released.
    harness.discord.member_lookup_error = (403, 50001, "Missing Access")
    record = await harness.slash("link", user=bob, psn_id="Not_Sure")
    assert f"already linked to <@{ann.id}>" in record.reply.text()
    assert await linked(harness) == {ann.id: "Not_Sure"}


async def test_a_manager_unlinks_someone_who_left_by_user_id(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Gone_Member")
    ann = harness.member("ann")
    boss = harness.member("boss", manager=True)
    await harness.slash("link", user=ann, psn_id="Gone_Member")
    harness.discord.remove_member(harness.guild.id, ann.id)
    record = await harness.slash("unlink", user=boss, user_id=f" {ann.id} ")
    assert record.reply.ephemeral
    assert f"<@{ann.id}> is no longer linked to `Gone_Member`" in record.reply.text()
    assert await linked(harness) == {}


async def test_a_manager_unlinks_a_non_member_picked_as_a_user(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Former_One")
    ann = harness.member("ann")
    boss = harness.member("boss", manager=True)
    await harness.slash("link", user=ann, psn_id="Former_One")
    # Discord resolves a user who left as a plain user (no member data).
    former = FakeUser(guild=None, name="ann", id=ann.id)
    record = await harness.slash("unlink", user=boss, member=former)
    assert f"<@{ann.id}> is no longer linked to `Former_One`" in record.reply.text()
    assert await linked(harness) == {}


async def test_unlink_by_user_id_needs_manage_server_and_a_real_id(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Guarded")
    ann, bob = harness.member("ann"), harness.member("bob")
    await harness.slash("link", user=ann, psn_id="Guarded")
    refused = await harness.slash("unlink", user=bob, user_id=f"<@{ann.id}>")
    assert refused.reply.ephemeral
    assert "You need the Manage Server permission to unlink someone else." in refused.reply.text()
    boss = harness.member("boss", manager=True)
    bad = await harness.slash("unlink", user=boss, user_id="12`34 @everyone")
    assert bad.reply.ephemeral
    assert bad.reply.text().startswith("`12ˋ34 @everyone` is not a user id.")
    both = await harness.slash("unlink", user=boss, member=ann, user_id=str(ann.id))
    assert "Give either a member or a user id, not both." in both.reply.text()
    assert await linked(harness) == {ann.id: "Guarded"}


# --- private answers after the interaction expired (issue #9, defect 9) -----------------------------------


def _records(harness: Harness) -> list[InteractionRecord]:
    return list({id(record): record for record in harness.discord.interactions.values()}.values())


async def _link_outliving_its_token(harness: Harness, user: FakeUser, psn_id: str) -> InteractionRecord:
    task = asyncio.ensure_future(harness.slash("link", user=user, psn_id=psn_id))
    await harness.discord.wait_for(lambda: any(r.deferred for r in _records(harness)))
    record = next(r for r in _records(harness) if r.deferred)
    harness.discord.expired_tokens.add(record.token)
    return await harness.clock.run_until(task)


async def test_an_expired_private_link_answer_goes_by_dm_never_to_the_channel(
    make_harness: MakeHarness,
) -> None:
    harness = await make_harness(racer_batch_window_ms=250)
    harness.gt.dataset.add_driver("Late_Link", indexed=False)
    ann = harness.member("ann")
    record = await _link_outliving_its_token(harness, ann, "Late_Link")
    assert record.original is not None
    assert record.original.loading
    assert harness.discord.messages_in(harness.guild.channel_id) == []
    (dm,) = harness.discord.dms_to(ann.id)
    assert "Here is your `/link` answer" in dm.text()
    assert "You are now linked to" in dm.text()
    assert await linked(harness) == {ann.id: "Late_Link"}


async def test_an_expired_private_answer_is_dropped_with_a_log_line_when_dms_are_closed(
    make_harness: MakeHarness, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await make_harness(racer_batch_window_ms=250)
    harness.gt.dataset.add_driver("Closed_Dms", indexed=False)
    ann = harness.member("ann")
    harness.discord.dms_closed.add(ann.id)
    with caplog.at_level(logging.WARNING, logger="cogs.drivers"):
        await _link_outliving_its_token(harness, ann, "Closed_Dms")
    assert "the private answer could not be sent" in caplog.text
    assert "Cannot send messages to this user" in caplog.text
    assert harness.discord.messages_in(harness.guild.channel_id) == []
    assert harness.discord.dms_to(ann.id) == []
    assert await linked(harness) == {ann.id: "Closed_Dms"}


async def test_an_expired_relink_buttons_error_stays_private(make_harness: MakeHarness) -> None:
    harness = await make_harness(racer_batch_window_ms=250)
    harness.gt.dataset.add_driver("Keep_This")
    ann = harness.member("ann")
    await harness.clock.run_until(harness.slash("link", user=ann, psn_id="Keep_This"))
    prompt = (await harness.slash("link", user=ann, psn_id="Ghost_Driver")).reply
    click = asyncio.ensure_future(harness.driver.click(prompt, "Confirm", user=ann))
    await harness.discord.wait_for(
        lambda: any(r.clicked_message is prompt and r.callbacks for r in _records(harness))
    )
    clicked = next(r for r in _records(harness) if r.clicked_message is prompt)
    harness.discord.expired_tokens.add(clicked.token)
    await harness.clock.run_until(click)
    assert harness.discord.messages_in(harness.guild.channel_id) == []
    (dm,) = harness.discord.dms_to(ann.id)
    assert "GT Grid Stats has no driver `Ghost_Driver`" in dm.text()
    assert await linked(harness) == {ann.id: "Keep_This"}


# --- echoed user text, DM payloads ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("a`b **x**", "`aˋb **x**` is not a valid PSN ID"), ("``@everyone``", "`ˋˋ@everyoneˋˋ` is not a valid")],
)
async def test_backticks_in_an_echoed_psn_id_cannot_break_out_of_the_code_span(
    harness: Harness, typed: str, shown: str
) -> None:
    record = await harness.slash("link", user=harness.member("ann"), psn_id=typed)
    text = record.reply.text()
    assert text.startswith(shown)
    assert text.count("`") % 2 == 0
    assert record.callbacks[0]["data"]["allowed_mentions"] == {"parse": []}


async def test_backticks_in_a_driver_list_cannot_break_out_of_the_code_span(harness: Harness) -> None:
    record = await harness.slash("compare", user=harness.member("ann"), drivers="ok_one bad`one")
    assert "`badˋone` is not a PSN ID" in record.reply.text()


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("link", {"psn_id": "Some_One"}),
        ("unlink", {}),
        ("leaderboard", {}),
        # /profile, /history and /compare work in DMs since issue #13: tests/cogs/test_personal.py
    ],
)
async def test_guild_only_commands_in_a_dm_say_so(
    harness: Harness, command: str, options: dict[str, str]
) -> None:
    record = await harness.driver.dm_interaction(command, user=harness.member("ann"), **options)
    assert record.reply.ephemeral
    assert record.reply.text() == (
        "This command works only inside a server: please use it in one of the server's channels."
    )
    assert harness.gt.count() == 0

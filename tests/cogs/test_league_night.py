"""League night through real discord.py interactions: sign-ups (gates, waitlist, modal), restarts, races
with scheduled events, check-in and attendance."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage.links import Link
from tests.conftest import Harness
from tests.standins.discord_api import SentMessage
from tests.standins.interactions import FakeChannel, FakeGuild, FakeUser

SERIES = 6161


async def new_league(harness: Harness, organiser: FakeUser, channel: FakeChannel, drivers: str = "") -> None:
    harness.gt.dataset.add_series(SERIES, "Nations Cup", {"AlphaOne": (1, [(1, 50, True)])})
    setup = await harness.slash(
        "league setup", user=organiser, name="Sunday Cup", series=SERIES, channel=channel
    )
    assert "Sunday Cup" in setup.reply.text()
    if drivers:
        await harness.slash("league add", user=organiser, drivers=drivers)


async def move_to(harness: Harness, when: datetime) -> None:
    """Set the clock and wait until the league-night loop has run for that time."""
    harness.clock.set(when)
    cog = harness.bot.get_cog("LeagueNight")
    await asyncio.wait_for(cog.loop.wait_for_run(when), 10)  # type: ignore[union-attr]


async def run_again_at(harness: Harness, when: datetime) -> None:
    """Like move_to, for a loop that may not be asleep yet: it is woken, so it runs at `when`."""
    harness.clock.set(when)
    cog = harness.bot.get_cog("LeagueNight")
    cog.loop.changed()  # type: ignore[union-attr]
    await asyncio.wait_for(cog.loop.wait_for_run(when), 10)  # type: ignore[union-attr]


@pytest.fixture
def organiser(harness: Harness) -> FakeUser:
    return harness.member("org", manager=True)


@pytest.fixture
def channel(harness: Harness) -> FakeChannel:
    return FakeChannel(harness.guild)


async def linked(
    harness: Harness, name: str, psn: str, *, dr_points: int = 12_000, sr: str = "S"
) -> FakeUser:
    harness.gt.dataset.add_driver(psn, dr_points=dr_points, sr=sr)
    member = harness.member(name)
    await harness.bot.links.set(Link(harness.guild.id, member.id, psn, None, harness.clock.now()))
    return member


async def open_signups(
    harness: Harness, organiser: FakeUser, channel: FakeChannel, **options: object
) -> SentMessage:
    await new_league(harness, organiser, channel, drivers="")
    record = await harness.slash("league signups open", user=organiser, **options)
    assert record.reply.ephemeral
    assert "are open" in (record.reply.content or ""), record.reply.text()
    (message,) = harness.discord.messages_in(channel.id)
    return message


async def test_join_waitlist_leave_promotion_and_close(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    board = await open_signups(harness, organiser, channel, max_grid=2)
    assert board.custom_ids() == [f"gtgb:signup:{1}:join", "gtgb:signup:1:leave"]
    ann = await linked(harness, "ann", "AnnFast")
    bob = await linked(harness, "bob", "BobQuick")
    cy = await linked(harness, "cy", "CyLate")

    first = await harness.driver.click(board, "Join", user=ann)
    assert first.reply.ephemeral
    assert "You are on the grid of **Sunday Cup** as **AnnFast**" in first.reply.text()
    await harness.driver.click(board, "Join", user=bob)
    third = await harness.driver.click(board, "Join", user=cy)
    assert "waitlist, position 1" in third.reply.text()
    assert third.reply.ephemeral
    # The message is edited in place with the count and the names.
    assert "Grid: 2/2" in board.text()
    assert "AnnFast" in board.text()
    assert "CyLate" in board.text()
    assert [p.lower() for p in await harness.bot.leagues.roster(1)] == ["annfast", "bobquick"]

    left = await harness.driver.click(board, "Leave", user=ann)
    assert "your place is free" in left.reply.text()
    assert [p.lower() for p in await harness.bot.leagues.roster(1)] == ["bobquick", "cylate"]
    # Cy is told by DM.
    (dm,) = harness.discord.dms_to(cy.id)
    assert "**CyLate** is in" in (dm.content or "")
    assert "Waitlist" not in board.text()

    closed = await harness.slash("league signups close", user=organiser)
    assert "are closed: 2 drivers on the grid" in closed.reply.text()
    assert all(button.get("disabled") for row in board.components for button in row["components"])
    assert "Sign-ups are closed." in board.text()
    assert "BobQuick" in board.text()
    with pytest.raises(AssertionError, match="disabled"):
        await harness.driver.click(board, "Join", user=ann)


async def test_promotion_is_noted_in_the_channel_when_dms_are_closed(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    board = await open_signups(harness, organiser, channel, max_grid=1)
    ann = await linked(harness, "ann", "AnnFast")
    bob = await linked(harness, "bob", "BobQuick")
    harness.discord.dms_closed.add(bob.id)
    await harness.driver.click(board, "Join", user=ann)
    await harness.driver.click(board, "Join", user=bob)
    await harness.driver.click(board, "Leave", user=ann)
    note = harness.discord.messages_in(channel.id)[-1]
    assert note.id != board.id
    assert f"<@{bob.id}>" in (note.content or "")
    assert "moves from the waitlist" in (note.content or "")


async def test_rating_gate_refuses_with_the_reason(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    board = await open_signups(harness, organiser, channel, min_dr="C", min_sr="A")
    slow = await linked(harness, "slow", "SlowDriver", dr_points=3_000, sr="B")
    record = await harness.driver.click(board, "Join", user=slow)
    assert record.reply.ephemeral
    assert record.reply.text() == (
        "Sorry, **SlowDriver** can't join: DR C required, yours is D; SR A required, yours is B."
    )
    assert await harness.bot.leagues.roster(1) == []
    assert "SlowDriver" not in board.text()


async def test_unlinked_member_gets_a_modal_is_linked_and_joins(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    board = await open_signups(harness, organiser, channel)
    harness.gt.dataset.add_driver("NewDriver")
    newbie = harness.member("newbie")
    click = await harness.driver.click(board, "Join", user=newbie)
    assert click.modal is not None
    assert click.modal["title"] == "Join with your PSN ID"
    submitted = await harness.driver.submit_modal(click, {"gtgb:signup:1:psn_id": "newdriver"}, user=newbie)
    assert submitted.reply.ephemeral
    assert "You are on the grid of **Sunday Cup** as **NewDriver**" in submitted.reply.text()
    link = await harness.bot.links.get(harness.guild.id, newbie.id)
    assert link is not None
    assert link.psn_id == "NewDriver"
    assert "NewDriver" in board.text()


async def test_double_click_counts_once(harness: Harness, organiser: FakeUser, channel: FakeChannel) -> None:
    board = await open_signups(harness, organiser, channel)
    ann = await linked(harness, "ann", "AnnFast")
    await asyncio.gather(
        harness.driver.click(board, "Join", user=ann), harness.driver.click(board, "Join", user=ann)
    )
    service = harness.bot.get_cog("LeagueNight").signups  # type: ignore[union-attr]
    assert len(await service.signups.entries(1)) == 1
    assert "Grid: 1 driver" in board.text()


async def test_old_buttons_work_after_a_restart(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    board = await open_signups(harness, organiser, channel)
    ann = await linked(harness, "ann", "AnnFast")
    await harness.restart()
    record = await harness.driver.click(board, "Join", user=ann)
    assert "You are on the grid" in record.reply.text()
    assert "AnnFast" in board.text()


async def test_signups_close_by_time(harness: Harness, organiser: FakeUser, channel: FakeChannel) -> None:
    board = await open_signups(harness, organiser, channel, closes="2026-11-29 18:00")
    assert "Closes <t:" in board.text()
    await move_to(harness, datetime(2026, 11, 29, 18, 0, 1, tzinfo=UTC))
    assert "Sign-ups are closed." in board.text()
    assert all(button.get("disabled") for row in board.components for button in row["components"])


async def test_bad_input_gets_clear_messages(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await new_league(harness, organiser, channel, drivers="")
    past = await harness.slash("league signups open", user=organiser, closes="2026-11-01 10:00")
    assert "is in the past" in past.reply.text()
    assert past.reply.ephemeral
    garbled = await harness.slash("league race add", user=organiser, when="next friday")
    assert "is not a date and time" in garbled.reply.text()
    zone = await harness.slash(
        "league race add", user=organiser, when="2026-12-05 20:00", timezone="Mars/Base"
    )
    assert "`Mars/Base` is not a time zone" in zone.reply.text()
    assert harness.discord.messages_in(channel.id) == []


async def test_race_calendar_keeps_scheduled_events_in_step(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    harness.discord.now = harness.clock.now
    await new_league(harness, organiser, channel, drivers="")
    added = await harness.slash(
        "league race add",
        user=organiser,
        when="2026-12-05 20:00",
        track="Spa",
        car="Gr.3",
        notes="Bring fuel",
    )
    assert "Added **Race #1 · Spa · Gr.3**" in added.reply.text(), added.reply.text()
    (event,) = harness.discord.scheduled_events[harness.guild.id].values()
    assert event["name"] == "Sunday Cup: Race #1 · Spa · Gr.3"
    assert event["scheduled_start_time"].startswith("2026-12-05T20:00:00")
    assert event["entity_metadata"] == {"location": "Gran Turismo 7"}

    overlap = await harness.slash("league race add", user=organiser, when="2026-12-05 21:00")
    assert "overlaps race #1" in overlap.reply.text()
    past = await harness.slash("league race add", user=organiser, when="2026-11-27 21:00")
    assert "is in the past" in past.reply.text()

    edited = await harness.slash("league race edit", user=organiser, race=1, when="2026-12-06 19:30")
    assert "Updated" in edited.reply.text()
    (event,) = harness.discord.scheduled_events[harness.guild.id].values()
    assert event["scheduled_start_time"].startswith("2026-12-06T19:30:00")
    listed = await harness.slash("league race list", user=organiser)
    assert "Race #1 · Spa · Gr.3" in listed.reply.text()

    removed = await harness.slash("league race remove", user=organiser, race=1)
    assert "Removed race #1" in removed.reply.text()
    assert harness.discord.scheduled_events[harness.guild.id] == {}


async def test_without_manage_events_the_organiser_is_told_once(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    harness.discord.now = harness.clock.now
    harness.discord.events_forbidden_guilds.add(harness.guild.id)
    await new_league(harness, organiser, channel, drivers="")
    first = await harness.slash("league race add", user=organiser, when="2026-12-05 20:00")
    second = await harness.slash("league race add", user=organiser, when="2026-12-12 20:00")
    assert "Manage Events" in first.reply.text()
    assert "Added" in second.reply.text()
    assert "Manage Events" not in second.reply.text()
    listed = await harness.slash("league race list", user=organiser)
    assert listed.reply.text().count("Race #") == 2


async def test_checkin_reminder_pings_only_non_responders_and_attendance(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    harness.discord.now = harness.clock.now
    await new_league(harness, organiser, channel, drivers="")
    members = [await linked(harness, f"m{i}", f"Driver{i}") for i in range(3)]
    await harness.slash("league add", user=organiser, drivers="Driver0 Driver1 Driver2 Unlinked9")
    start = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    await harness.slash("league race add", user=organiser, when="2026-11-30 20:00", checkin_hours=24)

    await move_to(harness, start - timedelta(hours=24))
    (checkin,) = harness.discord.messages_in(channel.id)
    assert checkin.custom_ids() == ["gtgb:checkin:1:in", "gtgb:checkin:1:out"]
    answered = await harness.driver.click(checkin, "Check in", user=members[0])
    assert "You are checked in" in answered.reply.text()
    assert answered.reply.ephemeral
    await harness.driver.click(checkin, "Check in", user=members[0])  # a second click counts once
    await harness.driver.click(checkin, "Can't make it", user=members[1])
    assert "Checked in: 1" in checkin.text()
    assert "Can't make it: 1" in checkin.text()
    stranger = await harness.driver.click(checkin, "Check in", user=harness.member("stranger"))
    assert "Link your PSN ID" in stranger.reply.text()

    await harness.restart()  # the check-in buttons survive it
    harness.discord.now = harness.clock.now
    await move_to(harness, start - timedelta(hours=1))
    assert len(harness.discord.messages_in(channel.id)) == 2
    reminder = harness.discord.messages_in(channel.id)[1]
    assert f"<@{members[2].id}>" in (reminder.content or "")
    assert f"<@{members[0].id}>" not in (reminder.content or "")
    assert f"<@{members[1].id}>" not in (reminder.content or "")
    assert "Unlinked9" in (reminder.content or "")

    await move_to(harness, start + timedelta(seconds=1))
    assert "Check-in is closed" in checkin.text()
    assert all(button.get("disabled") for row in checkin.components for button in row["components"])

    shown = await harness.slash("league checkin attendance", user=organiser, export=True)
    assert "Driver0: 1/1 ✅" in shown.reply.text()
    assert "Driver1: 0/1 ❌" in shown.reply.text()
    (attachment,) = shown.reply.attachments
    rows = attachment.data.decode().splitlines()
    assert rows[0].startswith("PSN ID,Race 1 (2026-11-30 20:00 UTC)")
    assert "Driver0,checked in,1,0" in rows


async def test_guild_isolation(harness: Harness, organiser: FakeUser, channel: FakeChannel) -> None:
    board = await open_signups(harness, organiser, channel)
    other = harness.member("outsider", guild=FakeGuild())
    await harness.bot.links.set(Link(other.guild.id, other.id, "AnnFast", None, harness.clock.now()))  # type: ignore[union-attr]
    record = await harness.driver.click(board, "Join", user=other)
    assert "These sign-ups are closed." in record.reply.text()
    assert "AnnFast" not in board.text()


async def test_200_driver_signup(harness: Harness, organiser: FakeUser, channel: FakeChannel) -> None:
    board = await open_signups(harness, organiser, channel, max_grid=200)
    for index in range(201):
        member = await linked(harness, f"d{index}", f"Racer{index:03d}")
        await harness.driver.click(board, "Join", user=member)
    assert len(await harness.bot.leagues.roster(1)) == 200
    assert "Grid: 200/200" in board.text()
    assert "Waitlist: 1 driver" in board.text()
    assert harness.discord.rejected == []


async def test_lobbies_split_the_drivers_checked_in_for_the_race(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    harness.discord.now = harness.clock.now
    await new_league(harness, organiser, channel, drivers="")
    members = [await linked(harness, f"m{i}", f"Driver{i}", dr_points=1_000 * (i + 1)) for i in range(4)]
    await harness.slash("league add", user=organiser, drivers="Driver0 Driver1 Driver2 Driver3")
    start = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    await harness.slash("league race add", user=organiser, when="2026-11-30 20:00", checkin_hours=24)
    await harness.slash("league race add", user=organiser, when="2026-12-07 20:00", checkin_hours=24)

    before = await harness.slash("league lobbies", user=organiser)  # check-in not open yet: the roster
    assert "4 drivers in 1 room" in before.messages[-1].text()
    assert "The whole roster (no check-in for this race)." in before.messages[-1].text()

    await move_to(harness, start - timedelta(hours=24))
    (checkin,) = harness.discord.messages_in(channel.id)
    nobody = await harness.slash("league lobbies", user=organiser)
    assert nobody.reply.ephemeral
    assert "Nobody has checked in for that race yet" in nobody.reply.text()
    for member in (members[0], members[2], members[3]):
        await harness.driver.click(checkin, "Check in", user=member)
    await harness.driver.click(checkin, "Can't make it", user=members[1])

    record = await harness.slash("league lobbies", user=organiser, size=2)
    text = record.messages[-1].text()
    assert "3 drivers in 2 rooms of at most 2" in text
    assert "The drivers checked in for race #1." in text
    assert "Driver1" not in text
    room1, room2 = text.split("**Room 2**")
    assert "Driver3" in room1
    assert "Driver2" in room1
    assert "Driver0" in room2

    await move_to(harness, start + timedelta(minutes=5))  # started, check-in closed: still race 1
    started = await harness.slash("league lobbies", user=organiser)
    assert "3 drivers in 1 room" in started.messages[-1].text()
    later = await harness.slash("league lobbies", user=organiser, race=2)  # not open yet: the roster
    assert "4 drivers in 1 room" in later.messages[-1].text()
    unknown = await harness.slash("league lobbies", user=organiser, race=99)
    assert unknown.reply.ephemeral
    assert "99" in unknown.reply.text()
    not_racing = await harness.slash("league lobbies", user=organiser, race=1, host="Driver1")
    assert not_racing.reply.ephemeral
    assert "is not among tonight's drivers" in not_racing.reply.text()


async def test_the_psn_modal_answers_and_refuses_in_the_members_language(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    """The modal's submit runs in its own task: it speaks the submitter's language, errors included."""
    board = await open_signups(harness, organiser, channel)
    harness.gt.dataset.add_driver("NeuerFahrer")
    member = harness.member("neu", locale="de")
    click = await harness.driver.click(board, "Join", user=member)
    assert click.modal is not None
    refused = await harness.driver.submit_modal(click, {"gtgb:signup:1:psn_id": "1bad"}, user=member)
    assert refused.reply.ephemeral
    assert refused.reply.text() == (
        "`1bad` ist keine gültige PSN-ID (3–16 Buchstaben, Ziffern, „-“ oder „_“, "
        "mit einem Buchstaben am Anfang)."
    )
    click = await harness.driver.click(board, "Join", user=member)
    assert click.modal is not None
    joined = await harness.driver.submit_modal(click, {"gtgb:signup:1:psn_id": "neuerfahrer"}, user=member)
    assert joined.reply.ephemeral
    assert joined.reply.text() == (
        "Du bist im Starterfeld von **Sunday Cup** als **NeuerFahrer**. Wir sehen uns auf der Strecke!"
    )


async def test_a_refused_checkin_post_is_tried_again_at_the_next_run(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    harness.discord.now = harness.clock.now
    await new_league(harness, organiser, channel)
    await harness.slash("league race add", user=organiser, when="2026-11-30 20:00")
    opens = datetime(2026, 11, 29, 20, 0, 1, tzinfo=UTC)
    harness.discord.forbidden_channels.add(channel.id)  # 403, 50013 Missing Permissions
    await move_to(harness, opens)
    assert harness.discord.messages_in(channel.id) == []
    harness.discord.forbidden_channels.discard(channel.id)
    await run_again_at(harness, opens + timedelta(seconds=61))
    (checkin,) = harness.discord.messages_in(channel.id)
    assert checkin.button("Check in")
    (race,) = await harness.bot.league_night.races.races.pending()
    assert race.checkin_message_id == checkin.id
    roster = await harness.slash("league roster", user=organiser)
    assert not [m for m in roster.messages if m.text().startswith("⚠️")]


async def test_a_checkin_post_refused_three_times_is_left_with_a_notice(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    harness.discord.now = harness.clock.now
    await new_league(harness, organiser, channel)
    await harness.slash("league race add", user=organiser, when="2026-11-30 20:00")
    opens = datetime(2026, 11, 29, 20, 0, 1, tzinfo=UTC)
    harness.discord.forbidden_channels.add(channel.id)
    for minute in range(5):
        await run_again_at(harness, opens + timedelta(seconds=61 * minute))
    harness.discord.forbidden_channels.discard(channel.id)
    await run_again_at(harness, opens + timedelta(seconds=61 * 6))
    assert harness.discord.messages_in(channel.id) == []  # given up after 3 tries: not posted later
    (race,) = await harness.bot.league_night.races.races.pending()
    assert race.checkin_message_id == 0
    roster = await harness.slash("league roster", user=organiser)
    (warning,) = [m.text() for m in roster.messages if m.text().startswith("⚠️")]
    assert f"I could not post the **Sunday Cup** check-in for the race at <t:{1_796_068_800}:f>" in warning
    assert f"in <#{channel.id}> (3 tries)" in warning
    again = await harness.slash("league roster", user=organiser)
    assert not [m for m in again.messages if m.text().startswith("⚠️")]


async def test_a_gate_above_the_top_class_is_refused_clearly(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await new_league(harness, organiser, channel)
    dr = await harness.slash("league signups open", user=organiser, min_dr="S")
    assert dr.reply.ephemeral
    assert "`S` is not a DR class: use E, D, C, B, A or A+ (A+ is the top)." in dr.reply.text()
    sr = await harness.slash("league signups open", user=organiser, min_sr="A+")
    assert sr.reply.ephemeral
    assert "`A+` is not an SR class: use E, D, C, B, A or S (S is the top)." in sr.reply.text()
    assert harness.discord.messages_in(channel.id) == []  # no board posted


async def checkin_open_for_driver0(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> tuple[FakeUser, SentMessage]:
    """A league with linked Driver0 on its roster and Race #1 on 2026-11-30 20:00, its check-in open."""
    harness.discord.now = harness.clock.now
    await new_league(harness, organiser, channel)
    member = await linked(harness, "m0", "Driver0")
    await harness.slash("league add", user=organiser, drivers="Driver0")
    await harness.slash("league race add", user=organiser, when="2026-11-30 20:00")
    await move_to(harness, datetime(2026, 11, 29, 20, 0, 1, tzinfo=UTC))
    (checkin,) = harness.discord.messages_in(channel.id)
    return member, checkin


async def test_a_checkin_click_after_a_restart_counts_and_checkin_show_lists_it(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    member, checkin = await checkin_open_for_driver0(harness, organiser, channel)
    await harness.restart()
    harness.discord.now = harness.clock.now
    clicked = await harness.driver.click(checkin, "Check in", user=member)
    assert clicked.reply.ephemeral
    assert "You are checked in for Race #1." in clicked.reply.text()
    assert "Checked in: 1" in checkin.text()
    shown = await harness.slash("league checkin show", user=organiser, race=1)
    assert shown.reply.ephemeral
    assert "Check-in: Sunday Cup · Race #1" in shown.reply.text()
    assert "Driver0" in shown.reply.text()


async def test_editing_a_race_refreshes_its_checkin_and_removing_it_closes_it(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    member, checkin = await checkin_open_for_driver0(harness, organiser, channel)
    await harness.driver.click(checkin, "Check in", user=member)
    old_start = int(datetime(2026, 11, 30, 20, tzinfo=UTC).timestamp())
    new_start = int(datetime(2026, 12, 3, 20, tzinfo=UTC).timestamp())
    assert f"<t:{old_start}:F>" in checkin.text()
    await harness.slash("league race edit", user=organiser, race=1, when="2026-12-03 20:00")
    assert f"<t:{new_start}:F>" in checkin.text()
    assert f"<t:{old_start}:F>" not in checkin.text()
    assert "Checked in: 1" in checkin.text()
    assert not checkin.button("Check in").get("disabled")
    await harness.slash("league race remove", user=organiser, race=1)
    assert "Check-in is closed: the race was removed from the calendar." in checkin.text()
    assert "Checked in: 1" in checkin.text()  # as it stood
    buttons = [button for row in checkin.components for button in row["components"]]
    assert buttons
    assert all(button.get("disabled") for button in buttons)


async def test_the_gate_refuses_on_stale_data_it_cannot_refresh(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    board = await open_signups(harness, organiser, channel, min_dr="C")
    ann = await linked(harness, "ann", "AnnFast")
    await harness.slash("profile", user=ann)  # a snapshot, soon older than the refresh interval
    harness.clock.advance(2_400)
    harness.gt.fail(500, times=None)
    record = await harness.clock.run_until(harness.driver.click(board, "Join", user=ann))
    assert record.reply.ephemeral
    assert record.reply.text() == (
        "GT Grid Stats can't confirm the current rating of **AnnFast** right now, so I can't check the "
        "requirements. Please try again in a few minutes."
    )
    assert await harness.bot.leagues.roster(1) == []


async def test_an_unknown_psn_id_in_the_modal_is_refused_and_not_linked(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    board = await open_signups(harness, organiser, channel)
    newbie = harness.member("newbie")
    click = await harness.driver.click(board, "Join", user=newbie)
    submitted = await harness.driver.submit_modal(click, {"gtgb:signup:1:psn_id": "NoSuchGuy99"}, user=newbie)
    assert submitted.reply.ephemeral
    assert "GT Grid Stats has no driver `NoSuchGuy99`." in submitted.reply.text()
    assert await harness.bot.links.get(harness.guild.id, newbie.id) is None
    assert await harness.bot.leagues.roster(1) == []


async def test_the_dr_points_gate_admits_at_the_line_and_refuses_below(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    board = await open_signups(harness, organiser, channel, min_dr_points=10_000)
    below = await linked(harness, "below", "BelowLine", dr_points=9_999)
    at = await linked(harness, "at", "AtLine", dr_points=10_000)
    refused = await harness.driver.click(board, "Join", user=below)
    assert refused.reply.ephemeral
    assert refused.reply.text() == (
        "Sorry, **BelowLine** can't join: 10,000 DR points required, yours are 9,999."
    )
    joined = await harness.driver.click(board, "Join", user=at)
    assert "You are on the grid of **Sunday Cup** as **AtLine**" in joined.reply.text()
    assert await harness.bot.leagues.roster(1) == ["AtLine"]


async def test_checkin_and_races_are_isolated_per_server(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    harness.discord.now = harness.clock.now
    await new_league(harness, organiser, channel)
    await harness.slash("league race add", user=organiser, when="2026-11-30 20:00")
    await move_to(harness, datetime(2026, 11, 29, 20, 0, 1, tzinfo=UTC))
    (checkin,) = harness.discord.messages_in(channel.id)
    elsewhere = FakeGuild()
    outsider = harness.member("outsider", guild=elsewhere)
    await harness.bot.links.set(Link(elsewhere.id, outsider.id, "AlphaOne", None, harness.clock.now()))
    clicked = await harness.driver.click(checkin, "Check in", user=outsider)
    assert clicked.reply.ephemeral
    assert clicked.reply.text() == "Check-in for this race is closed."
    assert "Checked in: 0" in checkin.text()
    other_organiser = harness.member("other_org", manager=True, guild=elsewhere)
    other_channel = FakeChannel(elsewhere)
    await harness.slash(
        "league setup", user=other_organiser, name="Other Cup", series=SERIES, channel=other_channel
    )
    edit = await harness.slash("league race edit", user=other_organiser, race=1, when="2026-12-03 20:00")
    assert edit.reply.ephemeral
    assert edit.reply.text() == "This league has no race #1: `/league race list` shows them."
    shown = await harness.slash("league checkin show", user=other_organiser, race=1)
    assert shown.reply.ephemeral
    assert shown.reply.text() == "This league has no race #1: `/league race list` shows them."
    (race,) = await harness.bot.league_night.races.races.pending()
    assert race.starts_at == datetime(2026, 11, 30, 20, tzinfo=UTC)

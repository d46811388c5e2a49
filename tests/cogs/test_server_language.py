"""Public posts speak the server's language (issue #13), answers the member's: driver news, league night's
check-in post, reminder, check-in close and sign-up message edits, while every private answer stays in
the language of the member who asked or clicked (here English)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.cogs.test_league_night import linked, move_to, new_league, open_signups
from tests.cogs.test_tracking import cog as tracking_cog
from tests.cogs.test_tracking import link, setup_news
from tests.conftest import Harness
from tests.standins.interactions import FakeChannel
from tests.ui.test_i18n import cache_guild


async def test_a_german_servers_driver_news_post_speaks_german(harness: Harness) -> None:
    cache_guild(harness, harness.guild, "de")
    ann = harness.member("ann")  # an English-speaking member
    await link(harness, ann, "Fast_Ann", dr_points=9_500)
    channel = await setup_news(harness)  # the organiser's private answer is asserted English there
    harness.gt.dataset.add_driver("Fast_Ann", dr_points=10_200)  # C -> B
    harness.clock.advance(31 * 60)
    await harness.clock.run_until(tracking_cog(harness).refresh_once())
    (post,) = harness.discord.messages_in(channel.id)
    assert post.text().startswith("**Fahrer-News**")
    assert "**Driver news**" not in post.text()
    assert "10.200" in post.text()  # German digits


async def test_a_german_servers_checkin_post_reminder_and_close_speak_german(harness: Harness) -> None:
    cache_guild(harness, harness.guild, "de")
    harness.discord.now = harness.clock.now
    organiser = harness.member("org", manager=True)
    channel = FakeChannel(harness.guild)
    await new_league(harness, organiser, channel)
    members = [await linked(harness, f"m{i}", f"Driver{i}") for i in range(2)]
    await harness.slash("league add", user=organiser, drivers="Driver0 Driver1")
    start = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    added = await harness.slash("league race add", user=organiser, when="2026-11-30 20:00", checkin_hours=24)
    assert added.reply.ephemeral
    assert added.reply.text().startswith("Added **Race #1**")  # the organiser's answer: English

    await move_to(harness, start - timedelta(hours=24))
    (checkin,) = harness.discord.messages_in(channel.id)
    assert "Eingecheckt: 0" in checkin.text()
    assert checkin.button("Einchecken")["custom_id"] == "gtgb:checkin:1:in"
    clicked = await harness.driver.click(checkin, "Einchecken", user=members[0])
    assert clicked.reply.ephemeral
    assert "You are checked in" in clicked.reply.text()  # the clicker's answer: English
    assert "Eingecheckt: 1" in checkin.text()  # the public message, edited: German

    await move_to(harness, start - timedelta(hours=1))
    reminder = harness.discord.messages_in(channel.id)[1]
    assert "Bitte checke oben ein" in (reminder.content or "")
    assert f"<@{members[1].id}>" in (reminder.content or "")

    await move_to(harness, start + timedelta(seconds=1))
    assert "Der Check-in ist geschlossen" in checkin.text()


async def test_a_signup_message_edited_after_an_english_members_join_is_german(harness: Harness) -> None:
    cache_guild(harness, harness.guild, "de")
    organiser = harness.member("org", manager=True)
    channel = FakeChannel(harness.guild)
    board = await open_signups(harness, organiser, channel, max_grid=2)  # asserts an English answer
    assert "Anmeldungen: Sunday Cup" in board.text()  # the posted message: German
    ann = await linked(harness, "ann", "AnnFast")
    joined = await harness.driver.click(board, "Anmelden", user=ann)
    assert joined.reply.ephemeral
    assert "You are on the grid of **Sunday Cup** as **AnnFast**" in joined.reply.text()
    assert "Starterfeld: 1/2" in board.text()
    assert "Grid: 1/2" not in board.text()
    assert board.button("Anmelden")["custom_id"] == "gtgb:signup:1:join"

    closed = await harness.slash("league signups close", user=organiser)
    assert "are closed" in closed.reply.text()  # the organiser's answer: English
    assert "Die Anmeldungen sind geschlossen." in board.text()

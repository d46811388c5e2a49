"""Issue #11 audit gaps: a driver gone upstream, driver news wording, untested /tracking paths."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import discord

from bot.services.tracking import PAUSE_GONE, next_digest_at
from bot.storage.tracking import Announcement
from tests.cogs.test_tracking import cog, link, refresh_paths, settings_after_a_refused_news_post, setup_news
from tests.conftest import Harness
from tests.standins.interactions import BOT_PERMISSIONS, FakeChannel


async def test_a_driver_gone_upstream_does_not_stall_the_refresh(make_harness: Any) -> None:
    harness: Harness = await make_harness()
    ann, bob = harness.member("ann"), harness.member("bob")
    await link(harness, ann, "Renamed_Drv", dr_points=9_500)
    await link(harness, bob, "Bob_GT", dr_points=9_500)
    channel = await setup_news(harness)
    del harness.gt.dataset.drivers["renamed_drv"]  # the PSN ID was changed or removed upstream
    harness.gt.dataset.add_driver("Bob_GT", dr_points=10_500)  # C -> B, to announce
    harness.clock.advance(31 * 60)
    harness.gt.reset_counts()
    result = await harness.clock.run_until(cog(harness).refresh_once(), limit=5 * 60)
    assert result.error is None
    # The minimum: both drivers in one call, and the missing one is not asked for again.
    assert result.calls == 1
    assert len(refresh_paths(harness)) == 1
    posts = harness.discord.messages_in(channel.id)
    assert len(posts) == 1
    assert f"<@{bob.id}>" in posts[0].text()
    assert "DR C → B" in posts[0].text()
    # The attempt is stored: after a restart, the missing driver still waits for the refresh interval.
    await harness.restart()
    await cog(harness).stop_loops()
    harness.gt.reset_counts()
    harness.clock.advance(10 * 60)
    result = await harness.clock.run_until(cog(harness).refresh_once(), limit=5 * 60)
    assert result.calls == 0
    assert refresh_paths(harness) == []
    # After the refresh interval it is asked for again, once.
    harness.clock.advance(21 * 60)
    result = await harness.clock.run_until(cog(harness).refresh_once(), limit=5 * 60)
    assert result.calls == 1
    assert len(refresh_paths(harness)) == 1
    assert "renamed_drv" in refresh_paths(harness)[0].lower()


async def test_an_sr_change_in_the_news_also_shows_the_dr_points(harness: Harness) -> None:
    ann = harness.member("ann")
    await link(harness, ann, "Fast_Ann", dr_points=9_500, sr="B")
    channel = await setup_news(harness)
    harness.gt.dataset.add_driver("Fast_Ann", dr_points=9_600, sr="A")  # SR B -> A, DR still C
    harness.clock.advance(31 * 60)
    await harness.clock.run_until(cog(harness).refresh_once())
    (post,) = harness.discord.messages_in(channel.id)
    assert f"<@{ann.id}> (Fast\\_Ann): SR B → A (9,600 DR points)" in post.text()


async def test_profile_shows_the_dr_change_when_dr_and_sr_changed_at_the_same_moment(
    harness: Harness,
) -> None:
    ann = harness.member("ann")
    await link(harness, ann, "Fast_Ann", dr_points=10_500, sr="A")
    when = harness.clock.now()
    await harness.bot.tracking.store.claim(
        [
            Announcement(harness.guild.id, "Fast_Ann", "DR", "C", "B", 10_500, ann.id, when),
            Announcement(harness.guild.id, "Fast_Ann", "SR", "B", "A", 10_500, ann.id, when),
        ]
    )
    record = await harness.slash("profile", user=ann)
    fields = {f["name"]: f["value"] for f in record.reply.embed["fields"]}
    assert fields["Last class change"].startswith("DR C → B")


async def test_tracking_off_stops_the_news(harness: Harness) -> None:
    ann = harness.member("ann")
    await link(harness, ann, "Fast_Ann", dr_points=9_500)
    channel = await setup_news(harness)
    record = await harness.slash("tracking off", user=harness.member("org", manager=True))
    assert record.reply.ephemeral
    assert record.reply.text() == "Driver news is off. Nothing is posted until you pick a channel again."
    settings = await harness.bot.tracking.settings(harness.guild.id)
    assert settings is not None
    assert settings.channel_id is None
    harness.gt.reset_counts()
    harness.gt.dataset.add_driver("Fast_Ann", dr_points=10_500)
    harness.clock.advance(31 * 60)
    result = await harness.clock.run_until(cog(harness).refresh_once())
    assert result.calls == 0  # nobody's drivers are wanted any more
    assert refresh_paths(harness) == []
    assert harness.discord.messages_in(channel.id) == []


async def test_a_deleted_news_channel_pauses_with_the_gone_reason(harness: Harness) -> None:
    # 404, 10003 Unknown Channel
    settings = await settings_after_a_refused_news_post(harness, lambda discord: discord.deleted_channels)
    assert settings.paused_reason == PAUSE_GONE
    record = await harness.slash("tracking status", user=harness.member("org", manager=True))
    assert record.reply.ephemeral
    assert "the channel no longer exists" in record.reply.text()


def test_the_next_digest_follows_london_across_the_clock_change() -> None:
    # British Summer Time starts on Sunday 28 March 2027: 20:00 in London is 20:00 UTC before, 19:00 after.
    before = next_digest_at(0, time(20, 0), "Europe/London", datetime(2027, 3, 21, 12, 0, tzinfo=UTC))
    assert before == datetime(2027, 3, 22, 20, 0, tzinfo=UTC)
    after = next_digest_at(0, time(20, 0), "Europe/London", before)
    assert after == datetime(2027, 3, 29, 19, 0, tzinfo=UTC)
    # And back: GMT again from Sunday 31 October 2027.
    autumn = next_digest_at(0, time(20, 0), "Europe/London", datetime(2027, 10, 26, tzinfo=UTC))
    assert autumn == datetime(2027, 11, 1, 20, 0, tzinfo=UTC)


async def test_the_digest_says_its_week_in_the_servers_time_zone_and_leaves_out_opted_out_members(
    harness: Harness,
) -> None:
    ann, bob = harness.member("ann"), harness.member("bob")
    await link(harness, ann, "Fast_Ann", dr_points=9_500)
    await link(harness, bob, "Bob_GT", dr_points=12_000)
    channel = await setup_news(harness)
    optout = await harness.slash("news optout", user=bob)
    assert optout.reply.ephemeral
    harness.clock.set(datetime(2027, 3, 21, 12, 0, tzinfo=UTC))
    record = await harness.slash(
        "tracking digest",
        user=harness.member("org", manager=True),
        weekday="Monday",
        time="20:00",
        timezone="Europe/London",
    )
    assert "Monday" in record.reply.text()
    harness.gt.dataset.add_driver("Fast_Ann", dr_points=10_400)
    harness.gt.dataset.add_driver("Bob_GT", dr_points=11_000)
    harness.clock.advance(31 * 60)
    await harness.clock.run_until(cog(harness).refresh_once())
    harness.clock.set(datetime(2027, 3, 22, 20, 0, tzinfo=UTC))  # 20:00 GMT
    assert await cog(harness).digest_once() == 1
    embed = harness.discord.messages_in(channel.id)[-1].embeds[0]
    assert embed["footer"]["text"] == "Week ending 2027-03-22 20:00 Europe/London"
    everything = str(embed)
    assert f"<@{ann.id}>" in everything
    assert f"<@{bob.id}>" not in everything  # opted out: simply absent
    assert "Bob_GT" not in everything
    # The week after the clocks went forward: the digest is due at 20:00 London time, 19:00 UTC.
    harness.clock.set(datetime(2027, 3, 29, 19, 0, tzinfo=UTC))
    assert await cog(harness).digest_once() == 1
    embed = harness.discord.messages_in(channel.id)[-1].embeds[0]
    assert embed["footer"]["text"] == "Week ending 2027-03-29 20:00 Europe/London"


async def test_tracking_channel_without_embed_links_is_refused_through_the_command(harness: Harness) -> None:
    no_embeds = discord.Permissions(BOT_PERMISSIONS.value & ~discord.Permissions(embed_links=True).value)
    channel = FakeChannel(harness.guild, name="no-embeds", permissions=no_embeds)
    organiser = harness.member("org", manager=True)
    record = await harness.slash("tracking channel", user=organiser, channel=channel)
    assert record.reply.ephemeral
    assert record.reply.text() == (
        f"I can't post in <#{channel.id}>: I need View Channel, Send Messages and Embed Links there."
    )
    assert await harness.bot.tracking.settings(harness.guild.id) is None


def test_the_bot_asks_for_no_privileged_intents(harness: Harness) -> None:
    intents = harness.bot.intents
    assert not intents.members
    assert not intents.presences
    assert not intents.message_content

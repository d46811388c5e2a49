"""Driver news and the background refresh: /tracking, one post per refresh, opt-outs, pauses, priorities."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from PIL import Image

from bot.errors import NewsChannelRefused
from bot.gtgridstats.budget import EndpointClass
from bot.gtgridstats.errors import UpstreamUnavailableError
from bot.gtgridstats.limiter import Priority
from bot.services.tracking import Mover, TrackingSettings
from bot.storage.links import Link
from bot.ui import digest_chart
from bot.ui.errors import describe_error
from bot.ui.theme import DOWN, UP
from cogs.tracking import Tracking
from tests.conftest import Harness
from tests.standins.discord_api import DiscordStandin
from tests.standins.interactions import FakeChannel, FakeUser


def cog(harness: Harness) -> Tracking:
    # discord.py loads an extension as a new module object, so the class is not this import's class.
    found = harness.bot.get_cog("Tracking")
    assert found is not None
    assert type(found).__name__ == "Tracking"
    return cast(Tracking, found)


async def link(harness: Harness, user: FakeUser, psn_id: str, **driver: Any) -> None:
    harness.gt.dataset.add_driver(psn_id, **driver)
    record = await harness.slash("link", user=user, psn_id=psn_id)
    assert "now linked to" in record.reply.text(), record.reply.text()


async def setup_news(harness: Harness) -> FakeChannel:
    """Tracking on, with the background loops stopped: each test drives its cycles by hand."""
    await cog(harness).stop_loops()
    channel = FakeChannel(harness.guild, name="driver-news")
    record = await harness.slash(
        "tracking channel", user=harness.member("org", manager=True), channel=channel
    )
    assert record.reply.ephemeral
    assert f"<#{channel.id}>" in record.reply.text()
    return channel


def refresh_paths(harness: Harness) -> list[str]:
    return [r.path for r in harness.gt.requests if r.path.startswith("/api/racers/")]


async def test_a_class_change_is_announced_once_with_before_after_and_no_ping(harness: Harness) -> None:
    ann, bob = harness.member("ann"), harness.member("bob")
    await link(harness, ann, "Fast_Ann", dr_points=9_500)
    await link(harness, bob, "Bob_GT", dr_points=12_000)
    channel = await setup_news(harness)
    harness.gt.dataset.add_driver("Fast_Ann", dr_points=10_200)  # C -> B
    harness.gt.dataset.add_driver("Bob_GT", dr_points=12_100)  # still B
    harness.clock.advance(31 * 60)
    harness.gt.reset_counts()
    result = await harness.clock.run_until(cog(harness).refresh_once())
    assert result.error is None
    # Both drivers in one call of the batching path.
    assert len(refresh_paths(harness)) == 1
    posts = harness.discord.messages_in(channel.id)
    assert len(posts) == 1
    text = posts[0].text()
    assert f"<@{ann.id}>" in text
    assert "DR C → B" in text
    assert "10,200" in text
    assert "Bob_GT" not in text
    assert posts[0].allowed_mentions.get("parse") == []
    assert not posts[0].allowed_mentions.get("users")
    # The same change is never announced again (stored), even after a restart and another refresh.
    await harness.restart()
    harness.clock.advance(31 * 60)
    await harness.clock.run_until(cog(harness).refresh_once())
    assert len(harness.discord.messages_in(channel.id)) == 1


async def test_pings_on_pings_only_the_members_concerned(harness: Harness) -> None:
    ann, bob = harness.member("ann"), harness.member("bob")
    await link(harness, ann, "Fast_Ann", dr_points=9_500)
    await link(harness, bob, "Bob_GT", dr_points=12_000)
    channel = await setup_news(harness)
    record = await harness.slash("tracking pings", user=harness.member("org", manager=True), state="on")
    assert "pings" in record.reply.text().lower()
    harness.gt.dataset.add_driver("Fast_Ann", dr_points=10_200)
    harness.clock.advance(31 * 60)
    await harness.clock.run_until(cog(harness).refresh_once())
    post = harness.discord.messages_in(channel.id)[0]
    assert [str(user) for user in post.allowed_mentions.get("users", [])] == [str(ann.id)]


async def test_opted_out_members_are_simply_absent(harness: Harness) -> None:
    ann, bob = harness.member("ann"), harness.member("bob")
    await link(harness, ann, "Fast_Ann", dr_points=9_500)
    await link(harness, bob, "Bob_GT", dr_points=29_000)
    channel = await setup_news(harness)
    record = await harness.slash("news optout", user=ann)
    assert record.reply.ephemeral
    harness.gt.dataset.add_driver("Fast_Ann", dr_points=10_200)
    harness.gt.dataset.add_driver("Bob_GT", dr_points=30_500)
    harness.clock.advance(31 * 60)
    await harness.clock.run_until(cog(harness).refresh_once())
    text = harness.discord.messages_in(channel.id)[0].text()
    assert "Bob\\_GT" in text
    assert "Fast\\_Ann" not in text
    assert "opt" not in text.lower()


async def test_many_changes_are_one_message_split_within_discords_limit(harness: Harness) -> None:
    members = [harness.member(f"m{i}") for i in range(40)]
    for i, member in enumerate(members):
        await link(harness, member, f"Drv_{i:02d}_longname", dr_points=9_500)
    channel = await setup_news(harness)
    for i in range(40):
        harness.gt.dataset.add_driver(f"Drv_{i:02d}_longname", dr_points=10_500)
    harness.clock.advance(31 * 60)
    harness.gt.reset_counts()
    await harness.clock.run_until(cog(harness).refresh_once())
    assert len(refresh_paths(harness)) == 3  # ceil(40 / 16)
    posts = harness.discord.messages_in(channel.id)
    assert all(len(post.text()) <= 2000 for post in posts)
    assert len(posts) == 2  # one refresh: as few messages as 2,000 characters allow
    joined = "\n".join(post.text() for post in posts)
    assert all(f"Drv\\_{i:02d}\\_longname" in joined for i in range(40))


async def test_a_failure_mid_cycle_posts_nothing_and_the_next_cycle_posts_everything(
    harness: Harness,
) -> None:
    members = [harness.member(f"m{i}") for i in range(20)]
    for i, member in enumerate(members):
        await link(harness, member, f"Drv{i:02d}", dr_points=9_500)
    channel = await setup_news(harness)
    for i in range(20):
        harness.gt.dataset.add_driver(f"Drv{i:02d}", dr_points=10_500)
    harness.clock.advance(31 * 60)
    # The first call (16 drivers) succeeds, the second fails (500 three times: the client's retries too).
    calls = 0
    original = harness.bot.api.racers

    async def failing_second(psn_ids: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise UpstreamUnavailableError("stand-in: down")
        return await original(psn_ids)

    harness.bot.api.racers = failing_second  # type: ignore[method-assign]
    result = await harness.clock.run_until(cog(harness).refresh_once())
    assert isinstance(result.error, UpstreamUnavailableError)
    assert harness.discord.messages_in(channel.id) == []  # no half-made news
    harness.bot.api.racers = original  # type: ignore[method-assign]
    result = await harness.clock.run_until(cog(harness).refresh_once())
    assert result.error is None
    posts = harness.discord.messages_in(channel.id)
    assert len(posts) == 1
    assert all(f"Drv{i:02d}" in posts[0].text() for i in range(20))


async def test_lost_channel_access_pauses_and_the_next_organiser_command_says_why(harness: Harness) -> None:
    ann = harness.member("ann")
    await link(harness, ann, "Fast_Ann", dr_points=9_500)
    channel = await setup_news(harness)
    harness.discord.forbidden_channels.add(channel.id)  # 403, 50013 Missing Permissions
    harness.gt.dataset.add_driver("Fast_Ann", dr_points=10_500)
    harness.clock.advance(31 * 60)
    await harness.clock.run_until(cog(harness).refresh_once())
    organiser = harness.member("org", manager=True)
    record = await harness.slash("tracking pings", user=organiser, state="off")
    assert record.reply.ephemeral
    assert "paused" in record.reply.text()
    assert "permissions" in record.reply.text()
    again = await harness.slash("tracking pings", user=organiser, state="on")
    assert "paused" not in again.reply.text()  # said once
    # Paused: the next refresh posts nothing and fetches nothing for this server.
    harness.gt.reset_counts()
    harness.gt.dataset.add_driver("Fast_Ann", dr_points=31_000)
    harness.clock.advance(31 * 60)
    await harness.clock.run_until(cog(harness).refresh_once())
    assert refresh_paths(harness) == []


async def settings_after_a_refused_news_post(
    harness: Harness, refusing: Callable[[DiscordStandin], set[int]]
) -> TrackingSettings:
    """Ann's DR change is due in the news channel, which Discord refuses as the set `refusing` picks does."""
    ann = harness.member("ann")
    await link(harness, ann, "Fast_Ann", dr_points=9_500)
    channel = await setup_news(harness)
    refusing(harness.discord).add(channel.id)
    harness.gt.dataset.add_driver("Fast_Ann", dr_points=10_500)
    harness.clock.advance(31 * 60)
    await harness.clock.run_until(cog(harness).refresh_once())
    settings = await harness.bot.tracking.settings(harness.guild.id)
    assert settings is not None
    return settings


async def test_missing_access_also_pauses(harness: Harness) -> None:
    # 403, 50001 Missing Access
    settings = await settings_after_a_refused_news_post(
        harness, lambda discord: discord.inaccessible_channels
    )
    assert settings.paused_reason is not None


async def test_tracking_commands_need_a_channel_and_friendly_bad_input(harness: Harness) -> None:
    organiser = harness.member("org", manager=True)
    record = await harness.slash("tracking pings", user=organiser, state="on")
    assert record.reply.ephemeral
    assert "/tracking channel" in record.reply.text()
    await setup_news(harness)
    bad = await harness.slash("tracking digest", user=organiser, weekday="Funday")
    assert bad.reply.ephemeral
    assert "Traceback" not in bad.reply.text()
    zone = await harness.slash("tracking digest", user=organiser, weekday="Monday", timezone="Mars/Olympus")
    assert zone.reply.ephemeral
    assert "Traceback" not in zone.reply.text()
    good = await harness.slash(
        "tracking digest", user=organiser, weekday="Monday", time="20:00", timezone="UTC"
    )
    assert "Monday" in good.reply.text()
    status = await harness.slash("tracking status", user=organiser)
    assert status.reply.ephemeral
    assert "Weekly digest: Monday" in status.reply.text()


async def test_an_interactive_profile_waits_behind_at_most_one_background_request(
    make_harness: Any,
) -> None:
    harness: Harness = await make_harness(gtgridstats_metered_per_minute=2)
    members = [harness.member(f"m{i}") for i in range(16 * 5)]
    for i, member in enumerate(members):
        harness.gt.dataset.add_driver(f"Bg{i:02d}", dr_points=9_500)
        await harness.bot.links.set(
            Link(harness.guild.id, member.id, f"Bg{i:02d}", None, harness.clock.now())
        )
    await setup_news(harness)
    harness.gt.dataset.add_driver("Solo_Driver", dr_points=20_000)
    harness.clock.advance(120)
    harness.gt.reset_counts()
    first_sent = asyncio.Event()
    original = harness.bot.api.racers

    async def noting(psn_ids: Any) -> Any:
        answer = await original(psn_ids)
        first_sent.set()
        return answer

    harness.bot.api.racers = noting  # type: ignore[method-assign]
    limiter = harness.bot.api.budget.limiters[EndpointClass.METERED]
    plain_acquire = limiter.acquire
    second_asked = asyncio.Event()
    events: list[tuple[str, Priority]] = []  # ("ask" | "grant", level), in the order they happened
    moments: dict[tuple[str, Priority], datetime] = {}

    async def acquire(level: Priority = Priority.INTERACTIVE) -> None:
        if first_sent.is_set() and level is Priority.BACKGROUND:
            second_asked.set()
        events.append(("ask", level))
        moments.setdefault(("ask", level), harness.clock.now())
        await plain_acquire(level)
        events.append(("grant", level))
        moments.setdefault(("grant", level), harness.clock.now())

    limiter.acquire = acquire  # type: ignore[method-assign]
    # The cycle runs on its own, paced by the planner at what the budget leaves background work (at 2 a
    # minute: one slot, one call a window); the command comes as the second background call asks.
    cycle = asyncio.ensure_future(cog(harness).refresh_once())
    await first_sent.wait()
    await harness.clock.run_until(second_asked.wait())
    profile = await harness.clock.run_until(
        harness.slash("profile", user=harness.member("solo"), psn_id="Solo_Driver")
    )
    assert "Solo" in profile.reply.text() or profile.reply.embed
    await harness.clock.run_until(cycle, limit=86_400)
    paths = refresh_paths(harness)
    asked = events.index(("ask", Priority.INTERACTIVE))
    granted = events.index(("grant", Priority.INTERACTIVE))
    background_between = events[asked:granted].count(("grant", Priority.BACKGROUND))
    assert background_between <= 1, events  # behind at most the one background request already sent
    # Background work never holds the slots kept for commands: the command did not wait at all.
    assert moments[("grant", Priority.INTERACTIVE)] == moments[("ask", Priority.INTERACTIVE)]
    assert any("Solo_Driver" in path for path in paths)
    assert len(paths) == 6  # five background calls of 16 and the interactive one
    assert harness.gt.max_in_window("metered") <= 2  # never past the per-minute limit: no 429


async def test_drivers_refreshed_is_dispatched_after_a_cycle(harness: Harness) -> None:
    ann = harness.member("ann")
    await link(harness, ann, "Fast_Ann", dr_points=9_500)
    await setup_news(harness)
    seen: list[list[Any]] = []

    async def on_drivers_refreshed(snapshots: list[Any]) -> None:
        seen.append(snapshots)

    harness.bot.add_listener(on_drivers_refreshed)
    harness.clock.advance(31 * 60)
    await harness.clock.run_until(cog(harness).refresh_once())
    await harness.discord.wait_for(lambda: bool(seen))
    assert [snap.psn_id for snap in seen[0]] == ["Fast_Ann"]
    # Not more often than the refresh interval: a second cycle right away sends nothing.
    harness.gt.reset_counts()
    result = await harness.clock.run_until(cog(harness).refresh_once())
    assert result.calls == 0
    assert refresh_paths(harness) == []


async def test_the_refresh_ledger_survives_a_restart(make_harness: Any) -> None:
    harness: Harness = await make_harness(gtgridstats_quota_per_day=10, background_share_percent=50)
    ann = harness.member("ann")
    await link(harness, ann, "Fast_Ann", dr_points=9_500)
    await setup_news(harness)
    harness.clock.advance(6 * 3600)  # a 10-call quota stretches cycles far past 30 minutes
    result = await harness.clock.run_until(cog(harness).refresh_once())
    assert result.calls == 1
    before = await harness.bot.tracking.store.ledger()
    await harness.restart()
    after = await harness.bot.tracking.store.ledger()
    assert before == after
    assert after.last_call_at is not None
    assert after.last_call_at == harness.clock.now()
    assert after.allowance_left is not None
    assert before.allowance_left is not None
    # Restarted, the plan goes on from the stored share: nothing new is due, nothing is sent.
    harness.gt.reset_counts()
    again = await harness.clock.run_until(cog(harness).refresh_once())
    assert again.calls == 0
    assert refresh_paths(harness) == []


async def test_quota_says_what_background_refresh_can_do(harness: Harness) -> None:
    for i in range(20):
        await link(harness, harness.member(f"m{i}"), f"Drv{i:02d}", dr_points=9_500)
    await setup_news(harness)
    record = await harness.slash("quota", user=harness.member("org", manager=True))
    field = next(f for f in record.reply.embed["fields"] if f["name"] == "Background refresh")
    assert field["value"].startswith("Keeping 20 drivers fresh needs 2 calls a cycle")


async def test_the_weekly_digest_posts_once_at_the_servers_time_with_the_weeks_movers(
    harness: Harness,
) -> None:
    ann, bob = harness.member("ann"), harness.member("bob")
    await link(harness, ann, "Fast_Ann", dr_points=9_500)
    await link(harness, bob, "Bob_GT", dr_points=12_000)
    channel = await setup_news(harness)
    organiser = harness.member("org", manager=True)
    record = await harness.slash(
        "tracking digest", user=organiser, weekday="Monday", time="20:00", timezone="UTC"
    )
    assert "Monday" in record.reply.text()
    harness.gt.dataset.add_driver("Fast_Ann", dr_points=10_400)  # +900, C -> B
    harness.gt.dataset.add_driver("Bob_GT", dr_points=11_000)  # -1,000
    harness.clock.advance(31 * 60)
    await harness.clock.run_until(cog(harness).refresh_once())
    settings = await harness.bot.tracking.settings(harness.guild.id)
    assert settings is not None
    assert settings.digest_next_at is not None
    harness.clock.set(settings.digest_next_at)
    assert await cog(harness).digest_once() == 1
    digest = harness.discord.messages_in(channel.id)[-1]
    fields = {f["name"]: f["value"] for f in digest.embeds[0]["fields"]}
    assert f"<@{ann.id}>" in fields["Biggest gains"]
    assert "+900" in fields["Biggest gains"]
    assert f"<@{bob.id}>" in fields["Biggest losses"]
    assert "DR C → B" in fields["Class changes"]
    # The chart of the week's movers rides along, shown as the embed's image.
    (attachment,) = digest.attachments
    assert attachment.filename == "digest-movers.png"
    assert digest.embeds[0]["image"]["url"] == "attachment://digest-movers.png"
    image = Image.open(io.BytesIO(attachment.data))
    assert image.format == "PNG"
    plan = digest_chart.layout(
        (digest_chart_mover("Fast_Ann", 900),), (digest_chart_mover("Bob_GT", -1_000),)
    )
    assert image.size == (plan.width, plan.height)
    gain, loss = plan.bars
    pixels = image.convert("RGB")
    assert pixels.getpixel((digest_chart.ZERO_X + 40, (gain.top + gain.bottom) // 2)) == UP
    assert pixels.getpixel((digest_chart.ZERO_X - 40, (loss.top + loss.bottom) // 2)) == DOWN
    assert await cog(harness).digest_once() == 0  # moved on to next week: posted once


def digest_chart_mover(psn_id: str, delta: int) -> Mover:
    return Mover(0, psn_id, 10_000, 10_000 + delta)


async def schedule_digest(harness: Harness) -> None:
    record = await harness.slash(
        "tracking digest", user=harness.member("org", manager=True), weekday="Monday", time="20:00"
    )
    assert "Monday" in record.reply.text()
    settings = await harness.bot.tracking.settings(harness.guild.id)
    assert settings is not None
    assert settings.digest_next_at is not None
    harness.clock.set(settings.digest_next_at)


async def test_a_quiet_week_posts_the_digest_without_a_chart(harness: Harness) -> None:
    await link(harness, harness.member("ann"), "Fast_Ann", dr_points=9_500)
    channel = await setup_news(harness)
    await schedule_digest(harness)  # nobody's DR points moved
    assert await cog(harness).digest_once() == 1
    digest = harness.discord.messages_in(channel.id)[-1]
    assert digest.attachments == []
    assert "image" not in digest.embeds[0]
    fields = {f["name"]: f["value"] for f in digest.embeds[0]["fields"]}
    assert fields["Biggest gains"] == "No gains this week."


async def test_a_digest_with_a_chart_into_a_lost_channel_pauses_driver_news(harness: Harness) -> None:
    await link(harness, harness.member("ann"), "Fast_Ann", dr_points=9_500)
    channel = await setup_news(harness)
    harness.gt.dataset.add_driver("Fast_Ann", dr_points=10_400)
    harness.clock.advance(31 * 60)
    await harness.clock.run_until(cog(harness).refresh_once())
    posted = len(harness.discord.messages_in(channel.id))
    await schedule_digest(harness)
    harness.discord.forbidden_channels.add(channel.id)  # 403, 50013 Missing Permissions
    assert await cog(harness).digest_once() == 1
    assert len(harness.discord.messages_in(channel.id)) == posted
    settings = await harness.bot.tracking.settings(harness.guild.id)
    assert settings is not None
    assert settings.paused_reason is not None


async def test_a_tracking_command_before_a_channel_is_picked_says_what_to_do_privately(
    harness: Harness,
) -> None:
    record = await harness.slash("tracking pings", user=harness.member("org", manager=True), state="on")
    assert record.reply.ephemeral
    assert record.reply.text() == "Driver news has no channel yet: pick one with `/tracking channel` first."


def test_a_refused_news_channel_is_worded_by_the_ui_with_the_channel() -> None:
    text, unexpected = describe_error(NewsChannelRefused(1234))
    assert not unexpected
    assert text == "I can't post in <#1234>: I need View Channel, Send Messages and Embed Links there."


async def test_a_channel_without_attach_files_gets_the_digest_without_its_chart(harness: Harness) -> None:
    await link(harness, harness.member("ann"), "Fast_Ann", dr_points=9_500)
    channel = await setup_news(harness)
    harness.gt.dataset.add_driver("Fast_Ann", dr_points=10_400)
    harness.clock.advance(31 * 60)
    await harness.clock.run_until(cog(harness).refresh_once())
    await schedule_digest(harness)
    harness.discord.no_attach_channels.add(channel.id)  # an upload gets 403, 50013 Missing Permissions
    assert await cog(harness).digest_once() == 1
    digest = harness.discord.messages_in(channel.id)[-1]
    assert digest.attachments == []
    assert "image" not in digest.embeds[0]  # no broken image reference
    fields = {f["name"]: f["value"] for f in digest.embeds[0]["fields"]}
    assert "+900" in fields["Biggest gains"]
    settings = await harness.bot.tracking.settings(harness.guild.id)
    assert settings is not None
    assert settings.paused_reason is None  # driver news goes on


def test_a_tracking_answer_with_its_pause_notice_is_cut_with_an_ellipsis_within_discords_limit() -> None:
    from bot.services.tracking import PAUSE_GONE
    from bot.ui import tracking as words

    long = "x" * 2_500
    shown = words.answer(long, PAUSE_GONE)
    assert len(shown) == 2_000
    assert shown.startswith("⚠️ Driver news is paused: the channel no longer exists.")
    assert shown.endswith("…")
    assert words.answer("Done.") == "Done."

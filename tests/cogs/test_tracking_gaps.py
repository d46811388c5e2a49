"""Issue #11 audit gaps: a driver gone upstream, driver news wording, untested /tracking paths."""

from __future__ import annotations

from typing import Any

from tests.cogs.test_tracking import cog, link, refresh_paths, setup_news
from tests.conftest import Harness


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

"""/history: a Pillow PNG of DR points over time, over the DR tier bands."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from bot.ui.history_chart import HEIGHT, WIDTH, dr_band, render_dr_history
from bot.ui.theme import DR_BAND_FILLS
from tests.conftest import Harness
from tests.standins.interactions import FakeUser

B_BAND = DR_BAND_FILLS["B"]
A_BAND = DR_BAND_FILLS["A"]
LINE = (228, 0, 43)


async def link(harness: Harness, user: FakeUser, psn_id: str, dr_points: int) -> None:
    harness.gt.dataset.add_driver(psn_id, dr_points=dr_points)
    record = await harness.slash("link", user=user, psn_id=psn_id)
    assert "now linked to" in record.reply.text()


def colours(png: bytes) -> set[tuple[int, int, int]]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    found: set[tuple[int, int, int]] = set()
    for _, colour in image.getcolors(maxcolors=WIDTH * HEIGHT) or []:
        assert isinstance(colour, tuple)  # an RGB image's colours are (r, g, b), never a single band
        red, green, blue = colour
        found.add((red, green, blue))
    return found


async def test_history_charts_every_snapshot(harness: Harness) -> None:
    ann = harness.member("ann")
    await link(harness, ann, "Climber", dr_points=26_000)
    for points in (28_000, 31_000, 33_500):
        harness.clock.advance(timedelta(days=1).total_seconds())
        harness.gt.dataset.add_driver("Climber", dr_points=points)
        await harness.slash("profile", user=ann)
    harness.gt.reset_counts()
    record = await harness.slash("history", user=ann)
    assert not record.deferred
    assert harness.gt.count() == 0
    assert "4 stored snapshots" in record.reply.text()
    assert "B < 30,000 ≤ A" in record.reply.text()
    attachment = record.reply.attachments[0]
    assert attachment.filename == "dr-history.png"
    assert attachment.data.startswith(b"\x89PNG")
    seen = colours(attachment.data)
    assert {B_BAND, A_BAND, LINE} <= seen  # the climb crosses from band B into band A
    assert record.reply.embed["image"]["url"] == "attachment://dr-history.png"


async def test_history_of_a_driver_never_stored_fetches_one_snapshot(harness: Harness) -> None:
    harness.gt.dataset.add_driver("First_Look", dr_points=8_000)
    record = await harness.slash("history", user=harness.member("ann"), psn_id="First_Look")
    assert record.deferred
    assert "1 stored snapshot " in record.reply.text()
    assert record.reply.attachments[0].data.startswith(b"\x89PNG")
    assert harness.gt.count("/api/racers", method="GET") == 1


async def test_history_without_a_link_or_of_a_missing_driver(harness: Harness) -> None:
    ann = harness.member("ann")
    record = await harness.slash("history", user=ann)
    assert "You have not linked your PSN ID" in record.reply.text()
    record = await harness.slash("history", user=ann, psn_id="Ghost_Rider")
    assert "GT Grid Stats has no driver `Ghost_Rider`" in record.reply.text()
    record = await harness.slash("history", user=ann, psn_id="../etc")
    assert "is not a valid PSN ID" in record.reply.text()


def test_dr_bands_follow_the_documented_thresholds() -> None:
    cases = {0: "E", 1_999: "E", 2_000: "D", 4_000: "C", 9_999: "C", 10_000: "B", 30_000: "A", 50_000: "A+"}
    for points, band in cases.items():
        assert dr_band(points) == band


@pytest.mark.parametrize("count", [1, 2, 200])
def test_the_chart_renders_any_number_of_points(count: int) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    points = [(start + timedelta(hours=6 * index), 1_000 + 300 * index) for index in range(count)]
    png = render_dr_history(points, title="DR points · Someone")
    assert LINE in colours(png)


async def test_history_of_a_never_stored_driver_who_was_renamed_upstream(harness: Harness) -> None:
    old = harness.gt.dataset.add_driver("Before_Name", dr_points=9_000)
    renamed = harness.gt.dataset.add_driver("After_Name", guid=old.guid, dr_points=9_500)
    harness.gt.dataset.drivers["before_name"] = renamed  # the server answers the old name with the new one
    record = await harness.slash("history", user=harness.member("ann"), psn_id="Before_Name")
    assert record.deferred
    assert "After_Name" in record.reply.text()
    assert record.reply.attachments[0].data.startswith(b"\x89PNG")

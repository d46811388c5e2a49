"""The digest's chart of the week's top movers: diverging bars, bounded, every script drawn."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from bot.services.tracking import Mover
from bot.ui.digest_chart import (
    FOOTER_HEIGHT,
    GROUP_GAP,
    MAX_GAINS,
    MAX_LOSSES,
    PLOT_PADDING,
    ROW_HEIGHT,
    TITLE_HEIGHT,
    ZERO_X,
    DigestChart,
    chart_title,
    layout,
    render_digest_chart,
)
from bot.ui.i18n import speaking
from bot.ui.theme import DOWN, UP, WIDTH
from tests.ui.test_theme import SCRIPTS, DrawnText


def mover(psn_id: str, delta: int, member_id: int = 1) -> Mover:
    return Mover(member_id, psn_id, 10_000, 10_000 + delta)


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def test_gains_draw_green_right_of_zero_and_losses_red_left_of_it() -> None:
    gains, losses = (mover("Fast_Ann", 900),), (mover("Bob_GT", -1_000),)
    plan = layout(gains, losses)
    image = open_png(render_digest_chart(DigestChart("Test Guild · week of 1 Dec 2026", gains, losses)))
    assert image.size == (plan.width, plan.height)
    gain, loss = plan.bars
    assert (gain.psn_id, gain.delta, loss.psn_id, loss.delta) == ("Fast_Ann", 900, "Bob_GT", -1_000)
    assert gain.left == ZERO_X < gain.right
    assert loss.left < ZERO_X == loss.right
    gain_y, loss_y = (gain.top + gain.bottom) // 2, (loss.top + loss.bottom) // 2
    assert image.getpixel((ZERO_X + 40, gain_y)) == UP
    assert image.getpixel((ZERO_X - 40, loss_y)) == DOWN
    # Nothing green left of zero on the gain's row, nothing red right of zero on the loss's.
    assert UP not in {image.getpixel((x, gain_y)) for x in range(ZERO_X - 4)}
    assert DOWN not in {image.getpixel((x, loss_y)) for x in range(ZERO_X + 4, WIDTH)}
    # The largest change fills the room; the other is as long as its share of it.
    assert (gain.right - gain.left) == round(900 / 1_000 * (loss.right - loss.left))


def test_gains_come_first_biggest_on_top_then_losses_biggest_at_the_bottom(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gains = (mover("small_up", 50), mover("big_up", 700))
    losses = (mover("big_down", -900), mover("small_down", -20))
    plan = layout(gains, losses)
    assert [bar.psn_id for bar in plan.bars] == ["big_up", "small_up", "small_down", "big_down"]
    assert [bar.top for bar in plan.bars] == sorted(bar.top for bar in plan.bars)
    drawn = DrawnText(monkeypatch)
    render_digest_chart(DigestChart("Week", gains, losses))
    texts = drawn.texts()
    assert {"+700", "+50", "-20", "-900"} <= set(texts)  # the signed change at each bar's end
    assert "DR points gained and lost this week" in texts


def test_the_chart_is_bounded_whatever_the_number_of_movers() -> None:
    gains = tuple(mover(f"Up{i:02d}", 10 + i, i) for i in range(30))
    losses = tuple(mover(f"Down{i:02d}", -(10 + i), 100 + i) for i in range(30))
    plan = layout(gains, losses)
    assert len(plan.bars) == MAX_GAINS + MAX_LOSSES
    shown = [bar.psn_id for bar in plan.bars]
    assert shown[:MAX_GAINS] == [f"Up{i:02d}" for i in range(29, 29 - MAX_GAINS, -1)]  # the biggest
    assert shown[MAX_GAINS:] == [f"Down{i:02d}" for i in range(30 - MAX_LOSSES, 30)]
    rows = MAX_GAINS + MAX_LOSSES
    expected = TITLE_HEIGHT + 2 * PLOT_PADDING + rows * ROW_HEIGHT + GROUP_GAP + FOOTER_HEIGHT
    assert plan.height == expected
    assert open_png(render_digest_chart(DigestChart("Busy week", gains, losses))).size == (WIDTH, expected)


def test_a_week_of_only_gains_draws_only_green() -> None:
    plan = layout((mover("Fast_Ann", 1),), ())
    (bar,) = plan.bars
    assert bar.right - bar.left >= 3  # one point still shows
    assert plan.height == TITLE_HEIGHT + 2 * PLOT_PADDING + ROW_HEIGHT + FOOTER_HEIGHT


@pytest.mark.parametrize(
    "name",
    [
        SCRIPTS["japanese"],
        SCRIPTS["korean"],
        SCRIPTS["simplified chinese"],
        "Дмитрий_Гонщик",
        "Łukasz_Çağlar",
    ],
)
def test_names_in_every_script_draw(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    drawn = DrawnText(monkeypatch)
    chart = DigestChart(
        chart_title(SCRIPTS["traditional chinese"], datetime(2026, 12, 1, tzinfo=UTC)), (), ()
    )
    chart = DigestChart(chart.title, (mover(name, 250),), (mover(name + "2", -250),))
    png = render_digest_chart(chart)
    assert open_png(png).size[0] == WIDTH
    assert name in drawn.texts()
    assert chart.title in drawn.texts()
    assert drawn.missing() == {}


def test_long_names_are_ellipsised_to_their_half_of_the_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = DrawnText(monkeypatch)
    long_name = "鈴木レーシング_" + "x" * 60
    render_digest_chart(DigestChart("Week", (mover(long_name, 100),), ()))
    shortened = [text for text in drawn.texts() if text.startswith("鈴木レーシング_")]
    assert len(shortened) == 1
    assert shortened[0].endswith("...")
    assert len(shortened[0]) < len(long_name)


def test_the_title_names_the_server_and_the_week_in_the_readers_language() -> None:
    week = datetime(2026, 12, 1, tzinfo=UTC)
    assert chart_title("Test Guild", week) == "Test Guild · week of 1 Dec 2026"
    assert chart_title(None, week) == "Driver news · week of 1 Dec 2026"
    with speaking("ja"):
        title = chart_title("Test Guild", week)
    assert "2026年12月1日" in title
    assert "week of" not in title

"""The DR history chart: natural time ticks ending now, every band in view labelled, every script drawn."""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from bot.services.ratings import BANDS_TEXT, DR_BANDS, DrBand, bands_in_range, dr_band
from bot.ui.history_chart import (
    HEIGHT,
    MAX_TIME_TICKS,
    PLOT_BOTTOM,
    PLOT_RIGHT,
    PLOT_TOP,
    WIDTH,
    band_label_positions,
    chart_span,
    render_dr_history,
    time_ticks,
)
from bot.ui.i18n import speaking
from bot.ui.theme import BRAND, DR_BAND_FILLS
from tests.ui.test_theme import SCRIPTS, DrawnText

NOW = datetime(2026, 11, 28, 15, 20, tzinfo=UTC)  # a Saturday afternoon


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def names(bands: Sequence[DrBand]) -> list[str]:
    return [band.name for band in bands]


# --- time ticks ----------------------------------------------------------------------------------------


def test_a_day_is_ticked_every_six_hours_with_midnight_named_by_its_date() -> None:
    assert time_ticks(NOW - timedelta(days=1), NOW) == [
        (at("2026-11-27T18:00"), "18:00"),
        (at("2026-11-28T00:00"), "28 Nov"),
        (at("2026-11-28T06:00"), "06:00"),
        (at("2026-11-28T12:00"), "12:00"),
    ]


def test_a_few_hours_are_ticked_on_the_hour() -> None:
    ticks = time_ticks(NOW - timedelta(hours=5), NOW)
    assert [label for _, label in ticks] == ["11:00", "12:00", "13:00", "14:00", "15:00"]


def test_days_are_ticked_at_midnight() -> None:
    ticks = time_ticks(NOW - timedelta(days=5), NOW)
    assert ticks == [(at(f"2026-11-{day}T00:00"), f"{day} Nov") for day in (24, 25, 26, 27, 28)]


def test_weeks_are_ticked_on_mondays() -> None:
    ticks = time_ticks(NOW - timedelta(weeks=5), NOW)
    assert [moment for moment, _ in ticks] == [at(f"2026-{day}T00:00") for day in ("10-26", "11-02", "11-09",
        "11-16", "11-23")]  # fmt: skip
    assert all(moment.weekday() == 0 for moment, _ in ticks)
    assert [label for _, label in ticks] == ["26 Oct", "2 Nov", "9 Nov", "16 Nov", "23 Nov"]


def test_months_are_ticked_on_the_first_with_the_year_where_it_starts() -> None:
    ticks = time_ticks(NOW - timedelta(days=200), NOW)
    assert [label for _, label in ticks] == ["Jun 2026", "Jul", "Aug", "Sep", "Oct", "Nov"]
    assert all((moment.day, moment.hour) == (1, 0) for moment, _ in ticks)
    across = time_ticks(at("2026-10-10T00:00"), at("2027-03-10T00:00"))
    assert [label for _, label in across] == ["Nov 2026", "Dec", "Jan 2027", "Feb", "Mar"]


def test_tick_labels_speak_the_readers_language() -> None:
    with speaking("ja"):
        days = time_ticks(NOW - timedelta(days=5), NOW)
        months = time_ticks(at("2026-10-10T00:00"), at("2027-03-10T00:00"))
    assert [label for _, label in days] == [f"11月{day}日" for day in (24, 25, 26, 27, 28)]
    assert [label for _, label in months] == ["2026年11月", "12月", "2027年1月", "2月", "3月"]
    with speaking("de"):
        assert [label for _, label in time_ticks(NOW - timedelta(days=2), NOW)][:1] == ["27. Nov."]


def test_years_are_ticked_every_six_months_then_on_new_year() -> None:
    three = time_ticks(NOW - timedelta(days=3 * 365), NOW)
    assert [label for _, label in three] == ["Jan 2024", "Jul", "Jan 2025", "Jul", "Jan 2026", "Jul"]
    ten = time_ticks(NOW - timedelta(days=10 * 365), NOW)
    assert [label for _, label in ten] == ["2018", "2020", "2022", "2024", "2026"]


def test_ticks_are_placed_in_utc_whatever_the_zone_given() -> None:
    tokyo = timezone(timedelta(hours=9))
    ticks = time_ticks((NOW - timedelta(days=5)).astimezone(tokyo), NOW.astimezone(tokyo))
    assert all(moment.tzinfo == UTC and moment.hour == 0 for moment, _ in ticks)


@given(
    end=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),  # noqa: DTZ001 (bounds)
    span=st.timedeltas(min_value=timedelta(days=1), max_value=timedelta(days=40 * 365)),
)
def test_ticks_are_few_in_order_inside_the_span_and_at_natural_times(end: datetime, span: timedelta) -> None:
    end = end.replace(tzinfo=UTC)
    ticks = time_ticks(end - span, end)
    moments = [moment for moment, _ in ticks]
    assert 2 <= len(ticks) <= MAX_TIME_TICKS
    assert moments == sorted(moments)
    assert all(end - span <= moment <= end for moment in moments)
    assert all(moment.minute == moment.second == moment.microsecond == 0 for moment in moments)
    if span >= timedelta(days=4):  # 12-hourly would need 8 ticks or more: every tick is a midnight
        assert all(moment.hour == 0 for moment in moments)


def test_the_axis_ends_now_even_when_the_last_snapshot_is_older() -> None:
    moments = [NOW - timedelta(days=10), NOW - timedelta(days=3)]
    start, end = chart_span(moments, NOW)
    assert end == NOW
    assert start < moments[0]
    only_one = chart_span([NOW - timedelta(hours=2)], NOW)
    assert only_one[1] == NOW
    assert only_one[1] - only_one[0] >= timedelta(days=1)
    ahead = chart_span([NOW + timedelta(minutes=1)], NOW)  # a snapshot stamped after the clock's now
    assert ahead[1] == NOW + timedelta(minutes=1)


# --- DR bands ------------------------------------------------------------------------------------------


def test_the_bands_are_defined_once_as_documented() -> None:
    assert BANDS_TEXT == "E < 2,000 ≤ D < 4,000 ≤ C < 10,000 ≤ B < 30,000 ≤ A < 50,000 ≤ A+"
    assert [band.name for band in DR_BANDS] == ["E", "D", "C", "B", "A", "A+"]
    for points, band in {0: "E", 1_999: "E", 2_000: "D", 9_999: "C", 29_999: "B", 50_000: "A+"}.items():
        assert dr_band(points) == band


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (1_500, 4_500, ["E", "D", "C"]),
        (10_000, 30_000, ["B"]),  # a band's bounds are not a slice of its neighbours
        (29_000, 31_000, ["B", "A"]),
        (60_000, 90_000, ["A+"]),
        (0, 100_000, ["E", "D", "C", "B", "A", "A+"]),
        (3_000, 3_000, []),
    ],
)
def test_the_bands_in_range(low: int, high: int, expected: list[str]) -> None:
    assert names(bands_in_range(low, high)) == expected


@pytest.mark.parametrize(("low", "high"), [(0, 100_000), (1_500, 4_500), (0, 12_000), (9_900, 60_000)])
def test_every_band_in_view_gets_a_label_apart_from_the_others_and_inside_the_plot(
    low: int, high: int
) -> None:
    top, bottom, gap = 140.0, 524.0, 26.0
    labels = band_label_positions(low, high, top, bottom, gap)
    assert names([band for band, _ in labels]) == names(bands_in_range(low, high))
    ys = [y for _, y in labels]
    assert all(top <= y <= bottom for y in ys)
    assert all(lower - upper >= gap - 1e-9 for lower, upper in itertools.pairwise(ys))  # bottom up


def test_a_wide_band_keeps_its_label_in_its_middle() -> None:
    [(band, y)] = band_label_positions(10_500, 29_500, 100.0, 500.0, 26.0)
    assert band.name == "B"
    assert y == pytest.approx(300.0)


# --- rendering -----------------------------------------------------------------------------------------


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_the_chart_is_a_png_of_the_expected_size_with_the_bands_in_view() -> None:
    points = [(NOW - timedelta(days=30 - 3 * index), 1_600 + 300 * index) for index in range(10)]
    drawn = open_png(render_dr_history(points, title="DR points · Climber", now=NOW))
    assert drawn.format == "PNG"
    assert drawn.mode == "RGB"
    assert drawn.size == (WIDTH, HEIGHT) == (1000, 620)
    colours = {colour for _, colour in drawn.getcolors(maxcolors=WIDTH * HEIGHT) or []}
    assert {DR_BAND_FILLS["E"], DR_BAND_FILLS["D"], DR_BAND_FILLS["C"], BRAND} <= colours
    assert DR_BAND_FILLS["B"] not in colours


def test_every_band_in_view_is_labelled_in_the_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = DrawnText(monkeypatch)
    points = [(NOW - timedelta(days=2), 1_900), (NOW - timedelta(days=1), 9_000), (NOW, 31_000)]
    render_dr_history(points, title="DR points · Rocket", now=NOW)
    assert {"E", "D", "C", "B", "A"} <= set(drawn.texts())
    assert "A+" not in drawn.texts()


def test_the_line_stops_where_the_last_snapshot_is_and_the_axis_runs_on_to_now() -> None:
    points = [(NOW - timedelta(days=20), 5_000), (NOW - timedelta(days=10), 6_000)]
    ending_now = open_png(render_dr_history(points, title="Quiet driver", now=NOW))
    ending_last = open_png(
        render_dr_history(points, title="Quiet driver")
    )  # no `now`: ends at the last point

    def red_near_right_edge(image: Image.Image) -> bool:
        strip = image.crop((PLOT_RIGHT - 200, PLOT_TOP, PLOT_RIGHT, PLOT_BOTTOM))
        return BRAND in {colour for _, colour in strip.getcolors(maxcolors=200 * HEIGHT) or []}

    assert not red_near_right_edge(ending_now)  # the last third of the axis is the ten quiet days
    assert red_near_right_edge(ending_last)


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_nicknames_in_every_script_draw_without_missing_glyphs(
    script: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = f"{SCRIPTS[script]} · Driver_1"
    drawn = DrawnText(monkeypatch)
    png = render_dr_history([(NOW - timedelta(days=3), 12_000), (NOW, 13_000)], title=title, now=NOW)
    assert open_png(png).size == (WIDTH, HEIGHT)
    assert title in drawn.texts()
    assert drawn.missing() == {}

"""The /history chart: DR points over time as a PNG, over the Driver Rating bands (bot/services/ratings.py).

It speaks the standings image's visual language (bot/ui/theme.py): the same width, palette, type and
title block. The time axis ends at "now" (the bot's clock, passed in) with ticks at natural times in UTC
(hours, midnights, Mondays, the 1st of a month, New Year, by span), and every band in view is labelled.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from PIL import Image

from bot.services.ratings import DR_BANDS, DrBand, bands_in_range, dr_band
from bot.ui.format import date_text, month_text, number
from bot.ui.i18n import _, ngettext
from bot.ui.theme import (
    BACKGROUND,
    BRAND,
    DR_BAND_FILLS,
    DR_BAND_LABELS,
    FOOTER_SIZE,
    FOOTER_TEXT,
    GRID,
    LABEL_SIZE,
    MARGIN,
    MUTED,
    TEXT,
    WIDTH,
    Draw,
    draw_heading,
    font,
)

__all__ = [
    "DR_BANDS",
    "HEIGHT",
    "WIDTH",
    "band_label_positions",
    "dr_band",
    "render_dr_history",
    "time_ticks",
]

HEIGHT = 620
TITLE_HEIGHT = 124  # as the standings image: brand bar, title, subtitle
FOOTER_HEIGHT = 52
AXIS_HEIGHT = 44  # the time labels under the plot
PLOT_LEFT = MARGIN + 76  # room for "50,000"
PLOT_RIGHT = WIDTH - MARGIN - 52  # room for the band letters
PLOT_TOP = TITLE_HEIGHT + 24
PLOT_BOTTOM = HEIGHT - FOOTER_HEIGHT - AXIS_HEIGHT
SUPERSAMPLE = 2  # drawn at twice the size and scaled down, for smooth lines

MIN_SPAN = timedelta(days=1)  # a chart of one fresh snapshot still shows a day
MAX_TIME_TICKS = 7
BAND_LABEL_GAP = 26  # px between band letters, at the final size

# --- Time ticks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    unit: str  # "hour", "day", "week", "month" or "year"
    count: int


_STEPS = (
    *(_Step("hour", n) for n in (1, 2, 3, 6, 12)),
    *(_Step("day", n) for n in (1, 2)),
    *(_Step("week", n) for n in (1, 2)),
    *(_Step("month", n) for n in (1, 2, 3, 6)),
    *(_Step("year", n) for n in (1, 2, 5, 10, 20, 50, 100)),
)


def _month_start(year: int, month: int) -> datetime:
    return datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1, tzinfo=UTC)


def _ticks_of(step: _Step, start: datetime, end: datetime) -> list[datetime]:
    """Every natural time of `step` in [start, end] (UTC), stopping early once there are too many."""
    ticks: list[datetime] = []
    limit = MAX_TIME_TICKS + 1

    def keep(moment: datetime) -> bool:
        if start <= moment <= end:
            ticks.append(moment)
        return moment <= end and len(ticks) < limit

    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if step.unit == "hour":
        moment = start.replace(minute=0, second=0, microsecond=0)
        moment -= timedelta(hours=moment.hour % step.count)
        while keep(moment):
            moment += timedelta(hours=step.count)
    elif step.unit == "day":
        moment = midnight - timedelta(days=midnight.toordinal() % step.count)
        while keep(moment):
            moment += timedelta(days=step.count)
    elif step.unit == "week":
        monday = midnight - timedelta(days=midnight.weekday())
        moment = monday - timedelta(weeks=(monday.toordinal() // 7) % step.count)
        while keep(moment):
            moment += timedelta(weeks=step.count)
    elif step.unit == "month":
        index = start.month - 1 - (start.month - 1) % step.count
        moment = _month_start(start.year, index + 1)
        while keep(moment):
            index += step.count
            moment = _month_start(start.year, index + 1)
    else:
        year = start.year - start.year % step.count
        while year <= 9999 - step.count and keep(datetime(year, 1, 1, tzinfo=UTC)):
            year += step.count
    return ticks


def _label(step: _Step, moment: datetime, first: bool) -> str:
    # In the reader's language: 1 Dec / 12月1日, Dec 2026 / 2026年12月, and the hours as they write them.
    day = date_text(moment, "MMMd")
    if step.unit == "hour":
        return day if moment.hour == 0 else date_text(moment, "Hm")
    if step.unit in ("day", "week"):
        return date_text(moment, "yMMMd") if (moment.month, moment.day) == (1, 1) else day
    if step.unit == "month":
        return date_text(moment, "yMMM") if first or moment.month == 1 else month_text(moment)
    return str(moment.year)


def time_ticks(start: datetime, end: datetime, max_ticks: int = MAX_TIME_TICKS) -> list[tuple[datetime, str]]:
    """Ticks at natural times (UTC) between `start` and `end`: the finest step giving at most `max_ticks`.

    Hours (1, 2, 3, 6, 12: on the hour, midnights named by their date), days (midnights), weeks (Mondays),
    months (the 1st; two-, three- and six-monthly from January), years (1 January).
    """
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return []
    chosen: list[datetime] = []
    step = _STEPS[-1]
    for step in _STEPS:
        ticks = _ticks_of(step, start, end)
        if len(ticks) <= max_ticks:
            chosen = ticks
            break
    return [(moment, _label(step, moment, index == 0)) for index, moment in enumerate(chosen)]


def chart_span(moments: Sequence[datetime], now: datetime | None) -> tuple[datetime, datetime]:
    """The time axis: it ends at `now` (or the latest point, when later or no `now`), covers every point,
    spans at least MIN_SPAN, and leaves 4 % of room before the first point."""
    first, latest = min(moments), max(moments)
    end = max(now, latest) if now is not None else latest
    span = max(end - first, MIN_SPAN)
    return end - span * 1.04, end


# --- DR axis and band labels --------------------------------------------------------------------------


def _nice_step(span: float, ticks: int = 5) -> int:
    raw = max(span / ticks, 1.0)
    magnitude: int = 10 ** int(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return int(factor * magnitude)
    return 10 * magnitude


def dr_axis(values: Sequence[int]) -> tuple[int, int, int]:
    """(low, high, step) of the DR axis: every value with room around it, on round numbers."""
    low, high = min(values), max(values)
    padding = max((high - low) * 0.15, 500)
    step = _nice_step(high - low + 2 * padding)
    low_axis = max(0, math.floor((low - padding) / step) * step)
    high_axis = math.ceil((high + padding) / step) * step
    return low_axis, high_axis, step


def band_label_positions(
    low: float, high: float, top: float, bottom: float, gap: float
) -> list[tuple[DrBand, float]]:
    """Each band in [low, high] with the y (pixels, `top` = `high`) of its label: the middle of its visible
    part, moved apart just enough that labels stay `gap` apart and inside [top, bottom]."""

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    bands = bands_in_range(low, high)
    wanted = [
        (y_of(max(band.lower, low)) + y_of(min(band.upper if band.upper is not None else high, high))) / 2
        for band in bands
    ]
    # Bands come lowest first, so their labels go from the bottom up: push each one up from the one
    # below, then, if the top overflowed, push back down from the top.
    half = gap / 2
    placed: list[float] = []
    for y in wanted:
        y = min(y, bottom - half)
        if placed:
            y = min(y, placed[-1] - gap)
        placed.append(y)
    for index in range(len(placed) - 1, -1, -1):
        ceiling = top + half if index == len(placed) - 1 else placed[index + 1] + gap
        placed[index] = max(placed[index], ceiling)
    return list(zip(bands, placed, strict=True))


# --- Drawing ------------------------------------------------------------------------------------------


def render_dr_history(
    points: Sequence[tuple[datetime, int]], *, title: str, now: datetime | None = None
) -> bytes:
    """A PNG of DR points over time, the axis ending at `now`; `points` need not be sorted and may hold
    a single value. Without `now`, the axis ends at the latest point."""
    if not points:
        raise ValueError("a chart needs at least one point")
    series = sorted(points)
    start, end = chart_span([moment for moment, _value in series], now)
    low, high, step = dr_axis([value for _moment, value in series])

    s = SUPERSAMPLE
    image = Image.new("RGB", (WIDTH * s, HEIGHT * s), BACKGROUND)
    draw = Draw(image)
    left, right, top, bottom = PLOT_LEFT * s, PLOT_RIGHT * s, PLOT_TOP * s, PLOT_BOTTOM * s
    label, small = font(LABEL_SIZE * s), font(LABEL_SIZE * s, bold=True)

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    def x_of(moment: datetime) -> float:
        return left + (moment - start) / (end - start) * (right - left)

    latest = series[-1][1]
    subtitle = ngettext(
        "now {points} DR points, band {band} · {number} reading · as of {moment} UTC",
        "now {points} DR points, band {band} · {number} readings · as of {moment} UTC",
        len(series),
        points=number(latest),
        band=dr_band(latest),
        number=number(len(series)),
        moment=f"{date_text(end, 'yMMMd')} {date_text(end, 'Hm')}",
    )
    draw_heading(draw, title, subtitle, scale=s)

    # The bands, each labelled in its colour at the right of the plot.
    for band in bands_in_range(low, high):
        upper = band.upper if band.upper is not None else high
        box = (left, y_of(min(upper, high)), right, y_of(max(band.lower, low)))
        draw.rectangle(box, fill=DR_BAND_FILLS[band.name])
    for band, y in band_label_positions(low, high, top, bottom, BAND_LABEL_GAP * s):
        draw.text((right + 14 * s, y), band.name, font=small, fill=DR_BAND_LABELS[band.name], anchor="lm")

    # DR gridlines on round numbers.
    value = low
    while value <= high:
        y = y_of(value)
        draw.line((left, y, right, y), fill=GRID, width=s)
        draw.text((left - 12 * s, y), f"{value:,}", font=label, fill=MUTED, anchor="rm")
        value += step

    # Time ticks at natural times; the right edge is now.
    last_label_right = -math.inf
    for moment, text in time_ticks(start, end):
        x = x_of(moment)
        draw.line((x, top, x, bottom), fill=GRID, width=s)
        draw.line((x, bottom, x, bottom + 8 * s), fill=MUTED, width=s)
        draw.text((x, bottom + 24 * s), text, font=label, fill=MUTED, anchor="mm")
        last_label_right = x + draw.textlength(text, font=label) / 2
    now_text = _("now")
    now_width = draw.textlength(now_text, font=label)
    if last_label_right < right - now_width - 12 * s:
        draw.text((right, bottom + 24 * s), now_text, font=label, fill=MUTED, anchor="rm")

    # The DR line and its points.
    coordinates = [(x_of(moment), y_of(points_)) for moment, points_ in series]
    if len(coordinates) > 1:
        draw.line(coordinates, fill=BRAND, width=4 * s, joint="curve")
    radius = 6 * s
    for x, y in coordinates:
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=BRAND)
    x, y = coordinates[-1]
    ring = 11 * s
    draw.ellipse((x - ring, y - ring, x + ring, y + ring), outline=TEXT, width=3 * s)

    footer_y = (HEIGHT - FOOTER_HEIGHT // 2) * s
    footer_font = font(FOOTER_SIZE * s)
    draw.text((MARGIN * s, footer_y), _("times in UTC"), font=footer_font, fill=MUTED, anchor="lm")
    draw.text(((WIDTH - MARGIN) * s, footer_y), _(FOOTER_TEXT), font=footer_font, fill=MUTED, anchor="rm")

    buffer = io.BytesIO()
    image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()

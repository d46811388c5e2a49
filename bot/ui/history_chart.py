"""The /history chart: DR points over time as a PNG, drawn with Pillow over the Driver Rating bands.

DR tier thresholds (DR points; lower bound inclusive). GT Grid Stats does not publish them; they are read
from its own numbers: `dr_ratio` is the progress inside the driver's band, and the reference answers fit
exactly with these bounds (B 11,027 → ratio 0.05135 = (11,027 − 10,000) / 20,000; A+ 56,101 → 0.06101 =
(56,101 − 50,000) / 100,000):

    E  0 – 1,999     D  2,000 – 3,999     C  4,000 – 9,999
    B  10,000 – 29,999     A  30,000 – 49,999     A+  50,000 and up
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta

from PIL import Image, ImageDraw, ImageFont

DR_BANDS: tuple[tuple[str, int], ...] = (
    ("E", 0),
    ("D", 2_000),
    ("C", 4_000),
    ("B", 10_000),
    ("A", 30_000),
    ("A+", 50_000),
)
# Soft band colours, alternating in brightness so neighbouring bands stay distinguishable.
_BAND_COLOURS = {
    "E": (236, 236, 236),
    "D": (222, 235, 247),
    "C": (229, 245, 224),
    "B": (254, 243, 214),
    "A": (253, 224, 221),
    "A+": (235, 222, 247),
}
_LINE = (228, 0, 43)  # GT red, as BRAND_COLOUR
_TEXT = (40, 40, 40)
_GRID = (200, 200, 200)
_BACKGROUND = (255, 255, 255)

WIDTH, HEIGHT = 960, 440
_LEFT, _RIGHT, _TOP, _BOTTOM = 80, 50, 50, 50


def dr_band(points: int) -> str:
    letter = DR_BANDS[0][0]
    for name, lower in DR_BANDS:
        if points >= lower:
            letter = name
    return letter


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _nice_step(span: float, ticks: int = 5) -> int:
    raw = max(span / ticks, 1.0)
    magnitude = 10 ** len(str(int(raw))) // 10 or 1
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def render_dr_history(points: Sequence[tuple[datetime, int]], *, title: str) -> bytes:
    """A PNG of DR points over time; `points` need not be sorted and may hold a single value."""
    if not points:
        raise ValueError("a chart needs at least one point")
    series = sorted(points)
    start, end = series[0][0], series[-1][0]
    if end - start < timedelta(hours=1):
        start, end = start - timedelta(hours=12), end + timedelta(hours=12)
    values = [value for _, value in series]
    low, high = min(values), max(values)
    padding = max((high - low) * 0.15, 500)
    low_axis, high_axis = max(0.0, low - padding), high + padding

    image = Image.new("RGB", (WIDTH, HEIGHT), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    plot_left, plot_right = _LEFT, WIDTH - _RIGHT
    plot_top, plot_bottom = _TOP, HEIGHT - _BOTTOM

    def y_of(value: float) -> float:
        return plot_bottom - (value - low_axis) / (high_axis - low_axis) * (plot_bottom - plot_top)

    def x_of(moment: datetime) -> float:
        return plot_left + (moment - start) / (end - start) * (plot_right - plot_left)

    small, regular = _font(13), _font(16)
    bounds = [*DR_BANDS[1:], ("", 10**9)]
    for (name, lower), (_, upper) in zip(DR_BANDS, bounds, strict=True):
        top, bottom = max(lower, low_axis), min(upper, high_axis)
        if top >= bottom:
            continue
        draw.rectangle((plot_left, y_of(bottom), plot_right, y_of(top)), fill=_BAND_COLOURS[name])
        label_y = (y_of(bottom) + y_of(top)) / 2
        draw.text((plot_right + 6, label_y), name, fill=_TEXT, font=regular, anchor="lm")

    step = _nice_step(high_axis - low_axis)
    tick = (int(low_axis) // step + 1) * step
    while tick < high_axis:
        y = y_of(tick)
        draw.line((plot_left, y, plot_right, y), fill=_GRID, width=1)
        draw.text((plot_left - 6, y), f"{tick:,}", fill=_TEXT, font=small, anchor="rm")
        tick += step

    tick_count = 5
    label_format = "%d %b" if end - start >= timedelta(days=3) else "%d %b %H:%M"
    for index in range(tick_count + 1):
        moment = start + (end - start) * index / tick_count
        x = x_of(moment)
        draw.line((x, plot_bottom, x, plot_bottom + 4), fill=_TEXT)
        draw.text((x, plot_bottom + 8), moment.strftime(label_format), fill=_TEXT, font=small, anchor="ma")

    draw.rectangle((plot_left, plot_top, plot_right, plot_bottom), outline=_TEXT, width=1)
    coordinates = [(x_of(moment), y_of(value)) for moment, value in series]
    if len(coordinates) > 1:
        draw.line(coordinates, fill=_LINE, width=3, joint="curve")
    for x, y in coordinates:
        draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill=_LINE)
    draw.text((plot_left, plot_top - 12), title, fill=_TEXT, font=_font(20), anchor="ls")
    latest = series[-1][1]
    draw.text(
        (plot_right, plot_top - 12),
        f"now {latest:,} (DR {dr_band(latest)})",
        fill=_TEXT,
        font=regular,
        anchor="rs",
    )

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()

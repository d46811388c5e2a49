"""The weekly digest's chart: the week's top movers as a diverging bar chart, PNG.

One bar per driver from a zero line in the middle: DR points gained to the right (green), lost to the
left (red), the PSN ID on the other side of the zero line and the signed change at the bar's end. Gains
come first, biggest on top, then losses, biggest at the bottom. It speaks the other images' visual language
(bot/ui/theme.py) and is bounded: at most MAX_GAINS and MAX_LOSSES bars, whatever the digest holds.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from PIL import Image

from bot.services.tracking import Mover
from bot.ui.format import date_text, number
from bot.ui.i18n import _
from bot.ui.theme import (
    BACKGROUND,
    BODY_SIZE,
    DOWN,
    FOOTER_SIZE,
    FOOTER_TEXT,
    GRID,
    MARGIN,
    MUTED,
    TEXT,
    UP,
    WIDTH,
    Draw,
    draw_heading,
    fit_text,
    font,
)

FILENAME = "digest-movers.png"
MAX_GAINS = 10
MAX_LOSSES = 10

TITLE_HEIGHT = 124  # as the other images: brand bar, title, subtitle
PLOT_PADDING = 16  # above the first bar and below the last
ROW_HEIGHT = 44
BAR_HEIGHT = 28
GROUP_GAP = 16  # between the gains and the losses
FOOTER_HEIGHT = 52
ZERO_X = WIDTH // 2
VALUE_ROOM = 120  # px kept at a bar's end for its signed change
NAME_GAP = 12  # px between the zero line and a name
VALUE_GAP = 8  # px between a bar's end and its change
MAX_BAR = ZERO_X - MARGIN - VALUE_ROOM
MIN_BAR = 3  # a change of one point still shows
NAME_WIDTH = ZERO_X - MARGIN - NAME_GAP
BODY = BODY_SIZE - 4  # rows are denser than the standings table


@dataclass(frozen=True, slots=True)
class DigestChart:
    """What the chart shows: its title (in the reader's language) and the week's movers."""

    title: str
    gains: tuple[Mover, ...]
    losses: tuple[Mover, ...]


@dataclass(frozen=True, slots=True)
class Bar:
    psn_id: str
    delta: int
    left: int
    top: int
    right: int
    bottom: int


@dataclass(frozen=True, slots=True)
class Layout:
    bars: tuple[Bar, ...]
    width: int
    height: int


def chart_title(server_name: str | None, week_start: datetime) -> str:
    """ "<server> · week of <date>", or "Driver news · week of <date>" without a server name."""
    return _(
        "{server} · week of {date}",
        server=server_name or _("Driver news"),
        date=date_text(week_start, "yMMMd"),
    )


def layout(gains: Sequence[Mover], losses: Sequence[Mover]) -> Layout:
    """Where each bar goes: the biggest MAX_GAINS gains (biggest on top), then the biggest MAX_LOSSES
    losses (biggest at the bottom), each as long as its change relative to the largest one shown."""
    up = sorted((m for m in gains if m.delta > 0), key=lambda m: -m.delta)[:MAX_GAINS]
    down = sorted((m for m in losses if m.delta < 0), key=lambda m: m.delta)[:MAX_LOSSES]
    down.reverse()
    largest = max((abs(m.delta) for m in (*up, *down)), default=1)
    bars: list[Bar] = []
    y = TITLE_HEIGHT + PLOT_PADDING
    for index, mover in enumerate((*up, *down)):
        if index == len(up) and up:
            y += GROUP_GAP
        length = max(MIN_BAR, round(abs(mover.delta) / largest * MAX_BAR))
        left, right = (ZERO_X, ZERO_X + length) if mover.delta > 0 else (ZERO_X - length, ZERO_X)
        top = y + (ROW_HEIGHT - BAR_HEIGHT) // 2
        bars.append(Bar(mover.psn_id, mover.delta, left, top, right, top + BAR_HEIGHT))
        y += ROW_HEIGHT
    return Layout(tuple(bars), WIDTH, y + PLOT_PADDING + FOOTER_HEIGHT)


def _change(delta: int) -> str:
    return f"+{number(delta)}" if delta > 0 else f"-{number(-delta)}"


def render_digest_chart(chart: DigestChart) -> bytes:
    """The PNG of `chart` (CPU work: call it off the event loop, as the cog does with asyncio.to_thread)."""
    plan = layout(chart.gains, chart.losses)
    image = Image.new("RGB", (plan.width, plan.height), BACKGROUND)
    draw = Draw(image)

    draw_heading(draw, chart.title, _("DR points gained and lost this week"))

    if plan.bars:
        top, bottom = plan.bars[0].top - PLOT_PADDING // 2, plan.bars[-1].bottom + PLOT_PADDING // 2
        draw.line((ZERO_X, top, ZERO_X, bottom), fill=GRID, width=2)
    name_font, value_font = font(BODY), font(BODY, bold=True)
    for bar in plan.bars:
        gain = bar.delta > 0
        colour = UP if gain else DOWN
        middle = (bar.top + bar.bottom) // 2
        draw.rectangle((bar.left, bar.top, bar.right - 1, bar.bottom - 1), fill=colour)
        name = fit_text(draw, bar.psn_id, name_font, NAME_WIDTH)
        if gain:
            draw.text((ZERO_X - NAME_GAP, middle), name, font=name_font, fill=TEXT, anchor="rm")
            draw.text(
                (bar.right + VALUE_GAP, middle), _change(bar.delta), font=value_font, fill=colour, anchor="lm"
            )
        else:
            draw.text((ZERO_X + NAME_GAP, middle), name, font=name_font, fill=TEXT, anchor="lm")
            draw.text(
                (bar.left - VALUE_GAP, middle), _change(bar.delta), font=value_font, fill=colour, anchor="rm"
            )

    footer_font = font(FOOTER_SIZE)
    footer_y = plan.height - FOOTER_HEIGHT // 2
    draw.text((WIDTH - MARGIN, footer_y), _(FOOTER_TEXT), font=footer_font, fill=MUTED, anchor="rm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()

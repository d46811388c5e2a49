"""Standings as one PNG: a table of every driver, the league's team standings when asked (at most
MAX_IMAGE_TEAMS teams, then "…and N more"), then a points-per-round chart of the leaders.

Sized for a phone: 1000 px wide with large type, so a post reads without zooming. The height follows the
number of drivers and teams (see `image_size`). Drivers are shown by PSN ID (a picture cannot show mentions).
"""

from __future__ import annotations

import asyncio
import io
import itertools
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC

from PIL import Image, ImageDraw

from bot.services.league_night.teams import TeamRow
from bot.services.standings import StandingRow, Standings
from bot.ui.format import date_text, number
from bot.ui.i18n import _, current_language, ngettext
from bot.ui.theme import (
    BACKGROUND,
    BODY_SIZE,
    CHART_TITLE_SIZE,
    DOWN,
    FOOTER_SIZE,
    FOOTER_TEXT,
    GRID,
    HEADER_SIZE,
    LABEL_SIZE,
    LEADER,
    MARGIN,
    MUTED,
    SERIES_COLOURS,
    STRIPE,
    TEXT,
    UP,
    WIDTH,
    Draw,
    FontT,
    draw_heading,
    fit_text,
    font,
)

TITLE_HEIGHT = 124
HEADER_HEIGHT = 46
ROW_HEIGHT = 52
CHART_GAP = 28
CHART_HEIGHT = 500
FOOTER_HEIGHT = 52
CHART_DRIVERS = 5
SUPERSAMPLE = 2  # the chart is drawn at twice the size and scaled down, for smooth lines
TEAM_GAP = 28
TEAM_TITLE_HEIGHT = 46
TEAM_ROW_HEIGHT = 44
MAX_IMAGE_TEAMS = 12  # a league may have 25 teams; the picture stays compact, the embed and CSV have all


def teams_height(team_count: int) -> int:
    """The team table's height: title, at most MAX_IMAGE_TEAMS rows, and a "…and N more" row beyond."""
    if not team_count:
        return 0
    rows = min(team_count, MAX_IMAGE_TEAMS) + (1 if team_count > MAX_IMAGE_TEAMS else 0)
    return TEAM_GAP + TEAM_TITLE_HEIGHT + rows * TEAM_ROW_HEIGHT


def image_size(driver_count: int, round_count: int, team_count: int = 0) -> tuple[int, int]:
    chart = CHART_GAP + CHART_HEIGHT if round_count else 0
    table = TITLE_HEIGHT + HEADER_HEIGHT + driver_count * ROW_HEIGHT + teams_height(team_count)
    return WIDTH, table + chart + FOOTER_HEIGHT


@dataclass(frozen=True)
class _Column:
    title: str
    x: int  # left edge
    width: int
    align: str  # "left" or "right"


def _columns(movement: bool) -> list[_Column]:
    right = WIDTH - MARGIN
    int_col = _Column(_("INT"), right - 110, 110, "right")
    gap_col = _Column(_("GAP"), int_col.x - 120, 120, "right")
    pts_col = _Column(_("PTS"), gap_col.x - 130, 130, "right")
    pos_col = _Column(_("POS"), MARGIN, 84, "left")
    move_col = _Column("", pos_col.x + pos_col.width, 78 if movement else 0, "left")
    driver_x = move_col.x + move_col.width
    driver_col = _Column(_("DRIVER"), driver_x, pts_col.x - driver_x - 12, "left")
    return [pos_col, move_col, driver_col, pts_col, gap_col, int_col]


def _cell(
    draw: ImageDraw.ImageDraw, column: _Column, y: int, text: str, font: FontT, fill: tuple[int, ...]
) -> None:
    text = fit_text(draw, text, font, column.width)
    x = column.x + column.width if column.align == "right" else column.x
    draw.text((x, y), text, font=font, fill=fill, anchor="rm" if column.align == "right" else "lm")


def _movement(draw: ImageDraw.ImageDraw, column: _Column, middle: int, row: StandingRow) -> None:
    movement = row.movement
    marker_font = font(22, bold=True)
    x = column.x
    if movement is None:
        draw.text((x, middle), _("NEW"), font=marker_font, fill=MUTED, anchor="lm")
    elif movement == 0:
        draw.line((x + 2, middle, x + 18, middle), fill=MUTED, width=3)
    else:
        colour = UP if movement > 0 else DOWN
        tip, base = (middle - 9, middle + 7) if movement > 0 else (middle + 9, middle - 7)
        draw.polygon([(x, base), (x + 20, base), (x + 10, tip)], fill=colour)
        draw.text((x + 26, middle), str(abs(movement)), font=marker_font, fill=colour, anchor="lm")


def _title(draw: ImageDraw.ImageDraw, standings: Standings, title: str) -> None:
    kind = standings.series_type or _("Series")
    as_of = standings.as_of.astimezone(UTC)
    moment = f"{date_text(as_of, 'yMMMd')} {date_text(as_of, 'Hm')} UTC"
    subtitle = ngettext(
        "{kind} · series {series_id} · {number} driver · as of {moment}",
        "{kind} · series {series_id} · {number} drivers · as of {moment}",
        len(standings.rows),
        kind=kind,
        series_id=standings.series_id,
        number=number(len(standings.rows)),
        moment=moment,
    )
    draw_heading(draw, title, subtitle)


def _behind(points: int) -> str:
    return f"-{points:,}" if points else "0"


def _table(draw: ImageDraw.ImageDraw, standings: Standings, movement: bool, marks: Mapping[str, str]) -> int:
    columns = _columns(movement)
    top = TITLE_HEIGHT
    header_font = font(HEADER_SIZE, bold=True)
    for column in columns:
        if column.width:
            _cell(draw, column, top + HEADER_HEIGHT // 2, column.title, header_font, MUTED)
    draw.line((MARGIN, top + HEADER_HEIGHT - 1, WIDTH - MARGIN, top + HEADER_HEIGHT - 1), fill=GRID, width=2)
    body, bold = font(BODY_SIZE), font(BODY_SIZE, bold=True)
    y = top + HEADER_HEIGHT
    for index, row in enumerate(standings.rows):
        if row.position == 1:
            draw.rectangle((0, y, WIDTH, y + ROW_HEIGHT - 1), fill=LEADER)
        elif index % 2:
            draw.rectangle((0, y, WIDTH, y + ROW_HEIGHT - 1), fill=STRIPE)
        middle = y + ROW_HEIGHT // 2
        pos, move, driver, pts, gap, interval = columns
        _cell(draw, pos, middle, f"={row.position}" if row.tied else str(row.position), bold, TEXT)
        if movement:
            _movement(draw, move, middle, row)
        mark = marks.get(row.psn_id.lower())
        _cell(draw, driver, middle, f"{row.psn_id} {mark}" if mark else row.psn_id, body, TEXT)
        _cell(draw, pts, middle, f"{row.total_points:,}", bold, TEXT)
        leader = row.gap_to_ahead is None
        _cell(draw, gap, middle, "-" if leader else _behind(row.gap_to_leader), body, MUTED)
        _cell(draw, interval, middle, "-" if leader else _behind(row.gap_to_ahead or 0), body, MUTED)
        y += ROW_HEIGHT
    return y


def _teams(draw: ImageDraw.ImageDraw, teams: Sequence[TeamRow], top: int) -> int:
    """A compact team table under the driver table: position, team, points; returns its bottom edge."""
    pos, _move, driver, pts, _gap, _int = _columns(False)
    team_col = _Column("", driver.x, pts.x - driver.x - 12, "left")
    y = top + TEAM_GAP
    middle = y + TEAM_TITLE_HEIGHT // 2
    title_font = font(CHART_TITLE_SIZE, bold=True)
    draw.text((MARGIN, middle), _("Team standings"), font=title_font, fill=TEXT, anchor="lm")
    _cell(draw, pts, middle, pts.title, font(HEADER_SIZE, bold=True), MUTED)
    y += TEAM_TITLE_HEIGHT
    draw.line((MARGIN, y - 1, WIDTH - MARGIN, y - 1), fill=GRID, width=2)
    body, bold = font(BODY_SIZE), font(BODY_SIZE, bold=True)
    for index, row in enumerate(teams[:MAX_IMAGE_TEAMS]):
        if row.position == 1:
            draw.rectangle((0, y, WIDTH, y + TEAM_ROW_HEIGHT - 1), fill=LEADER)
        elif index % 2:
            draw.rectangle((0, y, WIDTH, y + TEAM_ROW_HEIGHT - 1), fill=STRIPE)
        middle = y + TEAM_ROW_HEIGHT // 2
        _cell(draw, pos, middle, f"={row.position}" if row.tied else str(row.position), bold, TEXT)
        _cell(draw, team_col, middle, row.name, body, TEXT)
        _cell(draw, pts, middle, f"{row.total_points:,}", bold, TEXT)
        y += TEAM_ROW_HEIGHT
    hidden = len(teams) - MAX_IMAGE_TEAMS
    if hidden > 0:
        more = ngettext("…and {count} more", "…and {count} more", hidden)
        _cell(draw, team_col, y + TEAM_ROW_HEIGHT // 2, more, font(LABEL_SIZE), MUTED)
        y += TEAM_ROW_HEIGHT
    return y


def _axis(highest: int) -> tuple[int, int]:
    """A round step and the number of steps (at most 6) that cover `highest`."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000):
        steps = max(1, -(-highest // step))
        if steps <= 6:
            return step, steps
    return -(-highest // 6), 6


def _chart(rows: Sequence[StandingRow], rounds: Sequence[int]) -> Image.Image:
    """Points per round of the first CHART_DRIVERS drivers; hollow markers are dropped rounds."""
    s = SUPERSAMPLE
    width, height = WIDTH * s, CHART_HEIGHT * s
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = Draw(image)
    title_font, small = font(CHART_TITLE_SIZE * s, bold=True), font(LABEL_SIZE * s)
    shown = list(rows[:CHART_DRIVERS])
    draw.text((MARGIN * s, 4 * s), _("Points per round"), font=title_font, fill=TEXT)

    # Legend: a swatch and the PSN ID of each driver, wrapping onto a second line when needed.
    x, y = MARGIN * s, 48 * s
    for index, row in enumerate(shown):
        label = row.psn_id
        item = 30 * s + int(draw.textlength(label, font=small)) + 24 * s
        if x + item > width - MARGIN * s:
            x, y = MARGIN * s, y + 30 * s
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        draw.rounded_rectangle((x, y + 4 * s, x + 22 * s, y + 20 * s), radius=4 * s, fill=colour)
        draw.text((x + 30 * s, y + 12 * s), label, font=small, fill=TEXT, anchor="lm")
        x += item
    note = _("hollow = dropped round")
    draw.text((width - MARGIN * s, 16 * s), note, font=small, fill=MUTED, anchor="rm")

    left, right = (MARGIN + 56) * s, width - MARGIN * s
    top, bottom = y + 50 * s, height - 44 * s
    highest = max((score.points for row in shown for score in row.rounds), default=0)
    step, steps = _axis(max(highest, 1))
    ceiling = step * steps
    for index in range(steps + 1):
        value = step * index
        gy = bottom - (bottom - top) * index // steps
        draw.line((left, gy, right, gy), fill=GRID, width=s)
        draw.text((left - 12 * s, gy), f"{value:,}", font=small, fill=MUTED, anchor="rm")

    def x_of(round_no: int) -> int:
        if len(rounds) == 1:
            return (left + right) // 2
        return left + 20 * s + (right - left - 40 * s) * rounds.index(round_no) // (len(rounds) - 1)

    label_every = max(1, -(-len(rounds) // 16))  # at most 16 round labels, so they never overlap
    for index, round_no in enumerate(rounds):
        if index % label_every == 0 or index == len(rounds) - 1:
            draw.text((x_of(round_no), bottom + 22 * s), f"R{round_no}", font=small, fill=MUTED, anchor="mm")

    def y_of(points: int) -> int:
        return bottom - (bottom - top) * points // ceiling

    for index, row in enumerate(shown):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        points = [
            (x_of(score.no), y_of(score.points), score.counted) for score in row.rounds if score.no in rounds
        ]
        for (x1, y1, _counted1), (x2, y2, _counted2) in itertools.pairwise(points):
            draw.line((x1, y1, x2, y2), fill=colour, width=4 * s)
        radius = 8 * s
        for px, py, counted in points:
            box = (px - radius, py - radius, px + radius, py + radius)
            draw.ellipse(box, fill=colour if counted else BACKGROUND, outline=colour, width=3 * s)
    return image.resize((WIDTH, CHART_HEIGHT), Image.Resampling.LANCZOS)


def standings_png(
    standings: Standings,
    *,
    title: str,
    movement: bool = False,
    marks: tuple[tuple[str, str], ...] = (),
    legend: str = "",
    teams: tuple[TeamRow, ...] = (),
) -> bytes:
    """`marks`: (lower-case PSN ID, mark) pairs shown after the driver's name; `legend` explains them;
    `teams`: the league's team standings, drawn under the driver table (the first MAX_IMAGE_TEAMS)."""
    rounds = standings.round_numbers
    size = image_size(len(standings.rows), len(rounds), len(teams))
    image = Image.new("RGB", size, BACKGROUND)
    draw = Draw(image)
    _title(draw, standings, title)
    y = _table(draw, standings, movement, dict(marks))
    if teams:
        y = _teams(draw, teams, y)
    if rounds:
        image.paste(_chart(standings.rows, rounds), (0, y + CHART_GAP))
    if legend:
        draw.text(
            (MARGIN, size[1] - FOOTER_HEIGHT // 2),
            fit_text(draw, legend, font(FOOTER_SIZE), WIDTH // 2),
            font=font(FOOTER_SIZE),
            fill=MUTED,
            anchor="lm",
        )
    draw.text(
        (WIDTH - MARGIN, size[1] - FOOTER_HEIGHT // 2),
        _(FOOTER_TEXT),
        font=font(FOOTER_SIZE),
        fill=MUTED,
        anchor="rm",
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class StandingsImages:
    """Renders each distinct standings image once, however many commands ask for it at the same moment.

    Rendering costs tens of milliseconds of CPU; twenty members asking for the same standings would
    otherwise draw the same picture twenty times while the bot's other commands wait.
    """

    def __init__(self, keep: int = 32) -> None:
        self._keep = keep
        self._renders: OrderedDict[
            tuple[Standings, str, bool, tuple[tuple[str, str], ...], str, tuple[TeamRow, ...], str],
            asyncio.Task[bytes],
        ] = OrderedDict()

    async def png(
        self,
        standings: Standings,
        *,
        title: str,
        movement: bool = False,
        marks: tuple[tuple[str, str], ...] = (),
        legend: str = "",
        teams: tuple[TeamRow, ...] = (),
    ) -> bytes:
        # The image's words are in the current language: it is part of the key.
        key = (standings, title, movement, marks, legend, teams, current_language())
        task = self._renders.get(key)
        if task is None or (task.done() and (task.cancelled() or task.exception() is not None)):
            task = asyncio.ensure_future(
                asyncio.to_thread(
                    standings_png,
                    standings,
                    title=title,
                    movement=movement,
                    marks=marks,
                    legend=legend,
                    teams=teams,
                )
            )
            self._renders[key] = task
            while len(self._renders) > self._keep:
                self._renders.popitem(last=False)
        self._renders.move_to_end(key)
        # shield: one command giving up must not cancel the drawing the others wait for.
        return await asyncio.shield(task)

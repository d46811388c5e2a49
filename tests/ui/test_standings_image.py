"""The standings PNG: a valid image whose size follows the roster, with the table and the chart drawn."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from bot.gtgridstats.models import SeriesDriver, SeriesRound
from bot.services.league_night.teams import TeamRow
from bot.services.standings import Standings, rank
from bot.ui.i18n import speaking
from bot.ui.standings_image import MAX_IMAGE_TEAMS, StandingsImages, image_size, standings_png
from tests.ui.test_theme import SCRIPTS, DrawnText

AS_OF = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

# Layout, as the module documents it: title 124 + header 46 + 52 per driver (+ 28 + chart 500) + footer 52.
TABLE_FIXED = 124 + 46 + 52
CHART = 28 + 500


def standings_of(count: int, rounds: int) -> Standings:
    results = [
        SeriesDriver(
            psn=f"driver_{number:03d}",
            season_rank=number + 1,
            total_points=1_000 - 7 * number,
            rounds=[
                SeriesRound(no=no, points=(number * 13 + no * 17) % 150, is_counted=no != 2)
                for no in range(1, rounds + 1)
            ],
        )
        for number in range(count)
    ]
    return Standings(1564, "Nations Cup", rank(results, {}), (), AS_OF)


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()  # decodes every row: a truncated or corrupt file fails here
    return image


def test_a_valid_png_of_the_expected_size() -> None:
    image = open_png(standings_png(standings_of(12, 6), title="Sunday Cup · Nations Cup"))
    assert image.format == "PNG"
    assert image.mode == "RGB"
    assert image.size == (1000, TABLE_FIXED + 12 * 52 + CHART)
    assert image.size == image_size(12, 6)


def test_no_rounds_means_no_chart() -> None:
    image = open_png(standings_png(standings_of(3, 0), title="Empty season"))
    assert image.size == (1000, TABLE_FIXED + 3 * 52)


def test_a_full_roster_of_200_still_renders_at_phone_width() -> None:
    image = open_png(standings_png(standings_of(200, 12), title="Big league", movement=True))
    assert image.size == (1000, TABLE_FIXED + 200 * 52 + CHART)


def test_the_leader_row_is_highlighted_and_rows_are_striped() -> None:
    image = open_png(standings_png(standings_of(4, 3), title="Stripes"))
    first_row_y = 124 + 46 + 26
    leader = image.getpixel((8, first_row_y))
    second = image.getpixel((8, first_row_y + 52))
    third = image.getpixel((8, first_row_y + 104))
    assert leader == (52, 24, 30)
    assert second == (30, 33, 40)
    assert third == (22, 24, 29)


def test_the_chart_draws_each_leading_driver_in_its_colour() -> None:
    image = open_png(standings_png(standings_of(5, 6), title="Chart"))
    chart_top = 124 + 46 + 5 * 52 + 28
    chart = image.crop((0, chart_top, 1000, chart_top + 500))
    colours = {colour for _, colour in chart.getcolors(maxcolors=1_000_000) or []}
    for expected in ((228, 0, 43), (34, 184, 207), (250, 176, 5), (64, 192, 87), (151, 117, 250)):
        assert expected in colours


def test_movement_markers_are_drawn_when_asked() -> None:
    moved = standings_of(3, 2).with_previous({"driver_000": 3, "driver_001": 1, "driver_002": 2})
    with_markers = open_png(standings_png(moved, title="Moves", movement=True))
    without = open_png(standings_png(moved, title="Moves", movement=False))
    assert with_markers.size == without.size
    row_y = 124 + 46 + 26
    marker_column = with_markers.crop((120, row_y - 20, 198, row_y + 20))
    colours = {colour for _, colour in marker_column.getcolors(maxcolors=100_000) or []}
    assert (64, 192, 87) in colours  # the leader gained two places: a green ▲


async def test_concurrent_requests_for_the_same_standings_draw_it_once() -> None:
    images = StandingsImages()
    standings = standings_of(8, 4)
    results = await asyncio.gather(*(images.png(standings, title="Cup") for _ in range(20)))
    assert len({id(result) for result in results}) == 1  # one drawing, shared
    other = await images.png(standings, title="Another title")
    assert other is not results[0]
    assert other.startswith(b"\x89PNG")


async def test_the_same_standings_are_drawn_again_for_another_language() -> None:
    # The image's words (column titles, subtitle, footer) are in the reader's language: a German reader
    # must not get the drawing made for an English one.
    images = StandingsImages()
    standings = standings_of(8, 4)
    english = await images.png(standings, title="Cup")
    with speaking("de"):
        german = await images.png(standings, title="Cup")
        assert await images.png(standings, title="Cup") is german  # shared within one language
    assert german is not english
    assert await images.png(standings, title="Cup") is english


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_league_names_in_every_script_draw_without_missing_glyphs(
    script: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = SCRIPTS[script]
    drawn = DrawnText(monkeypatch)
    png = standings_png(standings_of(3, 2).with_previous({"driver_000": 2}), title=name, movement=True)
    assert open_png(png).size == image_size(3, 2)
    assert name in drawn.texts()  # drawn whole, not cut short
    assert drawn.missing() == {}  # no character of any label fell back to the .notdef box


# The team table, as the module documents it: gap 28 + title 46 + 44 per team (at most 12, then a
# "…and N more" row of 44).
TEAMS_FIXED = 28 + 46


def teams_of(count: int) -> tuple[TeamRow, ...]:
    return tuple(
        TeamRow(
            position=number + 1,
            tied=False,
            name=f"Team {number + 1:02d}",
            drivers=(f"driver_{number:03d}",),
            total_points=500 - number,
            rounds=((1, 500 - number),),
        )
        for number in range(count)
    )


def test_team_standings_are_drawn_under_the_driver_table(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = DrawnText(monkeypatch)
    standings = standings_of(4, 3)
    with_teams = open_png(standings_png(standings, title="Cup", teams=teams_of(3)))
    without = open_png(standings_png(standings, title="Cup"))
    assert without.size == (1000, TABLE_FIXED + 4 * 52 + CHART)
    assert with_teams.size == (1000, TABLE_FIXED + 4 * 52 + TEAMS_FIXED + 3 * 44 + CHART)
    assert with_teams.size == image_size(4, 3, 3)
    texts = drawn.texts()
    assert "Team standings" in texts
    assert {"Team 01", "Team 02", "Team 03", "500", "499", "498"} <= set(texts)
    assert drawn.missing() == {}
    # The first team's row is highlighted as the leader's, right under the team table's title.
    first_team_y = 124 + 46 + 4 * 52 + TEAMS_FIXED + 22
    assert with_teams.getpixel((8, first_team_y)) == (52, 24, 30)
    # The chart still follows, whole, under the team table.
    chart = with_teams.crop((0, with_teams.height - 52 - 500, 1000, with_teams.height - 52))
    assert (228, 0, 43) in {colour for _, colour in chart.getcolors(maxcolors=1_000_000) or []}


def test_thirty_teams_draw_twelve_and_a_more_line(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = DrawnText(monkeypatch)
    image = open_png(standings_png(standings_of(3, 2), title="Cup", teams=teams_of(30)))
    assert MAX_IMAGE_TEAMS == 12
    assert image.size == (1000, TABLE_FIXED + 3 * 52 + TEAMS_FIXED + 13 * 44 + CHART)
    assert image.size == image_size(3, 2, 30) == image_size(3, 2, 13)
    texts = drawn.texts()
    assert "Team 12" in texts
    assert "Team 13" not in texts
    assert "…and 18 more" in texts

"""Embeds never exceed Discord's limits, whatever GT Grid Stats sent or what was stored before the bounds.

The Discord stand-in refuses an over-limit embed exactly as Discord does (400, 50035 Invalid Form Body), so
a builder that lets one through fails here the way it would fail in production.
"""

from __future__ import annotations

from typing import Any

import discord
import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.gtgridstats.models import MAX_NUMBER, Driver, DriverStats
from bot.ui.embeds import check_embed_limits, fit_embed, fit_lines
from tests.conftest import Harness
from tests.standins.discord_api import DiscordStandin, embed_problems
from tests.standins.gtgridstats_data import Car

LONG = "L" * 1_500


def fields_of(embed: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in embed["fields"]}


texts = st.text(alphabet="ab é🏁", max_size=5_000)


@settings(max_examples=60, deadline=None)
@given(
    title=texts,
    description=texts,
    footer=texts,
    author=texts,
    fields=st.lists(st.tuples(st.text(max_size=400), st.text(max_size=1_500)), max_size=40),
)
def test_fit_embed_brings_any_embed_inside_every_limit(
    title: str, description: str, footer: str, author: str, fields: list[tuple[str, str]]
) -> None:
    embed = discord.Embed(title=title or None, description=description or None)
    embed.set_footer(text=footer or None)
    if author:
        embed.set_author(name=author)
    for name, value in fields:
        embed.add_field(name=name, value=value)
    fit_embed(embed)
    check_embed_limits(embed)
    assert embed_problems({"embeds": [embed.to_dict()]}) == {}


def test_fit_embed_leaves_an_embed_inside_the_limits_unchanged() -> None:
    embed = discord.Embed(title="Title", description="Body")
    embed.add_field(name="DR", value="A+")
    embed.set_footer(text="GT Grid Stats")
    before = embed.to_dict()
    assert fit_embed(embed).to_dict() == before


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.text(alphabet="ab é🏁", max_size=120), max_size=60),
    limit=st.integers(min_value=40, max_value=2_000),
    at_most=st.none() | st.integers(min_value=0, max_value=60),
)
def test_fit_lines_stays_within_the_limit_never_cuts_a_line_and_counts_the_rest(
    lines: list[str], limit: int, at_most: int | None
) -> None:
    text = fit_lines(lines, limit, more=lambda count: f"…and {count} more", at_most=at_most)
    assert len(text) <= limit
    if text == "\n".join(lines):  # everything fits: nothing said about more
        assert at_most is None or at_most >= len(lines)
        return
    *shown, last = text.split("\n")
    assert shown == lines[: len(shown)]  # whole lines, in order
    assert last == f"…and {len(lines) - len(shown)} more"  # then how many were left out
    assert at_most is None or len(shown) <= at_most


def test_fit_lines_fills_up_to_the_limit_with_room_for_the_more_line() -> None:
    lines = [f"line {index:02}" for index in range(10)]  # 7 characters each
    assert fit_lines(lines, 100, more=lambda n: f"+{n}") == "\n".join(lines)  # 79 characters: all fit
    assert fit_lines(lines, 30, more=lambda n: f"+{n}") == "line 00\nline 01\nline 02\n+7"  # 26 + "\n+7"
    assert fit_lines(lines, 100, more=lambda n: f"+{n}", at_most=2) == "line 00\nline 01\n+8"
    assert fit_lines([], 10, more=lambda n: f"+{n}") == ""


async def test_the_discord_standin_refuses_an_over_limit_embed_as_discord_does(
    discord_api: DiscordStandin,
) -> None:
    body = {"embeds": [{"title": "t" * 257, "fields": [{"name": "n", "value": "v" * 1_025}]}]}
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{discord_api.base_url}/channels/5/messages", json=body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == 50035
    assert answer["message"] == "Invalid Form Body"
    assert set(answer["errors"]["embeds"]["0"]) == {"title", "fields"}
    assert discord_api.messages_in(5) == []


async def test_a_profile_with_huge_upstream_values_renders_and_keeps_working(harness: Harness) -> None:
    hostile = harness.gt.dataset.add_driver(
        "Huge_Values",
        nickname="N" * 500,
        dr_points=10**30,
        stats={"license": LONG, "play_time_readable": LONG, "total_credits": -(10**40), "distance_km": LONG},
    )
    hostile.dr = LONG
    first = await harness.slash("profile", user=harness.member("ann"), psn_id="Huge_Values")
    embed = first.reply.embed
    fields = fields_of(embed)
    assert fields["DR points"] == f"{MAX_NUMBER:,}"
    assert fields["Licence"].endswith("…")
    assert len(fields["Licence"]) <= 64
    assert len(fields["Driver Rating"]) <= 32
    assert harness.discord.rejected == []
    stored = await harness.bot.drivers.snapshots.latest("Huge_Values")
    assert stored is not None
    assert stored.dr_points == MAX_NUMBER
    # Stored and served again from storage: still fine.
    again = await harness.slash("profile", user=harness.member("bob"), psn_id="Huge_Values")
    assert fields_of(again.reply.embed)["DR points"] == f"{MAX_NUMBER:,}"
    assert harness.gt.count("/api/racers") == 1


async def test_an_over_long_value_stored_before_the_bounds_does_not_break_profile(harness: Harness) -> None:
    # A row written by an older version, which stored whatever came: built without validation.
    stats = DriverStats.model_construct(dr_points=12_000, license=LONG, play_time_readable=LONG)
    old = Driver.model_construct(
        psn_id="Old_Row", nickname="N" * 3_000, dr=LONG, sr="S", country_code="GB", stats=stats, guid=None
    )
    await harness.bot.drivers.snapshots.save([old], harness.clock.now())
    await harness.restart()
    record = await harness.slash("profile", user=harness.member("ann"), psn_id="Old_Row")
    assert harness.gt.count("/api/racers") == 0  # served from the stored row
    fields = fields_of(record.reply.embed)
    assert fields["Licence"].endswith("…")
    assert len(record.reply.embed["title"]) <= 256
    assert harness.discord.rejected == []


async def test_a_car_with_huge_upstream_values_renders(harness: Harness) -> None:
    harness.gt.dataset.cars.append(
        Car(
            id=9_001,
            car_code=9_001,
            gt7_code="car9001",
            name="Long " * 600,
            car_class="C" * 2_000,
            image="https://example.invalid/" + "i" * 3_000,
            manufacturer_id=78,
        )
    )
    record = await harness.clock.run_until(harness.slash("car", user=harness.member("ann"), car="9001"))
    assert harness.discord.rejected == []
    embed = record.reply.embed
    assert embed["title"].startswith("Long Long")
    assert len(fields_of(embed)["Class"]) <= 32
    assert "image" not in embed  # an over-long URL is dropped, not cut into a broken link
    assert "went wrong" not in record.reply.text()

"""Hostile input: whatever is typed into any free-text option, the bot answers with a clear message, never
crashes, and never lets the text reach GT Grid Stats as a raw path segment or query."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Harness
from tests.standins.interactions import FakeChannel

PSN = r"[A-Za-z][A-Za-z0-9_-]{2,15}"
# Every path the bot may ask for, decoded: anything else means user text escaped its segment.
ALLOWED_PATHS = re.compile(
    r"/api/assets/manufacturers(/[a-z]{2})?"
    r"|/api/assets/cars(/(\d+|car\d+)(/[a-z]{2})?)?"
    r"|/api/assets/manufacturer/\d+/[a-z0-9]+(/[a-z]{2})?"
    r"|/api/assets/regions"
    rf"|/api/racers(/{PSN}(,{PSN}){{0,15}})?"
    rf"|/api/series-\d+/drivers/{PSN}(,{PSN}){{0,15}}"
)
ALLOWED_QUERY = re.compile(r"(page=\d+)?")
UNEXPECTED = "went wrong on the bot's side"

TEXT = st.one_of(
    st.text(max_size=120),
    st.sampled_from(["", " ", "../x", "a/b", "x?y=1", "%2e%2e", "..", "#", "<@123>", "@everyone", "a" * 200]),
    st.lists(
        st.sampled_from(["skino2024", "../x", "<@1>", "a/b", "x?y=1", "SparksTheory", "ab"]), max_size=20
    ).map(" ".join),
)
HYPOTHESIS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_safe(harness: Harness, caplog: pytest.LogCaptureFixture, replies: list[str]) -> None:
    for text in replies:
        assert text.strip(), "the bot answered with nothing"
        assert UNEXPECTED not in text
    for request in harness.gt.requests:
        assert ALLOWED_PATHS.fullmatch(request.path), f"unexpected upstream path {request.raw_path!r}"
        assert ALLOWED_QUERY.fullmatch(request.query), f"unexpected upstream query {request.query!r}"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith(("bot", "cogs"))]
    assert errors == []


async def answer(harness: Harness, command: str, **options: Any) -> str:
    user = harness.member("fuzzer", manager=True)
    record = await harness.clock.run_until(harness.slash(command, user=user, **options))
    return record.reply.text() or ", ".join(a.filename for a in record.reply.attachments)


@HYPOTHESIS
@given(text=TEXT, locale=st.one_of(st.none(), TEXT))
async def test_car_queries(
    harness: Harness, caplog: pytest.LogCaptureFixture, text: str, locale: str | None
) -> None:
    options = {"car": text} | ({"locale": locale} if locale is not None else {})
    cars_options = {"manufacturer": text} | ({"car_class": locale} if locale is not None else {})
    replies = [await answer(harness, "car", **options), await answer(harness, "cars", **cars_options)]
    assert_safe(harness, caplog, replies)


@HYPOTHESIS
@given(text=TEXT)
async def test_psn_ids(harness: Harness, caplog: pytest.LogCaptureFixture, text: str) -> None:
    replies = [
        await answer(harness, "profile", psn_id=text),
        await answer(harness, "history", psn_id=text),
        await answer(harness, "link", psn_id=text),
    ]
    assert_safe(harness, caplog, replies)


@HYPOTHESIS
@given(text=TEXT, series=st.integers(min_value=-(2**53), max_value=2**53))
async def test_driver_lists_and_series_ids(
    harness: Harness, caplog: pytest.LogCaptureFixture, text: str, series: int
) -> None:
    replies = [
        await answer(harness, "compare", drivers=text),
        await answer(harness, "standings", series=series, drivers=text),
        await answer(harness, "standings", series=series),
    ]
    assert_safe(harness, caplog, replies)


@HYPOTHESIS
@given(name=TEXT, drivers=TEXT, weekday=TEXT, time=TEXT, timezone=TEXT)
async def test_league_options(
    harness: Harness,
    caplog: pytest.LogCaptureFixture,
    name: str,
    drivers: str,
    weekday: str,
    time: str,
    timezone: str,
) -> None:
    channel = FakeChannel(harness.guild)
    replies = [
        await answer(harness, "league setup", name=name or "x", series=1564, channel=channel),
        await answer(harness, "league add", drivers=drivers, league=name or "x"),
        await answer(
            harness, "league schedule", weekday=weekday, time=time, timezone=timezone, league=name or "x"
        ),
        await answer(harness, "league remove", drivers=drivers, league=name or "x"),
    ]
    assert_safe(harness, caplog, replies)

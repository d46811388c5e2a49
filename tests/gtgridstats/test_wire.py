"""Retry-After parsing: whatever the header holds, a finite wait in [0, the daily reset], never an error."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.gtgridstats import wire

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
CEILING = wire.max_retry_after(NOW)


def test_the_ceiling_is_the_daily_reset_but_never_less_than_one_window() -> None:
    assert CEILING == 43_200.0
    just_before_midnight = datetime(2026, 11, 28, 23, 59, 50, tzinfo=UTC)
    assert wire.max_retry_after(just_before_midnight) == wire.RATE_WINDOW_SECONDS


@given(st.text(max_size=200))
def test_any_text_gives_a_finite_bounded_wait(value: str) -> None:
    seconds = wire.parse_retry_after(value, NOW)
    assert math.isfinite(seconds)
    assert 0.0 <= seconds <= CEILING


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_any_number_is_clamped(value: float) -> None:
    seconds = wire.parse_retry_after(repr(value), NOW)
    assert 0.0 <= seconds <= CEILING
    if math.isnan(value):
        assert seconds == wire.DEFAULT_RETRY_AFTER_SECONDS
    else:
        assert seconds == min(max(0.0, value), CEILING)


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_delay_seconds_are_taken_as_given_inside_the_range(value: int) -> None:
    assert wire.parse_retry_after(f" {value} ", NOW) == min(max(0.0, float(value)), CEILING)


# Hypothesis takes naive bounds and attaches `timezones` to what it draws.
NAIVE_MIN, NAIVE_MAX = datetime(1900, 1, 1), datetime(9999, 12, 31)  # noqa: DTZ001


@given(st.datetimes(min_value=NAIVE_MIN, max_value=NAIVE_MAX, timezones=st.just(UTC)))
def test_an_http_date_is_the_time_until_it(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    seconds = wire.parse_retry_after(format_datetime(moment, usegmt=True), NOW)
    assert seconds == min(max(0.0, (moment - NOW).total_seconds()), CEILING)


def test_missing_and_unreadable_values_are_the_default() -> None:
    for value in (None, "", "soon", "nan", "12 s", "Mon, 99 Foo 2026"):
        assert wire.parse_retry_after(value, NOW) == wire.DEFAULT_RETRY_AFTER_SECONDS
    assert wire.parse_retry_after(format_datetime(NOW + timedelta(seconds=90), usegmt=True), NOW) == 90.0

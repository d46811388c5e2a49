"""Stored moments: one encoder and one parser, and text order is time order within a column."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.storage.database import from_db_time, to_db_time

START, END = (
    datetime.fromisoformat(text) for text in ("2000-01-01", "2200-01-01")
)  # naive, as hypothesis wants
AWARE = st.datetimes(min_value=START, max_value=END, timezones=st.sampled_from([UTC])).map(
    lambda moment: moment.astimezone(timezone(timedelta(hours=-7)))
)  # any zone is stored in UTC


def test_microseconds_round_trip() -> None:
    moment = datetime(2025, 3, 9, 20, 0, 0, 0, tzinfo=UTC)  # even a whole second keeps its fraction
    assert to_db_time(moment) == "2025-03-09T20:00:00.000000+00:00"
    later = datetime(2025, 3, 9, 22, 0, 0, 123_456, tzinfo=timezone(timedelta(hours=2)))
    assert to_db_time(later) == "2025-03-09T20:00:00.123456+00:00"
    assert from_db_time(to_db_time(later)) == later
    assert from_db_time(to_db_time(later)).utcoffset() == timedelta(0)


def test_seconds_round_trip_drops_the_fraction() -> None:
    moment = datetime(2025, 3, 9, 20, 0, 59, 999_999, tzinfo=UTC)
    assert to_db_time(moment, precision="seconds") == "2025-03-09T20:00:59+00:00"
    assert from_db_time(to_db_time(moment, precision="seconds")) == moment.replace(microsecond=0)


def test_a_naive_moment_is_refused_and_null_reads_as_none() -> None:
    naive = datetime.fromisoformat("2025-03-09T20:00")
    with pytest.raises(ValueError, match="time zone"):
        to_db_time(naive)
    with pytest.raises(ValueError, match="time zone"):
        to_db_time(naive, precision="seconds")
    assert from_db_time(None) is None


@given(first=AWARE, second=AWARE)
def test_text_order_is_time_order_in_either_precision(first: datetime, second: datetime) -> None:
    assert (to_db_time(first) < to_db_time(second)) == (first < second)
    assert len(to_db_time(first)) == len(to_db_time(second))  # fixed width
    whole = [moment.replace(microsecond=0) for moment in (first, second)]
    texts = [to_db_time(moment, precision="seconds") for moment in (first, second)]
    assert (texts[0] < texts[1]) == (whole[0] < whole[1])


def test_a_row_of_an_earlier_version_still_compares_by_time() -> None:
    """links.linked_at and the other raw `isoformat()` columns had no fraction on a whole second."""
    old = datetime(2025, 3, 9, 20, 0, tzinfo=UTC).isoformat()  # what earlier versions wrote
    assert old == "2025-03-09T20:00:00+00:00"
    same_second = to_db_time(datetime(2025, 3, 9, 20, 0, 0, 1, tzinfo=UTC))
    earlier = to_db_time(datetime(2025, 3, 9, 19, 59, 59, 999_999, tzinfo=UTC))
    assert earlier < old < same_second
    assert from_db_time(old) == datetime(2025, 3, 9, 20, 0, tzinfo=UTC)

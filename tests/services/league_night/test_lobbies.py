"""The lobby split: every driver in exactly one room, sizes within one, fewest rooms, fastest first."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.league_night.lobbies import (
    GT7_ROOM_SIZE,
    HostNotRacingError,
    LobbyDriver,
    RoomSizeError,
    split_rooms,
)

drivers_strategy = st.lists(
    st.builds(
        LobbyDriver,
        psn_id=st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{2,15}", fullmatch=True),
        dr_points=st.one_of(st.none(), st.integers(0, 80_000)),
        sr=st.sampled_from(["S", "A", "B", "C", "D", "E", None]),
    ),
    max_size=220,
    unique_by=lambda driver: driver.psn_id.casefold(),
)


@settings(max_examples=200, deadline=None)
@given(drivers_strategy, st.integers(2, GT7_ROOM_SIZE))
def test_split_properties(drivers: list[LobbyDriver], size: int) -> None:
    rooms = split_rooms(drivers, size)
    placed = [driver.psn_id for room in rooms for driver in room.drivers]
    assert sorted(placed) == sorted(driver.psn_id for driver in drivers)  # each exactly once
    assert len(rooms) == math.ceil(len(drivers) / size)  # as few rooms as possible
    sizes = [len(room.drivers) for room in rooms]
    assert all(count <= size for count in sizes)
    if sizes:
        assert max(sizes) - min(sizes) <= 1
    # Ranked by DR: nobody in a room is faster than anybody in an earlier room (no profile counts as slowest).
    speed = [[-1 if d.dr_points is None else d.dr_points for d in room.drivers] for room in rooms]
    for earlier, later in itertools.pairwise(speed):
        assert min(earlier) >= max(later)
    for room in rooms:
        assert room.host in room.drivers
        assert [r.number for r in rooms] == list(range(1, len(rooms) + 1))


def test_host_is_best_sr_then_dr_unless_chosen() -> None:
    drivers = [
        LobbyDriver("Fast", dr_points=60_000, sr="A"),
        LobbyDriver("Clean", dr_points=20_000, sr="S"),
        LobbyDriver("Cleaner", dr_points=30_000, sr="S"),
    ]
    (room,) = split_rooms(drivers)
    assert room.host.psn_id == "Cleaner"
    assert not room.host_chosen
    (room,) = split_rooms(drivers, host="fast")
    assert room.host.psn_id == "Fast"
    assert room.host_chosen


def test_two_hundred_drivers_make_thirteen_even_rooms() -> None:
    drivers = [LobbyDriver(f"Driver{index:03}", dr_points=index * 100) for index in range(200)]
    rooms = split_rooms(drivers)
    assert [len(room.drivers) for room in rooms] == [16] * 5 + [15] * 8
    assert rooms[0].drivers[0].psn_id == "Driver199"


def test_bad_size_and_unknown_host_are_refused() -> None:
    with pytest.raises(RoomSizeError):
        split_rooms([LobbyDriver("A1a")], size=17)
    with pytest.raises(HostNotRacingError):
        split_rooms([LobbyDriver("A1a")], host="Nobody")

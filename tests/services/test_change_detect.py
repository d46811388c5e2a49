"""DR and SR class changes between two refreshes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.services.change_detect import (
    ClassChange,
    Direction,
    Rating,
    RatingSnapshot,
    detect_changes,
)
from bot.services.ratings import DR_CLASSES, SR_CLASSES, dr_band


def test_dr_and_sr_class_moves_up_and_down() -> None:
    previous = {
        "Riser": RatingSnapshot("B", "A", 29_500),
        "Faller": RatingSnapshot("A+", "S", 50_100),
        "Steady": RatingSnapshot("C", "B", 5_000),
    }
    current = {
        "Riser": RatingSnapshot("A", "S", 30_200),
        "Faller": RatingSnapshot("A", "A", 49_900),
        "Steady": RatingSnapshot("C", "B", 5_400),
        "Newcomer": RatingSnapshot("E", "E", 10),
    }
    assert detect_changes(previous, current) == [
        ClassChange("Riser", Rating.DR, "B", "A", Direction.UP, 29_500, 30_200),
        ClassChange("Riser", Rating.SR, "A", "S", Direction.UP, 29_500, 30_200),
        ClassChange("Faller", Rating.DR, "A+", "A", Direction.DOWN, 50_100, 49_900),
        ClassChange("Faller", Rating.SR, "S", "A", Direction.DOWN, 50_100, 49_900),
    ]


def test_missing_dr_class_falls_back_to_the_points_band_and_unknown_classes_are_no_change() -> None:
    previous = {"A": RatingSnapshot(None, None, 3_999), "B": RatingSnapshot("Z", "?", None)}
    current = {"A": RatingSnapshot(None, "S", 4_000), "B": RatingSnapshot("a+", "s", None)}
    assert detect_changes(previous, current) == [
        ClassChange("A", Rating.DR, "D", "C", Direction.UP, 3_999, 4_000)
    ]


def test_points_bands() -> None:
    cases = {0: "E", 1_999: "E", 2_000: "D", 3_999: "D", 4_000: "C", 9_999: "C", 10_000: "B", 29_999: "B"}
    cases |= {30_000: "A", 49_999: "A", 50_000: "A+", 99_999: "A+"}
    assert {points: dr_band(points) for points in cases} == cases


@given(
    before=st.tuples(st.sampled_from(DR_CLASSES), st.sampled_from(SR_CLASSES)),
    after=st.tuples(st.sampled_from(DR_CLASSES), st.sampled_from(SR_CLASSES)),
)
def test_a_change_is_reported_exactly_when_a_class_moves_in_its_order(
    before: tuple[str, str], after: tuple[str, str]
) -> None:
    changes = detect_changes({"X": RatingSnapshot(*before)}, {"X": RatingSnapshot(*after)})
    expected = []
    for rating, order, old, new in (
        (Rating.DR, DR_CLASSES, before[0], after[0]),
        (Rating.SR, SR_CLASSES, before[1], after[1]),
    ):
        if old != new:
            up = order.index(new) > order.index(old)
            expected.append((rating, old, new, Direction.UP if up else Direction.DOWN))
    assert [(c.rating, c.before, c.after, c.direction) for c in changes] == expected


def test_100000_drivers_diffed_at_once() -> None:
    """Scale only (the time is measured by bench/planner.py, not asserted here)."""
    previous = {f"P{n:06d}": RatingSnapshot(DR_CLASSES[n % 6], SR_CLASSES[n % 6], n) for n in range(100_000)}
    current = {
        psn: RatingSnapshot(DR_CLASSES[(n + 1) % 6], snap.sr, snap.dr_points) if n % 20 == 0 else snap
        for n, (psn, snap) in enumerate(previous.items())
    }
    changes = detect_changes(previous, current)
    assert len(changes) == 5_000
    assert all(change.rating is Rating.DR for change in changes)


def test_class_orders_come_from_ratings_and_rank_each_rating_apart() -> None:
    from bot.services.ratings import class_rank

    assert DR_CLASSES == ("E", "D", "C", "B", "A", "A+")
    assert SR_CLASSES == ("E", "D", "C", "B", "A", "S")
    assert [class_rank("DR", name) for name in ("e", "A+ ", "S")] == [0, 5, None]
    assert [class_rank("SR", name) for name in ("S", "A+")] == [5, None]

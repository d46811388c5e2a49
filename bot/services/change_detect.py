"""Rating changes between two refreshes: DR class and SR class up or down, per driver (pure, no I/O).

The class orders are kept here in minimal form for now; they are to be unified with `bot/services/ratings.py`
(the single home of the DR bands) at merge time. DR classes, lowest first: E, D, C, B, A, A+ (by DR points:
E < 2,000 <= D < 4,000 <= C < 10,000 <= B < 30,000 <= A < 50,000 <= A+). SR classes: E, D, C, B, A, S.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Mapping
from dataclasses import dataclass

DR_CLASSES: tuple[str, ...] = ("E", "D", "C", "B", "A", "A+")
SR_CLASSES: tuple[str, ...] = ("E", "D", "C", "B", "A", "S")
# Lower bounds (DR points) of D, C, B, A and A+; below the first is E.
DR_POINT_BOUNDS: tuple[int, ...] = (2_000, 4_000, 10_000, 30_000, 50_000)

_DR_RANK = {name: rank for rank, name in enumerate(DR_CLASSES)}
_SR_RANK = {name: rank for rank, name in enumerate(SR_CLASSES)}


class Rating(enum.StrEnum):
    DR = "DR"
    SR = "SR"


class Direction(enum.StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class RatingSnapshot:
    """One refresh of a driver: the classes as GT Grid Stats writes them ("A+", "S") and the DR points."""

    dr: str | None
    sr: str | None
    dr_points: int | None = None


@dataclass(frozen=True, slots=True)
class ClassChange:
    psn_id: str
    rating: Rating
    before: str
    after: str
    direction: Direction
    points_before: int | None
    points_after: int | None


def dr_class_for_points(points: int) -> str:
    return DR_CLASSES[bisect.bisect_right(DR_POINT_BOUNDS, points)]


def _dr_rank(snapshot: RatingSnapshot) -> int | None:
    """The DR class's rank: the class GT Grid Stats gave, else the band of the DR points, else unknown."""
    if snapshot.dr is not None:
        rank = _DR_RANK.get(snapshot.dr.strip().upper())
        if rank is not None:
            return rank
    if snapshot.dr_points is not None and snapshot.dr_points >= 0:
        return bisect.bisect_right(DR_POINT_BOUNDS, snapshot.dr_points)
    return None


def _sr_rank(snapshot: RatingSnapshot) -> int | None:
    return None if snapshot.sr is None else _SR_RANK.get(snapshot.sr.strip().upper())


def detect_changes(
    previous: Mapping[str, RatingSnapshot], current: Mapping[str, RatingSnapshot]
) -> list[ClassChange]:
    """Every DR or SR class change of a driver in both snapshots (keyed by PSN ID), DR first per driver.

    A driver seen for the first time, or no longer seen, has no change; an unknown or missing class on
    either side is no change either (nothing to compare against).
    """
    changes: list[ClassChange] = []
    for psn_id, after in current.items():
        before = previous.get(psn_id)
        if before is None or before == after:
            continue
        old, new = _dr_rank(before), _dr_rank(after)
        if old is not None and new is not None and old != new:
            changes.append(
                ClassChange(
                    psn_id,
                    Rating.DR,
                    DR_CLASSES[old],
                    DR_CLASSES[new],
                    Direction.UP if new > old else Direction.DOWN,
                    before.dr_points,
                    after.dr_points,
                )
            )
        old, new = _sr_rank(before), _sr_rank(after)
        if old is not None and new is not None and old != new:
            changes.append(
                ClassChange(
                    psn_id,
                    Rating.SR,
                    SR_CLASSES[old],
                    SR_CLASSES[new],
                    Direction.UP if new > old else Direction.DOWN,
                    before.dr_points,
                    after.dr_points,
                )
            )
    return changes

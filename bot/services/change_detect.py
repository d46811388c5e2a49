"""Rating changes between two refreshes: DR class and SR class up or down, per driver (pure, no I/O).

The class orders and the DR bands come from `bot/services/ratings.py`, their one home.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from bot.services.ratings import DR_CLASSES, SR_CLASSES, class_rank, dr_band


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


def _dr_rank(snapshot: RatingSnapshot) -> int | None:
    """The DR class's rank: the class GT Grid Stats gave, else the band of the DR points, else unknown."""
    if snapshot.dr is not None:
        rank = class_rank("DR", snapshot.dr)
        if rank is not None:
            return rank
    if snapshot.dr_points is not None and snapshot.dr_points >= 0:
        return DR_CLASSES.index(dr_band(snapshot.dr_points))
    return None


def _sr_rank(snapshot: RatingSnapshot) -> int | None:
    return None if snapshot.sr is None else class_rank("SR", snapshot.sr)


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

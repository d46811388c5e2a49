"""Who can still win: the champion once it is mathematically decided, and who can no longer win.

The model (the footnote under the standings says it in words):
- the season has `total_rounds` rounds; a driver's final total is the sum of their best `total_rounds -
  drops` round scores (a round not raced scores 0), plus their penalties and bonuses so far;
- `drops` is how many rounds are dropped at the end: `total_rounds - counted_rounds` when the league set
  `counted_rounds`; else, when the standings show no dropped round, 0; else, with no round left, the
  drops seen (the standings are final); else it is unknown, and the marks hold only when they hold for
  every drop count the data allows (from the most dropped rounds seen so far to `total_rounds - 1`,
  `drops_known` False): the safe reading;
- a round gives at most `max_points` (the league's setting, else the most any driver scored in a round).

Best case of a driver: every round left at `max_points`. Worst case: every round left at 0. Both counted
with the drops. A driver is champion when their worst case beats every other driver's best case; a driver
cannot win when someone's worst case beats their best case. A tie is never decided (it is not a loss).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum


class ClinchMark(StrEnum):
    CHAMPION = "champion"
    OUT = "out"  # can no longer win
    OPEN = "open"


@dataclass(frozen=True)
class Contender:
    key: str  # the driver's (or team's) identity, e.g. a lower-case PSN ID
    scores: tuple[int, ...]  # the points of each round raced so far (every score, dropped ones included)
    adjustment: int = 0  # penalties and bonuses


@dataclass(frozen=True)
class Season:
    total_rounds: int
    played_rounds: int
    drops: int
    max_points: int
    max_points_from_data: bool  # the league did not set it: the most seen in a round
    drops_known: bool = True  # False: `drops` is only the fewest the data allows (the safe reading)

    @property
    def rounds_left(self) -> int:
        return self.total_rounds - self.played_rounds

    @property
    def counted_rounds(self) -> int:
        return max(self.total_rounds - self.drops, 0)

    def possible(self) -> list[Season]:
        """The seasons the marks must hold for: this one, or one for each drop count the data allows."""
        if self.drops_known:
            return [self]
        last = max(self.total_rounds - 1, self.drops)
        return [replace(self, drops=drops, drops_known=True) for drops in range(self.drops, last + 1)]


@dataclass(frozen=True)
class ClinchResult:
    season: Season
    marks: dict[str, ClinchMark]
    best: dict[str, int]
    worst: dict[str, int]

    @property
    def champion(self) -> str | None:
        return next((key for key, mark in self.marks.items() if mark is ClinchMark.CHAMPION), None)


class SeasonTooShortError(Exception):
    """The league says the season has fewer rounds than have been raced."""

    def __init__(self, total_rounds: int, played_rounds: int) -> None:
        super().__init__(f"{total_rounds} rounds set, {played_rounds} raced")
        self.total_rounds = total_rounds
        self.played_rounds = played_rounds


def best_of(scores: Sequence[int], count: int) -> int:
    return sum(sorted(scores, reverse=True)[:count])


def final_total(scores: Sequence[int], season: Season, adjustment: int = 0) -> int:
    """A completed season's total: the best counted rounds, missing rounds as 0, plus the adjustment."""
    padded = list(scores) + [0] * max(season.total_rounds - len(scores), 0)
    return best_of(padded, season.counted_rounds) + adjustment


def season_for(
    total_rounds: int,
    played_rounds: int,
    drops: int,
    max_points: int | None,
    contenders: Sequence[Contender],
    *,
    drops_known: bool = True,
) -> Season:
    """`drops_known` False: `drops` is the most dropped rounds seen so far, the fewest the season drops."""
    if total_rounds < played_rounds:
        raise SeasonTooShortError(total_rounds, played_rounds)
    from_data = max_points is None
    if max_points is None:
        max_points = max((score for c in contenders for score in c.scores), default=0)
    drops = max(drops, 0)
    # No drops seen, or no round left (the standings are final, their drops too): nothing to guess.
    known = drops_known or drops == 0 or total_rounds == played_rounds
    return Season(total_rounds, played_rounds, drops, max(max_points, 0), from_data, known)


def decide(contenders: Sequence[Contender], season: Season) -> ClinchResult:
    """The marks that hold for every season `season` may be (see Season.possible)."""
    results = [decide_one(contenders, each) for each in season.possible()]
    if len(results) == 1:
        return results[0]
    marks: dict[str, ClinchMark] = {}
    for contender in contenders:
        seen = {result.marks[contender.key] for result in results}
        marks[contender.key] = seen.pop() if len(seen) == 1 else ClinchMark.OPEN
    best = {key: max(result.best[key] for result in results) for key in marks}
    worst = {key: min(result.worst[key] for result in results) for key in marks}
    return ClinchResult(season, marks, best, worst)


def decide_one(contenders: Sequence[Contender], season: Season) -> ClinchResult:
    best: dict[str, int] = {}
    worst: dict[str, int] = {}
    for contender in contenders:
        raced = list(contender.scores)[: season.played_rounds]
        missed = max(season.played_rounds - len(raced), 0)
        done = raced + [0] * missed
        best[contender.key] = (
            best_of(done + [season.max_points] * season.rounds_left, season.counted_rounds)
            + contender.adjustment
        )
        worst[contender.key] = best_of(done, season.counted_rounds) + contender.adjustment
    marks: dict[str, ClinchMark] = {}
    top_best, top_worst = heapq.nlargest(2, best.values()), heapq.nlargest(2, worst.values())
    for key in best:
        others_best = _max_of_others(top_best, best[key])
        others_worst = _max_of_others(top_worst, worst[key])
        if others_best is not None and worst[key] > others_best:
            marks[key] = ClinchMark.CHAMPION
        elif others_worst is not None and others_worst > best[key]:
            marks[key] = ClinchMark.OUT
        else:
            marks[key] = ClinchMark.OPEN
    return ClinchResult(season, marks, best, worst)


def _max_of_others(top: Sequence[int], own: int) -> int | None:
    """The highest of the other values, from the two highest of all (`top`) and this one's (`own`)."""
    if len(top) < 2:
        return None
    return top[1] if own == top[0] else top[0]

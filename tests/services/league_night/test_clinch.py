"""Who can still win: checked against every completion of small seasons (brute force)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.league_night.clinch import (
    ClinchMark,
    Contender,
    Season,
    SeasonTooShortError,
    decide,
    final_total,
    season_for,
)


@st.composite
def small_seasons(draw: st.DrawFn) -> tuple[list[Contender], Season]:
    total = draw(st.integers(1, 4))
    played = draw(st.integers(0, total))
    drops = draw(st.integers(0, max(total - 1, 0)))
    max_points = draw(st.integers(1, 4))
    count = draw(st.integers(2, 4))
    contenders = []
    for index in range(count):
        raced = draw(st.integers(0, played))  # a driver may have missed rounds
        scores = tuple(draw(st.lists(st.integers(0, max_points), min_size=raced, max_size=raced)))
        adjustment = draw(st.integers(-3, 2))
        contenders.append(Contender(f"d{index}", scores, adjustment))
    return contenders, Season(total, played, drops, max_points, max_points_from_data=False)


@st.composite
def seasons_with_drops_unknown(draw: st.DrawFn) -> tuple[list[Contender], Season]:
    """The drops seen so far only: the season may drop that many rounds or more (up to all but one)."""
    contenders, season = draw(small_seasons())
    seen = draw(st.integers(1, 3))
    return contenders, season_for(
        season.total_rounds, season.played_rounds, seen, season.max_points, contenders, drops_known=False
    )


def every_completion(contenders: list[Contender], season: Season) -> list[dict[str, int]]:
    """Every way the rounds left (and, drops unknown, the counted rounds) can end, as final totals."""
    return [t for each in season.possible() for t in completions_of(contenders, each)]


def completions_of(contenders: list[Contender], season: Season) -> list[dict[str, int]]:
    """Every way the rounds left can end, as each driver's final total.

    Each driver's rounds left are independent of the others', so the joint outcomes are the product of
    each driver's possible totals (a set: many score lines give the same total)."""
    per_driver = []
    for contender in contenders:
        done = list(contender.scores) + [0] * (season.played_rounds - len(contender.scores))
        options = itertools.product(range(season.max_points + 1), repeat=season.rounds_left)
        per_driver.append(
            sorted({final_total(done + list(rest), season, contender.adjustment) for rest in options})
        )
    keys = [contender.key for contender in contenders]
    return [dict(zip(keys, totals, strict=True)) for totals in itertools.product(*per_driver)]


@settings(max_examples=150, deadline=None)
@given(st.one_of(small_seasons(), seasons_with_drops_unknown()))
def test_a_clinched_champion_cannot_be_caught_and_a_driver_out_cannot_win(
    case: tuple[list[Contender], Season],
) -> None:
    contenders, season = case
    result = decide(contenders, season)
    completions = every_completion(contenders, season)
    for key, mark in result.marks.items():
        if mark is ClinchMark.CHAMPION:
            assert all(all(t[key] > v for k, v in t.items() if k != key) for t in completions)
        elif mark is ClinchMark.OUT:
            assert all(any(v > t[key] for k, v in t.items() if k != key) for t in completions)
        else:
            # Open is honest too: some completion lets them win or share the title, and some does not.
            assert any(all(t[key] >= v for v in t.values()) for t in completions)
            assert any(any(v >= t[key] for k, v in t.items() if k != key) for t in completions)


def test_the_champion_is_marked_once_the_chasers_cannot_catch_up() -> None:
    contenders = [Contender("a", (25, 25, 25)), Contender("b", (18, 10, 10)), Contender("c", (1, 1, 1))]
    open_season = season_for(5, 3, 0, 25, contenders)
    assert decide(contenders, open_season).champion is None
    decided = season_for(4, 3, 0, 25, contenders)
    result = decide(contenders, decided)
    assert result.champion == "a"
    assert result.marks["c"] is ClinchMark.OUT
    assert result.marks["b"] is ClinchMark.OUT


def test_dropped_rounds_count_in_the_chasers_best_case() -> None:
    # Best 3 of 4 count: b's 0 is the round b drops in b's best case (25 + 25 + 25 = 75), so b is not out.
    contenders = [Contender("a", (25, 25, 10)), Contender("b", (0, 25, 25))]
    with_drop = season_for(4, 3, 1, 25, contenders)
    result = decide(contenders, with_drop)
    assert result.best["b"] == 75
    assert result.worst["a"] == 60
    assert result.champion is None
    assert result.marks["b"] is ClinchMark.OPEN


def test_max_points_from_the_data_when_the_league_sets_none() -> None:
    contenders = [Contender("a", (12, 9)), Contender("b", (3,))]
    season = season_for(3, 2, 0, None, contenders)
    assert season.max_points == 12
    assert season.max_points_from_data


def test_a_season_shorter_than_the_rounds_raced_is_refused() -> None:
    with pytest.raises(SeasonTooShortError) as caught:
        season_for(2, 3, 0, 10, [Contender("a", (1, 2, 3))])
    assert (caught.value.total_rounds, caught.value.played_rounds) == (2, 3)


def test_best_2_of_4_with_one_round_dropped_so_far_is_not_a_champion_yet() -> None:
    # The audit's case: best 2 of 4 count, 3 raced, the series drops 1 round so far. Counting the best 3
    # (4 rounds minus the 1 drop seen) made a champion of a (worst 30 against b's best 29); in truth a can
    # finish on 20 and b on 24.
    contenders = [Contender("a", (10, 10, 10)), Contender("b", (12, 5, 0))]
    counted_2 = decide(contenders, season_for(4, 3, 2, 12, contenders))
    assert (counted_2.worst["a"], counted_2.best["b"]) == (20, 24)
    assert counted_2.champion is None
    unknown = decide(contenders, season_for(4, 3, 1, 12, contenders, drops_known=False))
    assert not unknown.season.drops_known
    assert [s.counted_rounds for s in unknown.season.possible()] == [3, 2, 1]
    assert unknown.champion is None
    assert unknown.marks == {"a": ClinchMark.OPEN, "b": ClinchMark.OPEN}
    # Best 3 of 4 said by the league: then a is champion.
    assert decide(contenders, season_for(4, 3, 1, 12, contenders)).champion == "a"


def test_with_no_round_left_the_drops_seen_are_final() -> None:
    contenders = [Contender("a", (10, 10, 1)), Contender("b", (9, 9, 0))]
    season = season_for(3, 3, 1, 10, contenders, drops_known=False)
    assert season.drops_known
    assert decide(contenders, season).champion == "a"

"""The in-memory search behind car and manufacturer autocomplete."""

from __future__ import annotations

import pytest

from bot.services.catalog.search import SearchEntry, SearchIndex, normalize
from tests.standins.gtgridstats_data import default_dataset

DATASET = default_dataset()


@pytest.fixture(scope="module")
def index() -> SearchIndex[int]:
    return SearchIndex(
        SearchEntry(car.id, car.name, (), (str(car.id), str(car.car_code), car.gt7_code))
        for car in DATASET.cars
    )


def names(index: SearchIndex[int], query: str, limit: int = 25) -> list[str]:
    by_id = {car.id: car.name for car in DATASET.cars}
    return [by_id[hit.key] for hit in index.search(query, limit)]


def test_normalize_ignores_case_and_accents() -> None:
    assert normalize("CITROËN Škoda Mégane") == "citroen skoda megane"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ferari 430 scudria", "Ferrari 430 Scuderia '07"),  # two typos
        ("FERRARI 458 ITALIA GT3", "Ferrari 458 Italia GT3 '13"),
        ("458 italia gt", "Ferrari 458 Italia GT3 '13"),  # the last word still being typed
        ("laferari", "Ferrari LaFerrari '13"),
    ],
)
def test_typos_case_and_half_typed_words_find_the_car(
    index: SearchIndex[int], query: str, expected: str
) -> None:
    assert names(index, query)[0] == expected


def test_joined_short_words_match_hyphenated_names(index: SearchIndex[int]) -> None:
    by_id = {car.id: car.name for car in DATASET.cars}
    rx7s = {car.id for car in DATASET.cars if car.name.startswith("Mazda RX-7")}
    complete = [hit.key for hit in index.search("mazda rx7") if hit.complete]
    assert rx7s
    assert set(complete) == rx7s, [by_id[key] for key in complete]


def test_codes_match_exactly_first_and_by_prefix(index: SearchIndex[int]) -> None:
    exact = index.search("car1544")[0]
    assert exact.key == 613
    assert exact.exact
    assert index.search("613")[0].key == 613  # an id
    assert index.search("1544")[0].key == 613  # a car code
    prefixed = index.search("car161")
    assert prefixed[0].key == 620
    assert not prefixed[0].exact


def test_an_id_wins_over_a_car_code_with_the_same_digits() -> None:
    entries = [
        SearchEntry(1, "By code", (), ("1", "620", "car620")),
        SearchEntry(620, "By id", (), ("620", "9", "car9")),
    ]
    assert SearchIndex(entries).search("620")[0].key == 620


def test_an_empty_query_lists_entries_by_name_and_limits_apply(index: SearchIndex[int]) -> None:
    listed = names(index, "   ", limit=25)
    assert len(listed) == 25
    assert listed == sorted(listed, key=normalize)
    assert len(index.search("gt", limit=5)) == 5


def test_a_query_with_a_word_no_name_has_is_incomplete(index: SearchIndex[int]) -> None:
    hits = index.search("zzqx ferrari scuderia")
    assert hits
    assert not hits[0].complete
    assert index.search("qwxz") == []


def test_aliases_are_searched_too() -> None:
    index = SearchIndex([SearchEntry(78, "Ferrari", ("法拉利", "フェラーリ"), ("78",))])
    assert [hit.key for hit in index.search("法拉利")] == [78]
    assert [hit.key for hit in index.search("フェラーリ")] == [78]


def test_overlong_queries_are_cut_not_refused(index: SearchIndex[int]) -> None:
    assert isinstance(index.search("ferrari " * 50), list)


def test_an_empty_index_finds_nothing() -> None:
    empty: SearchIndex[int] = SearchIndex([])
    assert empty.search("ferrari") == []
    assert empty.search("car1544") == []
    assert empty.search("") == []

"""Car autocomplete latency over a real-size and a 50,000-car catalog.

Run: `.venv/bin/python -m bench.autocomplete`. Each query goes through `CatalogSnapshot.car_choices`, the
exact code the /car autocomplete runs (search, ranking, labels cut to 100 characters), on a catalog built
from the GT Grid Stats stand-in's dataset. The workload is what people type: every keystroke of a car name
(lower case, one typo in one word of a third of them), GT7 codes being typed, and whole names with a typo.
"Found" columns say how often the car meant by a whole-name-with-a-typo query is the first suggestion, and
among the 25 shown.
"""

from __future__ import annotations

import asyncio
import os
import platform
import random
import statistics
import time
from dataclasses import dataclass

from bot.services.catalog.search import CatalogSnapshot
from bot.storage.catalog import CatalogCar, CatalogManufacturer
from tests.standins.gtgridstats_data import Dataset, default_dataset

TARGET_P99_MS = 5.0
TARGET_CARS = 50_000
SAMPLED_CARS = 150
SEED = 20261128
ROUNDS = 3


@dataclass(frozen=True)
class Result:
    label: str
    cars: int
    build_seconds: float
    queries: int
    p50_ms: float
    p99_ms: float
    p99_uncached_ms: float
    max_ms: float
    found_first: float
    found_listed: float


def snapshot_of(dataset: Dataset) -> CatalogSnapshot:
    makers = {maker.id: maker for maker in dataset.manufacturers}
    cars = [
        CatalogCar(
            id=car.id,
            car_code=car.car_code,
            gt7_code=car.gt7_code,
            name=car.name,
            car_class=car.car_class,
            image=car.image,
            manufacturer_id=car.manufacturer_id,
            manufacturer_name=makers[car.manufacturer_id].name,
        )
        for car in dataset.cars
    ]
    manufacturers = [CatalogManufacturer(maker.id, maker.name, maker.logo) for maker in dataset.manufacturers]
    return CatalogSnapshot.build(cars, manufacturers, {}, {})


def with_typo(text: str, rng: random.Random) -> str:
    """One slip in one word of four letters or more: a swap, a missing or a doubled letter."""
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word = words[index]
    at = rng.randrange(1, len(word) - 1)
    slip = rng.choice(("swap", "drop", "double"))
    if slip == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif slip == "drop":
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + word[at] + word[at:]
    words[index] = word
    return " ".join(words)


def workload(dataset: Dataset, rng: random.Random) -> tuple[list[str], list[tuple[str, str]]]:
    """(keystroke queries, [(whole name with a typo, the GT7 code meant)])."""
    sampled = rng.sample(dataset.cars, min(SAMPLED_CARS, len(dataset.cars)))
    keystrokes: list[str] = []
    meant: list[tuple[str, str]] = []
    for number, car in enumerate(sampled):
        name = car.name.lower()
        typed = with_typo(name, rng) if number % 3 == 0 else name
        keystrokes += [typed[:end] for end in range(1, len(typed) + 1)]
        keystrokes += [car.gt7_code[:end] for end in range(4, len(car.gt7_code) + 1)]
        meant.append((with_typo(car.name, rng), car.gt7_code))
    return keystrokes, meant


def best_round(
    snapshot: CatalogSnapshot, queries: list[str], *, uncached: bool
) -> tuple[list[float], list[float]]:
    """(percentiles, timings in ms) of the least disturbed of ROUNDS rounds over `queries`.

    On a shared machine other processes steal the CPU now and then; the best round shows the code's cost.
    `uncached` forgets the word matches of earlier queries before each one (the index keeps the last few
    hundred words, which a user typing a name hits on every keystroke after the first of each word).
    """
    rounds = []
    for _ in range(ROUNDS):
        timings: list[float] = []
        for query in queries:
            if uncached:
                snapshot.car_index.clear_cache()
            began = time.perf_counter_ns()
            snapshot.car_choices(query)
            timings.append((time.perf_counter_ns() - began) / 1e6)
        rounds.append((statistics.quantiles(timings, n=100, method="inclusive"), timings))
    return min(rounds, key=lambda round_: round_[0][98])


def measure(label: str, dataset: Dataset) -> Result:
    started = time.perf_counter()
    snapshot = snapshot_of(dataset)
    build_seconds = time.perf_counter() - started
    keystrokes, meant = workload(dataset, random.Random(SEED))
    for query in keystrokes[:50]:  # warm caches and rapidfuzz's first-call set-up
        snapshot.car_choices(query)
    queries = keystrokes + [query for query, _ in meant]
    percentiles, timings = best_round(snapshot, queries, uncached=False)
    uncached, _ = best_round(snapshot, queries, uncached=True)
    first = listed = 0
    for query, gt7_code in meant:
        values = [choice.value for choice in snapshot.car_choices(query)]
        first += bool(values) and values[0] == gt7_code
        listed += gt7_code in values
    return Result(
        label=label,
        cars=len(dataset.cars),
        build_seconds=build_seconds,
        queries=len(timings),
        p50_ms=percentiles[49],
        p99_ms=percentiles[98],
        p99_uncached_ms=uncached[98],
        max_ms=max(timings),
        found_first=first / len(meant),
        found_listed=listed / len(meant),
    )


def table(results: list[Result]) -> str:
    header = (
        "| catalog | cars | index build | queries | p50 | p99 | p99 uncached | max "
        "| typo → 1st | typo → top 25 |"
    )
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    rows = [
        f"| {r.label} | {r.cars:,} | {r.build_seconds:.2f} s | {r.queries:,} | {r.p50_ms:.2f} ms "
        f"| {r.p99_ms:.2f} ms | {r.p99_uncached_ms:.2f} ms | {r.max_ms:.2f} ms | {r.found_first:.0%} "
        f"| {r.found_listed:.0%} |"
        for r in results
    ]
    return "\n".join([header, rule, *rows])


async def main() -> None:
    results = [
        measure("real size (stand-in default)", default_dataset(drivers=20)),
        measure("synthetic", default_dataset(cars=TARGET_CARS, drivers=20)),
    ]
    print(
        f"Autocomplete latency — Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"best of {ROUNDS} rounds"
    )
    print(table(results))
    big = results[-1]
    worst = max(big.p99_ms, big.p99_uncached_ms)
    verdict = "met" if worst < TARGET_P99_MS else "MISSED"
    print(
        f"\nTarget p99 < {TARGET_P99_MS:.0f} ms at {TARGET_CARS:,} cars, even uncached: "
        f"{verdict} ({worst:.2f} ms)"
    )


if __name__ == "__main__":
    asyncio.run(main())

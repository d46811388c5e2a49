"""The catalog's search: a typo-tolerant index over names and codes, the snapshot of the catalog it searches,
and the autocomplete choices and best matches built on it, fast enough for every autocomplete keystroke.

A full fuzzy scan of 50,000 names costs tens of milliseconds, so matching happens on words instead:

* Names are normalized (case-folded, accents stripped) and split into words; a word shorter than four
  characters is also joined with its neighbour, so "RX-7", "GT-R" and "Gr.3" are found as "rx7", "gtr", "gr3".
* Every distinct word has a bitmask of the entries that contain it (bit i = entry i, entries in name order).
* Each query word is matched against the vocabulary (a few hundred to a few thousand words): exactly, as a
  prefix (the word being typed), or fuzzily with rapidfuzz (typos). That gives, per query word, a few match
  levels, each a bitmask; levels are exclusive, so every entry sits in exactly one level per query word.
* Entries are then taken best-first over combinations of levels (the sum of level scores), so only as many
  bitmask ANDs are made as needed to find the best `limit` entries. Ties are broken with rapidfuzz's WRatio
  over the whole name, then by name.

Codes (ids, car codes, GT7 codes) are matched separately, exactly or by prefix, and rank first.

`CatalogSnapshot` is everything lookups read, rebuilt (by `memory.CatalogMemory`) whenever the stored catalog
changes; `CatalogSearch` answers autocomplete and finds the car or manufacturer a user's text means.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Generic, TypeVar

from rapidfuzz import fuzz, process

from bot.gtgridstats.identifiers import CAR_IDENTIFIER_PATTERN
from bot.storage.catalog import CatalogCar, CatalogManufacturer

if TYPE_CHECKING:
    from bot.services.catalog.memory import CatalogMemory

K = TypeVar("K", bound=Hashable)

_WORD = re.compile(r"[^\W_]+")

MAX_QUERY_WORDS = 8
MAX_QUERY_LENGTH = 100
# A short word is also indexed joined to its neighbour ("gt" + "r" -> "gtr").
JOIN_SHORTER_THAN = 4
# Caps that keep a vague query (one letter) as cheap as a precise one.
MAX_PREFIX_WORDS = 200
MAX_FUZZY_WORDS = 40
MAX_COMBINATIONS = 128
LEVELS_CACHE_SIZE = 256
# Entries gathered beyond the limit, so that WRatio can order entries whose word scores tie.
SPARE_FOR_TIES = 10

EXACT, PREFIX, CLOSE, FUZZY, MISSING = 100.0, 90.0, 75.0, 60.0, 0.0
CODE_EXACT, CODE_PREFIX = 100.0, 95.0


def normalize(text: str) -> str:
    """Case- and accent-insensitive form: "Citroën" and "CITROEN" both become "citroen"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


def _indexed_words(text: str) -> set[str]:
    parts = words(text)
    joined = {
        left + right
        for left, right in pairwise(parts)
        if len(left) < JOIN_SHORTER_THAN or len(right) < JOIN_SHORTER_THAN
    }
    return set(parts) | joined


def _bitmask(positions: Iterable[int], size: int) -> int:
    buffer = bytearray((size + 7) // 8)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


def _positions(mask: int, count: int) -> Iterator[int]:
    """The lowest `count` set bits of `mask`, lowest first."""
    while mask and count > 0:
        lowest = mask & -mask
        yield lowest.bit_length() - 1
        mask ^= lowest
        count -= 1


@dataclass(frozen=True)
class SearchEntry(Generic[K]):
    key: K
    name: str
    aliases: tuple[str, ...] = ()
    # Exact identifiers in priority order (for a car: id, car code, GT7 code).
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit(Generic[K]):
    score: float
    key: K = field(compare=False)
    complete: bool = field(default=True, compare=False)  # every word of the query matched something
    exact: bool = field(default=False, compare=False)  # the query is one of the entry's codes


@dataclass(frozen=True)
class _Level:
    score: float
    mask: int


class SearchIndex(Generic[K]):
    """Immutable; build a new one when the entries change (cheap for a real catalog)."""

    def __init__(self, entries: Iterable[SearchEntry[K]]) -> None:
        ordered = sorted(entries, key=lambda entry: (normalize(entry.name), str(entry.key)))
        self._entries: list[SearchEntry[K]] = ordered
        self._names = [normalize(entry.name) for entry in ordered]
        size = len(ordered)
        self._all = (1 << size) - 1

        postings: dict[str, list[int]] = {}
        plain_words: set[str] = set()
        codes: dict[str, list[tuple[int, int]]] = {}  # code -> [(priority, position)]
        for position, entry in enumerate(ordered):
            found: set[str] = set()
            for text in (entry.name, *entry.aliases):
                found |= _indexed_words(text)
                plain_words.update(words(text))
            for word in found:
                postings.setdefault(word, []).append(position)
            for priority, code in enumerate(entry.codes):
                codes.setdefault(code.casefold(), []).append((priority, position))

        self._masks = {word: _bitmask(positions, size) for word, positions in postings.items()}
        self._vocabulary = sorted(postings)
        # Typos are looked for among real words only: joined words and numbers match exactly or by prefix.
        self._fuzzy_vocabulary = sorted(word for word in plain_words if len(word) >= 3 and not word.isdigit())
        self._codes = {code: sorted(hits) for code, hits in codes.items()}
        self._code_list = sorted(codes)
        # One- and two-letter prefixes match hundreds of words: their masks are ORed once, here.
        self._short_prefixes: dict[str, int] = {}
        for word, mask in self._masks.items():
            for prefix in {word[:1], word[:2]}:
                self._short_prefixes[prefix] = self._short_prefixes.get(prefix, 0) | mask
        # Each keystroke sends the whole query again, so the same words come back again and again.
        self._levels = lru_cache(maxsize=LEVELS_CACHE_SIZE)(self._compute_levels)

    def clear_cache(self) -> None:
        """Forget the matches of recent words (for benchmarks that measure the uncached path)."""
        self._levels.cache_clear()

    def __len__(self) -> int:
        return len(self._entries)

    # --- searching ---------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 25) -> list[Hit[K]]:
        """The best `limit` entries for `query`, best first; an empty query lists entries by name."""
        if not self._entries:
            return []
        text = query.strip()[:MAX_QUERY_LENGTH]
        query_words = list(dict.fromkeys(words(text)))[:MAX_QUERY_WORDS]
        if not query_words:
            return [Hit(0.0, entry.key, complete=False) for entry in self._entries[:limit]]
        hits = self._code_hits(text.casefold(), limit) if len(query_words) == 1 else []
        seen = {hit.key for hit in hits}
        for hit in self._word_hits(normalize(text), query_words, limit):
            if len(hits) >= limit:
                break
            if hit.key not in seen:
                hits.append(hit)
                seen.add(hit.key)
        return hits

    def _code_hits(self, code: str, limit: int) -> list[Hit[K]]:
        exact = self._codes.get(code, [])
        hits = [Hit(CODE_EXACT, self._entries[position].key, exact=True) for _, position in exact]
        if len(code) < 2:
            return hits[:limit]
        start = bisect_left(self._code_list, code)
        prefixed: list[tuple[int, str, int]] = []
        for candidate in self._code_list[start : start + limit * 4]:
            if not candidate.startswith(code):
                break
            if candidate != code:
                prefixed.extend(
                    (len(candidate), candidate, position) for _, position in self._codes[candidate]
                )
        prefixed.sort()
        hits += [Hit(CODE_PREFIX, self._entries[position].key) for _, _, position in prefixed]
        return hits[:limit]

    def _compute_levels(self, word: str) -> tuple[_Level, ...]:
        exact = self._masks.get(word, 0)
        prefix = 0
        if len(word) <= 2:
            prefix = self._short_prefixes.get(word, 0)
        else:
            start = bisect_left(self._vocabulary, word)
            for candidate in self._vocabulary[start : start + MAX_PREFIX_WORDS]:
                if not candidate.startswith(word):
                    break
                prefix |= self._masks[candidate]
        close = loose = 0
        if len(word) >= 3 and not word.isdigit():
            cutoff = 80 if len(word) <= 4 else 75
            for candidate, score, _ in process.extract(
                word,
                self._fuzzy_vocabulary,
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=cutoff,
                limit=MAX_FUZZY_WORDS,
            ):
                if candidate.startswith(word):
                    continue  # already an exact or prefix match
                if score >= 88:
                    close |= self._masks[candidate]
                else:
                    loose |= self._masks[candidate]
        levels: list[_Level] = []
        taken = 0
        for score, mask in ((EXACT, exact), (PREFIX, prefix), (CLOSE, close), (FUZZY, loose)):
            mask &= ~taken
            if mask:
                levels.append(_Level(score, mask))
                taken |= mask
        if self._all & ~taken:
            levels.append(_Level(MISSING, self._all & ~taken))
        return tuple(levels)

    def _word_hits(self, text: str, query_words: Sequence[str], limit: int) -> list[Hit[K]]:
        # The most selective word first, so the ANDs of a combination reach zero (and stop) early.
        levels = sorted(
            (self._levels(word) for word in query_words),
            key=lambda word_levels: sum(
                level.mask.bit_count() for level in word_levels if level.score != MISSING
            ),
        )
        count = len(levels)
        max_missing = count // 2  # one word in two may be a typo too far, or a word the name lacks

        # Best-first over combinations of levels, each generated once: a combination's children raise the
        # level of one word at or after the word its parent raised (the classic k-best enumeration), so the
        # heap yields combinations by falling total. Entries: (-total, words missing, last raised, levels).
        start = (0,) * count
        start_total = sum(word_levels[0].score for word_levels in levels)
        start_missing = sum(1 for word_levels in levels if word_levels[0].score == MISSING)
        frontier = [(-start_total, start_missing, 0, start)]
        found: list[tuple[float, int, bool]] = []  # (score, position, complete)
        popped = 0
        wanted = limit + SPARE_FOR_TIES
        while frontier and popped < MAX_COMBINATIONS and len(found) < wanted:
            negative, missing, last, combination = heapq.heappop(frontier)
            popped += 1
            if -negative <= MISSING:
                break
            # Levels are exclusive, so each entry belongs to exactly one combination: no duplicates.
            mask = levels[0][combination[0]].mask
            empty_from = count
            for i in range(1, count):
                mask &= levels[i][combination[i]].mask
                if not mask:
                    empty_from = i
                    break
            for position in _positions(mask, wanted - len(found)):
                found.append((-negative / count, position, missing == 0))
            # Raising a word after the one that emptied the AND keeps it empty, for every descendant too.
            for i in range(last, min(count, empty_from + 1)):
                choice = combination[i]
                if choice + 1 >= len(levels[i]):
                    continue
                now, then = levels[i][choice], levels[i][choice + 1]
                more_missing = missing + (then.score == MISSING)
                if more_missing > max_missing:
                    continue  # levels only fall from here: more words would be missing, never fewer
                successor = (*combination[:i], choice + 1, *combination[i + 1 :])
                heapq.heappush(frontier, (negative + now.score - then.score, more_missing, i, successor))
        ranked = sorted(
            found,
            key=lambda item: (-item[0], -fuzz.WRatio(text, self._names[item[1]], processor=None), item[1]),
        )
        return [
            Hit(score, self._entries[position].key, complete=complete) for score, position, complete in ranked
        ]


# --- the catalog's snapshot and what autocomplete shows ---------------------------------------------------

RACE_CLASSES: tuple[str, ...] = ("Gr.1", "Gr.2", "Gr.3", "Gr.4", "Gr.B", "Gr.N", "Gr.X")
# Only ASCII digits make an id: `\d` would also take "١٥٤٤" (Arabic-Indic) or "１５４４" (full-width).
_ASCII_NUMBER = re.compile(r"[0-9]{1,10}")


def class_key(car_class: str) -> str:
    """Gr.3, gr3 and GR 3 are the same class."""
    return re.sub(r"[.\s]", "", car_class).lower()


def is_identifier(text: str) -> bool:
    """An id, car code or GT7 code (`car1544`), in ASCII digits."""
    return CAR_IDENTIFIER_PATTERN.fullmatch(text.strip()) is not None


def is_number(text: str) -> bool:
    """A numeric id in ASCII digits (what `str.isdecimal()` would also accept in any script is not one)."""
    return _ASCII_NUMBER.fullmatch(text.strip()) is not None


@dataclass(frozen=True)
class Choice:
    """One autocomplete suggestion as data; bot/ui/catalog.choice_label words it within Discord's limit."""

    name: str  # what it is called, cut by the ui to fit when needed
    value: str
    detail: str = ""  # codes shown after the name, never cut
    cars: int | None = None  # how many cars it stands for, when the label shows a count


@dataclass(frozen=True)
class CatalogSnapshot:
    """Everything lookups read, built off the event loop whenever the stored catalog changes."""

    cars: dict[int, CatalogCar]
    manufacturers: dict[int, CatalogManufacturer]
    by_manufacturer: dict[int, list[CatalogCar]]
    classes: list[str]
    car_index: SearchIndex[int]
    manufacturer_index: SearchIndex[int]

    @classmethod
    def build(
        cls,
        cars: Sequence[CatalogCar],
        manufacturers: Sequence[CatalogManufacturer],
        car_aliases: dict[int, set[str]],
        manufacturer_aliases: dict[int, set[str]],
    ) -> CatalogSnapshot:
        by_manufacturer: dict[int, list[CatalogCar]] = {}
        for car in sorted(cars, key=lambda car: normalize(car.name)):
            by_manufacturer.setdefault(car.manufacturer_id, []).append(car)
        known = {class_key(name): name for name in RACE_CLASSES}
        road = sorted(
            {car.car_class for car in cars if class_key(car.car_class) not in known},
            key=lambda name: (len(name), name),
        )
        car_index = SearchIndex(
            SearchEntry(
                car.id,
                car.name,
                tuple(sorted(car_aliases.get(car.id, ()))),
                (str(car.id), str(car.car_code), car.gt7_code),
            )
            for car in cars
        )
        makers = {maker.id: maker for maker in manufacturers}
        for car in cars:  # cars fetched before the manufacturer list still name their maker
            makers.setdefault(
                car.manufacturer_id, CatalogManufacturer(car.manufacturer_id, car.manufacturer_name, None)
            )
        manufacturer_index = SearchIndex(
            SearchEntry(
                maker.id, maker.name, tuple(sorted(manufacturer_aliases.get(maker.id, ()))), (str(maker.id),)
            )
            for maker in makers.values()
        )
        return cls(
            cars={car.id: car for car in cars},
            manufacturers=makers,
            by_manufacturer=by_manufacturer,
            classes=[*RACE_CLASSES, *road],
            car_index=car_index,
            manufacturer_index=manufacturer_index,
        )

    def canonical_class(self, text: str) -> str | None:
        wanted = class_key(text)
        return next((name for name in self.classes if class_key(name) == wanted), None)

    def car_choices(self, query: str, limit: int = 25) -> list[Choice]:
        """Autocomplete for a car: labels within Discord's 100 characters, the GT7 code as the value."""
        return [
            Choice(car.name, car.gt7_code, detail=f" · {car.car_class} · {car.gt7_code}")
            for car in (self.cars[hit.key] for hit in self.car_index.search(query, limit))
        ]


class CatalogSearch:
    """Autocomplete choices and best matches over the shared in-memory catalog's current snapshot."""

    def __init__(self, memory: CatalogMemory) -> None:
        self._memory = memory

    def find_car(self, query: str) -> tuple[CatalogCar | None, bool, list[Hit[int]]]:
        """(car, guessed, hits): an exact code match, else the closest car if every word matched."""
        snapshot = self._memory.snapshot
        hits = snapshot.car_index.search(query)  # the same ranking autocomplete shows
        if hits and (hits[0].exact or hits[0].complete):
            return snapshot.cars[hits[0].key], not hits[0].exact, hits
        return None, False, hits

    def find_manufacturer(self, query: str) -> tuple[CatalogManufacturer | None, bool, list[Hit[int]]]:
        snapshot = self._memory.snapshot
        hits = snapshot.manufacturer_index.search(query)
        if hits and (hits[0].exact or hits[0].complete):
            return snapshot.manufacturers[hits[0].key], not hits[0].exact, hits
        return None, False, hits

    def car_choices(self, query: str, limit: int = 25) -> list[Choice]:
        return self._memory.snapshot.car_choices(query, limit)

    def manufacturer_choices(self, query: str, limit: int = 25) -> list[Choice]:
        snapshot = self._memory.snapshot
        choices = []
        for hit in snapshot.manufacturer_index.search(query, limit):
            maker = snapshot.manufacturers[hit.key]
            count = len(snapshot.by_manufacturer.get(maker.id, []))
            choices.append(Choice(maker.name, str(maker.id), cars=count or None))
        return choices

    def class_choices(self, query: str, manufacturer_text: str | None, limit: int = 25) -> list[Choice]:
        """Classes, with the chosen manufacturer's car count when one is chosen (only classes it has)."""
        snapshot = self._memory.snapshot
        maker = self.find_manufacturer(manufacturer_text)[0] if manufacturer_text else None
        wanted = class_key(query)
        counts: dict[str, int] = {}
        if maker is not None:
            for car in snapshot.by_manufacturer.get(maker.id, []):
                counts[class_key(car.car_class)] = counts.get(class_key(car.car_class), 0) + 1
        choices = []
        for name in snapshot.classes:
            if wanted not in class_key(name):
                continue
            if maker is not None and snapshot.by_manufacturer.get(maker.id):
                count = counts.get(class_key(name), 0)
                if count:
                    choices.append(Choice(name, name, cars=count))
            else:
                choices.append(Choice(name, name))
        return choices[:limit]

    def region_choices(self, query: str, limit: int = 25) -> list[Choice]:
        wanted = normalize(query.strip())
        return [
            Choice(f"{region.code} — {region.name}", region.code)
            for region in self._memory.regions
            if region.is_active and (wanted in region.code or wanted in normalize(region.name))
        ][:limit]

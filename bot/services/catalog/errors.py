"""The catalog's refusals: each carries the values its message needs; `bot/ui/catalog_errors.py` words it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.errors import UserError


@dataclass(frozen=True)
class Suggestion:
    """A close match to offer: its name and the code (GT7 code or manufacturer id) that picks it."""

    name: str
    code: str


class Looking(StrEnum):
    CAR = "car"
    MANUFACTURER = "manufacturer"


class CatalogError(UserError):
    """Any refusal of /car, /cars, /manufacturers or their `locale` option."""


class EmptyQuery(CatalogError):
    def __init__(self, looking: Looking) -> None:
        super().__init__(looking)
        self.looking = looking


class QueryTooLong(CatalogError):
    def __init__(self, length: int, limit: int) -> None:
        super().__init__(length, limit)
        self.length = length
        self.limit = limit


class NoMatch(CatalogError):
    """No car or manufacturer matches `query`; `loading`: the catalog is still filling (names can't be
    searched yet); `suggestions`: the closest entries, best first."""

    def __init__(
        self, looking: Looking, query: str, suggestions: Sequence[Suggestion] = (), *, loading: bool = False
    ) -> None:
        super().__init__(looking, query)
        self.looking = looking
        self.query = query
        self.suggestions = tuple(suggestions)
        self.loading = loading


class NoSuchCar(CatalogError):
    """GT Grid Stats has no car with this id, car code or GT7 code."""

    def __init__(self, identifier: str) -> None:
        super().__init__(identifier)
        self.identifier = identifier


class NoSuchManufacturer(CatalogError):
    def __init__(self, manufacturer_id: int) -> None:
        super().__init__(manufacturer_id)
        self.manufacturer_id = manufacturer_id


class NotACarClass(CatalogError):
    def __init__(self, text: str, classes: Sequence[str]) -> None:
        super().__init__(text)
        self.text = text
        self.classes = tuple(classes)


class NoCarsInClass(CatalogError):
    """A manufacturer has no cars (of `car_class`, when given); `classes`: its classes and their counts."""

    def __init__(
        self, manufacturer: str, car_class: str | None, classes: Sequence[tuple[str, int]] = ()
    ) -> None:
        super().__init__(manufacturer, car_class)
        self.manufacturer = manufacturer
        self.car_class = car_class
        self.classes = tuple(classes)


class NotARegion(CatalogError):
    """`text` is not an active region; `valid`: the active region codes."""

    def __init__(self, text: str, valid: Sequence[str]) -> None:
        super().__init__(text)
        self.text = text
        self.valid = tuple(valid)

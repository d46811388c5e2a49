"""Checks applied before any call, so a value that can never be valid costs no request."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from bot.gtgridstats.errors import IdentifierKind, InvalidIdentifierError
from bot.gtgridstats.wire import MAX_IDENTIFIERS_PER_CALL

T = TypeVar("T")

PSN_ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{2,15}")
# An id, car code or GT7 code (`car1544`); the catalog search uses it too. [0-9], not \d: \d also matches
# other scripts' digits ("١٥٤٤"), which int() would quietly accept.
CAR_IDENTIFIER_PATTERN = re.compile(r"(?:[0-9]{1,10}|car[0-9]{1,10})", re.IGNORECASE)
_LOCALE = re.compile(r"[a-z]{2}")
_CAR_CLASS = re.compile(r"[a-z0-9]{1,12}")


def validate_psn_id(value: str) -> str:
    candidate = value.strip()
    if not PSN_ID_PATTERN.fullmatch(candidate):
        raise InvalidIdentifierError(IdentifierKind.PSN_ID, candidate)
    return candidate


def is_valid_psn_id(value: str) -> bool:
    return PSN_ID_PATTERN.fullmatch(value.strip()) is not None


def validate_psn_ids(values: Sequence[str]) -> list[str]:
    if not values:
        raise InvalidIdentifierError(IdentifierKind.NO_PSN_IDS)
    if len(values) > MAX_IDENTIFIERS_PER_CALL:
        raise InvalidIdentifierError(IdentifierKind.TOO_MANY_PSN_IDS, str(len(values)))
    return [validate_psn_id(value) for value in values]


def validate_car_identifier(value: str) -> str:
    candidate = value.strip()
    if not CAR_IDENTIFIER_PATTERN.fullmatch(candidate):
        raise InvalidIdentifierError(IdentifierKind.CAR, candidate)
    return candidate.lower()


def validate_locale(value: str) -> str:
    candidate = value.strip().lower()
    if not _LOCALE.fullmatch(candidate):
        raise InvalidIdentifierError(IdentifierKind.LOCALE, value)
    return candidate


def validate_car_class(value: str) -> str:
    candidate = value.strip().replace(".", "").lower()
    if not _CAR_CLASS.fullmatch(candidate):
        raise InvalidIdentifierError(IdentifierKind.CAR_CLASS, value)
    return candidate


def validate_positive_id(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidIdentifierError(IdentifierKind.POSITIVE_ID, what)
    return value


def chunked(items: Iterable[T], size: int = MAX_IDENTIFIERS_PER_CALL) -> Iterator[list[T]]:
    """Split a list into calls of at most `size` (16 for racers and series)."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

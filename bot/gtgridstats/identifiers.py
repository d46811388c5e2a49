"""Checks applied before any call, so a value that can never be valid costs no request."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from bot.gtgridstats.errors import InvalidIdentifierError
from bot.gtgridstats.wire import MAX_IDENTIFIERS_PER_CALL
from bot.ui.format import code

T = TypeVar("T")

PSN_ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{2,15}")
# [0-9], not \d: \d also matches other scripts' digits ("١٥٤٤"), which int() would quietly accept.
_CAR_IDENTIFIER = re.compile(r"(?:[0-9]{1,10}|car[0-9]{1,10})", re.IGNORECASE)
_LOCALE = re.compile(r"[a-z]{2}")
_CAR_CLASS = re.compile(r"[a-z0-9]{1,12}")

PSN_RULES = "3–16 letters, digits, '-' or '_', starting with a letter"


def shorten(value: str, limit: int = 40) -> str:
    """A user's value, cut for display in an error message."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def validate_psn_id(value: str) -> str:
    candidate = value.strip()
    if not PSN_ID_PATTERN.fullmatch(candidate):
        raise InvalidIdentifierError(f"{code(candidate, 40)} is not a valid PSN ID ({PSN_RULES}).")
    return candidate


def is_valid_psn_id(value: str) -> bool:
    return PSN_ID_PATTERN.fullmatch(value.strip()) is not None


def validate_psn_ids(values: Sequence[str]) -> list[str]:
    if not values:
        raise InvalidIdentifierError("No PSN IDs were given.")
    if len(values) > MAX_IDENTIFIERS_PER_CALL:
        raise InvalidIdentifierError(
            f"At most {MAX_IDENTIFIERS_PER_CALL} PSN IDs fit in one request; {len(values)} were given."
        )
    return [validate_psn_id(value) for value in values]


def validate_car_identifier(value: str) -> str:
    candidate = value.strip()
    if not _CAR_IDENTIFIER.fullmatch(candidate):
        raise InvalidIdentifierError(
            f"{code(candidate, 40)} is not a car id, car code or GT7 code such as `car1544`."
        )
    return candidate.lower()


def validate_locale(value: str) -> str:
    candidate = value.strip().lower()
    if not _LOCALE.fullmatch(candidate):
        raise InvalidIdentifierError(f"{code(value, 40)} is not a two-letter region code.")
    return candidate


def validate_car_class(value: str) -> str:
    candidate = value.strip().replace(".", "").lower()
    if not _CAR_CLASS.fullmatch(candidate):
        raise InvalidIdentifierError(f"{code(value, 40)} is not a car class such as Gr.3.")
    return candidate


def validate_positive_id(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidIdentifierError(f"The {what} must be a positive whole number.")
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

"""One exception family for everything that can go wrong talking to GT Grid Stats.

Each error carries the HTTP status (when there was one) and the data a message needs (`retry_after`,
`resets_at`, the refused value); `bot/ui/errors.py` words them. The exception text (`detail`) is for logs
only and never contains the API key or a URL with a key.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class GTGridStatsError(Exception):
    def __init__(self, detail: str = "", *, status: int | None = None) -> None:
        super().__init__(detail or type(self).__name__)
        self.status = status


class IdentifierKind(StrEnum):
    PSN_ID = "psn_id"
    NO_PSN_IDS = "no_psn_ids"
    TOO_MANY_PSN_IDS = "too_many_psn_ids"  # value: how many were given
    CAR = "car"
    LOCALE = "locale"
    CAR_CLASS = "car_class"
    POSITIVE_ID = "positive_id"  # value: which id ("series id", "manufacturer id", "page number")


class InvalidIdentifierError(GTGridStatsError):
    """Refused before any call: the value could never be a valid identifier (`value` as typed)."""

    def __init__(self, kind: IdentifierKind, value: str = "") -> None:
        super().__init__(f"invalid {kind.value}")
        self.kind = kind
        self.value = value


class UnauthorizedError(GTGridStatsError):
    """The API key was refused (401/403)."""


class NotFoundError(GTGridStatsError):
    """GT Grid Stats has no record of that (404)."""


class InvalidRequestError(GTGridStatsError):
    """GT Grid Stats refused the request as invalid (400/422), with its field errors."""

    def __init__(
        self, detail: str = "", *, status: int | None = 422, errors: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(detail, status=status)
        self.errors = errors or {}


class RateLimitedError(GTGridStatsError):
    def __init__(self, retry_after: float, detail: str = "", *, status: int | None = 429) -> None:
        super().__init__(detail, status=status)
        self.retry_after = retry_after


class QuotaExhaustedError(GTGridStatsError):
    def __init__(self, resets_at: datetime | None, detail: str = "", *, status: int | None = 429) -> None:
        super().__init__(detail, status=status)
        self.resets_at = resets_at


class UpstreamUnavailableError(GTGridStatsError):
    """GT Grid Stats is down, timed out or dropped the connection."""


class BadResponseError(GTGridStatsError):
    """An answer the bot could not read."""


class ResponseTooLargeError(BadResponseError):
    """An answer over the body cap."""

"""One exception family for everything that can go wrong talking to GT Grid Stats.

Each error carries the HTTP status (when there was one) and `user_message`, text that is safe to show in
Discord: it never contains the API key, a URL with a key, or a traceback.
"""

from __future__ import annotations

import math
from datetime import datetime


class GTGridStatsError(Exception):
    user_message = "GT Grid Stats could not answer that right now. Please try again in a little while."

    def __init__(self, detail: str = "", *, status: int | None = None) -> None:
        super().__init__(detail or self.user_message)
        self.status = status


class InvalidIdentifierError(GTGridStatsError):
    """Refused before any call: the value could never be a valid identifier."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.user_message = detail


class UnauthorizedError(GTGridStatsError):
    user_message = (
        "The bot's GT Grid Stats API key was refused. A server admin needs to check the bot's configuration."
    )


class NotFoundError(GTGridStatsError):
    user_message = "GT Grid Stats has no record of that."


class InvalidRequestError(GTGridStatsError):
    user_message = "GT Grid Stats refused that request as invalid."

    def __init__(
        self, detail: str = "", *, status: int | None = 422, errors: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(detail, status=status)
        self.errors = errors or {}


class RateLimitedError(GTGridStatsError):
    def __init__(self, retry_after: float, detail: str = "", *, status: int | None = 429) -> None:
        super().__init__(detail, status=status)
        self.retry_after = retry_after
        self.user_message = (
            f"The bot is sending GT Grid Stats requests as fast as it is allowed. "
            f"Please try again in about {_wait_text(retry_after)}."
        )


def _wait_text(seconds: float) -> str:
    """A wait as people read it (42 s, 5 min, 3 h); never an exception, whatever the server asked for."""
    if not math.isfinite(seconds) or seconds >= 5_400:
        hours = 24 if not math.isfinite(seconds) else min(24, round(seconds / 3_600))
        return f"{hours} h"
    if seconds >= 90:
        return f"{round(seconds / 60)} min"
    return f"{max(1, round(seconds))} s"


class QuotaExhaustedError(GTGridStatsError):
    def __init__(self, resets_at: datetime | None, detail: str = "", *, status: int | None = 429) -> None:
        super().__init__(detail, status=status)
        self.resets_at = resets_at
        when = f" It resets <t:{int(resets_at.timestamp())}:R>." if resets_at else ""
        self.user_message = f"The bot has used today's GT Grid Stats quota.{when}"


class UpstreamUnavailableError(GTGridStatsError):
    user_message = "GT Grid Stats is not answering right now. Please try again in a few minutes."


class BadResponseError(GTGridStatsError):
    user_message = "GT Grid Stats sent an answer the bot could not read. Please try again later."


class ResponseTooLargeError(BadResponseError):
    user_message = (
        "GT Grid Stats sent an answer that was too large for the bot to read. Please try again later."
    )

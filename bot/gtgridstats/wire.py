"""Wire details of the GT Grid Stats API that could not be confirmed against the live server.

Everything here is a best reading of the public reference and of what was observed from outside. Each
constant says how sure we are, so when the server proves one wrong, this module is the one place to change.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

# Confirmed: the API answers JSON only when asked; without this header it redirects to /login.
ACCEPT = "application/json"

# Confirmed: the quota headers' names. Unconfirmed: whether they appear on every metered response.
QUOTA_LIMIT_HEADER = "X-Quota-Limit"
QUOTA_REMAINING_HEADER = "X-Quota-Remaining"

# Unconfirmed: the message text that tells "daily quota exhausted" apart from a per-minute 429.
QUOTA_EXCEEDED_MARKER = "quota"


# Unconfirmed: when the daily quota resets. We assume midnight UTC, as Laravel's daily limiters do.
def next_quota_reset(now: datetime) -> datetime:
    tomorrow = (now.astimezone(UTC) + timedelta(days=1)).date()
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=UTC)


# Unconfirmed: the server's exact rate-limit window. We count over a slightly longer window than 60 s
# so that clock skew between us and the server can never make us the cause of a 429.
RATE_WINDOW_SECONDS = 61.0

# Used when a 429 carries no Retry-After header, or one that is neither seconds nor an HTTP date.
DEFAULT_RETRY_AFTER_SECONDS = 30.0


def max_retry_after(now: datetime) -> float:
    """The longest wait a Retry-After may impose: until the daily reset, but never less than one window."""
    return max(RATE_WINDOW_SECONDS, (next_quota_reset(now) - now).total_seconds())


def parse_retry_after(value: str | None, now: datetime) -> float:
    """Seconds to wait for a Retry-After header (delay-seconds or an HTTP date, RFC 9110 10.2.3).

    Never raises: garbage (inf, nan, 1e12, negative, text) becomes a finite wait between 0 and
    `max_retry_after(now)`; an unreadable value is the default.
    """
    if value is None:
        return DEFAULT_RETRY_AFTER_SECONDS
    text = value.strip()[:64]
    seconds: float | None = None
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            moment = None
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            seconds = (moment - now).total_seconds()
    if seconds is None or math.isnan(seconds):
        return DEFAULT_RETRY_AFTER_SECONDS
    return min(max(0.0, seconds), max_retry_after(now))


# Confirmed from the reference: at most 16 identifiers per racer or series call.
MAX_IDENTIFIERS_PER_CALL = 16

# Confirmed from the reference: each un-indexed driver in a POST sync adds about 3 s.
SYNC_SECONDS_PER_NEW_DRIVER = 3.0

# Timeouts (seconds). A sync of 16 new drivers takes ~48 s on the server, so its timeout grows with the batch.
# The timeout bounds the whole request (connect, headers and body together), not each read: a server
# that trickles its body one byte at a time is cut off at the deadline.
DEFAULT_TIMEOUT_SECONDS = 15.0
CONNECT_TIMEOUT_SECONDS = 5.0

# A response body larger than this (after decompression) is not read further: no answer of the API
# comes near it (a page of 50 cars is about 20 KB), so a bigger one is broken or hostile.
MAX_RESPONSE_BYTES = 5 * 1024 * 1024


def sync_timeout(identifier_count: int) -> float:
    return DEFAULT_TIMEOUT_SECONDS + identifier_count * (SYNC_SECONDS_PER_NEW_DRIVER + 1.0)


# Confirmed: regions is the only endpoint free of the daily quota, with its own per-minute limit.
FREE_PATH_PREFIXES = ("/api/assets/regions",)

# Confirmed: racer and series lists are comma-separated inside one path segment.
LIST_SEPARATOR = ","

# Unconfirmed: the format of `last_sync` ("2026-05-20 13:59:01"), assumed to be UTC.
LAST_SYNC_FORMAT = "%Y-%m-%d %H:%M:%S"

# Unconfirmed: whether the server accepts dots in class segments everywhere. It documents that dots are
# parsed out, so we always send the dot-free form ("gr3"), which also keeps '.' out of every path segment.
_CLASS_DOTS = re.compile(r"[.\s]")


def class_segment(car_class: str) -> str:
    return _CLASS_DOTS.sub("", car_class).lower()

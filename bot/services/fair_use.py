"""Fair use of the upstream budget: a per-member rate, a per-member daily cap, a per-server fair share.

A command that is about to spend GT Grid Stats calls first takes a `Ticket` for the most calls it could
make (`FairUse.reserve`); the service spends from it as it calls, and `settle()` gives back what was not
used, so a cache hit, a joined in-flight answer or a remembered unknown costs nothing.

Three limits, in this order:
- member per minute: a token bucket per member (Discord user id, across servers) holding
  `per_minute` calls and refilling at `per_minute` a minute;
- member per day: at most `per_day` calls a member per quota day;
- server fair share: while the day's quota is scarce (fewer than `scarce_percent` % of the limit left),
  the calls that were left when it became scarce (the pool) are split evenly between the servers that
  used the bot today plus one share kept for a server that has not yet: each may spend
  pool // (servers + 1) of them, at least 1.

Background work (scheduled posts, the catalog) takes no ticket: it is planned by the budget itself.
Memory is bounded: buckets are kept for at most `max_members` members (least recently used evicted) and
every per-day count is dropped when the quota day rolls over. Nothing here imports discord.
"""

from __future__ import annotations

import enum
import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.gtgridstats import wire
from bot.gtgridstats.budget import QuotaSnapshot

MAX_MEMBERS = 10_000
MAX_GUILDS = 100_000


@dataclass(frozen=True)
class Requester:
    """Who asked: the server (None in a DM) and the member (Discord user id)."""

    guild_id: int | None
    member_id: int


class LimitKind(enum.StrEnum):
    MEMBER_MINUTE = "member_minute"
    MEMBER_DAY = "member_day"
    SERVER_SHARE = "server_share"


class UpstreamRateLimited(Exception):
    """A command would spend more upstream calls than its member or server may now; `retry_at` is when
    it may (bot/ui/errors.py words it)."""

    def __init__(self, kind: LimitKind, retry_at: datetime) -> None:
        super().__init__(f"{kind.value} limit until {retry_at.isoformat()}")
        self.kind = kind
        self.retry_at = retry_at


@dataclass
class _Bucket:
    tokens: float
    refilled_at: float  # clock.monotonic()
    used_today: int = 0


@dataclass
class _Guild:
    used_today: int = 0
    used_while_scarce: int = 0


class Ticket:
    """Calls reserved for one command; `spend` as they are made, `settle` once (refunds the rest)."""

    def __init__(self, owner: FairUse, requester: Requester, reserved: int) -> None:
        self._owner = owner
        self.requester = requester
        self.reserved = reserved
        self.spent = 0
        self.settled = False

    def spend(self, calls: int = 1) -> None:
        self.spent += calls
        if self.spent > self.reserved:  # more than planned (a long list): charged as debt
            self._owner._charge(self.requester, self.spent - self.reserved)
            self.reserved = self.spent

    def settle(self) -> None:
        if self.settled:
            return
        self.settled = True
        unused = self.reserved - self.spent
        if unused > 0:
            self._owner._refund(self.requester, unused)


class FairUse:
    def __init__(
        self,
        clock: Clock,
        *,
        per_minute: int,
        per_day: int,
        scarce_percent: int,
        max_members: int = MAX_MEMBERS,
    ) -> None:
        self.clock = clock
        self.per_minute = per_minute
        self.per_day = per_day
        self.scarce_percent = scarce_percent
        self.max_members = max_members
        self._members: OrderedDict[int, _Bucket] = OrderedDict()
        self._guilds: dict[int, _Guild] = {}
        self._day: datetime | None = None  # when the current quota day ends
        self._pool: int | None = None  # calls left when the quota became scarce today
        self.refused = 0

    def __len__(self) -> int:
        return len(self._members)

    # --- the day ----------------------------------------------------------------------------------

    def _roll_day(self, quota: QuotaSnapshot) -> None:
        now = self.clock.now()
        ends = quota.resets_at if quota.resets_at is not None and quota.resets_at > now else None
        ends = ends or wire.next_quota_reset(now)
        if self._day is None or now >= self._day:
            for bucket in self._members.values():
                bucket.used_today = 0
            self._guilds.clear()
            self._pool = None
        self._day = ends

    def _scarce_share(self, quota: QuotaSnapshot, guild_id: int) -> int | None:
        """The server's share while the quota is scarce (None: it is not scarce, or not known)."""
        if quota.limit is None or quota.remaining is None or self.scarce_percent <= 0:
            return None
        if quota.remaining <= 0:
            return None  # used up: the budget refuses with the quota's own message and its reset time
        if self._pool is None:
            if quota.remaining * 100 >= quota.limit * self.scarce_percent:
                return None
            self._pool = quota.remaining
        servers = len(self._guilds) + (0 if guild_id in self._guilds else 1)
        return max(1, self._pool // (servers + 1))

    # --- member bucket ----------------------------------------------------------------------------

    def _bucket(self, member_id: int) -> _Bucket:
        now = self.clock.monotonic()
        bucket = self._members.get(member_id)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.per_minute), refilled_at=now)
            self._members[member_id] = bucket
            while len(self._members) > self.max_members:
                self._members.popitem(last=False)
        else:
            self._members.move_to_end(member_id)
            rate = self.per_minute / 60.0
            bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.refilled_at) * rate)
            bucket.refilled_at = now
        return bucket

    # --- reserving --------------------------------------------------------------------------------

    def reserve(self, requester: Requester, calls: int, quota: QuotaSnapshot) -> Ticket:
        """A ticket for up to `calls` upstream calls, or UpstreamRateLimited saying until when."""
        self._roll_day(quota)
        calls = max(1, min(calls, self.per_minute))
        now = self.clock.now()
        bucket = self._bucket(requester.member_id)
        assert self._day is not None
        if bucket.used_today + calls > self.per_day:
            self.refused += 1
            raise UpstreamRateLimited(LimitKind.MEMBER_DAY, self._day)
        if bucket.tokens < calls:
            self.refused += 1
            seconds = math.ceil((calls - bucket.tokens) * 60.0 / self.per_minute)
            raise UpstreamRateLimited(LimitKind.MEMBER_MINUTE, now + timedelta(seconds=seconds))
        if requester.guild_id is not None:
            share = self._scarce_share(quota, requester.guild_id)
            guild = self._guilds.get(requester.guild_id)
            if share is not None and (guild.used_while_scarce if guild else 0) + calls > share:
                self.refused += 1
                raise UpstreamRateLimited(LimitKind.SERVER_SHARE, quota.resets_at or self._day)
        self._charge(requester, calls)
        return Ticket(self, requester, calls)

    def _guild(self, guild_id: int) -> _Guild | None:
        guild = self._guilds.get(guild_id)
        if guild is None and len(self._guilds) < MAX_GUILDS:
            guild = self._guilds[guild_id] = _Guild()
        return guild

    def _charge(self, requester: Requester, calls: int) -> None:
        bucket = self._bucket(requester.member_id)
        bucket.tokens -= calls
        bucket.used_today += calls
        if requester.guild_id is not None and (guild := self._guild(requester.guild_id)) is not None:
            guild.used_today += calls
            if self._pool is not None:
                guild.used_while_scarce += calls

    def _refund(self, requester: Requester, calls: int) -> None:
        bucket = self._members.get(requester.member_id)
        if bucket is not None:
            bucket.tokens = min(float(self.per_minute), bucket.tokens + calls)
            bucket.used_today = max(0, bucket.used_today - calls)
        if requester.guild_id is not None and (guild := self._guilds.get(requester.guild_id)) is not None:
            guild.used_today = max(0, guild.used_today - calls)
            guild.used_while_scarce = max(0, guild.used_while_scarce - calls)

    # --- what /quota could show -------------------------------------------------------------------

    def guild_used_today(self, guild_id: int) -> int:
        guild = self._guilds.get(guild_id)
        return guild.used_today if guild else 0

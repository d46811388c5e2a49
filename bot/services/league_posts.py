"""Scheduled league posts: posting the due ones, retrying, skipping, and pausing the broken ones.

Everything the schedule needs is stored (weekday, local time, time zone and the next post as a UTC
instant), so a restart loses nothing. A post missed while the bot was offline is made once when the bot
is back, and the next one is the next regular slot after that: never one post per missed week.

A channel that refuses the post (403/404 from Discord) pauses the schedule and leaves a notice that the
next `/league` command shows to the organiser. GT Grid Stats or Discord being briefly unavailable is
retried a few times, then that week's post is skipped with a notice: never a retry loop. Notices are
stored as data (`bot/services/league_notices.py`); the ui words them when they are shown.

Posting itself is Discord's business: a `LeaguePoster` (bot/ui/league_post.py) is handed in at
construction.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.clock import Clock
from bot.gtgridstats.errors import GTGridStatsError, QuotaExhaustedError
from bot.gtgridstats.limiter import Priority, priority
from bot.services.due_loop import run_due_forever
from bot.services.fair_use import Ticket
from bot.services.league_errors import LeagueError
from bot.services.league_night.night import LeagueSummary
from bot.services.league_notices import (
    ChannelProblem,
    PostNotTaken,
    paused_for_channel,
    paused_for_problem,
    problem_data,
    skipped,
)
from bot.services.leagues import LeagueService, next_occurrence
from bot.services.standings import QuotaShortError, Standings, StandingsError
from bot.storage.leagues import League

log = logging.getLogger(__name__)

RETRY_DELAY = timedelta(minutes=30)
MAX_ATTEMPTS = 4  # tries of one weekly post before it is skipped
MAX_SLEEP_SECONDS = 3_600.0  # the loop looks again at least hourly (robust to suspends and clock jumps)
ERROR_PAUSE_SECONDS = 60.0  # after an unexpected failure of a whole run, or a post still due after one


# --- running -------------------------------------------------------------------------------------


class ChannelUnavailableError(Exception):
    """Discord refused the post for good (the channel is gone, or the bot may not post there)."""

    def __init__(self, problem: ChannelProblem, channel_id: int) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.channel_id = channel_id


class PostFailedError(Exception):
    """Discord could not take the post right now (5xx, timeout): worth another try later."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class LeaguePoster(Protocol):
    """Posts a league's standings to its channel (Discord's business: bot/ui/league_post.py)."""

    async def post_standings(
        self, league: League, standings: Standings, summary: LeagueSummary | None = None
    ) -> None: ...


class RunStatus(StrEnum):
    POSTED = "posted"
    PAUSED = "paused"
    RETRYING = "retrying"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class RunOutcome:
    league_id: int
    guild_id: int
    league_name: str
    status: RunStatus
    detail: str = ""


class LeaguePosts:
    """The league post loop's logic: which posts are due, making them, and what happens when one fails."""

    def __init__(
        self,
        leagues: LeagueService,
        poster: LeaguePoster,
        clock: Clock,
        *,
        summarise: Callable[[League, Standings], Awaitable[LeagueSummary]] | None = None,
    ) -> None:
        self.leagues = leagues
        self.store = leagues.store
        self.poster = poster
        # The league night's team standings and who can still win, posted with the table (bot/app.py).
        self.summarise = summarise
        self.clock = clock

    async def post(self, league: League, *, ticket: Ticket | None = None) -> Standings:
        """Post the standings to the league's channel now (`/league post`); the schedule stays as it is.

        `ticket`: what `LeagueService.admit_post` reserved for the command (the rest is given back)."""
        try:
            async with self.leagues.lock(league.id):
                current = await self.leagues.current(league)
                return await self._post(current, self.clock.now(), due_at=None, ticket=ticket)
        finally:
            if ticket is not None:
                ticket.settle()

    async def _post(
        self, league: League, now: datetime, *, due_at: datetime | None, ticket: Ticket | None = None
    ) -> Standings:
        """Marks moves since the previous post, and stores this post's positions for the next one.

        `league` is read under its lock; `due_at` is the scheduled time this post is for (None: by hand).
        The next post is the schedule's first slot strictly after both `now` and `due_at`, so a scheduled
        post always moves the league on."""
        standings = await self.leagues.league_standings(league, ticket=ticket)
        standings = standings.with_previous(await self.store.previous_positions(league.id))
        summary = await self.summarise(league, standings) if self.summarise is not None else None
        await self.poster.post_standings(league, standings, summary)
        next_at = None
        if due_at is not None and league.schedule is not None:
            next_at = next_occurrence(league.schedule, max(now, due_at))
        await self.store.record_post(league, standings.positions(), now, due_at=due_at, next_post_at=next_at)
        return standings

    async def run_due(self, now: datetime) -> list[RunOutcome]:
        """Post every league whose scheduled time has come; each league's failure stays its own."""
        outcomes = []
        for league in await self.store.due(now):
            with priority(Priority.LEAGUE_POST):  # after interactive commands, before background refresh
                outcome = await self._run_one(league.id, now)
            if outcome is not None:
                log.info("scheduled post of league %d: %s", league.id, outcome.status)
                outcomes.append(outcome)
        return outcomes

    async def _run_one(self, league_id: int, now: datetime) -> RunOutcome | None:
        async with self.leagues.lock(league_id):
            # Read again under the lock: a run that finished meanwhile has moved the post on.
            league = await self.store.get(league_id)
            if league is None or league.next_post_at is None or league.next_post_at > now:
                return None
            due_at = league.next_post_at
            if league.schedule is None:
                log.warning("league %d has no schedule but a next post at %s: cleared", league.id, due_at)
                await self.store.move_on(league.id, due_at, None)
                return None
            if not await self.store.claim_post(league, due_at, now):
                next_at = next_occurrence(league.schedule, max(now, due_at))
                log.warning(
                    "league %d already posted for %s; skipped, next post %s", league.id, due_at, next_at
                )
                await self.store.move_on(league.id, due_at, next_at)
                return RunOutcome(
                    league.id, league.guild_id, league.name, RunStatus.SKIPPED, "already posted for that time"
                )
            return await self._attempt(league, due_at, now)

    async def _attempt(self, league: League, due_at: datetime, now: datetime) -> RunOutcome:
        def outcome(status: RunStatus, detail: str = "") -> RunOutcome:
            return RunOutcome(league.id, league.guild_id, league.name, status, detail)

        try:
            await self._post(league, now, due_at=due_at)
            return outcome(RunStatus.POSTED)
        except ChannelUnavailableError as error:
            await self.store.pause(league.id, paused_for_channel(league, error.problem), now)
            return outcome(RunStatus.PAUSED, error.problem.value)
        except (QuotaExhaustedError, QuotaShortError) as error:
            # The quota comes back by itself: try again once it has, instead of pausing the schedule.
            retry_at = max(error.resets_at or now, now) + timedelta(minutes=1)
            return await self._try_again(league, now, retry_at, problem_data(error), outcome)
        except (LeagueError, StandingsError) as error:
            # Only the organiser can fix these (empty roster, unknown series, nobody in the series).
            await self.store.pause(league.id, paused_for_problem(league, error), now)
            return outcome(RunStatus.PAUSED, type(error).__name__)
        except GTGridStatsError as error:
            return await self._try_again(league, now, now + RETRY_DELAY, problem_data(error), outcome)
        except PostFailedError as error:
            why = problem_data(PostNotTaken(error.status))
            return await self._try_again(league, now, now + RETRY_DELAY, why, outcome)
        except Exception as error:
            log.exception("scheduled post of league %d failed unexpectedly", league.id)
            return await self._try_again(league, now, now + RETRY_DELAY, problem_data(error), outcome)

    async def _try_again(
        self,
        league: League,
        now: datetime,
        retry_at: datetime,
        why: dict[str, object],
        outcome: Callable[[RunStatus, str], RunOutcome],
    ) -> RunOutcome:
        assert league.schedule is not None
        due_at = league.next_post_at or now
        next_regular = next_occurrence(league.schedule, max(now, due_at))
        detail = str(why.get("error", ""))
        if league.failed_attempts + 1 >= MAX_ATTEMPTS or retry_at >= next_regular:
            notice = skipped(league, due_at, next_regular, why)
            await self.store.skip_to(league.id, next_regular, notice, now, due_at=league.next_post_at)
            return outcome(RunStatus.SKIPPED, detail)
        await self.store.retry_later(league.id, retry_at, due_at=league.next_post_at)
        return outcome(RunStatus.RETRYING, detail)

    # --- the background loop -----------------------------------------------------------------------

    async def run_forever(self) -> None:
        """Post what is due, sleep until the next post is due (or a schedule changes), repeat."""
        await run_due_forever(
            name="league schedule",
            clock=self.clock,
            wake=self.leagues.schedule_changed,
            run=self.run_due,
            next_due=self._next_post_time,
            max_sleep=MAX_SLEEP_SECONDS,
            idle=MAX_SLEEP_SECONDS,
            error_pause=ERROR_PAUSE_SECONDS,
        )

    async def _next_post_time(self, now: datetime) -> datetime | None:
        return await self.store.next_post_time()

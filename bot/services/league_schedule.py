"""Weekly league posts: when the next one is due, posting the due ones, and pausing the broken ones.

Everything the schedule needs is stored (weekday, local time, time zone and the next post as a UTC
instant), so a restart loses nothing. A post missed while the bot was offline is made once when the bot
is back, and the next one is the next regular slot after that: never one post per missed week.

A channel that refuses the post (403/404 from Discord) pauses the schedule and leaves a notice that the
next `/league` command shows to the organiser. GT Grid Stats or Discord being briefly unavailable is
retried a few times, then that week's post is skipped with a notice: never a retry loop.

Local times that do not exist (a spring-forward gap) post at the same UTC offset as just before the gap;
local times that happen twice (fall back) post at the first of the two.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.clock import Clock
from bot.errors import FriendlyError
from bot.gtgridstats.budget import Priority, priority
from bot.gtgridstats.errors import GTGridStatsError, QuotaExhaustedError
from bot.gtgridstats.identifiers import shorten
from bot.services.driver_refs import ResolvedDriver
from bot.services.standings import QuotaShortError, Standings, StandingsService
from bot.storage.leagues import League, LeagueStore, Schedule
from bot.storage.links import LinkStore

log = logging.getLogger(__name__)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

RETRY_DELAY = timedelta(minutes=30)
MAX_ATTEMPTS = 4  # tries of one weekly post before it is skipped
MAX_SLEEP_SECONDS = 3_600.0  # the loop looks again at least hourly (robust to suspends and clock jumps)
ERROR_PAUSE_SECONDS = 60.0  # after an unexpected failure of a whole run

_TIME_24H = re.compile(r"(\d{1,2})[:.h](\d{2})")
_TIME_12H = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\.?")


# --- parsing the organiser's input ----------------------------------------------------------------


def parse_weekday(text: str) -> int:
    """'Monday', 'mon', 'MO'... -> 0..6 (Monday first)."""
    wanted = text.strip().lower()
    matches = [
        index for index, day in enumerate(WEEKDAYS) if len(wanted) >= 2 and day.lower().startswith(wanted)
    ]
    if len(matches) != 1:
        raise FriendlyError(
            f"`{shorten(text.strip(), 30) or '(empty)'}` is not a weekday. Use a day such as Monday or Sat."
        )
    return matches[0]


def parse_time(text: str) -> time:
    """'20:00', '8:30', '20.00', '8pm', '8:30 pm' -> a wall-clock time."""
    cleaned = text.strip().lower()
    hour = minute = -1
    if match := _TIME_24H.fullmatch(cleaned):
        hour, minute = int(match.group(1)), int(match.group(2))
    elif match := _TIME_12H.fullmatch(cleaned):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        hour = hour % 12 + (12 if match.group(3) == "p" else 0) if 1 <= hour <= 12 else -1
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise FriendlyError(
            f"`{shorten(text.strip(), 30) or '(empty)'}` is not a time. Use 24-hour HH:MM, such as 20:00."
        )
    return time(hour, minute)


@cache
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone, sorted once: the timezone autocomplete reads this on each keystroke."""
    return tuple(sorted(_zone_names().values()))


def parse_timezone(text: str) -> str:
    """An IANA time zone name, spelled as the tz database spells it."""
    name = _zone_names().get(text.strip().lower())
    if name is not None:
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    raise FriendlyError(
        f"`{shorten(text.strip(), 40) or '(empty)'}` is not a time zone I know. Use an IANA name such as "
        "Europe/London or America/New_York (the option suggests names as you type)."
    )


def _bold(text: str) -> str:
    """Bold in Discord markdown, with the name's own markdown characters escaped."""
    return "**" + re.sub(r"([\\*_~`|>])", r"\\\1", text) + "**"


def describe_schedule(schedule: Schedule) -> str:
    return f"every {WEEKDAYS[schedule.weekday]} at {schedule.at.strftime('%H:%M')} ({schedule.timezone})"


# --- when ----------------------------------------------------------------------------------------


def next_occurrence(schedule: Schedule, after: datetime) -> datetime:
    """The first scheduled instant strictly after `after`, in UTC."""
    zone = ZoneInfo(schedule.timezone)
    local = after.astimezone(zone)
    day = local.date() + timedelta(days=(schedule.weekday - local.weekday()) % 7)
    while True:
        candidate = datetime.combine(day, schedule.at, tzinfo=zone).astimezone(UTC)
        if candidate > after:
            return candidate
        day += timedelta(days=7)


# --- running -------------------------------------------------------------------------------------


class ChannelUnavailableError(Exception):
    """Discord refused the post for good (the channel is gone, or the bot may not post there)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PostFailedError(Exception):
    """Discord could not take the post right now (5xx, timeout): worth another try later."""


StandingsPoster = Callable[[League, Standings], Awaitable[None]]


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


class LeagueSchedule:
    def __init__(
        self, leagues: LeagueStore, standings: StandingsService, links: LinkStore, clock: Clock
    ) -> None:
        self.leagues = leagues
        self.standings = standings
        self.links = links
        self.clock = clock
        self.poster: StandingsPoster | None = None  # set by the league cog: posting is Discord's business
        self._changed = asyncio.Event()
        self._locks: dict[int, asyncio.Lock] = {}

    # --- the roster's standings --------------------------------------------------------------------

    async def roster_drivers(self, league: League) -> list[ResolvedDriver]:
        members = {
            link.psn_id.lower(): link.member_id for link in await self.links.for_guild(league.guild_id)
        }
        return [
            ResolvedDriver(psn_id=psn, member_id=members.get(psn.lower()))
            for psn in await self.leagues.roster(league.id)
        ]

    async def league_standings(self, league: League) -> Standings:
        drivers = await self.roster_drivers(league)
        if not drivers:
            raise FriendlyError(f"The {_bold(league.name)} roster is empty: add drivers with `/league add`.")
        return await self.standings.standings(league.series_id, drivers)

    # --- schedule changes --------------------------------------------------------------------------

    # Each takes the league's lock, as posts do: a change waits for a post being made, so the post cannot
    # store a next time from the schedule it read before the change, and the reply names what is stored.

    def busy(self, league_id: int) -> bool:
        """Whether a post or a change of this league is under way (a change would wait for it)."""
        lock = self._locks.get(league_id)
        return lock is not None and lock.locked()

    async def set_schedule(self, league: League, schedule: Schedule, now: datetime) -> League:
        async with self._lock(league.id):
            updated = await self.leagues.set_schedule(league.id, schedule, next_occurrence(schedule, now))
        self._changed.set()
        return updated

    async def clear_schedule(self, league: League) -> League:
        async with self._lock(league.id):
            updated = await self.leagues.clear_schedule(league.id)
        self._changed.set()
        return updated

    async def retarget(self, league: League, series_id: int, channel_id: int, now: datetime) -> League:
        """A new series or channel for the league; a paused schedule starts again."""
        async with self._lock(league.id):
            current = await self._current(league)
            next_at = next_occurrence(current.schedule, now) if current.schedule else None
            updated = await self.leagues.update_target(league.id, series_id, channel_id, next_at)
        self._changed.set()
        return updated

    # --- posting -----------------------------------------------------------------------------------

    async def post(self, league: League, now: datetime) -> Standings:
        """Post the standings to the league's channel now (`/league post`); the schedule stays as it is."""
        async with self._lock(league.id):
            return await self._post(await self._current(league), now, due_at=None)

    def _lock(self, league_id: int) -> asyncio.Lock:
        return self._locks.setdefault(league_id, asyncio.Lock())

    async def _current(self, league: League) -> League:
        """The league as stored now (read under its lock), not as a command read it before waiting."""
        current = await self.leagues.get(league.id)
        if current is None:
            raise FriendlyError(f"The league {_bold(league.name)} no longer exists.")
        return current

    async def _post(self, league: League, now: datetime, *, due_at: datetime | None) -> Standings:
        """Marks moves since the previous post, and stores this post's positions for the next one.

        `league` is read under its lock; `due_at` is the scheduled time this post is for (None: by hand).
        The next post is the schedule's first slot strictly after both `now` and `due_at`, so a scheduled
        post always moves the league on."""
        if self.poster is None:
            raise RuntimeError("no standings poster is attached (is the league cog loaded?)")
        standings = await self.league_standings(league)
        standings = standings.with_previous(await self.leagues.previous_positions(league.id))
        await self.poster(league, standings)
        next_at = None
        if due_at is not None and league.schedule is not None:
            next_at = next_occurrence(league.schedule, max(now, due_at))
        await self.leagues.record_post(
            league, standings.positions(), now, due_at=due_at, next_post_at=next_at
        )
        return standings

    async def run_due(self, now: datetime) -> list[RunOutcome]:
        """Post every league whose scheduled time has come; each league's failure stays its own."""
        outcomes = []
        for league in await self.leagues.due(now):
            with priority(Priority.LEAGUE_POST):  # after interactive commands, before background refresh
                outcome = await self._run_one(league.id, now)
            if outcome is not None:
                log.info("scheduled post of league %d: %s", league.id, outcome.status)
                outcomes.append(outcome)
        return outcomes

    async def _run_one(self, league_id: int, now: datetime) -> RunOutcome | None:
        async with self._lock(league_id):
            # Read again under the lock: a run that finished meanwhile has moved the post on.
            league = await self.leagues.get(league_id)
            if league is None or league.next_post_at is None or league.next_post_at > now:
                return None
            due_at = league.next_post_at
            if league.schedule is None:
                log.warning("league %d has no schedule but a next post at %s: cleared", league.id, due_at)
                await self.leagues.move_on(league.id, due_at, None)
                return None
            if not await self.leagues.claim_post(league, due_at, now):
                next_at = next_occurrence(league.schedule, max(now, due_at))
                log.warning(
                    "league %d already posted for %s; skipped, next post %s", league.id, due_at, next_at
                )
                await self.leagues.move_on(league.id, due_at, next_at)
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
            reason = (
                f"I could not post the {_bold(league.name)} standings in <#{league.channel_id}> "
                f"({error.reason}), so its weekly post is paused. Let me view the channel, send messages, "
                "embed links and attach files there (or choose another channel with `/league setup`), then "
                "run `/league schedule` to resume."
            )
            await self.leagues.pause(league.id, reason, now)
            return outcome(RunStatus.PAUSED, error.reason)
        except (QuotaExhaustedError, QuotaShortError) as error:
            # The quota comes back by itself: try again once it has, instead of pausing the schedule.
            retry_at = max(error.resets_at or now, now) + timedelta(minutes=1)
            why = error.user_message if isinstance(error, QuotaExhaustedError) else error.message
            return await self._try_again(league, now, retry_at, why, outcome)
        except FriendlyError as error:
            # Only the organiser can fix these (empty roster, unknown series, nobody in the series).
            reason = (
                f"The weekly {_bold(league.name)} post is paused: {error.message} "
                "Fix that, then run `/league schedule` to resume."
            )
            await self.leagues.pause(league.id, reason, now)
            return outcome(RunStatus.PAUSED, error.message)
        except GTGridStatsError as error:
            return await self._try_again(league, now, now + RETRY_DELAY, error.user_message, outcome)
        except PostFailedError as error:
            return await self._try_again(league, now, now + RETRY_DELAY, f"Discord: {error}", outcome)
        except Exception as error:
            log.exception("scheduled post of league %d failed unexpectedly", league.id)
            return await self._try_again(
                league, now, now + RETRY_DELAY, f"an unexpected error ({type(error).__name__})", outcome
            )

    async def _try_again(
        self,
        league: League,
        now: datetime,
        retry_at: datetime,
        why: str,
        outcome: Callable[[RunStatus, str], RunOutcome],
    ) -> RunOutcome:
        assert league.schedule is not None
        due_at = league.next_post_at or now
        next_regular = next_occurrence(league.schedule, max(now, due_at))
        if league.failed_attempts + 1 >= MAX_ATTEMPTS or retry_at >= next_regular:
            notice = (
                f"The {_bold(league.name)} standings due <t:{int(due_at.timestamp())}:f> were not posted: "
                f"{why} "
                f"The next post is <t:{int(next_regular.timestamp())}:f>, or post now with `/league post`."
            )
            await self.leagues.skip_to(league.id, next_regular, notice, now, due_at=league.next_post_at)
            return outcome(RunStatus.SKIPPED, why)
        await self.leagues.retry_later(league.id, retry_at, due_at=league.next_post_at)
        return outcome(RunStatus.RETRYING, why)

    # --- the background loop -----------------------------------------------------------------------

    async def run_forever(self) -> None:
        """Sleep until the next post is due (or a schedule changes), post what is due, repeat."""
        last_run: datetime | None = None
        while True:
            try:
                self._changed.clear()
                next_at = await self.leagues.next_post_time()
                wait = MAX_SLEEP_SECONDS
                if next_at is not None:
                    wait = min(wait, (next_at - self.clock.now()).total_seconds())
                    if last_run is not None and next_at <= last_run:
                        # The last run should have moved every due post past its time: something did
                        # not (storage refusing the write, say). Never spin: look again after a pause.
                        log.warning(
                            "a league post due %s is still due after the run at %s; looking again in %.0f s",
                            next_at,
                            last_run,
                            ERROR_PAUSE_SECONDS,
                        )
                        wait = max(wait, ERROR_PAUSE_SECONDS)
                if wait > 0:
                    await self._sleep_or_wake(wait)
                last_run = self.clock.now()
                await self.run_due(last_run)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the league schedule loop failed; trying again in a minute")
                await self.clock.sleep(ERROR_PAUSE_SECONDS)

    async def _sleep_or_wake(self, seconds: float) -> None:
        sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        waker = asyncio.ensure_future(self._changed.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()

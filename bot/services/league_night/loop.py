"""The league-night clock: closes sign-ups at their time, opens check-ins, reminds, closes check-ins.

Started in the cog's `cog_load`, cancelled in `cog_unload`. Every step claims its row in storage first
(closed_at, checkin_message_id, reminded_at, checkin_closed_at), so nothing happens twice, even across a
restart; a step missed while the bot was offline happens at the next run. A check-in post Discord refuses
gives its claim back and is tried again (MAX_CHECKIN_POST_TRIES in all, then a notice for the organisers).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable
from datetime import datetime
from typing import Protocol, TypeVar

from bot.clock import Clock
from bot.services import league_notices as notices
from bot.services.due_loop import run_due_forever
from bot.services.league_night.races import REMINDER_BEFORE, CheckinBoard, RaceService, Reminder
from bot.services.league_night.signups import Board, SignupService

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_SLEEP_SECONDS = 300.0
MAX_CHECKIN_POST_TRIES = 3  # a check-in post Discord refused is tried again at the next runs, this often
ERROR_PAUSE_SECONDS = 60.0


class NightPoster(Protocol):
    async def signup_closed(self, board: Board) -> None: ...
    async def post_checkin(self, board: CheckinBoard) -> int | None: ...
    async def remind(self, reminder: Reminder) -> None: ...
    async def checkin_closed(self, board: CheckinBoard) -> None: ...


class LeagueNightLoop:
    def __init__(self, signups: SignupService, races: RaceService, clock: Clock, poster: NightPoster) -> None:
        self.signups = signups
        self.races = races
        self.clock = clock
        self.poster = poster
        self._changed = asyncio.Event()
        self._ran = asyncio.Condition()
        self.last_run: datetime | None = None  # the time of the last completed run

    def changed(self) -> None:
        """Something with a time was added or edited: look again now."""
        self._changed.set()

    async def run_due(self, now: datetime) -> None:
        for closed in await self.signups.close_due(now):
            await self._step("closing sign-up", closed.signup.id, self.poster.signup_closed(closed))
        for race in await self.races.races.pending():
            if race.starts_at <= now:
                if await self.races.races.close_checkin(race.id, now) and race.checkin_message_id:
                    board = await self.races.checkin_board(race)
                    await self._step("closing check-in", race.id, self.poster.checkin_closed(board))
                continue
            if race.checkin_message_id is None and race.checkin_opens_at <= now:
                league = await self.races.leagues.get(race.league_id)
                if league is not None and await self.races.races.claim_checkin(race.id, league.channel_id):
                    board = await self.races.checkin_board(race)
                    message_id = await self._step(
                        "posting check-in", race.id, self.poster.post_checkin(board)
                    )
                    if message_id:
                        await self.races.races.set_checkin_message(race.id, message_id)
                    else:
                        notice = notices.checkin_not_posted(league, race.starts_at, MAX_CHECKIN_POST_TRIES)
                        await self.races.races.release_checkin(race.id, MAX_CHECKIN_POST_TRIES, notice, now)
                continue
            if (
                race.checkin_message_id
                and race.reminded_at is None
                and race.starts_at - REMINDER_BEFORE <= now
                and await self.races.races.claim_reminder(race.id, now)
            ):
                reminder = await self.races.reminder(await self.races.checkin_board(race))
                if reminder.member_ids or reminder.unlinked:
                    await self._step("reminding", race.id, self.poster.remind(reminder))

    async def _step(self, what: str, row_id: int, work: Awaitable[T]) -> T | None:
        try:
            return await work
        except Exception:
            log.exception("league night: %s %d failed", what, row_id)
            return None

    async def next_due(self, now: datetime) -> datetime | None:
        times: list[datetime] = []
        closing = await self.signups.next_closing()
        if closing is not None:
            times.append(closing)
        for race in await self.races.races.pending():
            if race.checkin_message_id is None:
                times.append(race.checkin_opens_at)
            elif race.reminded_at is None and race.starts_at - REMINDER_BEFORE > now:
                times.append(race.starts_at - REMINDER_BEFORE)
            times.append(race.starts_at)
        return min(times, default=None)

    async def run_forever(self) -> None:
        """Run what is due, sleep until the next step is due (nothing with a time: until `changed()`)."""
        await run_due_forever(
            name="league-night",
            clock=self.clock,
            wake=self._changed,
            run=self._run_and_tell,
            next_due=self.next_due,
            max_sleep=MAX_SLEEP_SECONDS,
            idle=math.inf,  # nothing has a time: sleep until a sign-up or a race is added (no idle wake-ups)
            error_pause=ERROR_PAUSE_SECONDS,
        )

    async def _run_and_tell(self, ran_at: datetime) -> None:
        await self.run_due(ran_at)
        async with self._ran:
            self.last_run = ran_at
            self._ran.notify_all()

    async def wait_for_run(self, at: datetime) -> None:
        """Wait until a run for time `at` (or later) has completed (tests and shutdown use it)."""
        async with self._ran:
            await self._ran.wait_for(lambda: self.last_run is not None and self.last_run >= at)

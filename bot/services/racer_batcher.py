"""Merges racer lookups from different commands into upstream calls of up to 16 drivers.

A lookup joins a pending batch; the batch is sent when it holds 16 drivers, or when the window (counted
from the batch's first driver, on the bot's clock) has passed. A driver already pending or in flight is
never asked for twice: later lookups share its answer. The batcher knows nothing about HTTP or storage:
it is given the function that fetches one batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from bot.clock import Clock
from bot.gtgridstats.limiter import Priority, Urgency, current_priority, urgency
from bot.gtgridstats.wire import MAX_IDENTIFIERS_PER_CALL

log = logging.getLogger(__name__)

T = TypeVar("T")

# Fetches one batch of PSN IDs (as first spelled by a caller); returns answers keyed by lower-cased PSN ID.
# A PSN ID missing from the answer was not found.
BatchFetch = Callable[[list[str]], Awaitable[Mapping[str, T]]]


def _retrieve_exception(future: asyncio.Future[Any]) -> None:
    # Every waiter may have been cancelled (a command gave up); reading the exception keeps asyncio from
    # reporting it as "never retrieved". The waiters that remain still receive it.
    if not future.cancelled():
        future.exception()


class RacerBatcher(Generic[T]):
    def __init__(
        self,
        fetch: BatchFetch[T],
        *,
        clock: Clock,
        window_seconds: float,
        batch_size: int = MAX_IDENTIFIERS_PER_CALL,
        name: str = "racers",
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self.window_seconds = window_seconds
        self.batch_size = batch_size
        self.name = name
        self._pending: dict[str, tuple[str, asyncio.Future[T | None]]] = {}
        self._in_flight: dict[str, asyncio.Future[T | None]] = {}
        # The priority each batch sent waits at for its slot: a more urgent caller joining raises it.
        self._in_flight_urgency: dict[str, Urgency] = {}
        # The most urgent request priority among the callers waiting for each pending driver: a batch is
        # sent at the most urgent of its drivers' priorities, and raised while it waits for its slot when a
        # more urgent caller joins (an interactive lookup is never left waiting at background priority).
        self._urgency: dict[str, Priority] = {}
        self._timer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.batches_sent = 0

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def in_flight_for(self, psn_id: str) -> bool:
        """Whether a batch already sent is fetching this driver (a lookup now joins its answer)."""
        return psn_id.lower() in self._in_flight

    async def get(self, psn_ids: Sequence[str]) -> dict[str, T | None]:
        """Answers for `psn_ids`, keyed by lower-cased PSN ID (None: not found). Upstream errors propagate."""
        loop = asyncio.get_running_loop()
        level = current_priority()
        waiting: dict[str, asyncio.Future[T | None]] = {}
        for psn_id in psn_ids:
            key = psn_id.lower()
            if key in waiting:
                continue
            future = self._in_flight.get(key)
            if future is not None and key in self._in_flight_urgency:
                # The batch may still wait for its slot: it now waits at the most urgent caller's priority.
                self._in_flight_urgency[key].raise_to(level)
            if future is None and key in self._pending:
                future = self._pending[key][1]
                self._urgency[key] = min(self._urgency.get(key, level), level)
            if future is None:
                future = loop.create_future()
                future.add_done_callback(_retrieve_exception)
                self._pending[key] = (psn_id, future)
                self._urgency[key] = level
            waiting[key] = future
        while len(self._pending) >= self.batch_size:
            self._send(self.batch_size)
        if self._pending and self._timer is None:
            self._timer = asyncio.create_task(self._send_when_window_closes())
        # shield: one caller giving up must not cancel an answer others are waiting for.
        answers = await asyncio.gather(*(asyncio.shield(future) for future in waiting.values()))
        return dict(zip(waiting, answers, strict=True))

    async def _send_when_window_closes(self) -> None:
        try:
            await self._clock.sleep(self.window_seconds)
        finally:
            self._timer = None
        while self._pending:
            self._send(self.batch_size)

    def _send(self, size: int) -> None:
        keys = list(self._pending)[:size]
        batch = {key: self._pending.pop(key) for key in keys}
        level = min(
            (self._urgency.pop(key, Priority.INTERACTIVE) for key in keys), default=Priority.INTERACTIVE
        )
        cell = Urgency(level)
        for key, (_, future) in batch.items():
            self._in_flight[key] = future
            self._in_flight_urgency[key] = cell
        self.batches_sent += 1
        with urgency(cell):  # the task copies this context: its request waits at the batch's priority
            task = asyncio.create_task(self._run(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: dict[str, tuple[str, asyncio.Future[T | None]]]) -> None:
        try:
            answers = await self._fetch([spelling for spelling, _ in batch.values()])
        except asyncio.CancelledError:
            for _, future in batch.values():
                future.cancel()
            raise
        except Exception as error:  # every waiter receives the failure; nothing is swallowed
            log.info("%s batch of %d failed: %s", self.name, len(batch), error)
            for _, future in batch.values():
                if not future.done():
                    future.set_exception(error)
        else:
            for key, (_, future) in batch.items():
                if not future.done():
                    future.set_result(answers.get(key))
        finally:
            for key in batch:
                self._in_flight.pop(key, None)
                self._in_flight_urgency.pop(key, None)

    async def aclose(self) -> None:
        """Stop: lookups still waiting for their window are cancelled, batches already sent are cancelled
        and awaited (their callers receive CancelledError), so nothing is left running."""
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
            await asyncio.gather(timer, return_exceptions=True)
        pending, self._pending = self._pending, {}
        for _, future in pending.values():
            future.cancel()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

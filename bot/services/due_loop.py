"""The one shape of a background loop that acts at stored times: run what is due, sleep until the next
time (or until woken), never spin, pause after an error.

`run(now)` must move every due item past its time (post it, claim it, skip it). If after a run the next
due time is still not after that run, something did not (storage refusing a write, say): the loop then
looks again only after `error_pause` seconds, never at once. An unexpected failure of a whole run is
logged and retried after the same pause. Cancelling the task stops the loop (CancelledError passes).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.clock import Clock

log = logging.getLogger(__name__)

ERROR_PAUSE_SECONDS = 60.0


async def run_due_forever(
    *,
    name: str,
    clock: Clock,
    wake: asyncio.Event,
    run: Callable[[datetime], Awaitable[object]],
    next_due: Callable[[datetime], Awaitable[datetime | None]],
    max_sleep: float,
    idle: float = math.inf,
    error_pause: float = ERROR_PAUSE_SECONDS,
) -> None:
    """Run `run(now)`, then sleep until `next_due` (at most `max_sleep` s; `idle` s when nothing is
    due, inf: until `wake` is set), or less when `wake` is set; repeat until cancelled."""
    while True:
        try:
            wake.clear()  # before the run: a change made during it wakes the next sleep at once
            ran_at = clock.now()
            await run(ran_at)
            next_at = await next_due(clock.now())
            if next_at is None:
                wait = idle
            else:
                wait = min(max_sleep, (next_at - clock.now()).total_seconds())
                if next_at <= ran_at:
                    # The run should have moved everything due past its time: something did not
                    # (storage refusing a write, say). Never spin: look again after a pause.
                    log.warning(
                        "%s: an item due %s is still due after the run at %s; looking again in %.0f s",
                        name,
                        next_at,
                        ran_at,
                        error_pause,
                    )
                    wait = max(wait, error_pause)
            if wait > 0:
                await clock.sleep_or(wake, wait)
        except Exception:
            log.exception("the %s loop failed; trying again in %.0f s", name, error_pause)
            await clock.sleep(error_pause)

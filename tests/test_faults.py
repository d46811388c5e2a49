"""The fault suite: for one command of each area, every upstream failure becomes a clear message, nothing
unhandled reaches the log, and the next command answers normally."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import Harness
from tests.standins.discord_api import InteractionRecord
from tests.standins.gtgridstats import GTGridStatsStandin

MakeHarness = Callable[..., Awaitable[Harness]]


@dataclass(frozen=True)
class Area:
    command: str
    options: dict[str, Any]
    path_prefix: str
    answered: str  # what a normal answer shows


AREAS = {
    # The catalog is empty in a fresh bot, so /car falls back to the API by identifier.
    "catalog": Area("car", {"car": "car1544"}, "/api/assets/cars", "Ferrari 430 Scuderia '07"),
    "drivers": Area("profile", {"psn_id": "skino2024"}, "/api/racers", "DR points"),
    "league": Area("standings", {"series": 1564, "drivers": "skino2024"}, "/api/series-", "skino2024"),
}


@dataclass(frozen=True)
class Fault:
    install: Callable[[GTGridStatsStandin, str], None]
    says: str


FAULTS = {
    "500": Fault(
        lambda gt, prefix: gt.fail(500, times=None, path_prefix=prefix), "is not answering right now"
    ),
    "503": Fault(
        lambda gt, prefix: gt.fail(503, times=None, path_prefix=prefix), "is not answering right now"
    ),
    "slow": Fault(
        lambda gt, prefix: gt.slow(2.0, times=None, path_prefix=prefix), "is not answering right now"
    ),
    "dropped": Fault(
        lambda gt, prefix: gt.drop(times=None, path_prefix=prefix), "is not answering right now"
    ),
    "malformed": Fault(lambda gt, prefix: gt.malformed(times=None, path_prefix=prefix), "could not read"),
    "401": Fault(lambda gt, prefix: gt.fail(401, times=None, path_prefix=prefix), "API key was refused"),
    "429": Fault(
        lambda gt, prefix: gt.fail(
            429,
            times=None,
            path_prefix=prefix,
            body={"message": "Too Many Attempts."},
            headers={"Retry-After": "42"},
        ),
        "try again in about 42 s",
    ),
}


async def run(harness: Harness, area: Area, user_name: str) -> InteractionRecord:
    user = harness.member(user_name)
    return await harness.clock.run_until(harness.slash(area.command, user=user, **area.options))


def bot_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.levelno >= logging.ERROR and record.name.startswith(("bot", "cogs", "discord"))
    ]


@pytest.mark.parametrize("fault_name", list(FAULTS))
@pytest.mark.parametrize("area_name", list(AREAS))
async def test_each_fault_is_a_clear_message_and_the_next_command_works(
    make_harness: MakeHarness, caplog: pytest.LogCaptureFixture, area_name: str, fault_name: str
) -> None:
    harness = await make_harness(api_timeout=0.5)
    area, fault = AREAS[area_name], FAULTS[fault_name]
    fault.install(harness.gt, area.path_prefix)

    failed = await run(harness, area, "unlucky")
    assert fault.says in failed.reply.text()
    assert "went wrong on the bot's side" not in failed.reply.text()
    assert bot_errors(caplog) == []

    harness.gt.clear_faults()
    harness.clock.advance(120)  # past any Retry-After the fault asked for
    recovered = await run(harness, area, "lucky")
    assert area.answered in recovered.reply.text()
    assert fault.says not in recovered.reply.text()


@pytest.mark.parametrize("area_name", list(AREAS))
async def test_an_exhausted_quota_is_explained_and_free_commands_still_work(
    harness: Harness, caplog: pytest.LogCaptureFixture, area_name: str
) -> None:
    area = AREAS[area_name]
    harness.gt.quota_remaining = 0
    failed = await run(harness, area, "unlucky")
    assert "used today's GT Grid Stats quota" in failed.reply.text()
    assert bot_errors(caplog) == []
    sent = harness.gt.count()
    again = await run(harness, area, "again")
    assert "used today's GT Grid Stats quota" in again.reply.text()
    assert harness.gt.count() == sent  # known to be spent: not even asked
    regions = await harness.slash("regions", user=harness.member("free"))
    assert "cn" in regions.reply.text()


# --- hostile timing, sizes and headers -----------------------------------------------------------------


@pytest.mark.parametrize("area_name", list(AREAS))
async def test_a_trickled_body_is_cut_off_at_the_deadline_and_the_next_command_asks_again(
    make_harness: MakeHarness, caplog: pytest.LogCaptureFixture, area_name: str
) -> None:
    harness = await make_harness(api_timeout=0.5)
    area = AREAS[area_name]
    # One byte every 0.05 s: no single read ever waits 0.5 s, only the whole request's deadline stops it.
    harness.gt.trickle(0.05, times=None, path_prefix=area.path_prefix)
    failed = await run(harness, area, "unlucky")
    assert "is not answering right now" in failed.reply.text()
    assert bot_errors(caplog) == []
    assert len(harness.bot.api.budget.coalescer) == 0
    assert harness.bot.drivers.indexed.in_flight == 0
    asked = harness.gt.count(area.path_prefix)
    harness.gt.clear_faults()
    recovered = await run(harness, area, "lucky")
    assert area.answered in recovered.reply.text()
    assert harness.gt.count(area.path_prefix) > asked  # asked again: nobody joined the hung request


@pytest.mark.parametrize("area_name", list(AREAS))
async def test_an_oversized_answer_is_a_clear_message(
    make_harness: MakeHarness, caplog: pytest.LogCaptureFixture, area_name: str
) -> None:
    harness = await make_harness(api_timeout=5.0)
    area = AREAS[area_name]
    harness.gt.huge(6 * 1024 * 1024, announce=False, times=None, path_prefix=area.path_prefix)
    failed = await run(harness, area, "unlucky")
    assert "sent an answer that was too large" in failed.reply.text()
    assert bot_errors(caplog) == []
    harness.gt.clear_faults()
    recovered = await run(harness, area, "lucky")
    assert area.answered in recovered.reply.text()


@pytest.mark.parametrize("header", ["inf", "1e12", "-5", "nan", "Sat, 28 Nov 2026 12:05:00 GMT", "tomorrow"])
async def test_a_garbage_retry_after_is_a_clear_message_and_never_blocks_for_good(
    harness: Harness, caplog: pytest.LogCaptureFixture, header: str
) -> None:
    area = AREAS["drivers"]
    harness.gt.fail(
        429,
        times=2,  # the first try and the one transparent retry a short wait allows
        path_prefix=area.path_prefix,
        body={"message": "Too Many Attempts."},
        headers={"Retry-After": header},
    )
    failed = await run(harness, area, "unlucky")
    text = failed.reply.text()
    assert "try again in about" in text or area.answered in text
    assert "went wrong on the bot's side" not in text
    assert "e+" not in text
    assert bot_errors(caplog) == []
    harness.gt.clear_faults()
    harness.clock.advance(86_400)  # whatever was asked, the wait ends by the daily reset
    recovered = await run(harness, area, "lucky")
    assert area.answered in recovered.reply.text()


async def test_a_car_id_in_other_scripts_digits_is_not_an_id(harness: Harness) -> None:
    record = await harness.clock.run_until(harness.slash("car", user=harness.member("ann"), car="١٥٤٤"))
    assert "Ferrari 430 Scuderia" not in record.reply.text()  # car 1544 is not what was typed
    assert harness.gt.count("/api/assets/cars/") == 0  # never sent as an identifier
    assert record.reply.ephemeral

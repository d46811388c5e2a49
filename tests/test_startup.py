"""Start-up against unusable local state: the real `python -m bot` process says what is wrong and exits 2.

Discord is the stand-in (through the same sitecustomize as tests/test_whole_process.py), so a bot that got
past its database would log in there rather than reach for the internet.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage.database import Database
from bot.storage.links import Link, LinkStore
from tests.conftest import API_KEY, DISCORD_TOKEN, Harness
from tests.standins.discord_api import DiscordStandin
from tests.test_whole_process import bot_environment

EXIT_CONFIG = 2


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
async def discord_standin() -> AsyncIterator[DiscordStandin]:
    async with DiscordStandin() as standin:
        yield standin


async def _run_bot(tmp_path: Path, discord_api: DiscordStandin, database: Path) -> tuple[int, str]:
    env = bot_environment(
        tmp_path, discord_api, GTGRIDSTATS_BASE_URL="http://127.0.0.1:9", DATABASE_PATH=str(database)
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        # A safety net only: the original defect was a process that never exits.
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, output.decode()


def _assert_one_clear_line(log: str, database: Path, problem: str) -> None:
    assert "Traceback" not in log, log
    lines = [line for line in log.splitlines() if str(database) in line]
    assert len(lines) == 1, log
    assert f"the database {database} {problem}" in lines[0]
    assert "ERROR" in lines[0]
    assert DISCORD_TOKEN not in log
    assert API_KEY not in log


async def _real_database(path: Path) -> None:
    async with Database(path) as database:
        await database.open()
        await database.migrate()
        links = LinkStore(database)
        now = datetime(2026, 11, 28, tzinfo=UTC)
        for number in range(300):
            await links.set(Link(number % 3, number, f"driver_number_{number:04d}", None, now))


async def test_a_file_of_random_bytes_is_named_and_the_bot_exits_2(
    tmp_path: Path, discord_standin: DiscordStandin
) -> None:
    database = tmp_path / "bot.sqlite3"
    database.write_bytes(bytes(range(256)) * 64)
    before = _digest(database)
    code, log = await _run_bot(tmp_path, discord_standin, database)
    assert code == EXIT_CONFIG, log
    _assert_one_clear_line(log, database, "is not an SQLite database")
    assert _digest(database) == before
    assert discord_standin.identify_payloads == []  # it stopped before contacting Discord


async def test_a_truncated_database_is_named_damaged_and_the_bot_exits_2(
    tmp_path: Path, discord_standin: DiscordStandin
) -> None:
    database = tmp_path / "bot.sqlite3"
    await _real_database(database)
    whole = database.read_bytes()
    database.write_bytes(whole[: len(whole) // 2])
    before = _digest(database)
    code, log = await _run_bot(tmp_path, discord_standin, database)
    assert code == EXIT_CONFIG, log
    _assert_one_clear_line(log, database, "is damaged")
    assert _digest(database) == before


async def test_a_database_locked_by_another_process_is_named_and_the_bot_exits_2(
    tmp_path: Path, discord_standin: DiscordStandin
) -> None:
    database = tmp_path / "bot.sqlite3"
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("CREATE TABLE kept (x INTEGER)")
        holder.execute("INSERT INTO kept VALUES (1)")
        # Hashed before the lock is taken: reading the file here (opening and closing it in this process)
        # would drop this process's POSIX locks, the holder's included.
        before = _digest(database)
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("INSERT INTO kept VALUES (2)")
        code, log = await _run_bot(tmp_path, discord_standin, database)
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    after = _digest(database)
    assert code == EXIT_CONFIG, log
    _assert_one_clear_line(log, database, "is locked by another process")
    assert after == before


@pytest.mark.parametrize("kind", ["under a regular file", "a directory"])
async def test_an_unusable_database_path_is_one_line_and_exit_2(
    tmp_path: Path, discord_standin: DiscordStandin, kind: str
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file")
    database = blocker / "data" / "bot.sqlite3" if kind == "under a regular file" else tmp_path
    code, log = await _run_bot(tmp_path, discord_standin, database)
    assert code == EXIT_CONFIG, log
    assert "Traceback" not in log
    lines = log.strip().splitlines()
    assert len(lines) == 1, log
    assert lines[0].startswith("gt-grid-bot: DATABASE_PATH is invalid (")
    expected = f"{blocker} is a file" if kind == "under a regular file" else f"{tmp_path} is a directory"
    assert expected in lines[0]
    assert blocker.read_text() == "a regular file"


async def test_closing_the_bot_stops_the_driver_lookups_it_was_batching(
    make_harness: Callable[..., Awaitable[Harness]], caplog: pytest.LogCaptureFixture
) -> None:
    harness = await make_harness(racer_batch_window_ms=5_000)  # the window never closes on the manual clock
    batcher = harness.bot.drivers.indexed
    waiting = asyncio.create_task(batcher.get(["skino2024"]))
    await asyncio.sleep(0)  # one turn of the loop: the lookup joins the batch and the window timer starts
    assert batcher.pending == 1
    await harness.bot.close()
    with pytest.raises(asyncio.CancelledError):  # the waiting caller is told, not left hanging
        await asyncio.wait_for(waiting, timeout=30)  # a safety net only: before the fix it hung here
    assert batcher.pending == 0
    assert batcher.in_flight == 0
    assert harness.gt.count("/api/racers") == 0
    del waiting
    gc.collect()
    assert "Task was destroyed but it is pending" not in caplog.text

"""The database: PRAGMAs, migrations in one transaction each, guild purges, and surviving SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from bot.storage.database import Database, DatabaseUnusableError, Migration, bundled_migrations
from bot.storage.links import Link, LinkStore

ROOT = Path(__file__).resolve().parents[2]


async def test_pragmas_and_bundled_migrations(tmp_path: Path) -> None:
    async with Database(tmp_path / "bot.sqlite3") as database:
        await database.open()
        version = await database.migrate()
        assert version == max(migration.version for migration in bundled_migrations())
        assert (await database.fetch_one("PRAGMA journal_mode"))[0] == "wal"  # type: ignore[index]
        assert (await database.fetch_one("PRAGMA foreign_keys"))[0] == 1  # type: ignore[index]
        assert await database.migrate() == version  # nothing left to apply
        assert await database.integrity_ok()


async def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    async with Database(tmp_path / "bot.sqlite3") as database:
        await database.open()
        good = Migration(1, "0001_good.sql", "CREATE TABLE a (x INTEGER);")
        bad = Migration(2, "0002_bad.sql", "CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);")
        with pytest.raises(sqlite3.OperationalError):
            await database.migrate([good, bad])
        assert await database.schema_version() == 1
        tables = {
            row[0] for row in await database.fetch_all("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert "a" in tables
        assert "b" not in tables


async def test_purge_guild_deletes_that_guild_only_from_every_table(tmp_path: Path) -> None:
    async with Database(tmp_path / "bot.sqlite3") as database:
        await database.open()
        await database.migrate()
        links = LinkStore(database)
        now = datetime(2026, 11, 28, tzinfo=UTC)
        await links.set(Link(1, 10, "alpha_one", None, now))
        await links.set(Link(2, 20, "beta_two", None, now))
        async with database.transaction() as connection:
            await connection.execute(
                "INSERT INTO guild_settings VALUES (1, 'k', 'v', ?), (2, 'k', 'v', ?)", (now.isoformat(),) * 2
            )
        await database.purge_guild(1)
        assert await links.for_guild(1) == []
        assert [link.psn_id for link in await links.for_guild(2)] == ["beta_two"]
        assert [row[0] for row in await database.fetch_all("SELECT guild_id FROM guild_settings")] == [2]


async def test_a_failed_transaction_rolls_back(tmp_path: Path) -> None:
    async with Database(tmp_path / "bot.sqlite3") as database:
        await database.open()
        await database.migrate()

        async def half_done() -> None:
            async with database.transaction() as connection:
                await connection.execute(
                    "INSERT INTO links VALUES (1, 1, 'someone', NULL, '2026-01-01T00:00:00+00:00')"
                )
                raise RuntimeError("the command failed half way")

        with pytest.raises(RuntimeError):
            await half_done()
        assert await LinkStore(database).count(1) == 0


WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import UTC, datetime
    from bot.storage.database import Database
    from bot.storage.links import Link, LinkStore

    async def main(path):
        async with Database(path) as database:
            await database.open()
            await database.migrate()
            links = LinkStore(database)
            for number in range(1_000_000):
                await links.set(Link(number % 3, number, f"driver_{number}", None, datetime.now(UTC)))
                if number == 50:
                    print("writing", flush=True)

    asyncio.run(main(sys.argv[1]))
    """
)


async def test_sigkill_during_writes_leaves_a_sound_database(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        WRITER,
        str(path),
        stdout=asyncio.subprocess.PIPE,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    assert await asyncio.wait_for(process.stdout.readline(), timeout=60) == b"writing\n"
    process.send_signal(signal.SIGKILL)
    await process.wait()
    assert process.returncode == -signal.SIGKILL
    async with Database(path) as database:
        await database.open()
        assert await database.integrity_ok()
        rows = await database.fetch_all("SELECT member_id, psn_id FROM links")
        assert len(rows) > 50
        # Every committed link is whole: its PSN ID matches the member it was written for.
        assert all(row["psn_id"] == f"driver_{row['member_id']}" for row in rows)
        assert await database.migrate() == await database.schema_version()


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"SQLite format 2\x00" + bytes(range(256)) * 16, "is not an SQLite database"), (b"", None)],
)
async def test_open_checks_the_file_and_closes_the_connection_when_it_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, problem: str | None
) -> None:
    connections: list[aiosqlite.Connection] = []
    real_connect = aiosqlite.connect

    def spy(*args: object, **kwargs: object) -> aiosqlite.Connection:
        connection = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        connections.append(connection)
        return connection

    monkeypatch.setattr(aiosqlite, "connect", spy)
    path = tmp_path / "bot.sqlite3"
    path.write_bytes(content)
    database = Database(path)
    if problem is None:  # an empty file is a new database: it opens
        await database.open()
        assert (await database.fetch_one("SELECT 1"))[0] == 1  # type: ignore[index]
        await database.close()
        return
    with pytest.raises(DatabaseUnusableError) as caught:
        await database.open()
    assert str(caught.value) == f"the database {path} {problem}"
    with pytest.raises(RuntimeError, match="the database is not open"):
        _ = database.connection
    assert len(connections) == 1
    with pytest.raises(ValueError, match=r"no active connection|Connection closed"):
        await connections[0].execute("SELECT 1")  # it was closed, so its thread is not left running
    assert path.read_bytes() == content


async def test_open_names_a_damaged_database_and_leaves_it_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    async with Database(path) as database:
        await database.open()
        await database.migrate()
        links = LinkStore(database)
        now = datetime(2026, 11, 28, tzinfo=UTC)
        for number in range(300):
            await links.set(Link(1, number, f"driver_number_{number:04d}", None, now))
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DatabaseUnusableError, match="is damaged"):
        await Database(path).open()
    assert path.read_bytes() == whole[: len(whole) // 2]


async def test_open_refuses_a_directory_without_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnusableError, match="is a directory"):
        await Database(tmp_path).open()


async def test_a_write_cancelled_while_beginning_leaves_no_open_transaction(tmp_path: Path) -> None:
    async with Database(tmp_path / "cancel.sqlite3") as database:
        await database.open()
        await database.migrate()

        async def write() -> None:
            async with database.transaction() as connection:
                await connection.execute("INSERT INTO guild_settings VALUES (1, 'k', 'v', 'now')")

        task = asyncio.ensure_future(write())
        await asyncio.sleep(0)  # the task is now awaiting BEGIN in aiosqlite's thread
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await write()  # a later write works: no transaction was left open
        assert not database.connection.in_transaction
        row = await database.fetch_one("SELECT COUNT(*) FROM guild_settings")
        assert row is not None
        assert row[0] == 1

"""The SQLite connection, its PRAGMAs, numbered migrations and write transactions."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal, overload

import aiosqlite

log = logging.getLogger(__name__)


def to_db_time(moment: datetime, *, precision: Literal["microseconds", "seconds"] = "microseconds") -> str:
    """The one way a moment is stored: fixed-width ISO 8601 text in UTC, so that within one column text order
    is time order (SQL compares and sorts the strings). A naive datetime is refused (its zone is unknown).

    The columns of leagues, races, sign-ups, league extras and their claims were first written with whole
    seconds; they keep `precision="seconds"` so new rows still compare as text with rows of earlier versions.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a stored moment needs a time zone: {moment!r}")
    return moment.astimezone(UTC).isoformat(timespec=precision)


@overload
def from_db_time(text: str) -> datetime: ...
@overload
def from_db_time(text: None) -> None: ...
@overload
def from_db_time(text: str | None) -> datetime | None: ...
def from_db_time(text: str | None) -> datetime | None:
    """A moment as `to_db_time` (or an earlier version, ISO 8601 either way) stored it; None for NULL."""
    return None if text is None else datetime.fromisoformat(text)


_MIGRATION_NAME = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    folder = resources.files("bot.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.fullmatch(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a number: {versions}")
    return found


# At start, how long to wait for another process's lock before saying so (the usual 5 s applies afterwards).
OPEN_LOCK_WAIT_SECONDS = 1.0
BUSY_TIMEOUT_MS = 5000

# SQLite's primary result codes (https://www.sqlite.org/rescode.html) -> what the operator is told.
_PROBLEMS = {
    5: "is locked by another process",  # SQLITE_BUSY
    6: "is locked by another process",  # SQLITE_LOCKED
    8: "is read-only",  # SQLITE_READONLY
    10: "could not be read or written (input/output error)",  # SQLITE_IOERR
    11: "is damaged",  # SQLITE_CORRUPT
    13: "cannot grow: the disk is full",  # SQLITE_FULL
    14: "cannot be opened",  # SQLITE_CANTOPEN
    23: "cannot be opened (permission denied)",  # SQLITE_AUTH
    26: "is not an SQLite database",  # SQLITE_NOTADB
}


class DatabaseUnusableError(Exception):
    """The database file cannot be used at all; `str()` is one line naming the file and the problem."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"the database {path} {problem}")
        self.path = path
        self.problem = problem


def describe_sqlite_error(error: sqlite3.Error) -> str:
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _PROBLEMS:
        return _PROBLEMS[code & 0xFF]
    return f"cannot be used ({error})"


class Database:
    """One aiosqlite connection for the process. Writes go through `transaction()`, one at a time."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._connection: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def connection(self) -> aiosqlite.Connection:
        if self._connection is None:
            raise RuntimeError("the database is not open")
        return self._connection

    async def open(self) -> None:
        """Connect, check the file is a sound SQLite database we can write, then set the PRAGMAs.

        Raises DatabaseUnusableError (the connection closed again) when the file is not a database, is
        damaged, or is locked by another process. Nothing is written to such a file.
        """
        if self._connection is not None:
            return
        if str(self.path) != ":memory:":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DatabaseUnusableError(
                    self.path, f"cannot be created: its folder is unusable ({error.strerror or error})"
                ) from None
            if self.path.is_dir():
                raise DatabaseUnusableError(self.path, "is a directory, not a file")
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a migration is one transaction.
            connection = await aiosqlite.connect(
                self.path, isolation_level=None, timeout=OPEN_LOCK_WAIT_SECONDS
            )
        except sqlite3.Error as error:
            raise DatabaseUnusableError(self.path, describe_sqlite_error(error)) from None
        try:
            connection.row_factory = aiosqlite.Row
            await self._check(connection)
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA synchronous = NORMAL")
            await connection.execute("PRAGMA foreign_keys = ON")
            await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        except BaseException as error:
            # Close it whatever happened: aiosqlite's thread would otherwise keep the process alive.
            await connection.close()
            if isinstance(error, sqlite3.Error):
                raise DatabaseUnusableError(self.path, describe_sqlite_error(error)) from None
            raise
        self._connection = connection

    async def _check(self, connection: aiosqlite.Connection) -> None:
        """Read-only checks before anything could write: the header, every page (quick_check), the lock."""
        rows = list(await connection.execute_fetchall("PRAGMA quick_check"))
        if [tuple(row) for row in rows] != [("ok",)]:
            raise DatabaseUnusableError(self.path, "is damaged")
        # A write lock, taken and given back at once: fails now if another process holds the database.
        await connection.execute("BEGIN IMMEDIATE")
        await connection.execute("ROLLBACK")

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()

    async def schema_version(self) -> int:
        async with self.connection.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self, migrations: Iterable[Migration] | None = None) -> int:
        """Apply every migration newer than the database, each in its own transaction."""
        current = await self.schema_version()
        for migration in migrations if migrations is not None else bundled_migrations():
            if migration.version <= current:
                continue
            async with self._write_lock:
                script = f"BEGIN;\n{migration.sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;"
                try:
                    await self.connection.executescript(script)
                except Exception:
                    if self.connection.in_transaction:
                        await self.connection.execute("ROLLBACK")
                    raise
            log.info("applied migration %s", migration.name)
            current = migration.version
        return current

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: everything inside commits together or not at all."""
        async with self._write_lock:
            try:
                await self.connection.execute("BEGIN IMMEDIATE")
            except asyncio.CancelledError:
                # aiosqlite runs a queued statement even when its caller is cancelled: undo the BEGIN, or
                # the connection stays in a transaction and every later write fails.
                await self._rollback_quietly()
                raise
            try:
                yield self.connection
            except BaseException:
                await self.connection.execute("ROLLBACK")
                raise
            await self.connection.execute("COMMIT")

    async def _rollback_quietly(self) -> None:
        try:
            await self.connection.execute("ROLLBACK")
        except sqlite3.OperationalError:
            log.debug("no transaction to roll back after a cancelled BEGIN")

    async def fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        # One trip to the database thread (execute + fetch + close would be three): under load each trip
        # can wait for the GIL, so hot reads are kept to one.
        return list(await self.connection.execute_fetchall(sql, parameters))

    async def fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> aiosqlite.Row | None:
        rows = await self.connection.execute_fetchall(sql, parameters)
        return next(iter(rows), None)

    async def purge_guild(self, guild_id: int) -> int:
        """Delete every row of the guild from every table that has a guild_id column; returns rows deleted."""
        tables = await self.fetch_all(
            "SELECT m.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c "
            "WHERE m.type = 'table' AND c.name = 'guild_id'"
        )
        deleted = 0
        async with self.transaction() as connection:
            await connection.execute("PRAGMA defer_foreign_keys = ON")
            for table in tables:
                # Table names come from sqlite_master, never from user input.
                cursor = await connection.execute(f'DELETE FROM "{table[0]}" WHERE guild_id = ?', (guild_id,))
                deleted += cursor.rowcount
        return deleted

    async def integrity_ok(self) -> bool:
        row = await self.fetch_one("PRAGMA integrity_check")
        return row is not None and row[0] == "ok"

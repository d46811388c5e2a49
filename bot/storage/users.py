"""What the bot stores about one Discord user: their personal PSN ID, and the registry through which every
storage module declares its rows about a user, so `/me show` lists them all and `/me delete` erases them all.

A storage module whose table holds a user id calls `register_user_data(UserColumn(...))` once, at import
(see the bottom of links.py and leagues.py). `tests/storage/test_users.py` enumerates every column of the
schema that holds a user id (`member_id`, `user_id`, `*_by`) and fails when one is not registered, so a new
table cannot be forgotten.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Database, from_db_time, to_db_time

# Anything that can be shown about one user is bounded: one user cannot have more rows than this listed.
MAX_ROWS_SHOWN_PER_KIND = 100


class Erase(enum.Enum):
    DELETE_ROW = "delete"  # the row is about the user (a link, a personal PSN): it goes
    CLEAR_USER = "clear"  # the row belongs to a server (a league they created): only their id is cleared


# What a cleared user column holds afterwards (no Discord id is 0).
CLEARED_USER_ID = 0


@dataclass(frozen=True)
class UserColumn:
    """One table column that holds a Discord user id, and how its rows are shown and erased.

    `kind` names the rows for the ui (bot/ui/personal.py words each kind); `shown` are the columns a
    user sees in `/me show` (never another user's id). Table and column names are constants of the
    code, never user input."""

    kind: str
    table: str
    column: str
    erase: Erase
    shown: tuple[str, ...]


@dataclass(frozen=True)
class UserRow:
    kind: str
    guild_id: int | None
    values: dict[str, str]


_REGISTRY: dict[tuple[str, str], UserColumn] = {}


def register_user_data(*columns: UserColumn) -> None:
    for column in columns:
        _REGISTRY[(column.table, column.column)] = column


def registered_user_data() -> list[UserColumn]:
    return list(_REGISTRY.values())


@dataclass(frozen=True)
class PersonalPsn:
    user_id: int
    psn_id: str
    set_at: datetime


class UserDataStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    # --- the personal PSN ID -----------------------------------------------------------------------

    async def personal_psn(self, user_id: int) -> PersonalPsn | None:
        row = await self._db.fetch_one("SELECT * FROM personal_psn WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        return PersonalPsn(row["user_id"], row["psn_id"], from_db_time(row["set_at"]))

    async def set_personal_psn(self, user_id: int, psn_id: str, at: datetime) -> PersonalPsn | None:
        """Store the user's personal PSN ID; returns the one it replaced."""
        async with self._db.transaction() as connection:
            async with connection.execute(
                "SELECT * FROM personal_psn WHERE user_id = ?", (user_id,)
            ) as cursor:
                previous = await cursor.fetchone()
            await connection.execute(
                "INSERT INTO personal_psn (user_id, psn_id, set_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET psn_id = excluded.psn_id, set_at = excluded.set_at",
                (user_id, psn_id, to_db_time(at)),
            )
        if previous is None:
            return None
        return PersonalPsn(previous["user_id"], previous["psn_id"], from_db_time(previous["set_at"]))

    async def clear_personal_psn(self, user_id: int) -> str | None:
        async with (
            self._db.transaction() as connection,
            connection.execute(
                "DELETE FROM personal_psn WHERE user_id = ? RETURNING psn_id", (user_id,)
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return str(row["psn_id"]) if row else None

    # --- everything about a user -------------------------------------------------------------------

    async def _present(self) -> list[UserColumn]:
        """The registered columns whose table exists in this database."""
        rows = await self._db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {row["name"] for row in rows}
        return [column for column in registered_user_data() if column.table in tables]

    async def rows_about(self, user_id: int) -> list[UserRow]:
        """Every stored row about the user, kind by kind (each kind bounded)."""
        found: list[UserRow] = []
        for column in await self._present():
            has_guild = "guild_id" in column.shown or await self._has_guild_column(column.table)
            selected = ", ".join(f'"{name}"' for name in column.shown)
            guild = ', "guild_id"' if has_guild and "guild_id" not in column.shown else ""
            rows = await self._db.fetch_all(
                f'SELECT {selected}{guild} FROM "{column.table}" WHERE "{column.column}" = ? LIMIT ?',
                (user_id, MAX_ROWS_SHOWN_PER_KIND),
            )
            for row in rows:
                values = {name: "" if row[name] is None else str(row[name]) for name in column.shown}
                guild_id = int(row["guild_id"]) if has_guild and row["guild_id"] is not None else None
                found.append(UserRow(column.kind, guild_id, values))
        return found

    async def _has_guild_column(self, table: str) -> bool:
        row = await self._db.fetch_one("SELECT 1 FROM pragma_table_info(?) WHERE name = 'guild_id'", (table,))
        return row is not None

    async def erase_user(self, user_id: int) -> dict[str, int]:
        """Delete (or clear the user from) every registered row about the user, in one transaction;
        returns the rows touched per kind."""
        touched: dict[str, int] = {}
        columns = await self._present()
        async with self._db.transaction() as connection:
            await connection.execute("PRAGMA defer_foreign_keys = ON")
            for column in columns:
                if column.erase is Erase.DELETE_ROW:
                    sql = f'DELETE FROM "{column.table}" WHERE "{column.column}" = ?'
                    parameters: tuple[int, ...] = (user_id,)
                else:
                    sql = f'UPDATE "{column.table}" SET "{column.column}" = ? WHERE "{column.column}" = ?'
                    parameters = (CLEARED_USER_ID, user_id)
                cursor = await connection.execute(sql, parameters)
                if cursor.rowcount:
                    touched[column.kind] = touched.get(column.kind, 0) + cursor.rowcount
        return touched


register_user_data(
    UserColumn(
        kind="personal_psn",
        table="personal_psn",
        column="user_id",
        erase=Erase.DELETE_ROW,
        shown=("psn_id", "set_at"),
    )
)

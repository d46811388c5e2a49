"""League sign-ups and their entries: the grid is the first `max_grid` entries in joining order."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.database import Database, from_db_time, to_db_time
from bot.storage.users import Erase, UserColumn, register_user_data


@dataclass(frozen=True)
class Signup:
    id: int
    guild_id: int
    league_id: int
    channel_id: int
    message_id: int | None
    max_grid: int | None
    min_dr: str | None
    min_dr_points: int | None
    min_sr: str | None
    closes_at: datetime | None
    opened_by: int
    opened_at: datetime
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Entry:
    id: int
    member_id: int
    psn_id: str
    joined_at: datetime


class SignupAlreadyOpenError(Exception):
    """The league already has an open sign-up."""


def _signup(row: aiosqlite.Row) -> Signup:
    opened_at = from_db_time(row["opened_at"])
    assert opened_at is not None
    return Signup(
        id=row["id"],
        guild_id=row["guild_id"],
        league_id=row["league_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        max_grid=row["max_grid"],
        min_dr=row["min_dr"],
        min_dr_points=row["min_dr_points"],
        min_sr=row["min_sr"],
        closes_at=from_db_time(row["closes_at"]),
        opened_by=row["opened_by"],
        opened_at=opened_at,
        closed_at=from_db_time(row["closed_at"]),
    )


def _entry(row: aiosqlite.Row) -> Entry:
    joined_at = from_db_time(row["joined_at"])
    assert joined_at is not None
    return Entry(id=row["id"], member_id=row["member_id"], psn_id=row["psn_id"], joined_at=joined_at)


class SignupStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def open(
        self,
        *,
        guild_id: int,
        league_id: int,
        channel_id: int,
        max_grid: int | None,
        min_dr: str | None,
        min_dr_points: int | None,
        min_sr: str | None,
        closes_at: datetime | None,
        opened_by: int,
        now: datetime,
    ) -> Signup:
        try:
            async with (
                self._db.transaction() as connection,
                connection.execute(
                    "INSERT INTO league_signups (guild_id, league_id, channel_id, max_grid, min_dr, "
                    "min_dr_points, min_sr, closes_at, opened_by, opened_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                    (
                        guild_id,
                        league_id,
                        channel_id,
                        max_grid,
                        min_dr,
                        min_dr_points,
                        min_sr,
                        to_db_time(closes_at, precision="seconds") if closes_at else None,
                        opened_by,
                        to_db_time(now, precision="seconds"),
                    ),
                ) as cursor,
            ):
                row = await cursor.fetchone()
        except sqlite3.IntegrityError:
            raise SignupAlreadyOpenError from None
        assert row is not None
        return _signup(row)

    async def set_message(self, signup_id: int, message_id: int) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE league_signups SET message_id = ? WHERE id = ?", (message_id, signup_id)
            )

    async def discard(self, signup_id: int) -> None:
        """Forget a sign-up whose message could not be posted."""
        async with self._db.transaction() as connection:
            await connection.execute("DELETE FROM league_signups WHERE id = ?", (signup_id,))

    async def get(self, signup_id: int) -> Signup | None:
        row = await self._db.fetch_one("SELECT * FROM league_signups WHERE id = ?", (signup_id,))
        return _signup(row) if row else None

    async def latest(self, league_id: int) -> Signup | None:
        row = await self._db.fetch_one(
            "SELECT * FROM league_signups WHERE league_id = ? ORDER BY id DESC LIMIT 1", (league_id,)
        )
        return _signup(row) if row else None

    async def all_open(self) -> list[Signup]:
        rows = await self._db.fetch_all("SELECT * FROM league_signups WHERE closed_at IS NULL ORDER BY id")
        return [_signup(row) for row in rows]

    async def due_to_close(self, now: datetime) -> list[Signup]:
        rows = await self._db.fetch_all(
            "SELECT * FROM league_signups WHERE closed_at IS NULL AND closes_at IS NOT NULL "
            "AND closes_at <= ? ORDER BY id",
            (to_db_time(now, precision="seconds"),),
        )
        return [_signup(row) for row in rows]

    async def close(self, signup_id: int, now: datetime) -> bool:
        """Close once: True only for the call that closed it."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE league_signups SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                (to_db_time(now, precision="seconds"), signup_id),
            )
            return cursor.rowcount > 0

    async def entries(self, signup_id: int) -> list[Entry]:
        rows = await self._db.fetch_all(
            "SELECT * FROM signup_entries WHERE signup_id = ? ORDER BY id", (signup_id,)
        )
        return [_entry(row) for row in rows]

    async def add_entry(
        self, signup: Signup, member_id: int, psn_id: str, now: datetime, *, limit: int
    ) -> tuple[bool, list[Entry]]:
        """Add the member (once: the UNIQUE constraints refuse a second row); returns (added, all entries).

        Returns added=False when the member or the PSN ID is already in; raises OverflowError at `limit`."""
        async with self._db.transaction() as connection:
            async with connection.execute(
                "SELECT COUNT(*) FROM signup_entries WHERE signup_id = ?", (signup.id,)
            ) as cursor:
                row = await cursor.fetchone()
            count = int(row[0]) if row else 0
            async with connection.execute(
                "INSERT INTO signup_entries (guild_id, signup_id, member_id, psn_id, joined_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (signup.guild_id, signup.id, member_id, psn_id, to_db_time(now, precision="seconds")),
            ) as cursor:
                added = cursor.rowcount > 0
            if added and count >= limit:
                raise OverflowError(limit)  # rolls the insert back
        return added, await self.entries(signup.id)

    async def remove_entry(self, signup_id: int, member_id: int) -> Entry | None:
        async with (
            self._db.transaction() as connection,
            connection.execute(
                "DELETE FROM signup_entries WHERE signup_id = ? AND member_id = ? RETURNING *",
                (signup_id, member_id),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return _entry(row) if row else None


# A sign-up entry is the member's own (/me delete removes it); the sign-up belongs to its server, so only
# who opened it is cleared.
register_user_data(
    UserColumn(
        kind="signup_entry",
        table="signup_entries",
        column="member_id",
        erase=Erase.DELETE_ROW,
        shown=("guild_id", "psn_id", "joined_at"),
    ),
    UserColumn(
        kind="signup_opened",
        table="league_signups",
        column="opened_by",
        erase=Erase.CLEAR_USER,
        shown=("guild_id", "opened_at"),
    ),
)

"""The race calendar of a league, each race's check-in message and the drivers' answers (attendance)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

import aiosqlite

from bot.storage.database import Database, from_db_time, to_db_time
from bot.storage.leagues import add_notice
from bot.storage.users import Erase, UserColumn, register_user_data

MAX_RACES_PER_LEAGUE = 100


@dataclass(frozen=True)
class Race:
    id: int
    guild_id: int
    league_id: int
    starts_at: datetime
    duration: timedelta
    track: str | None
    car: str | None
    notes: str | None
    checkin_hours: int
    event_id: int | None
    checkin_channel_id: int | None
    checkin_message_id: int | None
    reminded_at: datetime | None
    checkin_closed_at: datetime | None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + self.duration

    @property
    def checkin_opens_at(self) -> datetime:
        return self.starts_at - timedelta(hours=self.checkin_hours)


@dataclass(frozen=True)
class Answer:
    psn_id: str
    member_id: int
    status: str  # "in" or "out"
    answered_at: datetime


class RaceFields(Protocol):
    """What an organiser sets on a race (the league-night service's `RaceDetails`)."""

    @property
    def starts_at(self) -> datetime: ...
    @property
    def duration(self) -> timedelta: ...
    @property
    def track(self) -> str | None: ...
    @property
    def car(self) -> str | None: ...
    @property
    def notes(self) -> str | None: ...
    @property
    def checkin_hours(self) -> int: ...


def _field_values(fields: RaceFields) -> tuple[str, int, str | None, str | None, str | None, int]:
    """The columns starts_at, duration_minutes, track, car, notes, checkin_hours, in that order."""
    return (
        to_db_time(fields.starts_at, precision="seconds"),
        int(fields.duration.total_seconds() // 60),
        fields.track,
        fields.car,
        fields.notes,
        fields.checkin_hours,
    )


def _race(row: aiosqlite.Row) -> Race:
    starts_at = from_db_time(row["starts_at"])
    assert starts_at is not None
    return Race(
        id=row["id"],
        guild_id=row["guild_id"],
        league_id=row["league_id"],
        starts_at=starts_at,
        duration=timedelta(minutes=row["duration_minutes"]),
        track=row["track"],
        car=row["car"],
        notes=row["notes"],
        checkin_hours=row["checkin_hours"],
        event_id=row["event_id"],
        checkin_channel_id=row["checkin_channel_id"],
        checkin_message_id=row["checkin_message_id"],
        reminded_at=from_db_time(row["reminded_at"]),
        checkin_closed_at=from_db_time(row["checkin_closed_at"]),
    )


class RaceStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(
        self, *, guild_id: int, league_id: int, fields: RaceFields, created_by: int, now: datetime
    ) -> Race:
        async with (
            self._db.transaction() as connection,
            connection.execute(
                "INSERT INTO league_races (guild_id, league_id, starts_at, duration_minutes, track, car, "
                "notes, checkin_hours, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING *",
                (
                    guild_id,
                    league_id,
                    *_field_values(fields),
                    created_by,
                    to_db_time(now, precision="seconds"),
                ),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        assert row is not None
        return _race(row)

    async def update(self, race_id: int, fields: RaceFields) -> Race | None:
        async with (
            self._db.transaction() as connection,
            connection.execute(
                "UPDATE league_races SET starts_at = ?, duration_minutes = ?, track = ?, car = ?, notes = ?, "
                "checkin_hours = ? WHERE id = ? RETURNING *",
                (*_field_values(fields), race_id),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return _race(row) if row else None

    async def set_event(self, race_id: int, event_id: int | None) -> None:
        async with self._db.transaction() as connection:
            await connection.execute("UPDATE league_races SET event_id = ? WHERE id = ?", (event_id, race_id))

    async def remove(self, race_id: int) -> Race | None:
        async with (
            self._db.transaction() as connection,
            connection.execute("DELETE FROM league_races WHERE id = ? RETURNING *", (race_id,)) as cursor,
        ):
            row = await cursor.fetchone()
        return _race(row) if row else None

    async def get(self, race_id: int) -> Race | None:
        row = await self._db.fetch_one("SELECT * FROM league_races WHERE id = ?", (race_id,))
        return _race(row) if row else None

    async def for_league(self, league_id: int) -> list[Race]:
        rows = await self._db.fetch_all(
            "SELECT * FROM league_races WHERE league_id = ? ORDER BY starts_at, id", (league_id,)
        )
        return [_race(row) for row in rows]

    async def count(self, league_id: int) -> int:
        row = await self._db.fetch_one("SELECT COUNT(*) FROM league_races WHERE league_id = ?", (league_id,))
        return int(row[0]) if row else 0

    async def open_checkins(self) -> list[Race]:
        """Races whose check-in message is up and not yet closed (their buttons must work after a restart)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM league_races WHERE checkin_message_id > 0 AND checkin_closed_at IS NULL"
        )
        return [_race(row) for row in rows]

    async def pending(self) -> list[Race]:
        """Races whose check-in is not closed yet (the loop looks at these)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM league_races WHERE checkin_closed_at IS NULL ORDER BY starts_at"
        )
        return [_race(row) for row in rows]

    async def claim_checkin(self, race_id: int, channel_id: int) -> bool:
        """Mark the check-in as being posted (once); the message id follows with `set_checkin_message`."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE league_races SET checkin_channel_id = ?, checkin_message_id = 0 "
                "WHERE id = ? AND checkin_message_id IS NULL",
                (channel_id, race_id),
            )
            return cursor.rowcount > 0

    async def release_checkin(self, race_id: int, max_tries: int, notice: str, now: datetime) -> bool:
        """The check-in post failed: count the try and give the claim back so the loop tries again.

        After `max_tries` failed tries the claim stays (message id 0: no post, no reminder) and `notice`
        is stored for the league's organisers. True when it will be tried again."""
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE league_races SET checkin_post_tries = checkin_post_tries + 1, "
                "checkin_message_id = CASE WHEN checkin_post_tries + 1 >= ? THEN 0 ELSE NULL END "
                "WHERE id = ? AND checkin_message_id = 0",
                (max_tries, race_id),
            )
            cursor = await connection.execute(
                "SELECT checkin_message_id, league_id FROM league_races WHERE id = ?", (race_id,)
            )
            row = await cursor.fetchone()
            if row is None or row["checkin_message_id"] is None:
                return row is not None
            await add_notice(connection, row["league_id"], notice, now)
            return False

    async def set_checkin_message(self, race_id: int, message_id: int) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE league_races SET checkin_message_id = ? WHERE id = ?", (message_id, race_id)
            )

    async def claim_reminder(self, race_id: int, now: datetime) -> bool:
        return await self._stamp_once(race_id, "reminded_at", now)

    async def close_checkin(self, race_id: int, now: datetime) -> bool:
        return await self._stamp_once(race_id, "checkin_closed_at", now)

    async def _stamp_once(
        self, race_id: int, column: Literal["reminded_at", "checkin_closed_at"], now: datetime
    ) -> bool:
        """Set `column` to `now` unless it is set already; True only for the call that set it."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                f"UPDATE league_races SET {column} = ? WHERE id = ? AND {column} IS NULL",
                (to_db_time(now, precision="seconds"), race_id),
            )
            return cursor.rowcount > 0

    # --- attendance --------------------------------------------------------------------------------

    async def answer(self, race: Race, psn_id: str, member_id: int, status: str, now: datetime) -> bool:
        """Record (or change) a driver's answer; False when it is the answer already stored."""
        try:
            async with self._db.transaction() as connection:
                cursor = await connection.execute(
                    "INSERT INTO race_attendance (guild_id, race_id, psn_id, member_id, status, answered_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (race_id, psn_id) DO UPDATE SET "
                    "status = excluded.status, member_id = excluded.member_id, "
                    "answered_at = excluded.answered_at WHERE status <> excluded.status",
                    (race.guild_id, race.id, psn_id, member_id, status, to_db_time(now, precision="seconds")),
                )
                return cursor.rowcount > 0
        except sqlite3.IntegrityError:
            return False

    async def answers(self, race_id: int) -> list[Answer]:
        rows = await self._db.fetch_all(
            "SELECT * FROM race_attendance WHERE race_id = ? ORDER BY answered_at, psn_id", (race_id,)
        )
        return [_answer(row) for row in rows]

    async def league_answers(self, league_id: int) -> dict[int, list[Answer]]:
        rows = await self._db.fetch_all(
            "SELECT a.* FROM race_attendance AS a JOIN league_races AS r ON r.id = a.race_id "
            "WHERE r.league_id = ? ORDER BY a.race_id, a.psn_id",
            (league_id,),
        )
        found: dict[int, list[Answer]] = {}
        for row in rows:
            found.setdefault(row["race_id"], []).append(_answer(row))
        return found

    # --- notes -------------------------------------------------------------------------------------

    async def note_events_refused(self, guild_id: int, now: datetime) -> bool:
        """True the first time only: the organisers are told once that events cannot be created."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO league_night_notes (guild_id, events_refused_at) VALUES (?, ?) "
                "ON CONFLICT (guild_id) DO UPDATE SET events_refused_at = excluded.events_refused_at "
                "WHERE events_refused_at IS NULL",
                (guild_id, to_db_time(now, precision="seconds")),
            )
            return cursor.rowcount > 0


def _answer(row: aiosqlite.Row) -> Answer:
    answered_at = from_db_time(row["answered_at"])
    assert answered_at is not None
    return Answer(
        psn_id=row["psn_id"], member_id=row["member_id"], status=row["status"], answered_at=answered_at
    )


# A check-in answer is the member's own (/me delete removes it); a race belongs to its server, so only who
# added it is cleared.
register_user_data(
    UserColumn(
        kind="race_answer",
        table="race_attendance",
        column="member_id",
        erase=Erase.DELETE_ROW,
        shown=("guild_id", "psn_id", "status", "answered_at"),
    ),
    UserColumn(
        kind="race_created",
        table="league_races",
        column="created_by",
        erase=Erase.CLEAR_USER,
        shown=("guild_id", "starts_at", "track"),
    ),
)

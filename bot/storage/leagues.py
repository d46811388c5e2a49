"""Leagues, their rosters, the positions of their last post, and notices for their organisers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import aiosqlite

from bot.storage.database import Database, from_db_time, to_db_time
from bot.storage.users import Erase, UserColumn, register_user_data

MAX_ROSTER = 200
MAX_LEAGUES_PER_GUILD = 25  # Discord shows at most 25 autocomplete choices
CLAIMS_KEPT = timedelta(days=120)  # how far back claimed due times are remembered (league_posts)
# The condition under which a write after a post may move it on: it is still due when it was read.
_STILL_DUE = " AND next_post_at IS ?"
# A next post time is stored only while the league has a schedule.
_NEXT_IF_SCHEDULED = "next_post_at = CASE WHEN schedule_weekday IS NULL THEN NULL ELSE ? END"


async def add_notice(connection: aiosqlite.Connection, league_id: int, message: str, now: datetime) -> None:
    """Store a notice for the league's organisers, inside the caller's transaction."""
    await connection.execute(
        "INSERT INTO league_notices (guild_id, league_id, message, created_at) "
        "SELECT guild_id, id, ?, ? FROM leagues WHERE id = ?",
        (message, to_db_time(now, precision="seconds"), league_id),
    )


@dataclass(frozen=True)
class Schedule:
    weekday: int  # 0 = Monday, as datetime.weekday()
    at: time  # local wall-clock time
    timezone: str  # IANA name, e.g. "Europe/London"


@dataclass(frozen=True)
class League:
    id: int
    guild_id: int
    name: str
    series_id: int
    channel_id: int
    created_by: int
    created_at: datetime
    schedule: Schedule | None
    next_post_at: datetime | None
    last_posted_at: datetime | None
    failed_attempts: int
    paused_reason: str | None

    @property
    def paused(self) -> bool:
        return self.paused_reason is not None


@dataclass(frozen=True)
class Notice:
    id: int
    league_id: int
    message: str
    created_at: datetime


class LeagueExistsError(Exception):
    """A league of that name already exists in the guild."""


class TooManyLeaguesError(Exception):
    """The guild already runs MAX_LEAGUES_PER_GUILD leagues."""


class RosterFullError(Exception):
    """Adding would take the roster over its limit; nothing was added."""

    def __init__(self, current: int, adding: int, limit: int = MAX_ROSTER) -> None:
        super().__init__(f"roster of {current} + {adding} new drivers is over {limit}")
        self.current = current
        self.adding = adding
        self.limit = limit


def _league(row: aiosqlite.Row) -> League:
    schedule = None
    if row["schedule_weekday"] is not None:
        schedule = Schedule(
            weekday=row["schedule_weekday"],
            at=time.fromisoformat(row["schedule_time"]),
            timezone=row["schedule_tz"],
        )
    created_at = from_db_time(row["created_at"])
    assert created_at is not None
    return League(
        id=row["id"],
        guild_id=row["guild_id"],
        name=row["name"],
        series_id=row["series_id"],
        channel_id=row["channel_id"],
        created_by=row["created_by"],
        created_at=created_at,
        schedule=schedule,
        next_post_at=from_db_time(row["next_post_at"]),
        last_posted_at=from_db_time(row["last_posted_at"]),
        failed_attempts=row["failed_attempts"],
        paused_reason=row["paused_reason"],
    )


class LeagueStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    # --- leagues -----------------------------------------------------------------------------------

    async def create(
        self, guild_id: int, name: str, series_id: int, channel_id: int, created_by: int, now: datetime
    ) -> League:
        async with self._db.transaction() as connection:
            async with connection.execute(
                "SELECT COUNT(*) AS n, SUM(name = ?) AS same FROM leagues WHERE guild_id = ?",
                (name, guild_id),
            ) as cursor:
                row = await cursor.fetchone()
            if row is not None and row["same"]:
                raise LeagueExistsError(name)
            if row is not None and row["n"] >= MAX_LEAGUES_PER_GUILD:
                raise TooManyLeaguesError(name)
            async with connection.execute(
                "INSERT INTO leagues (guild_id, name, series_id, channel_id, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
                (guild_id, name, series_id, channel_id, created_by, to_db_time(now, precision="seconds")),
            ) as cursor:
                created = await cursor.fetchone()
        assert created is not None
        return _league(created)

    async def update_target(
        self, league_id: int, series_id: int, channel_id: int, next_post_at: datetime | None
    ) -> League:
        """A new series or channel. Positions of another series mean nothing, so they go; a pause ends."""
        async with self._db.transaction() as connection:
            async with connection.execute(
                "SELECT series_id FROM leagues WHERE id = ?", (league_id,)
            ) as cursor:
                before = await cursor.fetchone()
            if before is not None and before["series_id"] != series_id:
                await connection.execute("DELETE FROM league_positions WHERE league_id = ?", (league_id,))
            async with connection.execute(
                f"UPDATE leagues SET series_id = ?, channel_id = ?, {_NEXT_IF_SCHEDULED}, "
                "failed_attempts = 0, paused_reason = NULL WHERE id = ? RETURNING *",
                (
                    series_id,
                    channel_id,
                    to_db_time(next_post_at, precision="seconds") if next_post_at else None,
                    league_id,
                ),
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return _league(row)

    async def get(self, league_id: int) -> League | None:
        row = await self._db.fetch_one("SELECT * FROM leagues WHERE id = ?", (league_id,))
        return _league(row) if row else None

    async def find(self, guild_id: int, name: str) -> League | None:
        row = await self._db.fetch_one(
            "SELECT * FROM leagues WHERE guild_id = ? AND name = ?", (guild_id, name.strip())
        )
        return _league(row) if row else None

    async def for_guild(self, guild_id: int) -> list[League]:
        rows = await self._db.fetch_all("SELECT * FROM leagues WHERE guild_id = ? ORDER BY name", (guild_id,))
        return [_league(row) for row in rows]

    async def delete(self, league_id: int) -> bool:
        async with self._db.transaction() as connection:
            cursor = await connection.execute("DELETE FROM leagues WHERE id = ?", (league_id,))
            return cursor.rowcount > 0

    # --- roster ------------------------------------------------------------------------------------

    async def roster(self, league_id: int) -> list[str]:
        rows = await self._db.fetch_all(
            "SELECT psn_id FROM league_drivers WHERE league_id = ? ORDER BY added_at, psn_id COLLATE NOCASE",
            (league_id,),
        )
        return [row["psn_id"] for row in rows]

    async def add_drivers(
        self, league: League, psn_ids: Iterable[str], now: datetime, *, limit: int = MAX_ROSTER
    ) -> tuple[list[str], list[str]]:
        """Add the new ones; returns (added, already in the roster). Over `limit`: nothing is added."""
        wanted = list(psn_ids)
        async with self._db.transaction() as connection:
            async with connection.execute(
                "SELECT psn_id FROM league_drivers WHERE league_id = ?", (league.id,)
            ) as cursor:
                present = {row["psn_id"].lower() for row in await cursor.fetchall()}
            added = [psn for psn in wanted if psn.lower() not in present]
            already = [psn for psn in wanted if psn.lower() in present]
            if len(present) + len(added) > limit:
                raise RosterFullError(len(present), len(added), limit)
            await connection.executemany(
                "INSERT INTO league_drivers (guild_id, league_id, psn_id, added_at) VALUES (?, ?, ?, ?)",
                [(league.guild_id, league.id, psn, to_db_time(now, precision="seconds")) for psn in added],
            )
        return added, already

    async def remove_drivers(self, league_id: int, psn_ids: Iterable[str]) -> list[str]:
        """Remove those present; returns the removed PSN IDs as they were stored."""
        removed: list[str] = []
        async with self._db.transaction() as connection:
            for psn in psn_ids:
                async with connection.execute(
                    "DELETE FROM league_drivers WHERE league_id = ? AND psn_id = ? RETURNING psn_id",
                    (league_id, psn),
                ) as cursor:
                    row = await cursor.fetchone()
                if row is not None:
                    removed.append(row["psn_id"])
        return removed

    # --- schedule ----------------------------------------------------------------------------------

    async def set_schedule(self, league_id: int, schedule: Schedule, next_post_at: datetime) -> League:
        """Start (or change) the weekly post; this also ends a pause."""
        async with (
            self._db.transaction() as connection,
            connection.execute(
                "UPDATE leagues SET schedule_weekday = ?, schedule_time = ?, schedule_tz = ?, "
                "next_post_at = ?, failed_attempts = 0, paused_reason = NULL WHERE id = ? RETURNING *",
                (
                    schedule.weekday,
                    schedule.at.strftime("%H:%M"),
                    schedule.timezone,
                    to_db_time(next_post_at, precision="seconds"),
                    league_id,
                ),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        assert row is not None
        return _league(row)

    async def clear_schedule(self, league_id: int) -> League:
        async with (
            self._db.transaction() as connection,
            connection.execute(
                "UPDATE leagues SET schedule_weekday = NULL, schedule_time = NULL, schedule_tz = NULL, "
                "next_post_at = NULL, failed_attempts = 0, paused_reason = NULL WHERE id = ? RETURNING *",
                (league_id,),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        assert row is not None
        return _league(row)

    async def due(self, now: datetime) -> list[League]:
        rows = await self._db.fetch_all(
            "SELECT * FROM leagues WHERE next_post_at IS NOT NULL AND next_post_at <= ? "
            "ORDER BY next_post_at, id",
            (to_db_time(now, precision="seconds"),),
        )
        return [_league(row) for row in rows]

    async def next_post_time(self) -> datetime | None:
        row = await self._db.fetch_one(
            "SELECT MIN(next_post_at) AS next FROM leagues WHERE next_post_at IS NOT NULL"
        )
        return from_db_time(row["next"]) if row else None

    async def retry_later(self, league_id: int, at: datetime, *, due_at: datetime | None = None) -> None:
        """Try the post again at `at`. With `due_at`, only if the post is still due then (not changed)."""
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE leagues SET next_post_at = ?, failed_attempts = failed_attempts + 1 "
                f"WHERE id = ? AND schedule_weekday IS NOT NULL{_STILL_DUE if due_at else ''}",
                (
                    to_db_time(at, precision="seconds"),
                    league_id,
                    *([to_db_time(due_at, precision="seconds")] if due_at else []),
                ),
            )

    async def skip_to(
        self,
        league_id: int,
        next_post_at: datetime,
        notice: str,
        now: datetime,
        *,
        due_at: datetime | None = None,
    ) -> None:
        """Give up on this week's post: move on to the next one and tell the organisers why."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE leagues SET next_post_at = ?, failed_attempts = 0 "
                f"WHERE id = ? AND schedule_weekday IS NOT NULL{_STILL_DUE if due_at else ''}",
                (
                    to_db_time(next_post_at, precision="seconds"),
                    league_id,
                    *([to_db_time(due_at, precision="seconds")] if due_at else []),
                ),
            )
            if cursor.rowcount > 0:
                await add_notice(connection, league_id, notice, now)

    async def move_on(self, league_id: int, due_at: datetime, next_post_at: datetime | None) -> bool:
        """Move a post due at `due_at` to `next_post_at` (None: no next post), unless it changed meanwhile.

        Without a schedule there is never a next post, whatever `next_post_at` says."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                f"UPDATE leagues SET {_NEXT_IF_SCHEDULED}, failed_attempts = 0 WHERE id = ?{_STILL_DUE}",
                (
                    to_db_time(next_post_at, precision="seconds") if next_post_at else None,
                    league_id,
                    to_db_time(due_at, precision="seconds"),
                ),
            )
            return cursor.rowcount > 0

    async def claim_post(self, league: League, due_at: datetime, now: datetime) -> bool:
        """Take the league's post for `due_at` before making it; False when it was taken already.

        The table's primary key makes this hold across runs, restarts and processes, not only under the
        in-memory lock. Claims older than CLAIMS_KEPT before this one are pruned, so the table stays small.
        """
        async with self._db.transaction() as connection:
            await connection.execute(
                "DELETE FROM league_posts WHERE league_id = ? AND due_at < ?",
                (league.id, to_db_time(due_at - CLAIMS_KEPT, precision="seconds")),
            )
            cursor = await connection.execute(
                "INSERT INTO league_posts (guild_id, league_id, due_at, claimed_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (league_id, due_at) DO NOTHING",
                (
                    league.guild_id,
                    league.id,
                    to_db_time(due_at, precision="seconds"),
                    to_db_time(now, precision="seconds"),
                ),
            )
            return cursor.rowcount > 0

    async def pause(self, league_id: int, reason: str, now: datetime) -> None:
        """Stop the schedule (kept, so `/league schedule` can resume it) and tell the organisers once."""
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE leagues SET next_post_at = NULL, failed_attempts = 0, paused_reason = ? WHERE id = ?",
                (reason, league_id),
            )
            await add_notice(connection, league_id, reason, now)

    # --- posts -------------------------------------------------------------------------------------

    async def previous_positions(self, league_id: int) -> dict[str, int]:
        rows = await self._db.fetch_all(
            "SELECT psn_id, position FROM league_positions WHERE league_id = ?", (league_id,)
        )
        return {row["psn_id"].lower(): row["position"] for row in rows}

    async def record_post(
        self,
        league: League,
        positions: Mapping[str, int],
        posted_at: datetime,
        *,
        due_at: datetime | None = None,
        next_post_at: datetime | None = None,
    ) -> None:
        """The positions just posted replace the previous ones, in the same transaction as the next run.

        A scheduled post gives the `due_at` it was made for: the post moves from there to `next_post_at`
        (None: there is no next one), unless a schedule change has moved it meanwhile, whose time is kept;
        a league without a schedule never keeps a next post. A post by hand (no `due_at`) leaves the
        schedule as it is, and may not name a next post time.
        """
        if next_post_at is not None and due_at is None:
            raise ValueError("a next post time comes only with the due time of the post that was made")
        async with self._db.transaction() as connection:
            await connection.execute("DELETE FROM league_positions WHERE league_id = ?", (league.id,))
            await connection.executemany(
                "INSERT INTO league_positions (guild_id, league_id, psn_id, position, posted_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (league.guild_id, league.id, psn, position, to_db_time(posted_at, precision="seconds"))
                    for psn, position in positions.items()
                ],
            )
            await connection.execute(
                "UPDATE leagues SET last_posted_at = ? WHERE id = ?",
                (to_db_time(posted_at, precision="seconds"), league.id),
            )
            if due_at is not None:
                await connection.execute(
                    f"UPDATE leagues SET {_NEXT_IF_SCHEDULED}, failed_attempts = 0 WHERE id = ?{_STILL_DUE}",
                    (
                        to_db_time(next_post_at, precision="seconds") if next_post_at else None,
                        league.id,
                        to_db_time(due_at, precision="seconds"),
                    ),
                )

    # --- notices -----------------------------------------------------------------------------------

    async def pending_notices(self, guild_id: int) -> list[Notice]:
        rows = await self._db.fetch_all(
            "SELECT id, league_id, message, created_at FROM league_notices "
            "WHERE guild_id = ? AND reported_at IS NULL ORDER BY id",
            (guild_id,),
        )
        return [
            Notice(row["id"], row["league_id"], row["message"], from_db_time(row["created_at"]))
            for row in rows
        ]

    async def mark_reported(self, notice_ids: Iterable[int], now: datetime) -> None:
        ids = list(notice_ids)
        if not ids:
            return
        async with self._db.transaction() as connection:
            await connection.executemany(
                "UPDATE league_notices SET reported_at = ? WHERE id = ?",
                [(to_db_time(now, precision="seconds"), i) for i in ids],
            )


# A league belongs to its server: /me delete only clears who created it.
register_user_data(
    UserColumn(
        kind="league_created",
        table="leagues",
        column="created_by",
        erase=Erase.CLEAR_USER,
        shown=("guild_id", "name", "created_at"),
    )
)

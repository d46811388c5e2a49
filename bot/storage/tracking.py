"""Driver news: tracking settings, opt-outs, last ratings seen, announcements, the refresh ledger."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.gtgridstats.identifiers import chunked
from bot.storage.database import Database, from_db_time, to_db_time
from bot.storage.users import Erase, UserColumn, register_user_data

# Values per `IN (...)` query, well below SQLite's variable limit (as in snapshots.py).
_IN_CHUNK = 400


@dataclass(frozen=True, slots=True)
class TrackingSettings:
    guild_id: int
    channel_id: int | None
    pings: bool
    paused_reason: str | None
    pause_reported: bool
    digest_weekday: int | None
    digest_time: str | None
    digest_timezone: str | None
    digest_next_at: datetime | None

    @property
    def active(self) -> bool:
        return self.channel_id is not None and self.paused_reason is None


@dataclass(frozen=True, slots=True)
class SeenRating:
    psn_id: str
    dr: str | None
    sr: str | None
    dr_points: int | None


@dataclass(frozen=True, slots=True)
class Announcement:
    guild_id: int
    psn_id: str
    rating: str
    before: str
    after: str
    points_after: int | None
    member_id: int
    observed_at: datetime


@dataclass(frozen=True, slots=True)
class StoredLedger:
    period_resets_at: datetime | None
    allowance_left: int | None
    last_call_at: datetime | None


def _settings(r: aiosqlite.Row) -> TrackingSettings:
    return TrackingSettings(
        guild_id=r["guild_id"],
        channel_id=r["channel_id"],
        pings=bool(r["pings"]),
        paused_reason=r["paused_reason"],
        pause_reported=bool(r["pause_reported"]),
        digest_weekday=r["digest_weekday"],
        digest_time=r["digest_time"],
        digest_timezone=r["digest_timezone"],
        digest_next_at=from_db_time(r["digest_next_at"]),
    )


def _text(moment: datetime | None) -> str | None:
    return None if moment is None else to_db_time(moment)


class TrackingStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    # --- settings ----------------------------------------------------------------------------------

    async def get(self, guild_id: int) -> TrackingSettings | None:
        row = await self._db.fetch_one("SELECT * FROM tracking_settings WHERE guild_id = ?", (guild_id,))
        return None if row is None else _settings(row)

    async def _upsert(self, guild_id: int, now: datetime, assignments: str, values: Sequence[object]) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "INSERT INTO tracking_settings (guild_id, updated_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (guild_id, to_db_time(now)),
            )
            # `assignments` is one of this module's constants, never user input.
            await connection.execute(
                f"UPDATE tracking_settings SET {assignments}, updated_at = ? WHERE guild_id = ?",
                (*values, to_db_time(now), guild_id),
            )

    async def set_channel(self, guild_id: int, channel_id: int | None, now: datetime) -> None:
        """A new channel (or off) also lifts a pause."""
        await self._upsert(
            guild_id,
            now,
            "channel_id = ?, paused_reason = NULL, paused_at = NULL, pause_reported = 0",
            (channel_id,),
        )

    async def set_pings(self, guild_id: int, pings: bool, now: datetime) -> None:
        await self._upsert(guild_id, now, "pings = ?", (int(pings),))

    async def set_digest(
        self,
        guild_id: int,
        weekday: int | None,
        local_time: str | None,
        timezone: str | None,
        next_at: datetime | None,
        now: datetime,
    ) -> None:
        await self._upsert(
            guild_id,
            now,
            "digest_weekday = ?, digest_time = ?, digest_timezone = ?, digest_next_at = ?",
            (weekday, local_time, timezone, _text(next_at)),
        )

    async def move_digest(self, guild_id: int, due_at: datetime, next_at: datetime | None) -> bool:
        """Move the digest on from `due_at`; False when another run already did (so it posts once)."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE tracking_settings SET digest_next_at = ? WHERE guild_id = ? AND digest_next_at = ?",
                (_text(next_at), guild_id, to_db_time(due_at)),
            )
            return cursor.rowcount == 1

    async def pause(self, guild_id: int, reason: str, now: datetime) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE tracking_settings SET paused_reason = ?, paused_at = ?, pause_reported = 0 "
                "WHERE guild_id = ?",
                (reason, to_db_time(now), guild_id),
            )

    async def mark_pause_reported(self, guild_id: int) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE tracking_settings SET pause_reported = 1 WHERE guild_id = ?", (guild_id,)
            )

    async def active_guilds(self) -> list[TrackingSettings]:
        rows = await self._db.fetch_all(
            "SELECT * FROM tracking_settings WHERE channel_id IS NOT NULL AND paused_reason IS NULL"
        )
        return [_settings(row) for row in rows]

    async def digests_due(self, now: datetime) -> list[TrackingSettings]:
        rows = await self._db.fetch_all(
            "SELECT * FROM tracking_settings WHERE digest_next_at IS NOT NULL AND digest_next_at <= ? "
            "AND channel_id IS NOT NULL AND paused_reason IS NULL ORDER BY digest_next_at LIMIT 100",
            (to_db_time(now),),
        )
        return [_settings(row) for row in rows]

    async def next_digest_at(self) -> datetime | None:
        row = await self._db.fetch_one(
            "SELECT MIN(digest_next_at) FROM tracking_settings "
            "WHERE channel_id IS NOT NULL AND paused_reason IS NULL"
        )
        return None if row is None else from_db_time(row[0])

    async def links_in(self, guild_ids: Iterable[int]) -> list[tuple[int, int, str]]:
        """(guild id, member id, PSN ID) of every link in these guilds."""
        ids = sorted(set(guild_ids))
        found: list[tuple[int, int, str]] = []
        for chunk in chunked(ids, _IN_CHUNK):
            marks = ",".join("?" * len(chunk))
            rows = await self._db.fetch_all(
                f"SELECT guild_id, member_id, psn_id FROM links WHERE guild_id IN ({marks})", chunk
            )
            found += [(row[0], row[1], row[2]) for row in rows]
        return found

    async def league_soon_drivers(self, now: datetime, until: datetime) -> list[str]:
        """PSN IDs on the roster of a league whose weekly post or a race falls between `now` and `until`."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT league_drivers.psn_id FROM league_drivers JOIN leagues "
            "ON leagues.id = league_drivers.league_id "
            "WHERE (leagues.next_post_at IS NOT NULL AND leagues.next_post_at BETWEEN ? AND ?) "
            "OR EXISTS (SELECT 1 FROM league_races WHERE league_races.league_id = leagues.id "
            "AND league_races.starts_at BETWEEN ? AND ?) "
            "ORDER BY league_drivers.psn_id",
            (
                to_db_time(now, precision="seconds"),
                to_db_time(until, precision="seconds"),
                to_db_time(now, precision="seconds"),
                to_db_time(until, precision="seconds"),
            ),  # the leagues' format
        )
        return [str(row[0]) for row in rows]

    # --- opt-outs ----------------------------------------------------------------------------------

    async def set_opted_out(self, guild_id: int, member_id: int, opted_out: bool, now: datetime) -> None:
        async with self._db.transaction() as connection:
            if opted_out:
                await connection.execute(
                    "INSERT OR IGNORE INTO tracking_optouts (guild_id, member_id, created_at) "
                    "VALUES (?, ?, ?)",
                    (guild_id, member_id, to_db_time(now)),
                )
            else:
                await connection.execute(
                    "DELETE FROM tracking_optouts WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
                )

    async def opted_out(self, guild_id: int) -> set[int]:
        rows = await self._db.fetch_all(
            "SELECT member_id FROM tracking_optouts WHERE guild_id = ?", (guild_id,)
        )
        return {row[0] for row in rows}

    async def is_opted_out(self, guild_id: int, member_id: int) -> bool:
        row = await self._db.fetch_one(
            "SELECT 1 FROM tracking_optouts WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
        )
        return row is not None

    # --- what tracking last compared against -------------------------------------------------------

    async def seen(self, psn_ids: Iterable[str]) -> dict[str, SeenRating]:
        keys = list({psn_id.lower() for psn_id in psn_ids})
        found: dict[str, SeenRating] = {}
        for chunk in chunked(keys, _IN_CHUNK):
            marks = ",".join("?" * len(chunk))
            rows = await self._db.fetch_all(
                f"SELECT psn_id, dr, sr, dr_points FROM tracking_seen WHERE psn_id IN ({marks})", chunk
            )
            for row in rows:
                found[row["psn_id"].lower()] = SeenRating(
                    row["psn_id"], row["dr"], row["sr"], row["dr_points"]
                )
        return found

    async def save_seen(self, ratings: Sequence[SeenRating], now: datetime) -> None:
        async with self._db.transaction() as connection:
            await connection.executemany(
                "INSERT INTO tracking_seen (psn_id, dr, sr, dr_points, seen_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (psn_id) DO UPDATE SET dr = excluded.dr, sr = excluded.sr, "
                "dr_points = excluded.dr_points, seen_at = excluded.seen_at",
                [(r.psn_id, r.dr, r.sr, r.dr_points, to_db_time(now)) for r in ratings],
            )

    # --- announcements -----------------------------------------------------------------------------

    async def claim(self, announcements: Sequence[Announcement]) -> list[Announcement]:
        """Store the announcements; returns those not stored before (the UNIQUE key refuses repeats)."""
        claimed: list[Announcement] = []
        async with self._db.transaction() as connection:
            for item in announcements:
                cursor = await connection.execute(
                    "INSERT OR IGNORE INTO tracking_announcements (guild_id, psn_id, rating, before_class, "
                    "after_class, points_after, member_id, observed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        item.guild_id,
                        item.psn_id,
                        item.rating,
                        item.before,
                        item.after,
                        item.points_after,
                        item.member_id,
                        to_db_time(item.observed_at),
                    ),
                )
                if cursor.rowcount == 1:
                    claimed.append(item)
        return claimed

    async def announcements_since(self, guild_id: int, since: datetime) -> list[Announcement]:
        rows = await self._db.fetch_all(
            "SELECT * FROM tracking_announcements WHERE guild_id = ? AND observed_at >= ? "
            "ORDER BY observed_at LIMIT 500",
            (guild_id, to_db_time(since)),
        )
        return [_announcement(row) for row in rows]

    async def last_change(self, psn_id: str) -> Announcement | None:
        """The latest class change seen for a driver (in any guild: a driver's ratings are public); of a DR
        and an SR change seen at the same moment, the DR one."""
        row = await self._db.fetch_one(
            "SELECT * FROM tracking_announcements WHERE psn_id = ? "
            "ORDER BY observed_at DESC, CASE rating WHEN 'DR' THEN 0 ELSE 1 END LIMIT 1",
            (psn_id,),
        )
        return None if row is None else _announcement(row)

    # --- drivers upstream answered "not found" ----------------------------------------------------

    async def missing_attempts(self) -> dict[str, datetime]:
        """When each driver (lower-cased PSN ID) GT Grid Stats last said it does not know was asked for."""
        rows = await self._db.fetch_all("SELECT psn_id, attempted_at FROM refresh_missing")
        found: dict[str, datetime] = {}
        for row in rows:
            moment = from_db_time(row["attempted_at"])
            if moment is not None:
                found[str(row["psn_id"]).lower()] = moment
        return found

    async def record_missing(self, psn_ids: Iterable[str], now: datetime, prune_before: datetime) -> None:
        """Store an attempt for each driver not found; rows older than `prune_before` go (bounded)."""
        async with self._db.transaction() as connection:
            await connection.executemany(
                "INSERT INTO refresh_missing (psn_id, attempted_at) VALUES (?, ?) "
                "ON CONFLICT (psn_id) DO UPDATE SET attempted_at = excluded.attempted_at",
                [(psn_id.lower(), to_db_time(now)) for psn_id in psn_ids],
            )
            await connection.execute(
                "DELETE FROM refresh_missing WHERE attempted_at < ?", (to_db_time(prune_before),)
            )

    # --- the refresh planner's ledger --------------------------------------------------------------

    async def ledger(self) -> StoredLedger:
        row = await self._db.fetch_one("SELECT * FROM refresh_ledger WHERE id = 1")
        if row is None:
            return StoredLedger(None, None, None)
        return StoredLedger(
            from_db_time(row["period_resets_at"]), row["allowance_left"], from_db_time(row["last_call_at"])
        )

    async def save_ledger(self, ledger: StoredLedger) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "INSERT INTO refresh_ledger (id, period_resets_at, allowance_left, last_call_at) "
                "VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "period_resets_at = excluded.period_resets_at, "
                "allowance_left = excluded.allowance_left, last_call_at = excluded.last_call_at",
                (_text(ledger.period_resets_at), ledger.allowance_left, _text(ledger.last_call_at)),
            )


def _announcement(r: aiosqlite.Row) -> Announcement:
    observed = from_db_time(r["observed_at"])
    assert observed is not None
    return Announcement(
        guild_id=r["guild_id"],
        psn_id=r["psn_id"],
        rating=r["rating"],
        before=r["before_class"],
        after=r["after_class"],
        points_after=r["points_after"],
        member_id=r["member_id"],
        observed_at=observed,
    )


# An opt-out is the member's own (/me delete removes it, so they may be announced again); an announcement
# stays so the same change is never posted twice, with only the member's id cleared.
register_user_data(
    UserColumn(
        kind="news_optout",
        table="tracking_optouts",
        column="member_id",
        erase=Erase.DELETE_ROW,
        shown=("guild_id", "created_at"),
    ),
    UserColumn(
        kind="news_announced",
        table="tracking_announcements",
        column="member_id",
        erase=Erase.CLEAR_USER,
        shown=("guild_id", "psn_id", "observed_at"),
    ),
)

"""Links from a guild member to a PSN ID (and the driver's GUID once known). Scoped by guild."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.database import Database


@dataclass(frozen=True)
class Link:
    guild_id: int
    member_id: int
    psn_id: str
    guid: str | None
    linked_at: datetime


def _link(row: aiosqlite.Row) -> Link:
    return Link(
        guild_id=row["guild_id"],
        member_id=row["member_id"],
        psn_id=row["psn_id"],
        guid=row["guid"],
        linked_at=datetime.fromisoformat(row["linked_at"]),
    )


class LinkStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, guild_id: int, member_id: int) -> Link | None:
        row = await self._db.fetch_one(
            "SELECT * FROM links WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
        )
        return _link(row) if row else None

    async def find_by_psn(self, guild_id: int, psn_id: str) -> Link | None:
        row = await self._db.fetch_one(
            "SELECT * FROM links WHERE guild_id = ? AND psn_id = ?", (guild_id, psn_id)
        )
        return _link(row) if row else None

    async def for_guild(self, guild_id: int) -> list[Link]:
        rows = await self._db.fetch_all(
            "SELECT * FROM links WHERE guild_id = ? ORDER BY linked_at", (guild_id,)
        )
        return [_link(row) for row in rows]

    async def count(self, guild_id: int) -> int:
        row = await self._db.fetch_one("SELECT COUNT(*) FROM links WHERE guild_id = ?", (guild_id,))
        return int(row[0]) if row else 0

    async def set(self, link: Link) -> None:
        """Create or replace the member's link. The caller has checked the PSN is not someone else's."""
        async with self._db.transaction() as connection:
            await connection.execute(
                """
                INSERT INTO links (guild_id, member_id, psn_id, guid, linked_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (guild_id, member_id)
                DO UPDATE SET psn_id = excluded.psn_id, guid = excluded.guid, linked_at = excluded.linked_at
                """,
                (link.guild_id, link.member_id, link.psn_id, link.guid, link.linked_at.isoformat()),
            )

    async def remove(self, guild_id: int, member_id: int) -> Link | None:
        async with (
            self._db.transaction() as connection,
            connection.execute(
                "DELETE FROM links WHERE guild_id = ? AND member_id = ? RETURNING *", (guild_id, member_id)
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return _link(row) if row else None

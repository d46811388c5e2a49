"""Links from a guild member to a PSN ID (and the driver's GUID once known). Scoped by guild."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.database import Database, from_db_time, to_db_time
from bot.storage.users import Erase, UserColumn, register_user_data


@dataclass(frozen=True)
class LinkOutcome:
    """What `claim` did: `link` is the member's link now; `taken_by` is set when another member holds it."""

    link: Link | None
    previous: Link | None
    taken_by: Link | None = None


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
        linked_at=from_db_time(row["linked_at"]),
    )


class LinkStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def _first(self, sql: str, parameters: tuple[object, ...]) -> Link | None:
        row = await self._db.fetch_one(sql, parameters)
        return _link(row) if row else None

    async def get(self, guild_id: int, member_id: int) -> Link | None:
        return await self._first(
            "SELECT * FROM links WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
        )

    async def find_by_psn(self, guild_id: int, psn_id: str) -> Link | None:
        return await self._first("SELECT * FROM links WHERE guild_id = ? AND psn_id = ?", (guild_id, psn_id))

    async def member_and_holder(
        self, guild_id: int, member_id: int, psn_id: str
    ) -> tuple[Link | None, Link | None]:
        """In one read: the member's link, and the link holding `psn_id` in the guild (either may be None)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM links WHERE guild_id = ? AND (member_id = ? OR psn_id = ?)",
            (guild_id, member_id, psn_id),
        )
        links = [_link(row) for row in rows]
        member = next((link for link in links if link.member_id == member_id), None)
        holder = next((link for link in links if link.psn_id.lower() == psn_id.lower()), None)
        return member, holder

    async def for_guild(self, guild_id: int) -> list[Link]:
        rows = await self._db.fetch_all(
            "SELECT * FROM links WHERE guild_id = ? ORDER BY linked_at", (guild_id,)
        )
        return [_link(row) for row in rows]

    async def matching(self, guild_id: int, member_ids: list[int], psn_ids: list[str]) -> list[Link]:
        """In one read: the guild's links of any of these members or PSN IDs (PSN IDs ignore case)."""
        if not member_ids and not psn_ids:
            return []
        members = ", ".join("?" * len(member_ids)) or "NULL"
        psns = ", ".join("?" * len(psn_ids)) or "NULL"
        rows = await self._db.fetch_all(
            f"SELECT * FROM links WHERE guild_id = ? AND (member_id IN ({members}) OR psn_id IN ({psns}))",
            (guild_id, *member_ids, *psn_ids),
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
                (link.guild_id, link.member_id, link.psn_id, link.guid, to_db_time(link.linked_at)),
            )

    async def claim(self, link: Link) -> LinkOutcome:
        """Link the member unless another member of the guild holds the PSN ID (checked, written at once)."""
        async with self._db.transaction() as connection:
            async with connection.execute(
                "SELECT * FROM links WHERE guild_id = ? AND psn_id = ? AND member_id <> ?",
                (link.guild_id, link.psn_id, link.member_id),
            ) as cursor:
                holder = await cursor.fetchone()
            if holder is not None:
                return LinkOutcome(link=None, previous=None, taken_by=_link(holder))
            async with connection.execute(
                "SELECT * FROM links WHERE guild_id = ? AND member_id = ?", (link.guild_id, link.member_id)
            ) as cursor:
                previous = await cursor.fetchone()
            await connection.execute(
                """
                INSERT INTO links (guild_id, member_id, psn_id, guid, linked_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (guild_id, member_id)
                DO UPDATE SET psn_id = excluded.psn_id, guid = excluded.guid, linked_at = excluded.linked_at
                """,
                (link.guild_id, link.member_id, link.psn_id, link.guid, to_db_time(link.linked_at)),
            )
        return LinkOutcome(link=link, previous=_link(previous) if previous else None)

    async def follow_drivers(self, drivers: Sequence[tuple[str, str]]) -> int:
        """Record what a fetch taught us, for (psn_id, guid) pairs: fill in unknown GUIDs, and follow PSN
        renames (a link whose GUID now answers under another PSN ID takes the new one). Returns links renamed.

        A rename that would collide with another member's link of the new PSN ID in the same guild is
        skipped (OR IGNORE): that guild then has two claims on one driver, which a manager has to settle.
        """
        renamed = 0
        async with self._db.transaction() as connection:
            for psn_id, guid in drivers:
                await connection.execute(
                    "UPDATE links SET guid = ? WHERE psn_id = ? AND guid IS NULL", (guid, psn_id)
                )
                cursor = await connection.execute(
                    "UPDATE OR IGNORE links SET psn_id = ? WHERE guid = ? AND psn_id <> ? COLLATE BINARY",
                    (psn_id, guid, psn_id),
                )
                renamed += cursor.rowcount
        return renamed

    async def is_linked_anywhere(self, psn_id: str, guid: str | None = None) -> bool:
        row = await self._db.fetch_one(
            "SELECT 1 FROM links WHERE psn_id = ? OR (? IS NOT NULL AND guid = ?) LIMIT 1",
            (psn_id, guid, guid),
        )
        return row is not None

    async def remove(self, guild_id: int, member_id: int) -> Link | None:
        async with (
            self._db.transaction() as connection,
            connection.execute(
                "DELETE FROM links WHERE guild_id = ? AND member_id = ? RETURNING *", (guild_id, member_id)
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return _link(row) if row else None

    async def release(self, guild_id: int, member_id: int, psn_id: str) -> Link | None:
        """Remove the member's link only if it still holds `psn_id` (the PSN of a member who left)."""
        async with (
            self._db.transaction() as connection,
            connection.execute(
                "DELETE FROM links WHERE guild_id = ? AND member_id = ? AND psn_id = ? RETURNING *",
                (guild_id, member_id, psn_id),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return _link(row) if row else None


# A member's links are theirs: /me delete removes them in every server.
register_user_data(
    UserColumn(
        kind="link",
        table="links",
        column="member_id",
        erase=Erase.DELETE_ROW,
        shown=("guild_id", "psn_id", "linked_at"),
    )
)

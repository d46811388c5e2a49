"""Rank-role mappings per guild (class -> role id, created-by-bot flag) and their paused state."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.gtgridstats.identifiers import chunked
from bot.services.roles import Ladder, MappedRole, Pause, Problem, RoleMapping
from bot.storage.database import Database, to_db_time

_IN_CHUNK = 400


class RoleStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, guild_id: int) -> RoleMapping | None:
        head = await self._db.fetch_one("SELECT * FROM role_mappings WHERE guild_id = ?", (guild_id,))
        if head is None:
            return None
        rows = await self._db.fetch_all(
            "SELECT * FROM role_classes WHERE guild_id = ? ORDER BY ladder, class", (guild_id,)
        )
        roles = tuple(
            MappedRole(
                ladder=Ladder(row["ladder"]),
                class_name=row["class"],
                role_id=int(row["role_id"]),
                created_by_bot=bool(row["created_by_bot"]),
            )
            for row in rows
        )
        pause = None
        if head["paused_reason"] is not None:
            pause = Pause(
                problem=Problem(head["paused_reason"]),
                role_id=head["paused_role_id"],
                ladder=Ladder(head["paused_ladder"]) if head["paused_ladder"] else None,
                class_name=head["paused_class"],
            )
        return RoleMapping(guild_id=guild_id, roles=roles, sr_enabled=bool(head["sr_enabled"]), pause=pause)

    async def save(self, mapping: RoleMapping, now: datetime) -> None:
        """Replace the guild's mapping (its roles, the SR switch and the pause) in one transaction."""
        pause = mapping.pause
        async with self._db.transaction() as connection:
            await connection.execute(
                """
                INSERT INTO role_mappings
                    (guild_id, sr_enabled, paused_reason, paused_role_id, paused_ladder, paused_class,
                     updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (guild_id) DO UPDATE SET
                    sr_enabled = excluded.sr_enabled, paused_reason = excluded.paused_reason,
                    paused_role_id = excluded.paused_role_id, paused_ladder = excluded.paused_ladder,
                    paused_class = excluded.paused_class, updated_at = excluded.updated_at
                """,
                (
                    mapping.guild_id,
                    int(mapping.sr_enabled),
                    pause.problem.value if pause else None,
                    pause.role_id if pause else None,
                    pause.ladder.value if pause and pause.ladder else None,
                    pause.class_name if pause else None,
                    to_db_time(now),
                ),
            )
            await connection.execute("DELETE FROM role_classes WHERE guild_id = ?", (mapping.guild_id,))
            await connection.executemany(
                "INSERT INTO role_classes (guild_id, ladder, class, role_id, created_by_bot) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        mapping.guild_id,
                        role.ladder.value,
                        role.class_name,
                        role.role_id,
                        int(role.created_by_bot),
                    )
                    for role in mapping.roles
                ],
            )

    async def pause(self, guild_id: int, pause: Pause, now: datetime) -> None:
        """Pause updates (only the first reason is kept: a pause is never overwritten by a later one)."""
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE role_mappings SET paused_reason = ?, paused_role_id = ?, paused_ladder = ?, "
                "paused_class = ?, updated_at = ? WHERE guild_id = ? AND paused_reason IS NULL",
                (
                    pause.problem.value,
                    pause.role_id,
                    pause.ladder.value if pause.ladder else None,
                    pause.class_name,
                    to_db_time(now),
                    guild_id,
                ),
            )

    async def delete(self, guild_id: int) -> None:
        async with self._db.transaction() as connection:
            await connection.execute("DELETE FROM role_mappings WHERE guild_id = ?", (guild_id,))

    async def active_guild_ids(self) -> list[int]:
        """Guilds whose rank roles run: a mapping with at least one class, not paused."""
        rows = await self._db.fetch_all(
            "SELECT guild_id FROM role_mappings WHERE paused_reason IS NULL AND EXISTS "
            "(SELECT 1 FROM role_classes WHERE role_classes.guild_id = role_mappings.guild_id) "
            "ORDER BY guild_id"
        )
        return [int(row[0]) for row in rows]

    async def active_links(self, psn_ids: Iterable[str]) -> list[tuple[int, int, str]]:
        """(guild_id, member_id, psn_id) of every link of these drivers in a guild whose roles run."""
        wanted: Sequence[str] = sorted({psn_id.lower() for psn_id in psn_ids})
        found: list[tuple[int, int, str]] = []
        for chunk in chunked(list(wanted), _IN_CHUNK):
            marks = ",".join("?" * len(chunk))
            rows = await self._db.fetch_all(
                "SELECT links.guild_id, links.member_id, links.psn_id FROM links "
                "JOIN role_mappings ON role_mappings.guild_id = links.guild_id "
                f"WHERE role_mappings.paused_reason IS NULL AND links.psn_id IN ({marks}) "
                "ORDER BY links.guild_id, links.member_id",
                tuple(chunk),
            )
            found += [(int(row[0]), int(row[1]), str(row[2])) for row in rows]
        return found

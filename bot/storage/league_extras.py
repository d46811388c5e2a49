"""Penalties, teams and season settings of a league (migration 0010). Every table carries guild_id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.database import Database, from_db_time, to_db_time
from bot.storage.users import Erase, UserColumn, register_user_data

MAX_PENALTIES_PER_LEAGUE = 500
MAX_TEAMS_PER_LEAGUE = 25  # Discord shows at most 25 autocomplete choices
MAX_TEAM_DRIVERS = 16
MAX_REASON_LENGTH = 200
MAX_PENALTY_POINTS = 1000
MAX_SEASON_ROUNDS = 100


@dataclass(frozen=True)
class Penalty:
    id: int
    league_id: int
    psn_id: str
    points: int  # negative: a penalty; positive: a bonus
    round_no: int | None
    reason: str
    given_by: int
    given_at: datetime


@dataclass(frozen=True)
class Team:
    id: int
    league_id: int
    name: str
    drivers: tuple[str, ...]  # PSN IDs, in the order they were added


@dataclass(frozen=True)
class SeasonSettings:
    total_rounds: int | None = None
    max_points_per_round: int | None = None
    team_best_n: int | None = None
    counted_rounds: int | None = None  # how many rounds count at the end (None: not said)


class TooManyPenaltiesError(Exception):
    def __init__(self, limit: int = MAX_PENALTIES_PER_LEAGUE) -> None:
        super().__init__(f"at most {limit} penalties per league")
        self.limit = limit


class TeamExistsError(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(f"team {name} exists")
        self.name = name


class TooManyTeamsError(Exception):
    def __init__(self, limit: int = MAX_TEAMS_PER_LEAGUE) -> None:
        super().__init__(f"at most {limit} teams per league")
        self.limit = limit


class TeamFullError(Exception):
    def __init__(self, name: str, current: int, adding: int, limit: int = MAX_TEAM_DRIVERS) -> None:
        super().__init__(f"team {name}: {current} + {adding} over {limit}")
        self.name = name
        self.current = current
        self.adding = adding
        self.limit = limit


class DriverInOtherTeamError(Exception):
    """A driver is already in another team of the league (nothing was added)."""

    def __init__(self, taken: dict[str, str]) -> None:
        super().__init__(f"{len(taken)} drivers in other teams")
        self.taken = taken  # PSN ID -> the team they are in


def _penalty(row: aiosqlite.Row) -> Penalty:
    given_at = from_db_time(row["given_at"])
    assert given_at is not None
    return Penalty(
        id=row["id"],
        league_id=row["league_id"],
        psn_id=row["psn_id"],
        points=row["points"],
        round_no=row["round_no"],
        reason=row["reason"],
        given_by=row["given_by"],
        given_at=given_at,
    )


class LeagueExtrasStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    # --- penalties ---------------------------------------------------------------------------------

    async def add_penalty(
        self,
        guild_id: int,
        league_id: int,
        psn_id: str,
        points: int,
        round_no: int | None,
        reason: str,
        given_by: int,
        now: datetime,
    ) -> Penalty:
        async with self._db.transaction() as connection:
            async with connection.execute(
                "SELECT COUNT(*) FROM league_penalties WHERE league_id = ?", (league_id,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is not None and row[0] >= MAX_PENALTIES_PER_LEAGUE:
                raise TooManyPenaltiesError()
            cursor = await connection.execute(
                "INSERT INTO league_penalties (guild_id, league_id, psn_id, points, round_no, reason, "
                "given_by, given_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    league_id,
                    psn_id,
                    points,
                    round_no,
                    reason,
                    given_by,
                    to_db_time(now, precision="seconds"),
                ),
            )
            penalty_id = cursor.lastrowid
        assert penalty_id is not None
        found = await self.penalty(league_id, penalty_id)
        assert found is not None
        return found

    async def penalty(self, league_id: int, penalty_id: int) -> Penalty | None:
        row = await self._db.fetch_one(
            "SELECT * FROM league_penalties WHERE league_id = ? AND id = ?", (league_id, penalty_id)
        )
        return _penalty(row) if row is not None else None

    async def penalties(self, league_id: int) -> list[Penalty]:
        rows = await self._db.fetch_all(
            "SELECT * FROM league_penalties WHERE league_id = ? ORDER BY given_at, id", (league_id,)
        )
        return [_penalty(row) for row in rows]

    async def remove_penalty(self, league_id: int, penalty_id: int) -> Penalty | None:
        """Deletes the penalty of this league (another league's id is not found); returns what it was."""
        found = await self.penalty(league_id, penalty_id)
        if found is None:
            return None
        async with self._db.transaction() as connection:
            await connection.execute(
                "DELETE FROM league_penalties WHERE league_id = ? AND id = ?", (league_id, penalty_id)
            )
        return found

    # --- teams -------------------------------------------------------------------------------------

    async def teams(self, league_id: int) -> list[Team]:
        teams = await self._db.fetch_all(
            "SELECT id, name FROM league_teams WHERE league_id = ? ORDER BY name COLLATE NOCASE",
            (league_id,),
        )
        members = await self._db.fetch_all(
            "SELECT team_id, psn_id FROM league_team_drivers WHERE league_id = ? ORDER BY rowid",
            (league_id,),
        )
        by_team: dict[int, list[str]] = {}
        for row in members:
            by_team.setdefault(row["team_id"], []).append(row["psn_id"])
        return [Team(row["id"], league_id, row["name"], tuple(by_team.get(row["id"], []))) for row in teams]

    async def team(self, league_id: int, name: str) -> Team | None:
        wanted = name.casefold()
        return next((team for team in await self.teams(league_id) if team.name.casefold() == wanted), None)

    async def add_to_team(
        self, guild_id: int, league_id: int, name: str, psn_ids: Sequence[str], now: datetime
    ) -> tuple[Team, list[str], list[str]]:
        """Creates the team if needed and adds the drivers: (team, added, already in it).

        A driver in another team of the league refuses the whole change."""
        async with self._db.transaction() as connection:
            async with connection.execute(
                "SELECT id, name FROM league_teams WHERE league_id = ?", (league_id,)
            ) as cursor:
                existing = {
                    row["name"].casefold(): (row["id"], row["name"]) for row in await cursor.fetchall()
                }
            if name.casefold() in existing:
                team_id, team_name = existing[name.casefold()]
            else:
                if len(existing) >= MAX_TEAMS_PER_LEAGUE:
                    raise TooManyTeamsError()
                cursor = await connection.execute(
                    "INSERT INTO league_teams (guild_id, league_id, name, created_at) VALUES (?, ?, ?, ?)",
                    (guild_id, league_id, name, to_db_time(now, precision="seconds")),
                )
                assert cursor.lastrowid is not None
                team_id, team_name = cursor.lastrowid, name
            async with connection.execute(
                "SELECT d.psn_id, d.team_id, t.name FROM league_team_drivers AS d "
                "JOIN league_teams AS t ON t.id = d.team_id WHERE d.league_id = ?",
                (league_id,),
            ) as cursor:
                placed = {
                    row["psn_id"].casefold(): (row["team_id"], row["name"]) for row in await cursor.fetchall()
                }
            unique = list({psn.casefold(): psn for psn in psn_ids}.values())
            taken = {
                psn: placed[psn.casefold()][1]
                for psn in unique
                if placed.get(psn.casefold(), (team_id,))[0] != team_id
            }
            if taken:
                raise DriverInOtherTeamError(taken)
            already = [psn for psn in unique if psn.casefold() in placed]
            adding = [psn for psn in unique if psn.casefold() not in placed]
            current = sum(1 for owner, _ in placed.values() if owner == team_id)
            if current + len(adding) > MAX_TEAM_DRIVERS:
                raise TeamFullError(team_name, current, len(adding))
            # Writes are serialised (one transaction at a time), so the check above holds; the primary key
            # (league_id, psn_id) would refuse a second team all the same.
            await connection.executemany(
                "INSERT INTO league_team_drivers (guild_id, league_id, team_id, psn_id) VALUES (?, ?, ?, ?)",
                [(guild_id, league_id, team_id, psn) for psn in adding],
            )
        team = await self.team(league_id, team_name)
        assert team is not None
        return team, adding, already

    async def remove_from_team(self, league_id: int, team_id: int, psn_ids: Sequence[str]) -> list[str]:
        removed: list[str] = []
        async with self._db.transaction() as connection:
            for psn in psn_ids:
                async with connection.execute(
                    "DELETE FROM league_team_drivers WHERE league_id = ? AND team_id = ? AND psn_id = ? "
                    "RETURNING psn_id",
                    (league_id, team_id, psn),
                ) as cursor:
                    removed += [row["psn_id"] for row in await cursor.fetchall()]
        return removed

    async def delete_team(self, league_id: int, team_id: int) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "DELETE FROM league_teams WHERE league_id = ? AND id = ?", (league_id, team_id)
            )

    # --- season ------------------------------------------------------------------------------------

    async def season(self, league_id: int) -> SeasonSettings:
        row = await self._db.fetch_one("SELECT * FROM league_seasons WHERE league_id = ?", (league_id,))
        if row is None:
            return SeasonSettings()
        return SeasonSettings(
            row["total_rounds"], row["max_points_per_round"], row["team_best_n"], row["counted_rounds"]
        )

    async def set_season(self, guild_id: int, league_id: int, settings: SeasonSettings) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "INSERT INTO league_seasons (guild_id, league_id, total_rounds, max_points_per_round, "
                "team_best_n, counted_rounds) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (league_id) DO UPDATE "
                "SET total_rounds = excluded.total_rounds, "
                "max_points_per_round = excluded.max_points_per_round, "
                "team_best_n = excluded.team_best_n, counted_rounds = excluded.counted_rounds",
                (
                    guild_id,
                    league_id,
                    settings.total_rounds,
                    settings.max_points_per_round,
                    settings.team_best_n,
                    settings.counted_rounds,
                ),
            )


# A penalty belongs to its league's results: /me delete only clears which steward gave it.
register_user_data(
    UserColumn(
        kind="penalty_given",
        table="league_penalties",
        column="given_by",
        erase=Erase.CLEAR_USER,
        shown=("guild_id", "points", "given_at"),  # not whom: that is another member's data
    )
)

"""Teams: a league's named groups of drivers (a driver in at most one), and their standings.

A team's points in a round are the sum of its drivers' counted points in that round (only its best N
drivers of the round when the league says so), plus its drivers' penalties and bonuses. Teams are ranked
by total, equal totals sharing a position (1, 2, 2, 4), then by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.services.standings import Standings, placings
from bot.storage.league_extras import MAX_TEAM_DRIVERS as MAX_TEAM_DRIVERS  # re-exported for the cogs
from bot.storage.league_extras import (
    MAX_TEAMS_PER_LEAGUE,
    DriverInOtherTeamError,
    LeagueExtrasStore,
    Team,
    TeamFullError,
    TooManyTeamsError,
)
from bot.storage.leagues import League, LeagueStore

MAX_TEAM_NAME = 50


class TeamError(Exception):
    """Base of the team errors (the ui words each)."""


@dataclass
class BadTeamNameError(TeamError):
    limit: int = MAX_TEAM_NAME


@dataclass
class NotInRosterError(TeamError):
    psn_ids: tuple[str, ...]
    league: str


@dataclass
class InOtherTeamError(TeamError):
    taken: dict[str, str]  # PSN ID -> its team


@dataclass
class TeamsFullError(TeamError):
    limit: int = MAX_TEAMS_PER_LEAGUE


@dataclass
class TeamTooBigError(TeamError):
    team: str
    current: int
    adding: int
    limit: int = MAX_TEAM_DRIVERS


@dataclass
class NoSuchTeamError(TeamError):
    team: str
    league: str


@dataclass
class NoTeamsError(TeamError):
    league: str


class TeamsNeedLeagueError(TeamError):
    """Team standings were asked for without a league (teams belong to a league)."""


@dataclass(frozen=True)
class TeamRow:
    position: int
    tied: bool
    name: str
    drivers: tuple[str, ...]
    total_points: int
    rounds: tuple[tuple[int, int], ...]  # (round number, team points)


@dataclass(frozen=True)
class TeamChange:
    team: Team
    added: tuple[str, ...]
    already: tuple[str, ...]


def team_standings(standings: Standings, teams: Sequence[Team], best_n: int | None = None) -> list[TeamRow]:
    """Team rows from driver standings (penalties already applied to the rows' `adjustment`)."""
    rows = {row.psn_id.lower(): row for row in standings.rows}
    round_numbers = standings.round_numbers
    unranked: list[tuple[str, tuple[str, ...], int, tuple[tuple[int, int], ...]]] = []
    for team in teams:
        members = [rows[psn.lower()] for psn in team.drivers if psn.lower() in rows]
        per_round = []
        for round_no in round_numbers:
            scores = sorted(
                (
                    score.points
                    for row in members
                    if (score := row.points_in(round_no)) is not None and score.counted
                ),
                reverse=True,
            )
            per_round.append((round_no, sum(scores[:best_n] if best_n else scores)))
        adjustment = sum(row.adjustment for row in members)
        unranked.append(
            (team.name, team.drivers, sum(p for _, p in per_round) + adjustment, tuple(per_round))
        )
    unranked.sort(key=lambda entry: (-entry[2], entry[0].casefold()))
    totals = [entry[2] for entry in unranked]
    return [
        TeamRow(
            position=position,
            tied=tied,
            name=name,
            drivers=drivers,
            total_points=points,
            rounds=rounds,
        )
        for (name, drivers, points, rounds), (position, tied) in zip(unranked, placings(totals), strict=True)
    ]


class TeamService:
    def __init__(self, leagues: LeagueStore, extras: LeagueExtrasStore) -> None:
        self._leagues = leagues
        self._extras = extras

    async def add(self, league: League, name: str, psn_ids: Sequence[str], now: datetime) -> TeamChange:
        clean = " ".join(name.split())
        if not clean or len(clean) > MAX_TEAM_NAME:
            raise BadTeamNameError()
        roster = {psn.lower(): psn for psn in await self._leagues.roster(league.id)}
        absent = tuple(psn for psn in psn_ids if psn.lower() not in roster)
        if absent:
            raise NotInRosterError(absent, league.name)
        try:
            team, added, already = await self._extras.add_to_team(
                league.guild_id, league.id, clean, [roster[psn.lower()] for psn in psn_ids], now
            )
        except DriverInOtherTeamError as error:
            raise InOtherTeamError(error.taken) from None
        except TooManyTeamsError:
            raise TeamsFullError() from None
        except TeamFullError as error:
            raise TeamTooBigError(error.name, error.current, error.adding) from None
        return TeamChange(team, tuple(added), tuple(already))

    async def find(self, league: League, name: str) -> Team:
        team = await self._extras.team(league.id, " ".join(name.split()))
        if team is None:
            raise NoSuchTeamError(name.strip()[:50], league.name)
        return team

    async def remove(
        self, league: League, name: str, psn_ids: Sequence[str] | None
    ) -> tuple[Team, list[str]]:
        """Takes drivers out of a team, or deletes the team when no drivers are given."""
        team = await self.find(league, name)
        if not psn_ids:
            await self._extras.delete_team(league.id, team.id)
            return team, list(team.drivers)
        return team, await self._extras.remove_from_team(league.id, team.id, psn_ids)

    async def of_league(self, league: League) -> list[Team]:
        return await self._extras.teams(league.id)

    async def standings(self, league: League, standings: Standings) -> list[TeamRow]:
        teams = await self._extras.teams(league.id)
        if not teams:
            raise NoTeamsError(league.name)
        settings = await self._extras.season(league.id)
        return team_standings(standings, teams, settings.team_best_n)

"""The season's length and the most a round gives: with them, standings say who can still win."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.services.league_night.clinch import (
    ClinchResult,
    Contender,
    SeasonTooShortError,
    decide,
    season_for,
)
from bot.services.league_night.teams import TeamRow, team_standings
from bot.services.standings import Standings
from bot.storage.league_extras import MAX_SEASON_ROUNDS as MAX_SEASON_ROUNDS  # re-exported for the cogs
from bot.storage.league_extras import LeagueExtrasStore, SeasonSettings
from bot.storage.leagues import League

# /league season shows the leading teams, no more.
TOP_TEAMS = 3


@dataclass
class RoundsTooFewError(Exception):
    total_rounds: int
    played_rounds: int


@dataclass
class CountedTooManyError(Exception):
    """More counted rounds than the season has."""

    counted_rounds: int
    total_rounds: int


def contenders(standings: Standings) -> list[Contender]:
    return [
        Contender(row.psn_id.lower(), tuple(score.points for score in row.rounds), row.adjustment)
        for row in standings.rows
    ]


def who_can_win(standings: Standings, settings: SeasonSettings) -> ClinchResult | None:
    """None when the league has not said how many rounds its season has."""
    if settings.total_rounds is None:
        return None
    played = len(standings.round_numbers)
    field = contenders(standings)
    counted = settings.counted_rounds
    if counted is not None:
        drops, known = max(settings.total_rounds - counted, 0), True
    else:  # the series' own drops so far: the fewest it may drop in the end (the safe reading)
        drops, known = max((len(row.dropped_rounds) for row in standings.rows), default=0), False
    try:
        season = season_for(
            settings.total_rounds, played, drops, settings.max_points_per_round, field, drops_known=known
        )
    except SeasonTooShortError as error:
        raise RoundsTooFewError(error.total_rounds, error.played_rounds) from None
    return decide(field, season)


@dataclass(frozen=True)
class SeasonResult:
    """What /league season answers: the stored settings, who can still win, and the leading teams."""

    settings: SeasonSettings
    clinch: ClinchResult | None
    top_teams: tuple[TeamRow, ...]  # at most TOP_TEAMS; empty when the league has no teams
    names: dict[str, str] = field(default_factory=dict)  # lower-case PSN ID -> as the standings spell it


class SeasonService:
    def __init__(self, extras: LeagueExtrasStore) -> None:
        self._extras = extras

    async def settings(self, league: League) -> SeasonSettings:
        return await self._extras.season(league.id)

    async def set(
        self,
        league: League,
        standings: Standings | None,
        total_rounds: int,
        max_points: int | None,
        team_best_n: int | None,
        counted_rounds: int | None = None,
    ) -> SeasonSettings:
        """Refuses a season shorter than the rounds already raced (when the standings are at hand)."""
        played = len(standings.round_numbers) if standings is not None else 0
        if total_rounds < played:
            raise RoundsTooFewError(total_rounds, played)
        if counted_rounds is not None and counted_rounds > total_rounds:
            raise CountedTooManyError(counted_rounds, total_rounds)
        settings = SeasonSettings(total_rounds, max_points, team_best_n, counted_rounds)
        await self._extras.set_season(league.guild_id, league.id, settings)
        return settings

    async def set_season(
        self,
        league: League,
        standings: Standings,
        total_rounds: int,
        max_points: int | None,
        team_best_n: int | None,
        counted_rounds: int | None = None,
    ) -> SeasonResult:
        """Store the season, then work out who can still win and the leading teams of `standings`."""
        settings = await self.set(league, standings, total_rounds, max_points, team_best_n, counted_rounds)
        clinch = who_can_win(standings, settings)
        teams = await self._extras.teams(league.id)
        top = tuple(team_standings(standings, teams, settings.team_best_n)[:TOP_TEAMS]) if teams else ()
        names = {row.psn_id.lower(): row.psn_id for row in standings.rows}
        return SeasonResult(settings, clinch, top, names)

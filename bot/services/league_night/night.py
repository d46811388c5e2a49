"""The league night's services, built once by the bot, and the hook that applies penalties to standings."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.services.drivers import DriverService
from bot.services.league_night.clinch import ClinchResult
from bot.services.league_night.lobbies import CheckInSource, LobbyService
from bot.services.league_night.penalties import PenaltyService, apply_penalties
from bot.services.league_night.races import RaceCheckIns, RaceService
from bot.services.league_night.season import RoundsTooFewError, SeasonService, who_can_win
from bot.services.league_night.signups import SignupService
from bot.services.league_night.teams import TeamRow, TeamService, team_standings
from bot.services.links import LinkService
from bot.services.standings import Standings
from bot.storage.database import Database
from bot.storage.league_extras import LeagueExtrasStore
from bot.storage.leagues import League, LeagueStore
from bot.storage.links import LinkStore
from bot.storage.races import RaceStore
from bot.storage.signups import SignupStore


@dataclass(frozen=True)
class LeagueSummary:
    """What a league adds to its driver standings: team standings and who can still win."""

    teams: tuple[TeamRow, ...]  # empty: the league has no teams
    team_best_n: int | None
    clinch: ClinchResult | None  # None: the league has not set its season (or it is shorter than raced)
    penalised: frozenset[str]  # lower-case PSN IDs with a penalty or bonus

    @property
    def empty(self) -> bool:
        return not self.teams and self.clinch is None


class LeagueNight:
    def __init__(
        self,
        database: Database,
        leagues: LeagueStore,
        links: LinkStore,
        drivers: DriverService,
        link_service: LinkService,
        clock: Clock,
        check_ins: CheckInSource | None = None,
    ) -> None:
        self.store = LeagueExtrasStore(database)
        races = RaceStore(database)
        # Sign-ups and the race calendar with its check-ins (/league signups, race, checkin).
        self.signups = SignupService(SignupStore(database), leagues, links, drivers, link_service, clock)
        self.races = RaceService(races, leagues, links, clock)
        self.lobbies = LobbyService(drivers, check_ins or RaceCheckIns(races, clock))
        self.penalties = PenaltyService(leagues, self.store)
        self.teams = TeamService(leagues, self.store)
        self.season = SeasonService(self.store)

    async def adjust(self, league: League, standings: Standings) -> Standings:
        """The league's penalties and bonuses applied (LeagueService calls this for every league table)."""
        return apply_penalties(standings, await self.store.penalties(league.id))

    async def summary(self, league: League, standings: Standings) -> LeagueSummary:
        """Team standings and the clinch marks of a league's (penalised) standings."""
        settings = await self.store.season(league.id)
        teams = await self.store.teams(league.id)
        rows = tuple(team_standings(standings, teams, settings.team_best_n)) if teams else ()
        try:
            clinch = who_can_win(standings, settings)
        except RoundsTooFewError:
            clinch = None  # more rounds raced than the season has: the organiser is told by /league season
        penalised = frozenset(row.psn_id.lower() for row in standings.rows if row.adjustment)
        return LeagueSummary(rows, settings.team_best_n, clinch, penalised)

"""The league night's services, built once by the bot, and the hook that applies penalties to standings."""

from __future__ import annotations

from bot.clock import Clock
from bot.services.drivers import DriverService
from bot.services.league_night.lobbies import CheckInSource, LobbyService
from bot.services.league_night.penalties import PenaltyService, apply_penalties
from bot.services.league_night.races import RaceCheckIns
from bot.services.league_night.season import SeasonService
from bot.services.league_night.teams import TeamService
from bot.services.standings import Standings
from bot.storage.database import Database
from bot.storage.league_extras import LeagueExtrasStore
from bot.storage.leagues import League, LeagueStore
from bot.storage.races import RaceStore


class LeagueNight:
    def __init__(
        self,
        database: Database,
        leagues: LeagueStore,
        drivers: DriverService,
        clock: Clock,
        check_ins: CheckInSource | None = None,
    ) -> None:
        self.store = LeagueExtrasStore(database)
        self.lobbies = LobbyService(drivers, check_ins or RaceCheckIns(RaceStore(database), clock))
        self.penalties = PenaltyService(leagues, self.store)
        self.teams = TeamService(leagues, self.store)
        self.season = SeasonService(self.store)

    async def adjust(self, league: League, standings: Standings) -> Standings:
        """The league's penalties and bonuses applied (LeagueService calls this for every league table)."""
        return apply_penalties(standings, await self.store.penalties(league.id))

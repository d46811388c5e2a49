"""Penalties and bonuses: given to a roster driver with a reason, listed, removed, applied to standings.

A penalty changes the driver's total (negative: points taken, positive: a bonus); the round it is for is
a label for the stewards' record, not a change to that round's score, so dropped rounds are unaffected.
Applying them re-ranks the table (ties shared as before) and marks each driver affected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.services.standings import StandingRow, Standings, placings
from bot.storage.league_extras import MAX_PENALTY_POINTS as MAX_PENALTY_POINTS  # re-exported
from bot.storage.league_extras import MAX_REASON_LENGTH as MAX_REASON_LENGTH  # for the cogs
from bot.storage.league_extras import LeagueExtrasStore, Penalty
from bot.storage.leagues import League, LeagueStore


class PenaltyError(Exception):
    """Base of the penalty errors (the ui words each)."""


@dataclass
class NotInLeagueError(PenaltyError):
    psn_id: str
    league: str


@dataclass
class BadPenaltyError(PenaltyError):
    """Zero points, too many points, or an empty or over-long reason."""

    max_points: int = MAX_PENALTY_POINTS
    max_reason: int = MAX_REASON_LENGTH


@dataclass
class NoSuchPenaltyError(PenaltyError):
    penalty_id: int
    league: str


def apply_penalties(standings: Standings, penalties: Sequence[Penalty]) -> Standings:
    """The standings with each driver's penalties added to the total, re-ranked."""
    by_driver: dict[str, int] = {}
    for penalty in penalties:
        by_driver[penalty.psn_id.lower()] = by_driver.get(penalty.psn_id.lower(), 0) + penalty.points
    adjusted = [
        replace(
            row,
            total_points=row.total_points - row.adjustment + by_driver.get(row.psn_id.lower(), 0),
            adjustment=by_driver.get(row.psn_id.lower(), 0),
        )
        for row in standings.rows
    ]
    return replace(standings, rows=rerank(adjusted))


def rerank(rows: Sequence[StandingRow]) -> tuple[StandingRow, ...]:
    """Positions and gaps again after totals changed; equal totals keep their previous order."""
    ordered = sorted(rows, key=lambda row: -row.total_points)  # stable: the earlier tie-break holds
    totals = [row.total_points for row in ordered]
    return tuple(
        replace(
            row,
            position=position,
            tied=tied,
            gap_to_leader=totals[0] - row.total_points,
            gap_to_ahead=None if index == 0 else totals[index - 1] - row.total_points,
        )
        for index, (row, (position, tied)) in enumerate(zip(ordered, placings(totals), strict=True))
    )


class PenaltyService:
    def __init__(self, leagues: LeagueStore, extras: LeagueExtrasStore) -> None:
        self._leagues = leagues
        self._extras = extras

    async def add(
        self,
        league: League,
        psn_id: str,
        points: int,
        reason: str,
        given_by: int,
        now: datetime,
        round_no: int | None = None,
    ) -> Penalty:
        reason = " ".join(reason.split())
        if points == 0 or abs(points) > MAX_PENALTY_POINTS or not reason or len(reason) > MAX_REASON_LENGTH:
            raise BadPenaltyError()
        roster = {psn.lower(): psn for psn in await self._leagues.roster(league.id)}
        stored = roster.get(psn_id.strip().lower())
        if stored is None:
            raise NotInLeagueError(psn_id.strip(), league.name)
        return await self._extras.add_penalty(
            league.guild_id, league.id, stored, points, round_no, reason, given_by, now
        )

    async def remove(self, league: League, penalty_id: int) -> Penalty:
        removed = await self._extras.remove_penalty(league.id, penalty_id)
        if removed is None:
            raise NoSuchPenaltyError(penalty_id, league.name)
        return removed

    async def of_league(self, league: League) -> list[Penalty]:
        return await self._extras.penalties(league.id)

"""League night under /league: lobbies, penalties, teams and the season's length (who can still win).

The subcommands join the /league group of cogs/league.py when this cog loads (so they share its
default permission, Manage Server, and its server-only rule) and leave it when the cog unloads.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.services.driver_refs import parse_driver_list, resolve_driver_refs
from bot.services.league_night.lobbies import GT7_ROOM_SIZE, MIN_ROOM_SIZE
from bot.services.league_night.penalties import MAX_PENALTY_POINTS, MAX_REASON_LENGTH
from bot.services.league_night.season import MAX_SEASON_ROUNDS
from bot.services.league_night.teams import MAX_TEAM_DRIVERS
from bot.ui import league_extras as texts
from bot.ui.embeds import pages_from_lines
from bot.ui.options import DRIVERS_HELP, LEAGUE_HELP, LeagueArg, the_league
from bot.ui.replies import Reply
from cogs.checks import ServerGroup, require_server
from cogs.league import join_league_group, leave_league_group


def _bot(interaction: discord.Interaction[Any]) -> GridBot:
    bot: GridBot = interaction.client
    return bot


async def _one_driver(interaction: discord.Interaction[Any], text: str) -> str:
    assert interaction.guild_id is not None
    refs = parse_driver_list(text, minimum=1, maximum=1)
    (driver,) = await resolve_driver_refs(refs, interaction.guild_id, _bot(interaction).links)
    return driver.psn_id


async def _drivers(interaction: discord.Interaction[Any], text: str) -> list[str]:
    assert interaction.guild_id is not None
    refs = parse_driver_list(text, minimum=1, maximum=MAX_TEAM_DRIVERS)
    return [d.psn_id for d in await resolve_driver_refs(refs, interaction.guild_id, _bot(interaction).links)]


async def _pages(
    interaction: discord.Interaction[Any], title: str, lines: list[str], header: str = ""
) -> None:
    await Reply(interaction, private=True).pages(pages_from_lines(title, lines, per_page=15, header=header))


class PenaltyGroup(ServerGroup, name="penalty", description="Points penalties and bonuses of a league."):
    @app_commands.command(name="add", description="Take points from a driver (negative) or give a bonus.")
    @app_commands.describe(
        driver="The driver's PSN ID or member mention",
        points="Points to add to the total: -5 takes five points, 3 gives a bonus of three",
        reason="Why, as the stewards decided it",
        round="The round it is for (optional)",
        league=LEAGUE_HELP,
    )
    async def add(
        self,
        interaction: discord.Interaction[GridBot],
        driver: str,
        points: app_commands.Range[int, -MAX_PENALTY_POINTS, MAX_PENALTY_POINTS],
        reason: app_commands.Range[str, 1, MAX_REASON_LENGTH],
        round: app_commands.Range[int, 1, MAX_SEASON_ROUNDS] | None = None,
        league: LeagueArg | None = None,
    ) -> None:
        target = await the_league(interaction, league)
        psn = await _one_driver(interaction, driver)
        bot = _bot(interaction)
        penalty = await bot.league_night.penalties.add(
            target, psn, points, reason, interaction.user.id, bot.clock.now(), round_no=round
        )
        await Reply(interaction, private=True).send(texts.penalty_added_text(target, penalty))

    @app_commands.command(name="remove", description="Remove a penalty or bonus by its number.")
    @app_commands.describe(number="The number `/league penalty list` shows", league=LEAGUE_HELP)
    async def remove(
        self,
        interaction: discord.Interaction[GridBot],
        number: app_commands.Range[int, 1, None],
        league: LeagueArg | None = None,
    ) -> None:
        target = await the_league(interaction, league)
        removed = await _bot(interaction).league_night.penalties.remove(target, number)
        await Reply(interaction, private=True).send(texts.penalty_removed_text(target, removed))

    @app_commands.command(name="list", description="A league's penalties and bonuses, with who gave them.")
    @app_commands.describe(league=LEAGUE_HELP)
    async def list_(self, interaction: discord.Interaction[GridBot], league: LeagueArg | None = None) -> None:
        target = await the_league(interaction, league)
        penalties = await _bot(interaction).league_night.penalties.of_league(target)
        lines = [texts.penalty_line(p) for p in penalties] or [texts.no_penalties_line()]
        await _pages(interaction, texts.penalties_title(target), lines)


class TeamGroup(ServerGroup, name="team", description="A league's teams and team standings."):
    @app_commands.command(name="add", description="Create a team or add roster drivers to it.")
    @app_commands.describe(name="The team's name", drivers=DRIVERS_HELP, league=LEAGUE_HELP)
    async def add(
        self,
        interaction: discord.Interaction[GridBot],
        name: app_commands.Range[str, 1, 50],
        drivers: str,
        league: LeagueArg | None = None,
    ) -> None:
        target = await the_league(interaction, league)
        wanted = await _drivers(interaction, drivers)
        bot = _bot(interaction)
        change = await bot.league_night.teams.add(target, name, wanted, bot.clock.now())
        await Reply(interaction, private=True).send(texts.team_changed_text(target, change))

    @app_commands.command(name="remove", description="Take drivers out of a team, or delete it (no drivers).")
    @app_commands.describe(
        name="The team's name", drivers="Who leaves (leave out to delete the team)", league=LEAGUE_HELP
    )
    async def remove(
        self,
        interaction: discord.Interaction[GridBot],
        name: str,
        drivers: str | None = None,
        league: LeagueArg | None = None,
    ) -> None:
        target = await the_league(interaction, league)
        wanted = await _drivers(interaction, drivers) if drivers else None
        team, removed = await _bot(interaction).league_night.teams.remove(target, name, wanted)
        await Reply(interaction, private=True).send(
            texts.team_removed_text(team, removed, deleted=not wanted)
        )

    @app_commands.command(name="list", description="A league's teams and their drivers.")
    @app_commands.describe(league=LEAGUE_HELP)
    async def list_(self, interaction: discord.Interaction[GridBot], league: LeagueArg | None = None) -> None:
        target = await the_league(interaction, league)
        teams = await _bot(interaction).league_night.teams.of_league(target)
        await _pages(
            interaction,
            texts.teams_title(target),
            [texts.team_line(t) for t in teams] or [texts.no_teams_line()],
        )

    @app_commands.command(name="standings", description="The team standings of a league.")
    @app_commands.describe(league=LEAGUE_HELP)
    async def standings(
        self, interaction: discord.Interaction[GridBot], league: LeagueArg | None = None
    ) -> None:
        target = await the_league(interaction, league)
        bot = _bot(interaction)
        reply = Reply(interaction, private=True)
        await reply.defer()
        table = await bot.league_service.league_standings(target)
        rows = await bot.league_night.teams.standings(target, table)
        settings = await bot.league_night.season.settings(target)
        pages = pages_from_lines(
            texts.teams_title(target),
            [texts.team_standing_line(row) for row in rows],
            per_page=10,
            header=texts.team_standings_header(settings.team_best_n),
        )
        await reply.pages(pages)


class LeagueNightCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot
        self.groups: list[app_commands.Group] = [PenaltyGroup(), TeamGroup()]
        self.commands_added: list[app_commands.Command[Any, ..., Any]] = [
            app_commands.Command(
                name="lobbies",
                description="Split tonight's drivers into GT7 rooms by DR, each with a host.",
                callback=_lobbies,
            ),
            app_commands.Command(
                name="season",
                description="The season's number of rounds, so the standings say who can still win.",
                callback=_season,
            ),
        ]

    def _items(self) -> list[app_commands.Command[Any, ..., Any] | app_commands.Group]:
        return [*self.groups, *self.commands_added]

    async def cog_load(self) -> None:
        join_league_group(self.bot, self._items(), extension=__name__)

    async def cog_unload(self) -> None:
        leave_league_group(self.bot, self._items())


@app_commands.describe(
    race="The race number (default: the next race with check-in open; no check-in: the roster)",
    size=f"Most drivers a room takes ({MIN_ROOM_SIZE}–{GT7_ROOM_SIZE}, default {GT7_ROOM_SIZE})",
    host="The PSN ID or member who hosts their room (default: best SR, then DR)",
    league=LEAGUE_HELP,
)
async def _lobbies(
    interaction: discord.Interaction[GridBot],
    race: app_commands.Range[int, 1] | None = None,
    size: app_commands.Range[int, MIN_ROOM_SIZE, GT7_ROOM_SIZE] = GT7_ROOM_SIZE,
    host: str | None = None,
    league: LeagueArg | None = None,
) -> None:
    if not require_server(interaction):
        return
    target = await the_league(interaction, league)
    bot = _bot(interaction)
    host_psn = await _one_driver(interaction, host) if host else None
    roster = await bot.league_service.roster(target)
    # Said privately, before the public answer starts: an unknown race, nobody checked in, a host not racing.
    await bot.league_night.lobbies.racing(target.id, roster, race_id=race, host=host_psn)
    reply = Reply(interaction, private=False)
    await reply.defer()

    async def progress(done: int, total: int) -> None:
        await reply.progress(texts.lobby_progress(done, total))

    plan = await bot.league_night.lobbies.plan(
        target.id, roster, race_id=race, size=size, host=host_psn, progress=progress
    )
    blocks = [texts.room_block(room) for room in plan.rooms]
    pages = pages_from_lines(
        texts.lobbies_title(target), blocks, per_page=texts.ROOMS_PER_PAGE, header=texts.lobbies_header(plan)
    )
    await reply.pages(pages)


@app_commands.describe(
    rounds="How many rounds the season has",
    max_points_per_round="The most points one round gives (default: the most seen in the results)",
    team_best="Count only each team's best N drivers per round (default: all)",
    counted_rounds="How many rounds count at the end, best N of the season (default: not set)",
    league=LEAGUE_HELP,
)
async def _season(
    interaction: discord.Interaction[GridBot],
    rounds: app_commands.Range[int, 1, MAX_SEASON_ROUNDS],
    max_points_per_round: app_commands.Range[int, 1, MAX_PENALTY_POINTS] | None = None,
    team_best: app_commands.Range[int, 1, MAX_TEAM_DRIVERS] | None = None,
    counted_rounds: app_commands.Range[int, 1, MAX_SEASON_ROUNDS] | None = None,
    league: LeagueArg | None = None,
) -> None:
    if not require_server(interaction):
        return
    target = await the_league(interaction, league)
    bot = _bot(interaction)
    reply = Reply(interaction, private=True)
    await reply.defer()
    table = await bot.league_service.league_standings(target)
    season = bot.league_night.season
    result = await season.set_season(target, table, rounds, max_points_per_round, team_best, counted_rounds)
    await reply.send(texts.season_answer(target, result))


async def setup(bot: GridBot) -> None:
    await bot.add_cog(LeagueNightCog(bot))

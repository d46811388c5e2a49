"""What organisers read from the league night commands: lobbies, penalties, teams, season, errors."""

from __future__ import annotations

from collections.abc import Sequence

import discord
from discord.utils import escape_markdown

from bot.services.league_night.clinch import ClinchMark, ClinchResult
from bot.services.league_night.lobbies import (
    HostNotRacingError,
    LobbyError,
    LobbyPlan,
    NoDriversError,
    Room,
    RoomSizeError,
)
from bot.services.league_night.night import LeagueSummary
from bot.services.league_night.penalties import (
    BadPenaltyError,
    NoSuchPenaltyError,
    NotInLeagueError,
    PenaltyError,
)
from bot.services.league_night.season import CountedTooManyError, RoundsTooFewError, SeasonResult
from bot.services.league_night.teams import (
    BadTeamNameError,
    InOtherTeamError,
    NoSuchTeamError,
    NoTeamsError,
    NotInRosterError,
    TeamChange,
    TeamError,
    TeamRow,
    TeamsFullError,
    TeamsNeedLeagueError,
    TeamTooBigError,
)
from bot.storage.league_extras import Penalty, SeasonSettings, Team
from bot.storage.leagues import League
from bot.ui.format import bold, number, timestamp, truncate
from bot.ui.i18n import UNEXPECTED, _, ngettext
from bot.ui.league import names as _names  # `names` is a parameter below
from bot.ui.replies import MESSAGE_CONTENT_LIMIT

LEAGUE_EXTRAS_ERRORS = (LobbyError, PenaltyError, TeamError, RoundsTooFewError, CountedTooManyError)
ROOMS_PER_PAGE = 4


def _psn(psn_id: str) -> str:
    return escape_markdown(psn_id)


# --- lobbies ----------------------------------------------------------------------------------------


def lobby_progress(done: int, total: int) -> str:
    return _(
        "Refreshing driver profiles before the split: {done} of {total} looked up…", done=done, total=total
    )


def lobbies_title(league: League) -> str:
    return _("{league} · lobbies", league=league.name)


def lobbies_header(plan: LobbyPlan) -> str:
    lines = [
        ngettext(
            "{count} driver in {rooms} room of at most {size}",
            "{count} drivers in {rooms} rooms of at most {size}",
            plan.driver_count,
            rooms=len(plan.rooms),
            size=plan.room_size,
        ),
        (
            _("The drivers checked in for race #{race}.", race=plan.race_id)
            if plan.from_check_in
            else _("The whole roster (no check-in for this race).")
        ),
        _("Send the host of your room a friend request; the host opens the lobby."),
    ]
    if plan.stale:
        lines.append(_("Older profiles used for: {names}.", names=_names(plan.stale)))
    if plan.unknown:
        lines.append(_("No profile, placed last: {names}.", names=_names(plan.unknown)))
    return "\n".join(lines)


def room_block(room: Room) -> str:
    host = _("host (chosen)") if room.host_chosen else _("host")
    lines = [
        _("**Room {number}** · {host}: **{psn}**", number=room.number, host=host, psn=_psn(room.host.psn_id))
    ]
    for driver in room.drivers:
        dr = number(driver.dr_points) if driver.dr_points is not None else "?"
        lines.append(_("{psn} · DR {dr} · SR {sr}", psn=_psn(driver.psn_id), dr=dr, sr=driver.sr or "?"))
    return "\n".join(lines)


# --- penalties --------------------------------------------------------------------------------------


def penalty_line(penalty: Penalty) -> str:
    points = f"{penalty.points:+,}"
    text = _(
        "`#{id}` **{psn}** {points} pts · {reason} · by <@{by}> {when}",
        id=penalty.id,
        psn=_psn(penalty.psn_id),
        points=points,
        reason=escape_markdown(penalty.reason),
        by=penalty.given_by,
        when=timestamp(penalty.given_at),
    )
    if penalty.round_no is not None:
        text += " · " + _("round {round}", round=penalty.round_no)
    return text


def penalty_added_text(league: League, penalty: Penalty) -> str:
    return _(
        "Recorded for {league}: {line}\nThe standings, posts, image and CSV include it.",
        league=bold(league.name),
        line=penalty_line(penalty),
    )


def penalty_removed_text(league: League, penalty: Penalty) -> str:
    return _("Removed from {league}: {line}", league=bold(league.name), line=penalty_line(penalty))


def penalties_title(league: League) -> str:
    return _("{league} · penalties and bonuses", league=league.name)


def no_penalties_line() -> str:
    return _("No penalties or bonuses yet: add one with `/league penalty add`.")


# --- teams ------------------------------------------------------------------------------------------


def team_changed_text(league: League, change: TeamChange) -> str:
    lines = []
    if change.added:
        lines.append(_("Added to {team}: {names}.", team=bold(change.team.name), names=_names(change.added)))
    if change.already:
        lines.append(
            _("Already in {team}: {names}.", team=bold(change.team.name), names=_names(change.already))
        )
    lines.append(
        ngettext(
            "{team} of {league} has {count} driver.",
            "{team} of {league} has {count} drivers.",
            len(change.team.drivers),
            team=bold(change.team.name),
            league=bold(league.name),
        )
    )
    return "\n".join(lines)


def team_removed_text(team: Team, removed: Sequence[str], deleted: bool) -> str:
    if deleted:
        return _("Deleted the team {team}.", team=bold(team.name))
    if not removed:
        return _("None of those drivers are in {team}.", team=bold(team.name))
    return _("Removed from {team}: {names}.", team=bold(team.name), names=_names(removed))


def team_line(team: Team) -> str:
    drivers = _names(team.drivers) if team.drivers else _("no drivers")
    return _("**{team}**: {drivers}", team=escape_markdown(team.name), drivers=drivers)


def teams_title(league: League) -> str:
    return _("{league} · teams", league=league.name)


def no_teams_line() -> str:
    return _("No teams yet: create one with `/league team add`.")


def team_standing_line(row: TeamRow) -> str:
    position = f"={row.position}" if row.tied else str(row.position)
    rounds = " · ".join(_("R{round} {points}", round=no, points=number(points)) for no, points in row.rounds)
    head = _(
        "`{position}` **{team}** · **{points}** pts",
        position=position,
        team=escape_markdown(row.name),
        points=number(row.total_points),
    )
    return f"{head}\n{rounds}" if rounds else head


def team_standings_header(best_n: int | None) -> str:
    if best_n:
        return ngettext(
            "Each round counts the best {count} driver of each team.",
            "Each round counts the best {count} drivers of each team.",
            best_n,
        )
    return _("Each round counts every driver of the team; penalties and bonuses included.")


# --- season -----------------------------------------------------------------------------------------


def season_text(league: League, settings: SeasonSettings) -> str:
    assert settings.total_rounds is not None
    most = (
        _("at most {points} points a round", points=settings.max_points_per_round)
        if settings.max_points_per_round
        else _("the most points a round gives taken from the results")
    )
    return _(
        "{league}: a season of {rounds} rounds, {most}. The standings now say who can still win.",
        league=bold(league.name),
        rounds=settings.total_rounds,
        most=most,
    )


def season_answer(league: League, result: SeasonResult) -> str:
    """/league season's answer: the season, who can still win, the leading teams; within Discord's limit."""
    lines = [season_text(league, result.settings)]
    if result.clinch is not None:
        lines += clinch_lines(result.clinch, result.names)
    lines += [team_standing_line(row) for row in result.top_teams]
    return truncate("\n".join(lines), MESSAGE_CONTENT_LIMIT)


def clinch_lines(result: ClinchResult, names: dict[str, str]) -> list[str]:
    """Who is champion, who cannot win any more, and how it was worked out (a footnote)."""
    lines = []
    champion = result.champion
    if champion is not None:
        lines.append(
            _("🏆 {driver} is champion: nobody can catch up.", driver=bold(names.get(champion, champion)))
        )
    out = [names.get(key, key) for key, mark in result.marks.items() if mark is ClinchMark.OUT]
    if out and champion is None:
        lines.append(_("Can no longer win: {names}.", names=_names(out)))
    season = result.season
    most = (
        _("the most anyone scored in a round ({points})", points=season.max_points)
        if season.max_points_from_data
        else _("{points} points", points=season.max_points)
    )
    if season.drops_known:
        lines.append(
            _(
                "*Worked out over {total} rounds ({left} left), the best {counted} counting, each "
                "round left worth at most {most} to a chaser and 0 to the leader, with the penalties "
                "given so far.*",
                total=season.total_rounds,
                left=season.rounds_left,
                counted=season.counted_rounds,
                most=most,
            )
        )
    else:
        possible = season.possible()
        lines.append(
            _(
                "*The series drops rounds, but how many count at the end is not set: worked out over "
                "{total} rounds ({left} left) for every count from the best {fewest} to the best "
                "{most_counted}, each round left worth at most {most} to a chaser and 0 to the leader, "
                "with the penalties given so far. Set `counted_rounds` with `/league season` to sharpen it.*",
                total=season.total_rounds,
                left=season.rounds_left,
                fewest=possible[-1].counted_rounds,
                most_counted=possible[0].counted_rounds,
                most=most,
            )
        )
    return lines


# The summary embed lists the leading teams only (the image's limit too), so who can still win always fits;
# /league team standings pages them all.
SUMMARY_TEAMS = 12


def summary_embed(
    summary: LeagueSummary, names: dict[str, str], league_name: str, *, teams: bool = True
) -> discord.Embed | None:
    """The league's team standings (when `teams`) and who can still win, in one embed (None: nothing)."""
    lines: list[str] = []
    if teams and summary.teams:
        lines.append(bold(_("Team standings")))
        lines.append(f"*{team_standings_header(summary.team_best_n)}*")
        lines += [team_standing_line(row) for row in summary.teams[:SUMMARY_TEAMS]]
        if len(summary.teams) > SUMMARY_TEAMS:
            hidden = len(summary.teams) - SUMMARY_TEAMS
            lines.append(ngettext("…and {count} more", "…and {count} more", hidden))
    if summary.clinch is not None:
        if lines:
            lines.append("")
        lines.append(bold(_("Who can still win")))
        lines += clinch_lines(summary.clinch, names)
    if not lines:
        return None
    title = _("{league} · teams and title race", league=league_name)
    return discord.Embed(title=truncate(title, 256), description=truncate("\n".join(lines), 4000))


def image_marks(summary: LeagueSummary | None) -> tuple[tuple[tuple[str, str], ...], str]:
    """The standings image's marks (penalised drivers, the champion, who cannot win) and their legend."""
    if summary is None:
        return (), ""
    marks: dict[str, list[str]] = {key: ["*"] for key in sorted(summary.penalised)}
    if summary.clinch is not None:
        for key, mark in summary.clinch.marks.items():
            if mark is ClinchMark.CHAMPION:
                marks.setdefault(key, []).append(_("(champion)"))
            elif mark is ClinchMark.OUT:
                marks.setdefault(key, []).append(_("(cannot win)"))
    legend = _("* penalty or bonus applied") if summary.penalised else ""
    return tuple((key, " ".join(parts)) for key, parts in sorted(marks.items())), legend


# --- errors -----------------------------------------------------------------------------------------


def describe_league_extras_error(error: Exception) -> str:
    match error:
        case RoomSizeError(minimum=low, maximum=high):
            return _("A room holds {low} to {high} drivers (GT7's lobby size is 16).", low=low, high=high)
        case NoDriversError(from_check_in=True):
            return _("Nobody has checked in for that race yet, so there is nobody to split into rooms.")
        case NoDriversError():
            return _("The roster is empty: add drivers with `/league add` first.")
        case HostNotRacingError(psn_id=psn):
            return _("{psn} is not among tonight's drivers, so they cannot host a room.", psn=bold(psn))
        case NotInLeagueError(psn_id=psn, league=league):
            return _(
                "{psn} is not in the {league} roster: penalties are for the league's drivers. "
                "Check the spelling, or add them with `/league add`.",
                psn=bold(psn[:40]),
                league=bold(league),
            )
        case BadPenaltyError(max_points=most, max_reason=reason):
            return _(
                "A penalty needs points between -{most} and {most} (not 0; negative takes points, positive "
                "gives a bonus) and a reason of 1–{reason} characters.",
                most=most,
                reason=reason,
            )
        case NoSuchPenaltyError(penalty_id=number_, league=league):
            return _(
                "{league} has no penalty #{id}: `/league penalty list` shows their numbers.",
                league=bold(league),
                id=number_,
            )
        case BadTeamNameError(limit=limit):
            return _("A team name needs 1–{limit} characters.", limit=limit)
        case NotInRosterError(psn_ids=psns, league=league):
            return _(
                "Only the league's drivers can be in its teams; not in the {league} roster: {names}. "
                "Nothing was changed.",
                league=bold(league),
                names=_names(psns),
            )
        case InOtherTeamError(taken=taken):
            listed = ", ".join(
                _("{psn} (in {team})", psn=_psn(psn), team=escape_markdown(team))
                for psn, team in taken.items()
            )
            return _(
                "A driver can be in only one team per league: {listed}. Remove them from that team first; "
                "nothing was changed.",
                listed=truncate(listed, 1200),
            )
        case TeamsFullError(limit=limit):
            return _("A league can have at most {limit} teams.", limit=limit)
        case TeamTooBigError(team=team, current=current, adding=adding, limit=limit):
            return _(
                "A team has at most {limit} drivers: {team} has {current} and {adding} would be new. "
                "Nothing was added.",
                limit=limit,
                team=bold(team),
                current=current,
                adding=adding,
            )
        case NoSuchTeamError(team=team, league=league):
            return _("{league} has no team called {team}.", league=bold(league), team=bold(team))
        case TeamsNeedLeagueError():
            return _("Team standings belong to a league: pick one with the `league` option.")
        case NoTeamsError(league=league):
            return _("{league} has no teams yet: create one with `/league team add`.", league=bold(league))
        case RoundsTooFewError(total_rounds=total, played_rounds=played):
            return _(
                "The season cannot have {total} rounds: {played} have already been raced.",
                total=total,
                played=played,
            )
        case CountedTooManyError(counted_rounds=counted, total_rounds=total):
            return _(
                "`counted_rounds` ({counted}) cannot be more than the season's {total} rounds.",
                counted=counted,
                total=total,
            )
    return _(UNEXPECTED)

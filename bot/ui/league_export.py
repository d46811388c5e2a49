"""/league export: the files (driver standings, team standings, attendance) and the text naming them."""

from __future__ import annotations

import csv
import io

from bot.services.league_night.night import LeagueSummary
from bot.services.league_night.races import Attendance
from bot.services.leagues import League
from bot.services.standings import Standings
from bot.ui import league as texts
from bot.ui.i18n import _, ngettext
from bot.ui.races import attendance_csv
from bot.ui.replies import Attachment
from bot.ui.standings import CSV_ROUND_PREFIX, csv_filename, file_stem, standings_csv

TEAM_CSV_FIXED_COLUMNS = ("position", "tied", "team", "total_points")


def teams_csv(standings: Standings, summary: LeagueSummary) -> bytes:
    """One row per team, as the summary counts them (best N drivers a round when the season says so):
    position, tied, team, total points, points per round R1..Rn, the drivers' penalties and bonuses, and
    the drivers (`;`-separated)."""
    rounds = standings.round_numbers
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            *TEAM_CSV_FIXED_COLUMNS,
            *(f"{CSV_ROUND_PREFIX}{no}" for no in rounds),
            "penalty_points",
            "drivers",
        ]
    )
    for row in summary.teams:
        per_round = dict(row.rounds)
        writer.writerow(
            [
                row.position,
                "yes" if row.tied else "no",
                row.name,
                row.total_points,
                *(per_round.get(no, "") for no in rounds),
                row.total_points - sum(per_round.values()),  # what the drivers' penalties added
                ";".join(row.drivers),
            ]
        )
    # A byte-order mark, as the standings CSV, so spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def league_export(
    league: League, standings: Standings, summary: LeagueSummary, attendance: Attendance
) -> tuple[str, list[Attachment]]:
    """The export's text and files: the driver standings; the team standings when the league has teams;
    attendance once a race's check-in has opened. The text names each file and what it holds."""
    stem = file_stem(league.name)
    standings_file = Attachment(csv_filename(standings, league.name), standings_csv(standings, summary))
    described = [
        (
            standings_file,
            _("`{file}`: the driver standings, with each driver's team", file=standings_file.filename)
            if summary.teams
            else _("`{file}`: the driver standings", file=standings_file.filename),
        )
    ]
    if summary.teams:
        teams_file = Attachment(f"{stem}-teams.csv", teams_csv(standings, summary))
        described.append((teams_file, _("`{file}`: the team standings", file=teams_file.filename)))
    if attendance.races:
        attendance_file = Attachment(f"{stem}-attendance.csv", attendance_csv(attendance))
        described.append(
            (attendance_file, _("`{file}`: attendance per race and driver", file=attendance_file.filename))
        )
    lines = [
        texts.export_text(league, standings),
        ngettext("{count} file attached:", "{count} files attached:", len(described)),
        *(f"- {line}" for _file, line in described),
    ]
    return "\n".join(lines), [file for file, _line in described]

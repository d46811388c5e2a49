"""/compare in words: the aligned table ranked by DR points and its embed. Models in, embeds out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.gtgridstats.errors import GTGridStatsError
from bot.services.driver_results import win_rate
from bot.storage.snapshots import DriverSnapshot
from bot.ui.embeds import check_embed_limits, fit_embed
from bot.ui.errors import upstream_message
from bot.ui.format import BRAND_COLOUR, as_of, code, truncate
from bot.ui.i18n import _, ngettext


@dataclass(frozen=True)
class CompareRow:
    snapshot: DriverSnapshot
    member_id: int | None
    stale: bool


def _cell(text: str, width: int) -> str:
    return truncate(text, width).ljust(width)


def compare_table(rows: Sequence[CompareRow]) -> str:
    """An aligned table, ranked by DR points, narrow enough to read on a phone (at most ~60 columns)."""
    ranked = sorted(rows, key=lambda row: (-row.snapshot.dr_points, row.snapshot.psn_id.lower()))
    # Each column title is cut to its column, so a longer translation never breaks the alignment.
    header = " ".join(
        (
            "#".rjust(2),
            _cell(_("PSN ID"), 16),
            _cell(_("DR"), 2),
            _cell(_("SR"), 2),
            truncate(_("Points"), 7).rjust(7),
            truncate(_("Races"), 5).rjust(5),
            truncate(_("Wins"), 4).rjust(4),
            truncate(_("Win%"), 4).rjust(4),
        )
    )
    lines = [header, "-" * len(header)]
    for rank, row in enumerate(ranked, start=1):
        driver = row.snapshot.driver
        stats = driver.stats
        rate = win_rate(driver)
        lines.append(
            f"{rank:>2} {_cell(driver.psn_id + ('*' if row.stale else ''), 16)} "
            f"{_cell(driver.dr or '-', 2)} {_cell(driver.sr or '-', 2)} {stats.dr_points:>7,} "
            f"{stats.total_races:>5} {stats.victories:>4} {('-' if rate is None else f'{rate:.0%}'):>4}"
        )
    return "```\n" + "\n".join(lines) + "\n```"


def compare_embed(
    rows: Sequence[CompareRow],
    *,
    not_found: Sequence[str] = (),
    unavailable: Sequence[str] = (),
    error: GTGridStatsError | None = None,
) -> discord.Embed:
    parts = [compare_table(rows)] if rows else [_("No driver could be shown.")]
    members = [
        f"{row.snapshot.psn_id} · <@{row.member_id}>"
        for row in sorted(rows, key=lambda row: -row.snapshot.dr_points)
        if row.member_id is not None
    ]
    if members:
        parts.append(_("Members: {members}", members=", ".join(members)))
    stale = [row for row in rows if row.stale]
    if stale:
        oldest = min(row.snapshot.fetched_at for row in stale)
        if error is not None:
            parts.append(
                _(
                    "\\* stored data, the oldest {as_of} ({reason})",
                    as_of=as_of(oldest),
                    reason=upstream_message(error),
                )
            )
        else:
            parts.append(_("\\* stored data, the oldest {as_of}", as_of=as_of(oldest)))
    if not_found:
        parts.append(
            _("GT Grid Stats has no driver {psn_ids}.", psn_ids=", ".join(code(psn) for psn in not_found))
        )
    if unavailable:
        reason = upstream_message(error) if error is not None else _("Please try again later.")
        shown = ", ".join(code(psn) for psn in unavailable)
        parts.append(_("Could not look up {psn_ids}: {reason}", psn_ids=shown, reason=reason))
    embed = discord.Embed(
        title=ngettext("Comparing {count} driver", "Comparing {count} drivers", len(rows)),
        description="\n".join(parts),
        colour=BRAND_COLOUR,
    )
    newest = max((row.snapshot.fetched_at for row in rows), default=None)
    if newest is not None:
        embed.timestamp = newest
    embed.set_footer(text=_("Ranked by DR points · GT Grid Stats"))
    check_embed_limits(fit_embed(embed))
    return embed

"""Words for the background refresh plan, as /quota shows them (the planner returns data only)."""

from __future__ import annotations

from datetime import timedelta

from bot.gtgridstats.planner import RefreshSummary
from bot.ui.i18n import _, ngettext


def _drivers(value: int) -> str:
    return ngettext("{number} driver", "{number} drivers", value, number=f"{value:,}")


def _calls(value: int) -> str:
    return ngettext("{number} call", "{number} calls", value, number=f"{value:,}")


def about(span: timedelta) -> str:
    """A rounded span: "12 min", "6 h", "2 days"."""
    minutes = span.total_seconds() / 60
    if minutes < 90:
        return _("{minutes} min", minutes=max(1, round(minutes)))
    hours = minutes / 60
    if hours < 36:
        return _("{hours} h", hours=round(hours))
    days = round(hours / 24)
    return ngettext("{number} day", "{number} days", days, number=f"{days:,}")


def refresh_summary_text(summary: RefreshSummary) -> str:
    """One or two plain sentences: what keeping every wanted driver fresh costs, and what the share allows."""
    if summary.drivers == 0:
        return _("No linked drivers to keep fresh yet.")
    drivers, calls = _drivers(summary.drivers), _calls(summary.calls_per_cycle)
    if not summary.quota_known or summary.allowance is None:
        duration = about(summary.cycle_duration)
        if summary.keeps_everyone_fresh:
            return _(
                "Keeping {drivers} fresh needs {calls} a cycle; with no daily quota known, only the "
                "per-minute limit paces it: a cycle takes about {duration}, everyone stays fresh.",
                drivers=drivers,
                calls=calls,
                duration=duration,
            )
        return _(
            "Keeping {drivers} fresh needs {calls} a cycle; with no daily quota known, only the "
            "per-minute limit paces it: a cycle takes about {duration}, so each driver is refreshed "
            "about every {cadence}.",
            drivers=drivers,
            calls=calls,
            duration=duration,
            cadence=about(summary.cadence or summary.cycle_duration),
        )
    if summary.cycles:
        cycles = ngettext("{number} cycle", "{number} cycles", summary.cycles, number=f"{summary.cycles:,}")
        if summary.cadence is None:
            text = _(
                "Keeping {drivers} fresh needs {calls} a cycle; today's share allows {cycles}.",
                drivers=drivers,
                calls=calls,
                cycles=cycles,
            )
        else:
            text = _(
                "Keeping {drivers} fresh needs {calls} a cycle; today's share allows {cycles}, "
                "about one every {cadence}.",
                drivers=drivers,
                calls=calls,
                cycles=cycles,
                cadence=about(summary.cadence),
            )
        if summary.keeps_everyone_fresh:
            return text + " " + _("Everyone stays fresh.")
        return text + " " + _("Not everyone can be kept fresh: each cycle goes in priority order.")
    if summary.allowance <= 0:
        return _(
            "Keeping {drivers} fresh needs {calls} a cycle; today's share of the quota is used up, so "
            "background refresh waits for the reset.",
            drivers=drivers,
            calls=calls,
        )
    return _(
        "Keeping {drivers} fresh needs {calls} a cycle; today's share allows only {allowance}, not a full "
        "cycle: the {first} first in line (leagues posting soon, then drivers linked in more servers) are "
        "refreshed, the other {waiting} wait.",
        drivers=drivers,
        calls=calls,
        allowance=_calls(summary.allowance),
        first=_drivers(summary.drivers_refreshed_today),
        waiting=f"{summary.drivers - summary.drivers_refreshed_today:,}",
    )

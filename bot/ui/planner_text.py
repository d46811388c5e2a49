"""Words for the background refresh plan, as /quota shows them (the planner returns data only)."""

from __future__ import annotations

from datetime import timedelta

from bot.gtgridstats.planner import RefreshSummary


def _count(value: int, singular: str, plural: str | None = None) -> str:
    return f"{value:,} {singular if value == 1 else (plural or singular + 's')}"


def about(span: timedelta) -> str:
    """A rounded span: "12 min", "6 h", "2 days"."""
    minutes = span.total_seconds() / 60
    if minutes < 90:
        return f"{max(1, round(minutes))} min"
    hours = minutes / 60
    if hours < 36:
        return f"{round(hours)} h"
    return _count(round(hours / 24), "day")


def refresh_summary_text(summary: RefreshSummary) -> str:
    """One or two plain sentences: what keeping every wanted driver fresh costs, and what the share allows."""
    if summary.drivers == 0:
        return "No linked drivers to keep fresh yet."
    need = (
        f"Keeping {_count(summary.drivers, 'driver')} fresh needs "
        f"{_count(summary.calls_per_cycle, 'call')} a cycle"
    )
    if not summary.quota_known or summary.allowance is None:
        cadence = about(summary.cadence or summary.cycle_duration)
        paced = (
            f"{need}; with no daily quota known, only the per-minute limit paces it: "
            f"a cycle takes about {about(summary.cycle_duration)}"
        )
        if summary.keeps_everyone_fresh:
            return f"{paced}, everyone stays fresh."
        return f"{paced}, so each driver is refreshed about every {cadence}."
    if summary.cycles:
        cadence = "" if summary.cadence is None else f", about one every {about(summary.cadence)}"
        text = f"{need}; today's share allows {_count(summary.cycles, 'cycle')}{cadence}."
        if summary.keeps_everyone_fresh:
            return text + " Everyone stays fresh."
        return text + " Not everyone can be kept fresh: each cycle goes in priority order."
    if summary.allowance <= 0:
        return f"{need}; today's share of the quota is used up, so background refresh waits for the reset."
    waiting = summary.drivers - summary.drivers_refreshed_today
    return (
        f"{need}; today's share allows only {_count(summary.allowance, 'call')}, not a full cycle: "
        f"the {_count(summary.drivers_refreshed_today, 'driver')} first in line (leagues posting soon, then "
        f"drivers linked in more servers) are refreshed, the other {waiting:,} wait."
    )

"""/quota and /about: the budget report and the bot's card, worded for the user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import discord

from bot.gtgridstats.budget import EndpointClass, QuotaReport
from bot.gtgridstats.planner import RefreshSummary
from bot.ui.format import BRAND_COLOUR, duration, number, percent, timestamp
from bot.ui.i18n import N_, _
from bot.ui.planner_text import refresh_summary_text

CLASS_LABELS = {EndpointClass.METERED: N_("Metered calls"), EndpointClass.FREE: N_("Regions calls")}


def quota_embed(report: QuotaReport, *, refresh: RefreshSummary | None = None) -> discord.Embed:
    embed = discord.Embed(title=_("GT Grid Stats budget"), colour=BRAND_COLOUR)
    quota = report.quota
    if quota.limit is None:
        daily = _("not known yet (learned from the first metered call)")
    else:
        daily = _("{remaining} of {limit} left", remaining=number(quota.remaining), limit=number(quota.limit))
        if quota.resets_at is not None:
            daily += _(", resets {when}", when=timestamp(quota.resets_at))
    embed.add_field(name=_("Daily quota"), value=daily, inline=False)
    for usage in report.classes:
        embed.add_field(
            name=_(CLASS_LABELS[usage.kind]),
            value=_(
                "{calls} made, {queued} queued, {shared} shared, {failed} failed\n"
                "limit {limit}/min, next slot in {wait} s",
                calls=number(usage.calls),
                queued=number(usage.queued),
                shared=number(usage.coalesced),
                failed=number(usage.failures),
                limit=usage.limit_per_minute,
                wait=f"{usage.next_slot_seconds:.0f}",
            ),
            inline=False,
        )
    embed.add_field(
        name=_("Stored answers"),
        value=_(
            "{rate} served without a call ({hits} of {total})",
            rate=percent(report.hit_rate),
            hits=number(report.cache_hits),
            total=number(report.cache_hits + report.cache_misses),
        ),
        inline=False,
    )
    if refresh is not None:
        embed.add_field(
            name=_("Background refresh"), value=refresh_summary_text(refresh)[:1024], inline=False
        )
    return embed


@dataclass(frozen=True)
class AboutFacts:
    version: str
    uptime: timedelta
    latency_seconds: float  # NaN before the first heartbeat
    catalog_updated_at: datetime | None
    linked_here: int | None  # None outside a server


def about_embed(facts: AboutFacts) -> discord.Embed:
    embed = discord.Embed(
        title="GT Grid",
        description=_("Gran Turismo 7 cars, drivers and league standings, from GT Grid Stats."),
        colour=BRAND_COLOUR,
    )
    embed.add_field(name=_("Version"), value=facts.version)
    embed.add_field(name=_("Uptime"), value=duration(facts.uptime))
    latency = facts.latency_seconds
    embed.add_field(
        name=_("Gateway latency"),
        value="—" if latency != latency else _("{ms} ms", ms=f"{latency * 1000:.0f}"),
    )
    at = facts.catalog_updated_at
    embed.add_field(
        name=_("Car catalog"), value=_("updated {when}", when=timestamp(at)) if at else _("not loaded yet")
    )
    if facts.linked_here is not None:
        embed.add_field(name=_("Linked members here"), value=number(facts.linked_here))
    return embed

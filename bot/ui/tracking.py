"""Words for driver news: the news post, the weekly digest, and the /tracking replies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import discord

from bot.services.tracking import PAUSE_GONE, WEEK, Digest, Mover, NewsItem, sort_news
from bot.storage.tracking import TrackingSettings
from bot.ui import digest_chart
from bot.ui.digest_chart import DigestChart
from bot.ui.embeds import FIELD_VALUE_LIMIT, fit_lines
from bot.ui.format import number, timestamp, truncate, weekday_text
from bot.ui.i18n import N_, _
from bot.ui.replies import MESSAGE_CONTENT_LIMIT


@dataclass(frozen=True, slots=True)
class NewsMessage:
    content: str
    ping_ids: tuple[int, ...]  # the members this message may ping (empty unless pings are on)


def news_line(item: NewsItem) -> str:
    arrow = "🔼" if item.up else "🔽"
    points = number(item.points) if item.points is not None else "?"
    psn = discord.utils.escape_markdown(item.psn_id)
    if item.rating == "DR":
        message = N_("{arrow} <@{member}> ({psn}): DR {before} → {after} ({points} DR points)")
    elif item.points is not None:
        message = N_("{arrow} <@{member}> ({psn}): SR {before} → {after} ({points} DR points)")
    else:
        message = N_("{arrow} <@{member}> ({psn}): SR {before} → {after}")
    return _(
        message,
        arrow=arrow,
        member=item.member_id,
        psn=psn,
        before=item.before,
        after=item.after,
        points=points,
    )


def news_messages(items: Sequence[NewsItem], *, pings: bool) -> list[NewsMessage]:
    """The news of one refresh as one message, split into more only when Discord's 2,000 characters
    would be exceeded (lines are never cut)."""
    header = _("**Driver news**")
    messages: list[NewsMessage] = []
    lines: list[str] = [header]
    members: list[int] = []
    size = len(header)
    for item in sort_news(items):
        line = news_line(item)[: MESSAGE_CONTENT_LIMIT - len(header) - 1]
        if size + 1 + len(line) > MESSAGE_CONTENT_LIMIT:
            messages.append(NewsMessage("\n".join(lines), tuple(members) if pings else ()))
            lines, members, size = [header], [], len(header)
        lines.append(line)
        size += 1 + len(line)
        if item.member_id not in members:
            members.append(item.member_id)
    if len(lines) > 1:
        messages.append(NewsMessage("\n".join(lines), tuple(members) if pings else ()))
    return messages


def _mover_line(mover: Mover) -> str:
    sign = "+" if mover.delta > 0 else "−"
    return _(
        "<@{member}> ({psn}): {sign}{delta} DR points ({before} → {after})",
        member=mover.member_id,
        psn=discord.utils.escape_markdown(mover.psn_id),
        sign=sign,
        delta=number(abs(mover.delta)),
        before=number(mover.points_before),
        after=number(mover.points_after),
    )


def _digest_zone(digest: Digest) -> tuple[tzinfo, str]:
    """The server's digest time zone and its name: UTC when it has none, or one the system no longer knows."""
    name = digest.settings.digest_timezone or "UTC"
    try:
        return ZoneInfo(name), name
    except (ZoneInfoNotFoundError, ValueError):
        return UTC, "UTC"


def _digest_moment(digest: Digest) -> str:
    """When the digest's week ends, in the server's digest time zone."""
    zone, name = _digest_zone(digest)
    return f"{digest.due_at.astimezone(zone):%Y-%m-%d %H:%M} {name}"


def _field(lines: list[str], *, at_most: int | None = None) -> str:
    """Whole lines within an embed field's limit, then how many were left out."""
    return fit_lines(lines, FIELD_VALUE_LIMIT, more=_more, at_most=at_most)


def _more(count: int) -> str:
    return _("…and {count} more.", count=count)


def digest_embed(digest: Digest) -> discord.Embed:
    embed = discord.Embed(title=_("Driver news: the week"), colour=discord.Colour.blurple())
    gains = _field([_mover_line(m) for m in digest.gains]) or _("No gains this week.")
    losses = _field([_mover_line(m) for m in digest.losses]) or _("No losses this week.")
    changes = _field([news_line(item) for item in digest.changes], at_most=15) or _(
        "No class changes this week."
    )
    embed.add_field(name=_("Biggest gains"), value=gains, inline=False)
    embed.add_field(name=_("Biggest losses"), value=losses, inline=False)
    embed.add_field(name=_("Class changes"), value=changes, inline=False)
    embed.set_footer(text=_("Week ending {when}", when=_digest_moment(digest)))
    return embed


@dataclass(frozen=True, slots=True)
class DigestPost:
    embed: discord.Embed
    chart: DigestChart | None  # None in a quiet week (no movers): the embed alone


def _week_start(digest: Digest) -> datetime:
    """The first day of the digest's week, in the server's digest time zone."""
    return (digest.due_at - WEEK).astimezone(_digest_zone(digest)[0])


def digest_post(digest: Digest, server_name: str | None) -> DigestPost:
    """The digest's embed and, when anyone moved, its chart of the top movers shown as the embed's image."""
    embed = digest_embed(digest)
    if not digest.gains and not digest.losses:
        return DigestPost(embed, None)
    chart = DigestChart(
        digest_chart.chart_title(server_name, _week_start(digest)), digest.gains, digest.losses
    )
    embed.set_image(url=f"attachment://{digest_chart.FILENAME}")
    return DigestPost(embed, chart)


# --- /tracking replies ---------------------------------------------------------------------------


def channel_set(channel_id: int) -> str:
    return _(
        "Driver news goes to <#{channel}>: DR and SR class changes of linked members, one message per "
        "refresh.",
        channel=channel_id,
    )


def tracking_off() -> str:
    return _("Driver news is off. Nothing is posted until you pick a channel again.")


def pings_set(pings: bool) -> str:
    if pings:
        return _("Driver news now pings the members whose class changed (only them).")
    return _("Driver news shows members without pinging them.")


def opted_out(out: bool) -> str:
    if out:
        return _("You are no longer announced in this server's driver news.")
    return _("You are announced in this server's driver news again.")


def digest_set(weekday: int, local: str, zone: str, next_at: datetime) -> str:
    return _(
        "The weekly digest is posted every {weekday} at {time} ({zone}); the next one {when}.",
        weekday=weekday_text(weekday),
        time=local,
        zone=zone,
        when=timestamp(next_at),
    )


def digest_off() -> str:
    return _("The weekly digest is off.")


def paused_notice(reason: str) -> str:
    return _(
        "Driver news is paused: {reason}. Pick a channel with `/tracking channel` to resume.", reason=reason
    )


def pause_reason_forbidden() -> str:
    return _("Discord answered that I lack permissions in the channel")


def pause_reason_gone() -> str:
    return _("the channel no longer exists")


def pause_reason(code: str) -> str:
    """The words for a stored pause reason (PAUSE_FORBIDDEN or PAUSE_GONE)."""
    return pause_reason_gone() if code == PAUSE_GONE else pause_reason_forbidden()


def answer(message: str, pause_code: str | None = None) -> str:
    """A /tracking answer, led (once) by why driver news paused; within Discord's message limit."""
    if pause_code is not None:
        message = "⚠️ " + paused_notice(pause_reason(pause_code)) + "\n\n" + message
    return truncate(message, MESSAGE_CONTENT_LIMIT)


def status_text(settings: TrackingSettings | None, refresh_summary: str) -> str:
    if settings is None or settings.channel_id is None:
        lines = [_("Driver news is off.")]
    elif settings.paused_reason is not None:
        lines = [paused_notice(pause_reason(settings.paused_reason))]
    else:
        lines = [_("Driver news goes to <#{channel}>.", channel=settings.channel_id)]
        lines.append(_("Pings: on.") if settings.pings else _("Pings: off."))
    if settings is not None and settings.digest_next_at is not None and settings.digest_weekday is not None:
        lines.append(
            _(
                "Weekly digest: {weekday} at {time} ({zone}), next {when}.",
                weekday=weekday_text(settings.digest_weekday),
                time=settings.digest_time,
                zone=settings.digest_timezone,
                when=timestamp(settings.digest_next_at),
            )
        )
    else:
        lines.append(_("Weekly digest: off."))
    lines.append(refresh_summary)
    return "\n".join(lines)

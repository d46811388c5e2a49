"""Driver news: which class changes each server announces, opt-outs, pauses and the weekly digest.

No discord here: the cog posts what this returns and tells it when Discord refused a channel for good.
Changes are found by comparing each tracked driver's newest snapshot with what tracking last saw of it
(`tracking_seen`), so a change fetched by any command is announced too, and a failed cycle loses
nothing. Each announcement is claimed in storage before it is posted (UNIQUE per guild, driver, rating and
the snapshot that showed it): a restart or a second run never announces the same change twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.errors import NewsNotSetUp
from bot.services.change_detect import RatingSnapshot, detect_changes
from bot.services.ratings import class_rank
from bot.storage.snapshots import DriverSnapshot, SnapshotStore
from bot.storage.tracking import Announcement, SeenRating, TrackingStore
from bot.storage.tracking import TrackingSettings as TrackingSettings  # what cogs read, re-exported

WEEK = timedelta(days=7)
# Why driver news paused (stored in tracking_settings.paused_reason; the ui words each).
PAUSE_FORBIDDEN = "forbidden"
PAUSE_GONE = "gone"
# The digest's lists are bounded whatever the server's size.
DIGEST_TOP = 5


class TrackingNotSetUpError(NewsNotSetUp):
    """A tracking command that needs a channel, in a server that has none."""


@dataclass(frozen=True, slots=True)
class NewsItem:
    member_id: int
    psn_id: str
    rating: str  # "DR" or "SR"
    before: str
    after: str
    up: bool
    points: int | None


@dataclass(frozen=True, slots=True)
class GuildNews:
    settings: TrackingSettings
    items: tuple[NewsItem, ...]


@dataclass(frozen=True, slots=True)
class Mover:
    member_id: int
    psn_id: str
    points_before: int
    points_after: int

    @property
    def delta(self) -> int:
        return self.points_after - self.points_before


@dataclass(frozen=True, slots=True)
class Digest:
    settings: TrackingSettings
    due_at: datetime
    gains: tuple[Mover, ...]
    losses: tuple[Mover, ...]
    changes: tuple[NewsItem, ...]


def _rating(snapshot: DriverSnapshot) -> RatingSnapshot:
    driver = snapshot.driver
    return RatingSnapshot(driver.dr, driver.sr, driver.stats.dr_points)


def next_digest_at(weekday: int, local: time, zone: str, after: datetime) -> datetime:
    """The first moment after `after` that is `weekday` at `local` time in `zone` (as UTC-aware)."""
    tz = ZoneInfo(zone)
    here = after.astimezone(tz)
    day = here.date() + timedelta(days=(weekday - here.weekday()) % 7)
    for offset in (0, 7, 14):
        candidate = datetime.combine(day + timedelta(days=offset), local, tzinfo=tz)
        if candidate > here:
            return candidate.astimezone(after.tzinfo)
    raise AssertionError("a weekday always comes within two weeks")


class TrackingService:
    def __init__(self, store: TrackingStore, snapshots: SnapshotStore, clock: Clock) -> None:
        self.store = store
        self.snapshots = snapshots
        self.clock = clock

    # --- settings ----------------------------------------------------------------------------------

    async def settings(self, guild_id: int) -> TrackingSettings | None:
        return await self.store.get(guild_id)

    async def set_channel(self, guild_id: int, channel_id: int | None) -> None:
        await self.store.set_channel(guild_id, channel_id, self.clock.now())
        if channel_id is not None:
            await self.prime(guild_id)

    async def prime(self, guild_id: int) -> None:
        """What tracking compares against starts as each linked driver's stored ratings (so the first
        refresh after turning tracking on announces the changes since then, not nothing)."""
        links = await self.store.links_in([guild_id])
        latest = await self.snapshots.latest_many(psn for _, _, psn in links)
        seen = await self.store.seen(latest)
        fresh = [
            SeenRating(snap.psn_id, snap.driver.dr, snap.driver.sr, snap.dr_points)
            for key, snap in latest.items()
            if key not in seen
        ]
        if fresh:
            await self.store.save_seen(fresh, self.clock.now())

    async def set_pings(self, guild_id: int, pings: bool) -> None:
        await self._require_channel(guild_id)
        await self.store.set_pings(guild_id, pings, self.clock.now())

    async def set_opted_out(self, guild_id: int, member_id: int, opted_out: bool) -> None:
        await self.store.set_opted_out(guild_id, member_id, opted_out, self.clock.now())

    async def set_digest(self, guild_id: int, weekday: int, local: time, zone: str) -> datetime:
        await self._require_channel(guild_id)
        now = self.clock.now()
        due = next_digest_at(weekday, local, zone, now)
        await self.store.set_digest(guild_id, weekday, local.strftime("%H:%M"), zone, due, now)
        return due

    async def clear_digest(self, guild_id: int) -> None:
        await self.store.set_digest(guild_id, None, None, None, None, self.clock.now())

    async def _require_channel(self, guild_id: int) -> TrackingSettings:
        settings = await self.store.get(guild_id)
        if settings is None or settings.channel_id is None:
            raise TrackingNotSetUpError()
        return settings

    async def pause_notice(self, guild_id: int) -> str | None:
        """Why driver news paused, while no organiser has been told yet (nothing is marked: the cog calls
        `mark_pause_reported` once the answer carrying it went out)."""
        settings = await self.store.get(guild_id)
        if settings is None or settings.paused_reason is None or settings.pause_reported:
            return None
        return settings.paused_reason

    async def mark_pause_reported(self, guild_id: int) -> None:
        await self.store.mark_pause_reported(guild_id)

    async def next_digest_at(self) -> datetime | None:
        """When the next weekly digest of any server is due (None: no server has one)."""
        return await self.store.next_digest_at()

    async def pause(self, guild_id: int, reason: str) -> None:
        await self.store.pause(guild_id, reason, self.clock.now())

    async def active_guild_ids(self) -> list[int]:
        return [settings.guild_id for settings in await self.store.active_guilds()]

    # --- news --------------------------------------------------------------------------------------

    async def collect_news(self) -> list[GuildNews]:
        """Every class change not yet announced, one entry per guild, claimed in storage."""
        guilds = {settings.guild_id: settings for settings in await self.store.active_guilds()}
        if not guilds:
            return []
        links = await self.store.links_in(guilds)
        keys = {psn.lower() for _, _, psn in links}
        latest = await self.snapshots.latest_many(keys)
        seen = await self.store.seen(latest)
        previous = {
            key: RatingSnapshot(row.dr, row.sr, row.dr_points) for key, row in seen.items() if key in latest
        }
        current = {key: _rating(snapshot) for key, snapshot in latest.items()}
        changes: dict[str, list[NewsItem]] = {}
        for change in detect_changes(previous, current):
            changes.setdefault(change.psn_id, []).append(
                NewsItem(
                    0,
                    latest[change.psn_id].psn_id,
                    change.rating.value,
                    change.before,
                    change.after,
                    change.direction.value == "up",
                    change.points_after,
                )
            )
        opted_out: dict[int, set[int]] = {}
        claims: list[Announcement] = []
        for guild_id, member_id, psn in links:
            items = changes.get(psn.lower())
            if not items:
                continue
            if guild_id not in opted_out:
                opted_out[guild_id] = await self.store.opted_out(guild_id)
            if member_id in opted_out[guild_id]:
                continue
            observed = latest[psn.lower()].first_fetched_at
            claims += [
                Announcement(
                    guild_id,
                    item.psn_id,
                    item.rating,
                    item.before,
                    item.after,
                    item.points,
                    member_id,
                    observed,
                )
                for item in items
            ]
        claimed = await self.store.claim(claims)
        # What tracking saw moves on only after the claims are stored.
        changed = [
            SeenRating(snapshot.psn_id, snapshot.driver.dr, snapshot.driver.sr, snapshot.dr_points)
            for key, snapshot in latest.items()
            if key not in previous or previous[key] != current[key]
        ]
        if changed:
            await self.store.save_seen(changed, self.clock.now())
        news: dict[int, list[NewsItem]] = {}
        for row in claimed:
            news.setdefault(row.guild_id, []).append(_item(row))
        return [GuildNews(guilds[guild_id], tuple(items)) for guild_id, items in news.items()]

    # --- the weekly digest -------------------------------------------------------------------------

    async def due_digests(self) -> list[Digest]:
        """The digests due now, each moved on to next week first (so each is posted at most once)."""
        now = self.clock.now()
        digests: list[Digest] = []
        for settings in await self.store.digests_due(now):
            due = settings.digest_next_at
            assert due is not None
            following = self._following(settings, now)
            if not await self.store.move_digest(settings.guild_id, due, following):
                continue
            digests.append(await self._digest(settings, due))
        return digests

    @staticmethod
    def _following(settings: TrackingSettings, now: datetime) -> datetime | None:
        if (
            settings.digest_weekday is None
            or settings.digest_time is None
            or settings.digest_timezone is None
        ):
            return None
        local = time.fromisoformat(settings.digest_time)
        return next_digest_at(settings.digest_weekday, local, settings.digest_timezone, now)

    async def _digest(self, settings: TrackingSettings, due: datetime) -> Digest:
        since = due - WEEK
        guild_id = settings.guild_id
        opted_out = await self.store.opted_out(guild_id)
        links = [
            (member, psn)
            for g, member, psn in await self.store.links_in([guild_id])
            if member not in opted_out
        ]
        movers: list[Mover] = []
        for member_id, psn in links:
            history = await self.snapshots.history(psn, since=since)
            if not history:
                continue
            # The first snapshot seen since then covers the week's start (its span reaches into it).
            movers.append(Mover(member_id, history[-1].psn_id, history[0].dr_points, history[-1].dr_points))
        gains = tuple(sorted((m for m in movers if m.delta > 0), key=lambda m: -m.delta)[:DIGEST_TOP])
        losses = tuple(sorted((m for m in movers if m.delta < 0), key=lambda m: m.delta)[:DIGEST_TOP])
        changes = tuple(
            _item(row)
            for row in await self.store.announcements_since(guild_id, since)
            if row.member_id not in opted_out
        )
        return Digest(settings, due, gains, losses, changes)

    async def last_change(self, psn_id: str) -> Announcement | None:
        return await self.store.last_change(psn_id)


def _item(row: Announcement) -> NewsItem:
    after, before = class_rank(row.rating, row.after), class_rank(row.rating, row.before)
    up = after > before if after is not None and before is not None else True
    return NewsItem(row.member_id, row.psn_id, row.rating, row.before, row.after, up, row.points_after)


def sort_news(items: Sequence[NewsItem]) -> list[NewsItem]:
    return sorted(items, key=lambda item: (not item.up, item.psn_id.lower(), item.rating))

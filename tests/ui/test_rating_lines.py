"""A DR and an SR class change each read as their own sentence (news lines, the last class change)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.tracking import NewsItem
from bot.storage.tracking import Announcement
from bot.ui.profile import last_change_text
from bot.ui.tracking import news_line

WHEN = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_news_lines_for_dr_and_sr() -> None:
    dr = NewsItem(member_id=5, psn_id="Ann_1", rating="DR", before="C", after="B", up=True, points=10_500)
    sr = NewsItem(member_id=6, psn_id="Bob", rating="SR", before="S", after="A", up=False, points=None)
    assert news_line(dr) == "🔼 <@5> (Ann\\_1): DR C → B (10,500 DR points)"
    assert news_line(sr) == "🔽 <@6> (Bob): SR S → A"
    # The issue: "the before → after, DR points, and the member", for an SR change too.
    sr_points = NewsItem(
        member_id=6, psn_id="Bob", rating="SR", before="S", after="A", up=False, points=31_000
    )
    assert news_line(sr_points) == "🔽 <@6> (Bob): SR S → A (31,000 DR points)"


def test_last_class_change_for_dr_and_sr() -> None:
    def change(rating: str) -> Announcement:
        return Announcement(1, "Ann", rating, "B", "A", 30_000, 5, WHEN)

    assert last_change_text(change("DR")) == "DR B → A on <t:1772600767:D>"
    assert last_change_text(change("SR")) == "SR B → A on <t:1772600767:D>"
    assert last_change_text(None) == "No class change seen yet."

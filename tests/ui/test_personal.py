"""`/me show` lines: each kind of stored row reads as its own sentence, with its date, server and values."""

from __future__ import annotations

import pytest

from bot.storage.users import UserRow
from bot.ui.personal import _row_line

DAY = "2026-03-04T05:06:07+00:00"
SHOWN_DAY = "<t:1772600767:D>"
GUILDS = {7: "Grid *Club*"}
WHERE = r"server Grid \*Club\*"


@pytest.mark.parametrize(
    ("kind", "values", "expected"),
    [
        ("personal_psn", {"psn_id": "Ann", "set_at": DAY}, f"`Ann`, set {SHOWN_DAY}"),
        ("link", {"psn_id": "Ann", "linked_at": DAY}, f"`Ann` in {WHERE}, since {SHOWN_DAY}"),
        ("league_created", {"name": "Ann Cup"}, f"`Ann Cup` in {WHERE}"),
        ("signup_entry", {"psn_id": "Ann", "joined_at": DAY}, f"signed up as `Ann` in {WHERE}, {SHOWN_DAY}"),
        ("signup_opened", {"opened_at": DAY}, f"opened sign-ups in {WHERE}, {SHOWN_DAY}"),
        (
            "race_answer",
            {"psn_id": "Ann", "answered_at": DAY},
            f"check-in answer for `Ann` in {WHERE}, {SHOWN_DAY}",
        ),
        ("news_optout", {"created_at": DAY}, f"not announced in {WHERE}, since {SHOWN_DAY}"),
        (
            "news_announced",
            {"psn_id": "Ann", "observed_at": DAY},
            f"a class change of `Ann` announced in {WHERE}, {SHOWN_DAY}",
        ),
        (
            "penalty_given",
            {"points": "-5", "given_at": DAY},
            f"a change of -5 points you gave in {WHERE}, {SHOWN_DAY}",
        ),
        ("race_created", {"starts_at": DAY}, f"added a race in {WHERE}, {SHOWN_DAY}"),
        ("unknown_kind", {"note": "x`y"}, f"note: `xˋy` ({WHERE})"),
    ],
)
def test_each_kind_of_row_reads_as_its_sentence(kind: str, values: dict[str, str], expected: str) -> None:
    assert _row_line(UserRow(kind=kind, guild_id=7, values=values), GUILDS) == expected


def test_a_row_without_its_date_or_server_name_still_reads() -> None:
    row = UserRow(kind="link", guild_id=8, values={"psn_id": "A" * 50})
    assert _row_line(row, GUILDS) == f"`{'A' * 39}…` in server 8, since —"
    assert _row_line(UserRow(kind="personal_psn", guild_id=None, values={}), {}) == "`(empty)`, set —"

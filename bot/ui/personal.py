"""The words of /me (personal PSN ID, what is stored, delete everything) and of "use it elsewhere" errors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable

import discord

from bot.storage.database import from_db_time
from bot.storage.users import UserRow
from bot.ui.format import BRAND_COLOUR, code, timestamp
from bot.ui.i18n import N_, _, ngettext
from bot.ui.views import ConfirmView

CONFIRM_TIMEOUT_SECONDS = 120.0
MAX_LINES_PER_FIELD = 15

# The kinds of rows storage modules register (bot/storage/users.py), as a user reads them.
KIND_TITLES: dict[str, str] = {
    "personal_psn": N_("Personal PSN ID"),
    "link": N_("PSN ID links in servers"),
    "league_created": N_("Leagues you created"),
    "signup_entry": N_("League sign-ups"),
    "signup_opened": N_("Sign-ups you opened"),
    "race_answer": N_("Race check-in answers"),
    "race_created": N_("Races you added"),
    "penalty_given": N_("Penalties you gave"),
    "news_optout": N_("Driver news opt-outs"),
    "news_announced": N_("Driver news about you"),
}


# How one row of each kind reads, and the column holding its date (None: it has none). Each sentence may
# use {psn} (the row's PSN ID), {league} (its name), {points}, {where} (the server) and {when}.
ROW_LINES: dict[str, tuple[str, str | None]] = {
    "personal_psn": (N_("{psn}, set {when}"), "set_at"),
    "link": (N_("{psn} in {where}, since {when}"), "linked_at"),
    "league_created": (N_("{league} in {where}"), None),
    "signup_entry": (N_("signed up as {psn} in {where}, {when}"), "joined_at"),
    "signup_opened": (N_("opened sign-ups in {where}, {when}"), "opened_at"),
    "race_answer": (N_("check-in answer for {psn} in {where}, {when}"), "answered_at"),
    "news_optout": (N_("not announced in {where}, since {when}"), "created_at"),
    "news_announced": (N_("a class change of {psn} announced in {where}, {when}"), "observed_at"),
    "penalty_given": (N_("a change of {points} points you gave in {where}, {when}"), "given_at"),
    "race_created": (N_("added a race in {where}, {when}"), "starts_at"),
}


def psn_set_text(psn_id: str, previous: str | None) -> str:
    if previous is not None and previous.lower() != psn_id.lower():
        return _(
            "Your personal PSN ID is now {psn} (it was {previous}). Only you can see it; it is used for "
            "/profile and /history in DMs and in servers without the bot.",
            psn=code(psn_id, 40),
            previous=code(previous, 40),
        )
    return _(
        "Your personal PSN ID is now {psn}. Only you can see it; it is used for /profile and /history in "
        "DMs and in servers without the bot.",
        psn=code(psn_id, 40),
    )


def psn_cleared_text(removed: str | None) -> str:
    if removed is None:
        return _("You have no personal PSN ID: nothing to clear.")
    return _("Your personal PSN ID {psn} is deleted.", psn=code(removed, 40))


def _day(stored: str | None) -> str:
    moment = from_db_time(stored) if stored else None
    return timestamp(moment, "D") if moment is not None else "—"


def _row_line(row: UserRow, guild_names: dict[int, str]) -> str:
    values = row.values
    where = ""
    if row.guild_id is not None:
        name = guild_names.get(row.guild_id)
        where = (
            _("server {name}", name=discord.utils.escape_markdown(name))
            if name
            else _("server {id}", id=row.guild_id)
        )
    known = ROW_LINES.get(row.kind)
    if known is not None:
        message, date_column = known
        return _(
            message,
            psn=code(values.get("psn_id", ""), 40),
            league=code(values.get("name", ""), 60),
            points=values.get("points", ""),
            where=where,
            when=_day(values.get(date_column)) if date_column else "—",
        )
    shown = ", ".join(f"{key}: {code(value, 40)}" for key, value in values.items())
    return f"{shown} ({where})" if where else shown


def stored_embed(rows: list[UserRow], guild_names: dict[int, str]) -> discord.Embed:
    """Everything stored about the user, kind by kind."""
    embed = discord.Embed(title=_("What the bot stores about you"), colour=BRAND_COLOUR)
    if not rows:
        embed.description = _("Nothing: the bot stores no data about you.")
        return embed
    by_kind: dict[str, list[UserRow]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    # In KIND_TITLES' order, whatever order the storage modules happened to be imported (and registered) in.
    order = list(KIND_TITLES)
    kinds = sorted(by_kind, key=lambda kind: order.index(kind) if kind in order else len(order))
    for kind in kinds:
        kind_rows = by_kind[kind]
        lines = [f"• {_row_line(row, guild_names)}" for row in kind_rows[:MAX_LINES_PER_FIELD]]
        if len(kind_rows) > MAX_LINES_PER_FIELD:
            hidden = len(kind_rows) - MAX_LINES_PER_FIELD
            lines.append(ngettext("…and {count} more", "…and {count} more", hidden))
        title = _(KIND_TITLES[kind]) if kind in KIND_TITLES else kind
        embed.add_field(name=title, value="\n".join(lines)[:1024], inline=False)
    embed.set_footer(
        text=_(
            "Driver profiles fetched from GT Grid Stats are public game data, kept while a server links "
            "the driver or it is someone's personal PSN ID. /me delete erases everything above."
        )
    )
    return embed


def delete_question() -> str:
    return _(
        "Delete everything the bot stores about you, in every server: your links, your personal PSN ID, "
        "and your name on leagues you created (the leagues stay with their servers)? This cannot be undone."
    )


def deleted_text(touched: dict[str, int]) -> str:
    if not touched:
        return _("There was nothing stored about you: nothing was deleted.")
    total = sum(count for kind, count in touched.items() if kind != "snapshot")
    return ngettext(
        "Done: {count} stored row about you was deleted or cleared, in every server.",
        "Done: {count} stored rows about you were deleted or cleared, in every server.",
        total,
    )


def confirm_delete(*, owner_id: int, on_confirm: Callable[[], Awaitable[dict[str, int]]]) -> ConfirmView:
    """Delete everything / Cancel; only the user who ran /me delete may answer."""

    async def action(_reply: object) -> str:
        return deleted_text(await on_confirm())

    return ConfirmView(
        owner_id=owner_id,
        timeout=CONFIRM_TIMEOUT_SECONDS,
        confirm_label=_("Delete everything"),
        cancel_label=_("Cancel"),
        action=action,
        cancelled=lambda: _("Cancelled: nothing was deleted."),
        timed_out=lambda: _("No answer: nothing was deleted."),
    )

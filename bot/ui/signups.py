"""League-night sign-ups in words: the Join/Leave buttons and the PSN ID modal, the sign-up embed with its
requirements, and the answers to joining, leaving and moving up from the waitlist."""

from __future__ import annotations

import discord
from discord.utils import escape_markdown as escape

from bot.services.league_night.signups import Board, JoinOutcome, JoinStatus, LeaveOutcome, Shortfall
from bot.storage.signups import Entry
from bot.ui.embeds import fit_embed, numbered_names
from bot.ui.format import BRAND_COLOUR, timestamp
from bot.ui.i18n import _, ngettext


def join_label() -> str:
    return _("Join")


def leave_label() -> str:
    return _("Leave")


def psn_modal_title() -> str:
    return _("Join with your PSN ID")


def psn_modal_label() -> str:
    return _("Your PSN ID")


def psn_modal_placeholder() -> str:
    return _("As shown in Gran Turismo 7")


def gate_text(board: Board) -> str:
    signup = board.signup
    parts = []
    if signup.min_dr:
        parts.append(_("DR {rating} or better", rating=signup.min_dr))
    if signup.min_dr_points:
        parts.append(_("at least {points} DR points", points=f"{signup.min_dr_points:,}"))
    if signup.min_sr:
        parts.append(_("SR {rating} or better", rating=signup.min_sr))
    return ", ".join(parts) if parts else _("Open to every driver")


def signup_embed(board: Board) -> discord.Embed:
    signup = board.signup
    title = _("Sign-ups: {league}", league=board.league.name)
    if signup.is_open:
        status = _("Press **Join** to take part, **Leave** to give your place back.")
        if signup.closes_at:
            status += "\n" + _("Closes {when}.", when=timestamp(signup.closes_at, "F"))
    else:
        status = _("Sign-ups are closed.")
    embed = discord.Embed(title=title, description=status, colour=BRAND_COLOUR)
    embed.add_field(name=_("Requirements"), value=gate_text(board), inline=False)
    count = len(board.grid)
    if signup.max_grid is not None:
        grid_title = _("Grid: {count}/{limit}", count=count, limit=signup.max_grid)
    else:
        grid_title = ngettext("Grid: {count} driver", "Grid: {count} drivers", count)
    embed.add_field(
        name=grid_title, value=numbered_names([entry.psn_id for entry in board.grid]), inline=False
    )
    if board.waitlist:
        embed.add_field(
            name=ngettext("Waitlist: {count} driver", "Waitlist: {count} drivers", len(board.waitlist)),
            value=numbered_names([entry.psn_id for entry in board.waitlist]),
            inline=False,
        )
    return fit_embed(embed)


def signup_opened(board: Board) -> str:
    return _(
        "Sign-ups for **{league}** are open in <#{channel}>.",
        league=escape(board.league.name),
        channel=board.signup.channel_id,
    )


def signup_closed_reply(board: Board) -> str:
    return ngettext(
        "Sign-ups for **{league}** are closed: {count} driver on the grid, now the league's roster.",
        "Sign-ups for **{league}** are closed: {count} drivers on the grid, now the league's roster.",
        len(board.grid),
        league=escape(board.league.name),
    )


def _shortfall(item: Shortfall) -> str:
    match item.kind:
        case "dr":
            return _("DR {required} required, yours is {actual}", required=item.required, actual=item.actual)
        case "dr_points":
            return _(
                "{required} DR points required, yours are {actual}",
                required=f"{int(item.required):,}",
                actual=f"{int(item.actual):,}",
            )
        case _:
            return _("SR {required} required, yours is {actual}", required=item.required, actual=item.actual)


def join_answer(outcome: JoinOutcome) -> str:
    psn = escape(outcome.psn_id or "")
    league = escape(outcome.board.league.name) if outcome.board else ""
    match outcome.status:
        case JoinStatus.REFUSED:
            reasons = "; ".join(_shortfall(item) for item in outcome.shortfalls)
            return _("Sorry, **{psn}** can't join: {reasons}.", psn=psn, reasons=reasons)
        case JoinStatus.WAITLISTED:
            if outcome.already:
                return _(
                    "You are already on the waitlist of **{league}** as **{psn}**, position {position}.",
                    league=league,
                    psn=psn,
                    position=outcome.position,
                )
            return _(
                "The grid of **{league}** is full: **{psn}** is on the waitlist, position {position}. "
                "You will be told when a place frees up.",
                league=league,
                psn=psn,
                position=outcome.position,
            )
        case _:
            if outcome.already:
                return _("You are already on the grid of **{league}** as **{psn}**.", league=league, psn=psn)
            return _(
                "You are on the grid of **{league}** as **{psn}**. See you on track!", league=league, psn=psn
            )


def leave_answer(outcome: LeaveOutcome) -> str:
    league = escape(outcome.board.league.name)
    if outcome.left is None:
        return _("You had not joined the sign-ups of **{league}**.", league=league)
    return _("You left the sign-ups of **{league}**; your place is free.", league=league)


def promoted_dm(board: Board, entry: Entry) -> str:
    return _(
        "Good news: a place freed up on the grid of **{league}**, and **{psn}** is in. See you on track!",
        league=escape(board.league.name),
        psn=escape(entry.psn_id),
    )


def promoted_public(entry: Entry, board: Board) -> str:
    return _(
        "<@{member}>, a place freed up: **{psn}** moves from the waitlist onto the grid of **{league}**.",
        member=entry.member_id,
        psn=escape(entry.psn_id),
        league=escape(board.league.name),
    )

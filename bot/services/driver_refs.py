"""Parsing "PSN IDs and/or member mentions" lists, and resolving mentions through a guild's links.

Shared by /compare, /standings and /league add|remove, so they all accept and reject the same things and
name every offending entry in one error (bot/ui/errors.py words it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import DriverCountError, DriverListError, ListProblem, NotAUserId, ProblemKind
from bot.gtgridstats.identifiers import is_valid_psn_id
from bot.services.personal import MembersNeedTheBot
from bot.storage.links import LinkStore

_MENTION = re.compile(r"<@!?(\d{15,21})>")
_SEPARATORS = re.compile(r"[\s,;]+")
_USER_ID = re.compile(r"<@!?(\d{15,21})>|(\d{15,21})")


@dataclass(frozen=True)
class DriverRef:
    """One entry of a driver list: a PSN ID typed out, or a member to look up in the guild's links."""

    psn_id: str | None = None
    member_id: int | None = None

    def __str__(self) -> str:
        return self.psn_id if self.psn_id is not None else f"<@{self.member_id}>"


@dataclass(frozen=True)
class ResolvedDriver:
    psn_id: str
    member_id: int | None  # set when the PSN ID is linked to a member of this guild


def parse_driver_list(text: str, *, minimum: int = 1, maximum: int = 16) -> list[DriverRef]:
    """Split, validate and de-duplicate; one DriverListError lists every problem at once."""
    tokens = [token for token in _SEPARATORS.split(_MENTION.sub(r" \g<0> ", text.strip())) if token]
    refs: list[DriverRef] = []
    problems: list[ListProblem] = []
    seen: dict[str, str] = {}
    for token in tokens:
        mention = _MENTION.fullmatch(token)
        if mention:
            ref = DriverRef(member_id=int(mention.group(1)))
            key = f"member:{ref.member_id}"
        elif is_valid_psn_id(token):
            ref = DriverRef(psn_id=token)
            key = f"psn:{token.lower()}"
        else:
            problems.append(ListProblem(ProblemKind.NOT_A_DRIVER, token))
            continue
        if key in seen:
            problems.append(ListProblem(ProblemKind.LISTED_TWICE, token))
            continue
        seen[key] = token
        refs.append(ref)
    if problems:
        raise DriverListError(problems)
    if len(refs) < minimum:
        raise DriverCountError(given=len(refs), minimum=minimum)
    if len(refs) > maximum:
        raise DriverCountError(given=len(refs), maximum=maximum)
    return refs


def parse_user_id(text: str) -> int:
    """A Discord user id, typed as digits or as a mention such as <@123…>."""
    found = _USER_ID.fullmatch(text.strip())
    if found is None:
        raise NotAUserId(text.strip())
    return int(found.group(1) or found.group(2))


async def resolve_driver_refs(
    refs: list[DriverRef], guild_id: int | None, links: LinkStore, *, in_server: bool = True
) -> list[ResolvedDriver]:
    """Mentions become their linked PSN IDs; an unlinked member is an error that names them.

    `guild_id` None: no server's links apply (DMs, a server where the bot is only user-installed), so
    PSN IDs are taken as typed and a mention is refused (MembersNeedTheBot; `in_server` picks its words).
    One database read for the whole list, so a long list costs no more than a short one."""
    member_ids = [ref.member_id for ref in refs if ref.member_id is not None]
    psn_ids = [ref.psn_id for ref in refs if ref.psn_id is not None]
    if guild_id is None:
        if member_ids:
            raise MembersNeedTheBot(in_server=in_server)
        return [ResolvedDriver(psn_id=psn_id, member_id=None) for psn_id in psn_ids]
    found = await links.matching(guild_id, member_ids, psn_ids)
    by_member = {link.member_id: link for link in found}
    by_psn = {link.psn_id.lower(): link for link in found}
    resolved: list[ResolvedDriver] = []
    unlinked: list[ListProblem] = []
    seen: set[str] = set()
    duplicates: list[ListProblem] = []
    for ref in refs:
        if ref.member_id is not None:
            link = by_member.get(ref.member_id)
            if link is None:
                unlinked.append(ListProblem(ProblemKind.NOT_LINKED, str(ref)))
                continue
            driver = ResolvedDriver(psn_id=link.psn_id, member_id=ref.member_id)
        else:
            assert ref.psn_id is not None
            holder = by_psn.get(ref.psn_id.lower())
            driver = ResolvedDriver(psn_id=ref.psn_id, member_id=holder.member_id if holder else None)
        if driver.psn_id.lower() in seen:
            duplicates.append(ListProblem(ProblemKind.SAME_DRIVER, str(ref), driver.psn_id))
            continue
        seen.add(driver.psn_id.lower())
        resolved.append(driver)
    if unlinked or duplicates:
        raise DriverListError(unlinked + duplicates)
    return resolved

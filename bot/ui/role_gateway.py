"""The rank roles' `RoleGateway` over discord.py's REST client (the bot builds RoleService with it).

Discord's refusals become the service's typed errors; the audit-log reasons are words of the ui layer.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

import discord

from bot.services.roles import (
    DiscordUnavailable,
    GuildRole,
    GuildRoles,
    MemberGone,
    RoleGone,
    RolesForbidden,
    TooManyRoles,
)
from bot.ui import roles as words

UNKNOWN_ROLE = 10011
UNKNOWN_MEMBER = 10007
MAX_ROLES_REACHED = 30005
ROLE_NAME_LIMIT = 100


class DiscordRoles:
    """The service's `RoleGateway` over discord.py's REST client; Discord's refusals become typed errors."""

    def __init__(self, bot: discord.Client) -> None:
        self.bot = bot

    async def _call(self, call: Coroutine[Any, Any, Any], role_id: int | None = None) -> Any:
        try:
            return await call
        except discord.NotFound as error:
            if error.code == UNKNOWN_ROLE and role_id is not None:
                raise RoleGone(role_id) from None
            if error.code == UNKNOWN_MEMBER:
                raise MemberGone() from None
            raise DiscordUnavailable(f"HTTP 404 ({error.code})") from None
        except discord.Forbidden:
            raise RolesForbidden(role_id) from None
        except discord.HTTPException as error:
            if error.code == MAX_ROLES_REACHED:
                raise TooManyRoles() from None
            raise DiscordUnavailable(f"HTTP {error.status} ({error.code})") from None

    async def guild_roles(self, guild_id: int) -> GuildRoles:
        assert self.bot.user is not None
        payloads = await self._call(self.bot.http.get_roles(guild_id))
        me = await self._call(self.bot.http.get_member(guild_id, self.bot.user.id))
        roles = {
            int(role["id"]): GuildRole(
                id=int(role["id"]),
                name=str(role["name"]),
                position=int(role["position"]),
                permissions=int(role.get("permissions") or 0),
                managed=bool(role.get("managed")),
            )
            for role in payloads
        }
        return GuildRoles(guild_id, roles, frozenset(int(role_id) for role_id in me.get("roles", [])))

    async def member_roles(self, guild_id: int, member_id: int) -> frozenset[int]:
        member = await self._call(self.bot.http.get_member(guild_id, member_id))
        return frozenset(int(role_id) for role_id in member.get("roles", []))

    async def add_role(self, guild_id: int, member_id: int, role_id: int) -> None:
        reason = words.reason_apply()
        await self._call(self.bot.http.add_role(guild_id, member_id, role_id, reason=reason), role_id)

    async def remove_role(self, guild_id: int, member_id: int, role_id: int) -> None:
        reason = words.reason_apply()
        await self._call(self.bot.http.remove_role(guild_id, member_id, role_id, reason=reason), role_id)

    async def create_role(self, guild_id: int, name: str, colour: int) -> int:
        created = await self._call(
            self.bot.http.create_role(
                guild_id,
                reason=words.reason_setup(),
                name=name[:ROLE_NAME_LIMIT],
                color=colour,
                permissions="0",
            )
        )
        return int(created["id"])

    async def delete_role(self, guild_id: int, role_id: int) -> None:
        await self._call(self.bot.http.delete_role(guild_id, role_id, reason=words.reason_off()), role_id)

"""Drives the real bot with Discord-shaped interaction payloads, the way the gateway would.

Payloads go through discord.py's own `parse_interaction_create`, so the command tree, transformers, checks,
autocomplete and `on_error` all run; the bot's replies travel over HTTP to the Discord stand-in, where tests
read them. Each call returns once every task the interaction started has finished: no sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from tests.standins.discord_api import APPLICATION_ID, DiscordStandin, InteractionRecord, SentMessage

_ids = itertools.count(1_200_000_000_000_000_000)

MEMBER_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, embed_links=True, attach_files=True, read_message_history=True
)
MANAGER_PERMISSIONS = discord.Permissions(
    MEMBER_PERMISSIONS.value | discord.Permissions(manage_guild=True).value
)
BOT_PERMISSIONS = MEMBER_PERMISSIONS


def new_id() -> int:
    return next(_ids)


@dataclass
class FakeGuild:
    id: int = field(default_factory=new_id)
    name: str = "Test Guild"
    locale: str = "en-US"
    channel_id: int = field(default_factory=new_id)


@dataclass
class FakeUser:
    guild: FakeGuild | None
    name: str = "racer"
    id: int = field(default_factory=new_id)
    locale: str = "en-US"
    permissions: discord.Permissions = MEMBER_PERMISSIONS

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def user_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.name.title(),
            "avatar": None,
            "bot": False,
            "public_flags": 0,
        }

    def member_payload(self, *, with_user: bool = True) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "roles": [],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "permissions": str(self.permissions.value),
        }
        if with_user:
            payload["user"] = self.user_payload()
        return payload


def dm_user(name: str = "dm_racer", *, permissions: discord.Permissions = MANAGER_PERMISSIONS) -> FakeUser:
    """Someone writing to the bot in DMs: their interactions carry no guild_id, `user` instead of `member`,
    context 1 (BOT_DM) and a DM channel (type 1), as Discord sends them. `permissions` never reach the
    payload (Discord sends no member permissions in DMs): they only show that a manager gets no further."""
    return FakeUser(guild=None, name=name, permissions=permissions)


@dataclass
class FakeChannel:
    guild: FakeGuild
    id: int = field(default_factory=new_id)
    name: str = "standings"
    # The bot's permissions in the channel, as Discord resolves them in a channel option.
    permissions: discord.Permissions = field(default_factory=lambda: BOT_PERMISSIONS)

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": 0,
            "guild_id": str(self.guild.id),
            "name": self.name,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "permissions": str(self.permissions.value),
        }


class InteractionDriver:
    def __init__(self, bot: commands.Bot, discord_api: DiscordStandin) -> None:
        self.bot = bot
        self.discord = discord_api

    # --- public verbs ------------------------------------------------------------------------------

    async def slash(
        self,
        command: str,
        *,
        user: FakeUser,
        channel_id: int | None = None,
        shape: Callable[[dict[str, Any]], None] | None = None,
        **options: Any,
    ) -> InteractionRecord:
        """Invoke `/command` (e.g. "league setup") with options given by parameter name; `shape` may
        rewrite the payload (install context) before it enters the gateway parser."""
        data = self._command_data(command, options, focused=None)
        return await self._dispatch(2, data, user=user, channel_id=channel_id, shape=shape)

    async def dm_interaction(self, command: str, *, user: FakeUser, **options: Any) -> InteractionRecord:
        """Invoke `/command` from `user`'s DMs with the bot: no guild_id, `user` instead of `member`."""
        in_dms = FakeUser(guild=None, name=user.name, id=user.id, locale=user.locale)
        return await self.slash(command, user=in_dms, **options)

    async def private_channel_interaction(
        self, command: str, *, user: FakeUser, **options: Any
    ) -> InteractionRecord:
        """Invoke `/command` in a group DM through `user`'s own install of the app: context 2, a group DM
        channel (type 3) the bot is not in (its posts there get 403 50001 Missing Access)."""
        in_group = FakeUser(guild=None, name=user.name, id=user.id, locale=user.locale)
        channel_id = new_id()
        self.discord.inaccessible_channels.add(channel_id)
        return await self.slash(
            command, user=in_group, channel_id=channel_id, shape=private_channel_shape(in_group), **options
        )

    async def user_install_interaction(
        self, command: str, *, user: FakeUser, **options: Any
    ) -> InteractionRecord:
        """Invoke `/command` in `user.guild` where only `user` installed the app (no bot member):
        context 0 with the guild, but `authorizing_integration_owners` holds only the user install (key
        "1"), `app_permissions` are what a user-installed app gets, and the bot's own posts in the channel
        get 403 50001 Missing Access."""
        assert user.guild is not None, "a user-installed interaction in a server needs the user's server"
        channel_id = user.guild.channel_id
        self.discord.inaccessible_channels.add(channel_id)
        self.discord.bot_absent_guilds.add(user.guild.id)
        return await self.slash(
            command, user=user, channel_id=channel_id, shape=user_install_shape(user), **options
        )

    async def autocomplete(
        self, command: str, focused: str, *, user: FakeUser, **options: Any
    ) -> list[dict[str, Any]]:
        """What the bot suggests while `user` types `options[focused]`."""
        data = self._command_data(command, options, focused=focused)
        record = await self._dispatch(4, data, user=user, channel_id=None)
        return record.choices

    async def click(
        self,
        message: SentMessage,
        label: str,
        *,
        user: FakeUser,
        channel_id: int | None = None,
        shape: Callable[[dict[str, Any]], None] | None = None,
    ) -> InteractionRecord:
        """Press the button labelled `label` on a message the bot sent."""
        button = message.button(label)
        if button.get("disabled"):
            raise AssertionError(f"button {label!r} is disabled: a user could not press it")
        data = {"custom_id": button["custom_id"], "component_type": 2}
        return await self._dispatch(3, data, user=user, channel_id=channel_id, clicked=message, shape=shape)

    async def submit_modal(
        self,
        record: InteractionRecord,
        values: dict[str, str],
        *,
        user: FakeUser,
        channel_id: int | None = None,
    ) -> InteractionRecord:
        """Fill in the modal the bot answered `record` with (type 9) and submit it (interaction type 5)."""
        modal = record.modal
        assert modal is not None, f"the bot answered with no modal: {record.callbacks}"
        rows = []
        for row in modal["components"]:
            inputs = []
            for item in row["components"]:
                value = values.get(item["custom_id"], "")
                if item.get("required", True) and not value:
                    raise AssertionError(f"the modal's field {item['label']!r} is required")
                inputs.append({"type": 4, "custom_id": item["custom_id"], "value": value})
            rows.append({"type": 1, "components": inputs})
        data = {"custom_id": modal["custom_id"], "components": rows}
        return await self._dispatch(5, data, user=user, channel_id=channel_id)

    # --- payloads ----------------------------------------------------------------------------------

    def _find(self, command: str) -> tuple[list[str], app_commands.Command[Any, ..., Any]]:
        names = command.split()
        found: Any = self.bot.tree.get_command(names[0])
        for name in names[1:]:
            if not isinstance(found, app_commands.Group):
                raise AssertionError(f"/{command}: {found!r} has no subcommands")
            found = found.get_command(name)
        if not isinstance(found, app_commands.Command):
            raise AssertionError(f"/{command} is not a command the bot registered")
        return names, found

    def _command_data(self, command: str, options: dict[str, Any], focused: str | None) -> dict[str, Any]:
        names, found = self._find(command)
        typed: dict[str, tuple[str, discord.AppCommandOptionType]] = {}
        for name in options:
            parameter = found._params.get(name)
            if parameter is None:
                raise AssertionError(f"/{command} has no option {name!r}")
            typed[name] = (parameter.display_name, parameter.type)
            value = options[name]
            if isinstance(value, FakeUser) and value.guild is not None:
                self.discord.add_member(value.guild.id, value.user_payload())
        return command_data(
            names,
            {typed[name]: value for name, value in options.items()},
            focused=focused and typed[focused][0],
        )

    def _payload(
        self,
        kind: int,
        data: dict[str, Any],
        user: FakeUser,
        channel_id: int | None,
        clicked: SentMessage | None,
    ) -> dict[str, Any]:
        payload = interaction_payload(kind, data, user, channel_id)
        if clicked is not None:
            payload["message"] = clicked.to_payload(self.discord.bot_user)
            payload["message"]["channel_id"] = payload["channel_id"]
        return payload

    async def _dispatch(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user: FakeUser,
        channel_id: int | None,
        clicked: SentMessage | None = None,
        shape: Callable[[dict[str, Any]], None] | None = None,
    ) -> InteractionRecord:
        payload = self._payload(kind, data, user, channel_id, clicked)
        if shape is not None:
            shape(payload)
        if user.guild is not None and user.guild.id not in self.discord.bot_absent_guilds:
            # Whoever uses a command in a guild is a member of it, as far as the REST stand-in knows.
            self.discord.add_member(user.guild.id, user.user_payload())
        record = self.discord.register_interaction(int(payload["id"]), payload["token"])
        record.clicked_message = clicked
        before = asyncio.all_tasks()
        # The gateway's own entry point: everything from here on is discord.py and the bot.
        self.bot._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        started = asyncio.all_tasks() - before
        results = await asyncio.gather(*started, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return record


def command_data(
    names: list[str],
    options: dict[tuple[str, discord.AppCommandOptionType], Any],
    *,
    focused: str | None = None,
) -> dict[str, Any]:
    """The `data` of an application-command interaction: options keyed by (name, type), nested under
    subcommands as Discord nests them."""
    resolved: dict[str, dict[str, Any]] = {}
    built = [_option(name, kind, value, resolved, focused == name) for (name, kind), value in options.items()]
    leaf: list[dict[str, Any]] = built
    for name in reversed(names[1:]):
        leaf = [{"type": 1 if leaf is built else 2, "name": name, "options": leaf}]
    data: dict[str, Any] = {"id": str(new_id()), "name": names[0], "type": 1, "options": leaf}
    if resolved:
        data["resolved"] = resolved
    return data


def _option(
    name: str,
    kind: discord.AppCommandOptionType,
    value: Any,
    resolved: dict[str, dict[str, Any]],
    focused: bool,
) -> dict[str, Any]:
    option: dict[str, Any] = {"name": name, "type": kind.value}
    if focused:
        option["focused"] = True
        option["value"] = str(value)
        return option
    if kind is discord.AppCommandOptionType.user:
        assert isinstance(value, FakeUser), f"option {name} wants a FakeUser"
        resolved.setdefault("users", {})[str(value.id)] = value.user_payload()
        if value.guild is not None:
            resolved.setdefault("members", {})[str(value.id)] = value.member_payload(with_user=False)
        option["value"] = str(value.id)
    elif kind is discord.AppCommandOptionType.role:
        assert isinstance(value, dict), f"option {name} wants a role payload (DiscordStandin.role_named)"
        resolved.setdefault("roles", {})[str(value["id"])] = value
        option["value"] = str(value["id"])
    elif kind is discord.AppCommandOptionType.channel:
        assert isinstance(value, FakeChannel), f"option {name} wants a FakeChannel"
        resolved.setdefault("channels", {})[str(value.id)] = value.payload()
        option["value"] = str(value.id)
    else:
        option["value"] = value
    return option


def interaction_payload(
    kind: int, data: dict[str, Any], user: FakeUser, channel_id: int | None = None
) -> dict[str, Any]:
    """A whole INTERACTION_CREATE payload, as the gateway delivers it, from `user` in their guild (or DMs)."""
    interaction_id = new_id()
    guild = user.guild
    channel = channel_id or (guild.channel_id if guild else user.id)
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(APPLICATION_ID),
        "type": kind,
        "data": data,
        "token": f"token-{interaction_id}",
        "version": 1,
        "locale": user.locale,
        "app_permissions": str(BOT_PERMISSIONS.value),
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild.id) if guild else "0"},
        "attachment_size_limit": 10 * 1024 * 1024,
        "context": 0 if guild else 1,
        "channel_id": str(channel),
    }
    if guild is not None:
        payload["guild_id"] = str(guild.id)
        payload["guild_locale"] = guild.locale
        payload["guild"] = {"id": str(guild.id), "locale": guild.locale, "features": []}
        payload["channel"] = FakeChannel(guild, id=channel, name="general").payload()
        payload["member"] = user.member_payload()
    else:
        payload["channel"] = {"id": str(channel), "type": 1, "recipients": [user.user_payload()]}
        payload["user"] = user.user_payload()
    return payload


# What a user-installed app may do in a channel it is not a member of: Discord's app_permissions there.
USER_INSTALL_APP_PERMISSIONS = discord.Permissions(
    send_messages=True, embed_links=True, attach_files=True, use_external_emojis=True
)


def user_install_shape(user: FakeUser) -> Callable[[dict[str, Any]], None]:
    """Rewrites a server payload as Discord sends it where only `user` installed the app."""

    def shape(payload: dict[str, Any]) -> None:
        payload["authorizing_integration_owners"] = {"1": str(user.id)}
        payload["app_permissions"] = str(USER_INSTALL_APP_PERMISSIONS.value)
        payload["context"] = 0

    return shape


def private_channel_shape(user: FakeUser) -> Callable[[dict[str, Any]], None]:
    """Rewrites a DM payload into a group DM's (context 2, channel type 3), through `user`'s install."""

    def shape(payload: dict[str, Any]) -> None:
        payload["authorizing_integration_owners"] = {"1": str(user.id)}
        payload["app_permissions"] = str(USER_INSTALL_APP_PERMISSIONS.value)
        payload["context"] = 2
        payload["channel"] = {
            "id": payload["channel_id"],
            "type": 3,
            "name": "racing pals",
            "owner_id": str(user.id),
            "recipients": [user.user_payload()],
        }

    return shape

"""A local stand-in for Discord's REST API (and, for whole-process tests, its gateway), on 127.0.0.1.

discord.py sends every REST call through `Route.BASE`; pointing that at this server lets the real library
run unchanged: interaction callbacks, followups, edits, channel messages and command syncs are received
over real HTTP (multipart uploads included) and recorded for tests to assert on.

It models what the bot uses, not all of Discord: unknown routes answer 404 and are recorded, so a gap fails
a test loudly instead of passing silently.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, web

from tests.standins.discord_commands import command_problems

API_PREFIX = "/api/v10"
APPLICATION_ID = 900_000_000_000_000_001
BOT_USER_ID = APPLICATION_ID
EPHEMERAL = 1 << 6

CALLBACK_MESSAGE = 4
CALLBACK_DEFERRED_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE = 6
CALLBACK_UPDATE_MESSAGE = 7
CALLBACK_AUTOCOMPLETE = 8
CALLBACK_MODAL = 9

# Discord's documented limits for a modal (interaction response type 9) and its text inputs.
MODAL_TITLE_LIMIT = 45
MODAL_ROWS_LIMIT = 5
TEXT_INPUT_LABEL_LIMIT = 45
TEXT_INPUT_VALUE_LIMIT = 4000
CUSTOM_ID_LIMIT = 100
PLACEHOLDER_LIMIT = 100
# Autocomplete answers (interaction response type 8): at most 25 choices, names 1-100, string values to 100.
AUTOCOMPLETE_CHOICES_LIMIT = 25
CHOICE_NAME_LIMIT = 100
CHOICE_VALUE_LIMIT = 100
# Guild scheduled events (https://discord.com/developers/docs/resources/guild-scheduled-event).
EVENT_NAME_LIMIT = 100
EVENT_DESCRIPTION_LIMIT = 1000
EVENT_LOCATION_LIMIT = 100
EVENT_EXTERNAL = 3

# Discord's permission bits and role limits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_ROLES = 1 << 28
ROLE_NAME_LIMIT = 100
MAX_GUILD_ROLES = 250


@dataclass
class Attachment:
    filename: str
    data: bytes
    content_type: str | None


@dataclass
class SentMessage:
    id: int
    channel_id: int
    content: str | None = None
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    interaction_id: int | None = None
    edits: int = 0
    deleted: bool = False
    loading: bool = False  # a deferred "thinking…" message that nothing has filled yet
    allowed_mentions: dict[str, Any] = field(default_factory=dict)  # as sent (who the post may ping)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def embed(self) -> dict[str, Any]:
        assert len(self.embeds) == 1, f"expected exactly one embed, got {len(self.embeds)}"
        return self.embeds[0]

    def text(self) -> str:
        """Everything a user reads in the message, flattened for `in` assertions."""
        parts = [self.content or ""]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [embed.get("footer", {}).get("text", ""), embed.get("author", {}).get("name", "")]
            for embed_field in embed.get("fields", []):
                parts += [embed_field.get("name", ""), embed_field.get("value", "")]
        return "\n".join(part for part in parts if part)

    def custom_ids(self) -> list[str]:
        return [
            component["custom_id"]
            for row in self.components
            for component in row.get("components", [])
            if "custom_id" in component
        ]

    def button(self, label: str) -> dict[str, Any]:
        for row in self.components:
            components: list[dict[str, Any]] = row.get("components", [])
            for component in components:
                if component.get("label") == label:
                    return component
        raise AssertionError(f"no button {label!r} in {self.components}")

    def to_payload(self, author: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": author,
            "content": self.content or "",
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [
                {
                    "id": str(index + 1),
                    "filename": attachment.filename,
                    "size": len(attachment.data),
                    "url": f"https://cdn.invalid/{attachment.filename}",
                    "proxy_url": f"https://cdn.invalid/{attachment.filename}",
                }
                for index, attachment in enumerate(self.attachments)
            ],
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "type": 0,
            "flags": self.flags,
        }


@dataclass
class InteractionRecord:
    """What the bot did with one interaction, as Discord saw it."""

    id: int
    token: str
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    original: SentMessage | None = None
    followups: list[SentMessage] = field(default_factory=list)
    clicked_message: SentMessage | None = None  # for component interactions: the message clicked
    modal: dict[str, Any] | None = None  # the modal the bot answered with (callback type 9)

    @property
    def callback_type(self) -> int | None:
        return self.callbacks[0]["type"] if self.callbacks else None

    @property
    def deferred(self) -> bool:
        return self.callback_type in (CALLBACK_DEFERRED_MESSAGE, CALLBACK_DEFERRED_UPDATE)

    @property
    def choices(self) -> list[dict[str, Any]]:
        assert self.callback_type == CALLBACK_AUTOCOMPLETE, f"not an autocomplete answer: {self.callbacks}"
        choices: list[dict[str, Any]] = self.callbacks[0]["data"]["choices"]
        return choices

    @property
    def messages(self) -> list[SentMessage]:
        return ([self.original] if self.original else []) + self.followups

    @property
    def reply(self) -> SentMessage:
        """The message the user ends up looking at: the original response, else the first followup."""
        messages = self.messages
        assert messages, f"the bot sent no message for this interaction (callbacks: {self.callbacks})"
        return messages[0]


@dataclass
class RecordedCall:
    method: str
    path: str
    at: float


class DiscordStandin:
    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.calls: list[RecordedCall] = []
        self.interactions: dict[str, InteractionRecord] = {}
        self.channel_messages: dict[int, list[SentMessage]] = {}
        self.synced_commands: dict[int | None, list[dict[str, Any]]] = {}
        self.forbidden_channels: set[int] = set()
        # Channels where the bot lacks Attach Files: a message with an upload gets 403 50013 Missing
        # Permissions (the same message without one is posted).
        self.no_attach_channels: set[int] = set()
        # Channels the bot is not in at all (a group DM, a server where only a user installed the app):
        # its own posts there get 403 50001 Missing Access.
        self.inaccessible_channels: set[int] = set()
        # Channels someone deleted: every request about them gets 404 10003 Unknown Channel.
        self.deleted_channels: set[int] = set()
        # Servers where the app is only user-installed: the bot is no member there.
        self.bot_absent_guilds: set[int] = set()
        # Per channel, the statuses its next posts get (200 = posted as usual), for partial failures.
        self.channel_statuses: dict[int, list[int]] = {}
        self.expired_tokens: set[str] = set()
        # Guild members by guild, then user id (their user payloads), for GET /guilds/{id}/members/{id}.
        # A guild the bot is not in answers 10004 Unknown Guild; someone not in the list, 10007.
        self.guild_members: dict[int, dict[int, dict[str, Any]]] = {}
        # When set, every member look-up fails this way instead: (status, code, message).
        self.member_lookup_error: tuple[int, int, str] | None = None
        # Guild roles by guild, then role id (role payloads); members' roles by (guild, user). A guild
        # whose roles are modelled has an @everyone role (id = guild id) and the bot's member with its role.
        self.guild_roles: dict[int, dict[int, dict[str, Any]]] = {}
        self.member_roles: dict[tuple[int, int], list[int]] = {}
        # Every role change the bot made: (method, guild id, user id or None, role id, audit-log reason).
        self.role_changes: list[tuple[str, int, int | None, int, str | None]] = []
        # When set, every member-role change fails this way (status, code, message), e.g. a 500.
        self.role_change_error: tuple[int, int, str] | None = None
        # DM channels the bot opened (channel id -> recipient id), and users who do not accept DMs.
        self.dm_channels: dict[int, int] = {}
        self.dms_closed: set[int] = set()
        self.unknown_routes: list[str] = []
        self.rejected: list[dict[str, Any]] = []  # bodies refused with 50035 Invalid Form Body
        self.identify_payloads: list[dict[str, Any]] = []
        # Guild scheduled events by guild, then event id; guilds where the bot lacks Manage Events.
        self.scheduled_events: dict[int, dict[int, dict[str, Any]]] = {}
        self.events_forbidden_guilds: set[int] = set()
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.ready_guild_ids: list[int] = []
        self._socket: web.WebSocketResponse | None = None
        self._sequence = 0
        self.gateway_url = "ws://127.0.0.1:1/"
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self._changed = asyncio.Condition()
        self._loop_time: Callable[[], float] = lambda: asyncio.get_running_loop().time()
        self.bot_user = {
            "id": str(BOT_USER_ID),
            "username": "GT Grid",
            "discriminator": "0",
            "global_name": "GT Grid",
            "avatar": None,
            "bot": True,
            "flags": 0,
        }

    # --- lifecycle ---------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._dispatch)
        app.router.add_get("/gateway", self._gateway)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_port = self._runner.addresses[0][1]
        self.base_url = f"http://{host}:{bound_port}{API_PREFIX}"
        self.gateway_url = f"ws://{host}:{bound_port}/gateway"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordStandin:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def new_id(self) -> int:
        return next(self._ids)

    def interaction(self, interaction_id: int) -> InteractionRecord:
        return self.interactions[str(interaction_id)]

    def register_interaction(self, interaction_id: int, token: str) -> InteractionRecord:
        record = InteractionRecord(id=interaction_id, token=token)
        self.interactions[token] = record
        self.interactions[str(interaction_id)] = record
        return record

    def add_member(self, guild_id: int, user: dict[str, Any]) -> None:
        self.guild_members.setdefault(guild_id, {})[int(user["id"])] = user

    def remove_member(self, guild_id: int, user_id: int) -> None:
        """The user leaves the guild: Discord then answers 404 Unknown Member for them."""
        self.guild_members.get(guild_id, {}).pop(user_id, None)

    # --- roles ------------------------------------------------------------------------------------------

    def setup_roles(
        self, guild_id: int, *, bot_permissions: int = MANAGE_ROLES | 0x4C00, bot_position: int = 10
    ) -> int:
        """Model the guild's roles: @everyone (position 0) and the bot's own integration role (managed,
        at `bot_position`, with `bot_permissions`), held by the bot's member. Returns the bot role's id."""
        self.guild_roles[guild_id] = {}
        everyone = self._role_payload(guild_id, "@everyone", position=0, permissions=0x4C00)
        self.guild_roles[guild_id][guild_id] = everyone
        bot_role = self.add_role(
            guild_id, "GT Grid", position=bot_position, permissions=bot_permissions, managed=True
        )
        self.add_member(guild_id, self.bot_user)
        self.member_roles[(guild_id, BOT_USER_ID)] = [bot_role]
        return bot_role

    def add_role(
        self,
        guild_id: int,
        name: str,
        *,
        position: int = 1,
        permissions: int = 0,
        managed: bool = False,
        colour: int = 0,
    ) -> int:
        role_id = self.new_id()
        roles = self.guild_roles.setdefault(guild_id, {})
        for role in roles.values():  # a new role pushes those at or above its position up, as on Discord
            if role["position"] >= position and int(role["id"]) != guild_id:
                role["position"] += 1
        roles[role_id] = self._role_payload(
            role_id, name, position=position, permissions=permissions, managed=managed, colour=colour
        )
        return role_id

    def set_role(self, guild_id: int, role_id: int, **fields: Any) -> None:
        """Change a role as a server admin would (e.g. `position=20`, `permissions=0`)."""
        self.guild_roles[guild_id][role_id].update(
            {key: str(value) if key == "permissions" else value for key, value in fields.items()}
        )

    def remove_role_from_guild(self, guild_id: int, role_id: int) -> None:
        """Someone deletes the role in the server settings: members lose it, Discord then says 10011."""
        self.guild_roles.get(guild_id, {}).pop(role_id, None)
        for (guild, _), held in self.member_roles.items():
            if guild == guild_id and role_id in held:
                held.remove(role_id)

    def give_role(self, guild_id: int, user_id: int, role_id: int) -> None:
        held = self.member_roles.setdefault((guild_id, user_id), [])
        if role_id not in held:
            held.append(role_id)

    def roles_of(self, guild_id: int, user_id: int) -> set[int]:
        return set(self.member_roles.get((guild_id, user_id), []))

    def role_named(self, guild_id: int, name: str) -> dict[str, Any]:
        found = [role for role in self.guild_roles.get(guild_id, {}).values() if role["name"] == name]
        assert len(found) == 1, f"{len(found)} roles named {name!r} in guild {guild_id}"
        return found[0]

    @staticmethod
    def _role_payload(
        role_id: int, name: str, *, position: int, permissions: int, managed: bool = False, colour: int = 0
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(role_id),
            "name": name,
            "color": colour,
            "colors": {"primary_color": colour, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": managed,
            "mentionable": False,
            "flags": 0,
        }
        if managed:
            payload["tags"] = {"bot_id": str(BOT_USER_ID)}
        return payload

    def dms_to(self, user_id: int) -> list[SentMessage]:
        """Every direct message the bot sent to `user_id`."""
        return [
            message
            for channel_id, recipient in self.dm_channels.items()
            if recipient == user_id
            for message in self.messages_in(channel_id)
        ]

    def messages_in(self, channel_id: int) -> list[SentMessage]:
        return [message for message in self.channel_messages.get(channel_id, []) if not message.deleted]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until something the bot sends makes `predicate` true (woken by each request, not polled)."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(predicate)

    # --- gateway -----------------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        """Just enough of the gateway: HELLO, IDENTIFY -> READY, heartbeats, and dispatches from tests."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._socket = socket
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 45_000}})
        async for frame in socket:
            if frame.type is not web.WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            if message["op"] == 1:
                await socket.send_json({"op": 11})
            elif message["op"] == 2:
                self.identify_payloads.append(message["d"])
                await self.dispatch_event(
                    "READY",
                    {
                        "v": 10,
                        "user": self.bot_user,
                        "guilds": [
                            {"id": str(guild_id), "unavailable": True} for guild_id in self.ready_guild_ids
                        ],
                        "session_id": "stand-in-session",
                        "resume_gateway_url": self.gateway_url,
                        "application": {"id": str(APPLICATION_ID), "flags": 0},
                        "shard": [0, 1],
                    },
                )
            async with self._changed:
                self._changed.notify_all()
        return socket

    async def dispatch_event(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway dispatch (e.g. INTERACTION_CREATE) to the connected bot."""
        assert self._socket is not None, "no bot is connected to the gateway"
        self._sequence += 1
        await self._socket.send_json({"op": 0, "t": event, "s": self._sequence, "d": data})

    # --- request handling --------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        self.calls.append(RecordedCall(request.method, path, self._loop_time()))
        parts = path.strip("/").split("/")
        try:
            response = await self._route(request, parts)
        finally:
            async with self._changed:
                self._changed.notify_all()
        return response

    async def _route(self, request: web.Request, parts: list[str]) -> web.StreamResponse:
        method = request.method
        match parts:
            case ["users", "@me"]:
                return _json(self.bot_user)
            case ["oauth2", "applications", "@me"] | ["applications", "@me"]:
                return _json(self._application())
            case ["gateway", "bot"] | ["gateway"]:
                return _json(
                    {
                        "url": self.gateway_url,
                        "shards": 1,
                        "session_start_limit": {
                            "total": 1000,
                            "remaining": 999,
                            "reset_after": 0,
                            "max_concurrency": 1,
                        },
                    }
                )
            case ["applications", _, "commands"]:
                return await self._commands(request, None)
            case ["applications", _, "guilds", guild_id, "commands"]:
                return await self._commands(request, int(guild_id))
            case ["interactions", interaction_id, token, "callback"] if method == "POST":
                return await self._callback(request, interaction_id, token)
            case ["webhooks", _, token] if method == "POST":
                return await self._followup(request, token)
            case ["webhooks", _, token, "messages", message_id]:
                return await self._webhook_message(request, token, message_id)
            case ["guilds", guild_id, "roles"] if method in ("GET", "POST"):
                return await self._roles(request, int(guild_id))
            case ["guilds", guild_id, "roles", role_id] if method in ("PATCH", "DELETE"):
                return await self._role(request, int(guild_id), int(role_id))
            case ["guilds", guild_id, "members", user_id, "roles", role_id] if method in ("PUT", "DELETE"):
                return self._member_role(request, int(guild_id), int(user_id), int(role_id))
            case ["guilds", guild_id, "members", user_id] if method == "GET":
                return self._guild_member(int(guild_id), int(user_id))
            case ["users", "@me", "channels"] if method == "POST":
                return await self._open_dm(request)
            case ["channels", channel_id, "messages"] if method == "POST":
                return await self._channel_message(request, int(channel_id))
            case ["channels", channel_id, "messages", message_id]:
                return await self._channel_message_edit(request, int(channel_id), int(message_id))
            case ["guilds", guild_id, "scheduled-events"]:
                return await self._scheduled_events(request, int(guild_id), None)
            case ["guilds", guild_id, "scheduled-events", event_id]:
                return await self._scheduled_events(request, int(guild_id), int(event_id))
            case ["channels", channel_id]:
                return _json({"id": channel_id, "type": 0, "guild_id": None, "name": f"channel-{channel_id}"})
        self.unknown_routes.append(f"{method} {'/'.join(parts)}")
        return _discord_error(404, 0, "404: Not Found (route not modelled by the stand-in)")

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(APPLICATION_ID),
            "name": "GT Grid",
            "icon": None,
            "description": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": {**self.bot_user, "id": "1", "username": "owner", "bot": False},
            "summary": "",
            "verify_key": "0" * 64,
            "team": None,
            "flags": 0,
        }

    async def _commands(self, request: web.Request, guild_id: int | None) -> web.Response:
        if request.method == "PUT":
            commands = await request.json()
            if errors := command_problems(commands) | install_problems(commands):
                self.rejected.append({"commands": commands, "errors": errors})
                return _json({"code": 50035, "message": "Invalid Form Body", "errors": errors}, status=400)
            for command in commands:
                command.setdefault("id", str(self.new_id()))
                command["application_id"] = str(APPLICATION_ID)
                command["version"] = "1"
                command.setdefault("default_member_permissions", None)
                command.setdefault("dm_permission", True)
                command.setdefault("nsfw", False)
                if guild_id is not None:
                    command["guild_id"] = str(guild_id)
            self.synced_commands[guild_id] = commands
        return _json(self.synced_commands.get(guild_id, []))

    async def _read_message(self, request: web.Request) -> tuple[dict[str, Any], list[Attachment]]:
        if not request.content_type.startswith("multipart/"):
            body = await request.read()
            return (json.loads(body) if body else {}), []
        payload: dict[str, Any] = {}
        files: list[Attachment] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            assert isinstance(part, BodyPartReader), "discord.py never nests multipart bodies"
            if part.name == "payload_json":
                payload = json.loads(await part.text())
            else:
                data = await part.read()
                files.append(
                    Attachment(part.filename or "file", bytes(data), part.headers.get("Content-Type"))
                )
        return payload, files

    def _message_from(
        self, data: dict[str, Any], files: list[Attachment], channel_id: int, interaction_id: int | None
    ) -> SentMessage:
        message = SentMessage(id=self.new_id(), channel_id=channel_id, interaction_id=interaction_id)
        self._apply(message, data, files)
        message.edits = 0
        return message

    @staticmethod
    def _apply(message: SentMessage, data: dict[str, Any], files: list[Attachment]) -> None:
        if "content" in data:
            message.content = data["content"]
        if "embeds" in data:
            message.embeds = data["embeds"] or []
        if "components" in data:
            message.components = data["components"] or []
        if "flags" in data and data["flags"] is not None:
            message.flags = data["flags"]
        if isinstance(data.get("allowed_mentions"), dict):
            message.allowed_mentions = data["allowed_mentions"]
        if "attachments" in data or files:
            kept_ids = {str(item.get("id")) for item in data.get("attachments") or []}
            # discord.py lists new uploads in `attachments` by index; old ones are dropped unless listed.
            message.attachments = files or [
                a for i, a in enumerate(message.attachments) if str(i + 1) in kept_ids
            ]
        message.edits += 1
        message.loading = False

    async def _callback(self, request: web.Request, interaction_id: str, token: str) -> web.Response:
        record = self.interactions.get(token)
        if record is None or token in self.expired_tokens:
            return _discord_error(404, 10062, "Unknown interaction")
        if record.callbacks:
            return _discord_error(400, 40060, "Interaction has already been acknowledged.")
        body, files = await self._read_message(request)
        new_message = body.get("type") == CALLBACK_MESSAGE
        modal = body.get("type") == CALLBACK_MODAL
        if (
            refused := _invalid_form_body(body.get("data") or {}, files, new=new_message, modal=modal)
        ) is not None:
            self.rejected.append(body)
            return refused
        record.callbacks.append(body)
        callback_type = body.get("type")
        data = body.get("data") or {}
        interaction: dict[str, Any] = {"id": interaction_id, "type": 2}
        response: dict[str, Any] = {"interaction": interaction}
        if callback_type in (CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE):
            message = self._message_from(data, files, 0, record.id)
            message.loading = callback_type == CALLBACK_DEFERRED_MESSAGE
            record.original = message
            interaction.update(
                response_message_id=str(message.id),
                response_message_loading=callback_type == CALLBACK_DEFERRED_MESSAGE,
                response_message_ephemeral=message.ephemeral,
            )
            response["resource"] = {"type": callback_type, "message": message.to_payload(self.bot_user)}
        elif callback_type == CALLBACK_MODAL:
            if (problems := modal_problems(data)) is not None:
                record.callbacks.pop()
                self.rejected.append(body)
                return _json({"code": 50035, "message": "Invalid Form Body", "errors": problems}, status=400)
            record.modal = data
            response["resource"] = {"type": callback_type}
        elif callback_type == CALLBACK_AUTOCOMPLETE:
            if (problems := choice_problems(data)) is not None:
                record.callbacks.pop()
                self.rejected.append(body)
                return _json({"code": 50035, "message": "Invalid Form Body", "errors": problems}, status=400)
            response["resource"] = {"type": callback_type}
        elif callback_type == CALLBACK_UPDATE_MESSAGE:
            self._update_clicked_message(record, data, files)
            response["resource"] = {"type": callback_type}
        elif callback_type is not None:
            response["resource"] = {"type": callback_type}
        return _json(response)

    def _update_clicked_message(
        self, record: InteractionRecord, data: dict[str, Any], files: list[Attachment]
    ) -> None:
        if record.clicked_message is not None:
            self._apply(record.clicked_message, data, files)

    def _token_record(self, token: str) -> InteractionRecord | None:
        if token in self.expired_tokens:
            return None
        return self.interactions.get(token)

    async def _followup(self, request: web.Request, token: str) -> web.Response:
        record = self._token_record(token)
        if record is None:
            return _discord_error(401, 50027, "Invalid Webhook Token")
        data, files = await self._read_message(request)
        if (refused := _invalid_form_body(data, files, new=True)) is not None:
            self.rejected.append(data)
            return refused
        if record.original is not None and record.original.loading:
            # The first followup after a deferral replaces the "thinking…" message, as on Discord.
            message = record.original
            self._apply(message, data, files)
        else:
            message = self._message_from(data, files, 0, record.id)
            record.followups.append(message)
        return _json(message.to_payload(self.bot_user))

    async def _webhook_message(self, request: web.Request, token: str, message_id: str) -> web.Response:
        record = self._token_record(token)
        if record is None:
            return _discord_error(401, 50027, "Invalid Webhook Token")
        if message_id == "@original":
            message = record.original
        else:
            message = next((m for m in record.followups if str(m.id) == message_id), None)
            clicked = record.clicked_message
            if message is None and clicked is not None and str(clicked.id) == message_id:
                message = clicked
        if message is None:
            return _discord_error(404, 10008, "Unknown Message")
        return await self._edit_or_delete(request, message)

    async def _edit_or_delete(self, request: web.Request, message: SentMessage) -> web.Response:
        """PATCH or DELETE of a message the bot sent, as Discord answers them (50035 for a bad body)."""
        if request.method == "PATCH":
            data, files = await self._read_message(request)
            if (refused := _invalid_form_body(data, files)) is not None:
                self.rejected.append(data)
                return refused
            self._apply(message, data, files)
        elif request.method == "DELETE":
            message.deleted = True
            return web.Response(status=204)
        return _json(message.to_payload(self.bot_user))

    def _guild_member(self, guild_id: int, user_id: int) -> web.Response:
        if self.member_lookup_error is not None:
            return _discord_error(*self.member_lookup_error)
        members = self.guild_members.get(guild_id)
        if members is None:
            return _discord_error(404, 10004, "Unknown Guild")
        user = members.get(user_id)
        if user is None:
            return _discord_error(404, 10007, "Unknown Member")
        return _json(
            {
                "user": user,
                "roles": [str(role_id) for role_id in self.member_roles.get((guild_id, user_id), [])],
                "joined_at": "2026-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
                "nick": None,
            }
        )

    def _bot_role_check(self, guild_id: int, role_id: int | None = None) -> web.Response | None:
        """Discord's 50013 Missing Permissions: without Manage Roles, or for a role at or above the bot's
        highest role (or a managed one, or @everyone, which no one can assign)."""
        roles = self.guild_roles[guild_id]
        held = [roles[r] for r in self.member_roles.get((guild_id, BOT_USER_ID), []) if r in roles]
        permissions = int(roles[guild_id]["permissions"]) if guild_id in roles else 0
        for role in held:
            permissions |= int(role["permissions"])
        if not permissions & (ADMINISTRATOR | MANAGE_ROLES):
            return _discord_error(403, 50013, "Missing Permissions")
        if role_id is not None:
            role = roles[role_id]
            top = max(((r["position"], -int(r["id"])) for r in held), default=(0, 0))
            if (role["position"], -int(role["id"])) >= top or role["managed"] or role_id == guild_id:
                return _discord_error(403, 50013, "Missing Permissions")
        return None

    async def _roles(self, request: web.Request, guild_id: int) -> web.Response:
        roles = self.guild_roles.get(guild_id)
        if roles is None:
            return _discord_error(404, 10004, "Unknown Guild")
        if request.method == "GET":
            return _json(list(roles.values()))
        if (refused := self._bot_role_check(guild_id)) is not None:
            return refused
        body = await request.json()
        name = str(body.get("name") or "new role")
        if len(name) > ROLE_NAME_LIMIT:
            return _form_error("name", f"Must be between 1 and {ROLE_NAME_LIMIT} in length.")
        if len(roles) >= MAX_GUILD_ROLES:
            return _discord_error(400, 30005, "Maximum number of guild roles reached (250)")
        role_id = self.add_role(
            guild_id, name, permissions=int(body.get("permissions") or 0), colour=int(body.get("color") or 0)
        )
        self.role_changes.append(("POST", guild_id, None, role_id, request.headers.get("X-Audit-Log-Reason")))
        return _json(roles[role_id])

    async def _role(self, request: web.Request, guild_id: int, role_id: int) -> web.Response:
        roles = self.guild_roles.get(guild_id)
        if roles is None:
            return _discord_error(404, 10004, "Unknown Guild")
        if role_id not in roles:
            return _discord_error(404, 10011, "Unknown Role")
        if (refused := self._bot_role_check(guild_id, role_id)) is not None:
            return refused
        reason = request.headers.get("X-Audit-Log-Reason")
        if request.method == "DELETE":
            self.role_changes.append((request.method, guild_id, None, role_id, reason))
            self.remove_role_from_guild(guild_id, role_id)
            return web.Response(status=204)
        body = await request.json()
        if "name" in body and not 1 <= len(str(body["name"] or "")) <= ROLE_NAME_LIMIT:
            return _form_error("name", f"Must be between 1 and {ROLE_NAME_LIMIT} in length.")
        self.role_changes.append((request.method, guild_id, None, role_id, reason))
        for key in ("name", "color", "hoist", "mentionable"):
            if key in body:
                roles[role_id][key] = body[key]
        return _json(roles[role_id])

    def _member_role(self, request: web.Request, guild_id: int, user_id: int, role_id: int) -> web.Response:
        roles = self.guild_roles.get(guild_id)
        if roles is None:
            return _discord_error(404, 10004, "Unknown Guild")
        if self.role_change_error is not None:
            return _discord_error(*self.role_change_error)
        if user_id not in self.guild_members.get(guild_id, {}):
            return _discord_error(404, 10007, "Unknown Member")
        if role_id not in roles:
            return _discord_error(404, 10011, "Unknown Role")
        if (refused := self._bot_role_check(guild_id, role_id)) is not None:
            return refused
        held = self.member_roles.setdefault((guild_id, user_id), [])
        if request.method == "PUT" and role_id not in held:
            held.append(role_id)
        elif request.method == "DELETE" and role_id in held:
            held.remove(role_id)
        reason = request.headers.get("X-Audit-Log-Reason")
        self.role_changes.append((request.method, guild_id, user_id, role_id, reason))
        return web.Response(status=204)

    async def _open_dm(self, request: web.Request) -> web.Response:
        """POST /users/@me/channels: Discord opens (or returns) the DM channel even when DMs are closed."""
        body = await request.json()
        recipient = int(body["recipient_id"])
        channel_id = next((c for c, r in self.dm_channels.items() if r == recipient), None)
        if channel_id is None:
            channel_id = self.new_id()
            self.dm_channels[channel_id] = recipient
        user = {"id": str(recipient), "username": f"user{recipient}", "discriminator": "0", "avatar": None}
        return _json({"id": str(channel_id), "type": 1, "last_message_id": None, "recipients": [user]})

    async def _channel_message(self, request: web.Request, channel_id: int) -> web.Response:
        if self.dm_channels.get(channel_id) in self.dms_closed:
            return _discord_error(403, 50007, "Cannot send messages to this user")
        if channel_id in self.deleted_channels:
            return _discord_error(404, 10003, "Unknown Channel")
        if channel_id in self.inaccessible_channels:
            return _discord_error(403, 50001, "Missing Access")
        if channel_id in self.forbidden_channels:
            return _discord_error(403, 50013, "Missing Permissions")
        planned = self.channel_statuses.get(channel_id)
        if planned and (status := planned.pop(0)) != 200:
            return _discord_error(status, 0, f"{status}: stand-in failure")
        data, files = await self._read_message(request)
        if files and channel_id in self.no_attach_channels:
            return _discord_error(403, 50013, "Missing Permissions")
        if (refused := _invalid_form_body(data, files, new=True)) is not None:
            self.rejected.append(data)
            return refused
        message = self._message_from(data, files, channel_id, None)
        self.channel_messages.setdefault(channel_id, []).append(message)
        return _json(message.to_payload(self.bot_user))

    async def _channel_message_edit(
        self, request: web.Request, channel_id: int, message_id: int
    ) -> web.Response:
        """GET or PATCH (edit in place, components included) or DELETE a message the bot posted."""
        message = next((m for m in self.messages_in(channel_id) if m.id == message_id), None)
        if message is None:
            return _discord_error(404, 10008, "Unknown Message")
        if channel_id in self.forbidden_channels:
            return _discord_error(403, 50013, "Missing Permissions")
        return await self._edit_or_delete(request, message)

    async def _scheduled_events(
        self, request: web.Request, guild_id: int, event_id: int | None
    ) -> web.StreamResponse:
        """Guild scheduled events, refused with 403/50013 without Manage Events, validated as documented."""
        if guild_id in self.events_forbidden_guilds:
            return _discord_error(403, 50013, "Missing Permissions")
        events = self.scheduled_events.setdefault(guild_id, {})
        if event_id is None:
            if request.method == "GET":
                return _json(list(events.values()))
            if request.method != "POST":
                return _discord_error(405, 0, "405: Method Not Allowed")
            body = await request.json()
            if (problems := self._event_problems(body, None)) is not None:
                self.rejected.append(body)
                return problems
            new_id = self.new_id()
            event: dict[str, Any] = {
                **body,
                "id": str(new_id),
                "guild_id": str(guild_id),
                "status": 1,
                "creator_id": None,
            }
            event.setdefault("channel_id", None)
            event.setdefault("description", None)
            event.setdefault("entity_id", None)
            events[new_id] = event
            return _json(event)
        found = events.get(event_id)
        if found is None:
            return _discord_error(404, 10070, "Unknown Guild Scheduled Event")
        if request.method == "DELETE":
            del events[event_id]
            return web.Response(status=204)
        if request.method == "PATCH":
            body = await request.json()
            if (problems := self._event_problems(body, found)) is not None:
                self.rejected.append(body)
                return problems
            found.update(body)
        return _json(found)

    def _event_problems(self, body: dict[str, Any], current: dict[str, Any] | None) -> web.Response | None:
        merged = {**(current or {}), **body}
        errors: dict[str, Any] = {}

        def refuse(key: str, message: str) -> None:
            errors[key] = {"_errors": [{"code": "BASE_TYPE_BAD", "message": message}]}

        name = merged.get("name") or ""
        if not 1 <= len(name) <= EVENT_NAME_LIMIT:
            refuse("name", f"Must be between 1 and {EVENT_NAME_LIMIT} in length.")
        if len(merged.get("description") or "") > EVENT_DESCRIPTION_LIMIT:
            refuse("description", f"Must be {EVENT_DESCRIPTION_LIMIT} or fewer in length.")
        start = _moment(merged.get("scheduled_start_time"))
        if start is None:
            refuse("scheduled_start_time", "This field is required")
        elif "scheduled_start_time" in body and start <= self.now():
            refuse("scheduled_start_time", "Cannot schedule event in the past.")
        if merged.get("entity_type") == EVENT_EXTERNAL:
            location = (merged.get("entity_metadata") or {}).get("location") or ""
            if not 1 <= len(location) <= EVENT_LOCATION_LIMIT:
                refuse("entity_metadata", "A location is required for external events.")
            end = _moment(merged.get("scheduled_end_time"))
            if end is None:
                refuse("scheduled_end_time", "External events require an end time.")
            elif start is not None and end <= start:
                refuse("scheduled_end_time", "The end time must be after the start time.")
        if not errors:
            return None
        return _json({"code": 50035, "message": "Invalid Form Body", "errors": errors}, status=400)


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def modal_problems(data: dict[str, Any]) -> dict[str, Any] | None:
    """What Discord would refuse in a modal: title 1-45, 1-5 action rows, labels 1-45, value lengths."""
    errors: dict[str, Any] = {}
    title = str(data.get("title") or "")
    if not 1 <= len(title) <= MODAL_TITLE_LIMIT:
        errors["title"] = {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be 1-45 long."}]}
    if not data.get("custom_id"):
        errors["custom_id"] = {"_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "Required"}]}
    elif len(str(data["custom_id"])) > CUSTOM_ID_LIMIT:
        errors["custom_id"] = {
            "_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be 1-100 long."}]
        }
    rows = data.get("components") or []
    if not 1 <= len(rows) <= MODAL_ROWS_LIMIT:
        errors["components"] = {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be 1-5."}]}
    for index, row in enumerate(rows):
        for item in row.get("components", []):
            label = str(item.get("label") or "")
            problems: dict[str, Any] = {}
            if item.get("type") == 4 and not 1 <= len(label) <= TEXT_INPUT_LABEL_LIMIT:
                problems["label"] = "Must be 1-45 long."
            if item.get("type") == 4 and not 1 <= len(str(item.get("custom_id") or "")) <= CUSTOM_ID_LIMIT:
                problems["custom_id"] = "Must be 1-100 long."
            if len(str(item.get("placeholder") or "")) > PLACEHOLDER_LIMIT:
                problems["placeholder"] = "Must be 100 or fewer in length."
            for key, least in (("min_length", 0), ("max_length", 1)):
                limit = item.get(key)
                if limit is not None and not least <= int(limit) <= TEXT_INPUT_VALUE_LIMIT:
                    problems[key] = f"Must be {least}-{TEXT_INPUT_VALUE_LIMIT}."
            low, high = item.get("min_length"), item.get("max_length")
            if low is not None and high is not None and int(low) > int(high):
                problems["min_length"] = "Must be at most max_length."
            if len(str(item.get("value") or "")) > int(item.get("max_length") or TEXT_INPUT_VALUE_LIMIT):
                problems["value"] = "Longer than max_length."
            if problems:
                errors.setdefault("components", {})[str(index)] = problems
    return errors or None


def choice_problems(data: dict[str, Any]) -> dict[str, Any] | None:
    """What Discord would refuse in an autocomplete answer: over 25 choices, a name outside 1-100
    characters, a string value over 100."""
    choices = data.get("choices") or []
    errors: dict[str, Any] = {}
    if len(choices) > AUTOCOMPLETE_CHOICES_LIMIT:
        errors["_errors"] = [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 25 or fewer in length."}]
    for index, choice in enumerate(choices):
        problems: dict[str, Any] = {}
        if not 1 <= len(str(choice.get("name") or "")) <= CHOICE_NAME_LIMIT:
            problems["name"] = {
                "_errors": [
                    {"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be between 1 and 100 in length."}
                ]
            }
        value = choice.get("value")
        if isinstance(value, str) and len(value) > CHOICE_VALUE_LIMIT:
            problems["value"] = {
                "_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 100 or fewer in length."}]
            }
        if problems:
            errors[str(index)] = problems
    return {"choices": errors} if errors else None


# Installation types (0 GUILD_INSTALL, 1 USER_INSTALL) and interaction contexts (0 GUILD, 1 BOT_DM,
# 2 PRIVATE_CHANNEL), as Discord numbers them for an application command's `integration_types` and `contexts`.
INTEGRATION_TYPES = (0, 1)
INTERACTION_CONTEXTS = (0, 1, 2)


def install_problems(commands: list[dict[str, Any]]) -> dict[str, Any]:
    """What Discord's 50035 would list for a command sync's `integration_types` and `contexts`: each,
    when present (null means the default), a list of known enum values; an empty list is refused."""
    errors: dict[str, Any] = {}
    for index, command in enumerate(commands):
        problems: dict[str, Any] = {}
        for key, allowed in (("integration_types", INTEGRATION_TYPES), ("contexts", INTERACTION_CONTEXTS)):
            value = command.get(key)
            if value is None:
                continue
            if not isinstance(value, list) or not value:
                problems[key] = {
                    "_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be 1 or more."}]
                }
                continue
            bad: dict[str, Any] = {
                str(number): {
                    "_errors": [
                        {"code": "ENUM_TYPE_COERCE", "message": f"Value {item!r} is not a valid enum value."}
                    ]
                }
                for number, item in enumerate(value)
                if item not in allowed
            }
            if len(set(value)) != len(value):
                bad["_errors"] = [
                    {
                        "code": "SET_TYPE_ALREADY_CONTAINS_VALUE",
                        "message": "The set already contains this value.",
                    }
                ]
            if bad:
                problems[key] = bad
        if problems:
            errors[str(index)] = problems
    return errors


# Discord's documented embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
EMBED_LIMITS = {"title": 256, "description": 4096, "field_name": 256, "field_value": 1024, "footer": 2048}
EMBED_AUTHOR_LIMIT = 256
EMBED_FIELDS_LIMIT = 25
EMBEDS_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
MESSAGE_CONTENT_LIMIT = 2000
# Files: at most 10 a message; a request over the upload limit (25 MiB by default) gets 413, code 40005.
FILES_PER_MESSAGE = 10
UPLOAD_LIMIT = 25 * 1024 * 1024


def embed_problems(data: dict[str, Any]) -> dict[str, Any]:
    """The errors Discord would list for the embeds of a message body (empty when it would accept them)."""
    embeds = data.get("embeds") or []
    errors: dict[str, Any] = {}
    if len(embeds) > EMBEDS_PER_MESSAGE:
        errors["embeds"] = {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 10 or fewer."}]}
    total = 0
    for index, embed in enumerate(embeds):
        problems: dict[str, Any] = {}

        def check(where: dict[str, Any], key: str, value: Any, limit: int) -> int:
            text = "" if value is None else str(value)
            if len(text) > limit:
                where[key] = {
                    "_errors": [
                        {"code": "BASE_TYPE_MAX_LENGTH", "message": f"Must be {limit} or fewer in length."}
                    ]
                }
            return len(text)

        total += check(problems, "title", embed.get("title"), EMBED_LIMITS["title"])
        total += check(problems, "description", embed.get("description"), EMBED_LIMITS["description"])
        footer = embed.get("footer") or {}
        total += check(problems, "footer", footer.get("text"), EMBED_LIMITS["footer"])
        author = embed.get("author") or {}
        total += check(problems, "author", author.get("name"), EMBED_AUTHOR_LIMIT)
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_LIMIT:
            problems["fields"] = {
                "_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 25 or fewer."}]
            }
        for number, item in enumerate(fields):
            field_problems: dict[str, Any] = {}
            for key, limit in (("name", EMBED_LIMITS["field_name"]), ("value", EMBED_LIMITS["field_value"])):
                if not str(item.get(key) or ""):
                    field_problems[key] = {
                        "_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}]
                    }
                total += check(field_problems, key, item.get(key), limit)
            if field_problems:
                problems.setdefault("fields", {})[str(number)] = field_problems
        if problems:
            errors.setdefault("embeds", {})[str(index)] = problems
    if total > EMBEDS_TOTAL_LIMIT:
        errors.setdefault("embeds", {}).setdefault("_errors", []).append(
            {"code": "BASE_TYPE_MAX_LENGTH", "message": "Embed size exceeds maximum size of 6000"}
        )
    return errors


# Message components: at most 5 action rows, each with up to 5 buttons or one select; a button label is
# at most 80 characters, a custom_id 1 to 100, a select at most 25 options (labels up to 100).
ROWS_PER_MESSAGE = 5
BUTTONS_PER_ROW = 5
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100
SELECT_OPTIONS_LIMIT = 25
SELECT_OPTION_LABEL_LIMIT = 100
LINK_BUTTON_STYLE = 5


def component_problems(data: dict[str, Any]) -> dict[str, Any]:
    """The errors Discord would list for the components of a message body (empty when it would accept
    them)."""
    rows = data.get("components") or []
    errors: dict[str, Any] = {}

    def too_long(limit: int) -> dict[str, Any]:
        return {
            "_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": f"Must be {limit} or fewer in length."}]
        }

    if len(rows) > ROWS_PER_MESSAGE:
        errors["components"] = too_long(ROWS_PER_MESSAGE)
    for index, row in enumerate(rows):
        items = row.get("components") or []
        problems: dict[str, Any] = {}
        selects = [item for item in items if item.get("type") in (3, 5, 6, 7, 8)]
        if len(items) > BUTTONS_PER_ROW or (selects and len(items) > 1):
            problems["components"] = too_long(1 if selects else BUTTONS_PER_ROW)
        for number, item in enumerate(items):
            item_problems: dict[str, Any] = {}
            custom_id = item.get("custom_id")
            needs_id = not (item.get("type") == 2 and item.get("style") == LINK_BUTTON_STYLE)
            if needs_id and not (1 <= len(str(custom_id or "")) <= CUSTOM_ID_LIMIT):
                item_problems["custom_id"] = too_long(CUSTOM_ID_LIMIT)
            if item.get("type") == 2 and len(str(item.get("label") or "")) > BUTTON_LABEL_LIMIT:
                item_problems["label"] = too_long(BUTTON_LABEL_LIMIT)
            options = item.get("options") or []
            if len(options) > SELECT_OPTIONS_LIMIT:
                item_problems["options"] = too_long(SELECT_OPTIONS_LIMIT)
            if any(len(str(o.get("label") or "")) > SELECT_OPTION_LABEL_LIMIT for o in options):
                item_problems.setdefault("options", too_long(SELECT_OPTION_LABEL_LIMIT))
            if item_problems:
                problems.setdefault("components", {})[str(number)] = item_problems
        if problems:
            errors.setdefault("components", {})[str(index)] = problems
    return errors


def _invalid_form_body(
    data: dict[str, Any], files: Sequence[Attachment] = (), *, new: bool = False, modal: bool = False
) -> web.Response | None:
    """Discord's answer to a message body it refuses: 413/40005 over the upload limit; 400/50035 Invalid
    Form Body for an over-limit embed, content or file count; 400/50006 for a new message with nothing
    in it."""
    if sum(len(file.data) for file in files) > UPLOAD_LIMIT:
        return _discord_error(413, 40005, "Request entity too large")
    errors = embed_problems(data)
    if not modal:  # a modal's text inputs are checked with the modal
        errors |= component_problems(data)
    content = data.get("content")
    if isinstance(content, str) and len(content) > MESSAGE_CONTENT_LIMIT:
        errors["content"] = {
            "_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]
        }
    if len(files) > FILES_PER_MESSAGE:
        errors["files"] = {
            "_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 10 or fewer in length."}]
        }
    if not errors:
        if new and not (content or data.get("embeds") or data.get("components") or files or data.get("poll")):
            return _discord_error(400, 50006, "Cannot send an empty message")
        return None
    return _json({"code": 50035, "message": "Invalid Form Body", "errors": errors}, status=400)


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py parses a body as JSON only when the content type is exactly "application/json".
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def _discord_error(status: int, code: int, message: str) -> web.Response:
    return _json({"code": code, "message": message}, status=status)


def _form_error(key: str, message: str) -> web.Response:
    """400 with code 50035 Invalid Form Body for one field, as Discord lists it."""
    errors = {key: {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": message}]}}
    return _json({"code": 50035, "message": "Invalid Form Body", "errors": errors}, status=400)

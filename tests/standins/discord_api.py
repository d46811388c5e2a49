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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, web

API_PREFIX = "/api/v10"
APPLICATION_ID = 900_000_000_000_000_001
BOT_USER_ID = APPLICATION_ID
EPHEMERAL = 1 << 6

CALLBACK_MESSAGE = 4
CALLBACK_DEFERRED_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE = 6
CALLBACK_UPDATE_MESSAGE = 7
CALLBACK_AUTOCOMPLETE = 8


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
        # Channels the bot cannot even see any more (403, code 50001 Missing Access).
        self.missing_access_channels: set[int] = set()
        # Per channel, the statuses its next posts get (200 = posted as usual), for partial failures.
        self.channel_statuses: dict[int, list[int]] = {}
        self.expired_tokens: set[str] = set()
        self.unknown_routes: list[str] = []
        self.rejected: list[dict[str, Any]] = []  # bodies refused with 50035 Invalid Form Body
        self.identify_payloads: list[dict[str, Any]] = []
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
            case ["channels", channel_id, "messages"] if method == "POST":
                return await self._channel_message(request, int(channel_id))
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
        if (refused := _invalid_form_body(body.get("data") or {})) is not None:
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
        if (refused := _invalid_form_body(data)) is not None:
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
        if request.method == "PATCH":
            data, files = await self._read_message(request)
            if (refused := _invalid_form_body(data)) is not None:
                self.rejected.append(data)
                return refused
            self._apply(message, data, files)
        elif request.method == "DELETE":
            message.deleted = True
            return web.Response(status=204)
        return _json(message.to_payload(self.bot_user))

    async def _channel_message(self, request: web.Request, channel_id: int) -> web.Response:
        if channel_id in self.forbidden_channels:
            return _discord_error(403, 50013, "Missing Permissions")
        if channel_id in self.missing_access_channels:
            return _discord_error(403, 50001, "Missing Access")
        planned = self.channel_statuses.get(channel_id)
        if planned and (status := planned.pop(0)) != 200:
            return _discord_error(status, 0, f"{status}: stand-in failure")
        data, files = await self._read_message(request)
        if (refused := _invalid_form_body(data)) is not None:
            self.rejected.append(data)
            return refused
        message = self._message_from(data, files, channel_id, None)
        self.channel_messages.setdefault(channel_id, []).append(message)
        return _json(message.to_payload(self.bot_user))


# Discord's documented embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
EMBED_LIMITS = {"title": 256, "description": 4096, "field_name": 256, "field_value": 1024, "footer": 2048}
EMBED_AUTHOR_LIMIT = 256
EMBED_FIELDS_LIMIT = 25
EMBEDS_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
MESSAGE_CONTENT_LIMIT = 2000


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


def _invalid_form_body(data: dict[str, Any]) -> web.Response | None:
    """Discord's answer to a message with an over-limit embed: 400, code 50035 Invalid Form Body."""
    errors = embed_problems(data)
    content = data.get("content")
    if isinstance(content, str) and len(content) > MESSAGE_CONTENT_LIMIT:
        errors["content"] = {
            "_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]
        }
    if not errors:
        return None
    return _json({"code": 50035, "message": "Invalid Form Body", "errors": errors}, status=400)


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py parses a body as JSON only when the content type is exactly "application/json".
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def _discord_error(status: int, code: int, message: str) -> web.Response:
    return _json({"code": code, "message": message}, status=status)

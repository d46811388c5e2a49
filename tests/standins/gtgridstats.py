"""A local HTTP stand-in for the GT Grid Stats web API (https://gtgridstats.com/api/...).

It is a real aiohttp server on 127.0.0.1 (port 0 = a free port) serving the endpoints of the API reference
(/work/shared/api/gtgridstats-api-reference.txt) over a deterministic fake dataset (``gtgridstats_data``).
Tests, benchmarks and by-hand runs of the bot talk to it exactly as they would to the real server.

Reproduced from observation of the real server:

* ``Authorization: Bearer <key>`` and ``Accept: application/json`` on every call.  Without a JSON Accept
  (the first acceptable type must contain ``/json``; httpx's and aiohttp's default ``*/*`` does not) the
  answer is ``302`` to ``/login``, whatever the key.  Bad or missing key:
  ``401 {"message":"Unauthenticated."}``.
* Laravel conventions: the paginator JSON for ``/api/assets/cars``, ``404``/``422`` bodies
  ``{"message": ..., "errors": {field: [...]}}``, and PHP ``json_encode`` output (``\\/`` and ``\\uXXXX``).
* Per-minute limits over a rolling 60 s window (by the injectable ``clock``): 10 for metered endpoints, 30
  for ``/api/assets/regions``; beyond, ``429 {"message":"Too Many Attempts."}`` with ``Retry-After``.
* Daily quota on metered endpoints: ``X-Quota-Limit`` / ``X-Quota-Remaining`` on their responses; when it is
  spent, ``429 {"message":"Quota Exceeded"}`` (remaining 0).  Regions neither consume nor report quota.
* ``POST /api/racers`` (max 16 identifiers) waits ``stagger_seconds`` per driver that is un-indexed, stale
  or unknown, then indexes the known ones (``last_sync`` = now, UTC); unknown ones go to ``not_found``.
* ``GET /api/racers/{a,b}`` (max 16) returns only indexed drivers, others are echoed in ``not_found``;
  PSN lookup is case-insensitive and answers carry the canonical ``PSN_ID``.
* ``GET /api/series-{id}/drivers/{a,b}`` (max 16): drivers outside the series are simply absent; an unknown
  series is ``404 Series not found.``; a non-numeric id does not match the route (Laravel route 404).
* Car classes match case- and dot-insensitively; ``/manufacturer/{id}/cars/{locale?}`` is the all-cars
  route, any other word in that place is a class.  Cars resolve by id, car_code or gt7_code.

Guesses (not confirmed against the real server):

* Unknown class for a known manufacturer: ``200`` with ``count: 0`` and ``cars: []`` (not a 404).
* Unknown or inactive locale: ``404 {"message": "Region not found."}``; locale codes match case-insensitively.
  Unknown manufacturer: ``404 {"message": "Manufacturer not found."}``.
* A digit identifier for ``/api/assets/cars/{identifier}`` is tried as internal id before car_code.
* ``POST /api/racers`` staggers for unknown drivers too (the server has to look them up upstream);
  duplicate identifiers (case-insensitive) are answered once.  Series rows come ordered by season_rank.
* Which requests take a per-minute slot: every request to a known route, except ones refused for a missing
  Accept / bad key (auth runs before the throttle) and ones refused by the limiter itself.  Requests hit by
  an injected fault do take a slot.  Every metered request past the limiter consumes one unit of quota,
  whatever the endpoint answers (404 and 422 included); the quota resets 24 h (by ``clock``) after start.
* Unknown routes answer Laravel's ``404 {"message": "The route ... could not be found."}`` (405 for a wrong
  method) without auth, throttle or quota.  ``/api/assets/cars`` ignores any ``per_page`` query; page
  URLs point at the stand-in itself.  Laravel's ``X-RateLimit-*`` headers are not sent.

Test hooks: ``clock`` (rolling windows, quota day), ``sleep`` (stagger and ``slow()`` delays) and
``wall_clock`` (``last_sync`` of synced drivers) are injectable; ``requests`` records every request;
``fail()``, ``slow()``, ``drop()``, ``malformed()``, ``trickle()`` (body one byte at a time),
``huge()`` (an oversized body) and ``repeat_car_pages()`` inject faults; ``max_in_window()``,
``rate_limited`` and ``max_in_flight`` tell whether a client kept to the limits and coalesced its calls.

Run by hand: ``python -m tests.standins.gtgridstats [--host 127.0.0.1] [--port 8787] [--api-key dev-key]
[--stagger 3] [--quota 1000 | --no-quota] [--cars 482] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hmac
import json
import math
import signal
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal
from urllib.parse import unquote

from aiohttp import web

from tests.standins.gtgridstats_data import (
    Car,
    Dataset,
    Driver,
    Manufacturer,
    Region,
    Series,
    SeriesEntry,
    default_dataset,
)

__all__ = [
    "Car",
    "Dataset",
    "Driver",
    "GTGridStatsStandin",
    "Manufacturer",
    "RecordedRequest",
    "Region",
    "Series",
    "default_dataset",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Kind = Literal["metered", "free"]

WINDOW_SECONDS = 60.0
DAY_SECONDS = 86_400.0
MAX_IDENTIFIERS = 16
FREE_ROUTES = frozenset({"regions"})
JSON_BODY = web.RequestKey("json_body", object)  # the parsed POST body, shared by middleware and handler
MALFORMED_BODY = b'{"status":"complete","count":3,"drivers":[{"PSN_ID":"skino2024",'


@dataclass
class RecordedRequest:
    method: str
    raw_path: str  # as received on the wire, still percent-encoded, without the query
    query: str  # raw query string ('' if none)
    headers: dict[str, str]
    json: Any | None  # parsed body for POST, else None
    status: int  # status the stand-in answered; 0 while undecided or when the connection was dropped

    @property
    def path(self) -> str:
        return unquote(self.raw_path)


@dataclass
class _Fault:
    action: Literal["fail", "slow", "drop", "malformed", "trickle", "huge"]
    path_prefix: str
    times: int | None
    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    size: int = 0
    announce: bool = True


class _ApiError(Exception):
    """Raised by handlers; rendered as a Laravel-style JSON error."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


def php_json(data: Any) -> bytes:
    """JSON as PHP's ``json_encode`` writes it by default (Laravel): ASCII only and escaped slashes."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=php_json(data), status=status, headers=headers, content_type="application/json")


def _wants_json(accept: str) -> bool:
    """Laravel's ``wantsJson()``: the most acceptable type (highest q, first on ties) mentions json."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                with contextlib.suppress(ValueError):
                    quality = float(value)
        if media:
            ranked.append((-quality, position, media.lower()))
    return bool(ranked) and any(marker in min(ranked)[2] for marker in ("/json", "+json"))


def _split_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _dedupe(identifiers: list[str]) -> list[str]:
    seen: set[str] = set()
    unique: list[str] = []
    for identifier in identifiers:
        if identifier.lower() not in seen:
            seen.add(identifier.lower())
            unique.append(identifier)
    return unique


def _too_many(field_name: str) -> _ApiError:
    message = f"The {field_name} field must not have more than {MAX_IDENTIFIERS} items."
    return _ApiError(422, message, {field_name: [message]})


def _required(field_name: str) -> _ApiError:
    message = f"The {field_name} field is required."
    return _ApiError(422, message, {field_name: [message]})


def _class_key(car_class: str) -> str:
    return car_class.replace(".", "").lower()


def _driver_json(driver: Driver) -> dict[str, Any]:
    return {
        "PSN_ID": driver.psn_id,
        "Nickname": driver.nickname,
        "GUID": driver.guid,
        "DR": driver.dr,
        "SR": driver.sr,
        "last_sync": driver.last_sync,
        "country_code": driver.country_code,
        "stats": dict(driver.stats),
    }


def _racers_json(drivers: list[Driver], not_found: list[str]) -> dict[str, Any]:
    return {
        "status": "complete",
        "count": len(drivers),
        "not_found": not_found,
        "drivers": [_driver_json(d) for d in drivers],
    }


def _series_row(entry: SeriesEntry) -> dict[str, Any]:
    return {
        "psn": entry.psn,
        "season_rank": entry.season_rank,
        "total_points": entry.total_points,
        "rounds": [{"no": r.no, "points": r.points, "is_counted": r.is_counted} for r in entry.rounds],
    }


class GTGridStatsStandin:
    """The stand-in server.  Use ``async with GTGridStatsStandin(...) as api:`` then ``api.base_url``."""

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        dataset: Dataset | None = None,
        stagger_seconds: float = 3.0,
        metered_per_minute: int = 10,
        free_per_minute: int = 30,
        quota_per_day: int | None = 1000,
        per_page: int = 50,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.api_key = api_key
        self.dataset = dataset if dataset is not None else default_dataset()
        self.stagger_seconds = stagger_seconds
        self.limits: dict[Kind, int] = {"metered": metered_per_minute, "free": free_per_minute}
        self.quota_limit: int | None = quota_per_day
        self.quota_remaining: int | None = quota_per_day
        self.per_page = per_page
        self.clock = clock
        self.sleep = sleep
        self.wall_clock = wall_clock

        self.base_url = ""
        self.requests: list[RecordedRequest] = []
        self.rate_limited = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.abandoned = 0  # trickled bodies the client stopped reading before the end

        self._faults: list[_Fault] = []
        self._repeated_car_page: tuple[int, bool] | None = None  # see repeat_car_pages()
        self._slots: dict[str, deque[float]] = {"metered": deque(), "free": deque()}  # limiter window
        self._seen: dict[str, deque[float]] = {"metered": deque(), "free": deque()}  # everything received
        self._max_seen: dict[str, int] = {"metered": 0, "free": 0}
        self._quota_day_start = clock()
        self._runner: web.AppRunner | None = None
        self.app = self._build_app()

    # --- lifetime ----------------------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        self.base_url = f"http://{bound_host}:{bound_port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> GTGridStatsStandin:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # --- inspection ----------------------------------------------------------------------------------------
    def count(self, path_prefix: str = "/api/", method: str | None = None) -> int:
        return sum(
            1
            for r in self.requests
            if r.path.startswith(path_prefix) and (method is None or r.method == method.upper())
        )

    def reset_counts(self) -> None:
        self.requests.clear()

    def max_in_window(self, kind: str) -> int:
        """Most requests of ``kind`` ("metered"/"free") received inside any rolling 60 s window."""
        if kind not in self._max_seen:
            raise ValueError(f"kind must be 'metered' or 'free', not {kind!r}")
        return self._max_seen[kind]

    # --- fault switches ------------------------------------------------------------------------------------
    def fail(
        self,
        status: int,
        *,
        times: int | None = 1,
        path_prefix: str = "/api/",
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer ``status``.  ``body``: None = Laravel-like ``{"message": reason}``, str/bytes = sent raw
        (text/html), anything else = JSON.  ``headers`` None on a 429 means ``Retry-After: 60``."""
        if headers is None:
            headers = {"Retry-After": "60"} if status == 429 else {}
        self._faults.append(
            _Fault("fail", path_prefix, times, status=status, body=body, headers=dict(headers))
        )

    def slow(self, seconds: float, *, times: int | None = 1, path_prefix: str = "/api/") -> None:
        """Wait ``seconds`` (through ``sleep``) before handling the request normally."""
        self._faults.append(_Fault("slow", path_prefix, times, seconds=seconds))

    def drop(self, *, times: int | None = 1, path_prefix: str = "/api/") -> None:
        """Close the connection without any response."""
        self._faults.append(_Fault("drop", path_prefix, times))

    def malformed(self, *, times: int | None = 1, path_prefix: str = "/api/") -> None:
        """Answer 200 ``application/json`` with a truncated, invalid JSON body."""
        self._faults.append(_Fault("malformed", path_prefix, times))

    def trickle(self, interval: float, *, times: int | None = 1, path_prefix: str = "/api/") -> None:
        """Answer normally, but send the body one byte every ``interval`` seconds (through ``sleep``):
        each read gets a byte well inside any per-read timeout, so only a total deadline ends it."""
        self._faults.append(_Fault("trickle", path_prefix, times, seconds=interval))

    def huge(
        self, size: int, *, announce: bool = True, times: int | None = 1, path_prefix: str = "/api/"
    ) -> None:
        """Answer 200 with a valid JSON body of ``size`` bytes (an object padded with one long string);
        ``announce=False`` sends it chunked, without a Content-Length."""
        self._faults.append(_Fault("huge", path_prefix, times, size=size, announce=announce))

    def repeat_car_pages(self, *, page: int = 1, renumber: bool = False) -> None:
        """A broken paginator: every ``/api/assets/cars`` request gets page ``page``'s cars and a next link.

        ``renumber=False``: the answer says it is page ``page`` whatever was asked, so its next link never
        advances.  ``renumber=True``: it says it is the page asked for, with ``last_page`` claiming 100,000
        pages, so only the repeated cars give it away.  Cleared by ``clear_faults()``."""
        self._repeated_car_page = (page, renumber)

    def clear_faults(self) -> None:
        self._faults.clear()
        self._repeated_car_page = None

    # --- app -----------------------------------------------------------------------------------------------
    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/api/assets/manufacturers", self._manufacturers, name="manufacturers")
        app.router.add_get(
            "/api/assets/manufacturers/{locale}", self._manufacturers, name="manufacturers_locale"
        )
        app.router.add_get("/api/assets/cars", self._cars_page, name="cars")
        app.router.add_get("/api/assets/cars/{identifier}", self._car, name="car")
        app.router.add_get("/api/assets/cars/{identifier}/{locale}", self._car, name="car_locale")
        # The literal "cars" routes go first: anything else in that segment is a class.
        app.router.add_get(
            "/api/assets/manufacturer/{manufacturer_id}/cars", self._manufacturer_cars, name="mcars"
        )
        app.router.add_get(
            "/api/assets/manufacturer/{manufacturer_id}/cars/{locale}",
            self._manufacturer_cars,
            name="mcars_locale",
        )
        app.router.add_get(
            "/api/assets/manufacturer/{manufacturer_id}/{car_class}", self._manufacturer_class, name="mclass"
        )
        app.router.add_get(
            "/api/assets/manufacturer/{manufacturer_id}/{car_class}/{locale}",
            self._manufacturer_class,
            name="mclass_locale",
        )
        app.router.add_get("/api/assets/regions", self._regions, name="regions")
        app.router.add_post("/api/racers", self._sync_racers, name="racers_sync")
        app.router.add_get("/api/racers/{identifiers}", self._racers, name="racers")
        app.router.add_get(
            r"/api/series-{series:\d+}/drivers/{psn_list}", self._series_drivers, name="series"
        )
        app.router.add_get("/login", self._login, name="login")
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Shared checks, in order: record, faults, Accept, auth, per-minute limit, quota, handler."""
        raw_path, _, query = request.raw_path.partition("?")
        body: Any = None
        if request.method == "POST" and request.can_read_body:
            with contextlib.suppress(ValueError):  # not JSON: validated as an empty input, like Laravel
                body = await request.json()
        request[JSON_BODY] = body
        record = RecordedRequest(request.method, raw_path, query, dict(request.headers), body, 0)
        self.requests.append(record)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            response = await self._respond(request, handler)
            record.status = 0 if response is None else response.status
            return response if response is not None else web.Response()
        finally:
            self.in_flight -= 1

    async def _respond(self, request: web.Request, handler: Handler) -> web.StreamResponse | None:
        """The response for ``request``, or None when the connection was dropped."""
        route = request.match_info.route.name
        kind: Kind | None = None
        if request.match_info.http_exception is None and route != "login":
            kind = "free" if route in FREE_ROUTES else "metered"
            self._note_seen(kind)

        fault = await self._deciding_fault(request)
        if fault is not None and fault.action == "trickle":
            return await self._trickled(request, await self._handled(request, handler, kind), fault.seconds)
        if fault is not None:
            if kind is not None:  # the server saw it: it takes a per-minute slot
                self._slots[kind].append(self.clock())
            return self._fault_response(request, fault)
        return await self._handled(request, handler, kind)

    async def _handled(self, request: web.Request, handler: Handler, kind: Kind | None) -> web.StreamResponse:
        """The normal answer: route errors, the shared checks, then the endpoint."""
        if request.match_info.http_exception is not None:
            return self._route_error(request, request.match_info.http_exception)
        if kind is None:
            return await handler(request)
        refusal = self._refusal(request, kind)
        if refusal is not None:
            return refusal
        try:
            response = await handler(request)
        except _ApiError as error:
            payload: dict[str, Any] = {"message": error.message}
            if error.errors is not None:
                payload["errors"] = error.errors
            response = json_response(payload, error.status)
        response.headers.update(self._quota_headers(kind))
        return response

    # --- shared checks -------------------------------------------------------------------------------------
    def _refusal(self, request: web.Request, kind: Kind) -> web.Response | None:
        """Accept, auth, per-minute limit and quota, in that order; None lets the request through (having
        taken its per-minute slot and, for metered routes, one unit of quota)."""
        if not _wants_json(request.headers.get("Accept", "")):
            login = str(request.url.origin().join(request.app.router["login"].url_for()))
            return web.Response(
                status=302,
                headers={"Location": login},
                text=f'<!DOCTYPE html>\n<html><head><meta http-equiv="refresh" content="0;url=\'{login}\'" />'
                f"<title>Redirecting to {login}</title></head><body>Redirecting to {login}.</body></html>",
                content_type="text/html",
            )
        if not self._authorized(request):
            return json_response({"message": "Unauthenticated."}, 401)

        retry_after = self._take_slot(kind)
        if retry_after is not None:
            self.rate_limited += 1
            headers = {"Retry-After": str(retry_after), **self._quota_headers(kind)}
            return json_response({"message": "Too Many Attempts."}, 429, headers)
        if kind == "metered" and self.quota_limit is not None:
            self._roll_quota_day()
            remaining = self.quota_limit if self.quota_remaining is None else self.quota_remaining
            if remaining <= 0:
                self.quota_remaining = 0
                return json_response({"message": "Quota Exceeded"}, 429, self._quota_headers(kind))
            self.quota_remaining = remaining - 1
        return None

    async def _deciding_fault(self, request: web.Request) -> _Fault | None:
        """Consult faults in order: slow ones delay and go on, the first other one is returned."""
        path = unquote(request.raw_path.partition("?")[0])
        for fault in list(self._faults):
            if not path.startswith(fault.path_prefix) or fault not in self._faults:
                continue
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
            if fault.action == "slow":
                await self.sleep(fault.seconds)
                continue
            return fault
        return None

    async def _trickled(
        self, request: web.Request, response: web.StreamResponse, interval: float
    ) -> web.StreamResponse:
        """Send ``response`` with its body one byte at a time; stops quietly when the client hangs up."""
        body = response.body if isinstance(response, web.Response) else b""
        raw = body if isinstance(body, bytes) else b""
        stream = web.StreamResponse(status=response.status, headers=response.headers)
        stream.content_length = len(raw)
        await stream.prepare(request)
        try:
            for index in range(len(raw)):
                await stream.write(raw[index : index + 1])
                await self.sleep(interval)
            await stream.write_eof()
        except (ConnectionError, RuntimeError):
            self.abandoned += 1  # the client hung up mid-body (its deadline): what the fault is for
        return stream

    @staticmethod
    def _fault_response(request: web.Request, fault: _Fault) -> web.StreamResponse | None:
        """The answer ``fault`` dictates, or None when it drops the connection."""
        if fault.action == "drop":
            if request.transport is not None:
                request.transport.close()
            return None
        if fault.action == "malformed":
            return web.Response(body=MALFORMED_BODY, content_type="application/json")
        if fault.action == "huge":
            frame = b'{"padding":""}'
            padding = b"x" * max(0, fault.size - len(frame))
            response = web.Response(body=frame[:-2] + padding + b'"}', content_type="application/json")
            if not fault.announce:
                response.enable_chunked_encoding()
            return response
        if fault.body is None:
            return json_response({"message": _reason(fault.status)}, fault.status, fault.headers)
        if isinstance(fault.body, str | bytes):
            raw = fault.body.encode() if isinstance(fault.body, str) else fault.body
            return web.Response(
                body=raw, status=fault.status, headers=fault.headers, content_type="text/html"
            )
        return json_response(fault.body, fault.status, fault.headers)

    def _route_error(self, request: web.Request, error: web.HTTPException) -> web.Response:
        route = request.path.lstrip("/")
        if error.status == 405:
            allowed = ", ".join(sorted(getattr(error, "allowed_methods", ()) or ()))
            message = (
                f"The {request.method} method is not supported for route {route}. "
                f"Supported methods: {allowed}."
            )
        else:
            message = f"The route {route} could not be found."
        if _wants_json(request.headers.get("Accept", "")):
            return json_response({"message": message}, error.status)
        return web.Response(
            status=error.status, text=f"<html><body>{message}</body></html>", content_type="text/html"
        )

    def _authorized(self, request: web.Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.api_key.encode()
        )

    def _note_seen(self, kind: Kind) -> None:
        now = self.clock()
        seen = self._seen[kind]
        seen.append(now)
        while seen and seen[0] <= now - WINDOW_SECONDS:
            seen.popleft()
        self._max_seen[kind] = max(self._max_seen[kind], len(seen))

    def _take_slot(self, kind: Kind) -> int | None:
        """Take a per-minute slot; None if granted, else the Retry-After seconds."""
        now = self.clock()
        slots = self._slots[kind]
        while slots and slots[0] <= now - WINDOW_SECONDS:
            slots.popleft()
        if len(slots) >= self.limits[kind]:
            return max(1, math.ceil(slots[0] + WINDOW_SECONDS - now))
        slots.append(now)
        return None

    def _roll_quota_day(self) -> None:
        elapsed_days = int((self.clock() - self._quota_day_start) // DAY_SECONDS)
        if elapsed_days > 0:
            self._quota_day_start += elapsed_days * DAY_SECONDS
            self.quota_remaining = self.quota_limit

    def _quota_headers(self, kind: Kind) -> dict[str, str]:
        if kind != "metered" or self.quota_limit is None:
            return {}
        return {
            "X-Quota-Limit": str(self.quota_limit),
            "X-Quota-Remaining": str(max(0, self.quota_remaining or 0)),
        }

    # --- endpoint helpers ----------------------------------------------------------------------------------
    def _locale(self, request: web.Request) -> str | None:
        locale = request.match_info.get("locale")
        if locale is None:
            return None
        region = self.dataset.active_region(locale)
        if region is None:
            raise _ApiError(404, "Region not found.")
        return region.code

    def _manufacturer(self, request: web.Request) -> Manufacturer:
        raw_id = request.match_info["manufacturer_id"]
        manufacturer = self.dataset.manufacturer(int(raw_id)) if raw_id.isdecimal() else None
        if manufacturer is None:
            raise _ApiError(404, "Manufacturer not found.")
        return manufacturer

    def _car_json(self, car: Car, locale: str | None) -> dict[str, Any]:
        make = self.dataset.manufacturer(car.manufacturer_id)
        return {
            "id": car.id,
            "car_code": car.car_code,
            "gt7_code": car.gt7_code,
            "name": self.dataset.localized_car_name(car, locale),
            "class": car.car_class,
            "image": car.image,
            "manufacturer": {
                "id": car.manufacturer_id,
                "name": self.dataset.localized_make(make.name, locale) if make else None,
            },
        }

    # --- handlers (one per endpoint) ---------------------------------------------------------------------
    async def _manufacturers(self, request: web.Request) -> web.Response:
        locale = self._locale(request)
        makes = sorted(self.dataset.manufacturers, key=lambda m: m.name.casefold())
        return json_response(
            [{"id": m.id, "name": self.dataset.localized_make(m.name, locale), "logo": m.logo} for m in makes]
        )

    async def _cars_page(self, request: web.Request) -> web.Response:
        raw_page = request.query.get("page", "1")
        page = int(raw_page) if raw_page.isdecimal() and int(raw_page) >= 1 else 1
        cars = self.dataset.cars
        total, per_page = len(cars), self.per_page
        last_page = max(1, math.ceil(total / per_page))
        chunk = cars[(page - 1) * per_page : page * per_page]
        path = f"{request.url.origin()}/api/assets/cars"
        if self._repeated_car_page is not None:
            repeated, renumber = self._repeated_car_page
            chunk = cars[(repeated - 1) * per_page : repeated * per_page]
            page = page if renumber else repeated
            last_page = 100_000 if renumber else max(last_page, repeated + 1)

        def url(number: int) -> str:
            return f"{path}?page={number}"

        return json_response(
            {
                "current_page": page,
                "data": [self._car_json(car, None) for car in chunk],
                "first_page_url": url(1),
                "from": (page - 1) * per_page + 1 if chunk else None,
                "last_page": last_page,
                "last_page_url": url(last_page),
                "links": _paginator_links(page, last_page, url),
                "next_page_url": url(page + 1) if page < last_page else None,
                "path": path,
                "per_page": per_page,
                "prev_page_url": url(page - 1) if page > 1 else None,
                "to": (page - 1) * per_page + len(chunk) if chunk else None,
                "total": total,
            }
        )

    async def _car(self, request: web.Request) -> web.Response:
        locale = self._locale(request)
        car = self.dataset.find_car(request.match_info["identifier"])
        if car is None:
            raise _ApiError(404, "Car not found.")
        return json_response(self._car_json(car, locale))

    async def _manufacturer_cars(self, request: web.Request) -> web.Response:
        manufacturer = self._manufacturer(request)
        locale = self._locale(request)
        cars = self.dataset.cars_of(manufacturer.id)
        return json_response(
            {
                "manufacturer": self.dataset.localized_make(manufacturer.name, locale),
                "count": len(cars),
                "cars": [self._car_json(car, locale) for car in cars],
            }
        )

    async def _manufacturer_class(self, request: web.Request) -> web.Response:
        manufacturer = self._manufacturer(request)
        locale = self._locale(request)
        wanted = _class_key(request.match_info["car_class"])
        cars = [car for car in self.dataset.cars_of(manufacturer.id) if _class_key(car.car_class) == wanted]
        # Canonical class name when the dataset knows it, else the request's own spelling.
        known = {_class_key(car.car_class): car.car_class for car in self.dataset.cars}
        return json_response(
            {
                "manufacturer": self.dataset.localized_make(manufacturer.name, locale),
                "class": known.get(wanted, request.match_info["car_class"]),
                "count": len(cars),
                "cars": [self._car_json(car, locale) for car in cars],
            }
        )

    async def _regions(self, request: web.Request) -> web.Response:
        return json_response(
            [
                {"id": r.id, "code": r.code, "name": r.name, "is_active": r.is_active}
                for r in self.dataset.regions
            ]
        )

    async def _sync_racers(self, request: web.Request) -> web.Response:
        body = request.get(JSON_BODY)
        identifiers = body.get("identifiers") if isinstance(body, dict) else None
        if not identifiers:
            raise _required("identifiers")
        if not isinstance(identifiers, list):
            message = "The identifiers field must be an array."
            raise _ApiError(422, message, {"identifiers": [message]})
        if len(identifiers) > MAX_IDENTIFIERS:
            raise _too_many("identifiers")
        bad = [i for i, value in enumerate(identifiers) if not isinstance(value, str)]
        if bad:
            errors = {f"identifiers.{i}": [f"The identifiers.{i} field must be a string."] for i in bad}
            message = errors[f"identifiers.{bad[0]}"][0] + (
                f" (and {len(bad) - 1} more errors)" if len(bad) > 1 else ""
            )
            raise _ApiError(422, message, errors)

        drivers: list[Driver] = []
        not_found: list[str] = []
        for identifier in _dedupe(identifiers):
            driver = self.dataset.driver(identifier)
            if driver is None or not driver.indexed or driver.stale:
                await self.sleep(self.stagger_seconds)
            if driver is None:
                not_found.append(identifier)
                continue
            if not driver.indexed or driver.stale:
                driver.indexed, driver.stale = True, False
                driver.last_sync = self.wall_clock().strftime("%Y-%m-%d %H:%M:%S")
            drivers.append(driver)
        return json_response(_racers_json(drivers, not_found))

    async def _racers(self, request: web.Request) -> web.Response:
        identifiers = _dedupe(_split_list(request.match_info["identifiers"]))
        if not identifiers:
            raise _required("identifiers")
        if len(identifiers) > MAX_IDENTIFIERS:
            raise _too_many("identifiers")
        drivers: list[Driver] = []
        not_found: list[str] = []
        for identifier in identifiers:
            driver = self.dataset.driver(identifier)
            if driver is not None and driver.indexed:
                drivers.append(driver)
            else:
                not_found.append(identifier)
        return json_response(_racers_json(drivers, not_found))

    async def _series_drivers(self, request: web.Request) -> web.Response:
        series: Series | None = self.dataset.series.get(int(request.match_info["series"]))
        if series is None:
            raise _ApiError(404, "Series not found.")
        psns = _dedupe(_split_list(request.match_info["psn_list"]))
        if not psns:
            raise _required("psn_list")
        if len(psns) > MAX_IDENTIFIERS:
            raise _too_many("psn_list")
        entries = [series.results[p.lower()] for p in psns if p.lower() in series.results]
        entries.sort(key=lambda e: (e.season_rank, e.psn.lower()))
        return json_response(
            {
                "series_id": str(series.id),
                "type": series.type,
                "driver_count": len(entries),
                "drivers": [_series_row(e) for e in entries],
            }
        )

    async def _login(self, request: web.Request) -> web.Response:
        return web.Response(
            text="<!DOCTYPE html><html><body><h1>Log in</h1></body></html>", content_type="text/html"
        )


def _reason(status: int) -> str:
    return {
        401: "Unauthenticated.",
        403: "This action is unauthorized.",
        404: "Not Found",
        429: "Too Many Attempts.",
        500: "Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }.get(status, "Error")


def _paginator_links(page: int, last_page: int, url: Callable[[int], str]) -> list[dict[str, Any]]:
    """Laravel's LengthAwarePaginator ``links`` (UrlWindow with onEachSide = 3)."""
    on_each_side = 3
    window = on_each_side + 4
    pages: list[int | None]  # None = "..."
    if last_page < on_each_side * 2 + 8:
        pages = list(range(1, last_page + 1))
    elif page <= window:
        pages = [*range(1, window + on_each_side + 1), None, last_page - 1, last_page]
    elif page > last_page - window:
        pages = [1, 2, None, *range(last_page - (window + on_each_side - 1), last_page + 1)]
    else:
        pages = [
            1,
            2,
            None,
            *range(page - on_each_side, page + on_each_side + 1),
            None,
            last_page - 1,
            last_page,
        ]
    links: list[dict[str, Any]] = [
        {"url": url(page - 1) if page > 1 else None, "label": "&laquo; Previous", "active": False}
    ]
    for number in pages:
        if number is None:
            links.append({"url": None, "label": "...", "active": False})
        else:
            links.append({"url": url(number), "label": str(number), "active": number == page})
    links.append(
        {"url": url(page + 1) if page < last_page else None, "label": "Next &raquo;", "active": False}
    )
    return links


# --- by-hand run -------------------------------------------------------------------------------------------


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.standins.gtgridstats", description="A local stand-in of the GT Grid Stats API."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787, help="0 = any free port")
    parser.add_argument("--api-key", default="dev-key")
    parser.add_argument("--stagger", type=float, default=3.0, help="seconds per un-indexed driver on POST")
    quota = parser.add_mutually_exclusive_group()
    quota.add_argument("--quota", type=int, default=1000, help="daily quota of metered calls")
    quota.add_argument("--no-quota", action="store_true", help="no daily quota and no quota headers")
    parser.add_argument("--cars", type=int, default=482, help="size of the car catalog")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    standin = GTGridStatsStandin(
        api_key=args.api_key,
        dataset=default_dataset(cars=args.cars, seed=args.seed),
        stagger_seconds=args.stagger,
        quota_per_day=None if args.no_quota else args.quota,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C arrives as KeyboardInterrupt instead
            loop.add_signal_handler(sig, stop.set)
    await standin.start(args.host, args.port)
    print(f"GT Grid Stats stand-in on {standin.base_url} (API key: {args.api_key})", flush=True)
    try:
        await stop.wait()
    finally:
        await standin.stop()


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())

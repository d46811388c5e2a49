"""The only code that talks HTTP to GT Grid Stats: one method per endpoint, every call through the budget."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from bot import __version__
from bot.clock import Clock
from bot.gtgridstats import wire
from bot.gtgridstats.budget import EndpointClass, RequestBudget
from bot.gtgridstats.errors import (
    BadResponseError,
    GTGridStatsError,
    InvalidRequestError,
    NotFoundError,
    QuotaExhaustedError,
    RateLimitedError,
    ResponseTooLargeError,
    UnauthorizedError,
    UpstreamUnavailableError,
)
from bot.gtgridstats.identifiers import (
    validate_car_class,
    validate_car_identifier,
    validate_locale,
    validate_positive_id,
    validate_psn_ids,
)
from bot.gtgridstats.models import (
    Car,
    CarPage,
    Manufacturer,
    ManufacturerCars,
    RacersResponse,
    Region,
    SeriesResult,
)

log = logging.getLogger(__name__)

M = TypeVar("M")

USER_AGENT = f"gt-grid-bot/{__version__} (Discord bot; +https://github.com/gt-grid-bot/gt-grid-bot)"

# How often an idempotent GET is retried after a 5xx or a connection error, and the pause before each.
RETRY_BACKOFF_SECONDS = (1.0, 3.0)
# A Retry-After longer than this is reported to the user instead of waited out inside a command.
MAX_TRANSPARENT_RETRY_AFTER = 10.0


def segment(value: str | int) -> str:
    """Percent-encode one path segment completely, so no value can add a segment or a query."""
    return quote(str(value), safe="").replace(".", "%2E")


def identifier_list(values: Sequence[str]) -> str:
    return wire.LIST_SEPARATOR.join(segment(value) for value in values)


class GTGridStatsClient:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        budget: RequestBudget,
        clock: Clock,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_seconds: float = wire.DEFAULT_TIMEOUT_SECONDS,
        max_response_bytes: int = wire.MAX_RESPONSE_BYTES,
    ) -> None:
        self.budget = budget
        self._clock = clock
        # httpx's timeout bounds each read; this bounds the whole request (see wire.DEFAULT_TIMEOUT_SECONDS).
        self._deadline_seconds = timeout_seconds
        self._max_response_bytes = max_response_bytes
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {api_key}",
                "Accept": wire.ACCEPT,
                "User-Agent": USER_AGENT,
            },
            timeout=httpx.Timeout(
                timeout_seconds, connect=min(timeout_seconds, wire.CONNECT_TIMEOUT_SECONDS)
            ),
            follow_redirects=False,
            transport=transport,
        )

    async def __aenter__(self) -> GTGridStatsClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- endpoints ---------------------------------------------------------------------------------

    async def manufacturers(self) -> list[Manufacturer]:
        return await self._get("/api/assets/manufacturers", list[Manufacturer])

    async def localized_manufacturers(self, locale: str) -> list[Manufacturer]:
        path = f"/api/assets/manufacturers/{segment(validate_locale(locale))}"
        return await self._get(path, list[Manufacturer])

    async def cars_page(self, page: int = 1) -> CarPage:
        validate_positive_id(page, "page number")
        return await self._get(f"/api/assets/cars?page={page}", CarPage)

    async def car(self, identifier: str, locale: str | None = None) -> Car:
        path = f"/api/assets/cars/{segment(validate_car_identifier(identifier))}"
        if locale:
            path += f"/{segment(validate_locale(locale))}"
        return await self._get(path, Car)

    async def manufacturer_cars(self, manufacturer_id: int, locale: str | None = None) -> ManufacturerCars:
        path = f"/api/assets/manufacturer/{validate_positive_id(manufacturer_id, 'manufacturer id')}/cars"
        if locale:
            path += f"/{segment(validate_locale(locale))}"
        return await self._get(path, ManufacturerCars)

    async def manufacturer_cars_by_class(
        self, manufacturer_id: int, car_class: str, locale: str | None = None
    ) -> ManufacturerCars:
        manufacturer = validate_positive_id(manufacturer_id, "manufacturer id")
        class_part = segment(wire.class_segment(validate_car_class(car_class)))
        path = f"/api/assets/manufacturer/{manufacturer}/{class_part}"
        if locale:
            path += f"/{segment(validate_locale(locale))}"
        return await self._get(path, ManufacturerCars)

    async def regions(self) -> list[Region]:
        return await self._get("/api/assets/regions", list[Region])

    async def sync_racers(self, psn_ids: Sequence[str]) -> RacersResponse:
        """POST: indexes drivers the server does not know yet (about 3 s per new driver)."""
        identifiers = validate_psn_ids(psn_ids)
        return await self._request(
            "POST",
            "/api/racers",
            RacersResponse,
            body={"identifiers": identifiers},
            timeout_seconds=wire.sync_timeout(len(identifiers)),
        )

    async def racers(self, psn_ids: Sequence[str]) -> RacersResponse:
        """GET: indexed drivers only; the rest come back in `not_found`."""
        return await self._get(f"/api/racers/{identifier_list(validate_psn_ids(psn_ids))}", RacersResponse)

    async def series_drivers(self, series_id: int, psn_ids: Sequence[str]) -> SeriesResult:
        series = validate_positive_id(series_id, "series id")
        path = f"/api/series-{series}/drivers/{identifier_list(validate_psn_ids(psn_ids))}"
        return await self._get(path, SeriesResult)

    # --- plumbing ----------------------------------------------------------------------------------

    async def _get(self, path: str, model: type[M] | Any) -> M:
        return await self._request("GET", path, model)

    async def _request(
        self,
        method: str,
        path: str,
        model: type[M] | Any,
        *,
        body: dict[str, Any] | None = None,
        timeout_seconds: float | None = None,
    ) -> M:
        call = _Call(method, path, self.budget.classify(path), body, timeout_seconds)

        def joined() -> None:
            self.budget.usage.by_class[call.kind].coalesced += 1

        payload = await self.budget.coalescer.run(call.key, lambda: self._send_with_retries(call), joined)
        parsed: M = self._parse(payload, model, path)
        return parsed

    async def _send_with_retries(self, call: _Call) -> Any:
        # POST /api/racers is not retried: the server may already be syncing, and a retry would pay again.
        retryable = call.method == "GET"
        attempt = 0
        while True:
            try:
                return await self._send_once(call)
            except RateLimitedError as error:
                if not retryable or attempt > 0 or error.retry_after > MAX_TRANSPARENT_RETRY_AFTER:
                    raise
                log.warning("GT Grid Stats asked us to wait %.0f s (%s)", error.retry_after, call.path)
            except UpstreamUnavailableError:
                if not retryable or attempt >= len(RETRY_BACKOFF_SECONDS):
                    raise
                await self._clock.sleep(RETRY_BACKOFF_SECONDS[attempt])
            attempt += 1

    async def _send_once(self, call: _Call) -> Any:
        await self.budget.acquire(call.kind)
        try:
            return await self._send_in_slot(call)
        finally:
            # The slot's window starts when the answer is in: the server saw the request before that.
            self.budget.release(call.kind)

    async def _send_in_slot(self, call: _Call) -> Any:
        usage = self.budget.usage.by_class[call.kind]
        timeout = call.timeout_seconds if call.timeout_seconds is not None else httpx.USE_CLIENT_DEFAULT
        deadline = call.timeout_seconds if call.timeout_seconds is not None else self._deadline_seconds
        try:
            async with asyncio.timeout(deadline):
                request = self._http.build_request(call.method, call.path, json=call.body, timeout=timeout)
                response = await self._http.send(request, stream=True)
                try:
                    body = await self._read_body(response, call)
                finally:
                    await response.aclose()
        except (httpx.TimeoutException, TimeoutError):
            usage.failures += 1
            raise UpstreamUnavailableError(f"{call}: timed out") from None
        except httpx.TransportError as error:
            usage.failures += 1
            raise UpstreamUnavailableError(f"{call}: {type(error).__name__}") from None
        except ResponseTooLargeError:
            usage.failures += 1
            raise
        self._observe_quota(response, call.kind)
        if response.status_code >= 400 or response.is_redirect:
            usage.failures += 1
            raise self._error_for(response, body, call)
        try:
            return _loads(body)
        except (ValueError, RecursionError):
            usage.failures += 1
            raise BadResponseError(f"{call}: body is not JSON", status=response.status_code) from None

    async def _read_body(self, response: httpx.Response, call: _Call) -> bytes:
        """The decoded body, refused as soon as it grows past the cap (announced or not)."""
        limit = self._max_response_bytes
        announced = _int_header(response, "Content-Length")
        if announced is not None and announced > limit:
            raise ResponseTooLargeError(
                f"{call}: body of {announced} bytes announced, over {limit}", status=response.status_code
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise ResponseTooLargeError(f"{call}: body over {limit} bytes", status=response.status_code)
            chunks.append(chunk)
        return b"".join(chunks)

    def _observe_quota(self, response: httpx.Response, kind: EndpointClass) -> None:
        if kind is not EndpointClass.METERED:
            return
        self.budget.quota.observe(
            _int_header(response, wire.QUOTA_LIMIT_HEADER), _int_header(response, wire.QUOTA_REMAINING_HEADER)
        )

    def _error_for(self, response: httpx.Response, body: bytes, call: _Call) -> GTGridStatsError:
        status = response.status_code
        message, errors = _laravel_message(body)
        detail = f"{call}: {status} {message}".strip()
        if response.is_redirect:
            # The server redirects to its login page when it does not take the request for an API call.
            return UnauthorizedError(f"{call}: redirected to {response.headers.get('location', '?')}")
        if status == 401 or status == 403:
            return UnauthorizedError(detail, status=status)
        if status == 404:
            return NotFoundError(detail, status=status)
        if status == 422:
            return InvalidRequestError(detail, status=status, errors=errors)
        if status == 429:
            if wire.QUOTA_EXCEEDED_MARKER in message.lower():
                self.budget.quota.exhausted()
                return QuotaExhaustedError(self.budget.quota.resets_at, detail, status=status)
            retry_after = wire.parse_retry_after(response.headers.get("Retry-After"), self._clock.now())
            self.budget.limiters[call.kind].block_for(retry_after)
            return RateLimitedError(retry_after, detail, status=status)
        if status >= 500:
            return UpstreamUnavailableError(detail, status=status)
        return BadResponseError(detail, status=status)

    def _parse(self, payload: Any, model: type[M] | Any, path: str) -> M:
        try:
            if isinstance(model, type) and issubclass(model, BaseModel):
                return model.model_validate(payload)  # type: ignore[return-value]
            result: M = TypeAdapter(model).validate_python(payload)
            return result
        except ValidationError as error:
            raise BadResponseError(f"{path}: unexpected shape ({error.error_count()} problems)") from None


@dataclass(frozen=True)
class _Call:
    method: str
    path: str
    kind: EndpointClass
    body: dict[str, Any] | None = None
    timeout_seconds: float | None = None

    @property
    def key(self) -> tuple[str, str, str | None]:
        """Requests with the same key are identical, so concurrent ones share one upstream call."""
        return (
            self.method,
            self.path,
            json.dumps(self.body, sort_keys=True) if self.body is not None else None,
        )

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _loads(body: bytes) -> Any:
    """Strict JSON: NaN and Infinity (which Python's json would accept) are refused like any other garbage."""
    return json.loads(body, parse_constant=_reject_constant)


def _laravel_message(body: bytes) -> tuple[str, dict[str, list[str]]]:
    try:
        data = _loads(body)
    except (ValueError, RecursionError):
        return "", {}
    if not isinstance(data, dict):
        return "", {}
    message = data.get("message")
    errors = data.get("errors")
    return (str(message)[:500] if message else ""), (errors if isinstance(errors, dict) else {})

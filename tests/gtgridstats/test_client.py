"""The GT Grid Stats client against the stand-in over real HTTP: endpoints, headers, errors, encoding."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.gtgridstats import EndpointClass, GTGridStatsClient, RequestBudget, wire
from bot.gtgridstats.client import USER_AGENT, segment
from bot.gtgridstats.errors import (
    BadResponseError,
    InvalidIdentifierError,
    InvalidRequestError,
    NotFoundError,
    QuotaExhaustedError,
    RateLimitedError,
    ResponseTooLargeError,
    UnauthorizedError,
    UpstreamUnavailableError,
)
from bot.ui.errors import describe_error
from tests.conftest import API_KEY
from tests.standins.clock import ManualClock
from tests.standins.gtgridstats import GTGridStatsStandin


def make_client(
    gt: GTGridStatsStandin, clock: ManualClock, *, api_key: str = API_KEY, **budget: int
) -> GTGridStatsClient:
    limits = {"metered_per_minute": 1_000, "free_per_minute": 1_000} | budget
    return GTGridStatsClient(
        base_url=gt.base_url,
        api_key=api_key,
        budget=RequestBudget(clock, **limits),
        clock=clock,
        timeout_seconds=0.5,
    )


@pytest.fixture
async def client(gt: GTGridStatsStandin, clock: ManualClock) -> AsyncIterator[GTGridStatsClient]:
    async with make_client(gt, clock) as api:
        yield api


# --- every endpoint and its model ---------------------------------------------------------------------


async def test_manufacturers_default_and_localized(client: GTGridStatsClient) -> None:
    makes = {make.id: make for make in await client.manufacturers()}
    assert makes[78].name == "Ferrari"
    assert str(makes[78].logo).endswith(".png")
    localized = {make.id: make.name for make in await client.localized_manufacturers("cn")}
    assert localized[78] == "法拉利"


async def test_cars_pages_cover_the_whole_catalog(client: GTGridStatsClient, gt: GTGridStatsStandin) -> None:
    first = await client.cars_page(1)
    assert first.current_page == 1
    assert first.total == len(gt.dataset.cars)
    assert first.next_page_url
    seen = [car.id for car in first.data]
    page = first
    while page.next_page_url and page.data:
        page = await client.cars_page(page.current_page + 1)
        seen += [car.id for car in page.data]
    assert len(seen) == len(set(seen)) == len(gt.dataset.cars)


async def test_car_by_id_car_code_and_gt7_code_with_locale(client: GTGridStatsClient) -> None:
    by_id = await client.car("613")
    by_code = await client.car("1544")
    by_gt7 = await client.car("car1544")
    assert by_id == by_code == by_gt7
    assert by_id.name == "Ferrari 430 Scuderia '07"
    assert by_id.car_class == "Gr.N"
    assert by_id.manufacturer.id == 78
    localized = await client.car("car1544", locale="jp")
    assert localized.manufacturer.name == "フェラーリ"


async def test_manufacturer_cars_all_and_by_class_with_or_without_dots(client: GTGridStatsClient) -> None:
    everything = await client.manufacturer_cars(78)
    assert everything.manufacturer == "Ferrari"
    assert everything.count == len(everything.cars) > 0
    for spelling in ("Gr.3", "gr3", "GR.3"):
        gr3 = await client.manufacturer_cars_by_class(78, spelling)
        assert {car.car_class for car in gr3.cars} == {"Gr.3"}
        assert "Ferrari 458 Italia GT3 '13" in {car.name for car in gr3.cars}
    localized = await client.manufacturer_cars(78, locale="cn")
    assert localized.manufacturer == "法拉利"


async def test_regions(client: GTGridStatsClient) -> None:
    regions = {region.code: region for region in await client.regions()}
    assert regions["cn"].is_active
    assert any(not region.is_active for region in regions.values())


async def test_racers_sync_indexes_then_get_finds(client: GTGridStatsClient, gt: GTGridStatsStandin) -> None:
    gt.dataset.add_driver("NewKid_01", indexed=False)
    before = await client.racers(["NewKid_01", "skino2024"])
    assert before.not_found == ["NewKid_01"]
    assert [driver.psn_id for driver in before.drivers] == ["skino2024"]
    skino = before.drivers[0]
    assert (skino.dr, skino.stats.dr_points) == ("B", 11027)
    assert skino.guid
    synced = await client.sync_racers(["NewKid_01", "nobody_here"])
    assert [driver.psn_id for driver in synced.drivers] == ["NewKid_01"]
    assert synced.not_found == ["nobody_here"]
    after = await client.racers(["newkid_01"])
    assert after.drivers[0].psn_id == "NewKid_01"
    assert gt.requests[-2].json == {"identifiers": ["NewKid_01", "nobody_here"]}


async def test_series_drivers(client: GTGridStatsClient) -> None:
    result = await client.series_drivers(1564, ["skino2024", "SparksTheory"])
    assert result.series_id == 1564
    assert result.type == "Nations Cup"
    row = next(driver for driver in result.drivers if driver.psn == "skino2024")
    assert row.total_points == sum(r.points for r in row.rounds if r.is_counted)


# --- headers ---------------------------------------------------------------------------------------------


async def test_every_call_sends_bearer_accept_and_user_agent(
    client: GTGridStatsClient, gt: GTGridStatsStandin
) -> None:
    await client.regions()
    await client.manufacturers()
    for request in gt.requests:
        headers = {name.lower(): value for name, value in request.headers.items()}
        assert headers["authorization"] == f"Bearer {API_KEY}"
        assert headers["accept"] == "application/json"
        assert headers["user-agent"] == USER_AGENT


# --- identifiers never reach the server raw ----------------------------------------------------------------

HOSTILE = ["../x", "a/b", "x?y=1", "%2e%2e", "ドライバー", "", "a" * 200, "..", "a#b", "a b", "x,y"]


@pytest.mark.parametrize("value", HOSTILE)
async def test_hostile_identifiers_are_refused_before_any_call(
    client: GTGridStatsClient, gt: GTGridStatsStandin, value: str
) -> None:
    for call in (
        lambda: client.car(value),
        lambda: client.racers([value]),
        lambda: client.sync_racers([value]),
        lambda: client.series_drivers(1564, [value]),
        lambda: client.localized_manufacturers(value),
        lambda: client.manufacturer_cars_by_class(78, value),
    ):
        with pytest.raises(InvalidIdentifierError):
            await call()
    assert gt.requests == []


@pytest.mark.parametrize("value", HOSTILE)
def test_a_path_segment_never_carries_a_separator(value: str) -> None:
    encoded = segment(value)
    for forbidden in ("/", "?", "#", ".", " ", ","):
        assert forbidden not in encoded


async def test_sixteen_identifiers_pass_seventeen_are_refused_before_any_call(
    client: GTGridStatsClient, gt: GTGridStatsStandin
) -> None:
    names = [f"driver{number:03d}" for number in range(1, 18)]
    result = await client.racers(names[:16])
    assert len(result.drivers) + len(result.not_found) == 16
    assert gt.count() == 1
    with pytest.raises(InvalidIdentifierError) as by_get:
        await client.racers(names)
    assert describe_error(by_get.value)[0].startswith("At most 16")
    with pytest.raises(InvalidIdentifierError) as by_sync:
        await client.sync_racers(names)
    assert describe_error(by_sync.value)[0].startswith("At most 16")
    assert gt.count() == 1


# --- errors ------------------------------------------------------------------------------------------------


async def test_a_wrong_key_is_unauthorized(gt: GTGridStatsStandin, clock: ManualClock) -> None:
    async with make_client(gt, clock, api_key="wrong-key") as api:
        with pytest.raises(UnauthorizedError) as caught:
            await api.manufacturers()
    assert "wrong-key" not in describe_error(caught.value)[0]
    assert gt.requests[-1].status == 401


async def test_a_login_redirect_is_unauthorized(client: GTGridStatsClient, gt: GTGridStatsStandin) -> None:
    gt.fail(302, headers={"Location": "/login"})
    with pytest.raises(UnauthorizedError):
        await client.manufacturers()


async def test_unknown_car_is_not_found(client: GTGridStatsClient) -> None:
    with pytest.raises(NotFoundError):
        await client.car("car999999")


async def test_422_is_an_invalid_request_with_field_errors(
    client: GTGridStatsClient, gt: GTGridStatsStandin
) -> None:
    gt.fail(422, body={"message": "Invalid.", "errors": {"identifiers": ["Too many."]}})
    with pytest.raises(InvalidRequestError) as caught:
        await client.racers(["skino2024"])
    assert caught.value.errors == {"identifiers": ["Too many."]}


async def test_429_with_a_long_retry_after_is_reported_and_blocks_the_class(
    client: GTGridStatsClient, gt: GTGridStatsStandin
) -> None:
    gt.fail(429, body={"message": "Too Many Attempts."}, headers={"Retry-After": "42"})
    with pytest.raises(RateLimitedError) as caught:
        await client.manufacturers()
    assert caught.value.retry_after == 42
    assert "42 s" in describe_error(caught.value)[0]
    assert client.budget.estimated_wait() == pytest.approx(42, abs=1)


async def test_429_with_a_short_retry_after_is_waited_out_once(
    client: GTGridStatsClient, gt: GTGridStatsStandin, clock: ManualClock
) -> None:
    gt.fail(429, body={"message": "Too Many Attempts."}, headers={"Retry-After": "5"})
    makes = await clock.run_until(client.manufacturers())
    assert makes
    assert [request.status for request in gt.requests] == [429, 200]


async def test_quota_exhausted_stops_metered_calls_before_sending(
    client: GTGridStatsClient, gt: GTGridStatsStandin
) -> None:
    gt.quota_remaining = 0
    with pytest.raises(QuotaExhaustedError) as caught:
        await client.manufacturers()
    assert "quota" in describe_error(caught.value)[0]
    sent = gt.count()
    with pytest.raises(QuotaExhaustedError):
        await client.car("613")
    assert gt.count() == sent  # known to be exhausted: not even asked
    assert await client.regions()  # regions are free of the daily quota


async def test_quota_is_tracked_from_headers(client: GTGridStatsClient, gt: GTGridStatsStandin) -> None:
    gt.quota_limit, gt.quota_remaining = 5, 5
    await client.manufacturers()
    await client.car("613")
    assert client.budget.quota.limit == 5
    assert client.budget.quota.remaining == 3
    assert client.budget.quota.resets_at is not None


async def test_5xx_is_retried_with_backoff_then_reported(
    client: GTGridStatsClient, gt: GTGridStatsStandin, clock: ManualClock
) -> None:
    gt.fail(503, times=None)
    with pytest.raises(UpstreamUnavailableError):
        await clock.run_until(client.manufacturers())
    assert [request.status for request in gt.requests] == [503, 503, 503]


async def test_a_single_500_is_recovered_by_a_retry(
    client: GTGridStatsClient, gt: GTGridStatsStandin, clock: ManualClock
) -> None:
    gt.fail(500)
    assert await clock.run_until(client.manufacturers())
    assert [request.status for request in gt.requests] == [500, 200]


async def test_a_post_sync_is_never_retried(client: GTGridStatsClient, gt: GTGridStatsStandin) -> None:
    gt.fail(500)
    with pytest.raises(UpstreamUnavailableError):
        await client.sync_racers(["skino2024"])
    assert gt.count(method="POST") == 1


async def test_timeout_dropped_and_malformed(
    client: GTGridStatsClient, gt: GTGridStatsStandin, clock: ManualClock
) -> None:
    gt.slow(5.0, times=3)
    with pytest.raises(UpstreamUnavailableError, match="timed out"):
        await clock.run_until(client.manufacturers())
    gt.clear_faults()
    gt.drop(times=3)
    with pytest.raises(UpstreamUnavailableError):
        await clock.run_until(client.manufacturers())
    gt.clear_faults()
    gt.malformed()
    with pytest.raises(BadResponseError):
        await client.manufacturers()


async def test_a_payload_of_the_wrong_shape_is_a_bad_response(
    client: GTGridStatsClient, gt: GTGridStatsStandin
) -> None:
    gt.fail(200, body={"drivers": "not a list"})
    with pytest.raises(BadResponseError, match="unexpected shape"):
        await client.racers(["skino2024"])


# --- coalescing and the per-minute budget ------------------------------------------------------------------


async def test_ten_identical_concurrent_calls_make_one_request(
    client: GTGridStatsClient, gt: GTGridStatsStandin
) -> None:
    gt.slow(0.05)  # keep the first call in flight while the others arrive
    results = await asyncio.gather(*(client.car("car1544") for _ in range(10)))
    assert len({result.id for result in results}) == 1
    assert gt.count() == 1
    assert client.budget.usage.by_class[EndpointClass.METERED].coalesced == 9


async def test_a_burst_of_30_never_exceeds_the_per_minute_limit(
    gt: GTGridStatsStandin, clock: ManualClock
) -> None:
    gt.limits["metered"] = 10
    async with make_client(gt, clock, metered_per_minute=10) as api:
        started = clock.monotonic()
        burst = asyncio.gather(*(api.car(str(car.id)) for car in gt.dataset.cars[:30]))
        cars = await clock.run_until(burst)
    assert len(cars) == 30
    assert gt.count() == 30
    assert gt.max_in_window("metered") <= 10
    assert gt.rate_limited == 0
    assert clock.monotonic() - started >= 120  # three windows' worth of calls needed two waits


async def test_a_request_that_reaches_the_server_late_does_not_let_the_next_one_in_its_window(
    gt: GTGridStatsStandin, clock: ManualClock
) -> None:
    # The first request is granted at once but spends 30 s before it reaches the server (a slow connect,
    # a stalled loop). Timing the window from the grant sent the second one 31 s after the server counted
    # the first: a 429 from a 1-a-minute server (and a retry: 3 calls for 2).
    gt.limits["metered"] = 1
    async with make_client(gt, clock, metered_per_minute=1) as api:
        real_send = api._http.send
        delayed = False

        async def slow_first_send(request: httpx.Request, **kwargs: Any) -> httpx.Response:
            nonlocal delayed
            if not delayed:
                delayed = True
                await clock.sleep(30)
            return await real_send(request, **kwargs)

        api._http.send = slow_first_send  # type: ignore[method-assign]
        cars = await clock.run_until(asyncio.gather(api.car("613"), api.car("620")))
    assert [car.id for car in cars] == [613, 620]
    assert gt.rate_limited == 0
    assert gt.count() == 2
    assert gt.max_in_window("metered") <= 1


async def test_estimated_wait_reports_the_queue(gt: GTGridStatsStandin, clock: ManualClock) -> None:
    async with make_client(gt, clock, metered_per_minute=2) as api:
        await api.car("613")
        await api.car("620")
        assert api.budget.estimated_wait() == pytest.approx(61, abs=1)
        queued = asyncio.ensure_future(api.car("1544"))
        for _ in range(100):  # let the call run up to its wait for a slot (loop turns, not time)
            if clock.sleepers:
                break
            await asyncio.sleep(0)
        assert api.budget.queued(EndpointClass.METERED) == 1
        clock.advance(61)
        assert (await queued).id == 613


# --- hostile timing and sizes -------------------------------------------------------------------------


async def test_a_body_trickled_one_byte_at_a_time_hits_the_total_deadline_and_leaves_nothing_in_flight(
    client: GTGridStatsClient, gt: GTGridStatsStandin, clock: ManualClock
) -> None:
    # One byte every 0.05 s never trips the 0.5 s per-read timeout; only a deadline on the whole request
    # ends the call (the full answer would take well over ten seconds).
    gt.trickle(0.05, times=None, path_prefix="/api/racers")
    with pytest.raises(UpstreamUnavailableError, match="timed out"):
        await clock.run_until(client.racers(["skino2024"]))
    assert gt.count("/api/racers") == 3  # the first try and two retries, each cut off at its deadline
    assert len(client.budget.coalescer) == 0  # nothing left in flight for later callers to join
    gt.clear_faults()
    answer = await client.racers(["skino2024"])  # the next call asks again, and gets an answer
    assert [driver.psn_id for driver in answer.drivers] == ["skino2024"]
    assert gt.count("/api/racers") == 4


async def test_an_announced_oversized_answer_is_refused_with_a_clear_error(
    gt: GTGridStatsStandin, clock: ManualClock
) -> None:
    gt.huge(wire.MAX_RESPONSE_BYTES + 1)
    async with make_client(gt, clock) as api:
        with pytest.raises(ResponseTooLargeError) as caught:
            await api.manufacturers()
        assert "too large" in describe_error(caught.value)[0]
        assert len(api.budget.coalescer) == 0
        assert await api.manufacturers()  # the next call is answered normally


async def test_an_unannounced_oversized_answer_is_cut_off_while_streaming(
    gt: GTGridStatsStandin, clock: ManualClock
) -> None:
    gt.huge(200_000, announce=False)
    async with GTGridStatsClient(
        base_url=gt.base_url,
        api_key=API_KEY,
        budget=RequestBudget(clock, metered_per_minute=1_000, free_per_minute=1_000),
        clock=clock,
        timeout_seconds=5.0,
        max_response_bytes=64 * 1024,
    ) as api:
        with pytest.raises(ResponseTooLargeError, match="over 65536 bytes"):
            await api.manufacturers()
        assert await api.manufacturers()


async def test_json_with_nan_or_deep_nesting_is_a_bad_response(
    client: GTGridStatsClient, gt: GTGridStatsStandin
) -> None:
    gt.fail(200, body=b'{"series_id": 1, "drivers": [], "driver_count": NaN}')
    with pytest.raises(BadResponseError, match="not JSON"):
        await client.series_drivers(1564, ["skino2024"])
    gt.fail(200, body=b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(BadResponseError, match="not JSON"):
        await client.series_drivers(1564, ["skino2024"])


_GARBAGE_RETRY_AFTER = {
    # header value: the wait the client keeps (the ManualClock starts at 12:00 UTC: 43,200 s to the reset)
    "inf": 43_200.0,
    "Infinity": 43_200.0,
    "1e12": 43_200.0,
    "99999999999999999999999": 43_200.0,
    "-5": 0.0,
    "-inf": 0.0,
    "nan": wire.DEFAULT_RETRY_AFTER_SECONDS,
    "soon": wire.DEFAULT_RETRY_AFTER_SECONDS,
    "": wire.DEFAULT_RETRY_AFTER_SECONDS,
    "Sat, 28 Nov 2026 12:02:00 GMT": 120.0,  # an HTTP date two minutes ahead
    "Sat, 28 Nov 2026 11:00:00 GMT": 0.0,  # an HTTP date in the past
    "Fri, 31 Dec 9999 23:59:59 GMT": 43_200.0,
}


@pytest.mark.parametrize("header", list(_GARBAGE_RETRY_AFTER))
async def test_a_garbage_retry_after_is_bounded_and_the_limiter_recovers(
    client: GTGridStatsClient, gt: GTGridStatsStandin, clock: ManualClock, header: str
) -> None:
    gt.fail(429, body={"message": "Too Many Attempts."}, headers={"Retry-After": header})
    with pytest.raises(RateLimitedError) as caught:
        await client.sync_racers(["skino2024"])  # a POST: reported, never retried
    expected = _GARBAGE_RETRY_AFTER[header]
    assert caught.value.retry_after == pytest.approx(expected, abs=1)
    message = describe_error(caught.value)[0]
    assert "try again in about" in message
    assert len(message) < 120
    assert "e+" not in message
    assert "inf" not in message
    assert client.budget.estimated_wait() <= expected + 1
    clock.advance(expected + 1)
    answer = await clock.run_until(client.racers(["skino2024"]))  # the limiter is not blocked for good
    assert answer.drivers

"""Tests of the GT Grid Stats stand-in itself, over real HTTP with httpx."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.standins.gtgridstats import GTGridStatsStandin
from tests.standins.gtgridstats_data import PSN_RE, REFERENCE_DRIVERS, default_dataset

API_KEY = "standin-key"
HEADERS = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SYNC_TIME = datetime(2026, 6, 1, 12, 30, 5, tzinfo=UTC)
PAGINATOR_KEYS = {
    "current_page", "data", "first_page_url", "from", "last_page", "last_page_url", "links",
    "next_page_url", "path", "per_page", "prev_page_url", "to", "total",
}  # fmt: skip
REFERENCE_CAR = {
    "id": 613,
    "car_code": 1544,
    "gt7_code": "car1544",
    "name": "Ferrari 430 Scuderia '07",
    "class": "Gr.N",
    "image": "https://www.gran-turismo.com/common/dist/gt7/carlist/car_images/car1544.webp",
    "manufacturer": {"id": 78, "name": "Ferrari"},
}


class Ticker:
    """The stand-in's clock: moves only when a test moves it."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class Naps:
    """The stand-in's ``sleep``: records each delay; while ``hold`` is set, sleepers wait for release()."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.hold = False
        self._gate = asyncio.Event()
        self._arrived = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self._arrived.set()
        if self.hold:
            await self._gate.wait()
        await asyncio.sleep(0)

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(5):
            while len(self.calls) < count:
                self._arrived.clear()
                await self._arrived.wait()

    def release(self) -> None:
        self._gate.set()


MakeApi = Callable[..., Awaitable[GTGridStatsStandin]]


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
def naps() -> Naps:
    return Naps()


@pytest.fixture
async def make_api(ticker: Ticker, naps: Naps) -> AsyncIterator[MakeApi]:
    async with AsyncExitStack() as stack:

        async def build(**overrides: Any) -> GTGridStatsStandin:
            options: dict[str, Any] = {
                "api_key": API_KEY,
                "stagger_seconds": 0.01,
                "clock": ticker,
                "sleep": naps,
                "wall_clock": lambda: SYNC_TIME,
                **overrides,
            }
            return await stack.enter_async_context(GTGridStatsStandin(**options))

        yield build


@pytest.fixture
async def api(make_api: MakeApi) -> GTGridStatsStandin:
    """Generous per-minute limits, so only the limit tests meet them."""
    return await make_api(metered_per_minute=1_000, free_per_minute=1_000)


@pytest.fixture
async def client(api: GTGridStatsStandin) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api.base_url, headers=HEADERS) as http:
        yield http


def client_for(api: GTGridStatsStandin, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=api.base_url, headers=HEADERS if headers is None else headers)


# --- authentication and Accept ------------------------------------------------------------------------------


async def test_without_json_accept_redirects_to_login(api: GTGridStatsStandin) -> None:
    for accept in (None, "text/html", "*/*", "text/html, application/json;q=0.9"):
        headers = {"Authorization": f"Bearer {API_KEY}"} | ({"Accept": accept} if accept else {})
        async with client_for(api, headers) as http:
            response = await http.get("/api/assets/manufacturers")
        assert response.status_code == 302, accept
        assert response.headers["Location"] == f"{api.base_url}/login"
        assert "json" not in response.headers["Content-Type"]
    assert [r.status for r in api.requests] == [302] * 4


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-key", f"Basic {API_KEY}", "Bearer", f"Bearer {API_KEY}x"]
)
async def test_bad_or_missing_key_is_401(api: GTGridStatsStandin, authorization: str | None) -> None:
    headers = {"Accept": "application/json"} | ({"Authorization": authorization} if authorization else {})
    async with client_for(api, headers) as http:
        response = await http.get("/api/racers/skino2024")
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}
    assert "X-Quota-Remaining" not in response.headers


async def test_json_is_encoded_like_php(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/assets/cars/613/cn")
    assert response.headers["Content-Type"].startswith("application/json")
    assert "https:\\/\\/www.gran-turismo.com" in response.text
    assert "\\u6cd5\\u62c9\\u5229" in response.text  # 法拉利


# --- assets -------------------------------------------------------------------------------------------------


async def test_manufacturers(client: httpx.AsyncClient) -> None:
    makes = (await client.get("/api/assets/manufacturers")).json()
    by_id = {m["id"]: m for m in makes}
    assert by_id[78] == {
        "id": 78,
        "name": "Ferrari",
        "logo": "https://gtgridstats.com/storage/logos/ferrari.png",
    }
    assert by_id[144] == {
        "id": 144,
        "name": "Suzuki",
        "logo": "https://gtgridstats.com/storage/logos/suzuki.png",
    }
    assert 45 <= len(makes) <= 60
    names = {m["name"] for m in makes}
    assert {"Citroën", "Škoda", "Mercedes-Benz", "Porsche"} <= names
    assert by_id[38]["logo"].endswith("/citroen.png")


@pytest.mark.parametrize(
    ("locale", "ferrari", "suzuki"),
    [
        ("cn", "法拉利", "铃木"),
        ("jp", "フェラーリ", "スズキ"),
        ("kr", "페라리", "스즈키"),
        ("fr", "Ferrari", "Suzuki"),
    ],
)
async def test_localized_manufacturers(
    client: httpx.AsyncClient, locale: str, ferrari: str, suzuki: str
) -> None:
    response = await client.get(f"/api/assets/manufacturers/{locale}")
    names = {m["id"]: m["name"] for m in response.json()}
    assert (names[78], names[144]) == (ferrari, suzuki)


@pytest.mark.parametrize(
    "path",
    ["/api/assets/manufacturers/zz", "/api/assets/manufacturers/mx", "/api/assets/cars/613/xx"],
)
async def test_unknown_or_inactive_locale_is_404(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json() == {"message": "Region not found."}


async def test_cars_paginator(client: httpx.AsyncClient, api: GTGridStatsStandin) -> None:
    first = (await client.get("/api/assets/cars")).json()
    assert set(first) == PAGINATOR_KEYS
    assert first["data"][0] == REFERENCE_CAR
    assert (first["current_page"], first["per_page"], first["total"], first["last_page"]) == (1, 50, 482, 10)
    assert (first["from"], first["to"], first["prev_page_url"]) == (1, 50, None)
    assert first["next_page_url"] == f"{api.base_url}/api/assets/cars?page=2"
    assert first["path"] == f"{api.base_url}/api/assets/cars"
    labels = [link["label"] for link in first["links"]]
    assert labels == ["&laquo; Previous", *map(str, range(1, 11)), "Next &raquo;"]

    last = (await client.get("/api/assets/cars", params={"page": 10})).json()
    assert (last["from"], last["to"], last["next_page_url"], len(last["data"])) == (451, 482, None, 32)
    beyond = (await client.get("/api/assets/cars", params={"page": 11})).json()
    assert (beyond["data"], beyond["from"], beyond["to"]) == ([], None, None)


async def test_cars_pages_cover_the_catalog(client: httpx.AsyncClient) -> None:
    ids: list[int] = []
    url: str | None = "/api/assets/cars"
    while url:
        page = (await client.get(url)).json()
        ids += [car["id"] for car in page["data"]]
        url = page["next_page_url"]
    assert len(ids) == len(set(ids)) == 482
    assert ids == sorted(ids)


async def test_big_catalog_links_are_windowed(make_api: MakeApi) -> None:
    api = await make_api(dataset=default_dataset(cars=50_000, drivers=10))
    async with client_for(api) as http:
        page = (await http.get("/api/assets/cars", params={"page": 500})).json()
    assert (page["total"], page["last_page"]) == (50_000, 1000)
    labels = [link["label"] for link in page["links"]][1:-1]
    assert labels == ["1", "2", "...", "497", "498", "499", "500", "501", "502", "503", "...", "999", "1000"]


@pytest.mark.parametrize("identifier", ["613", "1544", "car1544", "CAR1544"])
async def test_car_by_id_code_or_gt7_code(client: httpx.AsyncClient, identifier: str) -> None:
    response = await client.get(f"/api/assets/cars/{identifier}")
    assert response.json() == REFERENCE_CAR


async def test_localized_car(client: httpx.AsyncClient) -> None:
    car = (await client.get("/api/assets/cars/car1544/cn")).json()
    assert car == REFERENCE_CAR | {
        "name": "法拉利 430 Scuderia '07",
        "manufacturer": {"id": 78, "name": "法拉利"},
    }


@pytest.mark.parametrize("identifier", ["999999", "car999999", "ferrari"])
async def test_unknown_car_is_404(client: httpx.AsyncClient, identifier: str) -> None:
    response = await client.get(f"/api/assets/cars/{identifier}")
    assert response.status_code == 404
    assert response.json() == {"message": "Car not found."}


async def test_manufacturer_cars(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/assets/manufacturer/78/cars")).json()
    assert (body["manufacturer"], body["count"], len(body["cars"])) == ("Ferrari", 14, 14)
    assert REFERENCE_CAR in body["cars"]
    localized = (await client.get("/api/assets/manufacturer/78/cars/jp")).json()
    assert localized["manufacturer"] == "フェラーリ"
    assert all(car["name"].startswith("フェラーリ ") for car in localized["cars"])


@pytest.mark.parametrize("spelling", ["gr3", "Gr.3", "GR.3", "gr.3"])
async def test_manufacturer_class_ignores_case_and_dots(client: httpx.AsyncClient, spelling: str) -> None:
    body = (await client.get(f"/api/assets/manufacturer/78/{spelling}")).json()
    assert (body["manufacturer"], body["class"], body["count"]) == ("Ferrari", "Gr.3", 2)
    assert 620 in {car["id"] for car in body["cars"]}
    assert {car["class"] for car in body["cars"]} == {"Gr.3"}


async def test_manufacturer_class_with_locale_and_other_classes(
    client: httpx.AsyncClient, api: GTGridStatsStandin
) -> None:
    gr3 = (await client.get("/api/assets/manufacturer/78/gr.3/cn")).json()
    assert gr3["manufacturer"] == "法拉利"
    assert "法拉利 458 Italia GT3 '13" in {car["name"] for car in gr3["cars"]}
    grn = (await client.get("/api/assets/manufacturer/78/grn")).json()
    assert grn["count"] == 3
    assert {car["class"] for car in grn["cars"]} == {"Gr.N"}
    rally_make = next(car.manufacturer_id for car in api.dataset.cars if car.car_class == "Gr.B")
    grb = (await client.get(f"/api/assets/manufacturer/{rally_make}/gr.b")).json()
    assert grb["class"] == "Gr.B"
    assert grb["count"] >= 1


async def test_unknown_class_is_empty_and_unknown_manufacturer_404(client: httpx.AsyncClient) -> None:
    empty = await client.get("/api/assets/manufacturer/78/gr9")
    assert empty.status_code == 200
    assert (empty.json()["count"], empty.json()["cars"]) == (0, [])
    for path in ("/api/assets/manufacturer/9999/cars", "/api/assets/manufacturer/abc/gr3"):
        missing = await client.get(path)
        assert missing.status_code == 404
        assert missing.json() == {"message": "Manufacturer not found."}


async def test_regions(client: httpx.AsyncClient, api: GTGridStatsStandin) -> None:
    response = await client.get("/api/assets/regions")
    regions = {r["code"]: r for r in response.json()}
    assert regions["cn"] == {"id": 5, "code": "cn", "name": "China", "is_active": True}
    assert (regions["gb"]["id"], regions["us"]["id"]) == (10, 30)
    assert {"jp", "kr", "de", "fr"} <= {code for code, r in regions.items() if r["is_active"]}
    assert any(not r["is_active"] for r in regions.values())
    assert "X-Quota-Limit" not in response.headers
    assert "X-Quota-Remaining" not in response.headers
    assert api.quota_remaining == 1000


# --- limits and quota ---------------------------------------------------------------------------------------


async def test_metered_limit_is_ten_per_rolling_minute(make_api: MakeApi, ticker: Ticker) -> None:
    api = await make_api()
    async with client_for(api) as http:
        statuses = [(await http.get("/api/racers/skino2024")).status_code for _ in range(10)]
        assert statuses == [200] * 10
        refused = await http.get("/api/assets/manufacturers")
        assert refused.status_code == 429
        assert refused.json() == {"message": "Too Many Attempts."}
        assert refused.headers["Retry-After"] == "60"
        ticker.now += 30
        assert (await http.get("/api/racers/skino2024")).headers["Retry-After"] == "30"
        assert (await http.get("/api/assets/regions")).status_code == 200  # a separate window
        ticker.now += 30
        assert (await http.get("/api/racers/skino2024")).status_code == 200
    assert api.rate_limited == 2
    assert api.max_in_window("metered") == 12  # 11 at t=0 and one at t=30 were all received
    assert api.max_in_window("free") == 1


async def test_max_in_window_when_the_client_keeps_to_the_limit(make_api: MakeApi, ticker: Ticker) -> None:
    api = await make_api()
    async with client_for(api) as http:
        for _ in range(3):
            for _ in range(10):
                assert (await http.get("/api/assets/manufacturers")).status_code == 200
            ticker.now += 60
    assert api.max_in_window("metered") == 10
    assert api.rate_limited == 0


async def test_regions_limit_is_thirty(make_api: MakeApi) -> None:
    api = await make_api()
    async with client_for(api) as http:
        statuses = [(await http.get("/api/assets/regions")).status_code for _ in range(31)]
        assert statuses == [200] * 30 + [429]
        assert (await http.get("/api/assets/manufacturers")).status_code == 200
    assert api.max_in_window("free") == 31
    assert api.quota_remaining == 999


async def test_quota_headers_and_exhaustion(client: httpx.AsyncClient, api: GTGridStatsStandin) -> None:
    first = await client.get("/api/assets/manufacturers")
    second = await client.get("/api/assets/cars/does-not-exist")
    assert (first.headers["X-Quota-Limit"], first.headers["X-Quota-Remaining"]) == ("1000", "999")
    assert (second.status_code, second.headers["X-Quota-Remaining"]) == (404, "998")

    api.quota_remaining = 0
    spent = await client.get("/api/racers/skino2024")
    assert spent.status_code == 429
    assert spent.json() == {"message": "Quota Exceeded"}
    assert (spent.headers["X-Quota-Limit"], spent.headers["X-Quota-Remaining"]) == ("1000", "0")
    assert (await client.get("/api/assets/regions")).status_code == 200  # free of the quota
    assert api.rate_limited == 0


async def test_quota_resets_after_a_day(make_api: MakeApi, ticker: Ticker) -> None:
    api = await make_api(quota_per_day=2)
    async with client_for(api) as http:
        assert [(await http.get("/api/assets/manufacturers")).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        ticker.now += 86_400
        response = await http.get("/api/assets/manufacturers")
    assert (response.status_code, response.headers["X-Quota-Remaining"]) == (200, "1")


async def test_no_quota_means_no_headers(make_api: MakeApi) -> None:
    api = await make_api(quota_per_day=None)
    async with client_for(api) as http:
        response = await http.get("/api/assets/manufacturers")
    assert response.status_code == 200
    assert "X-Quota-Limit" not in response.headers
    assert "X-Quota-Remaining" not in response.headers


# --- racers -------------------------------------------------------------------------------------------------


async def test_get_racers_matches_the_reference(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/racers/skino2024,SparksTheory,OFFICIAL_001")).json()
    expected = [
        {
            "PSN_ID": d["psn_id"],
            "Nickname": d["nickname"],
            "GUID": d["guid"],
            "DR": d["dr"],
            "SR": d["sr"],
            "last_sync": d["last_sync"],
            "country_code": d["country_code"],
            "stats": d["stats"],
        }
        for d in REFERENCE_DRIVERS
    ]
    assert body == {"status": "complete", "count": 3, "not_found": [], "drivers": expected}


async def test_get_racers_is_case_insensitive_and_skips_unindexed(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/racers/SPARKSTHEORY,Driver003,ghost_rider")).json()
    assert [d["PSN_ID"] for d in body["drivers"]] == ["SparksTheory"]
    assert body["count"] == 1
    assert body["not_found"] == ["Driver003", "ghost_rider"]


async def test_more_than_sixteen_identifiers_is_422(client: httpx.AsyncClient) -> None:
    names = [f"driver{i:03d}" for i in range(1, 18)]
    for response in (
        await client.get(f"/api/racers/{','.join(names)}"),
        await client.post("/api/racers", json={"identifiers": names}),
    ):
        assert response.status_code == 422
        assert response.json()["message"] == "The identifiers field must not have more than 16 items."
        assert list(response.json()["errors"]) == ["identifiers"]
    assert (await client.get(f"/api/racers/{','.join(names[:16])}")).status_code == 200


async def test_post_racers_requires_identifiers(client: httpx.AsyncClient) -> None:
    payloads: list[dict[str, Any]] = [
        {},
        {"identifiers": []},
        {"identifiers": "skino2024"},
        {"identifiers": [1]},
    ]
    for payload in payloads:
        response = await client.post("/api/racers", json=payload)
        assert response.status_code == 422
        assert all(key.startswith("identifiers") for key in response.json()["errors"])


async def test_post_racers_syncs_with_a_stagger(
    client: httpx.AsyncClient, api: GTGridStatsStandin, naps: Naps
) -> None:
    api.dataset.add_driver("StaleRacer", stale=True, last_sync="2026-01-01 00:00:00")
    before = (await client.get("/api/racers/driver003")).json()
    assert before["not_found"] == ["driver003"]

    payload = {"identifiers": ["skino2024", "driver003", "nobody-here", "staleracer", "StaleRacer"]}
    body = (await client.post("/api/racers", json=payload)).json()
    assert naps.calls == [0.01, 0.01, 0.01]  # driver003, nobody-here, staleracer (once); skino2024 is fresh
    assert [d["PSN_ID"] for d in body["drivers"]] == ["skino2024", "driver003", "StaleRacer"]
    assert body["not_found"] == ["nobody-here"]
    assert body["count"] == 3
    assert body["drivers"][1]["last_sync"] == body["drivers"][2]["last_sync"] == "2026-06-01 12:30:05"
    assert body["drivers"][0]["last_sync"] == "2026-05-20 13:59:01"

    after = (await client.get("/api/racers/driver003")).json()
    assert [d["PSN_ID"] for d in after["drivers"]] == ["driver003"]
    await client.post("/api/racers", json={"identifiers": ["driver003"]})
    assert len(naps.calls) == 3  # now indexed and fresh: no further stagger


async def test_post_racers_answers_only_after_the_stagger(
    client: httpx.AsyncClient, api: GTGridStatsStandin, naps: Naps
) -> None:
    naps.hold = True
    request = asyncio.create_task(
        client.post("/api/racers", json={"identifiers": ["driver003", "driver006"]})
    )
    await naps.wait_for(1)
    assert not request.done()
    assert api.in_flight == 1
    naps.release()
    response = await request
    assert len(naps.calls) == 2
    assert response.json()["count"] == 2


# --- series -------------------------------------------------------------------------------------------------


async def test_series_drivers(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/series-1564/drivers/SKINO2024,not_in_series")).json()
    assert body == {
        "series_id": "1564",
        "type": "Nations Cup",
        "driver_count": 1,
        "drivers": [
            {
                "psn": "skino2024",
                "season_rank": 14,
                "total_points": 342,
                "rounds": [
                    {"no": 1, "points": 120, "is_counted": True},
                    {"no": 2, "points": 45, "is_counted": False},
                    {"no": 3, "points": 88, "is_counted": True},
                    {"no": 4, "points": 60, "is_counted": True},
                    {"no": 5, "points": 30, "is_counted": False},
                    {"no": 6, "points": 74, "is_counted": True},
                ],
            }
        ],
    }


async def test_series_errors(client: httpx.AsyncClient) -> None:
    unknown = await client.get("/api/series-999/drivers/skino2024")
    assert (unknown.status_code, unknown.json()) == (404, {"message": "Series not found."})
    assert "X-Quota-Remaining" in unknown.headers

    not_a_number = await client.get("/api/series-abc/drivers/skino2024")
    assert not_a_number.status_code == 404
    assert not_a_number.json() == {
        "message": "The route api/series-abc/drivers/skino2024 could not be found."
    }
    assert "X-Quota-Remaining" not in not_a_number.headers

    too_many = await client.get("/api/series-1564/drivers/" + ",".join(f"p{i:03d}" for i in range(17)))
    assert too_many.status_code == 422
    assert "errors" in too_many.json()


async def test_added_series(client: httpx.AsyncClient, api: GTGridStatsStandin) -> None:
    api.dataset.add_series(
        77, "Sunday Cup", {"Alpha_1": (2, [(1, 10, True), (2, 3, False)]), "beta-2": (1, [])}
    )
    body = (await client.get("/api/series-77/drivers/beta-2,alpha_1,gamma")).json()
    assert (body["type"], body["driver_count"]) == ("Sunday Cup", 2)
    assert [(d["psn"], d["season_rank"], d["total_points"]) for d in body["drivers"]] == [
        ("beta-2", 1, 0),
        ("Alpha_1", 2, 10),
    ]
    manufacturers_cup = (await client.get("/api/series-2001/drivers/skino2024")).json()
    assert manufacturers_cup["type"] == "Manufacturers Cup"


# --- fault switches -----------------------------------------------------------------------------------------


async def test_fail_once_then_normal(client: httpx.AsyncClient, api: GTGridStatsStandin) -> None:
    api.fail(503)
    first = await client.get("/api/assets/manufacturers")
    second = await client.get("/api/assets/manufacturers")
    assert (first.status_code, first.json()) == (503, {"message": "Service Unavailable"})
    assert second.status_code == 200
    assert [r.status for r in api.requests] == [503, 200]


async def test_fail_with_headers_body_and_prefix(client: httpx.AsyncClient, api: GTGridStatsStandin) -> None:
    api.fail(429, headers={"Retry-After": "7"}, path_prefix="/api/racers")
    api.fail(500, body="<h1>Whoops</h1>", path_prefix="/api/racers")
    assert (await client.get("/api/assets/regions")).status_code == 200
    limited = await client.get("/api/racers/skino2024")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    broken = await client.get("/api/racers/skino2024")
    assert (broken.status_code, broken.text) == (500, "<h1>Whoops</h1>")
    assert api.rate_limited == 0  # injected 429s are not the limiter's


async def test_fail_until_cleared(client: httpx.AsyncClient, api: GTGridStatsStandin) -> None:
    api.fail(401, times=None)
    statuses = [(await client.get("/api/assets/regions")).status_code for _ in range(3)]
    api.clear_faults()
    statuses.append((await client.get("/api/assets/regions")).status_code)
    assert statuses == [401, 401, 401, 200]


async def test_slow_delays_then_answers(
    client: httpx.AsyncClient, api: GTGridStatsStandin, naps: Naps
) -> None:
    api.slow(4.5)
    response = await client.get("/api/assets/manufacturers")
    assert response.status_code == 200
    assert naps.calls == [4.5]


async def test_drop_closes_the_connection(client: httpx.AsyncClient, api: GTGridStatsStandin) -> None:
    api.drop()
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get("/api/assets/manufacturers")
    assert (await client.get("/api/assets/manufacturers")).status_code == 200
    assert [r.status for r in api.requests] == [0, 200]


async def test_malformed_body(client: httpx.AsyncClient, api: GTGridStatsStandin) -> None:
    api.malformed()
    response = await client.get("/api/racers/skino2024")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


async def test_faulted_requests_take_a_rate_limit_slot(make_api: MakeApi) -> None:
    api = await make_api(metered_per_minute=2)
    api.fail(500)
    async with client_for(api) as http:
        statuses = [(await http.get("/api/assets/manufacturers")).status_code for _ in range(3)]
    assert statuses == [500, 200, 429]
    assert len(api.requests) == 3


async def test_concurrent_requests_are_counted_in_flight(
    client: httpx.AsyncClient, api: GTGridStatsStandin, naps: Naps
) -> None:
    naps.hold = True
    api.slow(1.0, times=2)
    requests = [asyncio.create_task(client.get("/api/assets/manufacturers")) for _ in range(2)]
    await naps.wait_for(2)
    assert (api.in_flight, api.max_in_flight) == (2, 2)
    naps.release()
    assert [r.status_code for r in await asyncio.gather(*requests)] == [200, 200]
    assert api.in_flight == 0


# --- recording ----------------------------------------------------------------------------------------------


async def test_requests_are_recorded_raw(client: httpx.AsyncClient, api: GTGridStatsStandin) -> None:
    await client.get("/api/racers/a%20b,skino2024?x=1&y=%2F")
    await client.post("/api/racers", json={"identifiers": ["skino2024"]})
    get, post = api.requests
    assert (get.method, get.raw_path, get.query, get.json, get.status) == (
        "GET",
        "/api/racers/a%20b,skino2024",
        "x=1&y=%2F",
        None,
        200,
    )
    assert get.path == "/api/racers/a b,skino2024"
    assert get.headers["Authorization"] == f"Bearer {API_KEY}"
    assert (post.method, post.json, post.query) == ("POST", {"identifiers": ["skino2024"]}, "")


async def test_count_and_reset(client: httpx.AsyncClient, api: GTGridStatsStandin) -> None:
    await client.get("/api/racers/skino2024")
    await client.post("/api/racers", json={"identifiers": ["skino2024"]})
    await client.get("/api/assets/regions")
    await client.get("/nothing-here")
    assert api.count() == 3
    assert api.count("/api/racers") == 2
    assert api.count("/api/racers", method="post") == 1
    assert api.count("/") == 4
    api.reset_counts()
    assert (api.count(), api.requests) == (0, [])


async def test_unknown_route_and_wrong_method(client: httpx.AsyncClient, api: GTGridStatsStandin) -> None:
    missing = await client.get("/api/nope")
    assert (missing.status_code, missing.json()) == (
        404,
        {"message": "The route api/nope could not be found."},
    )
    wrong = await client.get("/api/racers")
    assert wrong.status_code == 405
    assert api.quota_remaining == 1000


# --- dataset ------------------------------------------------------------------------------------------------


def test_default_dataset_shape() -> None:
    data = default_dataset()
    assert len(data.cars) == 482
    assert (
        len({c.id for c in data.cars})
        == len({c.car_code for c in data.cars})
        == len({c.name for c in data.cars})
    )
    assert all(re.fullmatch(r".+ '\d\d", c.name) for c in data.cars)
    assert all(
        c.gt7_code == f"car{c.car_code}" and c.image.endswith(f"/car{c.car_code}.webp") for c in data.cars
    )
    ferrari = data.cars_of(78)
    assert len(ferrari) == 14
    assert sum(c.car_class == "Gr.3" for c in ferrari) == 2
    car_620 = data.find_car("620")
    assert car_620 is not None
    assert (car_620.car_code, car_620.name, car_620.car_class) == (1610, "Ferrari 458 Italia GT3 '13", "Gr.3")
    assert {"Gr.1", "Gr.2", "Gr.3", "Gr.4", "Gr.B", "Gr.X", "Gr.N", "N100", "N300", "N500", "N1000"} == {
        c.car_class for c in data.cars
    }
    assert default_dataset() == data  # deterministic


def test_default_drivers() -> None:
    data = default_dataset()
    assert all(PSN_RE.fullmatch(d.psn_id) for d in data.drivers.values())
    generated = [d for d in data.drivers.values() if d.psn_id.startswith("driver")]
    assert len(generated) == 300
    assert generated[0].psn_id == "driver001"
    assert 0.25 < sum(not d.indexed for d in generated) / len(generated) < 0.4
    assert {d.dr for d in generated} == {"E", "D", "C", "B", "A", "A+"}
    assert all(1000 <= d.stats["dr_points"] <= 80000 for d in generated)
    assert len({d.country_code for d in generated}) > 10
    assert all(data.drivers[r["psn_id"].lower()].indexed for r in REFERENCE_DRIVERS)


def test_add_driver_derives_dr() -> None:
    data = default_dataset(cars=20, drivers=0)
    driver = data.add_driver("New_Racer-1", indexed=False, dr_points=31000, stats={"victories": 3})
    assert data.driver("new_racer-1") is driver
    assert (driver.dr, driver.stats["dr_ratio"], driver.stats["victories"], driver.indexed) == (
        "A",
        0.05,
        3,
        False,
    )


def test_series_rows_drop_one_or_two_rounds() -> None:
    series = default_dataset().series[1564]
    assert series.type == "Nations Cup"
    assert len(series.results) >= 41
    for entry in series.results.values():
        counted = [r.points for r in entry.rounds if r.is_counted]
        assert [r.no for r in entry.rounds] == [1, 2, 3, 4, 5, 6]
        assert 4 <= len(counted) <= 5
        assert entry.total_points == sum(counted)
    ranked = sorted(series.results.values(), key=lambda e: e.season_rank)
    assert [e.season_rank for e in ranked] == list(range(1, len(ranked) + 1))
    assert [e.total_points for e in ranked] == sorted((e.total_points for e in ranked), reverse=True)


def test_big_catalog_stays_unique() -> None:
    data = default_dataset(cars=50_000)
    assert (
        len(data.cars) == len({c.name for c in data.cars}) == len({c.car_code for c in data.cars}) == 50_000
    )


# --- by-hand run --------------------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
async def test_command_line_serves_until_ctrl_c() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.standins.gtgridstats",
        "--port",
        "0",
        "--api-key",
        "cli-key",
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(20):
            line = (await process.stdout.readline()).decode()
        match = re.fullmatch(
            r"GT Grid Stats stand-in on (http://127\.0\.0\.1:\d+) \(API key: cli-key\)\n", line
        )
        assert match, line
        headers = {"Authorization": "Bearer cli-key", "Accept": "application/json"}
        async with httpx.AsyncClient(base_url=match[1], headers=headers) as http:
            assert (await http.get("/api/assets/regions")).status_code == 200
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(20):
            _, stderr = await process.communicate()
        assert process.returncode == 0, stderr.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

"""Pydantic models of GT Grid Stats responses.

Unknown extra fields are kept (the API grows); a payload missing a field we rely on is rejected, and the
client turns that rejection into BadResponseError.

Every value is bounded where it enters: text is cut (with an ellipsis) to a sane length, counts are
clamped to a range SQLite's int64 and a float hold exactly, ids out of that range are refused, and floats
must be finite. The same models validate stored rows when they are read back, so a value stored before
these bounds existed is bounded too. Nothing upstream sends can make a later command fail.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from bot.gtgridstats import wire

# Far above any real value (DR points, credits, counts), far below int64 and exact as a float.
MAX_NUMBER = 10**15
ELLIPSIS = "…"


def _clamp(value: int) -> int:
    return max(-MAX_NUMBER, min(MAX_NUMBER, value))


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return max(-float(MAX_NUMBER), min(float(MAX_NUMBER), value))


def cut(limit: int) -> BeforeValidator:
    """Text longer than `limit` is cut to `limit` characters, the last one an ellipsis.

    A different job from bot/ui/format.truncate, which fits text into a Discord field when it is shown:
    this bounds an upstream value once, where it enters, so what is stored and cached stays bounded
    whatever GT Grid Stats sends. The client layer may not import the ui, hence its own one-liner.
    """

    def bound(value: object) -> object:
        if isinstance(value, str) and len(value) > limit:
            return value[: limit - 1] + ELLIPSIS
        return value

    return BeforeValidator(bound)


def _url(value: object) -> object:
    # A cut URL would be a broken link: an over-long one is dropped instead.
    if isinstance(value, str) and len(value) > URL_LIMIT:
        return None
    return value


URL_LIMIT = 2_048  # Discord's limit for embed image and thumbnail URLs
Count = Annotated[int, AfterValidator(_clamp)]
Id = Annotated[int, Field(ge=-MAX_NUMBER, le=MAX_NUMBER)]
Number = Annotated[float, AfterValidator(_finite)]
Url = Annotated[str | None, BeforeValidator(_url)]
Name = Annotated[str, cut(200)]  # car, manufacturer and region names
Code = Annotated[str, cut(32)]  # car classes, GT7 codes, region codes, statuses
Short = Annotated[str, cut(64)]  # PSN IDs, DR/SR, licence, play time, distance
Psn = Annotated[str, cut(64)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)


class Manufacturer(_Model):
    id: Id
    name: Name
    logo: Url = None


class CarManufacturer(_Model):
    id: Id
    name: Name


class Car(_Model):
    id: Id
    car_code: Id
    gt7_code: Code
    name: Name
    car_class: Code = Field(alias="class")
    image: Url = None
    manufacturer: CarManufacturer


class CarPage(_Model):
    current_page: Count
    data: list[Car]
    next_page_url: Url = None
    last_page: Count | None = None
    total: Count | None = None


class ManufacturerCars(_Model):
    manufacturer: Name
    car_class: Code | None = Field(default=None, alias="class")
    count: Count
    cars: list[Car]


class Region(_Model):
    id: Id
    code: Code
    name: Name
    is_active: bool


class DriverStats(_Model):
    dr_points: Count
    dr_ratio: Number | None = None
    total_races: Count = 0
    victories: Count = 0
    poles: Count = 0
    fastest_laps: Count = 0
    clean_races: Count = 0
    collector_level: Count | None = None
    license: Short | None = None
    garage_count: Count | None = None
    collection_progress: Code | None = None
    total_credits: Count | None = None
    play_time_readable: Short | None = None
    distance_km: Code | None = None


class Driver(_Model):
    psn_id: Psn = Field(alias="PSN_ID")
    nickname: Short | None = Field(default=None, alias="Nickname")
    guid: Short | None = Field(default=None, alias="GUID")
    dr: Code | None = Field(default=None, alias="DR")
    sr: Code | None = Field(default=None, alias="SR")
    last_sync: datetime | None = None
    country_code: Code | None = None
    stats: DriverStats

    @field_validator("last_sync", mode="before")
    @classmethod
    def _parse_last_sync(cls, value: object) -> object:
        if isinstance(value, str) and value:
            try:
                return datetime.strptime(value, wire.LAST_SYNC_FORMAT).replace(tzinfo=UTC)
            except ValueError:
                return value  # let pydantic try ISO 8601
        return value or None


class RacersResponse(_Model):
    status: Code | None = None
    count: Count | None = None
    not_found: list[Psn] = Field(default_factory=list)
    drivers: list[Driver]


class SeriesRound(_Model):
    no: Count
    points: Count
    is_counted: bool


class SeriesDriver(_Model):
    psn: Psn
    season_rank: Count | None = None
    total_points: Count
    rounds: list[SeriesRound] = Field(default_factory=list)


class SeriesResult(_Model):
    series_id: Id
    type: Short | None = None
    driver_count: Count | None = None
    drivers: list[SeriesDriver]

"""Pydantic models of GT Grid Stats responses.

Unknown extra fields are kept (the API grows); a payload missing a field we rely on is rejected, and the
client turns that rejection into BadResponseError.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.gtgridstats import wire


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)


class Manufacturer(_Model):
    id: int
    name: str
    logo: str | None = None


class CarManufacturer(_Model):
    id: int
    name: str


class Car(_Model):
    id: int
    car_code: int
    gt7_code: str
    name: str
    car_class: str = Field(alias="class")
    image: str | None = None
    manufacturer: CarManufacturer


class CarPage(_Model):
    current_page: int
    data: list[Car]
    next_page_url: str | None = None
    last_page: int | None = None
    total: int | None = None


class ManufacturerCars(_Model):
    manufacturer: str
    car_class: str | None = Field(default=None, alias="class")
    count: int
    cars: list[Car]


class Region(_Model):
    id: int
    code: str
    name: str
    is_active: bool


class DriverStats(_Model):
    dr_points: int
    dr_ratio: float | None = None
    total_races: int = 0
    victories: int = 0
    poles: int = 0
    fastest_laps: int = 0
    clean_races: int = 0
    collector_level: int | None = None
    license: str | None = None
    garage_count: int | None = None
    collection_progress: str | None = None
    total_credits: int | None = None
    play_time_readable: str | None = None
    distance_km: str | None = None


class Driver(_Model):
    psn_id: str = Field(alias="PSN_ID")
    nickname: str | None = Field(default=None, alias="Nickname")
    guid: str | None = Field(default=None, alias="GUID")
    dr: str | None = Field(default=None, alias="DR")
    sr: str | None = Field(default=None, alias="SR")
    last_sync: datetime | None = None
    country_code: str | None = None
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
    status: str | None = None
    count: int | None = None
    not_found: list[str] = Field(default_factory=list)
    drivers: list[Driver]


class SeriesRound(_Model):
    no: int
    points: int
    is_counted: bool


class SeriesDriver(_Model):
    psn: str
    season_rank: int | None = None
    total_points: int
    rounds: list[SeriesRound] = Field(default_factory=list)


class SeriesResult(_Model):
    series_id: int
    type: str | None = None
    driver_count: int | None = None
    drivers: list[SeriesDriver]

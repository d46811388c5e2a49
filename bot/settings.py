"""Settings read from the environment and `.env`; secrets are SecretStr so they never print by accident."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")

PositiveInt = Annotated[int, Field(gt=0)]


class SettingsError(Exception):
    """A missing or malformed setting, described in one line a server operator can act on."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    discord_token: SecretStr
    gtgridstats_api_key: SecretStr
    gtgridstats_base_url: str = "https://gt-gridstats.com"
    database_path: Path = Path("data/gt-grid-bot.sqlite3")
    discord_dev_guild_id: PositiveInt | None = None
    log_level: str = "INFO"

    gtgridstats_metered_per_minute: PositiveInt = 10
    gtgridstats_free_per_minute: PositiveInt = 30
    gtgridstats_quota_per_day: PositiveInt | None = None

    catalog_max_age_hours: PositiveInt = 24
    driver_refresh_minutes: PositiveInt = 30
    racer_batch_window_ms: Annotated[int, Field(ge=0, le=5000)] = 250
    driver_refresh_cooldown_minutes: Annotated[int, Field(ge=0, le=1440)] = 5

    member_upstream_per_minute: PositiveInt = 4
    member_upstream_per_day: PositiveInt = 50
    fair_share_below_percent: Annotated[int, Field(ge=0, le=100)] = 25
    background_share_percent: Annotated[int, Field(ge=0, le=100)] = 50

    @field_validator("discord_token", "gtgridstats_api_key")
    @classmethod
    def _not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("gtgridstats_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)}")
        return level

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]

    def secrets(self) -> tuple[str, ...]:
        return (self.discord_token.get_secret_value(), self.gtgridstats_api_key.get_secret_value())


_HOW_TO_FIX = "set it in the environment or in .env (see .env.example)"


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line that names the setting."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        if first["type"] == "missing":
            raise SettingsError(f"{name} is missing: {_HOW_TO_FIX}.") from None
        # Never echo the offending value: it may be a secret.
        raise SettingsError(f"{name} is invalid ({first['msg']}): {_HOW_TO_FIX}.") from None
    settings.database_path.parent.mkdir(parents=True, exist_ok=True)
    return settings

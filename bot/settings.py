"""Settings read from the environment and `.env`; secrets are SecretStr so they never print by accident."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")

PositiveInt = Annotated[int, Field(gt=0)]


class SettingsError(Exception):
    """Missing or malformed settings, each described in one line a server operator can act on."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


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

    @field_validator("database_path")
    @classmethod
    def _usable_database_path(cls, value: Path) -> Path:
        problem = database_path_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]

    def secrets(self) -> tuple[str, ...]:
        return (self.discord_token.get_secret_value(), self.gtgridstats_api_key.get_secret_value())


_HOW_TO_FIX = "set it in the environment or in .env (see .env.example)"


def database_path_problem(path: Path) -> str | None:
    """Why the bot could not create or write a database file at `path` (None: it looks usable).

    Checks only; nothing is created. `load_settings` creates the folder once every setting is valid.
    """
    if str(path) == ":memory:":
        return None
    if path.is_dir():
        return f"{path} is a directory: give the path of a file in it"
    folder = path.parent
    while not folder.exists():
        if folder.is_symlink():  # a dangling link cannot become a folder
            return f"{folder} is a broken link, so the folder cannot be created"
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is a file, so a folder cannot be created in it"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable"
    return None


# Pydantic's error types, in plain words ({gt} and the like come from the error's context).
_PLAIN_REASONS = {
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_type": "must be a whole number",
    "bool_parsing": "must be true or false",
    "greater_than": "must be more than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "string_type": "must be text",
    "path_type": "must be a file path",
}


def _reason(error: Any) -> str:
    """Pydantic's reason, in plain words (no "Value error," or "Input should be", no links)."""
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "value_error" and "error" in context:
        return str(context["error"])
    if kind in _PLAIN_REASONS:
        return _PLAIN_REASONS[kind].format(**context)
    message = str(error.get("msg", "is not allowed"))
    return message.removeprefix("Value error, ").replace("Input should be", "must be")


def _problems(error: ValidationError) -> list[str]:
    """One line per setting, in the order the settings are declared; never the offending value."""
    problems: dict[str, str] = {}
    for entry in error.errors(include_url=False):
        name = str(entry["loc"][0]).upper() if entry["loc"] else "settings"
        if name in problems:
            continue  # one line per setting is enough
        if entry["type"] == "missing":
            problems[name] = f"{name} is missing: {_HOW_TO_FIX}."
        else:
            # Never echo the offending value: it may be a secret.
            problems[name] = f"{name} is invalid ({_reason(entry)}): {_HOW_TO_FIX}."
    return list(problems.values())


def load_settings(**overrides: object) -> Settings:
    """Read the settings; every bad one becomes a line of the SettingsError, naming the setting."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(_problems(error)) from None
    if str(settings.database_path) != ":memory:":
        try:
            settings.database_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            folder = settings.database_path.parent
            reason = f"its folder {folder} cannot be created: {error.strerror or error}"
            raise SettingsError([f"DATABASE_PATH is invalid ({reason}): {_HOW_TO_FIX}."]) from None
    return settings

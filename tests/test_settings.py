"""Settings: defaults, validation, and the one-line error a server operator sees."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

REQUIRED = {"DISCORD_TOKEN": "token-abc", "GTGRIDSTATS_API_KEY": "key-xyz"}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    for name in list(os.environ):
        if name.startswith(
            ("DISCORD_", "GTGRIDSTATS_", "DATABASE_", "LOG_", "CATALOG_", "DRIVER_", "RACER_")
        ):
            monkeypatch.delenv(name)
    for name, value in REQUIRED.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_defaults(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.gtgridstats_base_url == "https://gt-gridstats.com"
    assert settings.database_path == Path("data/gt-grid-bot.sqlite3")
    assert (tmp_path / "data").is_dir()  # the database folder is created
    assert settings.gtgridstats_metered_per_minute == 10
    assert settings.gtgridstats_free_per_minute == 30
    assert settings.gtgridstats_quota_per_day is None
    assert settings.discord_dev_guild_id is None
    assert settings.log_level == "INFO"


def test_values_come_from_the_environment_and_dotenv(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("GTGRIDSTATS_QUOTA_PER_DAY=5\nLOG_LEVEL=debug\n")
    environment.setenv("DISCORD_DEV_GUILD_ID", "123456789012345678")
    environment.setenv("GTGRIDSTATS_BASE_URL", "http://127.0.0.1:8787/")
    settings = load_settings()
    assert settings.gtgridstats_quota_per_day == 5
    assert settings.log_level == "DEBUG"
    assert settings.discord_dev_guild_id == 123456789012345678
    assert settings.gtgridstats_base_url == "http://127.0.0.1:8787"


def test_secrets_do_not_print(environment: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert "token-abc" not in repr(settings)
    assert "key-xyz" not in str(settings)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DISCORD_TOKEN", None, "DISCORD_TOKEN is missing"),
        ("GTGRIDSTATS_API_KEY", None, "GTGRIDSTATS_API_KEY is missing"),
        ("GTGRIDSTATS_API_KEY", "   ", "GTGRIDSTATS_API_KEY is invalid"),
        ("GTGRIDSTATS_METERED_PER_MINUTE", "lots", "GTGRIDSTATS_METERED_PER_MINUTE is invalid"),
        ("GTGRIDSTATS_FREE_PER_MINUTE", "0", "GTGRIDSTATS_FREE_PER_MINUTE is invalid"),
        ("GTGRIDSTATS_BASE_URL", "ftp://x", "GTGRIDSTATS_BASE_URL is invalid"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL is invalid"),
        ("DISCORD_DEV_GUILD_ID", "-4", "DISCORD_DEV_GUILD_ID is invalid"),
    ],
)
def test_a_bad_setting_is_named(
    environment: pytest.MonkeyPatch, name: str, value: str | None, expected: str
) -> None:
    if value is None:
        environment.delenv(name)
    else:
        environment.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(expected)
    assert ".env.example" in message
    assert "\n" not in message


def _run_bot(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value for key, value in os.environ.items() if not key.startswith(("DISCORD_", "GTGRIDSTATS_"))
    }
    root = Path(__file__).resolve().parents[1]
    clean["PYTHONPATH"] = str(root)
    return subprocess.run(
        [sys.executable, "-m", "bot"], env=clean | env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_running_without_a_token_exits_2_with_one_clear_line(tmp_path: Path) -> None:
    result = _run_bot({"GTGRIDSTATS_API_KEY": "secret-key-123"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "gt-grid-bot: DISCORD_TOKEN is missing: set it in the environment or in .env (see .env.example)."
    )
    assert "Traceback" not in result.stderr
    assert "secret-key-123" not in result.stderr + result.stdout


def test_a_malformed_setting_never_echoes_its_value(tmp_path: Path) -> None:
    result = _run_bot(
        {"DISCORD_TOKEN": "tok", "GTGRIDSTATS_API_KEY": "k", "GTGRIDSTATS_QUOTA_PER_DAY": "s3cr3t"}, tmp_path
    )
    assert result.returncode == 2
    assert "GTGRIDSTATS_QUOTA_PER_DAY is invalid" in result.stderr
    assert "s3cr3t" not in result.stderr


def test_a_copy_of_env_example_with_only_the_secrets_filled_in_loads(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text()
    for name in REQUIRED:
        environment.delenv(name)
    filled = example.replace("DISCORD_TOKEN=\n", "DISCORD_TOKEN=t\n").replace(
        "GTGRIDSTATS_API_KEY=\n", "GTGRIDSTATS_API_KEY=k\n"
    )
    (tmp_path / ".env").write_text(filled)
    settings = load_settings()
    assert settings.discord_dev_guild_id is None
    assert settings.gtgridstats_quota_per_day is None


JARGON = ("Value error", "Input should be", "pydantic", "http", "errors.pydantic.dev", "validation error")


def test_every_bad_setting_is_reported_at_once_in_plain_words(environment: pytest.MonkeyPatch) -> None:
    environment.delenv("DISCORD_TOKEN")
    bad = {
        "GTGRIDSTATS_METERED_PER_MINUTE": "lots",
        "GTGRIDSTATS_FREE_PER_MINUTE": "0",
        "LOG_LEVEL": "LOUD",
        "RACER_BATCH_WINDOW_MS": "9999",
        "GTGRIDSTATS_BASE_URL": "ftp://x",
    }
    for name, value in bad.items():
        environment.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    problems = caught.value.problems
    assert str(caught.value).splitlines() == problems
    named = {line.split(" ", 1)[0] for line in problems}
    assert named == {"DISCORD_TOKEN", *bad}
    assert len(problems) == len(named)  # one line each
    by_name = {line.split(" ", 1)[0]: line for line in problems}
    assert by_name["DISCORD_TOKEN"].startswith("DISCORD_TOKEN is missing")
    assert by_name["GTGRIDSTATS_METERED_PER_MINUTE"].startswith(
        "GTGRIDSTATS_METERED_PER_MINUTE is invalid (must be a whole number)"
    )
    assert by_name["GTGRIDSTATS_FREE_PER_MINUTE"].startswith(
        "GTGRIDSTATS_FREE_PER_MINUTE is invalid (must be more than 0)"
    )
    assert by_name["RACER_BATCH_WINDOW_MS"].startswith(
        "RACER_BATCH_WINDOW_MS is invalid (must be at most 5000)"
    )
    assert by_name["GTGRIDSTATS_BASE_URL"].startswith(
        "GTGRIDSTATS_BASE_URL is invalid (must start with http:// or https://)"
    )
    for line in problems:
        assert ".env.example" in line
        for word in JARGON:
            assert word not in line.replace("http:// or https://", ""), line
        for value in bad.values():
            assert f"({value})" not in line
            assert f"'{value}'" not in line


def test_the_process_prints_every_bad_setting_one_line_each(tmp_path: Path) -> None:
    result = _run_bot(
        {"GTGRIDSTATS_API_KEY": "k", "LOG_LEVEL": "LOUD", "CATALOG_MAX_AGE_HOURS": "-1"}, tmp_path
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(" ", 2)[1] for line in lines] == [
        "DISCORD_TOKEN",
        "LOG_LEVEL",
        "CATALOG_MAX_AGE_HOURS",
    ]
    assert all(line.startswith("gt-grid-bot: ") for line in lines)
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", ["under a regular file", "a directory"])
def test_an_unusable_database_path_is_named(
    environment: pytest.MonkeyPatch, tmp_path: Path, kind: str
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    path = blocker / "data" / "bot.sqlite3" if kind == "under a regular file" else tmp_path
    environment.setenv("DATABASE_PATH", str(path))
    environment.setenv("LOG_LEVEL", "LOUD")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    lines = caught.value.problems
    assert [line.split(" ", 1)[0] for line in lines] == ["DATABASE_PATH", "LOG_LEVEL"]
    expected = f"{blocker} is a file" if kind == "under a regular file" else f"{tmp_path} is a directory"
    assert lines[0].startswith(f"DATABASE_PATH is invalid ({expected}")
    assert blocker.read_text() == "x"

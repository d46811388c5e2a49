"""Secrets never reach a log line, not even inside a traceback."""

from __future__ import annotations

import logging

import pytest

from bot.logs import REDACTED, RedactSecrets


@pytest.fixture
def logger() -> logging.Logger:
    logger = logging.getLogger("tests.redaction")
    logger.filters[:] = [RedactSecrets(["tok-123", "key-456"])]
    return logger


def test_secrets_in_messages_and_arguments_are_redacted(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="tests.redaction"):
        logger.info("connecting with %s and key-456", "tok-123")
    assert caplog.records[0].getMessage() == f"connecting with {REDACTED} and {REDACTED}"


def test_secrets_in_a_traceback_are_redacted(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="tests.redaction"):
        try:
            raise RuntimeError("Authorization: Bearer key-456")
        except RuntimeError:
            logger.exception("request failed")
    text = caplog.text
    assert "key-456" not in text
    assert "RuntimeError" in text
    assert REDACTED in text

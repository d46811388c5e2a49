"""Logging set-up, with a filter that keeps the bot's secrets out of every log line."""

from __future__ import annotations

import logging
from collections.abc import Iterable

REDACTED = "[redacted]"


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            if self._clean(formatted) != formatted:
                # Keep the traceback, minus the secret: render it now and drop the live exception.
                record.msg = f"{record.getMessage()}\n{self._clean(formatted)}"
                record.args, record.exc_info, record.exc_text = None, None, None
        return True


def configure_logging(level: int, secrets: Iterable[str]) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # discord.py's HTTP debug lines include request headers: never below INFO for them.
    logging.getLogger("discord.http").setLevel(max(level, logging.INFO))
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))

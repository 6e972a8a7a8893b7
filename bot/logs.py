"""Logging for every command: plain lines or one JSON object a line, secrets masked in both.

Secrets are the values of the environment's tokens, secrets, passwords and keys, and the
credentials of any URL in it (REDIS_URL: a password before the host or in the query). They
are masked in the finished line, so a token inside a URL that a library logs
(python-telegram-bot's httpx logs its request URLs, which hold the token) or inside a
traceback is masked too.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from bot.redaction import url_secrets

MASK = "***"
TOLD = "told"
"""A record's flag (`extra={TOLD: True}`): the trainer was told in a line of their own; a
terminal session keeps the record for its log file."""
_SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|KEY)$")
_MIN_SECRET = 4
"""Shorter values would mask ordinary words and numbers; no real secret is that short."""
QUIET = ("httpx", "httpcore", "telegram", "slack_bolt", "slack_sdk", "aiohttp.access")
"""Libraries that log every request at INFO: only their warnings show, unless at debug."""
CHATTY = ("rasa_sdk",)
"""Libraries that warn about the ordinary (rasa-sdk: a form slot without a validate method):
only their errors show, unless at debug."""


def secrets_in(env: Mapping[str, str]) -> list[str]:
    """The secret values of an environment, longest first (so none is masked half)."""
    found = {value for name, value in env.items() if _SECRET_NAME.search(name.upper())}
    for value in env.values():
        found.update(url_secrets(value))
    return sorted((s for s in found if len(s) >= _MIN_SECRET), key=len, reverse=True)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class MaskingFormatter(logging.Formatter):
    """Another formatter's line with every secret replaced by ***."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self._inner = inner
        self._secrets = list(secrets)

    def format(self, record: logging.LogRecord) -> str:
        line = self._inner.format(record)
        for secret in self._secrets:
            line = line.replace(secret, MASK)
            # as a JSON line shows it
            line = line.replace(json.dumps(secret)[1:-1], MASK)
        return line


class _Stderr(logging.StreamHandler):
    """Writes to sys.stderr as it is when a line is logged (tests replace it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure(level: int, *, as_json: bool, secrets: Iterable[str]) -> None:
    """The root logger writes to stderr at `level`; a second call replaces the first."""
    inner = (
        JsonFormatter()
        if as_json
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler = _Stderr()
    handler.setFormatter(MaskingFormatter(inner, secrets))
    root = logging.getLogger()
    for old in root.handlers[:]:
        if isinstance(old.formatter, MaskingFormatter):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for names, floor in ((QUIET, logging.WARNING), (CHATTY, logging.ERROR)):
        for name in names:
            logging.getLogger(name).setLevel(level if level <= logging.DEBUG else max(level, floor))


class _WithoutTraceback(logging.Formatter):
    """Another formatter's line without the traceback, saying where the traceback went."""

    def __init__(self, inner: logging.Formatter, where: Path) -> None:
        super().__init__()
        self._inner = inner
        self._where = where

    def format(self, record: logging.LogRecord) -> str:
        if not record.exc_info:
            return self._inner.format(record)
        plain = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return f"{self._inner.format(plain)} (traceback in {self._where})"


def _untold(record: logging.LogRecord) -> bool:
    return not getattr(record, TOLD, False)


@contextlib.contextmanager
def tracebacks_in(path: Path) -> Iterator[None]:
    """While a trainer types in the terminal, a failure logged with its traceback shows as one
    line there (none when the trainer was told already, `TOLD`), and the whole record goes to
    `path`."""
    handler = next(
        (h for h in logging.getLogger().handlers if isinstance(h.formatter, MaskingFormatter)),
        None,
    )
    if handler is None or handler.formatter is None:
        yield
        return
    masked = handler.formatter
    file = logging.FileHandler(path, encoding="utf-8", delay=True)
    file.setFormatter(masked)
    file.setLevel(logging.ERROR)
    logging.getLogger().addHandler(file)
    handler.setFormatter(_WithoutTraceback(masked, path))
    handler.addFilter(_untold)
    try:
        yield
    finally:
        handler.removeFilter(_untold)
        handler.setFormatter(masked)
        logging.getLogger().removeHandler(file)
        file.close()

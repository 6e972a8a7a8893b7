"""The Telegram connector's settings, read from the environment once, at start-up."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from bot.errors import ConnectorError
from bot.redaction import origin_only

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    base_url: str = DEFAULT_BASE_URL
    """python-telegram-bot's `base_url`: the token is appended to it."""
    trainer_ids: frozenset[int] = frozenset()
    webhook_url: str | None = None
    """Webhook mode when set; long polling otherwise."""
    webhook_secret: str = ""
    """What Telegram sends in X-Telegram-Bot-Api-Secret-Token with every webhook request."""
    poll_timeout: int = 10
    """Seconds one getUpdates long poll may wait."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TelegramSettings:
        """`TELEGRAM_*` settings; raises ConnectorError saying what to fix.

        Without `TELEGRAM_WEBHOOK_SECRET` every start makes a new random secret; replicas
        behind one webhook URL need the same one, set explicitly.
        """
        token = env.get("TELEGRAM_TOKEN", "").strip()
        if not token:
            raise ConnectorError(
                "TELEGRAM_TOKEN is not set: create a bot with @BotFather and export its token"
            )
        webhook_url = env.get("TELEGRAM_WEBHOOK_URL", "").strip() or None
        if webhook_url is not None and not _is_http_url(webhook_url):
            raise ConnectorError(
                f"TELEGRAM_WEBHOOK_URL={origin_only(webhook_url)!r} is not an https:// URL"
            )
        secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or secrets.token_urlsafe(32)
        if not _SECRET.fullmatch(secret):
            raise ConnectorError(
                "TELEGRAM_WEBHOOK_SECRET may only hold A-Z, a-z, 0-9, _ and - (1-256 characters)"
            )
        return cls(
            token=token,
            base_url=env.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_BASE_URL,
            trainer_ids=_trainer_ids(env.get("TELEGRAM_TRAINER_IDS", "")),
            webhook_url=webhook_url,
            webhook_secret=secret,
        )


def _is_http_url(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("https", "http") and bool(parsed.netloc)


def _trainer_ids(raw: str) -> frozenset[int]:
    words = [word for word in re.split(r"[,\s]+", raw) if word]
    wrong = [word for word in words if not word.isdigit()]
    if wrong:
        raise ConnectorError(
            f"TELEGRAM_TRAINER_IDS must be numeric Telegram user ids separated by commas; "
            f"not ids: {', '.join(wrong)}"
        )
    return frozenset(int(word) for word in words)

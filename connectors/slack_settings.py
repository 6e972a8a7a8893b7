"""The Slack connector's settings, read from the environment once, at start-up."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from bot.errors import ConnectorError

DEFAULT_API_URL = "https://slack.com/api/"
EVENTS_PATH = "/slack/events"
"""Bolt's default path: events, interactivity and the slash command all arrive here."""
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str
    signing_secret: str
    """Empty in Socket Mode: no request comes over HTTP there."""
    api_url: str = DEFAULT_API_URL
    """The Web API's base URL, with its trailing slash."""
    trainer_ids: frozenset[str] = frozenset()
    app_token: str | None = None
    """`SLACK_APP_TOKEN` (xapp-...): Socket Mode, Slack's events over a websocket ozbot opens,
    so no public URL is needed."""

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackSettings:
        """`SLACK_*` settings; raises ConnectorError saying what to fix."""
        token = env.get("SLACK_BOT_TOKEN", "").strip()
        secret = env.get("SLACK_SIGNING_SECRET", "").strip()
        app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
        if not token or not (secret or app_token):
            missing = " and ".join(
                name
                for name, value in (
                    ("SLACK_BOT_TOKEN", token),
                    (
                        "SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)",
                        secret or app_token,
                    ),
                )
                if not value
            )
            raise ConnectorError(
                f"{missing} not set: create the Slack app from slack_app_manifest.yml, install "
                "it, and export its bot token (xoxb-...) and signing secret (Basic "
                "Information), or, with Socket Mode on, an app-level token (xapp-...)"
            )
        if app_token is not None and not app_token.startswith("xapp-"):
            raise ConnectorError(
                "SLACK_APP_TOKEN is not an app-level token (xapp-...): make one under Basic "
                "Information > App-Level Tokens with the scope connections:write"
            )
        api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
        parsed = urlparse(api_url)
        if parsed.scheme not in ("https", "http") or not parsed.netloc:
            raise ConnectorError(f"SLACK_API_URL={api_url!r} is not an http(s):// URL")
        return cls(
            bot_token=token,
            signing_secret=secret,
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            trainer_ids=_trainer_ids(env.get("SLACK_TRAINER_IDS", "")),
            app_token=app_token,
        )


def _trainer_ids(raw: str) -> frozenset[str]:
    words = [word for word in re.split(r"[,\s]+", raw) if word]
    wrong = [word for word in words if not _USER_ID.fullmatch(word)]
    if wrong:
        raise ConnectorError(
            "SLACK_TRAINER_IDS must be Slack member ids (U0123ABCD, in a profile's ⋮ menu: "
            f"Copy member ID) separated by commas; not ids: {', '.join(wrong)}"
        )
    return frozenset(words)

"""The web server's settings, read from the environment once, at start-up (no aiohttp here, so
that reading the settings stays quick)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.errors import ConnectorError

DEFAULT_HOST = "0.0.0.0"  # a webhook must be reachable from the proxy in front of it
DEFAULT_PORT = 8080


@dataclass(frozen=True)
class WebSettings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    """0 picks a free port (tests); `WebServer.port` tells which."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebSettings:
        """`OZBOT_HOST` and `OZBOT_PORT` (empty means unset); raises ConnectorError on a port
        that is no number."""
        raw = env.get("OZBOT_PORT", "").strip() or str(DEFAULT_PORT)
        if not raw.isdigit() or int(raw) > 65535:
            raise ConnectorError(f"OZBOT_PORT={raw!r} is not a port number (0-65535)")
        return cls(env.get("OZBOT_HOST", "").strip() or DEFAULT_HOST, int(raw))

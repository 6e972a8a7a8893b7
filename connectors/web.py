"""The one HTTP server of ozbot: Telegram's webhook, Slack's events and a health check mount
their routes on it, so a deployment opens a single port whatever connectors it runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.errors import ConnectorError
from connectors.web_settings import WebSettings

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebServer:
    """Routes are added before `start`; `stop` closes the port and open connections."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.app = web.Application()
        self._runner: web.AppRunner | None = None

    def add_post(self, path: str, handler: Handler) -> None:
        self.app.router.add_post(path, handler)

    def add_get(self, path: str, handler: Handler) -> None:
        self.app.router.add_get(path, handler)

    async def start(self) -> None:
        runner = web.AppRunner(self.app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.settings.host, self.settings.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            where = f"{self.settings.host}:{self.settings.port}"
            raise ConnectorError(
                f"cannot listen on {where}: {exc}; set OZBOT_HOST / OZBOT_PORT"
            ) from exc
        self._runner = runner

    @property
    def port(self) -> int:
        """The port listened on (the one picked when the settings said 0)."""
        if self._runner is None:
            raise RuntimeError("WebServer.port before start()")
        address = self._runner.addresses[0]
        return int(address[1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

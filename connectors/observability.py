"""`/healthz` and `/metrics` on the shared HTTP server, for orchestrators and Prometheus."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.health import Health
from connectors.web import WebServer

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def mount(
    server: WebServer,
    health: Callable[[], Awaitable[Health]],
    metrics: Callable[[], Awaitable[str]],
) -> None:
    """GET /healthz: 200 or 503 with what is wrong, as JSON. GET /metrics: Prometheus text."""

    async def healthz(request: web.Request) -> web.Response:
        report = await health()
        return web.json_response(report.to_dict(), status=200 if report.ok else 503)

    async def metrics_text(request: web.Request) -> web.Response:
        text = await metrics()
        return web.Response(body=text.encode(), headers={"Content-Type": PROMETHEUS_TEXT})

    server.add_get("/healthz", healthz)
    server.add_get("/metrics", metrics_text)

"""`/healthz` and `/metrics` on the shared server, as an orchestrator and Prometheus see them."""

import aiohttp
import pytest

from bot.errors import StoreUnavailableError
from bot.health import check_health
from bot.stores.memory import MemoryTrackerStore
from bot.telemetry import Telemetry
from connectors import observability
from connectors.web import WebServer, WebSettings


class DownStore(MemoryTrackerStore):
    async def load_tail(self, conversation_id):
        raise StoreUnavailableError("cannot reach Redis at redis://:hunter22@redis:6379/0")


async def rendered(telemetry, version):
    return telemetry.render(version)


@pytest.fixture
async def serve():
    servers = []

    async def start(store, version):
        server = WebServer(WebSettings("127.0.0.1", 0))
        telemetry = Telemetry()
        observability.mount(
            server,
            lambda: check_health(store, lambda: version),
            lambda: rendered(telemetry, version),
        )
        await server.start()
        servers.append(server)
        return f"http://127.0.0.1:{server.port}"

    yield start
    for server in servers:
        await server.stop()


async def get(url):
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, response.headers["Content-Type"], await response.text()


async def test_healthy_when_the_store_answers_and_a_model_serves(serve):
    base = await serve(MemoryTrackerStore(), 3)
    status, kind, body = await get(f"{base}/healthz")
    assert (status, kind) == (200, "application/json; charset=utf-8")
    assert '"status": "ok"' in body and '"model_version": 3' in body


@pytest.mark.parametrize(
    ("store", "version", "says"),
    [
        (DownStore(), 1, '"store": "unavailable"'),
        (MemoryTrackerStore(), None, '"model_version": null'),
    ],
)
async def test_unavailable_without_store_or_model(serve, store, version, says):
    status, _, body = await get(f"{await serve(store, version)}/healthz")
    assert status == 503
    assert '"status": "unavailable"' in body and says in body
    assert "redis" not in body  # nothing of the store's address to those who may not know it


async def test_metrics_in_prometheus_text_format(serve):
    status, kind, body = await get(f"{await serve(MemoryTrackerStore(), 2)}/metrics")
    assert (status, kind) == (200, "text/plain; version=0.0.4; charset=utf-8")
    assert "# TYPE ozbot_turn_seconds histogram\n" in body
    assert "ozbot_model_version 2\n" in body

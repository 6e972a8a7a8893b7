"""The shared HTTP server: routes mounted by connectors, a clear error when the port is taken."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web

from bot.errors import ConnectorError
from connectors.web import WebServer
from connectors.web_settings import WebSettings


async def test_a_mounted_route_is_served_on_the_port_picked():
    server = WebServer(WebSettings("127.0.0.1", 0))

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text=f"hello {await request.text()}")

    server.add_post("/hello", hello)
    await server.start()
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"http://127.0.0.1:{server.port}/hello", data="you") as response,
        ):
            assert (response.status, await response.text()) == (200, "hello you")
    finally:
        await server.stop()


async def test_a_taken_port_is_a_start_up_error():
    first = WebServer(WebSettings("127.0.0.1", 0))
    await first.start()
    try:
        second = WebServer(WebSettings("127.0.0.1", first.port))
        with pytest.raises(ConnectorError, match=f"cannot listen on 127.0.0.1:{first.port}"):
            await second.start()
    finally:
        await first.stop()

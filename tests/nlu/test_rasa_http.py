"""A Rasa server as the interpreter, against a local server that speaks Rasa's parse JSON."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web

from bot.errors import NluUnavailableError
from bot.nlu.model import EntitySpan
from nlu.rasa_http import RasaHttpInterpreter

BERLIN = {
    "text": "any concerts in Berlin?",
    "intent": {"name": "search_concerts", "confidence": 0.91},
    "entities": [
        {"entity": "city", "start": 16, "end": 22, "value": "Berlin", "extractor": "DIET"}
    ],
    "intent_ranking": [
        {"name": "search_venues", "confidence": 0.06},
        {"name": "search_concerts", "confidence": 0.91},
        {"name": "greet", "confidence": 0.03},
    ],
}
Answer = Callable[[web.Request], Any]


@pytest.fixture
async def rasa() -> AsyncIterator[Callable[[Answer], Any]]:
    """Starts a local Rasa stand-in whose `/model/parse` answers as the test says."""
    runners: list[web.AppRunner] = []

    async def start(answer: Answer) -> str:
        app = web.Application()
        app.router.add_post("/model/parse", answer)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


async def parse_with(url: str, text: str, timeout: float = 2.0) -> Any:
    interpreter = RasaHttpInterpreter(url, timeout)
    await interpreter.start()
    try:
        return await interpreter.parse(text)
    finally:
        await interpreter.close()


async def test_rasa_s_answer_becomes_a_ranking_and_entity_spans(rasa) -> None:
    asked = []

    async def answer(request: web.Request) -> web.Response:
        asked.append(await request.json())
        return web.json_response(BERLIN)

    url = await rasa(answer)
    understood = await parse_with(url + "/", "any concerts in Berlin?")
    assert asked == [{"text": "any concerts in Berlin?"}]
    assert understood.intents == (
        ("search_concerts", 0.91),
        ("search_venues", 0.06),
        ("greet", 0.03),
    )
    assert understood.entities == (EntitySpan(16, 22, "city", "Berlin"),)


async def test_a_slow_server_is_given_up_on_within_the_timeout(rasa) -> None:
    async def answer(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response(BERLIN)

    url = await rasa(answer)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(NluUnavailableError, match="did not answer in time"):
        await parse_with(url, "hello", timeout=0.2)
    assert loop.time() - started < 1.5  # a bound: the server would have taken 2 s


async def test_a_server_that_is_down_or_answers_something_else_is_unavailable(rasa) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with pytest.raises(NluUnavailableError, match="cannot be read"):
        await parse_with(closed, "hello")

    async def not_rasa(request: web.Request) -> web.Response:
        return web.json_response({"answer": 42})

    with pytest.raises(NluUnavailableError, match="did not answer Rasa's parse JSON"):
        await parse_with(await rasa(not_rasa), "hello")

    async def failing(request: web.Request) -> web.Response:
        return web.Response(status=500)

    with pytest.raises(NluUnavailableError, match="answered HTTP 500"):
        await parse_with(await rasa(failing), "hello")

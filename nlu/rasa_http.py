"""A running Rasa server as the interpreter: its documented `POST /model/parse` endpoint.

The seed's "swap the Interpreter class": set `nlu: {url: http://localhost:5005}` in config.yml.
A server that is down, slow past `timeout_seconds` or answers something else than Rasa's parse
JSON raises NluUnavailableError: the message gets a notice and nothing is stored.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.errors import NluUnavailableError
from bot.nlu.model import EntitySpan, Understanding

PARSE_PATH = "/model/parse"


class RasaHttpInterpreter:
    """Lifecycle: `start` (opens the HTTP session), `parse` any number of times, `close`."""

    def __init__(self, url: str, timeout_seconds: float) -> None:
        base = url.rstrip("/")
        self.url = base if base.endswith(PARSE_PATH) else base + PARSE_PATH
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def parse(self, text: str) -> Understanding:
        if self._session is None:
            raise RuntimeError("RasaHttpInterpreter used before start()")
        try:
            async with self._session.post(self.url, json={"text": text}) as response:
                if response.status != 200:
                    raise NluUnavailableError(f"{self.url} answered HTTP {response.status}")
                answer = await response.json(content_type=None)
        except TimeoutError as exc:
            raise NluUnavailableError(f"{self.url} did not answer in time") from exc
        except (aiohttp.ClientError, ValueError) as exc:
            raise NluUnavailableError(f"{self.url} cannot be read: {exc}") from exc
        return understanding(text, answer, self.url)


def understanding(text: str, answer: Any, source: str) -> Understanding:
    """Rasa's parse JSON as an Understanding; NluUnavailableError when it is not that."""
    try:
        ranking = answer.get("intent_ranking") or [answer["intent"]]
        intents = tuple(
            (str(item["name"]), float(item["confidence"])) for item in ranking if item["name"]
        )
        entities = tuple(
            EntitySpan(
                int(item["start"]),
                int(item["end"]),
                str(item["entity"]),
                item.get("value", text[int(item["start"]) : int(item["end"])]),
                item.get("role"),
                item.get("group"),
            )
            for item in answer.get("entities", [])
        )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise NluUnavailableError(f"{source} did not answer Rasa's parse JSON: {exc!r}") from exc
    return Understanding(text, tuple(sorted(intents, key=lambda item: -item[1])), entities)

"""Rasa's action server (endpoints.yml's `action_endpoint`), called over HTTP as Rasa calls it.

The request is Rasa's (`next_action`, `sender_id`, `tracker`, `domain`, `version`); the answer's
events and responses are applied by `bot.actions.applied`. A rejection (400), an unknown
action (404), any other status, a timeout or a server that cannot be reached is an
`ActionError` saying which, so the engine leaves the conversation as it was.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot import texts
from bot.actions import Dispatcher, applied
from bot.domain import Domain
from bot.errors import ActionError
from bot.events import Event
from bot.rasa_json import RASA_VERSION, action_call
from bot.redaction import shown_url
from bot.tracker import Tracker

TIMEOUT_SECONDS = 30.0
"""How long an action may take; a trainer waits that long at most."""


class ActionServer:
    """The action server at `url`; each call sends `headers`, the query `params` (Rasa's token)
    and `basic_auth` (user, password). `start` before the first call, `close` at the end."""

    def __init__(
        self,
        url: str,
        timeout_seconds: float = TIMEOUT_SECONDS,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        basic_auth: tuple[str, str] | None = None,
    ) -> None:
        self.url = url
        self.timeout_seconds = timeout_seconds
        self._headers = dict(headers or {})
        if basic_auth is not None:
            self._headers["Authorization"] = aiohttp.encode_basic_auth(*basic_auth)
        self._params = dict(params or {})
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.timeout_seconds),
            headers=self._headers,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def action(self, name: str) -> RemoteAction:
        return RemoteAction(name, self)

    async def call(self, body: dict[str, Any]) -> Any:
        """The server's JSON answer to one action call; raises ActionError saying what failed."""
        if self._session is None:
            raise ActionError("the action server client is not started")
        shown = shown_url(self.url)
        try:
            async with self._session.post(self.url, json=body, params=self._params) as response:
                text = await response.text()
                status = response.status
        except aiohttp.ClientConnectionError as exc:
            raise ActionError(texts.action_server_unreachable(shown)) from exc
        except TimeoutError as exc:
            raise ActionError(texts.action_server_timeout(shown, self.timeout_seconds)) from exc
        if status == 200:
            return _json(text, shown)
        error = _error(text)
        if status == 400:
            raise ActionError(texts.action_rejected(error))
        raise ActionError(texts.action_server_failed(status, error))


@dataclass(frozen=True)
class RemoteAction:
    """One domain action that runs on the action server."""

    name: str
    server: ActionServer
    reads_events = True

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        answer = await self.server.call(action_call(self.name, tracker, domain, RASA_VERSION))
        return applied(answer, dispatcher)


def _json(text: str, url: str) -> Any:
    try:
        return json.loads(text) if text.strip() else None
    except ValueError as exc:
        raise ActionError(f"the action server at {url} answered with something not JSON") from exc


def _error(text: str) -> str:
    """The `error` of a rasa-sdk error answer, else the start of the body."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return text.strip()[:200] or "no explanation"

"""Slack in Socket Mode: real slack-bolt (AsyncSocketModeHandler, aiohttp) against the fake's
`apps.connections.open` and its websocket. A trainer teaches with no public URL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qsl

import aiohttp
import pytest

from bot import texts
from bot.errors import ConnectorError
from connectors.chat_commands import ChatCommands
from connectors.slack import SlackConnector
from connectors.slack_settings import EVENTS_PATH, SlackSettings
from connectors.web import WebServer, WebSettings
from tests.connectors.conftest import STATUS
from tests.connectors.fake_slack import APP_TOKEN, TOKEN, FakeSlackApi, Posted, SlackRequests

TRAINER, DM = "UTRAIN001", "DTRAIN001"
WAIT = 10.0
"""Seconds a delivery and its work may take before the test fails."""


@dataclass
class Socket:
    """A connector in Socket Mode seen from Slack: envelopes in, acks and posts out."""

    api: FakeSlackApi
    requests: SlackRequests
    connector: SlackConnector
    web: WebServer

    async def deliver(self, kind: str, payload: dict) -> dict:
        """Delivers one envelope, waits for its ack and the work after it; returns the ack."""
        envelope_id = await self.api.deliver(kind, payload)
        await self.api.until(lambda: envelope_id in self.api.acks, WAIT)
        await self.connector.idle()
        return self.api.acks[envelope_id]

    async def say(self, text: str) -> dict:
        return await self.deliver("events_api", self.requests.event(TRAINER, text, DM))

    async def command(self, text: str) -> dict:
        signed = self.requests.command(TRAINER, text, DM)
        return await self.deliver("slash_commands", dict(parse_qsl(signed.body.decode())))

    async def press(self, posted: Posted, label: str) -> dict:
        form = dict(parse_qsl(self.requests.press(TRAINER, posted, label).body.decode()))
        return await self.deliver("interactive", json.loads(form["payload"]))

    def question(self) -> Posted:
        return [p for p in self.api.channel(DM) if p.buttons][-1]


def socket_settings(api: FakeSlackApi, app_token: str = APP_TOKEN) -> SlackSettings:
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_APP_TOKEN": app_token,
        "SLACK_API_URL": api.api_url,
        "SLACK_TRAINER_IDS": TRAINER,
    }
    return SlackSettings.from_env(env)


def socket_connector(
    api: FakeSlackApi, engine, app_token: str = APP_TOKEN, web: WebServer | None = None
) -> SlackConnector:
    web = web or WebServer(WebSettings("127.0.0.1", 0))
    commands = ChatCommands(lambda: STATUS)
    return SlackConnector(engine, socket_settings(api, app_token), commands, web)


@pytest.fixture
async def socket(fake_slack, engine) -> AsyncIterator[Socket]:
    web = WebServer(WebSettings("127.0.0.1", 0))
    connector = socket_connector(fake_slack, engine, web=web)
    await web.start()
    await connector.start()
    yield Socket(fake_slack, SlackRequests(fake_slack), connector, web)
    await connector.stop()
    await web.stop()


async def test_a_trainer_teaches_over_the_socket(socket):
    assert [c.method for c in socket.api.calls] == ["auth.test", "apps.connections.open"]
    ack = await socket.say("!greet")
    assert set(ack) == {"envelope_id"}  # an event's ack carries nothing else
    question = socket.question()
    assert "The bot wants to [utter_greet]" in question.shown
    await socket.press(question, "Yes")
    assert "hey there!" in [p.text for p in socket.api.channel(DM)]
    assert socket.api.posted[question.ts].buttons == []  # the question became its decision
    await socket.command("status")
    [told] = socket.api.responses
    assert told["text"] == texts.NOTICE.format(text=texts.model_status(3, 7, 2, 1))


async def test_socket_mode_takes_nothing_over_http(socket):
    url = f"http://127.0.0.1:{socket.web.port}{EVENTS_PATH}"
    body = socket.requests.signed_event(socket.requests.event(TRAINER, "!greet", DM), secret="x")
    async with aiohttp.ClientSession() as session, session.post(url, data=body.body) as response:
        assert response.status == 404
    assert socket.api.methods("chat.postMessage") == []


async def test_stopping_closes_the_socket(fake_slack, engine):
    connector = socket_connector(fake_slack, engine)
    await connector.start()
    assert len(fake_slack.open_sockets()) == 1
    await connector.stop()
    await fake_slack.until(lambda: not fake_slack.open_sockets(), WAIT)


async def test_a_wrong_app_token_stops_the_start_with_a_clear_error(fake_slack, engine):
    connector = socket_connector(fake_slack, engine, app_token="xapp-1-revoked")
    with pytest.raises(ConnectorError, match=r"refused SLACK_APP_TOKEN \(.*invalid_auth\)"):
        await connector.start()
    assert fake_slack.sockets == []
    await connector.stop()

"""`ozbot check --online`: the token asked of the platform, against the local fake APIs."""

from __future__ import annotations

import socket

import pytest

from bot.errors import ConnectorError
from connectors.slack_settings import SlackSettings
from connectors.telegram_settings import TelegramSettings
from connectors.token_checks import slack_bot_name, telegram_bot_name
from tests.connectors.fake_slack import SIGNING_SECRET, FakeSlackApi
from tests.connectors.fake_slack import TOKEN as SLACK_TOKEN
from tests.connectors.fake_telegram import TOKEN, FakeBotApi


def telegram(token: str, base_url: str) -> TelegramSettings:
    env = {"TELEGRAM_TOKEN": token, "TELEGRAM_API_BASE_URL": base_url}
    return TelegramSettings.from_env(env)


def slack(token: str, api_url: str) -> SlackSettings:
    env = {"SLACK_BOT_TOKEN": token, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    return SlackSettings.from_env(env | {"SLACK_API_URL": api_url})


def closed_port() -> int:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        return int(free.getsockname()[1])


async def test_telegram_names_the_bot_or_says_the_token_is_refused() -> None:
    api = FakeBotApi()
    await api.start()
    try:
        assert await telegram_bot_name(telegram(TOKEN, api.base_url)) == "@OzTestBot"
        assert api.methods("getMe")
        with pytest.raises(ConnectorError, match="Telegram rejected TELEGRAM_TOKEN"):
            await telegram_bot_name(telegram("4242:wrong", api.base_url))
    finally:
        await api.stop()
    unreachable = f"http://127.0.0.1:{closed_port()}/bot"
    with pytest.raises(ConnectorError, match="cannot reach Telegram's Bot API at"):
        await telegram_bot_name(telegram(TOKEN, unreachable))


async def test_slack_names_the_bot_or_says_the_token_is_refused() -> None:
    api = FakeSlackApi()
    await api.start()
    try:
        assert await slack_bot_name(slack(SLACK_TOKEN, api.api_url)) == "UBOT0001 in Test"
        assert api.methods("auth.test")
        with pytest.raises(ConnectorError, match=r"Slack refused SLACK_BOT_TOKEN \(auth.test: "):
            await slack_bot_name(slack("xoxb-wrong", api.api_url))
    finally:
        await api.stop()
    unreachable = f"http://127.0.0.1:{closed_port()}/api/"
    with pytest.raises(ConnectorError, match="cannot reach Slack's Web API at"):
        await slack_bot_name(slack(SLACK_TOKEN, unreachable))

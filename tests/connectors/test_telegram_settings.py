"""The Telegram settings from the environment, and what they say when something is wrong."""

from __future__ import annotations

import pytest

from bot.errors import ConnectorError
from connectors.telegram_settings import TelegramSettings


def test_settings_from_the_environment():
    settings = TelegramSettings.from_env(
        {
            "TELEGRAM_TOKEN": " 1:abc ",
            "TELEGRAM_TRAINER_IDS": "111, 333 444",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.test/hook",
            "TELEGRAM_WEBHOOK_SECRET": "abc_DEF-1",
        }
    )
    assert settings == TelegramSettings(
        "1:abc",
        "http://127.0.0.1:9/bot",
        frozenset({111, 333, 444}),
        "https://bot.example.test/hook",
        "abc_DEF-1",
    )
    polling = TelegramSettings.from_env({"TELEGRAM_TOKEN": "1:abc"})
    assert polling.base_url == "https://api.telegram.org/bot" and polling.webhook_url is None
    assert polling.trainer_ids == frozenset() and len(polling.webhook_secret) >= 32


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "TELEGRAM_TOKEN is not set"),
        ({"TELEGRAM_TOKEN": "  "}, "TELEGRAM_TOKEN is not set"),
        ({"TELEGRAM_TRAINER_IDS": "111,@ann"}, "not ids: @ann"),
        ({"TELEGRAM_WEBHOOK_URL": "bot.example.test"}, "is not an https:// URL"),
        ({"TELEGRAM_WEBHOOK_SECRET": "with space"}, "TELEGRAM_WEBHOOK_SECRET may only"),
    ],
)
def test_settings_say_what_to_fix(env, message):
    env = {"TELEGRAM_TOKEN": "1:abc", **env} if env else env
    with pytest.raises(ConnectorError, match=message):
        TelegramSettings.from_env(env)

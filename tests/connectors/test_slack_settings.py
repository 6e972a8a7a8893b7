"""The Slack settings from the environment, and what they say when something is wrong."""

from __future__ import annotations

import pytest

from bot.errors import ConnectorError
from connectors.slack_settings import SlackSettings

REQUIRED = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret"}


def test_settings_from_the_environment():
    settings = SlackSettings.from_env(
        {
            "SLACK_BOT_TOKEN": " xoxb-1 ",
            "SLACK_SIGNING_SECRET": "s3cret",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "SLACK_TRAINER_IDS": "U0123ABCD, W0456EFGH",
        }
    )
    assert settings == SlackSettings(
        "xoxb-1", "s3cret", "http://127.0.0.1:9/api/", frozenset({"U0123ABCD", "W0456EFGH"})
    )
    default = SlackSettings.from_env(REQUIRED)
    assert default.api_url == "https://slack.com/api/" and default.trainer_ids == frozenset()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, r"SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET \(or SLACK_APP_TOKEN .*\) not set"),
        ({**REQUIRED, "SLACK_SIGNING_SECRET": " "}, "^SLACK_SIGNING_SECRET .* not set"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "^SLACK_BOT_TOKEN not set"),
        ({**REQUIRED, "SLACK_APP_TOKEN": "xoxb-2"}, "not an app-level token .* connections:write"),
        ({**REQUIRED, "SLACK_TRAINER_IDS": "U0123ABCD,@ann"}, "not ids: @ann"),
        ({**REQUIRED, "SLACK_API_URL": "slack.example.test"}, "is not an http"),
    ],
)
def test_settings_say_what_to_fix(env, message):
    with pytest.raises(ConnectorError, match=message):
        SlackSettings.from_env(env)


def test_an_app_token_is_socket_mode_and_needs_no_signing_secret():
    settings = SlackSettings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1-A"})
    assert settings.socket_mode and settings.app_token == "xapp-1-A"
    assert settings.signing_secret == ""
    assert not SlackSettings.from_env(REQUIRED).socket_mode

"""slack_app_manifest.yml creates an app that sends ozbot everything the connector handles."""

from __future__ import annotations

import yaml

from connectors.chat_commands import NAMES
from connectors.slack_settings import EVENTS_PATH
from tests.conftest import REPO


def test_the_manifest_asks_for_what_the_connector_uses():
    manifest = yaml.safe_load((REPO / "slack_app_manifest.yml").read_text())
    settings, features = manifest["settings"], manifest["features"]
    [command] = features["slash_commands"]
    urls = [
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]
    assert command["command"] == "/ozbot"
    assert all(url.endswith(EVENTS_PATH) for url in urls)
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == ["app_mention", "message.im"]
    assert features["app_home"]["messages_tab_enabled"] is True  # people can DM the bot
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    needed = {"app_mentions:read", "chat:write", "commands", "files:write", "im:history"}
    assert needed <= scopes


def test_the_slash_command_hint_names_every_chat_command():
    manifest = yaml.safe_load((REPO / "slack_app_manifest.yml").read_text())
    [command] = manifest["features"]["slash_commands"]
    assert sorted(command["usage_hint"].split(" | ")) == sorted(NAMES)

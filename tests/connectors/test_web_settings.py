"""Where the web server listens: OZBOT_HOST and OZBOT_PORT, checked at start-up."""

from __future__ import annotations

import pytest

from bot.errors import ConnectorError
from connectors.web_settings import WebSettings


def test_settings_from_the_environment():
    assert WebSettings.from_env({}) == WebSettings("0.0.0.0", 8080)
    assert WebSettings.from_env({"OZBOT_HOST": "127.0.0.1", "OZBOT_PORT": "9000"}) == (
        WebSettings("127.0.0.1", 9000)
    )
    for wrong in ("http", "-1", "70000"):
        with pytest.raises(ConnectorError, match="OZBOT_PORT"):
            WebSettings.from_env({"OZBOT_PORT": wrong})


def test_empty_variables_mean_unset():
    assert WebSettings.from_env({"OZBOT_HOST": "", "OZBOT_PORT": " "}) == WebSettings()

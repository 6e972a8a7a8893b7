"""`ozbot run` as a user runs it: the terminal by default, Telegram when asked or configured."""

import asyncio
import os
import signal
import sys

import pytest

from bot.commands.run import chosen
from bot.errors import ConnectorError
from tests.bot.test_cli import ozbot, project  # noqa: F401  (project is a fixture)
from tests.connectors.fake_telegram import TOKEN, FakeBotApi

START_UP = 120.0
"""Seconds the subprocess may take to train and connect (a bound, not a measurement)."""


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without any token or store of the developer's, plus `settings`."""
    prefixes = ("TELEGRAM_", "SLACK_", "REDIS_", "OZBOT_")
    kept = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return kept | settings


def test_connectors_are_those_named_else_those_with_a_token_else_the_terminal():
    assert chosen([], {}) == ("terminal",)
    assert chosen([], {"TELEGRAM_TOKEN": "1:x"}) == ("telegram",)
    assert chosen(["terminal", "telegram", "terminal"], {}) == ("terminal", "telegram")
    with pytest.raises(ConnectorError, match="unknown connector fax; ozbot has terminal"):
        chosen(["fax"], {})


def test_without_tokens_run_is_the_terminal_training_loop(project, monkeypatch):  # noqa: F811
    monkeypatch.setattr(os, "environ", clean_env())
    result = ozbot(project, "run", lines=["/greet", "1"])
    assert result.returncode == 0, result.stderr
    assert "user said:        /greet" in result.stdout
    assert "due to the intent. Is this correct?" in result.stdout
    assert "Export the conversation as stories before quitting?" in result.stdout


def test_telegram_without_a_token_fails_before_training(project, monkeypatch):  # noqa: F811
    monkeypatch.setattr(os, "environ", clean_env())
    result = ozbot(project, "run", "telegram")
    assert result.returncode == 2
    assert result.stderr.startswith("error: TELEGRAM_TOKEN is not set")
    assert not (project / "models").exists()


async def test_run_telegram_serves_until_sigterm(project):  # noqa: F811
    api = FakeBotApi()
    await api.start()
    env = clean_env(
        TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url, TELEGRAM_TRAINER_IDS="111"
    )
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "--project", str(project), "run"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await api.until(lambda: bool(api.methods("getUpdates")), START_UP)
        await api.queue(api.message(222, "/greet"))
        await api.queue(api.message(111, "/greet"))
        await api.until(lambda: bool(api.chat(222)) and bool(api.chat(111)))
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), START_UP)
    except TimeoutError:
        process.kill()
        pytest.fail(f"ozbot run did not serve: {(await process.communicate())[1].decode()}")
    finally:
        await api.stop()
    assert process.returncode == 0, stderr.decode()
    assert "serving on Telegram (long polling); trainers: 111" in stdout.decode()
    assert "Stopped. The conversations are kept." in stdout.decode()
    assert api.chat(222)[0].keyboard is None  # a user is answered, not asked
    question = api.chat(111)[0]
    assert "The bot wants to [" in (question.text or "") and "Yes" in question.labels[0]

"""`ozbot run` as a user runs it: the terminal by default, Telegram when asked or configured."""

import asyncio
import os
import re
import signal
import socket
import sys

import aiohttp
import pytest

from bot.commands.run import _serving_notes
from bot.settings import read_serving
from connectors.web import WebServer, WebSettings
from tests.bot.test_cli import ozbot, project  # noqa: F401  (project is a fixture)
from tests.connectors.fake_slack import APP_TOKEN, SIGNING_SECRET, FakeSlackApi, SlackRequests
from tests.connectors.fake_slack import TOKEN as SLACK_TOKEN
from tests.connectors.fake_telegram import TOKEN, FakeBotApi

START_UP = 120.0
"""Seconds the subprocess may take to train and connect (a bound, not a measurement)."""


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without any token or store of the developer's, plus `settings`."""
    prefixes = ("TELEGRAM_", "SLACK_", "REDIS_", "OZBOT_")
    kept = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return kept | settings


FREE_PORT = {"OZBOT_HOST": "127.0.0.1", "OZBOT_PORT": "0"}
"""The web server on a free port of the loopback: no test needs 8080 (or any port) free."""


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
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_TRAINER_IDS="111",
        **FREE_PORT,
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


def test_run_prints_neither_the_redis_password_nor_the_webhook_token(project, monkeypatch):  # noqa: F811
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"redis://ozbot:hunter22@127.0.0.1:{port}/0?password=hunter22"
    monkeypatch.setenv("REDIS_URL", url)
    result = ozbot(project, "run", "terminal")
    assert result.returncode == 2 and "cannot reach Redis at" in result.stderr
    assert "hunter22" not in result.stdout + result.stderr


async def test_the_serving_note_shows_the_webhook_without_its_path():
    hook = f"https://bot.example.com/telegram/{TOKEN}"
    env = {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": hook, "TELEGRAM_WEBHOOK_SECRET": "s"}
    serving = read_serving(["telegram"], 0, env)
    web = WebServer(WebSettings("127.0.0.1", 0))
    await web.start()
    try:
        [note] = _serving_notes(serving, web)
    finally:
        await web.stop()
    assert "webhook https://bot.example.com/***" in note and TOKEN.split(":")[1] not in note


def test_slack_without_its_token_and_secret_fails_before_training(project, monkeypatch):  # noqa: F811
    for name in ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_TRAINER_IDS", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    result = ozbot(project, "run", "slack")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) not set"
    )
    assert not (project / "models").exists()


async def test_run_telegram_slack_serves_both_from_one_process(project, tmp_path):  # noqa: F811
    telegram, slack = FakeBotApi(), FakeSlackApi()
    await telegram.start()
    await slack.start()
    env = clean_env(
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=telegram.base_url,
        SLACK_BOT_TOKEN=SLACK_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        SLACK_TRAINER_IDS="UTRAIN001",
        **FREE_PORT,
    )
    command = (sys.executable, "-m", "bot", "--project", str(project), "run", "--port", "0")
    errors = tmp_path / "stderr.txt"  # a file, not a pipe: nobody reads it while it serves
    with errors.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *command, "telegram", "slack", env=env, stdout=asyncio.subprocess.PIPE, stderr=stderr
        )
    try:
        port = await asyncio.wait_for(_slack_port(process), START_UP)
        requests = SlackRequests(slack)
        signed = requests.signed_event(requests.event("UUSER0001", "!greet", "DUSER0001"))
        url = f"http://127.0.0.1:{port}/slack/events"
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=signed.body, headers=signed.headers) as response,
        ):
            assert response.status == 200
        await telegram.queue(telegram.message(222, "/greet"))
        await telegram.until(lambda: bool(telegram.chat(222)))
        process.send_signal(signal.SIGTERM)  # the work acknowledged is finished before exit
        await asyncio.wait_for(process.wait(), START_UP)
    except (AssertionError, TimeoutError) as exc:
        pytest.fail(f"ozbot run failed: {exc!r}; its stderr:\n{errors.read_text()}")
    finally:
        if process.returncode is None:
            process.kill()
        await telegram.stop()
        await slack.stop()
    assert process.returncode == 0, errors.read_text()
    [reply] = slack.methods("chat.postMessage")
    assert reply.params["channel"] == "DUSER0001" and reply.params["text"] == "hey there!"


async def test_run_slack_in_socket_mode_needs_no_public_url(project, tmp_path):  # noqa: F811
    slack = FakeSlackApi()
    await slack.start()
    env = clean_env(
        SLACK_BOT_TOKEN=SLACK_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=slack.api_url,
        **FREE_PORT,
    )
    command = (sys.executable, "-m", "bot", "--project", str(project), "run", "slack")
    errors = tmp_path / "stderr.txt"
    with errors.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=stderr
        )
    try:
        assert process.stdout is not None
        note = (await asyncio.wait_for(process.stdout.readline(), START_UP)).decode()
        assert "serving on Slack over Socket Mode (no public URL needed)" in note
        requests = SlackRequests(slack)
        await slack.deliver("events_api", requests.event("UUSER0001", "!greet", "DUSER0001"))
        await slack.until(lambda: bool(slack.methods("chat.postMessage")), START_UP)
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), START_UP)
    except (AssertionError, TimeoutError, ValueError) as exc:
        pytest.fail(f"ozbot run failed: {exc!r}; its stderr:\n{errors.read_text()}")
    finally:
        if process.returncode is None:
            process.kill()
        await slack.stop()
    assert process.returncode == 0, errors.read_text()
    [reply] = slack.methods("chat.postMessage")
    assert reply.params["channel"] == "DUSER0001" and reply.params["text"] == "hey there!"


async def _slack_port(process: asyncio.subprocess.Process) -> int:
    """The port from the start-up note `serving on Slack at port N`."""
    assert process.stdout is not None
    while line := (await process.stdout.readline()).decode():
        if match := re.search(r"serving on Slack at port (\d+)", line):
            return int(match[1])
    raise AssertionError("ozbot run ended without serving Slack")

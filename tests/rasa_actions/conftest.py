"""A bot whose actions are written for rasa-sdk (sdk_bot/), its real rasa-sdk action server on
127.0.0.1, and an engine on a policy that runs the action each intent names."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.actions import ActionRegistry
from bot.domain import Domain, load_domain
from bot.engine import Engine, UserMessage
from bot.events import ACTION_LISTEN
from bot.exporter import StoryExporter
from bot.outputs import ActionProposal, Output
from bot.policy import Prediction
from bot.stores.memory import MemoryTrackerStore
from bot.teaching import Answer
from bot.tracker import Tracker
from tests.bot.stores.local_cluster import free_ports

SDK_BOT = Path(__file__).parent / "sdk_bot"
START_SECONDS = 60.0
STOP_SECONDS = 10.0
ACTION_OF_INTENT = {
    "search": "action_search_concerts",
    "follow": "action_follow",
    "reject": "action_reject",
    "slow": "action_slow",
    "broken": "action_broken",
    "missing": "action_missing",
    "inform": "validate_restaurant_form",
}


@dataclass
class IntentPolicy:
    """After the user speaks, the action its intent names; then listen."""

    domain: Domain

    def predict(self, tracker: Tracker) -> Prediction:
        message = tracker.latest_message
        action = ACTION_LISTEN
        if tracker.latest_action == ACTION_LISTEN and message is not None:
            action = ACTION_OF_INTENT.get(message.intent, ACTION_LISTEN)
        return Prediction(action, 0.9, "intent", {a: 0.0 for a in self.domain.actions})


@pytest.fixture(scope="session")
def sdk_domain() -> Domain:
    return load_domain(SDK_BOT / "domain.yml")


def engine_with(domain: Domain, actions: ActionRegistry, folder: Path) -> Engine:
    return Engine(
        domain, IntentPolicy(domain), MemoryTrackerStore(), actions, StoryExporter(folder)
    )


async def approve(engine: Engine, text: str) -> list[Output]:
    """The trainer says `text` and approves the action the bot proposes."""
    outputs = await engine.handle("c1", UserMessage(text), trainer=True)
    [proposal] = [o for o in outputs if isinstance(o, ActionProposal)]
    return await engine.handle("c1", Answer(proposal.question_id, "approve"), trainer=True)


@pytest.fixture(scope="session")
def action_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """sdk_bot's actions on a real rasa-sdk action server, for the whole session."""
    with running_action_server(tmp_path_factory.mktemp("action_server") / "server.log") as url:
        yield url


@contextlib.contextmanager
def running_action_server(log: Path, bot: Path = SDK_BOT) -> Iterator[str]:
    """`python -m rasa_sdk --actions actions` serving the actions of `bot` (sdk_bot's unless
    given) on a free local port (its output in `log`); yields its webhook URL, then stops its
    whole process group."""
    [port] = free_ports(1)
    env = {**os.environ, "SANIC_HOST": "127.0.0.1"}
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, cwd=bot, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        _wait_healthy(f"http://127.0.0.1:{port}/health", server, log)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        _stop(server)


def _stop(server: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(STOP_SECONDS)


def _wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the action server stopped: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the action server did not start in {START_SECONDS} s")

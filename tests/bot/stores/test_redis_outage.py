"""Redis stops in the middle of a turn and comes back: the run goes on without a restart, the
refused inputs got a notice, the outage is logged once, and no conversation is corrupted."""

import asyncio
import logging
import shutil
import socket
import subprocess
import time

import pytest

from bot import texts
from bot.action_loader import load_custom_actions
from bot.actions import ActionRegistry
from bot.engine import Engine, UserMessage
from bot.exporter import StoryExporter
from bot.outputs import BotMessage, Notice
from bot.stores.redis import RedisTrackerStore
from bot.stores.settings import RedisSettings
from bot.tracker import Tracker
from tests.bot.stores.concert_turns import is_whole, search, turns
from tests.conftest import REPO, RulePolicy


def answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A redis-server of the test's own on a spare port, persisting every write to `folder`."""

    def __init__(self, folder):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.folder = folder
        self.process = None

    def start(self):
        where = ["--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder)]
        persist = ["--save", "", "--appendonly", "yes", "--appendfsync", "always"]
        binary = shutil.which("redis-server") or "redis-server"
        self.process = subprocess.Popen([binary, *where, *persist], stdout=subprocess.DEVNULL)
        for _ in range(100):  # at most about 5 s
            if answers(self.port):
                return
            time.sleep(0.05)
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


class StopsRedis:
    """The search action, which stops Redis first when it searches in `city`."""

    name = "action_search_concerts"

    def __init__(self, action, server, city):
        self.action, self.server, self.city = action, server, city

    async def run(self, dispatcher, tracker, domain):
        if tracker.slots.get("city") == self.city:
            await asyncio.to_thread(self.server.stop)
        return await self.action.run(dispatcher, tracker, domain)


async def test_a_turn_cut_by_a_redis_restart_is_refused_and_the_run_goes_on(
    server, concert_domain, tmp_path, caplog
):
    settings = RedisSettings(
        f"redis://127.0.0.1:{server.port}/0", "ozbot-test:outage", lock_wait_seconds=0.5
    )
    store = await RedisTrackerStore.connect(settings)
    actions = load_custom_actions(REPO, concert_domain)
    actions["action_search_concerts"] = StopsRedis(actions["action_search_concerts"], server, "m9")
    registry = ActionRegistry(concert_domain, actions)
    policy = RulePolicy(concert_domain)
    engine = Engine(concert_domain, policy, store, registry, StoryExporter(tmp_path))
    sent = []  # (conversation, text, what came back)

    async def send(number):
        conversation, text = f"c{number % 2}", search(f"m{number}")
        outputs = await engine.handle(conversation, UserMessage(text), trainer=False)
        ok = BotMessage in map(type, outputs)
        sent.append((conversation, text, "ok" if ok else outputs))
        return ok

    with caplog.at_level(logging.WARNING):
        assert all([await send(number) for number in range(9)])
        assert not any([await send(number) for number in range(9, 20)])  # turn 9 stops Redis
        server.start()
        back, number = 0, 20
        while back < 10 and number < 300:  # bounded: about 15 s at most
            back += await send(number)
            number += 1
            await asyncio.sleep(0.05)
    assert back == 10

    refused = [outputs for _, _, outputs in sent if outputs != "ok"]
    assert refused and all(outputs == [Notice(texts.STORE_UNAVAILABLE)] for outputs in refused)
    outage_logs = [r for r in caplog.records if r.name == "bot.stores.outage"]
    assert [r.levelname for r in outage_logs] == ["ERROR", "WARNING"]
    assert "is unavailable" in outage_logs[0].message and "is back" in outage_logs[1].message
    for conversation in ("c0", "c1"):
        events = (await store.load(conversation)).events
        stored = turns(events)
        assert [text for text, _ in stored] == [
            text for c, text, outcome in sent if c == conversation and outcome == "ok"
        ]
        assert all(is_whole(text, turn) for text, turn in stored)
        assert (await store.load_tail(conversation)).snapshot == Tracker(
            conversation, concert_domain, events
        ).snapshot()
    await store.close()

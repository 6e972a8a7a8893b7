"""Replicas in separate processes share one Redis: a burst of interleaved messages for the same
conversations ends with every message's turn stored once, whole, in one order."""

import json
import subprocess
import sys

from bot.stores.redis import RedisTrackerStore
from bot.tracker import Tracker
from tests.bot.stores.concert_turns import is_whole, turns
from tests.conftest import REPO

REPLICAS = 3
ROUNDS = 8
CONVERSATIONS = ["c1", "c2", "c3"]


def run_replicas(settings):
    command = [sys.executable, "-m", "tests.bot.stores.redis_replica", settings.url]
    processes = [
        subprocess.Popen(
            [*command, settings.prefix, f"r{number}", str(REPLICAS), str(ROUNDS), *CONVERSATIONS],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        for number in range(REPLICAS)
    ]
    results = []
    for process in processes:
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 0
        results += [json.loads(line) for line in out.splitlines()]
    return results


async def test_a_burst_from_several_replicas_keeps_every_turn_once_and_whole(
    redis_settings, concert_domain
):
    results = run_replicas(redis_settings)
    assert len(results) == REPLICAS * ROUNDS * len(CONVERSATIONS)
    assert all(result["ok"] for result in results)

    store = await RedisTrackerStore.connect(redis_settings)
    for conversation_id in CONVERSATIONS:
        events = (await store.load(conversation_id)).events
        stored = turns(events)
        sent = [r["text"] for r in results if r["conversation"] == conversation_id]
        assert sorted(text for text, _ in stored) == sorted(sent)  # none lost or doubled
        assert all(is_whole(text, turn) for text, turn in stored)  # none interleaved
        for replica in range(REPLICAS):  # each replica's messages in the order it sent them
            mine = [text for text, _ in stored if f'"r{replica}-' in text]
            assert mine == [text for text in sent if f'"r{replica}-' in text]
        tail = await store.load_tail(conversation_id)
        assert tail.events == ()
        assert tail.snapshot == Tracker(conversation_id, concert_domain, events).snapshot()
    await store.close()

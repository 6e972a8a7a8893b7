"""One replica of the concert bot on a shared Redis, for the concurrency test.

    python -m tests.bot.stores.redis_replica URL PREFIX REPLICA REPLICAS MESSAGES CONVERSATION...

Waits (bounded) until every replica is ready, then sends MESSAGES rounds of one message to each
conversation at once, and prints one JSON line per message: its text and what came back.
"""

from __future__ import annotations

import asyncio
import json
import sys

from redis.asyncio import Redis

from bot.action_loader import load_custom_actions
from bot.actions import ActionRegistry
from bot.domain import load_domain
from bot.engine import Engine, UserMessage
from bot.exporter import StoryExporter
from bot.outputs import BotMessage
from bot.stores.redis import RedisTrackerStore
from bot.stores.settings import RedisSettings
from tests.bot.stores.concert_turns import search
from tests.conftest import REPO, RulePolicy


async def main(url: str, prefix: str, replica: str, replicas: int, rounds: int, ids: list[str]):
    domain = load_domain(REPO / "domain.yml")
    store = await RedisTrackerStore.connect(RedisSettings(url, prefix))
    actions = ActionRegistry(domain, load_custom_actions(REPO, domain))
    engine = Engine(domain, RulePolicy(domain), store, actions, StoryExporter(REPO / "unused"))
    barrier = Redis.from_url(url)
    await barrier.incr(f"{prefix}:ready")
    for _ in range(200):  # at most 10 s for the others to start
        if int(await barrier.get(f"{prefix}:ready")) >= replicas:
            break
        await asyncio.sleep(0.05)
    await barrier.aclose()

    async def send(conversation_id: str, number: int) -> dict[str, object]:
        text = search(f"{replica}-{number}")
        outputs = await engine.handle(conversation_id, UserMessage(text), trainer=False)
        return {
            "conversation": conversation_id,
            "text": text,
            "ok": BotMessage in map(type, outputs),
        }

    for number in range(rounds):
        for result in await asyncio.gather(*(send(cid, number) for cid in ids)):
            print(json.dumps(result), flush=True)
    await store.close()


if __name__ == "__main__":
    url, prefix, replica, replicas, rounds, *ids = sys.argv[1:]
    asyncio.run(main(url, prefix, replica, int(replicas), int(rounds), ids))

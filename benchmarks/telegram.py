"""Telegram: update received -> reply sent, through the real connector and a local Bot API.

    python benchmarks/telegram.py --store memory|sqlite|redis --updates N [--users U] [--json]

One process runs the fake Bot API of the tests (tests/connectors/fake_telegram.py), the
connector in webhook mode (our aiohttp server, secret checked) and the concert bot on its policy
trained from stories/stories.md and the chosen store (redis: REDIS_URL or the local Redis,
under a key prefix of its own that is deleted afterwards); each update goes through the store's
inbox (stored before the 200, done after its turn), as in `ozbot run`. U users, who are not
trainers, chat at once, each sending the next update as soon as the bot's first reply to the
previous one has reached the fake API. A warm-up of 20 updates runs first.

latency = from the webhook POST to the arrival of the bot's first sendMessage for that chat;
median_ms and p99_ms over every update; updates_per_s = updates over the wall time. Fake API,
connector, engine and store share one event loop and one core: the figures are for the whole
round trip, HTTP both ways included.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds policy.py: on sys.path it would hide the `policy` package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import asyncio  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import aiohttp  # noqa: E402

from benchmarks.common import bench_redis, delete_keys, latency_summary, platform_main  # noqa: E402
from bot.app import load_project  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.exporter import StoryExporter  # noqa: E402
from bot.policy import ModelStatus  # noqa: E402
from bot.settings import read_settings  # noqa: E402
from bot.stores.base import TrackerStore  # noqa: E402
from bot.stores.inbox import Inbox, MemoryInbox  # noqa: E402
from bot.stores.memory import MemoryTrackerStore  # noqa: E402
from bot.stores.redis import RedisTrackerStore  # noqa: E402
from bot.stores.redis_inbox import RedisInbox  # noqa: E402
from bot.stores.settings import RedisSettings  # noqa: E402
from bot.stores.sqlite import SqliteTrackerStore  # noqa: E402
from bot.stores.sqlite_inbox import SqliteInbox  # noqa: E402
from bot.stories.reader import read_stories  # noqa: E402
from connectors.telegram import SECRET_HEADER, TelegramConnector  # noqa: E402
from connectors.telegram_settings import TelegramSettings  # noqa: E402
from connectors.web import WebServer, WebSettings  # noqa: E402
from policy.training import TrainingData, train_policy  # noqa: E402
from tests.connectors.fake_telegram import TOKEN, FakeBotApi  # noqa: E402

REPO = HERE.parent
INPUTS = ("/greet", "/search_concerts", "/compare_reviews", "/thankyou", "/goodbye")
WARM_UP = 20
SECRET = "benchmark-secret"
REPLY_WAIT = 30.0
"""Seconds an update may wait for its reply before the run fails (a bound, not a figure)."""


async def _open(store: str, folder: Path, redis: RedisSettings) -> TrackerStore:
    if store == "memory":
        return MemoryTrackerStore()
    if store == "sqlite":
        return await SqliteTrackerStore.open(folder / "ozbot.db")
    return await RedisTrackerStore.connect(redis)


async def _inbox(store: str, folder: Path, redis: RedisSettings, source: str) -> Inbox:
    """The inbox a bot on `store` keeps its updates in until they are answered."""
    if store == "memory":
        return MemoryInbox()
    if store == "sqlite":
        return await SqliteInbox.open(folder / "ozbot.db", source)
    return await RedisInbox.connect(redis, source)


def _engine(store: TrackerStore, folder: Path) -> Engine:
    loaded = load_project(read_settings(REPO, {}))
    data = TrainingData(read_stories(REPO / "stories" / "stories.md"), {})
    policy = train_policy(loaded.domain, data, loaded.config)
    exporter = StoryExporter(folder / "exported")
    return Engine(loaded.domain, policy, store, loaded.actions, exporter)


async def _user(
    api: FakeBotApi, session: aiohttp.ClientSession, url: str, user: int, count: int
) -> list[float]:
    """Milliseconds from each POST to the first reply in this user's chat."""
    latencies = []
    for number in range(count):
        update = api.message(user, INPUTS[number % len(INPUTS)])
        before = api.sent_count[user]
        started = time.perf_counter()
        async with session.post(url, json=update, headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 200, response.status
        await api.until(lambda seen=before: api.sent_count[user] > seen, REPLY_WAIT)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def _run(store_kind: str, updates: int, users: int, folder: Path) -> dict[str, Any]:
    redis = bench_redis()
    api = FakeBotApi()
    await api.start()
    store = await _open(store_kind, folder, redis)
    inbox = await _inbox(store_kind, folder, redis, "telegram")
    web = WebServer(WebSettings("127.0.0.1", 0))
    settings = TelegramSettings(
        TOKEN, api.base_url, webhook_url="https://bench.example/telegram", webhook_secret=SECRET
    )
    connector = TelegramConnector(
        _engine(store, folder), settings, lambda: ModelStatus(1, 0, 0, 0), web=web, inbox=inbox
    )
    await web.start()
    await connector.start()
    url = f"http://127.0.0.1:{web.port}/telegram"
    try:
        async with aiohttp.ClientSession() as session:
            await _user(api, session, url, 1, WARM_UP)
            started = time.perf_counter()
            per_user = await asyncio.gather(
                *(_user(api, session, url, 1000 + n, updates // users) for n in range(users))
            )
            wall = time.perf_counter() - started
    finally:
        await connector.stop()
        await web.stop()
        await inbox.close()
        await store.close()
        await api.stop()
        if store_kind == "redis":
            await delete_keys(redis)
    return latency_summary(store_kind, users, "updates", per_user, wall)


def main() -> None:
    platform_main(__doc__.split("\n\n")[0], "updates", "chatting", _run)


if __name__ == "__main__":
    main()

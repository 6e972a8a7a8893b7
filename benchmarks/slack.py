"""Slack: signed event received -> reply posted, through the real connector and a local Web API.

    python benchmarks/slack.py --store memory|sqlite|redis --events N [--users U] [--json]

One process runs the fake Web API of the tests (tests/connectors/fake_slack.py), the Slack
connector (slack-bolt on our aiohttp server, every request signed and checked, stored in the
store's inbox before its ack, which also drops repeated event ids) and the concert bot on its
policy trained from stories/stories.md. U users, who are not trainers, write to the bot in
DMs at once, each sending the next event as soon as the bot's reply to the previous one has
reached the fake API. A warm-up of 20 events runs first.

latency = from the signed POST to the arrival of the bot's first chat.postMessage in that DM;
median_ms and p99_ms over every event; events_per_s = events over the wall time. Fake API,
connector, engine and store share one event loop and one core.
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
from benchmarks.telegram import INPUTS, REPLY_WAIT, WARM_UP, _engine, _inbox, _open  # noqa: E402
from bot.policy import ModelStatus  # noqa: E402
from connectors.slack import SlackConnector  # noqa: E402
from connectors.slack_settings import EVENTS_PATH, SlackSettings  # noqa: E402
from connectors.web import WebServer, WebSettings  # noqa: E402
from tests.connectors.fake_slack import (  # noqa: E402
    SIGNING_SECRET,
    TOKEN,
    FakeSlackApi,
    SlackRequests,
)


async def _user(
    api: FakeSlackApi, session: aiohttp.ClientSession, url: str, channel: str, count: int
) -> list[float]:
    """Milliseconds from each signed POST to the first reply in this user's DM."""
    requests = SlackRequests(api)
    latencies = []
    for number in range(count):
        text = "!" + INPUTS[number % len(INPUTS)].removeprefix("/")
        signed = requests.signed_event(requests.event(f"U{channel[1:]}", text, channel))
        before = api.posted_count[channel]
        started = time.perf_counter()
        async with session.post(url, data=signed.body, headers=signed.headers) as response:
            assert response.status == 200, response.status
        await api.until(lambda seen=before: api.posted_count[channel] > seen, REPLY_WAIT)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def _run(store_kind: str, events: int, users: int, folder: Path) -> dict[str, Any]:
    redis = bench_redis()
    api = FakeSlackApi()
    await api.start()
    store = await _open(store_kind, folder, redis)
    inbox = await _inbox(store_kind, folder, redis, "slack")
    web = WebServer(WebSettings("127.0.0.1", 0))
    settings = SlackSettings(TOKEN, SIGNING_SECRET, api.api_url)
    connector = SlackConnector(
        _engine(store, folder), settings, lambda: ModelStatus(1, 0, 0, 0), web, inbox=inbox
    )
    await web.start()
    await connector.start()
    url = f"http://127.0.0.1:{web.port}{EVENTS_PATH}"
    try:
        async with aiohttp.ClientSession() as session:
            await _user(api, session, url, "DWARMUP01", WARM_UP)
            started = time.perf_counter()
            per_user = await asyncio.gather(
                *(_user(api, session, url, f"D{n:08d}", events // users) for n in range(users))
            )
            wall = time.perf_counter() - started
    finally:
        await connector.stop()
        await web.stop()
        await store.close()
        await inbox.close()
        await api.stop()
        if store_kind == "redis":
            await delete_keys(redis)
    return latency_summary(store_kind, users, "events", per_user, wall)


def main() -> None:
    platform_main(__doc__.split("\n\n")[0], "events", "writing", _run)


if __name__ == "__main__":
    main()

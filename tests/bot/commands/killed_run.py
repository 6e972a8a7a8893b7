"""`ozbot run` killed (SIGKILL) with updates acknowledged and a slow action in flight, then
started again: what was stored and answered. Used by test_run_killed.py (a few updates) and
benchmarks/kill_inbox.py (20).

Each update comes from a user of its own who is no trainer, so all of them run at once; the
concert bot's `utter_greet` is replaced by an action that sleeps, so the kill finds every turn
in flight. An update counts as acknowledged when Telegram's fake saw the poll that confirms it
(a higher offset) or Slack's fake got the 200.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bot.app import opened_store
from bot.events import UserUttered
from bot.settings import read_settings
from tests.connectors.fake_slack import SIGNING_SECRET, FakeSlackApi, SlackRequests
from tests.connectors.fake_slack import TOKEN as SLACK_TOKEN
from tests.connectors.fake_telegram import TOKEN, FakeBotApi

START_UP = 120.0
"""Seconds a start may take to train and connect (a bound, not a measurement)."""
SLOW_GREET = '''

class SlowGreet:
    """Keeps every turn in flight long enough for the kill."""

    name = "utter_greet"

    async def run(self, dispatcher, tracker, domain):
        import asyncio

        await asyncio.sleep({seconds})
        dispatcher.utter_message("slow hello")
        return []
'''
ANSWER = "slow hello"


@dataclass(frozen=True)
class Killed:
    """What a kill -9 with `sent` updates a platform in flight left, after the restart."""

    sent: int
    acknowledged: int
    answered_before_kill: int
    stored_once: int
    """Conversations that hold their user's message exactly once."""
    stored_twice: int
    answered: int
    """Users who got exactly one answer."""
    recovery_seconds: float
    """From the restart's start until the last answer (training and start-up included)."""


@dataclass
class _Platforms:
    telegram: FakeBotApi
    slack: FakeSlackApi

    def answered(self, count: int) -> tuple[int, int]:
        """Users of each platform answered exactly once."""
        telegram = sum(
            [sent.text for sent in self.telegram.chat(_telegram_user(n))] == [ANSWER]
            for n in range(count)
        )
        slack = sum(
            [p.text for p in self.slack.channel(_slack_channel(n))] == [ANSWER]
            for n in range(count)
        )
        return telegram, slack


def _telegram_user(n: int) -> int:
    return 500_000 + n


def _slack_channel(n: int) -> str:
    return f"DKILL{n:04d}"


def _slack_user(n: int) -> str:
    return f"UKILL{n:04d}"


async def kill_and_restart(
    project: Path,
    count: int,
    *,
    redis_url: str | None = None,
    action_seconds: float = 2.0,
    stderr: Path,
) -> dict[str, Killed]:
    """`count` updates on Telegram and on Slack acknowledged, kill -9 during the action,
    restart; per platform, what was stored and answered. Every process it starts it stops."""
    with (project / "actions.py").open("a", encoding="utf-8") as actions:
        actions.write(SLOW_GREET.format(seconds=action_seconds))
    platforms = _Platforms(FakeBotApi(), FakeSlackApi())
    await platforms.telegram.start()
    await platforms.slack.start()
    env = _env(platforms, redis_url)
    try:
        process, port = await _start(project, env, stderr)
        try:
            acknowledged = await _send(platforms, port, count)
            before = platforms.answered(count)
        finally:
            process.kill()  # SIGKILL: nothing of the process runs after it
            await process.wait()
        restarted = asyncio.get_running_loop().time()
        process, _ = await _start(project, env, stderr)
        try:
            await _until_answered(platforms, count, restarted + START_UP)
            recovery = asyncio.get_running_loop().time() - restarted
            await asyncio.sleep(0.5)  # any second answer would come now
            answered = platforms.answered(count)
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), START_UP)
    finally:
        await platforms.telegram.stop()
        await platforms.slack.stop()
    stored = await _stored(project, env)
    result = {}
    for index, (name, conversation) in enumerate(
        [("telegram", lambda n: f"telegram:{_telegram_user(n)}"), ("slack", _slack_conversation)]
    ):
        counts = [stored.get(conversation(n), 0) for n in range(count)]
        result[name] = Killed(
            sent=count,
            acknowledged=acknowledged[index],
            answered_before_kill=before[index],
            stored_once=counts.count(1),
            stored_twice=sum(c > 1 for c in counts),
            answered=answered[index],
            recovery_seconds=round(recovery, 2),
        )
    return result


async def _until_answered(platforms: _Platforms, count: int, deadline: float) -> None:
    """Until every user has an answer, or the deadline passed (the figures then say so)."""
    loop = asyncio.get_running_loop()
    while platforms.answered(count) != (count, count) and loop.time() < deadline:
        await asyncio.sleep(0.05)


def _slack_conversation(n: int) -> str:
    return f"slack:{_slack_channel(n)}"


def _env(platforms: _Platforms, redis_url: str | None) -> dict[str, str]:
    prefixes = ("TELEGRAM_", "SLACK_", "REDIS_", "OZBOT_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env |= {
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": platforms.telegram.base_url,
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": platforms.slack.api_url,
        "OZBOT_HOST": "127.0.0.1",
        "OZBOT_PORT": "0",
    }
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
    return env


async def _start(
    project: Path, env: dict[str, str], stderr: Path
) -> tuple[asyncio.subprocess.Process, int]:
    command = (sys.executable, "-m", "bot", "--project", str(project), "run", "telegram", "slack")
    with stderr.open("ab") as errors:  # a file: nobody reads a pipe while it serves
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=errors
        )
    try:
        return process, await asyncio.wait_for(_slack_port(process), START_UP)
    except BaseException:
        process.kill()
        await process.wait()
        raise


async def _slack_port(process: asyncio.subprocess.Process) -> int:
    assert process.stdout is not None
    while line := (await process.stdout.readline()).decode():
        if match := re.search(r"serving on Slack at port (\d+)", line):
            return int(match[1])
    raise AssertionError("ozbot run ended without serving Slack")


async def _send(platforms: _Platforms, port: int, count: int) -> tuple[int, int]:
    """Every update sent at once; returns how many each platform had acknowledged."""
    telegram = platforms.telegram
    updates = [telegram.message(_telegram_user(n), "/greet") for n in range(count)]
    for update in updates:
        await telegram.queue(update)
    requests = SlackRequests(platforms.slack)
    url = f"http://127.0.0.1:{port}/slack/events"
    async with aiohttp.ClientSession() as session:

        async def post(n: int) -> bool:
            event = requests.event(_slack_user(n), "!greet", _slack_channel(n))
            signed = requests.signed_event(event)
            async with session.post(url, data=signed.body, headers=signed.headers) as response:
                return response.status == 200

        slack = sum(await asyncio.gather(*(post(n) for n in range(count))))
    await telegram.fetched(updates[-1]["update_id"])  # the poll that confirms them all
    return count, slack


async def _stored(project: Path, env: dict[str, str]) -> Counter[str]:
    """Per conversation, how often its user's message is stored."""
    settings = read_settings(project, env)
    stored: Counter[str] = Counter()
    async with opened_store(settings) as store:
        for conversation_id in await store.conversation_ids():
            events = (await store.load(conversation_id)).events
            stored[conversation_id] = sum(isinstance(e, UserUttered) for e in events)
    return stored

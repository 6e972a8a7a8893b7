"""Retraining: from a trainer's correction to the new model on every replica, and what a retrain
costs the conversations meanwhile.

    python benchmarks/retrain.py [--json] [--repeat N]

correction_to_live_s: the concert bot (this repository) on two replicas in this process, each
with a model folder of its own, rolled out through the local Redis (REDIS_URL or 127.0.0.1,
under a key prefix deleted afterwards): from the trainer's answer that corrects an action
(through the engine, a wait of 0.3 s included: `EAGER`) to both replicas serving the new version;
the median of --repeat corrections. correction_to_live_s_1000: the same for a taught
conversation of the synthetic 1,000-story bot (benchmarks/synthetic.py).

loop_lag_p99_ms_*: p99 lag of a 10 ms ticker in the serving process of the synthetic bot;
turn_p99_ms_*: its engine turns (user messages, no training questions, memory store), one
every 10 ms; each idle for 3 s, and while a retrain of that bot runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds policy.py: on sys.path it would hide the `policy` package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine  # noqa: E402
from contextlib import (  # noqa: E402
    AbstractAsyncContextManager,
    AsyncExitStack,
    asynccontextmanager,
)
from functools import partial  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks.common import bench_redis, delete_keys  # noqa: E402
from benchmarks.synthetic import synthetic_domain, synthetic_stories  # noqa: E402
from bot.actions import ActionRegistry  # noqa: E402
from bot.app import load_project  # noqa: E402
from bot.domain import Domain  # noqa: E402
from bot.engine import Engine, UserMessage  # noqa: E402
from bot.events import ActionExecuted  # noqa: E402
from bot.exporter import StoryExporter  # noqa: E402
from bot.outputs import Output  # noqa: E402
from bot.policy import TRAINER  # noqa: E402
from bot.settings import read_settings  # noqa: E402
from bot.stores.memory import MemoryTrackerStore  # noqa: E402
from bot.stores.redis_rollout import RedisRollout  # noqa: E402
from bot.stores.settings import RedisSettings  # noqa: E402
from bot.stories.model import Story  # noqa: E402
from bot.teaching import Answer  # noqa: E402
from bot.tracker import Tracker  # noqa: E402
from policy.config import PolicyConfig, RetrainPace  # noqa: E402
from policy.dataset import story_events  # noqa: E402
from policy.deployer import TrainingSetup  # noqa: E402
from policy.model_store import ModelStore, Version, VersionRecord  # noqa: E402
from policy.retraining import Retraining, retraining  # noqa: E402
from policy.training import TrainingData, train_policy  # noqa: E402
from policy.training_process import TrainingProcess  # noqa: E402

REPO = HERE.parent
REVIEWS = ("action_show_concert_reviews", "action_show_venue_reviews")
TICK = 0.01
IDLE_SECONDS = 3.0
TURN_INPUTS = ("/greet", "/chitchat", "/thankyou", "/goodbye")
WAIT_LIMIT = 300.0
EAGER = RetrainPace(
    after_turns=1, wait_seconds=0.3, min_interval_seconds=0, interval_per_training_second=0
)
"""Every teaching retrains 0.3 s later: what is measured is how fast a version goes live."""
WARM_UP_SECONDS = 3.0


class Bot:
    """One bot's training setup and its first model."""

    def __init__(
        self, domain: Domain, stories: list[Story], config: PolicyConfig, actions: ActionRegistry
    ) -> None:
        self.domain, self.config, self.actions = domain, config, actions
        self.data = TrainingData(stories, {})
        self.policy = train_policy(domain, self.data, config)

    def replica(
        self, folder: Path, rollout: RedisRollout | None
    ) -> AbstractAsyncContextManager[Retraining]:
        models = ModelStore(folder)
        record = VersionRecord.of(1, self.policy, self.data)
        models.commit(models.add(self.policy, record), 1)
        training = TrainingSetup(self.domain, self.config, models, TrainingProcess())
        live = Version(self.policy, record)
        data, tell = self.data, print_failure
        return retraining(training, live, data, tell=tell, rollout=rollout, pace=EAGER)

    def engine(self, replica: Retraining, folder: Path) -> Engine:
        exporter = StoryExporter(folder / "exported")
        store = MemoryTrackerStore()
        return Engine(self.domain, replica.live, store, self.actions, exporter, replica.learner)


def print_failure(text: str) -> None:
    """The benchmark's output is its numbers: only failures are told (on stderr)."""
    if text.startswith("retraining failed"):
        print(text, file=sys.stderr)


def concert_bot() -> Bot:
    loaded = load_project(read_settings(REPO, {}))
    return Bot(loaded.domain, loaded.stories, loaded.config, loaded.actions)


def synthetic_bot(stories: int) -> Bot:
    domain = synthetic_domain()
    return Bot(domain, synthetic_stories(stories, 1), PolicyConfig(), ActionRegistry(domain, {}))


@asynccontextmanager
async def replicas(
    bot: Bot, folder: Path, count: int, redis: RedisSettings | None
) -> AsyncIterator[list[Retraining]]:
    """`count` started replicas of the bot (with Redis, rolled out through it)."""
    async with AsyncExitStack() as stack:
        started = []
        for number in range(count):
            rollout = None if redis is None else await RedisRollout.connect(redis)
            replica = bot.replica(folder / f"replica-{number}", rollout)
            started.append(await stack.enter_async_context(replica))
        await asyncio.sleep(WARM_UP_SECONDS)  # the training processes import LightGBM
        yield started


async def until_live(started: list[Retraining], version: int) -> None:
    deadline = time.perf_counter() + WAIT_LIMIT
    while any(replica.live.version != version for replica in started):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"version {version} not live on every replica")
        await asyncio.sleep(0.002)


Teach = Callable[[Bot, Retraining, Engine, str], Awaitable[float]]


async def correct_concert(
    bot: Bot, replica: Retraining, engine: Engine, conversation: str
) -> float:
    """Teach the seed's dialogue, correcting the review action; when the correction was sent."""

    async def last(inp: UserMessage | Answer) -> Any:
        outputs: list[Output] = await engine.handle(conversation, inp, trainer=True)
        return outputs[-1]

    for intent in ("/greet", "/search_concerts"):
        proposal = await last(UserMessage(intent))
        listen = await last(Answer(proposal.question_id, "approve"))
        await last(Answer(listen.question_id, "approve"))
    proposal = await last(UserMessage("/compare_reviews"))
    choices = await last(Answer(proposal.question_id, "wrong_action"))
    other = next(name for name in REVIEWS if name != proposal.action)
    sent = time.perf_counter()
    await last(Answer(choices.question_id, "choose_action", other))
    return sent


async def teach_story(bot: Bot, replica: Retraining, engine: Engine, conversation: str) -> float:
    """The bot's first story, taught as a trainer's conversation; when it was taught."""
    [events] = story_events(bot.data.stories[:1], bot.domain)
    taught = [
        ActionExecuted(e.name, TRAINER, 1.0) if isinstance(e, ActionExecuted) else e for e in events
    ]
    sent = time.perf_counter()
    replica.learner.learn(Tracker(conversation, bot.domain, taught))
    return sent


async def correction_to_live(
    bot: Bot, folder: Path, redis: RedisSettings | None, repeat: int, teach: Teach
) -> float:
    """Median seconds from a correction to its version serving on every replica."""
    times = []
    async with replicas(bot, folder, 2, redis) as started:
        engine = bot.engine(started[0], folder)
        for number in range(repeat):
            sent = await teach(bot, started[0], engine, f"trainer-{number}")
            await until_live(started, number + 2)
            times.append(time.perf_counter() - sent)
    return round(statistics.median(times), 3)


Probe = Callable[[list[float]], Coroutine[Any, Any, None]]


async def ticker(lags: list[float]) -> None:
    """A 10 ms ticker: how late each tick came, in milliseconds."""
    while True:
        before = time.perf_counter()
        await asyncio.sleep(TICK)
        lags.append((time.perf_counter() - before - TICK) * 1000)


async def turns(engine: Engine, latencies: list[float]) -> None:
    """A user turn every 10 ms: milliseconds of each."""
    for number in range(10**9):
        started = time.perf_counter()
        message = UserMessage(TURN_INPUTS[number % len(TURN_INPUTS)])
        await engine.handle("user", message, trainer=False)
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(TICK)


async def p99_while(probe: Probe, until: Awaitable[Any]) -> float:
    """p99 of what the probe measures while `until` runs."""
    values: list[float] = []
    task = asyncio.create_task(probe(values))
    try:
        await until
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return round(statistics.quantiles(values, n=100)[98], 2)


async def under_load(bot: Bot, folder: Path) -> dict[str, float]:
    """Loop lag, then turn latency, of one replica: idle and while it retrains (one retrain
    each, so that neither probe disturbs the other)."""
    result = {}
    async with replicas(bot, folder, 1, None) as [replica]:
        engine = bot.engine(replica, folder)
        probes: dict[str, Probe] = {"loop_lag": ticker, "turn": partial(turns, engine)}
        for name, probe in probes.items():
            result[f"{name}_p99_ms_idle"] = await p99_while(probe, asyncio.sleep(IDLE_SECONDS))
            replica.schedule.retrain_now()
            result[f"{name}_p99_ms_training"] = await p99_while(probe, replica.schedule.wait_idle())
        assert replica.live.version == 1 + len(probes), "a retrain failed"
    return result


async def measure(repeat: int, stories: int) -> dict[str, Any]:
    redis = [bench_redis() for _ in range(2)]
    concert, synthetic = concert_bot(), synthetic_bot(stories)
    with tempfile.TemporaryDirectory() as folder:
        try:
            concert_s = await correction_to_live(
                concert, Path(folder) / "concert", redis[0], repeat, correct_concert
            )
            synthetic_s = await correction_to_live(
                synthetic, Path(folder) / "synthetic", redis[1], 1, teach_story
            )
        finally:
            for settings in redis:
                await delete_keys(settings)
        load = await under_load(synthetic, Path(folder) / "load")
    return {
        "correction_to_live_s": concert_s,
        f"correction_to_live_s_{stories}": synthetic_s,
        **load,
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--repeat", type=int, default=5, help="concert bot corrections timed")
    parser.add_argument("--stories", type=int, default=1000, help="stories of the synthetic bot")
    args = parser.parse_args()
    result = asyncio.run(measure(args.repeat, args.stories))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:32} {value}")


if __name__ == "__main__":
    main()

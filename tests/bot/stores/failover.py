"""Two replicas of the concert bot on a local Redis Cluster while one of its masters is killed.

`await failover(cluster, prefix)` runs bounded traffic from two in-process replicas (each its
own engine and cluster client) to conversations spread over the three masters, SIGKILLs the
master of some of them once every sender has had turns answered, waits for its replica to take
over, and stops when every sender has had RESUMED answered turns after that (or at the time
limit). It returns what was acknowledged, refused and stored, for the failover test and for
benchmarks/turns.py. Trainers' open questions are set on every master before the kill.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

from bot.action_loader import load_custom_actions
from bot.actions import ActionRegistry
from bot.domain import load_domain
from bot.engine import Engine, UserMessage
from bot.events import UserUttered
from bot.exporter import StoryExporter
from bot.outputs import BotMessage
from bot.stores.redis import RedisTrackerStore
from bot.stores.settings import RedisSettings
from bot.teaching import Question
from tests.bot.stores.concert_turns import is_whole, search, turns
from tests.bot.stores.local_cluster import LocalCluster
from tests.conftest import REPO, RulePolicy

PER_MASTER = 3
"""Conversations whose slot each master serves."""
BEFORE = 3
"""Answered turns each sender has before the kill."""
RESUMED = 3
"""Answered turns each sender has after the replica took over: then it stops."""
MAX_MESSAGES = 400
"""At most this many messages a sender, whatever happens."""
TIME_LIMIT = 60.0
PAUSE = 0.01
"""Between two messages of a sender: traffic, not a busy loop."""


@dataclass
class Sent:
    acknowledged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@dataclass
class Failover:
    killed: str
    """The killed master's conversations."""
    sent: dict[str, Sent]
    """Per conversation, the texts whose turn the bot answered, and those it refused."""
    stored: dict[str, list[str]]
    """Per conversation, the texts of the turns stored after the failover."""
    corrupt: list[str]
    """Conversations whose stored events are not whole turns, one after the other."""
    questions: tuple[dict[str, Question | None], dict[str, Question | None]]
    """The trainers' open questions before the kill and after the failover."""
    takeover_seconds: float
    """From the kill until the cluster serves the killed master's slots again."""
    resumed_seconds: float
    """From the kill until the killed master's conversations, refused meanwhile, all have a turn
    answered again."""
    answered_after: dict[tuple[int, str], int] = field(default_factory=dict)
    """Per sender (replica, conversation), the turns answered after the replica took over."""

    @property
    def acknowledged(self) -> int:
        return sum(len(sent.acknowledged) for sent in self.sent.values())

    @property
    def stored_once(self) -> int:
        """Acknowledged turns stored exactly once."""
        return sum(
            Counter(self.stored[cid])[text] == 1
            for cid, sent in self.sent.items()
            for text in sent.acknowledged
        )

    @property
    def duplicates(self) -> list[str]:
        return [
            text
            for texts in self.stored.values()
            for text, count in Counter(texts).items()
            if count > 1
        ]


def spread(cluster: LocalCluster, prefix: str, name: str, per_master: int) -> dict[str, int]:
    """Conversation ids, `per_master` on each master, with the port of their master."""
    chosen: dict[str, int] = {}
    counts: Counter[int] = Counter()
    for number in range(1000):
        conversation_id = f"{name}-{number}"
        master = cluster.master_of(f"{prefix}:conv:{{{conversation_id}}}:events")
        if counts[master] < per_master:
            chosen[conversation_id] = master
            counts[master] += 1
        if len(chosen) == per_master * len(cluster.masters()):
            return chosen
    raise AssertionError("the slots did not spread over the masters")


class _Replica:
    def __init__(self, store: RedisTrackerStore) -> None:
        domain = load_domain(REPO / "domain.yml")
        actions = ActionRegistry(domain, load_custom_actions(REPO, domain))
        self.store = store
        self.engine = Engine(domain, RulePolicy(domain), store, actions, StoryExporter(REPO / "x"))


async def failover(cluster: LocalCluster, prefix: str) -> Failover:
    settings = RedisSettings(cluster.url, prefix, cluster=True)
    conversations = spread(cluster, prefix, "user", PER_MASTER)
    trainers = spread(cluster, prefix, "trainer", 1)
    victim = next(iter(conversations.values()))
    replicas = [_Replica(await RedisTrackerStore.connect(settings)) for _ in range(2)]
    try:
        for trainer in trainers:
            await replicas[0].engine.handle(trainer, UserMessage("/greet"), trainer=True)
        before = {tid: (await replicas[1].store.load(tid)).pending for tid in trainers}
        run = _Traffic(replicas, list(conversations))
        killing = asyncio.create_task(run.kill_when_ready(cluster, victim))
        await asyncio.wait_for(asyncio.gather(run.all(), killing), TIME_LIMIT)
        after = {tid: (await replicas[1].store.load(tid)).pending for tid in trainers}
        stored, corrupt = await _read_back(replicas[1].store, list(conversations))
    finally:
        for replica in replicas:
            await replica.store.close()
    return Failover(
        killed=str(victim),
        sent=run.sent,
        stored=stored,
        corrupt=corrupt,
        questions=(before, after),
        takeover_seconds=run.taken_over - run.killed_at,
        resumed_seconds=max(
            run.resumed.get(cid, run.killed_at) for cid, m in conversations.items() if m == victim
        )
        - run.killed_at,
        answered_after=dict(run.after),
    )


class _Traffic:
    """Every replica sends to every conversation, one message after the other."""

    def __init__(self, replicas: list[_Replica], conversations: list[str]) -> None:
        self.replicas = replicas
        self.conversations = conversations
        self.sent = {cid: Sent() for cid in conversations}
        self.answered: Counter[tuple[int, str]] = Counter()
        self.after: Counter[tuple[int, str]] = Counter()
        self.killed_at = self.taken_over = float("inf")
        self.interrupted: set[str] = set()
        """Conversations with a turn refused after the kill."""
        self.resumed: dict[str, float] = {}
        """When each of them had its first answered turn after that."""

    async def all(self) -> None:
        await asyncio.gather(
            *(self.sender(r, cid) for r in range(len(self.replicas)) for cid in self.conversations)
        )

    async def sender(self, replica: int, conversation_id: str) -> None:
        engine, sent = self.replicas[replica].engine, self.sent[conversation_id]
        for number in range(MAX_MESSAGES):
            text = search(f"r{replica}-{number}")
            outputs = await engine.handle(conversation_id, UserMessage(text), trainer=False)
            if BotMessage in map(type, outputs):
                sent.acknowledged.append(text)
                self.answered[replica, conversation_id] += 1
                if conversation_id in self.interrupted:
                    self.resumed.setdefault(conversation_id, time.monotonic())
                if time.monotonic() > self.taken_over:
                    self.after[replica, conversation_id] += 1
            else:
                sent.refused.append(text)
                if time.monotonic() > self.killed_at:
                    self.interrupted.add(conversation_id)
            if self.after[replica, conversation_id] >= RESUMED:
                return
            await asyncio.sleep(PAUSE)

    async def kill_when_ready(self, cluster: LocalCluster, victim: int) -> None:
        senders = len(self.replicas) * len(self.conversations)
        while sum(count >= BEFORE for count in self.answered.values()) < senders:
            await asyncio.sleep(0.01)
        self.killed_at = time.monotonic()
        await asyncio.to_thread(cluster.kill, victim)
        await asyncio.to_thread(cluster.wait_until, lambda: victim not in cluster.masters(), "")
        await asyncio.to_thread(cluster.wait_until, cluster.serving, "a replica took over")
        self.taken_over = time.monotonic()


async def _read_back(
    store: RedisTrackerStore, conversations: list[str]
) -> tuple[dict[str, list[str]], list[str]]:
    stored, corrupt = {}, []
    for conversation_id in conversations:
        events = (await store.load(conversation_id)).events
        cut = turns(events)
        stored[conversation_id] = [text for text, _ in cut]
        whole = all(is_whole(text, turn) for text, turn in cut)
        if not whole or sum(isinstance(e, UserUttered) for e in events) != len(cut):
            corrupt.append(conversation_id)
    return stored, corrupt

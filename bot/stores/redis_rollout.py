"""Model rollout through Redis: one retrain at a time per bot, every replica on the newest model.

Keys, under the bot's prefix:

    <prefix>:model:claim    who retrains: a token set with NX and an expiry, renewed while the
                            retrain runs, so a replica that dies frees it within CLAIM_SECONDS
    <prefix>:model:latest   the newest published version
    <prefix>:model:v:<n>    version n's model folder as tar.gz (the last KEEP versions)
    <prefix>:model:live     pub/sub channel: the version just published, and
                            `taught <replica> <conversation id>` when a trainer just taught

A replica that misses a notice (it was down, or its connection dropped) catches up from
`latest` when it starts or reconnects. Redis errors leave as StoreUnavailableError (Redis cannot
be reached) or StoreError.

On a Redis Cluster each key is a slot of its own (no script or transaction spans two), and a
notice published on any node reaches the subscribers of every node. The listener subscribes
again after an error, so that it follows a failover to the node that now serves its channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio.client import PubSub

from bot.background import BackgroundTasks
from bot.errors import StoreError
from bot.stores.redis_client import (
    FAILED,
    RedisClient,
    connect,
    redis_errors,
)
from bot.stores.settings import RedisSettings

log = logging.getLogger(__name__)
CLAIM_SECONDS = 30.0
KEEP = 3
LISTEN_TIMEOUT = 1.0
LISTENING = "listening for published models"
TAUGHT = "taught"
"""The listener's name among the background tasks."""
_RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"  # noqa: E501
_RELEASE = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
)
_RAISE_LATEST = (
    "if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then "
    "redis.call('SET', KEYS[1], ARGV[1]) end return 1"
)


class RedisRollout:
    """Implements `policy.deployer.Rollout`. Use `await RedisRollout.connect(settings)`."""

    def __init__(self, client: RedisClient, settings: RedisSettings, claim_seconds: float) -> None:
        self._redis = client
        self._shown_url = settings.shown_url
        self._prefix = f"{settings.prefix}:model"
        self._claim_ms = int(claim_seconds * 1000)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._raise_latest = client.register_script(_RAISE_LATEST)
        self._listener: asyncio.Task[Any] | None = None
        self._replica = uuid.uuid4().hex[:12]
        """This replica's name in the notices it sends, so that it ignores its own."""

    @classmethod
    async def connect(
        cls, settings: RedisSettings, claim_seconds: float = CLAIM_SECONDS
    ) -> RedisRollout:
        client = await connect(settings, socket_connect_timeout=1.0)  # bytes: model files
        return cls(client, settings, claim_seconds)

    def _guard(self) -> contextlib.AbstractAsyncContextManager[None]:
        return redis_errors(f"Redis at {self._shown_url}")

    @contextlib.asynccontextmanager
    async def claim(self) -> AsyncIterator[bool]:
        key, token = f"{self._prefix}:claim", uuid.uuid4().hex
        async with self._guard():
            claimed = await self._redis.set(key, token, nx=True, px=self._claim_ms)
        if not claimed:
            yield False
            return
        # Lives inside this block: cancelled and awaited at its end; _keep logs its own failures.
        renewing = asyncio.create_task(self._keep(key, token))
        try:
            yield True
        finally:
            renewing.cancel()
            await asyncio.gather(renewing, return_exceptions=True)
            async with self._guard():
                await self._release(keys=[key], args=[token])

    async def _keep(self, key: str, token: str) -> None:
        while True:
            await asyncio.sleep(self._claim_ms / 3000)
            try:
                renewed = await self._renew(keys=[key], args=[token, self._claim_ms])
            except FAILED as exc:  # the claim may lapse: another replica may
                log.warning("cannot renew the retrain claim %s: %s", key, exc)  # retrain too
                continue
            if not renewed:
                log.warning("the retrain claim %s expired while retraining", key)
                return

    async def latest(self) -> int:
        async with self._guard():
            return int(await self._redis.get(f"{self._prefix}:latest") or 0)

    async def publish(self, version: int, packed: bytes) -> None:
        async with self._guard():
            async with self._redis.pipeline(transaction=False) as pipe:  # two slots
                pipe.set(f"{self._prefix}:v:{version}", packed)
                pipe.delete(f"{self._prefix}:v:{version - KEEP}")
                await pipe.execute()
            await self._raise_latest(keys=[f"{self._prefix}:latest"], args=[version])
            await self._redis.publish(f"{self._prefix}:live", str(version))

    async def fetch(self, version: int) -> bytes | None:
        async with self._guard():
            packed = await self._redis.get(f"{self._prefix}:v:{version}")
        return packed if isinstance(packed, bytes) else None  # a binary client: bytes or None

    async def announce(self, conversation_id: str) -> None:
        async with self._guard():
            notice = f"{TAUGHT} {self._replica} {conversation_id}"
            await self._redis.publish(f"{self._prefix}:live", notice)

    async def start(
        self,
        on_published: Callable[[int], None],
        tasks: BackgroundTasks,
        on_taught: Callable[[str], None] | None = None,
    ) -> None:
        """Listen for published versions and what other replicas' trainers taught, as one of
        `tasks` (LISTENING), until `stop`."""
        async with self._guard():
            pubsub = await self._subscribed()
        heard = Heard(on_published, on_taught, self._replica)
        self._listener = tasks.spawn(self._listen(pubsub, heard), LISTENING)

    async def _subscribed(self) -> PubSub:
        channel = f"{self._prefix}:live"
        # A keyed command first: a cluster client then knows which node serves the channel's
        # slot now (after a failover), and its pub/sub connects there.
        await self._redis.exists(channel)
        pubsub = self._redis.pubsub()
        try:
            await pubsub.subscribe(channel)
        except BaseException:
            await _closed(pubsub)
            raise
        return pubsub

    async def _listen(self, pubsub: PubSub | None, heard: Heard) -> None:
        try:
            while True:
                try:
                    async with self._guard():
                        if pubsub is None:  # notices published while it was down are lost
                            pubsub = await self._subscribed()
                            newest = await self.latest()
                            if newest:
                                heard.on_published(newest)
                        message = await pubsub.get_message(
                            ignore_subscribe_messages=True, timeout=LISTEN_TIMEOUT
                        )
                except StoreError as exc:
                    log.warning("model notices from Redis failed (%s); listening again", exc)
                    if pubsub is not None:
                        await _closed(pubsub)
                    pubsub = None
                    await asyncio.sleep(LISTEN_TIMEOUT)
                    continue
                if message is not None:
                    heard.notice(message["data"])
        finally:
            if pubsub is not None:
                await _closed(pubsub)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)  # reported by its tasks
        await self._redis.aclose()


@dataclass(frozen=True)
class Heard:
    """Who hears the notices of the channel: a version published, or a conversation a trainer
    taught on another replica (not this one: `replica`)."""

    on_published: Callable[[int], None]
    on_taught: Callable[[str], None] | None
    replica: str

    def notice(self, data: Any) -> None:
        """Tell who hears this notice; a notice that names neither is ignored, with a warning."""
        text = data.decode(errors="replace") if isinstance(data, bytes) else str(data)
        kind, _, rest = text.partition(" ")
        if kind == TAUGHT:
            replica, _, conversation_id = rest.partition(" ")
            if conversation_id and replica != self.replica and self.on_taught is not None:
                self.on_taught(conversation_id)
            return
        try:
            version = int(text)
        except ValueError:
            log.warning("ignored a model notice that names no version: %.100r", data)
            return
        self.on_published(version)


async def _closed(pubsub: PubSub) -> None:
    with contextlib.suppress(*FAILED):
        await pubsub.aclose()

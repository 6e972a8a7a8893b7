"""The review queue of a `RedisTrackerStore` (see bot/stores/review_queue.py for the contract).

Every command names one key (or one conversation's keys), so the queue works the same on a
Redis Cluster. The index `<prefix>:review:flags` lists the flags; a conversation's own
`...:flags` hash is the record written with its turn, checked before a claim (an index entry
whose append failed is dropped then). A claim is `SET NX` with an expiry on
`<prefix>:review:claim:<flag key>`; `<prefix>:review:by:<trainer>` names the flag a trainer has
open, with the same expiry. Expiries are Redis's clock, so replicas need not agree on time.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.review import Flag, read_key
from bot.stores.redis import RedisTrackerStore


class RedisReviewQueue:
    def __init__(self, store: RedisTrackerStore) -> None:
        self._store = store
        self._redis = store.client

    def _claim_key(self, key: str) -> str:
        return f"{self._store.prefix}:review:claim:{key}"

    def _by_key(self, trainer: str) -> str:
        return f"{self._store.prefix}:review:by:{trainer}"

    async def flags(self) -> list[Flag]:
        async with self._store.guarded():
            stored = await self._redis.hgetall(self._store.review_index)
        return [Flag.from_json(data, f"review flag {key!s}") for key, data in stored.items()]

    async def claim(self, flag: Flag, trainer: str, until: float, now: float) -> bool:
        ms = max(1, int((until - now) * 1000))
        claim = self._claim_key(flag.key)
        async with self._store.guarded():
            flags_key = self._store.flags_key(flag.conversation_id)
            if not await self._redis.hexists(flags_key, str(flag.position)):
                await self._redis.hdel(self._store.review_index, flag.key)  # its append failed
                return False
            if not await self._redis.set(claim, trainer, nx=True, px=ms):
                return False
            await self._redis.set(self._by_key(trainer), flag.key, px=ms)
        return True

    async def opened(self, trainer: str, now: float) -> Flag | None:
        async with self._store.guarded():
            key = await self._redis.get(self._by_key(trainer))  # text: decode_responses
            if not isinstance(key, str) or await self._redis.get(self._claim_key(key)) != trainer:
                return None
            data = await self._redis.hget(self._store.review_index, key)
        return None if data is None else Flag.from_json(data, "review flag " + key)

    async def leave(self, trainer: str) -> None:
        async with self._store.guarded():
            await self._redis.delete(self._by_key(trainer))

    async def remove(self, flags: Sequence[Flag]) -> None:
        if not flags:
            return
        async with self._store.guarded(), self._redis.pipeline(transaction=False) as pipe:
            for flag in flags:
                conversation_id, position = read_key(flag.key)
                pipe.hdel(self._store.review_index, flag.key)
                pipe.hdel(self._store.flags_key(conversation_id), str(position))
                pipe.delete(self._claim_key(flag.key))
            await pipe.execute()

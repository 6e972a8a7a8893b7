"""A trainer's review of users' flagged turns, through the teaching flow itself.

`/review` claims the most useful flagged turn (bot/review.ranked) for the trainer's chat and
opens it in a conversation of its own, `review:<position>:<id>`, seeded with the user's
conversation up to the flagged message; its question is the action the bot ran then. While it
is open, the engine routes the trainer's answers there (`Engine.reviews`), so the buttons, the
choices, the intent and entity fixes and the learner are those of teaching: the reviewed
conversation is training data exactly as if the trainer had taught it, and sticks at once. The
user's conversation is only read. When the review conversation has no open question left, the
turn leaves the queue. `/review` with a turn open skips it (its claim lapses later, then it is
back in the queue); `/dismiss` drops it as not useful.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Literal

from bot import texts
from bot.engine import Engine
from bot.errors import StoreError
from bot.outputs import Notice, Output
from bot.review import Flag, ReviewRules, expired, ranked, review_seed, summarize
from bot.stores.review_queue import ReviewQueue
from bot.teaching import Question

log = logging.getLogger(__name__)
Outcome = Literal["reviewed", "not_useful"]


class ReviewDesk:
    def __init__(
        self,
        engine: Engine,
        queue: ReviewQueue,
        rules: ReviewRules,
        *,
        on_reviewed: Callable[[Outcome], None] = lambda outcome: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.queue = queue
        self.rules = rules
        self._on_reviewed = on_reviewed
        self._clock = clock

    async def waiting(self) -> list[Flag]:
        """The flags to review, claimed or not; those past the retention time are dropped."""
        now = self._clock()
        flags = await self.queue.flags()
        old = [flag for flag in flags if expired(flag, self.rules, now)]
        if old:
            await self.queue.remove(old)
        return [flag for flag in flags if not expired(flag, self.rules, now)]

    async def next(self, trainer: str) -> list[Output]:
        """`/review`: leaves the open turn (a skip) and opens the most useful free one."""
        await self.queue.leave(trainer)
        flags = ranked(await self.waiting())
        for flag in flags:
            now = self._clock()
            if not await self.queue.claim(flag, trainer, now + self.rules.claim_seconds, now):
                continue
            shown = await self._open(flag)
            if shown:
                intro = texts.reviewing(flag.reasons, flag.conversation_id)
                return [Notice(_summary(flags)), Notice(intro), *shown]
            await self.queue.remove([flag])  # its message is gone: expired, or never stored
        return [Notice(texts.all_claimed(len(flags)) if flags else texts.NOTHING_TO_REVIEW)]

    async def dismiss(self, trainer: str) -> list[Output]:
        """`/dismiss`: the open turn is not useful; it leaves the queue untaught."""
        flag = await self.queue.opened(trainer, self._clock())
        if flag is None:
            return [Notice(texts.NO_REVIEW_OPEN)]
        await self.queue.remove([flag])
        self._on_reviewed("not_useful")
        return await self.next(trainer)

    async def reviewing(self, trainer: str) -> str | None:
        """The review conversation the trainer's answers go to, if a turn is open."""
        try:
            flag = await self.queue.opened(trainer, self._clock())
        except StoreError as exc:  # the trainer's own conversation answers instead
            log.warning("review queue: %s", exc)
            return None
        return None if flag is None else flag.review_id

    async def answered(self, trainer: str, review_id: str, outputs: list[Output]) -> list[Output]:
        """After an answer in `review_id`: once it has no open question, the turn is done.
        A store failure here leaves the turn open: the next answer finishes it."""
        try:
            return await self._finish_if_done(trainer, review_id, outputs)
        except StoreError as exc:
            log.warning("review %s: %s", review_id, exc)
            return outputs

    async def _finish_if_done(
        self, trainer: str, review_id: str, outputs: list[Output]
    ) -> list[Output]:
        if (await self.engine.store.load_tail(review_id)).pending is not None:
            return outputs
        flag = await self.queue.opened(trainer, self._clock())
        if flag is not None and flag.review_id == review_id:
            await self.queue.remove([flag])
            self._on_reviewed("reviewed")
        await self.queue.leave(trainer)
        left = len(await self.waiting())
        return [*outputs, Notice(texts.reviewed(left))]

    async def _open(self, flag: Flag) -> list[Output]:
        """The review conversation's question, seeding it first; [] when there is nothing
        to review any more."""
        store = self.engine.store
        async with store.turn(flag.review_id) as turn:
            if turn.tail.length == 0:  # else: seeded before, by a claim that lapsed
                seed = review_seed((await store.load(flag.conversation_id)).events, flag)
                if seed is None:
                    return []
                asked = (seed.action, seed.confidence, seed.policy or "review")
                question = Question(uuid.uuid4().hex[:8], "confirm", *asked)
                await turn.commit(seed.events, pending=question, snapshot=None)
        return await self.engine.pending_outputs(flag.review_id)


def _summary(flags: list[Flag]) -> str:
    found = summarize(flags)
    return texts.review_summary(found.total, found.top_intent, found.top_count)

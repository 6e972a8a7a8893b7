"""The review inbox as pure logic: which users' turns are worth a trainer's look, in which order.

A turn of a user's (not a trainer's) conversation is flagged when the NLU or the policy was
unsure of it (config.yml's `review:` thresholds), when it hit a fallback (`nlu_fallback`,
`action_default_fallback`), or when the user said the same thing again. The `Flag` is written by
the turn's own commit (`StoredTurn.commit(..., flag=)`), so flagging costs no write of its own.
A flag points at the user's message in its conversation (`position`); it copies the text only
when `keep_text` allows it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bot.errors import StoreError
from bot.events import ACTION_DEFAULT_FALLBACK, ActionExecuted, Event, SlotSet, UserUttered
from bot.nlu.model import NLU_FALLBACK
from bot.nlu.normalised import normalised

REVIEW_PREFIX = "review:"
"""Conversations a trainer reviews in are named `review:<position>:<original id>`."""


@dataclass(frozen=True)
class ReviewRules:
    """config.yml's `review:` section."""

    enabled: bool = True
    nlu_threshold: float = 0.5
    """A message read with a lower intent confidence is flagged."""
    action_threshold: float = 0.5
    """A turn whose policy chose an action with a lower confidence is flagged."""
    fallbacks: bool = True
    repeats: bool = True
    """A message the same as the user's previous one (case and spaces aside) is flagged."""
    keep_text: bool = True
    """False: a flag keeps no copy of the user's text (the review reads the conversation)."""
    retention_days: float = 30.0
    """Flags older than this are dropped, reviewed or not."""
    claim_seconds: float = 900.0
    """How long a turn a trainer opened stays theirs (another trainer never gets it meanwhile)."""


@dataclass(frozen=True)
class Flag:
    """A user's turn to review: the message at `position` of `conversation_id`."""

    conversation_id: str
    position: int
    intent: str
    nlu_confidence: float | None
    action: str | None
    """The first action the bot ran after the message."""
    action_confidence: float | None
    """The lowest confidence of the actions the bot ran after the message."""
    reasons: tuple[str, ...]
    """"nlu", "action", "fallback", "repeat"."""
    at: float
    text: str | None = None

    @property
    def key(self) -> str:
        """Unique in a store: the position, then the id (which may hold any character)."""
        return flag_key(self.conversation_id, self.position)

    @property
    def confidence(self) -> float:
        known = [c for c in (self.nlu_confidence, self.action_confidence) if c is not None]
        return min(known, default=1.0)

    @property
    def review_id(self) -> str:
        """The trainer's conversation this turn is reviewed in."""
        return f"{REVIEW_PREFIX}{self.key}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes, where: str) -> Flag:
        try:
            data: dict[str, Any] = json.loads(text)
            data["reasons"] = tuple(data["reasons"])
            return cls(**data)
        except (ValueError, TypeError, KeyError) as exc:
            raise StoreError(f"{where}: a review flag is not valid: {exc}") from exc


def flag_key(conversation_id: str, position: int) -> str:
    return f"{position}:{conversation_id}"


def read_key(key: str) -> tuple[str, int]:
    """(conversation id, position) of `Flag.key`."""
    position, _, conversation_id = key.partition(":")
    return conversation_id, int(position)


def flag_turn(
    conversation_id: str,
    start: int,
    events: Sequence[Event],
    previous: UserUttered | None,
    rules: ReviewRules,
    now: float,
) -> Flag | None:
    """The flag of a user's turn (`events` appended at position `start`), or None.

    `previous` is the user's message before this turn's, for the repeat rule.
    """
    said = [i for i, event in enumerate(events) if isinstance(event, UserUttered)]
    if not rules.enabled or not said:
        return None
    index = said[-1]
    message = events[index]
    assert isinstance(message, UserUttered)
    actions = [e for e in events[index + 1 :] if isinstance(e, ActionExecuted)]
    confidences = [a.confidence for a in actions if a.confidence is not None]
    action_confidence = min(confidences, default=None)
    reasons = []
    if message.confidence is not None and message.confidence < rules.nlu_threshold:
        reasons.append("nlu")
    if action_confidence is not None and action_confidence < rules.action_threshold:
        reasons.append("action")
    fell_back = message.intent == NLU_FALLBACK or any(
        a.name == ACTION_DEFAULT_FALLBACK for a in actions
    )
    if rules.fallbacks and fell_back:
        reasons.append("fallback")
    if rules.repeats and previous and normalised(previous.text) == normalised(message.text):
        reasons.append("repeat")
    if not reasons:
        return None
    return Flag(
        conversation_id,
        start + index,
        message.intent,
        message.confidence,
        actions[0].name if actions else None,
        action_confidence,
        tuple(reasons),
        now,
        message.text if rules.keep_text else None,
    )


def ranked(flags: Iterable[Flag]) -> list[Flag]:
    """Most useful first: usefulness is how unsure the bot was (1 - confidence, at least 0.1
    so that repeats count) times how many flagged turns share the message's intent — a fix
    of a frequent kind of message helps most. Older first among equals."""
    flags = list(flags)
    counts = Counter(flag.intent for flag in flags)

    def usefulness(flag: Flag) -> float:
        return max(1.0 - flag.confidence, 0.1) * counts[flag.intent]

    return sorted(flags, key=lambda flag: (-usefulness(flag), flag.at, flag.key))


def expired(flag: Flag, rules: ReviewRules, now: float) -> bool:
    return now - flag.at > rules.retention_days * 86400


@dataclass(frozen=True)
class Summary:
    """What a trainer hears on demand: how many, and the most frequent kind."""

    total: int
    top_intent: str | None
    top_count: int


def summarize(flags: Iterable[Flag]) -> Summary:
    counts = Counter(flag.intent for flag in flags)
    if not counts:
        return Summary(0, None, 0)
    intent, count = max(counts.items(), key=lambda item: (item[1], item[0]))
    return Summary(sum(counts.values()), intent, count)


@dataclass(frozen=True)
class Seed:
    """What a review conversation starts from: the user's conversation up to the flagged
    message (and the slots it set), and the action the bot ran then, as the question."""

    events: tuple[Event, ...]
    action: str
    confidence: float
    policy: str


def review_seed(events: Sequence[Event], flag: Flag) -> Seed | None:
    """The seed of `flag` in its conversation's `events`; None when the conversation no longer
    holds that message (it expired, or the flagged append failed)."""
    position = flag.position
    message = events[position] if position < len(events) else None
    if not isinstance(message, UserUttered) or message.intent != flag.intent:
        return None
    end = position + 1
    while end < len(events) and isinstance(events[end], SlotSet):
        end += 1
    action = next((e for e in events[end:] if isinstance(e, ActionExecuted)), None)
    if action is None:
        return None
    return Seed(tuple(events[:end]), action.name, action.confidence or 0.0, action.policy or "")

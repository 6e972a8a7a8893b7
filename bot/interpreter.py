"""What a user message means: a typed intent (`/intent{"entity": "value"}`, as in the seed) or
free text, read by an interpreter (NLU).

Typed intents bypass the interpreter. Free text below the confidence threshold, or of no intent
the domain knows, becomes `nlu_fallback`: Rasa's name, an intent every domain has, which
stories can answer and which by default runs `action_default_fallback` (policy/ensemble.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot import texts
from bot.domain import Domain
from bot.errors import InputError
from bot.nlu.model import NLU_FALLBACK, OUT_OF_SCOPE, Understanding

MAX_MESSAGE_CHARS = 2000
DEFAULT_THRESHOLD = 0.3
"""Rasa's FallbackClassifier default: below this confidence a message is `nlu_fallback`."""
MAX_ENTITY_DEPTH = 20
"""How deeply entity values may nest: deeper ones are refused before anything copies them
(Python's copies and JSON writers recurse, and stop near a thousand levels)."""
_TOO_DEEP = f"nested deeper than {MAX_ENTITY_DEPTH} levels"
_INTENT = re.compile(r"(?P<intent>[\w.-]+)(?:@\S+?)?\s*(?P<entities>\{.*\})?\s*$", re.DOTALL)


@dataclass(frozen=True)
class ParsedMessage:
    text: str
    intent: str
    entities: dict[str, Any] = field(default_factory=dict)
    confidence: float | None = None
    """How sure the interpreter was; None for a typed intent."""


class Interpreter(Protocol):
    async def parse(self, text: str) -> Understanding:
        """Every intent it knows, ranked, and the entities it found in `text`."""
        ...


@dataclass(frozen=True)
class Nlu:
    """Free text: who reads it, and below which confidence it is `nlu_fallback`."""

    interpreter: Interpreter
    threshold: float = DEFAULT_THRESHOLD

    async def read(self, text: str, domain: Domain) -> ParsedMessage:
        text = checked(text)
        return understood(await self.interpreter.parse(text), domain, self.threshold)


def understood(understanding: Understanding, domain: Domain, threshold: float) -> ParsedMessage:
    """What the domain makes of an interpreter's reading: its best-ranked intent the domain
    knows, or `nlu_fallback` (every domain has it, as in Rasa) below the threshold or when the
    best is `out_of_scope` the domain does not list; and the entities the domain has, by name."""
    known = [
        (name, p)
        for name, p in understanding.intents
        if name in domain.intents or name == OUT_OF_SCOPE
    ]
    best, confidence = known[0] if known else (NLU_FALLBACK, 0.0)
    if confidence < threshold or best not in domain.intents:
        best = NLU_FALLBACK
    entities = {s.entity: s.value for s in understanding.entities if s.entity in domain.entities}
    return ParsedMessage(understanding.text, best, entities, confidence)


TYPED_ANYWHERE = ("/", "!")
"""The prefixes of typed intents on every platform (Slack's `!` included): a text that starts
with one was never read by the NLU, so it teaches the NLU nothing."""


def is_typed(text: str, prefixes: tuple[str, ...]) -> bool:
    """A typed intent (`/greet`), which no interpreter reads."""
    return text.strip().startswith(prefixes)


def checked(text: str) -> str:
    """The message without surrounding space; refused when empty or too long."""
    text = text.strip()
    if not text:
        raise InputError(texts.EMPTY_MESSAGE)
    if len(text) > MAX_MESSAGE_CHARS:
        raise InputError(texts.message_too_long(len(text), MAX_MESSAGE_CHARS))
    if not _is_text(text):  # a lone surrogate: no text a person typed
        raise InputError(texts.NOT_TEXT)
    return text


def parse_message(text: str, domain: Domain, prefixes: tuple[str, ...] = ("/",)) -> ParsedMessage:
    """Parse a typed intent; every error message says how to type it right.

    `prefixes` are the characters that start an intent ("/" everywhere, "!" too on Slack);
    `/greet@MyBot` (a Telegram group command) is read as `/greet`.
    """
    text = checked(text)
    prefix = next((p for p in prefixes if text.startswith(p)), None)
    if prefix is None:
        raise InputError(texts.no_nlu_hint(prefixes[0], domain.intents))
    match = _INTENT.fullmatch(text[len(prefix) :])
    if match is None:
        raise InputError(texts.bad_intent_syntax(prefix))
    intent = match["intent"]
    if intent not in domain.intents:
        raise InputError(texts.unknown_intent(intent, prefix, domain.intents))
    entities = _parse_entities(match["entities"], domain) if match["entities"] else {}
    return ParsedMessage(text=text, intent=intent, entities=entities)


def _json_problem(value: Any) -> str | None:
    """Why parsed JSON cannot be stored: too deep, or text with an escaped lone surrogate
    (`"\\ud800"`), which no UTF-8 store can hold; None when it can be."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_ENTITY_DEPTH:
            return _TOO_DEEP
        if isinstance(item, dict):
            stack += [(key, depth) for key in item] + [(v, depth + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, depth + 1) for v in item]
        elif isinstance(item, str) and not _is_text(item):
            return "a text holds a lone surrogate such as \\ud800, which is no character"
    return None


def _is_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parse_entities(raw: str, domain: Domain) -> dict[str, Any]:
    try:
        entities = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(texts.bad_entity_json(raw, exc.msg)) from exc
    except RecursionError as exc:
        raise InputError(texts.bad_entity_json(raw, _TOO_DEEP)) from exc
    if not isinstance(entities, dict):
        raise InputError(texts.bad_entity_json(raw, "expected a JSON object"))
    if problem := _json_problem(entities):
        raise InputError(texts.bad_entity_json(raw, problem))
    unknown = [name for name in entities if name not in domain.entities]
    if unknown:
        raise InputError(texts.unknown_entities(unknown, domain.entities))
    return entities

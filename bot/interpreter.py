"""Typed intents: `/intent{"entity": "value"}` in place of an NLU model, as in the seed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from bot import texts
from bot.domain import Domain
from bot.errors import InputError

MAX_MESSAGE_CHARS = 2000
_INTENT = re.compile(r"(?P<intent>[\w.-]+)(?:@\S+?)?\s*(?P<entities>\{.*\})?\s*$", re.DOTALL)


@dataclass(frozen=True)
class ParsedMessage:
    text: str
    intent: str
    entities: dict[str, Any] = field(default_factory=dict)


def parse_message(text: str, domain: Domain, prefixes: tuple[str, ...] = ("/",)) -> ParsedMessage:
    """Parse a typed intent; every error message says how to type it right.

    `prefixes` are the characters that start an intent ("/" everywhere, "!" too on Slack);
    `/greet@MyBot` (a Telegram group command) is read as `/greet`.
    """
    text = text.strip()
    if not text:
        raise InputError(texts.EMPTY_MESSAGE)
    if len(text) > MAX_MESSAGE_CHARS:
        raise InputError(texts.message_too_long(len(text), MAX_MESSAGE_CHARS))
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


def _parse_entities(raw: str, domain: Domain) -> dict[str, Any]:
    try:
        entities = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(texts.bad_entity_json(raw, exc.msg)) from exc
    if not isinstance(entities, dict):
        raise InputError(texts.bad_entity_json(raw, "expected a JSON object"))
    unknown = [name for name in entities if name not in domain.entities]
    if unknown:
        raise InputError(texts.unknown_entities(unknown, domain.entities))
    return entities

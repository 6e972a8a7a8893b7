"""Which variation of a domain response the bot says, as Rasa 3's NLG picks it, and that
variation with its `{slot}` placeholders filled in.

Pure. Rasa's rule: the variations whose `condition` holds on the current slots (every
`{type: slot, name, value}` of it), when any does; else the variations without a condition.
Rasa then prefers the variations for the channel the message goes out on (`channel:`); ozbot's
actions do not know the channel, so a channel's variation is left out while there are others,
and said only by a response that has nothing else to say.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from bot.domain import Response
from bot.templating import fill
from bot.templating import placeholders as placeholders_of


def candidates(variations: Sequence[Response], slots: Mapping[str, Any]) -> list[Response]:
    """The variations the bot picks among on `slots`; [] when only conditional variations
    exist and none of their conditions holds (Rasa says nothing then)."""
    held = [v for v in variations if _condition(v) and _holds(_condition(v), slots)]
    pool = held or [v for v in variations if not _condition(v)]
    return [v for v in pool if not v.extra.get("channel")] or pool


def choose(
    variations: Sequence[Response], slots: Mapping[str, Any], rng: random.Random | None = None
) -> Response | None:
    """One of the `candidates` at random, None when there is none."""
    pool = candidates(variations, slots)
    return (rng or random).choice(pool) if pool else None


def filled(variation: Response, values: Mapping[str, Any]) -> Response:
    """The variation with `{name}` replaced by its value wherever Rasa fills it: the text, the
    image URL, the buttons' titles and payloads, the custom payload's texts."""
    return replace(
        variation,
        text=fill(variation.text, values),
        image=fill(variation.image, values),
        buttons=tuple((fill(t, values), fill(p, values)) for t, p in variation.buttons),
        custom=_filled(variation.custom, values),
    )


def placeholders(variation: Response) -> list[str]:
    """The `{name}` placeholders of a variation, wherever `filled` fills them."""
    texts = [variation.text, variation.image, *(part for b in variation.buttons for part in b)]
    return [name for text in [*texts, *_texts(variation.custom)] for name in placeholders_of(text)]


def condition_slots(variation: Response) -> list[str]:
    """The slots a variation's condition asks about."""
    return [each["name"] for each in _condition(variation)]


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for item in items for text in _texts(item)]


def _condition(variation: Response) -> list[dict[str, Any]]:
    return variation.extra.get("condition") or []


def _holds(condition: list[dict[str, Any]], slots: Mapping[str, Any]) -> bool:
    return all(slots.get(each["name"]) == each.get("value") for each in condition)


def _filled(value: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return fill(value, values)
    if isinstance(value, dict):
        return {key: _filled(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, values) for item in value]
    return value

"""Where an entity's value stands in a message: its span, found again from the value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.nlu.model import EntitySpan


def located(text: str, entities: Mapping[str, Any]) -> tuple[EntitySpan, ...]:
    """The entities whose value stands in the text (case aside), where it stands, in order."""
    spans = []
    for entity, value in entities.items():
        found = find_value(text, value)
        if found is not None:
            spans.append(EntitySpan(*found, entity, value))
    return tuple(sorted(spans, key=lambda span: span.start))


def find_value(text: str, value: Any) -> tuple[int, int] | None:
    """(start, end) of the value's first appearance in the text, case aside; None if absent.

    Searched in the text itself: lower-casing first can change a text's length ("İ")."""
    written = str(value)
    found = re.search(re.escape(written), text, re.IGNORECASE) if written else None
    return None if found is None else found.span()

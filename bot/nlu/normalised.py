"""When two messages are the same message: a trainer's reading of one holds for the other."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalised(text: str) -> str:
    """The text as the same text however typed: Unicode composed (NFC), case folded, spaces
    collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).casefold().strip())

""" "Did you mean ...?" for a misspelt name: the closest known one, if any is close enough."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """` (did you mean 'greet'?)` for `greeet`, or "" when nothing known is close."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""

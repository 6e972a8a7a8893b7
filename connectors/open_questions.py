"""The question messages a connector sent, by question id: a question answered by a typed
message (the entities marked again) then shows its decision on its own message, as a press
does. Bounded, and of this process only: after a restart, or for a question another replica
sent, the decision is a message of its own."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

Sent = TypeVar("Sent")
KEPT = 1000
"""Question messages remembered at most (the oldest go first)."""


class OpenQuestions(Generic[Sent]):
    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._sent: OrderedDict[str, Sent] = OrderedDict()

    def remember(self, question_id: str, sent: Sent) -> None:
        self._sent[question_id] = sent
        self._sent.move_to_end(question_id)
        while len(self._sent) > self._kept:
            self._sent.popitem(last=False)

    def answered(self, question_id: str) -> Sent | None:
        """The question's message, forgotten now; None when this process did not send it."""
        return self._sent.pop(question_id, None)

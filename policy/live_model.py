"""The model that serves now: the live version (its policy and parts, such as the NLU), plus
what was taught after it was trained."""

from __future__ import annotations

from typing import Any

from bot.domain import Domain
from bot.policy import ModelStatus, Prediction
from bot.tracker import Tracker
from policy.ensemble import EnsemblePolicy
from policy.model_store import Version, VersionRecord
from policy.taught import TaughtConversations


class LiveModel:
    """Implements `bot.policy.Policy`; the source of a trainer's /status.

    Teaching goes to the live version's memoization, so that a correction holds for the very
    next prediction; a version swapped in is taught again what it did not learn from.
    """

    def __init__(
        self,
        domain: Domain,
        live: Version | EnsemblePolicy,
        taught: TaughtConversations,
        stories: int = 0,
    ) -> None:
        """`live` is a version on disk, or a bare policy for a model not saved yet (then
        `stories` is what /status shows it learned from)."""
        self.domain = domain
        self._taught = taught
        self._stories = stories
        self._policy = live.policy if isinstance(live, Version) else live
        self._record: VersionRecord | None = live.record if isinstance(live, Version) else None
        self._parts = live.parts if isinstance(live, Version) else {}

    @property
    def policy(self) -> EnsemblePolicy:
        return self._policy

    @property
    def record(self) -> VersionRecord | None:
        """What the live version was trained on; None before the first is on disk."""
        return self._record

    @property
    def version(self) -> int | None:
        """The serving version, None before the first one is on disk."""
        return None if self._record is None else self._record.version

    def part(self, name: str) -> Any:
        """The live version's part `name` (its NLU); None when it has none."""
        return self._parts.get(name)

    def predict(self, tracker: Tracker) -> Prediction:
        return self._policy.predict(tracker)

    def teach(self, tracker: Tracker) -> None:
        """Make this conversation stick now (memoization), until the next version has it."""
        self._policy.teach(tracker)

    def teach_taught_after(self) -> bool:
        """Teach what was taught after the live version was trained; False when nothing was."""
        after = self._taught.after(self._record)
        for cid, events in after.items():
            self._policy.teach(Tracker(cid, self.domain, events))
        return bool(after)

    def swap(self, version: Version) -> None:
        """Serve `version` from now on, with what was taught after it."""
        self._policy, self._record, self._parts = version.policy, version.record, version.parts
        self.teach_taught_after()

    def status(self) -> ModelStatus:
        """The serving version, what it learned from and what was taught since (for /status)."""
        record = self._record
        if record is None:
            return ModelStatus(0, self._stories, 0, 0)
        return ModelStatus(
            record.version,
            record.stories,
            record.dialogues,
            record.corrections,
            trained_at=record.trained_at,
            corrections_since=self._taught.corrections_after(record),
        )

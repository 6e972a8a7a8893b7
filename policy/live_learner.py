"""Learning while the trainer talks: a correction sticks at once, LightGBM catches up behind."""

from __future__ import annotations

from collections.abc import Sequence

from bot.events import Corrected, Event, UserUttered
from bot.tracker import Tracker
from policy.live_model import LiveModel
from policy.retrain_schedule import Lesson, RetrainSchedule
from policy.taught import TaughtConversations


class LiveLearner:
    """Implements `bot.policy.Learner`."""

    def __init__(
        self, live: LiveModel, taught: TaughtConversations, schedule: RetrainSchedule
    ) -> None:
        self._live = live
        self._taught = taught
        self._schedule = schedule

    def learn(self, tracker: Tracker) -> None:
        """Teach the live model now, remember the conversation, and tell the schedule what is
        new in it (a correction, or turns), which retrains when that is worth it.

        Raises RuntimeError before the schedule started.
        """
        self._schedule.learned(lesson(self._taught.unseen(tracker)))
        self._live.teach(tracker)
        self._taught.remember(tracker)


def lesson(new: Sequence[Event]) -> Lesson:
    """What events a trainer confirmed teach: each `Corrected` marker is a correction, each
    message (typed, or free text the NLU learns from) a turn."""
    return Lesson(
        corrections=sum(isinstance(event, Corrected) for event in new),
        turns=sum(isinstance(event, UserUttered) for event in new),
    )

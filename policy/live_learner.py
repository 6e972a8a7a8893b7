"""Learning while the trainer talks: a correction sticks at once, LightGBM catches up behind."""

from __future__ import annotations

from bot.tracker import Tracker
from policy.live_model import LiveModel
from policy.retrain_schedule import RetrainSchedule
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
        """Teach the live model now, remember the conversation, and retrain after the debounce.

        Raises RuntimeError before the schedule started.
        """
        self._schedule.request()
        self._live.teach(tracker)
        self._taught.remember(tracker)

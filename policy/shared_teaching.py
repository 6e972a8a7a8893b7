"""What a trainer teaches on one replica sticks at once on every other one.

The replica where a trainer answers tells the others which conversation it was
(`Rollout.announce`) once the turn is stored (the engine's `on_taught`): each of them reads
that conversation from the store and teaches it to its live model (memoization) and to every
learner that joined (the NLU's readings of the trainers' texts), without retraining: the
replica that was taught retrains, and its next version reaches every replica as usual.
"""

from __future__ import annotations

from bot.background import BackgroundTasks
from bot.domain import Domain
from bot.policy import Learner
from bot.stores.base import TrackerStore
from bot.tracker import Tracker
from policy.deployer import Rollout
from policy.live_model import LiveModel
from policy.taught import TaughtConversations

HEARD = "learning what a trainer taught on another replica"
"""What `heard` is called among the background tasks."""


class SharedTeaching:
    """Announces what a trainer taught here (`taught`) and hears the other replicas."""

    def __init__(
        self,
        rollout: Rollout,
        store: TrackerStore,
        domain: Domain,
        live: LiveModel,
        taught: TaughtConversations,
        tasks: BackgroundTasks,
    ) -> None:
        self._rollout = rollout
        self._store = store
        self._domain = domain
        self._live = live
        self._taught = taught
        self._tasks = tasks
        self._joined: list[Learner] = []

    def join(self, learner: Learner) -> None:
        """What other replicas teach goes to `learner` too."""
        self._joined.append(learner)

    def taught(self, conversation_id: str) -> None:
        """A trainer taught this conversation here, and its turn is stored."""
        self._tasks.spawn(self._rollout.announce(conversation_id), "announcing teaching")

    def heard(self, conversation_id: str) -> None:
        """A trainer taught this conversation on another replica."""
        self._tasks.spawn(self._learn(conversation_id), HEARD)

    async def _learn(self, conversation_id: str) -> None:
        conversation = await self._store.load(conversation_id)
        tracker = Tracker(conversation_id, self._domain, conversation.events)
        self._live.teach(tracker)
        self._taught.remember(tracker)
        for learner in self._joined:
            learner.learn(tracker)

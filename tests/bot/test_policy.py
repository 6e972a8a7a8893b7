"""The protocols' one helper: several learners taught as one."""

from bot.policy import Learners
from bot.tracker import Tracker


class Recording:
    def __init__(self):
        self.taught = []

    def learn(self, tracker):
        self.taught.append(tracker.conversation_id)


def test_every_learner_learns_every_conversation(concert_domain):
    policy, nlu = Recording(), Recording()
    both = Learners(policy, nlu)
    both.learn(Tracker("c1", concert_domain))
    both.learn(Tracker("c2", concert_domain))
    assert policy.taught == nlu.taught == ["c1", "c2"]

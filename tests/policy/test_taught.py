from typing import Any

from bot.events import Corrected
from policy.model_store import VersionRecord
from policy.taught import TaughtConversations
from tests.policy.retraining_fakes import corrected


def record(conversations: dict[str, int]) -> VersionRecord:
    return VersionRecord(1, 0.0, 1.0, 7, conversations)


def test_the_most_recently_taught_conversation_comes_last(seed_tracker: Any) -> None:
    taught = TaughtConversations({"a": [], "b": []})
    tracker = corrected(seed_tracker)

    taught.remember(tracker)

    assert list(taught.all()) == ["a", "b", "seed"]
    assert taught.all()["seed"] == list(tracker.events)


def test_a_conversation_taught_again_moves_to_the_end(seed_tracker: Any) -> None:
    tracker = corrected(seed_tracker)
    taught = TaughtConversations({"seed": [], "other": []})

    taught.remember(tracker)

    assert list(taught.all()) == ["other", "seed"]


def test_it_keeps_the_events_as_they_were_when_taught(seed_tracker: Any) -> None:
    tracker = corrected(seed_tracker)
    taught = TaughtConversations()
    taught.remember(tracker)
    length = len(tracker.events)

    tracker.apply(Corrected("action", "a", "b"))

    assert len(taught.all()["seed"]) == length


def test_what_a_version_did_not_learn_and_its_corrections(seed_tracker: Any) -> None:
    events = list(corrected(seed_tracker).events)
    taught = TaughtConversations({"old": events, "seed": events})
    learned = record({"old": len(events), "seed": len(events) - 2})

    assert taught.after(learned) == {"seed": events}
    assert taught.after(None) == {"old": events, "seed": events}
    assert taught.corrections_after(learned) == 1
    assert taught.corrections_after(record({})) == 2
    assert sum(isinstance(e, Corrected) for e in events) == 1

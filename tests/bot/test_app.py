from bot.app import is_taught, load_project, training_data
from bot.events import ActionExecuted, UserUttered
from bot.project import open_project
from bot.stores.memory import MemoryTrackerStore
from tests.conftest import REPO


def events(at, policy):
    return [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered("/greet", "greet", timestamp=at),
        ActionExecuted("utter_greet", policy, 1.0, timestamp=at),
    ]


async def test_training_data_holds_taught_conversations_newest_last():
    store = MemoryTrackerStore()
    await store.append("a-late", events(300.0, "trainer"), expected_length=0, pending=None)
    await store.append("b-user", events(100.0, "lightgbm"), expected_length=0, pending=None)
    await store.append("c-early", events(200.0, "trainer"), expected_length=0, pending=None)
    data = await training_data(load_project(open_project(REPO)), store)
    assert list(data.conversations) == ["c-early", "a-late"]
    assert {"greet", "compare_reviews_concerts"} <= {story.name for story in data.stories}


def test_only_conversations_with_trainer_answers_are_taught():
    assert is_taught(tuple(events(1.0, "trainer")))
    assert not is_taught(tuple(events(1.0, "memoization")))

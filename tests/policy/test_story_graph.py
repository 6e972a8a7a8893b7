from bot.stories.model import ActionStep, UserStep, UserTurn
from policy.story_graph import MAX_VISITS, Segment, segments, walks
from tests.policy.concert import story


def test_checkpoints_split_a_story_into_segments() -> None:
    s = story("s", "> a", "> b", "* greet", "- utter_greet", "> c", "* goodbye", "> d", "> e")
    greet = (UserStep((UserTurn("greet"),)), ActionStep("utter_greet"))
    goodbye = (UserStep((UserTurn("goodbye"),)),)

    assert segments(s) == [
        Segment(s, frozenset({"a", "b"}), greet, frozenset({"c"})),
        Segment(s, frozenset({"c"}), goodbye, frozenset({"d", "e"})),
    ]


def test_a_self_loop_is_walked_at_most_max_visits_times() -> None:
    graph = segments(story("start", "* greet", "> loop")) + segments(
        story("loop", "> loop", "- utter_greet", "> loop")
    )

    [walk] = list(walks(graph))

    assert walk == [UserTurn("greet")] + [ActionStep("utter_greet")] * MAX_VISITS

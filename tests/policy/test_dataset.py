import itertools
from dataclasses import replace

import pytest

from bot.domain import Domain, Form, domain_from_dict
from bot.errors import StoryError
from bot.events import (
    ACTION_LISTEN,
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from bot.stories.model import ActionStep, ActiveLoopStep, SlotStep, Story, UserStep, UserTurn
from bot.tracker import State
from policy.dataset import (
    MAX_GLUED,
    Example,
    augment,
    conversation_events,
    story_events,
    training_examples,
)
from tests.policy.concert import concert_stories, dialogue, story

LISTEN = ACTION_LISTEN


def test_a_story_becomes_rasa_events_with_listens(concert_domain: Domain) -> None:
    stories = [
        story("search", "* search_concerts", "- action_search_concerts", SlotStep("concerts", [1]))
    ]

    assert story_events(stories, concert_domain) == [
        dialogue(
            LISTEN, "/search_concerts", "action_search_concerts", SlotSet("concerts", [1]), LISTEN
        )
    ]


def test_entities_fill_slots_of_the_same_name() -> None:
    domain = domain_from_dict(
        {"intents": ["inform"], "entities": ["city"], "slots": {"city": {"type": "text"}}}
    )
    stories = [Story("s", (UserStep((UserTurn("inform", {"city": "Paris"}),)),))]

    assert story_events(stories, domain) == [
        [
            ActionExecuted(LISTEN),
            UserUttered("/inform", "inform", {"city": "Paris"}),
            SlotSet("city", "Paris"),
        ]
    ]


def test_or_and_checkpoints_give_one_trajectory_per_path(concert_domain: Domain) -> None:
    stories = [
        story("start", "* greet", "- utter_greet", "> asked"),
        story("bye", "> asked", "* thankyou OR goodbye", "- utter_goodbye"),
        story("compare", "> asked", "* compare_reviews", "- action_show_venue_reviews"),
    ]

    assert story_events(stories, concert_domain) == [
        dialogue(LISTEN, "/greet", "utter_greet", LISTEN, "/thankyou", "utter_goodbye", LISTEN),
        dialogue(LISTEN, "/greet", "utter_greet", LISTEN, "/goodbye", "utter_goodbye", LISTEN),
        dialogue(
            LISTEN,
            "/greet",
            "utter_greet",
            LISTEN,
            "/compare_reviews",
            "action_show_venue_reviews",
            LISTEN,
        ),
    ]


def test_a_checkpoint_in_the_middle_splits_the_story(concert_domain: Domain) -> None:
    stories = [
        story("a", "* greet", "- utter_greet", "> mid", "* thankyou", "- utter_youarewelcome"),
        story("b", "> mid", "* goodbye", "- utter_goodbye"),
    ]

    assert story_events(stories, concert_domain) == [
        dialogue(
            LISTEN, "/greet", "utter_greet", LISTEN, "/thankyou", "utter_youarewelcome", LISTEN
        ),
        dialogue(LISTEN, "/greet", "utter_greet", LISTEN, "/goodbye", "utter_goodbye", LISTEN),
    ]


LOOP_STORIES = [
    story("start", "* thankyou", "- utter_youarewelcome", "> again"),
    story("loop", "> again", "* greet", "- utter_greet", "> again"),
    story("end", "> again", "* goodbye", "- utter_goodbye"),
]


def test_a_checkpoint_cycle_is_gone_round_once(concert_domain: Domain) -> None:
    intents = [
        [e.intent for e in events if isinstance(e, UserUttered)]
        for events in story_events(LOOP_STORIES, concert_domain)
    ]

    assert intents == [
        ["thankyou", "greet", "greet", "goodbye"],
        ["thankyou", "greet", "goodbye"],
        ["thankyou", "goodbye"],
    ]


def test_limit_bounds_the_number_of_trajectories(concert_domain: Domain) -> None:
    assert len(story_events(LOOP_STORIES, concert_domain, limit=2)) == 2


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("- action_dance", "unknown action 'action_dance'; add it to `actions` in the domain"),
        ("* dance", "unknown intent 'dance'; add it to `intents` in the domain"),
        (SlotStep("mood", "ok"), "unknown slot 'mood'; add it to `slots` in the domain"),
        (
            UserStep((UserTurn("greet", {"mood": "ok"}),)),
            "unknown entity 'mood'; add it to `entities` in the domain",
        ),
    ],
)
def test_what_the_domain_lacks_is_a_story_error_naming_file_and_line(
    concert_domain: Domain, line: str, message: str
) -> None:
    stories = [*concert_stories(), story("bad", "* greet", line, source="stories/bad.md:12")]

    with pytest.raises(StoryError) as error:
        story_events(stories, concert_domain)

    assert str(error.value) == f"stories/bad.md:12: story 'bad': {message}"


def test_a_story_starting_at_a_checkpoint_nobody_ends_with_is_an_error(
    concert_domain: Domain,
) -> None:
    stories = [story("lost", "> nowhere", "* greet", "- utter_greet", source="s.md:4")]

    with pytest.raises(
        StoryError, match=r"^s\.md:4: story 'lost': no story ends with checkpoint > nowhere"
    ):
        story_events(stories, concert_domain)


def test_conversations_split_at_restarts_with_reverted_turns_taken_out() -> None:
    events = dialogue(
        LISTEN, "/greet", "utter_greet", BotUttered("hey there!"), LISTEN,
        "/goodbye", UserUtteranceReverted(), "/thankyou", "utter_goodbye", ActionReverted(),
        "utter_youarewelcome", LISTEN,
        Restarted(), LISTEN, "/greet", "utter_greet", LISTEN,
        Restarted(), LISTEN, "/goodbye",
        Restarted(),
    )  # fmt: skip

    assert conversation_events(events) == [
        dialogue(
            LISTEN, "/greet", "utter_greet", BotUttered("hey there!"), LISTEN,
            "/thankyou", "utter_youarewelcome", LISTEN,
        ),
        dialogue(LISTEN, "/greet", "utter_greet", LISTEN),
    ]  # fmt: skip


def test_training_examples_hold_the_whole_history_before_each_action(
    concert_domain: Domain,
) -> None:
    events = dialogue(
        LISTEN, "/greet", "utter_greet", LISTEN, "/thankyou", "utter_youarewelcome", LISTEN
    )
    s0 = State(LISTEN, "greet", frozenset(), ())
    s1 = State("utter_greet", "greet", frozenset(), ())
    s2 = State(LISTEN, "thankyou", frozenset(), ())
    s3 = State("utter_youarewelcome", "thankyou", frozenset(), ())

    assert training_examples([events], concert_domain) == [
        Example((s0,), "utter_greet"),
        Example((s0, s1), LISTEN),
        Example((s0, s1, s2), "utter_youarewelcome"),
        Example((s0, s1, s2, s3), LISTEN),
    ]


def test_augment_glues_two_to_four_trajectories_deterministically(concert_domain: Domain) -> None:
    trajectories = story_events(concert_stories(), concert_domain)

    glued = augment(trajectories, factor=3, seed=1)

    assert len(glued) == 21
    assert glued == augment(trajectories, factor=3, seed=1)
    assert glued != augment(trajectories, factor=3, seed=2)
    for events in glued:
        users = sum(isinstance(e, UserUttered) for e in events)
        assert 2 <= users <= 4
        listens = [isinstance(e, ActionExecuted) and e.name == LISTEN for e in events]
        assert listens.count(True) == users + 1  # one before each message, one at the end
        assert not any(a and b for a, b in itertools.pairwise(listens))


def test_only_trajectories_that_end_listening_are_glued(concert_domain: Domain) -> None:
    unanswered = dialogue(LISTEN, "/greet")
    [greet] = story_events([story("greet", "* greet", "- utter_greet")], concert_domain)

    glued = augment([unanswered, greet], factor=2, seed=1)

    assert len(glued) == 2
    assert all(events == greet + greet[1:] * (len(events) // 3 - 1) for events in glued)


def test_augment_is_capped_and_empty_without_trajectories(concert_domain: Domain) -> None:
    trajectories = story_events(concert_stories(), concert_domain)

    assert len(augment(trajectories, factor=10_000, seed=1)) == MAX_GLUED
    assert augment([], factor=20, seed=1) == []


def test_only_fragments_are_glued_whole_dialogues_are_not(concert_domain: Domain) -> None:
    whole = dialogue(
        LISTEN, "/greet", "utter_greet", LISTEN, "/search_concerts", "action_search_concerts",
        LISTEN, "/compare_reviews", "action_show_concert_reviews", LISTEN,
    )  # fmt: skip
    [greet] = story_events([story("greet", "* greet", "- utter_greet")], concert_domain)

    assert augment([whole], factor=5, seed=1) == []
    glued = augment([whole, greet], factor=5, seed=1)
    assert len(glued) == 5
    for events in glued:
        intents = {event.intent for event in events if isinstance(event, UserUttered)}
        assert intents == {"greet"}
        assert len(events) in (7, 10, 13)  # 2 to 4 greetings, one listen between each


def test_every_domain_knows_nlu_fallback_so_an_exported_story_with_it_trains(
    concert_domain: Domain,
) -> None:
    fallback = story("unsure", "* nlu_fallback", "- utter_default", source="exported/x.md:1")
    [events] = story_events([fallback], concert_domain)
    assert [getattr(e, "intent", None) for e in events if hasattr(e, "intent")] == ["nlu_fallback"]


FORM_DOMAIN = replace(
    domain_from_dict(
        {
            "intents": ["request_restaurant", "chitchat"],
            "actions": ["restaurant_form", "utter_chitchat", "utter_submit"],
        }
    ),
    forms={"restaurant_form": Form("restaurant_form", ("cuisine",))},
)
FORM_STORY = Story(
    "form",
    (
        UserStep((UserTurn("request_restaurant"),)),
        ActionStep("restaurant_form"),
        ActiveLoopStep("restaurant_form"),
        UserStep((UserTurn("chitchat"),)),
        ActionStep("utter_chitchat"),
        ActionStep("restaurant_form"),
        ActiveLoopStep(None),
        ActionStep("utter_submit"),
    ),
)


def test_an_active_loop_step_is_an_active_loop_event() -> None:
    assert story_events([FORM_STORY], FORM_DOMAIN) == [
        dialogue(
            LISTEN, "/request_restaurant", "restaurant_form", ActiveLoop("restaurant_form"),
            LISTEN, "/chitchat", "utter_chitchat",
            "restaurant_form", ActiveLoop(None), "utter_submit", LISTEN,
        )
    ]  # fmt: skip


def test_the_states_after_a_form_starts_carry_it_until_it_ends() -> None:
    """Also before another answer than the form's: Rasa's states keep the form there."""
    examples = training_examples(story_events([FORM_STORY], FORM_DOMAIN), FORM_DOMAIN)
    loops = {(e.states[-1].prev_action, e.action): e.states[-1].active_loop for e in examples}
    assert loops == {
        (LISTEN, "restaurant_form"): None,
        ("restaurant_form", LISTEN): "restaurant_form",
        (LISTEN, "utter_chitchat"): "restaurant_form",
        ("utter_chitchat", "restaurant_form"): "restaurant_form",
        ("restaurant_form", "utter_submit"): None,
        ("utter_submit", LISTEN): None,
    }


def test_an_unknown_form_is_a_story_error() -> None:
    story = Story(
        "s", (ActionStep("restaurant_form"), ActiveLoopStep("restaurant_from")), "s.yml:3"
    )
    with pytest.raises(StoryError) as error:
        story_events([story], FORM_DOMAIN)
    assert str(error.value) == (
        "s.yml:3: story 's': unknown form 'restaurant_from' (did you mean 'restaurant_form'?); "
        "add it to `forms` in the domain"
    )

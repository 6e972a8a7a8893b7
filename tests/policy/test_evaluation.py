"""Rasa's counting on hand-made stories, with a policy whose every answer is known."""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from bot.domain import Domain
from bot.events import ACTION_LISTEN
from bot.policy import Prediction
from bot.stories.markdown import parse_markdown
from bot.stories.model import ActionStep, UserStep, UserTurn
from bot.tracker import State
from policy.evaluation import evaluate
from policy.failed_stories import ALL_GOOD, failed_stories_markdown
from policy.metrics import Confusion, LabelScores
from tests.policy.concert import story

RULES = {
    (ACTION_LISTEN, "greet"): ("utter_greet", "memoization"),
    (ACTION_LISTEN, "goodbye"): ("utter_greet", "lightgbm"),  # wrong: should say goodbye
    ("utter_goodbye", "goodbye"): ("utter_youarewelcome", "lightgbm"),  # wrong: should listen
}
GREET = story("greet", "* greet", "- utter_greet")
GREET_GOODBYE = story("greet goodbye", "* greet", "- utter_greet", "* goodbye", "- utter_goodbye")


@dataclass
class RulePolicy:
    """Answers by (previous action, intent), listens otherwise; records what it was asked."""

    histories: list[list[State]] = field(default_factory=list)

    def predict_many(
        self, histories: Sequence[Sequence[State]], golds: Sequence[str] | None = None
    ) -> list[Prediction]:
        self.histories += [list(history) for history in histories]
        predictions = []
        for history in histories:
            state = history[-1]
            action, policy = RULES.get(
                (state.prev_action, state.intent), (ACTION_LISTEN, "lightgbm")
            )
            predictions.append(Prediction(action, 0.5, policy, {}))
        return predictions


def test_rasa_counting_on_a_known_story_set(concert_domain: Domain) -> None:
    report = evaluate(RulePolicy(), [GREET, GREET_GOODBYE], concert_domain).report

    # greet: utter_greet, listen (the first listen is not predicted); greet goodbye: utter_greet,
    # listen, utter_goodbye (predicted utter_greet), listen (predicted utter_youarewelcome)
    assert (report.stories, report.failed_stories) == (2, 1)
    assert (report.actions, report.predictions) == (3, 6)
    assert report.action_accuracy == pytest.approx(2 / 3)
    assert report.rasa_accuracy == pytest.approx(4 / 6)
    assert report.story_accuracy == 0.5
    assert report.in_data_fraction == pytest.approx(2 / 6)
    # per gold label: utter_greet P 2/3 R 1 F1 0.8 (2), listen P 1 R 2/3 F1 0.8 (3),
    # utter_goodbye 0 (1); Rasa weighs all three, the honest numbers leave out the listens
    assert report.rasa_weighted_f1 == pytest.approx((0.8 * 2 + 0.8 * 3) / 6)
    assert report.rasa_weighted_precision == pytest.approx((2 / 3 * 2 + 3) / 6)
    assert report.weighted_f1 == pytest.approx(0.8 * 2 / 3)
    assert report.weighted_precision == pytest.approx(2 / 3 * 2 / 3)
    assert report.per_action["utter_greet"] == LabelScores(
        pytest.approx(2 / 3), 1.0, pytest.approx(0.8), 2
    )
    assert report.per_action["utter_youarewelcome"] == LabelScores(0.0, 0.0, 0.0, 0)
    assert list(report.per_action) == sorted(report.per_action)
    assert report.confusions == [
        Confusion(ACTION_LISTEN, "utter_youarewelcome", 1),
        Confusion("utter_goodbye", "utter_greet", 1),
    ]


def test_teacher_forcing_keeps_the_gold_action_after_an_error(concert_domain: Domain) -> None:
    policy = RulePolicy()

    evaluate(policy, [GREET_GOODBYE], concert_domain)

    last = policy.histories[-1]
    assert [state.prev_action for state in last] == [
        ACTION_LISTEN,
        "utter_greet",
        ACTION_LISTEN,
        "utter_goodbye",  # the gold action, not the predicted utter_greet
    ]


def test_report_json_has_the_keys_of_the_issue(concert_domain: Domain) -> None:
    data = evaluate(RulePolicy(), [GREET], concert_domain).report.to_dict()

    for key in ("action_accuracy", "rasa_accuracy", "weighted_f1", "weighted_precision"):
        assert isinstance(data[key], float)
    assert data["story_accuracy"] == 1.0
    assert data["per_action"]["utter_greet"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "support": 1,
    }
    assert data["confusions"] == []


def test_failed_stories_mark_wrong_predictions_as_rasa_does(concert_domain: Domain) -> None:
    results = evaluate(RulePolicy(), [GREET, GREET_GOODBYE], concert_domain).results

    text = failed_stories_markdown(results)

    assert text == (
        "## greet goodbye\n"
        "* greet\n"
        "    - utter_greet\n"
        "* goodbye\n"
        "    - utter_goodbye   <!-- predicted: utter_greet -->\n"
        "    - action_listen   <!-- predicted: utter_youarewelcome -->\n"
    )
    [read_back] = parse_markdown(text, "failed_stories.md")
    assert read_back.steps[-2:] == (ActionStep("utter_goodbye"), ActionStep(ACTION_LISTEN))


def test_failed_stories_keep_slots_and_entities_and_name_checkpoint_paths(
    concert_domain: Domain,
) -> None:
    first = story("first", "* greet", "- utter_greet", "> greeted")
    second = story(
        "second",
        "> greeted",
        UserStep((UserTurn("goodbye", {"name": "Ann"}),)),
        "- utter_goodbye",
    )

    results = evaluate(RulePolicy(), [first, second], concert_domain).results

    assert failed_stories_markdown(results).splitlines()[:5] == [
        "## first > second",
        "* greet",
        "    - utter_greet",
        '* goodbye{"name": "Ann"}',
        "    - utter_goodbye   <!-- predicted: utter_greet -->",
    ]


def test_no_failed_story_says_so(concert_domain: Domain) -> None:
    results = evaluate(RulePolicy(), [GREET], concert_domain).results

    assert failed_stories_markdown(results) == ALL_GOOD
    assert parse_markdown(ALL_GOOD, "failed_stories.md") == []

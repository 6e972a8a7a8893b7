"""Test stories played as Rasa's `rasa test core` plays them, and counted as it counts them.

Teacher forcing: every action of a test story is predicted from the gold history before it, and
the gold action stays in the history after a wrong prediction. As in Rasa, the listen before
the first user message is not predicted; every later action is, the listens included.
Rasa's "Accuracy" at action level counts those listens, which are mostly easy: here it is
`rasa_accuracy`, and `action_accuracy` counts the bot's own actions only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from bot.domain import Domain
from bot.events import ACTION_LISTEN
from bot.policy import Prediction
from bot.stories.model import Story
from bot.tracker import State, Tracker
from policy.dataset import Dialogue, story_dialogues
from policy.metrics import Confusion, LabelScores, accuracy, confusions, label_scores, weighted

MEMOIZATION = "memoization"


class HistoryPolicy(Protocol):
    """What evaluation needs of a policy (`EnsemblePolicy` has it)."""

    def predict_many(
        self, histories: Sequence[Sequence[State]], golds: Sequence[str] | None = None
    ) -> list[Prediction]: ...


@dataclass(frozen=True)
class TurnResult:
    gold: str
    predicted: str
    policy: str
    confidence: float
    event_index: int
    """Where the gold action is in `Dialogue.events`."""

    @property
    def correct(self) -> bool:
        return self.gold == self.predicted


@dataclass(frozen=True)
class StoryResult:
    dialogue: Dialogue
    turns: tuple[TurnResult, ...]

    @property
    def failed(self) -> bool:
        return not all(turn.correct for turn in self.turns)


@dataclass(frozen=True)
class EvaluationReport:
    stories: int
    failed_stories: int
    actions: int
    """Gold bot actions, action_listen excluded: what `action_accuracy` counts."""
    predictions: int
    """Every prediction made, the listens included: what `rasa_accuracy` counts."""
    action_accuracy: float
    rasa_accuracy: float
    weighted_f1: float
    """Support-weighted over the gold labels other than action_listen."""
    weighted_precision: float
    rasa_weighted_f1: float
    """What Rasa prints as "F1-Score" at action level: weighted over every gold label,
    action_listen included."""
    rasa_weighted_precision: float
    story_accuracy: float
    in_data_fraction: float
    """Share of predictions memoization made: Rasa's "In-data fraction"."""
    per_action: dict[str, LabelScores]
    """Every action that is a gold label or was predicted, in name order."""
    confusions: list[Confusion]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Evaluation:
    results: list[StoryResult]
    report: EvaluationReport


def evaluate(policy: HistoryPolicy, stories: Sequence[Story], domain: Domain) -> Evaluation:
    """Play every dialogue of the test stories; raises StoryError for a story that does not
    fit the domain."""
    results = play(policy, story_dialogues(stories, domain), domain)
    return Evaluation(results, report(results))


def play(policy: HistoryPolicy, dialogues: Sequence[Dialogue], domain: Domain) -> list[StoryResult]:
    """Predict every action of every dialogue from its gold history."""
    results = []
    for dialogue in dialogues:
        tracker = Tracker("evaluation", domain)
        histories: list[list[State]] = []
        positions: list[int] = []
        for index, event in enumerate(dialogue.events):
            tracker.apply(event)
            if len(tracker.turns) > len(histories):
                histories.append([state for state, _ in tracker.turns])
                positions.append(index)
        predictions = policy.predict_many(histories, [gold for _, gold in tracker.turns])
        turns = tuple(
            TurnResult(gold, p.action, p.policy, p.confidence, index)
            for (_, gold), p, index in zip(tracker.turns, predictions, positions, strict=True)
        )
        results.append(StoryResult(dialogue, turns))
    return results


def report(results: Sequence[StoryResult]) -> EvaluationReport:
    turns = [turn for result in results for turn in result.turns]
    golds = [turn.gold for turn in turns]
    predicted = [turn.predicted for turn in turns]
    actions = [turn for turn in turns if turn.gold != ACTION_LISTEN]
    gold_labels = sorted(set(golds))
    everything = label_scores(golds, predicted, sorted(set(golds) | set(predicted)))
    with_listen = {label: everything[label] for label in gold_labels}
    without_listen = {k: v for k, v in with_listen.items() if k != ACTION_LISTEN}
    failed = sum(result.failed for result in results)
    return EvaluationReport(
        stories=len(results),
        failed_stories=failed,
        actions=len(actions),
        predictions=len(turns),
        action_accuracy=accuracy([t.gold for t in actions], [t.predicted for t in actions]),
        rasa_accuracy=accuracy(golds, predicted),
        weighted_f1=weighted(without_listen, "f1"),
        weighted_precision=weighted(without_listen, "precision"),
        rasa_weighted_f1=weighted(with_listen, "f1"),
        rasa_weighted_precision=weighted(with_listen, "precision"),
        story_accuracy=(len(results) - failed) / len(results) if results else 0.0,
        in_data_fraction=(
            sum(turn.policy == MEMOIZATION for turn in turns) / len(turns) if turns else 0.0
        ),
        per_action=everything,
        confusions=confusions(golds, predicted),
    )

"""Whether a newly trained model may replace the live one.

It must predict, and score on the trainer-taught conversations (teacher forcing, as
`evaluation.play` plays test stories) at least as well as the live model: what the trainers
taught is what they check first. Without taught conversations it is scored on the stories.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Domain
from bot.errors import ModelError
from policy.dataset import Dialogue, conversation_events, story_dialogues
from policy.evaluation import HistoryPolicy, play, report
from policy.training import TrainingData

TOLERANCE = 1e-9


@dataclass(frozen=True)
class Scores:
    candidate: float
    live: float | None
    """None when there was no live model to compare with (first model, domain changed)."""


def validation_dialogues(data: TrainingData, domain: Domain) -> list[Dialogue]:
    taught = [
        Dialogue(f"{cid}#{i}", tuple(events), (None,) * len(events))
        for cid, conversation in data.conversations.items()
        for i, events in enumerate(conversation_events(conversation))
    ]
    return taught or story_dialogues(data.stories, domain)


def score(policy: HistoryPolicy, dialogues: list[Dialogue], domain: Domain) -> float:
    """Share of the bot's actions predicted right (action_listen excluded)."""
    return report(play(policy, dialogues, domain)).action_accuracy


def validate(
    candidate: HistoryPolicy, live: HistoryPolicy | None, data: TrainingData, domain: Domain
) -> Scores:
    """Raises ModelError saying why when the candidate must not go live."""
    dialogues = validation_dialogues(data, domain)
    try:
        new = score(candidate, dialogues, domain)
    except Exception as exc:  # a model that cannot predict must never serve
        raise ModelError(f"the new model cannot predict: {exc!r}") from exc
    old = None if live is None else score(live, dialogues, domain)
    if old is not None and new + TOLERANCE < old:
        raise ModelError(
            f"the new model scores {new:.1%} on the taught conversations, the live one {old:.1%}"
        )
    return Scores(new, old)

"""Synthetic form-filling dialogues at scale: a domain of 30 intents, 80 actions, 40 slots.

Ten tasks, each asking for a few of the slots (in random order, with chitchat, explanations and
FAQ questions interleaved, as in the sub-dialogue data), then running the task's action and
answering by a categorical slot the user gave. The next action thus depends on the intent, the
previous action, which slots are set, a categorical value and, for the answer to `explain`,
on what the bot asked last: a policy has to use its history and slot features to do well.

    python benchmarks/synthetic.py OUT_DIR --stories 1000    # a bot project folder to try
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.domain import Domain, domain_from_dict
from bot.stories.markdown import write_markdown
from bot.stories.model import ActionStep, SlotStep, Step, Story, UserStep, UserTurn

TASKS = 10
CATEGORICAL = 20
TEXT = 20
FAQS = 10
VALUES = ("low", "mid", "high", "none")
MISC_INTENTS = ("greet", "goodbye", "thankyou", "chitchat", "explain", "affirm", "deny", "inform")
MISC_ACTIONS = ("utter_greet", "utter_goodbye", "utter_welcome", "utter_chitchat")


@dataclass(frozen=True)
class Task:
    number: int
    slots: tuple[str, ...]
    """The slots it asks for, in this order; the first is categorical and decides the answer."""


def slot_names() -> tuple[list[str], list[str]]:
    return [f"cat_{i}" for i in range(CATEGORICAL)], [f"text_{i}" for i in range(TEXT)]


def tasks(seed: int = 7) -> list[Task]:
    rng = random.Random(seed)
    categorical, text = slot_names()
    return [
        Task(n, (categorical[n], *rng.sample([*categorical, *text], rng.randint(1, 3))))
        for n in range(TASKS)
    ]


def synthetic_domain_dict() -> dict[str, Any]:
    categorical, text = slot_names()
    slots: dict[str, Any] = {
        name: {"type": "categorical", "values": list(VALUES)} for name in categorical
    }
    slots.update({name: {"type": "text"} for name in text})
    actions = [f"utter_ask_{slot}" for slot in [*categorical, *text]]
    actions += [f"action_task_{n}" for n in range(TASKS)]
    actions += [f"utter_done_{n}" for n in range(TASKS)]
    actions += [f"utter_faq_{n}" for n in range(FAQS)]
    actions += [f"utter_explain_{kind}" for kind in ("categorical", "text")]
    actions += [*MISC_ACTIONS, "utter_other_value", "utter_anything_else"]
    intents = [f"request_{n}" for n in range(TASKS)] + [f"faq_{n}" for n in range(FAQS)]
    intents += [*MISC_INTENTS, "stop", "restart_task"]
    return {
        "intents": intents,
        "entities": [*categorical, *text],
        "slots": slots,
        "responses": {a: [{"text": a}] for a in actions if a.startswith("utter_")},
        "actions": actions,
    }


def synthetic_domain() -> Domain:
    return domain_from_dict(synthetic_domain_dict(), "synthetic domain")


def synthetic_stories(count: int, seed: int, noise: float = 0.0) -> list[Story]:
    """`count` stories; with `noise`, that share of bot actions is replaced by a random one."""
    rng = random.Random(seed)
    all_tasks = tasks()
    actions = synthetic_domain_dict()["actions"]
    stories = []
    for number in range(count):
        steps = _story_steps(rng, rng.choice(all_tasks))
        noisy = tuple(
            ActionStep(rng.choice(actions))
            if isinstance(step, ActionStep) and rng.random() < noise
            else step
            for step in steps
        )
        stories.append(Story(f"synthetic {seed}-{number}", noisy))
    return stories


def _story_steps(rng: random.Random, task: Task) -> list[Step]:
    steps: list[Step] = []
    if rng.random() < 0.5:
        steps += [_user("greet"), ActionStep("utter_greet")]
    steps.append(_user(f"request_{task.number}"))
    value = rng.choice(VALUES)
    for slot in task.slots:
        asked = ActionStep(f"utter_ask_{slot}")
        steps.append(asked)
        while rng.random() < 0.3:
            steps += _digression(rng, slot)
            steps.append(asked)
        entity = value if slot == task.slots[0] else f"some {slot}"
        steps.append(UserStep((UserTurn("inform", {slot: entity}),)))
    steps.append(ActionStep(f"action_task_{task.number}"))
    steps.append(SlotStep(f"text_{task.number}", "result"))
    answer = "utter_other_value" if value == "none" else f"utter_done_{task.number}"
    steps += [ActionStep(answer), ActionStep("utter_anything_else")]
    if rng.random() < 0.7:
        steps += [_user("thankyou"), ActionStep("utter_welcome")]
    steps += [_user("goodbye"), ActionStep("utter_goodbye")]
    return steps


def _digression(rng: random.Random, slot: str) -> list[Step]:
    kind = rng.choice(("chitchat", "explain", "faq"))
    if kind == "chitchat":
        return [_user("chitchat"), ActionStep("utter_chitchat")]
    if kind == "explain":
        explained = "categorical" if slot.startswith("cat_") else "text"
        return [_user("explain"), ActionStep(f"utter_explain_{explained}")]
    faq = rng.randrange(FAQS)
    return [_user(f"faq_{faq}"), ActionStep(f"utter_faq_{faq}")]


def _user(intent: str) -> UserStep:
    return UserStep((UserTurn(intent),))


def write_project(folder: Path, count: int, seed: int) -> None:
    """A bot project: domain.yml and stories/synthetic.md."""
    (folder / "stories").mkdir(parents=True, exist_ok=True)
    (folder / "domain.yml").write_text(yaml.safe_dump(synthetic_domain_dict()), encoding="utf-8")
    text = write_markdown(synthetic_stories(count, seed))
    (folder / "stories" / "synthetic.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_project(args.out, args.stories, args.seed)


if __name__ == "__main__":
    main()

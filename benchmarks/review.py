"""Is reviewing what the inbox flags worth more per tap than reviewing random turns?

    python benchmarks/review.py --json                  # one JSON object with every figure
    python benchmarks/review.py --only policy --budgets 5,10,20 --splits 3
    python benchmarks/review.py --commit-cost     # what a flag adds to a turn's commit

A simulation on real data, with ozbot's own flagging and ranking (bot/review.py):

- policy (../shared/data/subdialogues): a model trained on a small part of the training
  stories (the happy paths and `--train-stories` simulated ones) serves half of the test
  stories as if from users (each action predicted from the gold history, as `rasa test`
  plays them); every user turn goes through `flag_turn` (action confidence under
  `action_threshold`, a fallback) and the flagged ones through `ranked`. Reviewing a turn
  teaches the conversation up to the end of that turn with the right actions (what a trainer's
  review makes: `review:<position>:<id>`); the model is retrained and scored on the other half
  of the test stories (action accuracy, Rasa's counting). Against: the same number of turns
  drawn at random from every served turn. The halves swap over `--splits` seeded shuffles.
- nlu (../shared/data/banking77): the built-in NLU trained on `--shots` examples an intent
  reads half of the test texts; texts under `nlu_threshold` are flagged and ranked; a reviewed
  text joins the training data with its right intent; intent accuracy on the other half.

- commit cost (`--commit-cost`): the median time of a turn's commit (two events appended to
  a new conversation) with a flag and without, interleaved, on SQLite and on the local Redis.
  Measured while the test suite ran on the same 2 CPUs: SQLite 0.252 -> 0.293 ms (one INSERT
  more in the same transaction), Redis 0.164 -> 0.234 ms (the same round trip, the index's
  HSET pipelined with the script); only flagged turns pay it, and a turn (NLU, policy)
  takes milliseconds.

Figures: accuracy before, after N flagged reviews, after N random ones (mean over splits), and
how many turns were flagged. Measured (`--splits 5 --budgets 5,10,20,50`, default thresholds
0.5, 10 simulated stories / 10 examples an intent; 9.5 min on 2 shared CPUs):

    policy, action accuracy   before 0.797 (87 of 188 served turns flagged)
      N reviews               5       10      20      50
      flagged first           0.879   0.901   0.938   0.958
      random                  0.871   0.893   0.927   0.953
    NLU, intent accuracy      before 0.773 (218 of 1,540 served texts flagged)
      flagged first           0.775   0.777   0.780   0.786
      random                  0.772   0.773   0.775   0.780

Reviewing what the inbox flags teaches more per tap than random turns at every budget: on the
policy 8-11% more gain (20 taps: +0.141 against +0.130), on the NLU about twice the gain
(50 taps: +0.013 against +0.007). On the NLU both gains are small: one text a tap adds one
example to 770.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import csv  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks.common import bench_redis, delete_keys, report  # noqa: E402
from bot.domain import Domain, load_domain  # noqa: E402
from bot.events import ACTION_LISTEN, ActionExecuted, Event, UserUttered  # noqa: E402
from bot.nlu.model import Example, NluData  # noqa: E402
from bot.review import Flag, ReviewRules, flag_turn, ranked  # noqa: E402
from bot.stores.redis import RedisTrackerStore  # noqa: E402
from bot.stores.sqlite import SqliteTrackerStore  # noqa: E402
from bot.stories.reader import read_stories  # noqa: E402
from policy.config import PolicyConfig  # noqa: E402
from policy.dataset import Dialogue, story_dialogues  # noqa: E402
from policy.evaluation import play  # noqa: E402
from policy.evaluation import report as scores  # noqa: E402
from policy.training import TrainingData, train_policy  # noqa: E402

DATA = HERE.parent.parent / "shared" / "data"
RULES = ReviewRules()


@dataclass(frozen=True)
class Served:
    """A user's turn served by the model: its flag (None: not flagged) and what reviewing it
    teaches."""

    flag: Flag | None
    lesson: Any


def pick(served: Sequence[Served], budget: int, seed: int) -> tuple[list[Any], list[Any]]:
    """The lessons of the `budget` most useful flagged turns, and of as many random turns."""
    lessons = {s.flag.key: s.lesson for s in served if s.flag is not None}
    flags = [s.flag for s in served if s.flag is not None]
    flagged = [lessons[flag.key] for flag in ranked(flags)[:budget]]
    randomly = [s.lesson for s in random.Random(seed).sample(list(served), budget)]
    return flagged, randomly


def compare(
    served: Sequence[Served],
    budgets: Sequence[int],
    seed: int,
    score: Callable[[list[Any]], float],
) -> dict[str, Any]:
    """Accuracy before, and after each budget of flagged and of random reviews."""
    count = sum(s.flag is not None for s in served)
    found: dict[str, Any] = {"before": score([]), "served": len(served), "flagged": count}
    for budget in budgets:
        flagged, randomly = pick(served, min(budget, len(served)), seed)
        found[f"flagged_{budget}"] = score(flagged)
        found[f"random_{budget}"] = score(randomly)
    return found


# The policy on the sub-dialogue stories.


def policy_run(
    folder: Path, budgets: Sequence[int], split: int, train_stories: int
) -> dict[str, Any]:
    domain = load_domain(folder / "domain.yml")
    train = read_stories(folder / "train")
    happy = [s for s in train if "happy" in str(s.source)]
    simulated = [s for s in train if "happy" not in str(s.source)]
    rng = random.Random(split)
    base = happy + rng.sample(simulated, min(train_stories, len(simulated)))
    test = story_dialogues(read_stories(folder / "test"), domain)
    rng.shuffle(test)
    users, held = test[: len(test) // 2], test[len(test) // 2 :]
    config = PolicyConfig()
    model = train_policy(domain, TrainingData(base, {}), config)
    served = served_turns(model, users, domain)

    def score(lessons: list[Any]) -> float:
        taught = {f"review:{i}": list(events) for i, events in enumerate(lessons)}
        policy = model if not lessons else train_policy(domain, TrainingData(base, taught), config)
        return round(scores(play(policy, held, domain)).action_accuracy, 4)

    return compare(served, budgets, split, score)


def served_turns(model: Any, dialogues: Sequence[Dialogue], domain: Domain) -> list[Served]:
    """Every user turn of `dialogues` as the model served it, flagged by ozbot's rules."""
    served = []
    for number, result in enumerate(play(model, dialogues, domain)):
        events = result.dialogue.events
        conversation_id = f"{number}:{result.dialogue.name}"
        by_message: dict[int, list[Any]] = defaultdict(list)
        for turn in result.turns:
            said = max(
                (i for i in range(turn.event_index) if isinstance(events[i], UserUttered)),
                default=None,
            )
            if said is not None:
                by_message[said].append(turn)
        for said, turns in by_message.items():
            message = events[said]
            assert isinstance(message, UserUttered)
            ran: list[Event] = [ActionExecuted(t.predicted, t.policy, t.confidence) for t in turns]
            previous = next(
                (e for e in reversed(events[:said]) if isinstance(e, UserUttered)), None
            )
            flag = flag_turn(conversation_id, said, [message, *ran], previous, RULES, 0.0)
            end = max(t.event_index for t in turns)
            served.append(Served(flag, events[: end + 1]))
    return served


# The NLU on BANKING77.


def nlu_run(folder: Path, budgets: Sequence[int], split: int, shots: int) -> dict[str, Any]:
    from nlu.model import train_nlu

    train = _read_banking(folder / "train.csv")
    test = _read_banking(folder / "test.csv")
    rng = random.Random(split)
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for example in train:
        by_intent[example.intent].append(example)
    base = [e for intent in sorted(by_intent) for e in rng.sample(by_intent[intent], shots)]
    rng.shuffle(test)
    users, held = test[: len(test) // 2], test[len(test) // 2 :]
    model = train_nlu(NluData(tuple(base)))
    served = []
    for index, example in enumerate(users):
        understood = model.parse(example.text)
        said = UserUttered(example.text, understood.intent, confidence=understood.confidence)
        flag = flag_turn(f"u{index}", 0, [said], None, RULES, 0.0)
        served.append(Served(flag, example))

    def score(lessons: list[Any]) -> float:
        nlu = model if not lessons else train_nlu(NluData(tuple(base + lessons)))
        right = sum(nlu.parse(e.text).intent == e.intent for e in held)
        return round(right / len(held), 4)

    return compare(served, budgets, split, score)


def _read_banking(path: Path) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as file:
        return [Example(row["text"], row["category"]) for row in csv.DictReader(file)]


def averaged(runs: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    return {
        f"{prefix}_{key}": round(statistics.mean(run[key] for run in runs), 4) for key in runs[0]
    }


# What a flag adds to a commit.


async def commit_cost(turns: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        sqlite = await SqliteTrackerStore.open(Path(folder) / "ozbot.db")
        figures.update(await _timed_commits(sqlite, "sqlite", turns))
        await sqlite.close()
    settings = bench_redis()
    redis = await RedisTrackerStore.connect(settings)
    try:
        figures.update(await _timed_commits(redis, "redis", turns))
    finally:
        await redis.close()
        await delete_keys(settings)
    return figures


async def _timed_commits(store: Any, name: str, turns: int) -> dict[str, float]:
    events = [ActionExecuted(ACTION_LISTEN), UserUttered("where is my card?", "card_arrival")]
    timings: dict[bool, list[float]] = {True: [], False: []}
    for index in range(turns):
        flagged = index % 2 == 0
        conversation_id = f"c{index}"
        flag = Flag(conversation_id, 1, "card_arrival", 0.3, "utter_x", 0.4, ("nlu",), 0.0, "x")
        started = time.perf_counter()
        await store.append(
            conversation_id, events, expected_length=0, pending=None, flag=flag if flagged else None
        )
        timings[flagged].append(time.perf_counter() - started)
    return {
        f"{name}_commit_ms": round(statistics.median(timings[False]) * 1000, 3),
        f"{name}_flagged_commit_ms": round(statistics.median(timings[True]) * 1000, 3),
    }


def missing(data: Path) -> list[Path]:
    needed = [data / "subdialogues" / name for name in ("domain.yml", "train", "test")]
    needed += [data / "banking77" / name for name in ("train.csv", "test.csv")]
    return [path for path in needed if not path.exists()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument("--only", choices=("policy", "nlu"), help="one part")
    parser.add_argument("--budgets", default="5,10,20", help="reviews (taps) to compare, e.g. 5,10")
    parser.add_argument("--splits", type=int, default=3, help="seeded test splits to average")
    parser.add_argument("--train-stories", type=int, default=10, help="simulated stories trained")
    parser.add_argument("--shots", type=int, default=10, help="BANKING77 examples an intent")
    parser.add_argument("--commit-cost", action="store_true", help="only what a flag adds")
    args = parser.parse_args()
    if args.commit_cost:
        report(asyncio.run(commit_cost(2000)), args.json)
        return
    absent = missing(args.data)
    if absent:
        parser.error(f"the benchmark data is missing: {', '.join(map(str, absent))} (--data)")
    budgets = [int(b) for b in args.budgets.split(",")]
    figures: dict[str, Any] = {"budgets": budgets, "splits": args.splits}
    if args.only in (None, "policy"):
        runs = [
            policy_run(args.data / "subdialogues", budgets, split, args.train_stories)
            for split in range(args.splits)
        ]
        figures.update(averaged(runs, "policy"))
    if args.only in (None, "nlu"):
        runs = [
            nlu_run(args.data / "banking77", budgets, split, args.shots)
            for split in range(args.splits)
        ]
        figures.update(averaged(runs, "nlu"))
    report(figures, args.json)


if __name__ == "__main__":
    main()

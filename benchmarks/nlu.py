"""NLU benchmarks: the built-in NLU (nlu/) on public intent and slot data.

    python benchmarks/nlu.py --json        # one JSON object with every figure
    python benchmarks/nlu.py               # the same, one figure a line
    python benchmarks/nlu.py --validate    # the same on held-out parts of the training data

- banking77_full_*, banking77_10shot_*: trained on ../shared/data/banking77/train.csv (all of it,
  or 10 examples per intent drawn with a fixed seed), scored on test.csv: intent accuracy and
  macro F1, training seconds and peak resident memory (training runs in a fresh process, so the
  peak is its own), parse p50/p99 per message (ms, one thread, `NluModel.parse` on every test
  message), the model folder's size;
- restaurant8k_full_*, restaurant8k_512_*: trained on train_0.json (8,198) or train_4.json (512),
  span F1 on test.json per slot and overall (a span counts when slot, start and end match).

`--validate` scores on a held-out fifth of the training data instead of the test sets: the
numbers the design choices were made on, so the test sets are only ever reported.

BANKING77 accuracy, validation -> test (the intent classifier of nlu/intents.py; training
seconds on 2 CPUs shared with other work, so they vary by 2x):
  word + char_wb TF-IDF, one-vs-rest linear SVM     89.5 -> 91.4 all data, 69.9 -> 72.3 at 10
  + stems, intents' names, logistic regression for  89.6 all data, 74.2 at 10
    few examples an intent
  + pairs of stems 2-8 words apart                  90.7 -> 91.9 all data (8 s, 33 MB),
                                                    74.6 -> 76.5 at 10 (3 s)
Tried and left (validation): ridge, SGD (modified Huber, averaged), NB-SVM log-count ratios,
English stop words, char (not char_wb) n-grams, other n-gram ranges and C values, SVM + logistic
regression score averages, a nearest-neighbour score, word dropout and example concatenation
for few-shot data, min_df=2 on the pairs (half the size, 0.1-0.3 points less).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse  # noqa: E402
import csv  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from typing import Any  # noqa: E402

from sklearn.metrics import accuracy_score, f1_score  # noqa: E402

from benchmarks.common import report  # noqa: E402
from bot.nlu.model import EntitySpan, Example, NluData  # noqa: E402
from nlu.model import NluModel, train_nlu  # noqa: E402

DATA = HERE.parent.parent / "shared" / "data"
SHOTS = 10
SEED = 42


def banking_split(data: Path, validate: bool) -> tuple[list[Example], list[Example]]:
    train = _read_banking(data / "banking77" / "train.csv")
    if not validate:
        return train, _read_banking(data / "banking77" / "test.csv")
    return _split(train)


def restaurant_split(data: Path, name: str, validate: bool) -> tuple[list[Example], list[Example]]:
    folder = data / "restaurant8k"
    train = _read_restaurant(folder / f"{name}.json")
    if not validate:
        return train, _read_restaurant(folder / "test.json")
    held = {e.text for e in _split(_read_restaurant(folder / "train_0.json"))[1]}
    return [e for e in train if e.text not in held], [
        e for e in _read_restaurant(folder / "train_0.json") if e.text in held
    ]


def few_shot(examples: list[Example], shots: int) -> list[Example]:
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_intent[example.intent].append(example)
    rng = random.Random(SEED)
    return [e for intent in sorted(by_intent) for e in rng.sample(by_intent[intent], shots)]


def banking(data: Path, shots: int | None, validate: bool, folder: Path) -> dict[str, Any]:
    name = f"banking77_{'full' if shots is None else f'{shots}shot'}"
    model = folder / name
    trained = train_in_child(data, shots, validate, model)
    _, test = banking_split(data, validate)
    nlu = NluModel.load(model)
    predicted = [nlu.parse(e.text).intent for e in test]
    gold = [e.intent for e in test]
    timings = parse_timings(nlu, [e.text for e in test])
    return {
        f"{name}_examples": trained["examples"],
        f"{name}_accuracy": round(float(accuracy_score(gold, predicted)), 4),
        f"{name}_macro_f1": round(float(f1_score(gold, predicted, average="macro")), 4),
        f"{name}_train_s": trained["train_s"],
        f"{name}_peak_mb": trained["peak_mb"],
        f"{name}_parse_p50_ms": round(statistics.median(timings) / 1e6, 4),
        f"{name}_parse_p99_ms": round(timings[int(len(timings) * 0.99)] / 1e6, 4),
        f"{name}_model_mb": round(sum(f.stat().st_size for f in model.iterdir()) / 2**20, 2),
    }


def train_in_child(data: Path, shots: int | None, validate: bool, model: Path) -> dict[str, Any]:
    """Training in a fresh process, so its peak memory is the training's own."""
    command = [sys.executable, __file__, "--data", str(data), "--train-only", str(model)]
    command += ["--shots", str(shots)] if shots is not None else []
    command += ["--validate"] if validate else []
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


def train_only(data: Path, shots: int | None, validate: bool, model: Path) -> dict[str, Any]:
    train, _ = banking_split(data, validate)
    if shots is not None:
        train = few_shot(train, shots)
    started = time.perf_counter()
    nlu = train_nlu(NluData(tuple(train)), seed=SEED)
    seconds = time.perf_counter() - started
    nlu.save(model)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"examples": len(train), "train_s": round(seconds, 2), "peak_mb": round(peak_mb)}


def parse_timings(nlu: NluModel, texts: list[str]) -> list[int]:
    """Nanoseconds of each parse, sorted."""
    timings = []
    gc.collect()
    for text in texts:
        started = time.perf_counter_ns()
        nlu.parse(text)
        timings.append(time.perf_counter_ns() - started)
    return sorted(timings)


def restaurant(data: Path, name: str, label: str, validate: bool) -> dict[str, Any]:
    train, test = restaurant_split(data, name, validate)
    started = time.perf_counter()
    nlu = train_nlu(NluData(tuple(train)), seed=SEED)
    seconds = time.perf_counter() - started
    found = [nlu.parse(e.text).entities for e in test]
    timings = parse_timings(nlu, [e.text for e in test])
    prefix = f"restaurant8k_{label}"
    scores = span_f1([e.entities for e in test], found)
    return {
        f"{prefix}_examples": len(train),
        f"{prefix}_span_f1": scores.pop("overall"),
        f"{prefix}_span_f1_per_slot": scores,
        f"{prefix}_train_s": round(seconds, 2),
        f"{prefix}_parse_p50_ms": round(statistics.median(timings) / 1e6, 4),
    }


def span_f1(
    gold: list[tuple[EntitySpan, ...]], found: list[tuple[EntitySpan, ...]]
) -> dict[str, float]:
    """Exact-span F1 per slot and over all slots."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # hits, found, gold
    for gold_spans, found_spans in zip(gold, found, strict=True):
        want = {(s.entity, s.start, s.end) for s in gold_spans}
        got = {(s.entity, s.start, s.end) for s in found_spans}
        for slot, keys in (("found", got), ("gold", want)):
            for key in keys:
                for name in (key[0], "overall"):
                    counts[name][1 if slot == "found" else 2] += 1
        for key in want & got:
            for name in (key[0], "overall"):
                counts[name][0] += 1
    return {
        name: round(2 * h / (f + g), 4) if f + g else 0.0
        for name, (h, f, g) in sorted(counts.items())
    }


def _read_banking(path: Path) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as file:
        return [Example(row["text"], row["category"]) for row in csv.DictReader(file)]


def _read_restaurant(path: Path) -> list[Example]:
    examples = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        text = item["userInput"]["text"]
        spans = tuple(
            EntitySpan(start, end, label["slot"], text[start:end])
            for label in item.get("labels", [])
            for start, end in [
                (label["valueSpan"].get("startIndex", 0), label["valueSpan"]["endIndex"])
            ]
        )
        examples.append(Example(text, "inform", spans))
    return examples


def _split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """A fixed fifth held out, for choosing without looking at the test set."""
    order = list(range(len(examples)))
    random.Random(0).shuffle(order)
    held = set(order[: len(order) // 5])
    return (
        [e for i, e in enumerate(examples) if i not in held],
        [e for i, e in enumerate(examples) if i in held],
    )


def missing(data: Path) -> list[Path]:
    needed = [data / "banking77" / f for f in ("train.csv", "test.csv")]
    needed += [data / "restaurant8k" / f for f in ("train_0.json", "train_4.json", "test.json")]
    return [path for path in needed if not path.is_file()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument("--validate", action="store_true", help="score on held-out training data")
    parser.add_argument("--only", choices=("banking77", "restaurant8k"), help="one data set")
    parser.add_argument("--train-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--shots", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.train_only is not None:
        print(json.dumps(train_only(args.data, args.shots, args.validate, args.train_only)))
        return
    absent = missing(args.data)
    if absent:
        parser.error(f"the benchmark data is missing: {', '.join(map(str, absent))} (--data)")
    figures: dict[str, Any] = {"validate": args.validate}
    if args.only in (None, "banking77"):
        with tempfile.TemporaryDirectory() as folder:
            for shots in (None, SHOTS):
                figures.update(banking(args.data, shots, args.validate, Path(folder)))
    if args.only in (None, "restaurant8k"):
        figures.update(restaurant(args.data, "train_0", "full", args.validate))
        figures.update(restaurant(args.data, "train_4", "512", args.validate))
    report(figures, args.json)


if __name__ == "__main__":
    main()

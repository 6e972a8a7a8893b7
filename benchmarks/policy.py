"""Policy benchmarks: accuracy on real Rasa data, speed and memory at scale.

    python benchmarks/policy.py --json     # one JSON object with every figure
    python benchmarks/policy.py            # the same, one figure a line
    python benchmarks/policy.py --latency-only   # only the prediction and load figures

- subdialogues_*: train on ../shared/data/subdialogues/train, evaluate on its test/ as
  `rasa test core` counts (see that folder's README), with a learning curve;
- train_s_N, peak_mb_N: training on N synthetic stories (benchmarks/synthetic.py) in a fresh
  process, its peak resident memory included everything the process holds;
- predict_median_ms, predict_p99_ms: `EnsemblePolicy.predict` (featurize, memoization,
  LightGBM, the answer) on 10,000 turns of unseen synthetic dialogues, one at a time, one
  thread, with the model of 1,000 stories; public_predict_median_ms and _p99_ms: the same on
  LightGBM's public `Booster.predict`, the fallback where the fast path is not verified;
- model_load_ms: loading that model from its folder (median of 5).
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called policy.py: its folder on sys.path would hide the `policy` package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse  # noqa: E402
import contextlib  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

import lightgbm  # noqa: E402

from benchmarks.common import report  # noqa: E402
from benchmarks.synthetic import synthetic_domain, synthetic_stories  # noqa: E402
from bot.domain import load_domain  # noqa: E402
from bot.stories.reader import read_stories  # noqa: E402
from bot.tracker import Tracker  # noqa: E402
from policy.config import PolicyConfig  # noqa: E402
from policy.dataset import Dialogue, story_dialogues  # noqa: E402
from policy.ensemble import EnsemblePolicy  # noqa: E402
from policy.evaluation import evaluate  # noqa: E402
from policy.learning_curve import learning_curve  # noqa: E402
from policy.persistence import load_model, save_model  # noqa: E402
from policy.training import TrainingData, train_policy  # noqa: E402

SUBDIALOGUES = HERE.parent.parent / "shared" / "data" / "subdialogues"
NOISE = 0.02
"""Share of bot actions replaced at random in the synthetic training stories."""
PREDICTIONS = 10_000


def subdialogues(folder: Path) -> dict[str, Any]:
    domain = load_domain(folder / "domain.yml")
    train, test = read_stories(folder / "train"), read_stories(folder / "test")
    started = time.perf_counter()
    policy = train_policy(domain, TrainingData(train, {}), PolicyConfig())
    seconds = time.perf_counter() - started
    scores = evaluate(policy, test, domain).report
    curve = learning_curve(domain, train, test, PolicyConfig())
    return {
        "subdialogues_action_accuracy": round(scores.action_accuracy, 4),
        "subdialogues_rasa_accuracy": round(scores.rasa_accuracy, 4),
        "subdialogues_story_accuracy": round(scores.story_accuracy, 4),
        "subdialogues_weighted_f1": round(scores.weighted_f1, 4),
        "subdialogues_train_s": round(seconds, 2),
        "subdialogues_learning_curve": [
            [p.stories, round(p.action_accuracy, 4), round(p.story_accuracy, 4)] for p in curve
        ],
    }


def train_in_child(stories: int, model: Path | None) -> dict[str, Any]:
    """Training in a fresh process, so its peak memory is the training's own."""
    command = [sys.executable, __file__, "--train-only", str(stories)]
    if model is not None:
        command += ["--model", str(model)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


def train_only(stories: int, model: Path | None) -> dict[str, Any]:
    domain = synthetic_domain()
    data = TrainingData(synthetic_stories(stories, seed=1, noise=NOISE), {})
    started = time.perf_counter()
    policy = train_policy(domain, data, PolicyConfig())
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if model is not None:
        save_model(policy, model)
    assert policy.metadata is not None
    return {
        f"train_s_{stories}": round(seconds, 2),
        f"peak_mb_{stories}": round(peak_mb),
        f"examples_{stories}": policy.metadata.metrics.examples,
    }


def latency(model: Path) -> dict[str, Any]:
    domain = synthetic_domain()
    loads = []
    for _ in range(5):
        started = time.perf_counter()
        policy = load_model(model, domain)
        loads.append(time.perf_counter() - started)
    dialogues = story_dialogues(synthetic_stories(2_000, seed=99), domain)
    timings = predict_timings(policy, dialogues)
    with unverified_lightgbm():
        public = predict_timings(load_model(model, domain), dialogues)
    return {
        "predict_median_ms": round(statistics.median(timings) / 1e6, 4),
        "predict_p99_ms": round(timings[int(len(timings) * 0.99)] / 1e6, 4),
        "public_predict_median_ms": round(statistics.median(public) / 1e6, 4),
        "public_predict_p99_ms": round(public[int(len(public) * 0.99)] / 1e6, 4),
        "predictions": len(timings),
        "model_load_ms": round(statistics.median(loads) * 1000, 1),
        "trees_1000": policy.model.booster.num_trees() if policy.model.booster else 0,
    }


def predict_timings(policy: EnsemblePolicy, dialogues: list[Dialogue]) -> list[int]:
    """Nanoseconds of each of the first PREDICTIONS predictions, sorted."""
    timings: list[int] = []
    gc.collect()
    for dialogue in dialogues:
        tracker = Tracker("benchmark", policy.domain)
        for event in dialogue.events:
            if tracker.latest_message is not None and len(timings) < PREDICTIONS:
                started_ns = time.perf_counter_ns()
                policy.predict(tracker)
                timings.append(time.perf_counter_ns() - started_ns)
            tracker.apply(event)
    return sorted(timings)


@contextlib.contextmanager
def unverified_lightgbm() -> Iterator[None]:
    """Models loaded meanwhile take the public path, as on a LightGBM version not verified."""
    installed = lightgbm.__version__
    lightgbm.__version__ = "0.0"
    try:
        yield
    finally:
        lightgbm.__version__ = installed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--data", type=Path, default=SUBDIALOGUES, help="the sub-dialogue data")
    parser.add_argument(
        "--latency-only", action="store_true", help="only the prediction and load figures"
    )
    parser.add_argument("--train-only", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.train_only is not None:
        print(json.dumps(train_only(args.train_only, args.model)))
        return
    if not args.latency_only and not (args.data / "train").is_dir():
        parser.error(f"the sub-dialogue data is missing: no {args.data / 'train'} (--data)")
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        model = Path(folder) / "model"
        figures.update(train_in_child(1_000, model))
        figures.update(latency(model))
    if not args.latency_only:
        figures.update(train_in_child(10_000, None))
        figures.update(subdialogues(args.data))
    report(figures, args.json)


if __name__ == "__main__":
    main()

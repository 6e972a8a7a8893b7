"""`ozbot evaluate`: how well the saved model predicts test stories, counted as Rasa counts.

It trains nothing (the model is the one `ozbot train` or a teaching session saved), except with
`--learning-curve`, which trains a policy per point on a share of the project's stories.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commands.common import progress, say, settings
from bot.errors import StoryError
from bot.stories.model import Story
from bot.stories.reader import read_stories
from bot.training_files import read_test_stories
from policy.evaluation import EvaluationReport, evaluate

if TYPE_CHECKING:
    from bot.app import LoadedProject
    from bot.stories.model import Story
    from policy.learning_curve import CurvePoint

HELP = "evaluate the saved model on test stories (or the NLU on test NLU data), as Rasa counts"
CURVE_JSON, CURVE_PNG = "learning_curve.json", "learning_curve.png"
TOP_CONFUSIONS = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--stories",
        type=Path,
        help="test stories: a story file or a folder (default: the project's tests/test_*.yml "
        "and tests/test_*.md, as Rasa finds them)",
    )
    what.add_argument(
        "--nlu",
        type=Path,
        help="test NLU data (Rasa YAML or Markdown, a file or a folder): scores the NLU as "
        "`rasa test nlu` does; --out writes nlu_report.json, nlu_errors.json and "
        "intent_confusion.png",
    )
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument(
        "--out",
        type=Path,
        help="write report.json, failed_stories.md and confusion_matrix.png into this folder",
    )
    parser.add_argument(
        "--learning-curve",
        action="store_true",
        help="train on growing shares of the project's stories and measure each on the test "
        f"stories; writes {CURVE_JSON} and {CURVE_PNG} into --out (default: PROJECT/results)",
    )


async def run(args: argparse.Namespace) -> None:
    from bot import app
    from bot.commands import evaluate_nlu
    from policy.model_store import POINTER
    from policy.persistence import load_model

    loaded = app.load_project(settings(args))
    if args.nlu is not None:
        await evaluate_nlu.run(loaded, args)
        return
    test = read_stories(args.stories) if args.stories else _project_tests(loaded)
    if args.learning_curve:
        await _learning_curve(loaded, test, args)
        return
    policy = load_model(loaded.project.models_dir / POINTER, loaded.domain)
    evaluation = await asyncio.to_thread(evaluate, policy, test, loaded.domain)
    written = []
    if args.out is not None:
        # Imported only here: matplotlib takes most of a second to import.
        from policy.evaluation_files import write_evaluation

        written = await asyncio.to_thread(write_evaluation, evaluation, args.out)
    if args.json:
        say(json.dumps(evaluation.report.to_dict()))
    else:
        say(summary(evaluation.report))
    for path in written:
        print(f"wrote {path}", file=sys.stderr)


def _project_tests(loaded: LoadedProject) -> list[Story]:
    tests = read_test_stories(loaded.project)
    if not tests:
        raise StoryError(
            f"{loaded.project.tests_dir}: no test stories (files named test_*.yml or "
            "test_*.md); put some there, or pass --stories FILE_OR_FOLDER"
        )
    return tests


def summary(report: EvaluationReport) -> str:
    """The report for a person: the headline numbers, then the actions and the confusions."""
    correct = report.stories - report.failed_stories
    lines = [
        f"{report.stories} test stories, {report.actions} bot actions "
        f"({report.predictions} predictions with the listens)",
        f"action accuracy    {report.action_accuracy:.3f}  (bot actions, action_listen excluded)",
        f"rasa accuracy      {report.rasa_accuracy:.3f}  (Rasa's action-level Accuracy)",
        f"weighted F1        {report.weighted_f1:.3f}  (Rasa prints {report.rasa_weighted_f1:.3f})",
        f"weighted precision {report.weighted_precision:.3f}  "
        f"(Rasa prints {report.rasa_weighted_precision:.3f})",
        f"story accuracy     {report.story_accuracy:.3f}  "
        f"({correct} of {report.stories} stories without an error)",
        f"in-data fraction   {report.in_data_fraction:.3f}  (predicted by memoization)",
        "",
        f"{'action':<40} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>7}",
    ]
    for action, s in report.per_action.items():
        lines.append(
            f"{action:<40} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.support:>7}"
        )
    if report.confusions:
        lines += ["", "most frequent errors (gold -> predicted):"]
        lines += [
            f"  {c.gold} -> {c.predicted}  ({c.count})" for c in report.confusions[:TOP_CONFUSIONS]
        ]
    return "\n".join(lines)


async def _learning_curve(
    loaded: LoadedProject, test: list[Story], args: argparse.Namespace
) -> None:
    from policy.evaluation_files import write_json  # imported here: see run()
    from policy.learning_curve import curve_to_dict, learning_curve
    from policy.plots import learning_curve_png

    folder: Path = args.out if args.out is not None else loaded.project.root / "results"
    points = await asyncio.to_thread(
        learning_curve,
        loaded.domain,
        loaded.stories,
        test,
        loaded.config,
        done=lambda done, total: progress("learning curve", done, total),
    )
    data = curve_to_dict(points)
    folder.mkdir(parents=True, exist_ok=True)
    write_json(data, folder / CURVE_JSON)
    curves = {
        "action accuracy": [p.action_accuracy for p in points],
        "story accuracy": [p.story_accuracy for p in points],
    }
    learning_curve_png([p.stories for p in points], curves, folder / CURVE_PNG)
    say(json.dumps(data) if args.json else _curve_table(points))
    print(f"wrote {folder / CURVE_JSON} and {folder / CURVE_PNG}", file=sys.stderr)


def _curve_table(points: list[CurvePoint]) -> str:
    lines = [f"{'stories':>7} {'action acc':>10} {'story acc':>9} {'train s':>7}"]
    lines += [
        f"{p.stories:>7} {p.action_accuracy:>10.3f} {p.story_accuracy:>9.3f} "
        f"{p.train_seconds:>7.1f}"
        for p in points
    ]
    return "\n".join(lines)

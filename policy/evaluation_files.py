"""What `ozbot evaluate --out DIR` writes: the report, the failed stories, the confusions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from policy.evaluation import Evaluation
from policy.failed_stories import failed_stories_markdown
from policy.plots import confusion_png

REPORT = "report.json"
FAILED_STORIES = "failed_stories.md"
CONFUSION_MATRIX = "confusion_matrix.png"


def write_evaluation(evaluation: Evaluation, folder: Path) -> list[Path]:
    """The files written, in this order: report, failed stories, confusion matrix."""
    folder.mkdir(parents=True, exist_ok=True)
    write_json(evaluation.report.to_dict(), folder / REPORT)
    (folder / FAILED_STORIES).write_text(
        failed_stories_markdown(evaluation.results), encoding="utf-8"
    )
    turns = [turn for result in evaluation.results for turn in result.turns]
    golds = [turn.gold for turn in turns]
    confusion_png(golds, [turn.predicted for turn in turns], folder / CONFUSION_MATRIX)
    return [folder / REPORT, folder / FAILED_STORIES, folder / CONFUSION_MATRIX]


def write_json(data: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

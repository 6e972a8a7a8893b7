"""`ozbot evaluate --nlu FILE_OR_DIR`: the bot's NLU (the live version's built-in one, or the
Rasa server of config.yml) scored on test NLU data, as `rasa test nlu` scores it (intents,
entity spans, out-of-scope)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from bot.app import LoadedProject
from bot.commands.common import say
from bot.errors import ModelError
from bot.nlu.model import NluData, Understanding
from bot.nlu.reader import read_nlu
from nlu.evaluation import NluReport, evaluate_nlu
from nlu.interpreter import Parser
from nlu.model import train_nlu
from nlu.part import NluPart
from nlu.rasa_http import RasaHttpInterpreter
from policy.model_store import ModelStore

REPORT, ERRORS, CONFUSION = "nlu_report.json", "nlu_errors.json", "intent_confusion.png"
REQUESTS_AT_ONCE = 8


async def run(loaded: LoadedProject, args: argparse.Namespace) -> None:
    test = read_nlu(args.nlu)
    if not test.examples:
        raise ModelError(f"{args.nlu}: no NLU examples to test on")
    if not loaded.nlu.examples and loaded.settings.nlu.url is None:
        raise ModelError(
            f"{loaded.project.stories_dir}: no NLU data, so there is no NLU to evaluate; add "
            "Rasa NLU data there (see stories/nlu.yml of the concert bot)"
        )
    threshold = loaded.settings.nlu.threshold
    settings = loaded.settings.nlu
    parse: Callable[[str], Understanding]
    if settings.url is None:
        parse = (await asyncio.to_thread(_live_nlu, loaded)).parse
    else:
        remote = RasaHttpInterpreter(settings.url, settings.timeout_seconds)
        parse = (await _read_by(remote, test)).__getitem__
    report = await asyncio.to_thread(evaluate_nlu, parse, test, threshold)
    if args.out is not None:
        for path in await asyncio.to_thread(_write, report, args.out):
            print(f"wrote {path}", file=sys.stderr)
    say(json.dumps(report.to_dict()) if args.json else summary(report))


async def _read_by(remote: RasaHttpInterpreter, test: NluData) -> dict[str, Understanding]:
    """Each test text as the Rasa server of config.yml reads it, a few requests at a time."""
    texts = list(dict.fromkeys(example.text for example in test.examples))
    at_once = asyncio.Semaphore(REQUESTS_AT_ONCE)

    async def read(text: str) -> Understanding:
        async with at_once:
            return await remote.parse(text)

    await remote.start()
    try:
        return dict(zip(texts, await asyncio.gather(*map(read, texts)), strict=True))
    finally:
        await remote.close()


def _live_nlu(loaded: LoadedProject) -> Parser:
    """The NLU of the live version; trained now on the project's NLU data alone when that
    version has none for this data (no `ozbot train` or run since it changed)."""
    models = ModelStore(loaded.project.models_dir)
    live = models.live()
    part = NluPart(loaded.nlu)
    try:
        if live is None:
            raise ModelError("no model version is live")
        return part.load(models.folder(live) / part.name)
    except ModelError as exc:
        print(f"Training the NLU for this evaluation: {exc}.", file=sys.stderr)
        return train_nlu(loaded.nlu)


def summary(report: NluReport) -> str:
    out_of_scope = report.out_of_scope_recall
    lines = [
        f"{report.examples} test messages, {len(report.misses)} read wrong",
        f"intent accuracy    {report.intent_accuracy:.3f}",
        f"intent macro F1    {report.intent_macro_f1:.3f}",
        f"intent weighted F1 {report.intent_weighted_f1:.3f}",
        f"entity precision   {report.entity_precision:.3f}  (exact spans)",
        f"entity recall      {report.entity_recall:.3f}",
        f"entity F1          {report.entity_f1:.3f}",
    ]
    if out_of_scope is not None:
        lines.append(f"out-of-scope recall {out_of_scope:.3f}  (read as nlu_fallback)")
    return "\n".join(lines)


def _write(report: NluReport, folder: Path) -> list[Path]:
    # Imported only here: matplotlib takes most of a second to import.
    from policy.plots import confusion_png

    folder.mkdir(parents=True, exist_ok=True)
    (folder / REPORT).write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
    misses = [asdict(miss) for miss in report.misses]
    (folder / ERRORS).write_text(json.dumps(misses, indent=2, ensure_ascii=False), "utf-8")
    confusion_png(report.golds, report.predictions, folder / CONFUSION, label="intent")
    return [folder / REPORT, folder / ERRORS, folder / CONFUSION]

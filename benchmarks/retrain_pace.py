"""Retraining pace: how many retrains and trainer notices a taught session causes.

    python benchmarks/retrain_pace.py [--think-seconds 1.0] [--json]

A trainer teaches the concert bot (a copy of this project, its SQLite store, the training
process, the built-in NLU: the bot `ozbot interactive` runs, with config.yml's retraining
settings) one conversation of 25 turns, typed and free text, approving every proposal but three
(turns 3, 13 and 21, /compare_reviews: the other review is chosen), with `--think-seconds`
between taps. Printed: taps, corrections, the retrains (versions that went live) and the notes
trainers got during the session, and the same once retraining is idle afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds policy.py: on sys.path it would hide the `policy` package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks.common import report  # noqa: E402
from bot.app import Bot, TrainerNotes, running_bot  # noqa: E402
from bot.engine import UserMessage  # noqa: E402
from bot.outputs import ActionProposal, Choices  # noqa: E402
from bot.settings import read_settings  # noqa: E402
from bot.teaching import Answer  # noqa: E402

REPO = HERE.parent
PROJECT_FILES = ("domain.yml", "config.yml", "actions.py", "stories/stories.md", "stories/nlu.yml")
SESSION = (
    "/greet", "/search_concerts", "/compare_reviews", "thanks!", "/search_venues",
    "/compare_reviews", "/thankyou", "any concerts in Paris?", "/compare_reviews", "/goodbye",
    "hello there bot", "/search_venues", "/compare_reviews", "/thankyou", "/search_concerts",
    "/compare_reviews", "thanks so much", "which venues are there in Rome?", "/compare_reviews",
    "/greet", "/compare_reviews", "/search_concerts", "/thankyou", "/goodbye", "bye for now",
)  # fmt: skip
CORRECTED_TURNS = (3, 13, 21)
"""1-based: the bot's first proposal there is corrected to the other review."""
REVIEWS = ("action_show_concert_reviews", "action_show_venue_reviews")
PROPOSALS_A_TURN = 6
"""A turn ends when action_listen is approved; this bounds one that would not."""
IDLE_LIMIT = 900.0


@dataclass
class Session:
    taps: int = 0
    corrections: int = 0
    notes: list[str] = field(default_factory=list)


def copy_project(into: Path) -> Path:
    for name in PROJECT_FILES:
        (into / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, into / name)
    return into


async def teach(bot: Bot, session: Session, think: float) -> None:
    async def tap(question: str, kind: str, value: str | None = None) -> Any:
        await asyncio.sleep(think)
        session.taps += 1
        outputs = await bot.engine.handle("trainer", Answer(question, kind, value), trainer=True)
        return outputs[-1]

    for number, text in enumerate(SESSION, 1):
        await asyncio.sleep(think)
        output = (await bot.engine.handle("trainer", UserMessage(text), trainer=True))[-1]
        correct = number in CORRECTED_TURNS
        for _ in range(PROPOSALS_A_TURN):
            if not isinstance(output, ActionProposal):
                break
            action = output.action
            if correct:
                choices = await tap(output.question_id, "wrong_action")
                assert isinstance(choices, Choices)
                other = REVIEWS[1] if action == REVIEWS[0] else REVIEWS[0]
                output = await tap(choices.question_id, "choose_action", other)
                session.corrections += 1
                correct = False
                continue
            output = await tap(output.question_id, "approve")
            if action == "action_listen":
                break


async def run(think: float) -> dict[str, Any]:
    session = Session()
    with tempfile.TemporaryDirectory() as folder:
        settings = read_settings(copy_project(Path(folder)), {})
        notes = TrainerNotes(session.notes.append)
        async with running_bot(settings, learn=True, progress=lambda *_: None, notes=notes) as bot:
            first = bot.live.version or 0
            started = time.monotonic()
            await teach(bot, session, think)
            seconds = time.monotonic() - started
            during = ((bot.live.version or 0) - first, len(session.notes))
            await asyncio.wait_for(bot.schedule.wait_idle(), IDLE_LIMIT)
            after = ((bot.live.version or 0) - first, len(session.notes))
            pace = str(getattr(settings, "retraining", "a 0.3 s debounce (before the change)"))
    return {
        "turns": len(SESSION),
        "taps": session.taps,
        "corrections": session.corrections,
        "think_seconds": think,
        "session_seconds": round(seconds, 1),
        "retrains_during_session": during[0],
        "notices_during_session": during[1],
        "retrains_until_idle": after[0],
        "notices_until_idle": after[1],
        "first_model": first,
        "last_model": first + after[0],
        "notices": " | ".join(session.notes),
        "pace": pace,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--think-seconds", type=float, default=1.0, help="between taps")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report(asyncio.run(run(args.think_seconds)), args.json)


if __name__ == "__main__":
    main()

"""What a custom action adds to a turn, by the way it runs: ozbot's own in process, rasa-sdk's in
process, and rasa-sdk's on a real action server over HTTP (127.0.0.1).

    python benchmarks/custom_actions.py [--turns N] [--json]

Each way runs N engine turns (no training questions, memory store) of the bot of
tests/rasa_actions/sdk_bot: `/search{"city": "Oslo"}` -> action_search_concerts (three messages,
one slot) -> action_listen; a conversation restarts every 10 turns, so the tracker sent stays of
a usual size (up to about 60 events). 20 warm-up turns run first. Figures: median and p90 of a
turn (ms), and for rasa-sdk's ways the median added over ozbot's own.
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
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks.common import report  # noqa: E402
from bot.action_loader import load_custom_actions  # noqa: E402
from bot.actions import ActionRegistry, Dispatcher  # noqa: E402
from bot.domain import Domain, load_domain  # noqa: E402
from bot.engine import Command, Engine, UserMessage  # noqa: E402
from bot.events import Event, SlotSet  # noqa: E402
from bot.tracker import Tracker  # noqa: E402
from rasa_actions.sdk import in_process_action  # noqa: E402
from rasa_actions.server import ActionServer  # noqa: E402
from tests.rasa_actions.conftest import SDK_BOT, engine_with, running_action_server  # noqa: E402

WARM_UP = 20
PER_CONVERSATION = 10
MESSAGE = '/search{"city": "Oslo"}'


class OzbotSearch:
    """action_search_concerts written with ozbot's own API, doing what the rasa-sdk one does."""

    name = "action_search_concerts"

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        city = tracker.slots.get("city")
        dispatcher.utter_message(
            f"{tracker.conversation_id} asked for concerts in {city}\n[image: x]",
            [("more", "/search")],
        )
        dispatcher.utter_message("found 2 concerts")
        dispatcher.utter_message(f"slots: {', '.join(s.name for s in domain.slots)}")
        return [SlotSet("concerts", ["Foo Fighters", "Katy Perry"])]


async def timed_turns(engine: Engine, turns: int) -> list[float]:
    """Milliseconds of each of `turns` turns after the warm-up."""
    times = []
    for turn in range(WARM_UP + turns):
        conversation = f"c{turn // PER_CONVERSATION}"
        started = time.perf_counter()
        outputs = await engine.handle(conversation, UserMessage(MESSAGE), trainer=False)
        elapsed = (time.perf_counter() - started) * 1000
        assert len(outputs) == 3, outputs  # the action's three messages: it ran
        if turn >= WARM_UP:
            times.append(elapsed)
        if turn % PER_CONVERSATION == PER_CONVERSATION - 1:
            await engine.handle(conversation, Command("restart"), trainer=False)
    return times


def figures(name: str, times: list[float]) -> dict[str, Any]:
    return {
        f"{name}_median_ms": round(statistics.median(times), 3),
        f"{name}_p90_ms": round(statistics.quantiles(times, n=10)[8], 3),
    }


async def measure(turns: int, folder: Path) -> dict[str, Any]:
    domain = load_domain(SDK_BOT / "domain.yml")
    ozbot = ActionRegistry(domain, {"action_search_concerts": OzbotSearch()})
    sdk = ActionRegistry(domain, load_custom_actions(SDK_BOT, domain), in_process_action)
    times = {
        "ozbot": await timed_turns(engine_with(domain, ozbot, folder), turns),
        "sdk_in_process": await timed_turns(engine_with(domain, sdk, folder), turns),
    }
    with running_action_server(folder / "server.log") as url:
        server = ActionServer(url)
        await server.start()
        try:
            remote = ActionRegistry(domain, {}, remote=server.action)
            times["action_server"] = await timed_turns(engine_with(domain, remote, folder), turns)
        finally:
            await server.close()
    summary: dict[str, Any] = {"turns": turns}
    for name, each in times.items():
        summary |= figures(name, each)
    base = statistics.median(times["ozbot"])
    for name in ("sdk_in_process", "action_server"):
        summary[f"{name}_added_median_ms"] = round(statistics.median(times[name]) - base, 3)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # rasa-sdk's notes on versions and extraction methods
    with tempfile.TemporaryDirectory() as folder:
        report(asyncio.run(measure(args.turns, Path(folder))), args.json)


if __name__ == "__main__":
    main()

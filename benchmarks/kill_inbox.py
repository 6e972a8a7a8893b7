"""kill -9 of `ozbot run` with acknowledged updates in flight, then a restart: are they stored
once and answered?

    python benchmarks/kill_inbox.py --store sqlite|redis [--updates 20] [--action-seconds 2]
                                    [--json]

A real `ozbot run telegram slack` process (the concert bot, `utter_greet` replaced by an
action that sleeps `--action-seconds`) serves the fake Telegram and Slack APIs of the tests
(tests/connectors/fake_*.py). N users, who are not trainers, each send `/greet` on Telegram
(polling) and N others `!greet` on Slack (signed events). Once every update is acknowledged
(Telegram's next poll confirms the last one, Slack's POSTs got 200) and while every action
still sleeps, the process gets SIGKILL; then the same command starts again. With Redis, the
local Redis (REDIS_URL) under a prefix of the run's own, deleted after.

Per platform: sent, acknowledged, answered_before_kill, stored_once (conversations holding
their user's message exactly once), stored_twice, answered (users with exactly one answer),
recovery_seconds (restart to the last answer, start-up and training included).
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
from dataclasses import asdict  # noqa: E402

from benchmarks.common import bench_redis, delete_keys, report  # noqa: E402
from tests.bot.commands.killed_run import kill_and_restart  # noqa: E402

REPO = HERE.parent


def _project(folder: Path) -> Path:
    """A copy of the concert bot: the slow action and the store stay out of the repository."""
    for name in ("domain.yml", "actions.py", "config.yml"):
        shutil.copy(REPO / name, folder / name)
    (folder / "stories").mkdir()
    shutil.copy(REPO / "stories" / "stories.md", folder / "stories" / "stories.md")
    return folder


async def _run(store: str, updates: int, action_seconds: float, folder: Path) -> dict[str, object]:
    project = _project(folder)
    redis = bench_redis() if store == "redis" else None
    if redis is not None:
        with (project / "config.yml").open("a", encoding="utf-8") as config:
            config.write(f"store:\n  prefix: {redis.prefix}\n")
    try:
        found = await kill_and_restart(
            project,
            updates,
            redis_url=None if redis is None else redis.url,
            action_seconds=action_seconds,
            stderr=folder / "stderr.txt",
        )
    finally:
        if redis is not None:
            await delete_keys(redis)
    summary: dict[str, object] = {"store": store}
    for platform, killed in found.items():
        summary |= {f"{platform}_{name}": value for name, value in asdict(killed).items()}
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=("sqlite", "redis"), required=True)
    parser.add_argument("--updates", type=int, default=20, help="updates a platform")
    parser.add_argument("--action-seconds", type=float, default=2.0)
    parser.add_argument("--json", action="store_true", help="one JSON object, nothing else")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ozbot-bench-") as folder:
        summary = asyncio.run(_run(args.store, args.updates, args.action_seconds, Path(folder)))
    report(summary, args.json)


if __name__ == "__main__":
    main()

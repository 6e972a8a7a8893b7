"""`ozbot` as a user runs it: a subprocess, typed lines on stdin, files in a project folder."""

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys

import pytest

from bot.stores.sqlite import SqliteTrackerStore
from bot.stories.model import ActionStep, UserStep
from bot.stories.reader import read_stories
from tests.bot.stories.test_drawing import graph as drawn_graph
from tests.conftest import REPO
from tests.policy.png import assert_readable_png

SEED_TRANSCRIPT = [
    "/greet", "1", "1",
    "/search_concerts", "1", "1",
    "/compare_reviews", "2", "action_show_concert_reviews",
    "0",
]  # fmt: skip


@pytest.fixture
def project(tmp_path):
    """A copy of the concert bot, so that exports and models stay out of the repository."""
    for name in ("domain.yml", "actions.py", "config.yml"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "stories").mkdir()
    shutil.copy(REPO / "stories" / "stories.md", tmp_path / "stories" / "stories.md")
    return tmp_path


def ozbot(project, *args, lines=(), env=None):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--project", str(project), *args],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    print(result.stderr, file=sys.stderr)  # a failing test shows it under "Captured stderr"
    return result


def on_store(redis_url=None):
    """This process's environment with REDIS_URL set to `redis_url`, or unset: the project's
    SQLite file (whatever the environment of the tests says)."""
    environ = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    return environ if redis_url is None else {**environ, "REDIS_URL": redis_url}


def test_the_seed_transcript_exports_the_corrected_story_and_it_sticks(project):
    result = ozbot(project, "interactive", lines=SEED_TRANSCRIPT)
    assert result.returncode == 0, result.stderr
    assert "The bot wants to [utter_greet] due to the intent. Is this correct?" in result.stdout
    assert "what is the next action for the bot?" in result.stdout
    assert "Bot: Katy Perry has the best reviews (5.0)" in result.stdout

    [exported] = (project / "stories" / "exported").glob("*.md")
    [story] = read_stories(exported)
    users = [step.alternatives[0].intent for step in story.steps if isinstance(step, UserStep)]
    actions = [step.name for step in story.steps if isinstance(step, ActionStep)]
    assert users == ["greet", "search_concerts", "compare_reviews"]
    assert actions == ["utter_greet", "action_search_concerts", "action_show_concert_reviews"]

    fresh = ozbot(project, "interactive", "--conversation", "fresh", lines=SEED_TRANSCRIPT[:7])
    assert fresh.returncode == 0, fresh.stderr
    proposals = [line for line in fresh.stdout.splitlines() if "The bot wants to" in line]
    assert "[action_show_concert_reviews]" in proposals[-1]


def test_quitting_keeps_the_conversation_and_starting_again_continues_it(project):
    first = ozbot(project, "interactive", lines=["/greet", "1", "1", "/search_concerts"])
    assert "Export the conversation as stories before quitting?" in first.stdout
    again = ozbot(project, "interactive", lines=["1", "1", "n"])
    assert again.stdout.index("[action_search_concerts]") < again.stdout.index("Your input")
    assert "user said:        /greet" in again.stdout


def test_train_shows_progress_and_saves_the_model(project):
    result = ozbot(project, "train")
    assert result.returncode == 0, result.stderr
    assert "Trained on 7 stories and 0 taught conversations" in result.stdout
    assert re.search(r"\] (\d+)/\1\n", result.stderr), result.stderr  # the bar reached its end
    assert (project / "models" / "current" / "booster.txt").is_file()


def test_shell_answers_without_questions(project):
    result = ozbot(project, "shell", lines=["/greet", "n"])
    assert "Bot: hey there!" in result.stdout
    assert "Is this correct?" not in result.stdout


def test_the_shell_keeps_nothing_and_leaves_the_taught_conversation_alone(project):
    taught = ozbot(project, "interactive", lines=["/greet", "1", "1"])
    assert taught.returncode == 0, taught.stderr
    shell = ozbot(project, "shell", lines=["/search_concerts", "/export", "/retrain"])
    assert shell.returncode == 0, shell.stderr
    assert "Bot: " in shell.stdout
    assert "/export is for teaching" in shell.stdout
    assert "/retrain is for teaching" in shell.stdout
    assert "Export the conversation" not in shell.stdout
    assert not (project / "stories" / "exported").exists()

    async def stored() -> dict[str, list[str]]:
        store = await SqliteTrackerStore.open(project / "ozbot.db")
        try:
            ids = await store.conversation_ids()
            return {i: [repr(e) for e in (await store.load(i)).events] for i in ids}
        finally:
            await store.close()

    conversations = asyncio.run(stored())
    assert list(conversations) == ["terminal"]  # the shell's conversation was never stored
    assert not any("search_concerts" in event for event in conversations["terminal"])


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_visualize_draws_the_stories_and_the_taught_conversations(project):
    untaught = ozbot(project, "visualize", "--out", str(project / "graph.dot"))
    assert "7 stories, 0 rules, 0 taught conversations" in untaught.stdout, untaught.stderr
    assert not (project / "ozbot.db").exists()  # drawing creates no store
    taught = ozbot(project, "interactive", lines=["/greet", "2", "utter_goodbye", "1"])
    assert taught.returncode == 0, taught.stderr
    as_text = ozbot(project, "visualize", "--out", str(project / "graph.dot"))
    assert as_text.returncode == 0, as_text.stderr
    title = f"{project.name}: 7 stories, 0 rules, 1 taught conversation"
    assert f"Drew {title} into {project / 'graph.dot'}." in as_text.stdout
    dot = (project / "graph.dot").read_text()
    _, edges = drawn_graph(dot)
    assert ("greet", "utter_greet") in edges  # a story
    assert ("greet", "utter_goodbye") in edges  # what the trainer taught
    assert ozbot(project, "visualize", "--out", str(project / "g.png")).returncode == 0
    assert_readable_png(project / "g.png")


def test_visualize_without_graphviz_says_what_to_install(project, tmp_path):
    result = ozbot(project, "visualize", env={**os.environ, "PATH": str(tmp_path)})
    assert result.returncode == 2
    assert "apt-get install graphviz" in result.stderr
    assert not (project / "graph.png").exists()
    wrong = ozbot(project, "visualize", "--out", "graph.jpeg")
    assert "--out graph.jpeg: name a .png, .svg, .pdf or .dot file" in wrong.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: (p / "domain.yml").unlink(), "is not a bot project: it has no domain.yml"),
        (
            lambda p: (p / "stories" / "bad.md").write_text("## s\n* greet\n    - utter_fly\n"),
            "utter_fly",
        ),
        (lambda p: (p / "config.yml").write_text("max_history: many\n"), "max_history"),
        (lambda p: (p / "actions.py").write_text("import nowhere\n"), "actions.py:1: importing"),
    ],
)
def test_a_broken_project_gets_one_clear_error(project, change, message):
    change(project)
    result = ozbot(project, "interactive", lines=["/greet"])
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_while_waiting_for_input_ends_at_once_and_keeps_it(project, stop):
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "--project", str(project), "interactive"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            process.stdin.write("/greet\n")
            process.stdin.flush()
            assert "Your choice -> " in _read_until(process.stdout, "Your choice -> ")
            process.send_signal(stop)
            process.wait(timeout=10)  # stdin stays open: the exit must not wait for input
            stderr = process.stderr.read()
        finally:
            process.kill()
    assert process.returncode == 130
    assert "The conversation is kept" in stderr
    again = ozbot(project, "interactive", lines=["1", "1", "n"])
    assert "The bot wants to [utter_greet]" in again.stdout


def _read_until(stream, marker, limit=100_000):
    """Read the child's output up to `marker` (bounded)."""
    seen = ""
    while marker not in seen and len(seen) < limit:
        char = stream.read(1)
        if not char:
            break
        seen += char
    return seen


def test_the_global_options_work_after_the_subcommand_too(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("not-a-project")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--project", str(project), "--log-level", "debug"],
        cwd=elsewhere,
        env=os.environ | {"PYTHONPATH": str(REPO)},  # this checkout, wherever the cwd is
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "ok: the project and its settings are ready" in result.stdout
    before = ozbot(elsewhere, "check", "--log-json")  # --project before, not undone after
    assert "is not a bot project" in before.stdout


HEAVY = ("lightgbm", "sklearn", "numpy", "scipy", "telegram", "slack_bolt", "aiohttp", "redis")
IMPORTED_BY = """
import sys
from bot.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = {name.split(".")[0] for name in sys.modules} & set(%r)
print("heavy:", sorted(heavy), file=sys.stderr)
"""


@pytest.mark.parametrize("argv", [["--help"], ["run", "telegram"], ["train", "--help"]])
def test_help_and_a_missing_token_answer_without_importing_the_heavy_libraries(argv):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
    result = subprocess.run(
        [sys.executable, "-c", IMPORTED_BY % (HEAVY,), *argv],
        env=env | {"TELEGRAM_TOKEN": ""},  # empty means unset
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "heavy: []" in result.stderr, result.stderr
    if argv == ["run", "telegram"]:
        assert "error: TELEGRAM_TOKEN is not set" in result.stderr
    else:
        assert "usage: ozbot" in result.stdout

"""`ozbot evaluate` on a copy of the concert bot, run in-process through the CLI's main()."""

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from bot.cli import main
from tests.conftest import REPO
from tests.policy.png import assert_readable_png

TEST_STORIES = """\
## greet and search
* greet
    - utter_greet
* search_concerts
    - action_search_concerts
    - slot{"concerts": [{"artist": "Foo Fighters", "reviews": 4.5}]}

## thanks
* thankyou
    - utter_youarewelcome
    - utter_goodbye
"""
KEYS = ("action_accuracy", "rasa_accuracy", "weighted_f1", "weighted_precision", "story_accuracy")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The concert bot with its stories and a test story file next to it."""
    for name in ("domain.yml", "actions.py", "config.yml"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "stories").mkdir()
    shutil.copy(REPO / "stories" / "stories.md", tmp_path / "stories" / "stories.md")
    (tmp_path / "test.md").write_text(TEST_STORIES, encoding="utf-8")
    return tmp_path


def ozbot(project: Path, *args: str) -> int:
    return main(["--project", str(project), *args])


def test_json_report_and_files_of_a_trained_model(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ozbot(project, "train") == 0
    capsys.readouterr()

    code = ozbot(
        project,
        "evaluate",
        "--stories",
        str(project / "test.md"),
        "--json",
        "--out",
        str(project / "out"),
    )

    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert all(isinstance(report[key], float) for key in KEYS)
    # every action of "greet and search" is in the training stories; utter_goodbye after
    # utter_youarewelcome is not: 3 of 4 bot actions, 1 of 2 stories
    assert (report["actions"], report["action_accuracy"]) == (4, 0.75)
    assert report["story_accuracy"] == 0.5
    assert report["per_action"]["utter_goodbye"]["support"] == 1
    assert json.loads((project / "out" / "report.json").read_text()) == report
    failed = (project / "out" / "failed_stories.md").read_text()
    assert failed.startswith("## thanks\n* thankyou\n    - utter_youarewelcome\n")
    assert "    - utter_goodbye   <!-- predicted: action_listen -->" in failed
    assert_readable_png(project / "out" / "confusion_matrix.png")


def test_the_summary_for_a_person(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ozbot(project, "train")
    capsys.readouterr()

    assert ozbot(project, "evaluate", "--stories", str(project / "test.md")) == 0

    out = capsys.readouterr().out
    assert "action accuracy    0.750  (bot actions, action_listen excluded)" in out
    assert "story accuracy     0.500  (1 of 2 stories without an error)" in out
    assert "  utter_goodbye -> action_listen  (1)" in out


def test_without_a_model_it_says_to_train(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = ozbot(project, "evaluate", "--stories", str(project / "test.md"))

    assert code == 2
    assert "run `ozbot train`" in capsys.readouterr().err
    assert not (project / "models").exists()


def test_learning_curve_writes_json_and_png(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = ozbot(
        project, "evaluate", "--stories", str(project / "test.md"), "--learning-curve", "--json"
    )

    assert code == 0
    points = json.loads(capsys.readouterr().out)["points"]
    assert [point["stories"] for point in points] == [1, 2, 4, 5, 7]
    assert points[-1]["action_accuracy"] == 0.75
    saved = json.loads((project / "results" / "learning_curve.json").read_text())
    assert saved["points"] == points
    assert_readable_png(project / "results" / "learning_curve.png")


def test_the_nlu_scored_on_test_nlu_data_as_json_and_files(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shutil.copy(REPO / "stories" / "nlu.yml", project / "stories" / "nlu.yml")
    (project / "test_nlu.yml").write_text(
        "nlu:\n"
        "- intent: greet\n  examples: |\n    - hello there friend\n"
        "- intent: search_concerts\n  examples: |\n    - any concerts in [Oslo](city)?\n"
        "- intent: out_of_scope\n  examples: |\n    - qwzx vbnm\n",
        encoding="utf-8",
    )
    out = tmp_path / "nlu_results"
    assert (
        ozbot(
            project, "evaluate", "--nlu", str(project / "test_nlu.yml"), "--json", "--out", str(out)
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["examples"] == 3
    assert report["intent_accuracy"] == 1.0
    assert report["entity_recall"] == 1.0
    assert report["out_of_scope_recall"] == 1.0
    assert json.loads((out / "nlu_errors.json").read_text()) == []
    assert_readable_png(out / "intent_confusion.png")


class RasaStandIn(BaseHTTPRequestHandler):
    """Rasa's `POST /model/parse`: Oslo is a city of search_concerts, the rest is greet."""

    asked: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        text = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["text"]
        self.asked.append(text)
        found = text.find("Oslo")
        city = {"entity": "city", "start": found, "end": found + 4, "value": "Oslo"}
        body = json.dumps(
            {
                "text": text,
                "intent": {"name": "search_concerts" if found >= 0 else "greet", "confidence": 1},
                "entities": [city] if found >= 0 else [],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def rasa_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), RasaStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_the_nlu_of_a_rasa_server_in_config_yml_is_scored(
    project: Path, capsys: pytest.CaptureFixture[str], rasa_url: str
) -> None:
    config = project / "config.yml"
    config.write_text(config.read_text() + f"nlu:\n  url: {rasa_url}\n", encoding="utf-8")
    (project / "test_nlu.yml").write_text(
        "nlu:\n"
        "- intent: greet\n  examples: |\n    - hello there friend\n    - hello there friend\n"
        "- intent: search_concerts\n  examples: |\n    - any gigs in [Oslo](city)?\n",
        encoding="utf-8",
    )
    RasaStandIn.asked.clear()
    assert ozbot(project, "evaluate", "--nlu", str(project / "test_nlu.yml"), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["examples"], report["intent_accuracy"], report["entity_f1"]) == (3, 1.0, 1.0)
    assert sorted(RasaStandIn.asked) == ["any gigs in Oslo?", "hello there friend"]  # each once


def test_the_nlu_without_nlu_data_says_what_to_add(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "test_nlu.yml").write_text(
        "nlu:\n- intent: greet\n  examples: |\n    - hi\n", encoding="utf-8"
    )
    assert ozbot(project, "evaluate", "--nlu", str(project / "test_nlu.yml")) == 2
    assert "no NLU data, so there is no NLU to evaluate" in capsys.readouterr().err

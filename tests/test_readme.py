"""Every command the README shows works: run here, or checked against what it names."""

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import _parser
from connectors import observability
from connectors.web import WebServer
from connectors.web_settings import DEFAULT_PORT, WebSettings
from tests.conftest import REPO
from tests.test_deployment import code_env_names

README = (REPO / "README.md").read_text(encoding="utf-8")


def commands() -> list[list[str]]:
    """The lines of the README's ```sh blocks, comments dropped, as argument lists."""
    blocks = re.findall(r"```sh\n(.*?)```", README, re.DOTALL)
    lines = [line for block in blocks for line in block.splitlines()]
    return [shlex.split(line, comments=True) for line in lines if shlex.split(line, comments=True)]


def routes() -> set[str]:
    server = WebServer(WebSettings())
    observability.mount(server, lambda: None, lambda: None)
    return {resource.canonical for resource in server.app.router.resources()}


def check_make(argv: list[str]) -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(rf"^{argv[1]}:", makefile, re.MULTILINE)


def check_ozbot(argv: list[str]) -> None:
    args = _parser().parse_args(argv[1:])  # exits (fails the test) on what ozbot would refuse
    assert args.command


def check_export(argv: list[str]) -> None:
    name = argv[1].split("=", 1)[0]
    assert name in code_env_names()


def check_source(argv: list[str]) -> None:
    assert argv[1] == ".venv/bin/activate"
    assert "VENV := .venv" in (REPO / "Makefile").read_text(encoding="utf-8")


def check_cp(argv: list[str]) -> None:
    assert (REPO / argv[1]).is_file()


def check_docker(argv: list[str]) -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    profiles = {p for service in services.values() for p in service.get("profiles", [])}
    assert argv[1] == "compose"
    words = argv[2:]
    while words[0] == "--profile":
        assert words[1] in profiles
        words = words[2:]
    assert words[0] in ("up", "ps", "logs", "stop", "down", "exec", "cp")
    if words[0] == "logs":
        assert words[-1] in services
    if words[0] == "exec":  # a service, then an ozbot command line it runs
        assert words[1] in services and words[2] == "ozbot"
        check_ozbot(words[2:])
    if words[0] == "cp":  # SERVICE:PATH inside a mounted volume, then a host path
        service, path = words[1].split(":", 1)
        mounted = [v.split(":")[1] for v in services[service]["volumes"]]
        assert path in mounted


def check_curl(argv: list[str]) -> None:
    host, _, path = argv[-1].partition("/")
    assert host == f"localhost:{DEFAULT_PORT}"
    assert f"/{path}" in routes()


def check_python(argv: list[str]) -> None:
    script = REPO / argv[1]
    assert script.is_file()
    result = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    assert all(flag in result.stdout for flag in argv[2:] if flag.startswith("--"))


CHECKS = {
    "make": check_make,
    "ozbot": check_ozbot,
    "export": check_export,
    "cp": check_cp,
    "source": check_source,
    "docker": check_docker,
    "curl": check_curl,
    "python": check_python,
}


@pytest.mark.parametrize("argv", commands(), ids=" ".join)
def test_a_readme_command(argv):
    assert argv[0] in CHECKS, f"the README shows {argv[0]!r}; add a check for it here"
    CHECKS[argv[0]](argv)


def test_the_evaluate_section_runs_as_written(tmp_path: Path):
    """The README's train and evaluate lines, in a copy of the concert bot."""
    for name in ("domain.yml", "actions.py", "config.yml"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(
        REPO / "stories", tmp_path / "stories", ignore=shutil.ignore_patterns("exported")
    )
    (tmp_path / "tests").mkdir()
    shutil.copy(REPO / "tests" / "concert_test_stories.md", tmp_path / "tests")
    shutil.copy(REPO / "tests" / "concert_test_nlu.yml", tmp_path / "tests")
    section = README[README.index("## Evaluate and the learning curve") :]
    block = section[
        section.index("```sh\n") + 6 : section.index("```", section.index("```sh\n") + 6)
    ]
    ran = 0
    for line in block.splitlines():
        argv = shlex.split(line, comments=True)
        if argv[0] != "ozbot" or "--learning-curve" in argv:
            continue  # the learning curve trains a model per point: tests/bot/commands has it
        result = subprocess.run(
            [sys.executable, "-m", "bot", "--project", str(tmp_path), *argv[1:]],
            capture_output=True, text=True, cwd=tmp_path, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        ran += 1
    assert ran == 3
    assert "intent accuracy" in result.stdout


def test_the_picture_of_the_training_loop_is_there():
    [path] = re.findall(r"!\[[^]]*\]\(([^)]+\.png)\)", README)
    assert (REPO / path).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

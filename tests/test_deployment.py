"""The Dockerfile, docker-compose.yml and .env.example, read as Docker would (no Docker here)."""

import re
import shlex
import tomllib

import pytest
import yaml

from bot.settings import CONNECTORS
from tests.conftest import REPO

COMPOSE_OWN = {"COMPOSE_PROFILES"}
"""Variables docker compose reads itself, not ozbot."""
_READ = re.compile(
    r"""(?:environ|env)(?:\.get\(\s*|\[\s*)["']([A-Z][A-Z0-9_]*)["']\s*[,)\]](?!\s*=[^=])"""
)


def code_env_names() -> set[str]:
    """Every environment variable the code reads: `env.get("X")`, `environ["X"]`, ..."""
    names = set()
    for package in ("bot", "connectors", "policy"):
        for path in (REPO / package).rglob("*.py"):
            names |= set(_READ.findall(path.read_text(encoding="utf-8")))
    return names


def env_example_names() -> list[str]:
    lines = (REPO / ".env.example").read_text(encoding="utf-8").splitlines()
    return [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def instructions(dockerfile, name):
    return [args for instruction, args in dockerfile if instruction == name]


def test_every_variable_the_code_reads_is_in_env_example_and_nothing_else():
    names = env_example_names()
    assert len(names) == len(set(names))
    assert set(names) - COMPOSE_OWN == code_env_names()
    text = (REPO / ".env.example").read_text(encoding="utf-8")
    for name in names:  # each explained in the comment right above it
        assert re.search(rf"#[^\n]*\n{name}=", text), name


def test_redis_keeps_its_data_with_aof_and_reports_health(compose):
    redis = compose["services"]["redis"]
    assert redis["command"][:3] == ["redis-server", "--appendonly", "yes"]
    assert any(volume.endswith(":/data") for volume in redis["volumes"])
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


@pytest.mark.parametrize("connector", ["telegram", "slack"])
def test_a_bot_service_per_platform_from_the_one_image(compose, dockerfile, connector):
    service = compose["services"][connector]
    assert connector in CONNECTORS
    assert (service["build"], service["image"]) == (".", "ozbot:latest")
    assert service["command"][-2:] == ["run", connector]
    assert service["profiles"] == [connector]
    assert set(service["environment"]) <= code_env_names()
    assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert service["env_file"] == ".env"
    port = service["environment"]["OZBOT_PORT"]
    assert [p.split(":")[1] for p in service["ports"]] == [port]
    assert f"http://127.0.0.1:{port}/healthz" in " ".join(service["healthcheck"]["test"])
    [workdir] = instructions(dockerfile, "WORKDIR")[-1:]
    mounts = {volume.split(":")[1] for volume in service["volumes"]}
    assert mounts == {f"{workdir}/models", f"{workdir}/stories/exported"}
    named = {volume.split(":")[0] for volume in service["volumes"]}
    assert named <= set(compose["volumes"])


def test_the_image_is_slim_runs_ozbot_as_a_user_and_checks_its_health(dockerfile):
    assert all(base.split()[0] == "python:3.11-slim" for base in instructions(dockerfile, "FROM"))
    assert instructions(dockerfile, "ENTRYPOINT") == ['["ozbot"]']
    assert instructions(dockerfile, "USER") == ["ozbot"]
    env = dict(word.split("=", 1) for word in shlex.split(instructions(dockerfile, "ENV")[0]))
    assert set(env) - {"PYTHONUNBUFFERED"} <= code_env_names()
    assert instructions(dockerfile, "EXPOSE") == [env["OZBOT_PORT"]]
    [health] = instructions(dockerfile, "HEALTHCHECK")
    assert f"http://127.0.0.1:{env['OZBOT_PORT']}/healthz" in health
    assert instructions(dockerfile, "STOPSIGNAL") == ["SIGTERM"]


def test_the_image_copies_every_package_and_the_concert_bot(dockerfile):
    copied = {word for args in instructions(dockerfile, "COPY") for word in args.split()[:-1]}
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {name.split(".")[0] for name in pyproject["tool"]["setuptools"]["packages"]}
    assert packages <= copied
    assert {"pyproject.toml", "domain.yml", "config.yml", "actions.py", "stories"} <= copied
    for path in copied - {"/wheels"}:
        if not path.startswith("--"):
            assert (REPO / path).exists(), path

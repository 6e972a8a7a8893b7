"""endpoints.yml's action server, as Rasa reads it."""

from pathlib import Path

import pytest

from bot.endpoints import ActionEndpoint, endpoints_settings
from bot.errors import ProjectError
from bot.project import open_project


def project(tmp_path: Path, endpoints: str):
    (tmp_path / "domain.yml").write_text("intents: [greet]\n", encoding="utf-8")
    (tmp_path / "endpoints.yml").write_text(endpoints, encoding="utf-8")
    return open_project(tmp_path)


def test_the_action_server_and_what_is_unused(tmp_path: Path) -> None:
    endpoints = (
        "action_endpoint:\n  url: http://localhost:5055/webhook\ntracker_store: {type: redis}\n"
    )
    endpoint, warnings = endpoints_settings(project(tmp_path, endpoints), {})
    assert endpoint == ActionEndpoint("http://localhost:5055/webhook")
    assert len(warnings) == 1 and warnings[0].endswith("not used by ozbot: tracker_store")


def test_a_token_headers_and_basic_auth_from_the_environment(tmp_path: Path) -> None:
    endpoints = (
        "action_endpoint:\n"
        "  url: https://actions.example/webhook\n"
        "  token: ${ACTION_TOKEN}\n"
        "  token_name: key\n"
        "  headers: {X-Tenant: shop}\n"
        "  basic_auth: {username: bot, password: '${ACTION_PASSWORD}'}\n"
    )
    env = {"ACTION_TOKEN": "t0k", "ACTION_PASSWORD": "s3cret"}
    endpoint, warnings = endpoints_settings(project(tmp_path, endpoints), env)
    assert endpoint == ActionEndpoint(
        "https://actions.example/webhook", {"X-Tenant": "shop"}, {"key": "t0k"}, ("bot", "s3cret")
    )
    assert warnings == []


@pytest.mark.parametrize(
    ("endpoints", "message"),
    [
        ("action_endpoint:\n  token: x\n", r"action_endpoint: expected `url:`"),
        (
            "action_endpoint:\n  url: http://h/webhook\n  token: ${NOPE}\n",
            r"action_endpoint\.token: the environment variable NOPE is not set",
        ),
        (
            "action_endpoint:\n  url: http://h/webhook\n  basic_auth: {username: u}\n",
            r"action_endpoint\.basic_auth: expected `username:` and `password:`",
        ),
    ],
)
def test_a_wrong_action_endpoint_says_what_to_fix(
    tmp_path: Path, endpoints: str, message: str
) -> None:
    with pytest.raises(ProjectError, match=r"endpoints\.yml: " + message):
        endpoints_settings(project(tmp_path, endpoints), {})

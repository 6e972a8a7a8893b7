"""Settings of a start: read once, later sources winning, every wrong value refused at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import project as project_module
from bot.errors import ConnectorError, ProjectError
from bot.review import ReviewRules
from bot.settings import (
    NluSettings,
    chosen,
    environment,
    read_serving,
    read_settings,
    web_settings,
)
from bot.tracker import SNAPSHOT_TURNS
from policy.config import RetrainPace
from tests.conftest import REPO


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(REPO / "domain.yml", tmp_path / "domain.yml")
    return tmp_path


def test_config_yml_is_parsed_once_per_start(project: Path, monkeypatch) -> None:
    (project / "config.yml").write_text("max_history: 4\nstore: {url: redis://cfg:6379}\n")
    parses = []
    real = project_module.load_yaml
    monkeypatch.setattr(project_module, "load_yaml", lambda *args: parses.append(1) or real(*args))
    settings = read_settings(project, {})
    assert len(parses) == 1
    assert settings.policy.max_history == 4
    assert settings.store is not None and settings.store.url == "redis://cfg:6379"


def test_the_environment_wins_over_config_yml(project: Path) -> None:
    (project / "config.yml").write_text("store: {url: redis://cfg:6379, prefix: shop}\n")
    settings = read_settings(project, {"REDIS_URL": "redis://env:6379"})
    assert settings.store is not None
    assert (settings.store.url, settings.store.prefix) == ("redis://env:6379", "shop")


def test_without_a_store_the_project_keeps_its_sqlite_file(project: Path) -> None:
    settings = read_settings(project, {})
    assert settings.store is None
    assert settings.project.store_file == project.resolve() / "ozbot.db"


def bot_in(folder: Path, config: str) -> Path:
    """A bot project at `folder` with this config.yml."""
    folder.mkdir(parents=True)
    shutil.copy(REPO / "domain.yml", folder / "domain.yml")
    (folder / "config.yml").write_text(config, encoding="utf-8")
    return folder


def test_two_bots_in_folders_of_one_name_get_prefixes_of_their_own(tmp_path: Path) -> None:
    redis = {"REDIS_URL": "redis://redis:6379/0"}
    shop = read_settings(bot_in(tmp_path / "a" / "bot", "assistant_id: shop-1f3a\n"), redis)
    help_desk = read_settings(bot_in(tmp_path / "b" / "bot", "assistant_id: helpdesk\n"), redis)
    assert shop.store is not None and help_desk.store is not None
    assert (shop.store.prefix, help_desk.store.prefix) == ("ozbot:shop-1f3a", "ozbot:helpdesk")
    assert shop.warnings == () and help_desk.warnings == ()


def test_a_prefix_named_after_the_folder_is_kept_and_warned_about(tmp_path: Path) -> None:
    unnamed = read_settings(bot_in(tmp_path / "bot", "seed: 1\n"), {"REDIS_URL": "redis://r"})
    assert unnamed.store is not None and unnamed.store.prefix == "ozbot:bot"  # as before
    [warning] = unnamed.warnings
    assert "under ozbot:bot, named after its folder" in warning
    assert "`assistant_id: bot-" in warning and "`store: {prefix: ozbot:bot}`" in warning
    chosen = bot_in(tmp_path / "c" / "bot", "store: {url: redis://r, prefix: ozbot:bot}\n")
    assert read_settings(chosen, {}).warnings == ()
    assert read_settings(tmp_path / "bot", {}).warnings == ()  # SQLite: nothing shared


@pytest.mark.parametrize("name", ["", "two words", 7, "x" * 101])
def test_an_assistant_id_that_is_no_name_is_refused(tmp_path: Path, name) -> None:
    folder = bot_in(tmp_path / "bot", f"assistant_id: {name!r}\n")
    with pytest.raises(ProjectError, match="assistant_id: expected a name"):
        read_settings(folder, {"REDIS_URL": "redis://r"})


def test_ignored_rasa_keys_are_warnings_not_errors(project: Path) -> None:
    (project / "config.yml").write_text("language: en\npolicies: [{max_history: 3}]\n")
    settings = read_settings(project, {})
    assert settings.policy.max_history == 3
    assert any("Rasa's keys language, policies" in warning for warning in settings.warnings)


def test_a_policy_window_longer_than_the_snapshot_is_refused(project: Path) -> None:
    (project / "config.yml").write_text(f"max_history: {SNAPSHOT_TURNS + 1}\n")
    with pytest.raises(ProjectError, match=f"max_history {SNAPSHOT_TURNS + 1} is more than the"):
        read_settings(project, {})


def test_a_folder_without_a_domain_is_no_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="is not a bot project: it has no domain.yml"):
        read_settings(tmp_path, {})


def test_connectors_are_those_named_else_those_with_a_token_else_the_terminal() -> None:
    assert chosen([], {}) == ("terminal",)
    assert chosen([], {"TELEGRAM_TOKEN": "1:x"}) == ("telegram",)
    assert chosen(["terminal", "telegram", "terminal"], {}) == ("terminal", "telegram")
    with pytest.raises(ConnectorError, match="unknown connector fax; ozbot has terminal"):
        chosen(["fax"], {})


def test_the_port_is_the_option_else_port_else_ozbot_port_else_slacks_3000() -> None:
    assert web_settings(4000, {"PORT": "5000"}, slack=True).port == 4000
    assert web_settings(None, {"PORT": "5000", "OZBOT_PORT": "6000"}, slack=True).port == 5000
    assert web_settings(None, {"OZBOT_PORT": "6000"}, slack=True).port == 6000
    assert web_settings(None, {}, slack=True).port == 3000
    assert web_settings(None, {}, slack=False).port == 8080


def test_an_empty_variable_means_unset_everywhere(project: Path) -> None:
    env_file = {  # .env.example used as an env file: every variable there, most of them empty
        "TELEGRAM_TOKEN": "1:x",
        "TELEGRAM_TRAINER_IDS": "111",
        "TELEGRAM_WEBHOOK_URL": "",
        "OZBOT_PORT": "",
        "OZBOT_HOST": " ",
        "PORT": "",
        "REDIS_URL": "",
        "SLACK_BOT_TOKEN": "",
    }
    env = environment(env_file)
    assert env == {"TELEGRAM_TOKEN": "1:x", "TELEGRAM_TRAINER_IDS": "111"}
    serving = read_serving([], None, env)
    assert serving.connectors == ("telegram",)
    assert serving.web is not None and (serving.web.host, serving.web.port) == ("0.0.0.0", 8080)
    assert read_settings(project, env).store is None
    assert chosen([], environment({"TELEGRAM_TOKEN": ""})) == ("terminal",)


def test_env_example_as_an_env_file_with_a_token_serves_telegram_on_8080(project: Path) -> None:
    lines = (REPO / ".env.example").read_text(encoding="utf-8").splitlines()
    env_file = dict(
        line.split("=", 1) for line in lines if "=" in line and not line.startswith("#")
    )
    assert env_file["OZBOT_PORT"] == ""  # as docker compose passes it: set, and empty
    env = environment(env_file | {"TELEGRAM_TOKEN": "1:x", "TELEGRAM_TRAINER_IDS": "111"})
    serving = read_serving([], None, env)
    assert serving.telegram is not None and serving.telegram.webhook_url is None
    assert serving.web is not None and serving.web.port == 8080
    assert read_settings(project, env).store is None


def test_the_terminal_alone_reads_no_platform_settings() -> None:
    serving = read_serving(["terminal"], None, {"TELEGRAM_WEBHOOK_URL": "not a url"})
    assert serving.connectors == ("terminal",)
    assert (serving.telegram, serving.slack, serving.web) == (None, None, None)
    assert not serving.platforms


def test_a_platform_reads_its_settings_and_the_web_server_s() -> None:
    env = {"TELEGRAM_TOKEN": "1:x", "TELEGRAM_TRAINER_IDS": "111", "OZBOT_PORT": "9000"}
    serving = read_serving([], None, env)
    assert serving.connectors == ("telegram",)
    assert serving.telegram is not None and serving.telegram.trainer_ids == frozenset({111})
    assert serving.web is not None and serving.web.port == 9000
    with pytest.raises(
        ConnectorError,
        match=r"SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET \(or SLACK_APP_TOKEN .*\) not set",
    ):
        read_serving(["slack"], None, {})


def test_the_nlu_settings_come_from_config_yml_and_are_checked(project: Path) -> None:
    assert read_settings(project, {}).nlu == NluSettings(0.3, None, 2.0)
    (project / "config.yml").write_text(
        "nlu: {threshold: 0.6, url: 'http://rasa:5005', timeout_seconds: 1}\n"
    )
    assert read_settings(project, {}).nlu == NluSettings(0.6, "http://rasa:5005", 1.0)
    (project / "config.yml").write_text("nlu: {class: my_nlu.Keywords}\n")
    assert read_settings(project, {}).nlu.class_path == "my_nlu.Keywords"
    wrongs = ("nlu: {threshold: 2}", "nlu: {threshold: high}", "nlu: {url: x}", "nlu: 1")
    both = "nlu: {url: 'http://rasa:5005', class: my_nlu.Keywords}"
    for wrong in (*wrongs, "nlu: {timeout_seconds: 0}", "nlu: {model: x}", "nlu: {class: x}", both):
        (project / "config.yml").write_text(wrong + "\n")
        with pytest.raises(ProjectError, match="config.yml: nlu"):
            read_settings(project, {})


def test_the_retraining_pace_comes_from_config_yml_and_is_checked(project: Path) -> None:
    assert read_settings(project, {}).retraining == RetrainPace()
    (project / "config.yml").write_text("retraining: {after_turns: 4, wait_seconds: 2}\n")
    assert read_settings(project, {}).retraining == RetrainPace(after_turns=4, wait_seconds=2)
    (project / "config.yml").write_text("retraining: {min_interval_seconds: soon}\n")
    with pytest.raises(ProjectError, match=r"config\.yml: retraining\.min_interval_seconds: "):
        read_settings(project, {})


def test_the_review_rules_come_from_config_yml_and_are_checked(project: Path) -> None:
    assert read_settings(project, {}).review == ReviewRules()
    (project / "config.yml").write_text("review: {nlu_threshold: 0.4, keep_text: false}\n")
    review = read_settings(project, {}).review
    assert review == ReviewRules(nlu_threshold=0.4, keep_text=False)
    wrongs = {
        "review: {nlu_threshold: 2}": r"review\.nlu_threshold: expected a number from 0",
        "review: {keep_text: maybe}": r"review\.keep_text: expected true or false, got 'maybe'",
        "review: {treshold: 1}": r"review: unknown key\(s\) treshold; known: enabled, ",
        "review: [1]": r"review: expected a mapping",
    }
    for wrong, message in wrongs.items():
        (project / "config.yml").write_text(wrong + "\n")
        with pytest.raises(ProjectError, match=rf"config\.yml: {message}"):
            read_settings(project, {})

"""Logs as an operator reads them: plain or JSON lines, and never a secret."""

import json
import logging

import pytest

from bot import logs

TOKEN = "123456:AAF-secret-token-value"
ENV = {
    "TELEGRAM_TOKEN": TOKEN,
    "TELEGRAM_WEBHOOK_SECRET": "hook-secret",
    "SLACK_SIGNING_SECRET": 'slack"signing',
    "REDIS_URL": "redis://:redis-pass@redis:6379/0",
    "OZBOT_PORT": "8080",
    "TELEGRAM_TRAINER_IDS": "1234",
}


def test_the_secrets_of_an_environment():
    assert set(logs.secrets_in(ENV)) == {TOKEN, "hook-secret", 'slack"signing', "redis-pass"}


@pytest.mark.parametrize("as_json", [False, True])
def test_secrets_are_masked_in_messages_urls_and_tracebacks(as_json, capsys):
    logs.configure(logging.INFO, as_json=as_json, secrets=logs.secrets_in(ENV))
    try:
        logging.getLogger("bot.test").warning(
            "POST https://api.telegram.org/bot%s/getUpdates with %s", TOKEN, ENV["REDIS_URL"]
        )
        try:
            raise ValueError(f"bad secret {ENV['SLACK_SIGNING_SECRET']}")
        except ValueError:
            logging.getLogger("bot.test").exception("failed")
    finally:
        logs.configure(logging.WARNING, as_json=False, secrets=[])
    err = capsys.readouterr().err
    for secret in logs.secrets_in(ENV):
        assert secret not in err
        assert json.dumps(secret)[1:-1] not in err
    assert "https://api.telegram.org/bot***/getUpdates with redis://:***@redis:6379/0" in err
    if as_json:
        lines = [json.loads(line) for line in err.splitlines()]
        assert lines[0]["level"] == "warning" and lines[0]["logger"] == "bot.test"
        assert "ValueError: bad secret ***" in lines[1]["exception"]


def test_a_password_in_the_redis_urls_query_or_user_part_is_a_secret():
    for url in ("redis://redis/0?password=hunter22", "redis://hunter22@redis/0"):
        assert logs.secrets_in({"REDIS_URL": url}) == ["hunter22"]


def test_a_terminal_session_shows_one_line_and_keeps_the_traceback_in_its_file(tmp_path, capsys):
    logs.configure(logging.INFO, as_json=False, secrets=["s3cret-token"])
    log = logging.getLogger("tests.terminal")
    path = tmp_path / "ozbot.log"
    try:
        with logs.tracebacks_in(path):
            try:
                raise RuntimeError("database down, s3cret-token")
            except RuntimeError:
                log.exception("a background job failed")
                log.exception("action x raised", extra={logs.TOLD: True})
        err = capsys.readouterr().err
        log.error("after the session")  # the terminal's log is as before
        after = capsys.readouterr().err
    finally:
        logs.configure(logging.WARNING, as_json=False, secrets=[])
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"a background job failed (traceback in {path})" in err
    kept = path.read_text(encoding="utf-8")
    assert kept.count("Traceback (most recent call last)") == 2 and "action x raised" in kept
    assert "s3cret-token" not in kept and "***" in kept
    assert "after the session" in after

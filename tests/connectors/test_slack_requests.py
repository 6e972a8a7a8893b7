import json
import time
from urllib.parse import urlencode

import pytest

from connectors.slack_requests import read_body, signed_by_slack
from tests.connectors.fake_slack import SIGNING_SECRET, FakeSlackApi, SlackRequests

FORM = "application/x-www-form-urlencoded"


def signed(body: str, age: int = 0) -> tuple[bytes, str, str]:
    made = SlackRequests(FakeSlackApi()).sign(body, "application/json", age=age)
    headers = made.headers
    return made.body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]


def test_only_slacks_signature_of_these_bytes_within_five_minutes_holds():
    body, timestamp, signature = signed('{"type": "event_callback"}')
    assert signed_by_slack(body, timestamp, signature, SIGNING_SECRET, time.time())
    assert not signed_by_slack(body, timestamp, signature, "another secret", time.time())
    assert not signed_by_slack(body + b" ", timestamp, signature, SIGNING_SECRET, time.time())
    assert not signed_by_slack(body, timestamp, signature, SIGNING_SECRET, time.time() + 301)
    arabic_three = "\u0663"
    for stamp, mark in [
        (None, signature),
        (timestamp, None),
        ("1e3", signature),
        (arabic_three, signature),
    ]:
        assert not signed_by_slack(body, stamp, mark, SIGNING_SECRET, time.time())
    assert not signed_by_slack(body, timestamp, "v0=ü", SIGNING_SECRET, time.time())


def test_a_body_that_is_not_utf8_is_checked_as_bytes():
    body = b"\xff\xfe"
    stamp = str(int(time.time()))
    assert not signed_by_slack(body, stamp, "v0=00", SIGNING_SECRET, time.time())
    assert read_body(body, "application/json") is None


@pytest.mark.parametrize(
    "body",
    [
        {"type": "event_callback", "event_id": "Ev1", "event": {"type": "message", "user": "U1"}},
        {"type": "url_verification", "challenge": "c"},
        {"type": "event_callback", "event": {"type": "team_join", "user": {"id": "U1"}}},
    ],
)
def test_what_slack_sends_goes_on_as_text(body):
    text = json.dumps(body)
    assert read_body(text.encode(), "application/json; charset=utf-8") == text


def test_slash_commands_and_presses_go_on():
    command = urlencode({"command": "/ozbot", "text": "help", "trigger_id": "t1"})
    assert read_body(command.encode(), FORM) == command
    press = {"type": "block_actions", "user": {"id": "U1"}, "team": None,
             "message": {"ts": "1.2", "blocks": [{"type": "section"}]},
             "actions": [{"action_id": "ozbot.x", "value": "q:y"}]}  # fmt: skip
    form = urlencode({"payload": json.dumps(press)})
    assert read_body(form.encode(), FORM) == form


@pytest.mark.parametrize(
    "body",
    [
        "[" * 50_000 + "]" * 50_000,
        "{",
        "[]",
        '{"type": 5}',
        '{"event": []}',
        '{"event": {"text": "no type"}}',
        '{"event": {"type": "message", "channel": 5}}',
        '{"authorizations": [1]}',
        '{"actions": []}',
        '{"actions": [{"action_id": 1}]}',
        '{"message": {"ts": 1}}',
        '{"message": {"ts": "1", "blocks": {"a": 1}}}',
        '{"user": "U1", "type": "block_actions"}',
    ],
)
def test_what_slack_never_sends_is_refused(body):
    assert read_body(body.encode(), "application/json") is None

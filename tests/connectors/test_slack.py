"""Slack scenarios: the real slack-bolt app on ozbot's web server, against the fake Web API,
with every request signed as Slack signs it."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest

from bot import texts
from bot.background import BackgroundTasks
from bot.errors import ConnectorError
from bot.events import ActionExecuted, UserUttered
from bot.interpreter import Nlu
from bot.nlu.model import EntitySpan, Understanding
from bot.stores.redis_inbox import RedisInbox
from bot.stores.sqlite_inbox import SqliteInbox
from bot.stories.markdown import parse_markdown
from bot.stories.model import ActionStep, UserStep
from connectors.chat_commands import ChatCommands
from connectors.slack import SlackConnector
from connectors.slack_settings import SlackSettings
from connectors.web import WebServer, WebSettings
from tests.connectors.conftest import STATUS, THAI, picking_engine, said, telling_engine
from tests.connectors.fake_slack import (
    SIGNING_SECRET,
    TOKEN,
    Call,
    FakeSlackApi,
    Posted,
    Signed,
    SlackRequests,
)

TRAINER, TRAINER_2, USER = "UTRAIN001", "UTRAIN002", "UUSER0001"
DM, DM_USER, CHANNEL = "DTRAIN001", "DUSER0001", "CGENERAL1"
WAIT = 10.0
"""Seconds any request and its work may take before the test fails."""


@dataclass
class Slack:
    """A running connector seen from Slack: send signed requests, read what the bot posted."""

    api: FakeSlackApi
    requests: SlackRequests
    connector: SlackConnector
    web: WebServer

    async def send(self, signed: Signed, *, wait: bool = True, **headers: str) -> tuple[int, str]:
        """POST to /slack/events; (status, body), by default once the work after the ack is
        done too."""
        url = f"http://127.0.0.1:{self.web.port}/slack/events"
        timeout = aiohttp.ClientTimeout(total=WAIT)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(url, data=signed.body, headers=signed.headers | headers) as response,
        ):
            status, body = response.status, await response.text()
        if wait:
            await asyncio.wait_for(self.connector.idle(), WAIT)
        return status, body

    async def calls_for(self, signed: Signed, **headers: str) -> list[Call]:
        before = len(self.api.calls)
        status, _ = await self.send(signed, **headers)
        assert status == 200
        return [c for c in self.api.calls[before:] if c.method != "auth.test"]

    async def say(
        self, user: str, text: str, channel: str, *, thread_ts: str | None = None
    ) -> list[Call]:
        kind = "message" if channel.startswith("D") else "app_mention"
        body = self.requests.event(user, text, channel, kind=kind, thread_ts=thread_ts)
        return await self.calls_for(self.requests.signed_event(body))

    async def command(self, user: str, text: str, channel: str) -> list[Call]:
        return await self.calls_for(self.requests.command(user, text, channel))

    async def press(self, user: str, posted: Posted, label: str) -> list[Call]:
        return await self.calls_for(self.requests.press(user, posted, label))

    def question(self, channel: str, thread_ts: str | None = None) -> Posted:
        """A copy of the newest message with buttons (as it shows now)."""
        asked = [p for p in self.api.channel(channel, thread_ts) if p.buttons]
        return copy.deepcopy(asked[-1])

    def texts(self, channel: str, thread_ts: str | None = None) -> list[str]:
        return [p.text for p in self.api.channel(channel, thread_ts) if not p.blocks]

    def uploaded_file(self, calls: list[Call], channel: str) -> Call:
        """Check `calls` are the three steps of one file's upload to `channel`; the last one
        (files.completeUploadExternal)."""
        assert [c.method for c in calls] == [
            "files.getUploadURLExternal",
            "upload",
            "files.completeUploadExternal",
        ]
        assert calls[-1].params["channel_id"] == channel
        return calls[-1]

    async def approve(self, channel: str, action: str, user: str = TRAINER) -> list[Call]:
        """Check the open question proposes `action` and press Yes."""
        question = self.question(channel)
        assert f"The bot wants to [{action}]" in question.shown, question.shown
        return await self.press(user, question, "Yes")


Start = Callable[..., Awaitable[Slack]]


@pytest.fixture
async def slack(fake_slack, caplog) -> AsyncIterator[Start]:
    """Starts connectors on an engine; at the end stops them and checks nothing logged an error."""
    running: list[Slack] = []

    async def start(
        engine, *, status=lambda: STATUS, inbox=None, retrain=None, tasks=None, reviews=None
    ) -> Slack:
        settings = SlackSettings(
            TOKEN, SIGNING_SECRET, fake_slack.api_url, frozenset({TRAINER, TRAINER_2})
        )
        web = WebServer(WebSettings("127.0.0.1", 0))
        commands = ChatCommands(status, retrain, reviews)
        connector = SlackConnector(engine, settings, commands, web, inbox=inbox, tasks=tasks)
        await web.start()
        await connector.start()
        running.append(Slack(fake_slack, SlackRequests(fake_slack), connector, web))
        return running[-1]

    yield start
    for running_slack in running:
        await running_slack.connector.stop()
        await running_slack.web.stop()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


def story_steps(markdown: str) -> tuple[list[str], list[str]]:
    [story] = parse_markdown(markdown, "export.md")
    intents = [s.alternatives[0].intent for s in story.steps if isinstance(s, UserStep)]
    actions = [s.name for s in story.steps if isinstance(s, ActionStep)]
    return intents, actions


def ephemeral_texts(calls: list[Call]) -> list[str]:
    return [c.params["text"] for c in calls if c.method == "chat.postEphemeral"]


async def test_the_seed_transcript_by_button_presses(slack, taught_engine, tmp_path):
    sl = await slack(taught_engine, status=taught_engine.policy.status)
    await sl.say(TRAINER, "!greet", DM)
    question = sl.question(DM)
    for part in ("Yes", "action", "intent", "Export"):
        assert [label for label in question.labels if part in label], part
    await sl.approve(DM, "utter_greet")
    decided = sl.api.posted[question.ts]
    assert decided.buttons == [] and decided.shown.endswith("→ ✓ utter_greet")
    assert "hey there!" in sl.texts(DM)
    await sl.approve(DM, "action_listen")
    await sl.say(TRAINER, "!search_concerts", DM)
    await sl.approve(DM, "action_search_concerts")
    await sl.approve(DM, "action_listen")

    await sl.say(TRAINER, "!compare_reviews", DM)
    question = sl.question(DM)
    assert "The bot wants to [action_show_venue_reviews]" in question.shown
    assert 'slots: concerts: [{"artist": "Foo Fighters"' in question.shown
    assert "user said: !compare_reviews  (intent compare_reviews)" in question.shown
    [update] = [c for c in await sl.press(TRAINER, question, "Wrong action") if c.params]
    assert update.method == "chat.update" and update.params["ts"] == question.ts
    choices = sl.question(DM)
    assert choices.ts == question.ts and texts.ASK_ACTION in choices.shown
    assert choices.labels[0].startswith("action_show_venue_reviews  0.")
    await sl.press(TRAINER, choices, "action_show_concert_reviews")
    decided = sl.api.posted[question.ts]
    assert decided.buttons == []
    assert decided.shown.endswith(
        texts.corrected_action("action_show_venue_reviews", "action_show_concert_reviews")
    )
    assert "Katy Perry has the best reviews (5.0)" in sl.texts(DM)
    await sl.approve(DM, "action_listen")

    complete = sl.uploaded_file(await sl.command(TRAINER, "export", DM), DM)
    assert "Exported 1 story" in complete.params["initial_comment"]
    content = sl.api.uploaded(complete)
    assert story_steps(content.decode()) == (
        ["greet", "search_concerts", "compare_reviews"],
        ["utter_greet", "action_search_concerts", "action_show_concert_reviews"],
    )
    [name] = [f["title"] for f in complete.params["files"]]
    assert name.endswith(".md") and (Path(tmp_path) / "exported" / name).read_bytes() == content

    [restarted] = await sl.command(TRAINER, "restart", DM)
    assert restarted.method == "response_url"
    assert restarted.params["text"] == texts.NOTICE.format(text=texts.RESTARTED)
    for intent, action in [
        ("!greet", "utter_greet"),
        ("!search_concerts", "action_search_concerts"),
    ]:
        await sl.say(TRAINER, intent, DM)
        await sl.approve(DM, action)
        await sl.approve(DM, "action_listen")
    await sl.say(TRAINER, "!compare_reviews", DM)
    assert "The bot wants to [action_show_concert_reviews]" in sl.question(DM).shown


async def test_requests_not_signed_by_slack_are_refused_before_anything_runs(slack, engine):
    sl = await slack(engine)
    body = sl.requests.event(USER, "!greet", DM_USER)
    for signed in (
        sl.requests.signed_event(body, secret="not-the-secret"),
        sl.requests.signed_event(body, age=10 * 60),  # replayed ten minutes later
    ):
        assert (await sl.send(signed))[0] == 401
    forged = sl.requests.signed_event(body)
    forged.body = forged.body.replace(b"greet", b"GREET")
    assert (await sl.send(forged))[0] == 401
    assert sl.api.methods("chat.postMessage") == []
    assert await engine.store.conversation_ids() == []


async def test_requests_failing_verification_get_401_and_at_most_a_debug_line(
    slack, engine, caplog
):
    sl = await slack(engine)
    good = sl.requests.signed_event(sl.requests.event(USER, "!greet", DM_USER))
    timestamp = good.headers["X-Slack-Request-Timestamp"]
    refused = [
        Signed(good.body, good.headers | {"X-Slack-Request-Timestamp": "soon"}),
        Signed(good.body, good.headers | {"X-Slack-Request-Timestamp": "\uff11\uff12\uff13"}),
        Signed(good.body, {"Content-Type": "application/json"}),
        Signed(b"\xff\xfe not text", good.headers),
        Signed(b"{", good.headers),
        Signed(good.body, good.headers | {"X-Slack-Signature": "v0=é"}),
        Signed(good.body + b" ", good.headers | {"X-Slack-Request-Timestamp": timestamp}),
    ]
    caplog.set_level(logging.DEBUG)
    for _ in range(20):
        for signed in refused:
            assert (await sl.send(signed))[0] == 401
    loud = [r for r in caplog.records if r.levelno > logging.DEBUG or r.exc_info]
    assert loud == [] and sl.api.methods("chat.postMessage") == []
    assert await engine.store.conversation_ids() == []


async def test_signed_but_malformed_bodies_get_400(slack, engine, caplog):
    sl = await slack(engine)
    requests = sl.requests
    question = Posted(DM, "1700000001.000100", "?", [{"type": "section"}])
    press = {"type": "button", "action_id": "ozbot.x", "value": "x"}
    event = requests.event(USER, "!greet", DM_USER)
    bodies = [
        requests.sign("\xff\xfe", "application/json"),
        requests.sign("{", "application/json"),
        requests.sign("[" * 100_000 + "]" * 100_000, "application/json"),
        requests.sign("[1, 2]", "application/json"),
        requests.sign("payload=%7Bx", "application/x-www-form-urlencoded"),
        requests.signed_event(event | {"event": "a message"}),
        requests.signed_event(event | {"event": event["event"] | {"user": 5}}),
        requests.signed_event(event | {"authorizations": "all"}),
        _with_actions(requests, question, []),
        _with_actions(requests, question, ["x"]),
        _with_actions(requests, question, [press | {"action_id": 5}]),
    ]
    for signed in bodies:
        assert (await sl.send(signed))[0] == 400, signed.body[:80]
    assert sl.api.calls[1:] == [] and await engine.store.conversation_ids() == []
    assert not any(r.levelno >= logging.ERROR or r.exc_info for r in caplog.records)


def _with_actions(requests: SlackRequests, posted: Posted, actions: list) -> Signed:
    """A signed block_actions payload whose `actions` are these."""
    signed = requests.actions(TRAINER, posted, {"action_id": "ozbot.x"})
    form = dict(parse_qsl(signed.body.decode()))
    payload = json.loads(form["payload"]) | {"actions": actions}
    form_body = urlencode({"payload": json.dumps(payload)})
    return requests.sign(form_body, signed.headers["Content-Type"])


async def test_slack_can_verify_the_request_url(slack, engine):
    sl = await slack(engine)
    body = {"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification"}  # fmt: skip
    status, answer = await sl.send(sl.requests.signed_event(body))
    assert status == 200 and body["challenge"] in answer


async def test_the_ack_does_not_wait_for_the_dialogue_work(slack, engine, hold_turns):
    release = hold_turns(engine)
    sl = await slack(engine)
    body = sl.requests.event(USER, "/greet", DM_USER)  # the held turn reads "/" in the engine
    assert await sl.send(sl.requests.signed_event(body), wait=False) == (200, "")
    assert sl.texts(DM_USER) == []  # acknowledged, the bot has not answered yet
    release.set()
    await asyncio.wait_for(sl.connector.idle(), WAIT)
    assert sl.texts(DM_USER) == ["hey there!"]


async def test_retries_and_repeated_event_ids_are_processed_once(slack, engine):
    sl = await slack(engine)
    body = sl.requests.event(USER, "!greet", DM_USER)
    assert [c.params["text"] for c in await sl.calls_for(sl.requests.signed_event(body))] == [
        "hey there!"
    ]
    retry = sl.requests.signed_event(body)
    assert await sl.calls_for(retry, **{"X-Slack-Retry-Num": "1"}) == []
    assert await sl.calls_for(sl.requests.signed_event(body)) == []
    assert sl.texts(DM_USER) == ["hey there!"]


async def test_a_replayed_slash_command_runs_once(slack, engine):
    sl = await slack(engine)
    await sl.say(TRAINER, "!greet", DM)
    restart = sl.requests.command(TRAINER, "restart", DM)
    [restarted] = await sl.calls_for(restart)
    assert restarted.params["text"] == texts.NOTICE.format(text=texts.RESTARTED)
    for _ in range(2):  # the same signed request again, within Slack's five minutes
        assert await sl.calls_for(restart) == []
    events = (await engine.store.load(f"slack:{DM}")).events
    actions = [e.name for e in events if isinstance(e, ActionExecuted)]
    assert actions[-1] == "action_restart" and actions.count("action_restart") == 1
    [again] = await sl.command(TRAINER, "restart", DM)  # a new command is no replay
    assert again.method == "response_url"


async def test_replicas_on_one_redis_process_an_event_once(slack, engine, redis_settings):
    inboxes = [await RedisInbox.connect(redis_settings, "slack", f"r{n}") for n in range(2)]
    replicas = [await slack(engine, inbox=inbox) for inbox in inboxes]
    body = replicas[0].requests.event(USER, "!greet", DM_USER)
    for replica in replicas:
        await replica.calls_for(replica.requests.signed_event(body))
    assert replicas[0].texts(DM_USER) == ["hey there!"]
    for inbox in inboxes:
        await inbox.close()


async def test_a_user_who_is_no_trainer_chats_without_questions(slack, engine):
    sl = await slack(engine)
    await sl.say(USER, "!greet", DM_USER)
    await sl.say(USER, "/search_concerts", DM_USER)
    assert sl.texts(DM_USER) == ["hey there!", "looking for concerts", "Foo Fighters, Katy Perry"]
    for command in ("export", "undo", "status"):
        [told] = await sl.command(USER, command, DM_USER)
        assert told.params["text"].endswith(texts.SLACK_TRAINERS_ONLY.format(command=command))
    [hint] = ephemeral_texts(await sl.say(USER, "hello", DM_USER))
    assert hint == texts.NOTICE.format(text=texts.no_nlu_hint("!", engine.domain.intents))
    [help_call] = await sl.command(USER, "", DM_USER)
    assert "!greet" in help_call.params["text"] and "/greet" in help_call.params["text"]


async def test_the_bot_ignores_bots_edits_and_channel_talk(slack, engine):
    sl = await slack(engine)
    requests = sl.requests
    for body in (
        requests.event(USER, "!greet", DM_USER, bot_id="B0OTHER1"),
        requests.event(USER, "!greet", DM_USER, subtype="message_changed"),
        requests.event(USER, "!greet", CHANNEL, kind="message"),  # no mention
    ):
        assert await sl.calls_for(requests.signed_event(body)) == []
    assert await engine.store.conversation_ids() == []


async def test_presses_that_answer_no_open_question_change_nothing(slack, engine):
    sl = await slack(engine)
    await sl.say(TRAINER, "!greet", DM)
    question = sl.question(DM)
    await sl.press(TRAINER, question, "Yes")
    stored = await engine.store.load(f"slack:{DM}")
    current = sl.question(DM)
    question_id = current.button("Yes")["value"].split(":")[0]
    requests = sl.requests
    cases = {
        texts.STALE_ANSWER: [
            requests.press(TRAINER, question, "Yes"),  # an old question, pressed again
            requests.press(TRAINER, question, "Wrong action"),
            requests.press(TRAINER, current, "Yes", value="0123abcd:y"),
            requests.press(TRAINER, current, "Yes", value="0123abcd:p:1"),
        ],
        texts.NOT_TRAINER: [requests.press(USER, current, "Yes")],
        texts.FORGED_PRESS: [
            requests.press(TRAINER, current, "Yes", value="greet"),
            requests.press(TRAINER, current, "Yes", value=f"{question_id}:A:99"),
            requests.press(TRAINER, current, "Yes", value=f"{question_id}:y:1"),
            requests.press(TRAINER, current, "Yes", value=""),
        ],
    }
    for refusal, presses in cases.items():
        for signed in presses:
            calls = await sl.calls_for(signed)
            assert [c.method for c in calls] == ["chat.postEphemeral"], signed.body
            assert calls[0].params["text"] == refusal
    assert await engine.store.load(f"slack:{DM}") == stored
    assert sl.question(DM) == current


async def test_wrong_action_pages_and_wrong_intent_relabels(slack, engine):
    sl = await slack(engine)
    await sl.say(TRAINER, "!compare_reviews", DM)
    question = sl.question(DM)
    await sl.press(TRAINER, question, "Wrong action")
    first = sl.question(DM)
    assert first.labels[:2] == ["action_show_venue_reviews  0.80", "action_listen  0.20"]
    assert first.labels[-1] == "page 2/2 ▶" and len(first.labels) == 9
    await sl.press(TRAINER, first, "page 2/2")
    second = sl.question(DM)
    assert second.labels[-1] == "◀ page 1/2"
    names = [label.split()[0] for label in first.labels[:-1] + second.labels[:-1]]
    assert sorted(names) == sorted(engine.domain.actions)
    await sl.press(TRAINER, second, "action_show_concert_reviews")
    assert "search for concerts first, then I compare" in sl.texts(DM)

    await sl.say(TRAINER, "!compare_reviews", DM)
    question = sl.question(DM)
    await sl.press(TRAINER, question, "Wrong intent")
    intents = sl.question(DM)
    assert texts.ASK_INTENT in intents.shown and intents.labels[0] == "compare_reviews  1.00"
    await sl.press(TRAINER, intents, "greet")
    decided = sl.api.posted[question.ts]
    assert decided.shown.endswith(texts.corrected_intent("compare_reviews", "greet"))
    assert "The bot wants to [utter_greet]" in sl.question(DM).shown


async def test_wrong_entities_are_dropped_by_a_button_or_marked_in_a_message(slack, engine):
    class Interpreter:
        async def parse(self, text):
            found = text.find("Foo")
            spans = (EntitySpan(found, found + 3, "city", "Foo"),) if found >= 0 else ()
            return Understanding(text, (("search_concerts", 0.9),), spans)

    engine.nlu = Nlu(Interpreter())
    sl = await slack(engine)
    await sl.say(TRAINER, "gigs in Berlin with Foo", DM)
    question = sl.question(DM)
    assert "(intent search_concerts 0.90, city=Foo)" in question.shown
    await sl.press(TRAINER, question, "Wrong entities")
    fix = sl.question(DM)
    assert f"{texts.ASK_ENTITIES}\ngigs in Berlin with [Foo](city)" in fix.shown
    assert fix.labels == ["✖ drop city=Foo"]
    await sl.say(TRAINER, "gigs in [Berlin](city) with Foo", DM)
    decided = sl.api.posted[fix.ts]  # decided on the question, as by a press
    assert decided.shown.endswith(f"→ {texts.corrected_entities('city=Foo', 'city=Berlin')}")
    assert decided.labels == []
    assert "(intent search_concerts, city=Berlin)" in sl.question(DM).shown

    await sl.press(TRAINER, sl.question(DM), "Wrong entities")
    await sl.press(TRAINER, sl.question(DM), "drop city=Berlin")
    assert "(intent search_concerts)" in sl.question(DM).shown


async def test_channel_members_and_threads_have_conversations_of_their_own(slack, engine):
    sl = await slack(engine)
    await sl.say(TRAINER, "<@UBOT0001> !greet", CHANNEL)
    mine = sl.question(CHANNEL)
    await sl.say(TRAINER_2, "<@UBOT0001> !goodbye", CHANNEL)
    theirs = sl.question(CHANNEL)
    assert "The bot wants to [utter_greet]" in mine.shown
    assert "The bot wants to [action_listen]" in theirs.shown
    assert ephemeral_texts(await sl.press(TRAINER, theirs, "Yes")) == [texts.STALE_ANSWER]
    await sl.press(TRAINER, mine, "Yes")
    assert "hey there!" in sl.texts(CHANNEL)

    thread = "1600000999.000100"
    await sl.say(TRAINER, "<@UBOT0001> !search_concerts", CHANNEL, thread_ts=thread)
    in_thread = sl.question(CHANNEL, thread)
    await sl.press(TRAINER_2, in_thread, "Yes")  # the thread's conversation is everybody's there
    assert sl.texts(CHANNEL, thread) == ["looking for concerts", "Foo Fighters, Katy Perry"]

    def said(conversation: str) -> list[str]:
        return [e.text for e in stored[conversation].events if isinstance(e, UserUttered)]

    stored = {cid: await engine.store.load(cid) for cid in await engine.store.conversation_ids()}
    assert said(f"slack:{CHANNEL}:{TRAINER}") == ["!greet"]
    assert said(f"slack:{CHANNEL}:{TRAINER_2}") == ["!goodbye"]
    assert said(f"slack:{CHANNEL}:{thread}") == ["!search_concerts"]


async def test_in_a_thread_nobody_but_trainers_touches_what_they_teach(slack, engine, learner):
    sl = await slack(engine)
    thread = "1600000999.000100"
    await sl.say(TRAINER, "<@UBOT0001> !search_concerts", CHANNEL, thread_ts=thread)
    question = sl.question(CHANNEL, thread)
    for text in ("<@UBOT0001> !goodbye", "<@UBOT0001> !restart", "<@UBOT0001> !greet"):
        await sl.say(USER, text, CHANNEL, thread_ts=thread)  # answered, in a talk of their own
    assert ephemeral_texts(await sl.press(USER, question, "Yes")) == [texts.NOT_TRAINER]
    assert "hey there!" in sl.texts(CHANNEL, thread)

    calls = await sl.press(TRAINER, question, "Yes")
    assert texts.STALE_ANSWER not in ephemeral_texts(calls)
    assert sl.texts(CHANNEL, thread)[-2:] == ["looking for concerts", "Foo Fighters, Katy Perry"]
    taught = await engine.store.load(f"slack:{CHANNEL}:{thread}")
    said = [e.text for e in taught.events if isinstance(e, UserUttered)]
    assert said == ["!search_concerts"]  # nothing of the member who is no trainer
    assert "action_restart" not in [e.name for e in taught.events if isinstance(e, ActionExecuted)]
    [learned] = learner.taught
    assert [e.text for e in learned if isinstance(e, UserUttered)] == ["!search_concerts"]
    theirs = await engine.store.load(f"slack:{CHANNEL}:{thread}:{USER}")
    assert [e.text for e in theirs.events if isinstance(e, UserUttered)][-1] == "!greet"


async def test_commands_of_a_trainer(slack, engine):
    sl = await slack(engine)
    [status] = await sl.command(TRAINER, "status", DM)
    assert status.params["text"] == texts.NOTICE.format(text=texts.model_status(3, 7, 2, 1))
    [nothing] = await sl.command(TRAINER, "undo", DM)
    assert nothing.params["text"].endswith(texts.NOTHING_TO_UNDO)
    await sl.say(TRAINER, "!greet", DM)
    [undone] = await sl.command(TRAINER, "undo", DM)
    assert undone.params["text"].endswith(texts.undone("!greet", "greet", [], []))
    assert (await engine.store.load(f"slack:{DM}")).pending is None
    [empty] = await sl.command(TRAINER, "export", DM)
    assert empty.params["text"] == texts.NOTHING_EXPORTED
    [usage] = await sl.command(TRAINER, "dance", DM)
    usage_line = (
        "Usage: /ozbot help | restart | undo | export | status | retrain | graph | review | dismiss"
    )
    assert usage.params["text"] == usage_line
    [help_call] = await sl.command(TRAINER, "help", DM)
    assert help_call.params["text"].startswith("ozbot: You are a trainer.")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
async def test_graph_uploads_the_picture_of_the_conversation_s_path(slack, engine):
    sl = await slack(engine)
    await sl.say(TRAINER, "!greet", DM)
    await sl.approve(DM, "utter_greet")
    await sl.approve(DM, "action_listen")
    complete = sl.uploaded_file(await sl.command(TRAINER, "graph", DM), DM)
    assert complete.params["initial_comment"] == texts.GRAPH_CAPTION.format(steps=2)
    assert sl.api.uploaded(complete).startswith(b"\x89PNG\r\n\x1a\n")
    [refused] = await sl.command(USER, "graph", DM_USER)
    assert refused.params["text"].endswith(texts.SLACK_TRAINERS_ONLY.format(command="graph"))


async def test_a_turn_under_review_is_skipped_or_dropped_by_a_button(slack, engine, review_desk):
    sl = await slack(engine, reviews=review_desk)
    await sl.say(USER, "!greet", DM_USER)
    await sl.say(USER, "!greet", DM_USER)
    await sl.command(TRAINER, "review", DM)
    first = sl.question(DM)
    assert first.labels[-2:] == [texts.BUTTON_SKIP, texts.BUTTON_NOT_USEFUL]
    await sl.press(TRAINER, first, "Skip")
    second = sl.question(DM)
    assert second.ts != first.ts and len(await review_desk.queue.flags()) == 2
    await sl.press(TRAINER, second, "Not useful")
    assert len(await review_desk.queue.flags()) == 1
    assert sl.texts(DM_USER) == ["hey there!", "hey there!"]  # the user sees nothing of it


async def test_a_trainer_reviews_a_users_flagged_turn_with_slash_ozbot_review(
    slack, engine, review_desk
):
    sl = await slack(engine, reviews=review_desk)
    await sl.say(USER, "!greet", DM_USER)
    await sl.command(TRAINER, "review", DM)
    await sl.approve(DM, "utter_greet")
    calls = await sl.approve(DM, "action_listen")
    said = [call.params.get("text") for call in calls]
    assert texts.NOTICE.format(text=texts.reviewed(0)) in said, said
    assert sl.texts(DM_USER) == ["hey there!"]  # the user sees nothing of the review
    assert f"review:1:slack:{DM_USER}" in (await engine.store.taught()).conversations


async def test_trainers_retrain_and_hear_when_a_new_model_is_live(slack, engine):
    started: list[str] = []
    sl = await slack(engine, retrain=lambda: started.append("now") or "Retraining now.")
    [reply] = await sl.command(TRAINER, "retrain", DM)
    assert reply.params["text"].endswith("Retraining now.") and started == ["now"]
    [refused] = await sl.command(USER, "retrain", DM_USER)
    assert refused.params["text"].endswith(texts.SLACK_TRAINERS_ONLY.format(command="retrain"))
    assert started == ["now"]

    sl.connector.tell_trainers("model 4 live: 7 stories, trained in 0.1 s")
    await asyncio.wait_for(sl.connector.idle(), WAIT)
    notes = {c.params["channel"]: c.params["text"] for c in sl.api.methods("chat.postMessage")}
    assert notes == {
        trainer: "ozbot: model 4 live: 7 stories, trained in 0.1 s"
        for trainer in (TRAINER, TRAINER_2)
    }


async def test_a_failure_inside_is_told_to_the_one_who_asked(slack, engine, caplog, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("the store is on fire")

    monkeypatch.setattr(engine, "handle", broken)
    failures: list[str] = []
    sl = await slack(engine, tasks=BackgroundTasks(lambda what, exc: failures.append(what)))
    assert ephemeral_texts(await sl.say(USER, "!greet", DM_USER)) == [texts.FAILED]
    assert [r.exc_info[1].args for r in caplog.records if r.exc_info] == [("the store is on fire",)]
    assert failures == [f"handling a Slack request in slack:{DM_USER}"]
    caplog.clear()


async def test_while_redis_is_down_each_request_gets_one_clear_reply(slack, on_redis, caplog):
    sl = await slack(on_redis.engine, inbox=on_redis.inbox)
    await sl.say(TRAINER, "!greet", DM)
    question = sl.question(DM)
    await on_redis.stop()
    unavailable = texts.NOTICE.format(text=texts.STORE_UNAVAILABLE)
    for calls in [
        await sl.press(TRAINER, question, "Yes"),
        await sl.say(USER, "!greet", DM_USER),
        await sl.say(TRAINER, "!greet", DM),
        await sl.say(USER, "<@UBOT0001> !greet", CHANNEL, thread_ts="1600000999.000100"),
    ]:
        assert [(c.method, c.params["text"]) for c in calls] == [
            ("chat.postEphemeral", unavailable)
        ]
    [told] = await sl.command(TRAINER, "restart", DM)
    assert told.params["text"] == unavailable
    assert [r for r in caplog.records if r.exc_info] == []
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.name for r in errors] == ["bot.stores.outage"]  # the outage, logged once
    assert len([r for r in caplog.records if r.name == "connectors.intake"]) == 1
    caplog.clear()


HOSTILE = "<!channel> & <@UTRAIN001> <https://evil.example|slack.com/login>"
SHOWN = "&lt;!channel&gt; &amp; &lt;@UTRAIN001&gt; &lt;https://evil.example|slack.com/login&gt;"


async def test_user_input_is_never_read_as_slack_markup(slack, engine):
    sl = await slack(engine)
    entities = json.dumps({"city": HOSTILE})
    await sl.say(USER, f"!search_concerts{entities}", DM_USER)
    assert sl.texts(DM_USER)[0] == f"looking for concerts in {SHOWN}"
    [refused] = ephemeral_texts(await sl.say(USER, '!greet{"city": <!here>}', DM_USER))
    assert "<" not in refused and '{"city": &lt;!here&gt;}' in refused
    await sl.say(TRAINER, f"!search_concerts{entities}", DM)
    question = sl.question(DM)
    assert HOSTILE in question.shown  # plain_text blocks show it as typed
    await sl.press(TRAINER, question, "Yes")
    texts_sent = [c.params["text"] for c in sl.api.calls if "text" in c.params]
    assert texts_sent and not any("<" in text or ">" in text for text in texts_sent)
    sl.connector.tell_trainers(f"retraining failed: {HOSTILE}")
    await asyncio.wait_for(sl.connector.idle(), WAIT)
    assert sl.api.methods("chat.postMessage")[-1].params["text"].endswith(SHOWN)


POSTER = "https://example.org/poster.png"


async def test_a_response_s_image_is_an_image_block_under_its_text(slack, tmp_path):
    tickets = {"title": "Tickets", "payload": "/buy"}
    tonight = {"text": "Tonight <!here>", "image": POSTER, "buttons": [tickets]}
    sl = await slack(telling_engine(tmp_path, tonight))
    await sl.say(USER, "/tell", DM_USER)
    [posted] = sl.api.channel(DM_USER)
    assert posted.text == f"Tonight &lt;!here&gt;\n[image: {POSTER}]\n[Tickets] /buy"
    assert posted.shown == "Tonight &lt;!here&gt;"
    assert posted.blocks[-2] == {"type": "image", "image_url": POSTER, "alt_text": POSTER}
    assert [(b["text"]["text"], b["value"]) for b in posted.buttons] == [("Tickets", "/buy")]


async def test_an_image_slack_cannot_fetch_leaves_the_text_to_say_it(slack, tmp_path, caplog):
    lost = "https://lost.invalid/poster.png"
    tickets = {"title": "Tickets", "payload": "/buy"}
    tonight = {"text": "Tonight!", "image": lost}
    for variation in (tonight, tonight | {"buttons": [tickets]}):
        sl = await slack(telling_engine(tmp_path, variation))
        await sl.say(USER, "/tell", DM_USER)
    [plain, buttoned] = sl.api.channel(DM_USER)
    assert plain.text == f"Tonight!\n[image: {lost}]" and plain.blocks == []
    assert buttoned.shown == f"Tonight!\n[image: {lost}]" and buttoned.labels == ["Tickets"]
    assert "could not show the image" in caplog.text


TOO_LONG = "/tell " + "x" * 2000
"""Over the 2000 characters of a Slack button's value."""
DM_2 = "DTRAIN002"


@pytest.fixture
def picking(tmp_path):
    return picking_engine(tmp_path, TOO_LONG)


async def test_a_bot_message_s_buttons_are_buttons_a_press_says_the_payload(slack, picking):
    sl = await slack(picking)
    await sl.say(USER, "/tell", DM_USER)
    pick = sl.question(DM_USER)
    assert pick.shown == f"Pick\n[All] {TOO_LONG}"  # too long for a button: a line, as before
    assert pick.labels == ["Thai"]
    [answer] = await sl.press(USER, pick, "Thai")  # acknowledged with 200, then answered
    assert answer.method == "chat.postMessage" and answer.params["channel"] == DM_USER
    stored = await picking.store.load(f"slack:{DM_USER}")
    assert said(stored) == [("/tell", "tell", {}), (THAI, "tell", {"cuisine": "thai"})]


async def test_a_trainer_s_press_of_a_bot_button_is_asked_about_as_typing_it(slack, picking):
    sl = await slack(picking)
    for trainer, dm in ((TRAINER, DM), (TRAINER_2, DM_2)):
        await sl.say(trainer, "!tell", dm)
        await sl.approve(dm, "utter_tell", trainer)
        await sl.approve(dm, "action_listen", trainer)
    [pick] = [posted for posted in sl.api.channel(DM) if posted.labels == ["Thai"]]
    pressed = await sl.press(TRAINER, pick, "Thai")
    typed = await sl.say(TRAINER_2, THAI, DM_2)
    assert [c.method for c in pressed] == [c.method for c in typed]
    asked, typed_asked = sl.question(DM), sl.question(DM_2)
    assert "The bot wants to [utter_tell]" in asked.shown
    assert asked.shown == typed_asked.shown and asked.labels == typed_asked.labels
    assert said(await picking.store.load(f"slack:{DM}"))[-1] == (THAI, "tell", {"cuisine": "thai"})


async def test_a_press_in_a_thread_is_the_presser_s_message_there(slack, picking):
    sl = await slack(picking)
    thread, other = "1600000999.000100", "UUSER0002"
    await sl.say(USER, "<@UBOT0001> !tell", CHANNEL, thread_ts=thread)
    [answer] = await sl.press(other, sl.question(CHANNEL, thread), "Thai")
    assert answer.params["thread_ts"] == thread
    theirs = await picking.store.load(f"slack:{CHANNEL}:{thread}:{other}")
    assert said(theirs) == [(THAI, "tell", {"cuisine": "thai"})]


async def test_a_replayed_bot_button_press_is_processed_once(slack, picking):
    sl = await slack(picking)
    await sl.say(USER, "/tell", DM_USER)
    press = sl.requests.press(USER, sl.question(DM_USER), "Thai")
    assert len(await sl.calls_for(press)) == 1
    assert await sl.calls_for(press) == []  # the same signed request again: dropped
    assert len(said(await picking.store.load(f"slack:{DM_USER}"))) == 2


async def test_a_bot_button_gives_no_right_to_answer_training_questions(slack, picking):
    sl = await slack(picking)
    await sl.say(TRAINER, "<@UBOT0001> !tell", CHANNEL)
    question = sl.question(CHANNEL)
    stored = await picking.store.load(f"slack:{CHANNEL}:{TRAINER}")
    yes = question.button("Yes")
    forged = yes | {"action_id": "ozbot_say.0"}  # the teaching token, on a bot message's button
    calls = await sl.calls_for(sl.requests.actions(USER, question, forged))
    hint = texts.NOTICE.format(text=texts.no_nlu_hint("!", picking.domain.intents))
    assert ephemeral_texts(calls) == [hint]  # as if USER typed the token: no intent
    assert await picking.store.load(f"slack:{CHANNEL}:{TRAINER}") == stored
    assert ephemeral_texts(await sl.press(USER, question, "Yes")) == [texts.NOT_TRAINER]


async def test_a_rejected_token_stops_the_start_with_a_clear_error(engine, fake_slack):
    settings = SlackSettings("xoxb-wrong", SIGNING_SECRET, fake_slack.api_url)
    connector = SlackConnector(
        engine, settings, ChatCommands(lambda: STATUS), WebServer(WebSettings())
    )
    with pytest.raises(ConnectorError, match="Slack refused SLACK_BOT_TOKEN"):
        await connector.start()


async def test_people_write_sentences_and_the_nlu_reads_them(slack, engine):
    readings = {"hello there": (("greet", 0.93),), "!greet": (("goodbye", 0.99),)}

    class Interpreter:
        async def parse(self, text):
            return Understanding(text, readings[text])

    engine.nlu = Nlu(Interpreter())
    sl = await slack(engine)
    await sl.say(USER, "hello there", DM_USER)
    await sl.say(USER, "!greet", DM_USER)  # typed: the NLU never sees it
    assert sl.texts(DM_USER) == ["hey there!", "hey there!"]
    await sl.say(TRAINER, "hello there", DM)
    assert "user said: hello there  (intent greet 0.93)" in sl.question(DM).shown


async def test_an_acknowledged_request_stays_in_the_inbox_until_its_work_is_done(
    slack, engine, tmp_path, hold_turns
):
    inbox = await SqliteInbox.open(tmp_path / "ozbot.db", "slack")
    sl = await slack(engine, inbox=inbox)
    go = hold_turns(sl.connector.engine)
    event = sl.requests.signed_event(sl.requests.event(USER, "!greet", DM_USER))
    assert (await sl.send(event, wait=False))[0] == 200
    restarted = await SqliteInbox.open(tmp_path / "ozbot.db", "slack")  # as after a kill
    [unfinished] = await restarted.recover()
    go.set()
    await asyncio.wait_for(sl.connector.idle(), WAIT)
    assert sl.texts(DM_USER) == ["hey there!"]
    assert await restarted.recover() == []
    talk = sl.requests.event(USER, "hello all", CHANNEL)  # not for the bot: no work queued
    assert await sl.calls_for(sl.requests.signed_event(talk)) == []
    assert await restarted.recover() == []
    for opened in (restarted, inbox):
        await opened.close()
    assert unfinished.key.startswith("slack:Ev")


async def test_a_start_answers_the_requests_a_killed_process_left_once(
    slack, engine, fake_slack, tmp_path
):
    killed = await SqliteInbox.open(tmp_path / "ozbot.db", "slack")
    body = SlackRequests(fake_slack).event(USER, "!greet", DM_USER)
    await killed.add(f"slack:{body['event_id']}", json.dumps(body))
    await killed.close()
    inbox = await SqliteInbox.open(tmp_path / "ozbot.db", "slack")
    sl = await slack(engine, inbox=inbox)
    await asyncio.wait_for(sl.connector.idle(), WAIT)
    assert sl.texts(DM_USER) == ["hey there!"]
    assert await sl.calls_for(sl.requests.signed_event(body)) == []  # Slack retries: dropped
    await sl.connector.stop()
    await inbox.close()

"""The domain's actions run on a real rasa-sdk action server: Rasa's request, its answer
applied, and every failure a notice that leaves the conversation as it was."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.actions import ActionRegistry
from bot.engine import Engine
from bot.events import ActionExecuted, BotUttered, SlotSet
from bot.outputs import ActionProposal, BotMessage, Choices, Notice
from bot.teaching import Answer
from rasa_actions.server import ActionServer
from tests.bot.stores.local_cluster import free_ports
from tests.rasa_actions.conftest import approve, engine_with


@pytest.fixture
async def server(action_server_url: str) -> AsyncIterator[ActionServer]:
    server = ActionServer(action_server_url, timeout_seconds=10)
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def engine(sdk_domain, server, tmp_path) -> Engine:
    return engine_with(sdk_domain, ActionRegistry(sdk_domain, {}, remote=server.action), tmp_path)


def texts(outputs: list) -> list[str]:
    return [o.text for o in outputs if isinstance(o, BotMessage | Notice)]


async def test_a_remote_action_gets_rasa_s_request_and_its_answer_is_applied(engine):
    outputs = await approve(engine, '/search{"city": "Berlin"}')
    said = [o for o in outputs if isinstance(o, BotMessage)]
    assert [m.text for m in said] == [
        "c1 asked (search) for concerts in Berlin",
        "found 2 concerts",
        "slots: city, concerts, cuisine, requested_slot",
    ]
    assert (said[0].buttons, said[0].image) == (
        (("more", "/search"),),
        "https://example.org/concerts.png",
    )
    assert isinstance(outputs[-1], ActionProposal) and outputs[-1].action == "action_listen"
    events = (await engine.store.load("c1")).events
    assert events[-5].name == "action_search_concerts"
    assert [type(e) for e in events[-4:-1]] == [BotUttered] * 3
    assert events[-1] == SlotSet("concerts", ["Foo Fighters", "Katy Perry"])


async def test_a_followup_action_is_proposed_next(engine):
    outputs = await approve(engine, "/follow")
    proposal = outputs[-1]
    assert (proposal.action, proposal.policy) == ("utter_goodbye", "followup")


async def test_a_form_validation_action_sets_its_slots(engine):
    outputs = await approve(engine, '/inform{"cuisine": "Italian"}')
    events = (await engine.store.load("c1")).events
    assert list(events[-2:]) == [SlotSet("cuisine", "italian"), SlotSet("requested_slot", "city")]
    await engine.handle("c1", Answer(outputs[-1].question_id, "approve"), trainer=True)
    outputs = await approve(engine, '/inform{"cuisine": "klingon"}')
    assert texts(outputs) == ["we do not serve klingon"]
    events = (await engine.store.load("c1")).events
    assert list(events[-2:]) == [SlotSet("cuisine", None), SlotSet("requested_slot", "cuisine")]


@pytest.mark.parametrize(
    ("intent", "notice"),
    [
        ("reject", "the action server rejected it (the city is unknown)"),
        ("broken", "the action server answered HTTP 500: 'concerts\\nsecond line'"),
        ("missing", "HTTP 404: No registered action found for name 'action_missing'"),
    ],
)
async def test_a_refused_action_is_a_notice_and_changes_nothing(engine, intent, notice):
    outputs = await approve(engine, f"/{intent}")
    assert [type(o).__name__ for o in outputs] == ["Decided", "Notice", "ActionProposal"]
    assert notice in outputs[1].text
    assert "The conversation is unchanged" in outputs[1].text
    await unchanged(engine, outputs)


async def unchanged(engine: Engine, outputs: list) -> None:
    """Nothing ran, and the question shown last is the open one."""
    stored = await engine.store.load("c1")
    assert [e.name for e in stored.events if isinstance(e, ActionExecuted)] == ["action_listen"]
    assert stored.pending.id == outputs[-1].question_id


async def test_a_slow_action_server_is_a_notice_after_the_timeout(sdk_domain, action_server_url,
                                                                   tmp_path):  # fmt: skip
    server = ActionServer(action_server_url, timeout_seconds=0.5)
    await server.start()
    try:
        registry = ActionRegistry(sdk_domain, {}, remote=server.action)
        engine = engine_with(sdk_domain, registry, tmp_path)
        outputs = await approve(engine, "/slow")
    finally:
        await server.close()
    assert "did not answer within 0.5 seconds" in texts(outputs)[0]
    await unchanged(engine, outputs)


async def test_an_unreachable_action_server_is_a_notice(sdk_domain, tmp_path):
    [port] = free_ports(1)
    server = ActionServer(f"http://127.0.0.1:{port}/webhook")
    await server.start()
    try:
        registry = ActionRegistry(sdk_domain, {}, remote=server.action)
        engine = engine_with(sdk_domain, registry, tmp_path)
        outputs = await approve(engine, "/search")
    finally:
        await server.close()
    assert f"cannot reach the action server at http://127.0.0.1:{port}/webhook" in texts(outputs)[0]
    await unchanged(engine, outputs)


async def test_the_trainer_picks_another_action_after_a_failure(engine):
    outputs = await approve(engine, "/reject")
    question = outputs[-1].question_id
    choices = await engine.handle("c1", Answer(question, "wrong_action"), trainer=True)
    [listing] = [o for o in choices if isinstance(o, Choices)]
    outputs = await engine.handle(
        "c1", Answer(listing.question_id, "choose_action", "action_follow"), trainer=True
    )
    assert outputs[-1].action == "utter_goodbye"


async def test_each_call_sends_the_endpoint_s_token_headers_and_basic_auth(sdk_domain, tmp_path):
    seen: list[web.Request] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append(request)
        return web.json_response({"events": [], "responses": [{"text": "ok"}]})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    [port] = free_ports(1)
    await web.TCPSite(runner, "127.0.0.1", port).start()
    server = ActionServer(
        f"http://127.0.0.1:{port}/webhook",
        headers={"X-Tenant": "shop"},
        params={"token": "t0k"},
        basic_auth=("bot", "s3cret"),
    )
    await server.start()
    try:
        registry = ActionRegistry(sdk_domain, {}, remote=server.action)
        outputs = await approve(engine_with(sdk_domain, registry, tmp_path), "/search")
    finally:
        await server.close()
        await runner.cleanup()
    assert texts(outputs)[0] == "ok"
    [request] = seen
    assert request.query["token"] == "t0k" and request.headers["X-Tenant"] == "shop"
    assert request.headers["Authorization"] == "Basic Ym90OnMzY3JldA=="  # bot:s3cret

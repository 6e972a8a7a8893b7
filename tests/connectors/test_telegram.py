"""Telegram scenarios: real python-telegram-bot, polling or webhook, against the fake Bot API."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import re
import shutil
from pathlib import Path

import pytest

from bot import texts
from bot.errors import ConnectorError
from bot.events import ActionExecuted, UserUttered
from bot.interpreter import Nlu
from bot.nlu.model import EntitySpan, Understanding
from bot.nlu.taught_readings import TaughtReadings
from bot.policy import TRAINER as TRAINER_POLICY
from bot.stores.sqlite_inbox import SqliteInbox
from bot.stories.markdown import parse_markdown
from bot.stories.model import ActionStep, UserStep
from connectors.chat_commands import NAMES, ChatCommands
from connectors.telegram import TelegramConnector
from connectors.telegram_settings import TelegramSettings
from connectors.web import WebServer, WebSettings
from tests.connectors.conftest import (
    PUBLIC_URL,
    SECRET,
    STATUS,
    THAI,
    TRAINER,
    TRAINER_2,
    USER,
    picking_engine,
    said,
    telling_engine,
)
from tests.connectors.fake_telegram import WAIT, Call, group_chat, person, units

OFFERED = ChatCommands(lambda: STATUS)
LONG_TEXT = "\n".join(f"line {number:04d} " + "x" * 90 for number in range(100))


@pytest.fixture
def long_engine(tmp_path):
    """A bot whose one response is far longer than a Telegram message."""
    return telling_engine(tmp_path, {"text": LONG_TEXT})


def story_steps(markdown: str) -> tuple[list[str], list[str]]:
    [story] = parse_markdown(markdown, "export.md")
    intents = [s.alternatives[0].intent for s in story.steps if isinstance(s, UserStep)]
    actions = [s.name for s in story.steps if isinstance(s, ActionStep)]
    return intents, actions


async def test_the_seed_transcript_by_button_presses(telegram, taught_engine, tmp_path):
    tg = await telegram(taught_engine, status=taught_engine.policy.status)
    await tg.say(TRAINER, "/greet")
    question = tg.question(TRAINER)
    assert [label for label in question.labels if "Yes" in label]
    assert [label for label in question.labels if "action" in label]
    assert [label for label in question.labels if "intent" in label]
    assert [label for label in question.labels if "Export" in label]
    await tg.approve(TRAINER, "utter_greet")
    decided = tg.api.sent[(TRAINER, question.message_id)]
    assert decided.keyboard is None and decided.text.endswith("→ ✓ utter_greet")
    assert "hey there!" in tg.texts(TRAINER)
    await tg.approve(TRAINER, "action_listen")
    await tg.say(TRAINER, "/search_concerts")
    await tg.approve(TRAINER, "action_search_concerts")
    await tg.approve(TRAINER, "action_listen")

    await tg.say(TRAINER, "/compare_reviews")
    question = tg.question(TRAINER)
    assert "The bot wants to [action_show_venue_reviews]" in question.text
    assert 'slots: concerts: [{"artist": "Foo Fighters"' in question.text
    assert "user said: /compare_reviews  (intent compare_reviews)" in question.text
    await tg.press(TRAINER, question, "Wrong action")
    choices = tg.question(TRAINER)
    assert choices.message_id == question.message_id
    assert choices.text.endswith(texts.ASK_ACTION)
    assert choices.labels[0].startswith("action_show_venue_reviews  0.")
    assert all(re.fullmatch(r"\w+  [01]\.\d\d", label) for label in choices.labels[:-1])
    await tg.press(TRAINER, choices, "action_show_concert_reviews")
    decided = tg.api.sent[(TRAINER, question.message_id)]
    assert decided.keyboard is None
    assert decided.text.endswith(
        texts.corrected_action("action_show_venue_reviews", "action_show_concert_reviews")
    )
    assert "Katy Perry has the best reviews (5.0)" in tg.texts(TRAINER)
    await tg.approve(TRAINER, "action_listen")

    [document] = [c for c in await tg.say(TRAINER, "/export") if c.method == "sendDocument"]
    name, content = document.files["document"]
    assert name.endswith(".md") and "Exported 1 story" in document.params["caption"]
    assert story_steps(content.decode()) == (
        ["greet", "search_concerts", "compare_reviews"],
        ["utter_greet", "action_search_concerts", "action_show_concert_reviews"],
    )
    assert (Path(tmp_path) / "exported" / name).read_bytes() == content

    await tg.say(TRAINER, "/restart")
    assert texts.NOTICE.format(text=texts.RESTARTED) in tg.texts(TRAINER)
    for intent, action in [
        ("/greet", "utter_greet"),
        ("/search_concerts", "action_search_concerts"),
    ]:
        await tg.say(TRAINER, intent)
        await tg.approve(TRAINER, action)
        await tg.approve(TRAINER, "action_listen")
    await tg.say(TRAINER, "/compare_reviews")
    assert "The bot wants to [action_show_concert_reviews]" in tg.question(TRAINER).text
    status = [c for c in await tg.say(TRAINER, "/status") if c.method == "sendMessage"]
    shown = status[0].params["text"]
    assert shown.startswith(texts.NOTICE.format(text="Model 1 serves, trained "))
    assert shown.endswith(
        "It learned from 7 training stories and 0 taught conversations with "
        "0 corrections; 1 correction since."
    )


async def test_wrong_action_pages_through_the_actions_most_probable_first(telegram, engine):
    tg = await telegram(engine)
    await tg.say(TRAINER, "/compare_reviews")
    question = tg.question(TRAINER)
    await tg.press(TRAINER, question, "Wrong action")
    first = tg.question(TRAINER)
    assert first.labels[:2] == ["action_show_venue_reviews  0.80", "action_listen  0.20"]
    assert first.labels[-1] == "page 2/2 ▶" and len(first.labels) == 9
    calls = await tg.press(TRAINER, first, "page 2/2")
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageReplyMarkup"]
    second = tg.question(TRAINER)
    assert second.text == first.text and second.labels[-1] == "◀ page 1/2"
    names = [label.split()[0] for label in first.labels[:-1] + second.labels[:-1]]
    assert sorted(names) == sorted(engine.domain.actions)
    await tg.press(TRAINER, second, "action_show_concert_reviews")
    decided = tg.api.sent[(TRAINER, question.message_id)]
    assert decided.keyboard is None
    assert decided.text.startswith(question.text)
    assert decided.text.endswith(
        texts.corrected_action("action_show_venue_reviews", "action_show_concert_reviews")
    )
    assert "search for concerts first, then I compare" in tg.texts(TRAINER)
    assert "The bot wants to [action_listen]" in tg.question(TRAINER).text


async def test_wrong_intent_lists_the_intents_and_relabels_the_message(telegram, engine):
    tg = await telegram(engine)
    await tg.say(TRAINER, "/compare_reviews")
    question = tg.question(TRAINER)
    await tg.press(TRAINER, question, "Wrong intent")
    intents = tg.question(TRAINER)
    assert intents.text.endswith(texts.ASK_INTENT)
    assert intents.labels[0] == "compare_reviews  1.00"
    assert sorted(label.split()[0] for label in intents.labels) == sorted(engine.domain.intents)
    await tg.press(TRAINER, intents, "greet")
    decided = tg.api.sent[(TRAINER, question.message_id)]
    assert decided.keyboard is None
    assert decided.text.endswith(texts.corrected_intent("compare_reviews", "greet"))
    assert "The bot wants to [utter_greet]" in tg.question(TRAINER).text


async def test_a_trainer_reviews_a_users_flagged_turn_by_button_presses(
    telegram, engine, review_desk
):
    tg = await telegram(engine, reviews=review_desk)
    await tg.say(USER, "/greet")
    await tg.say(TRAINER, "/review")
    question = tg.question(TRAINER)
    assert "The bot wants to [utter_greet]" in question.text
    await tg.press(TRAINER, question, "Yes")
    await tg.press(TRAINER, tg.question(TRAINER), "Yes")
    assert texts.NOTICE.format(text=texts.reviewed(0)) in tg.texts(TRAINER)
    assert tg.texts(USER) == ["hey there!"]  # the user sees nothing of the review
    assert f"review:1:telegram:{USER}" in (await engine.store.taught()).conversations


OTHER_USER = 444


async def test_a_turn_under_review_is_skipped_or_dropped_by_a_button(telegram, engine, review_desk):
    tg = await telegram(engine, reviews=review_desk)
    await tg.say(USER, "/greet")
    await tg.say(OTHER_USER, "/greet")
    await tg.say(TRAINER, "/review")
    first = tg.question(TRAINER)
    assert texts.BUTTON_SKIP in first.labels and texts.BUTTON_NOT_USEFUL in first.labels
    await tg.press(TRAINER, first, "Skip")
    second = tg.question(TRAINER)
    assert second.message_id != first.message_id  # the other user's turn, asked anew
    assert len(await review_desk.queue.flags()) == 2  # skipped: still to review
    refused = await tg.press(USER, second, "Not useful")  # a user is no trainer
    assert [c.params.get("text") for c in refused] == [texts.NOT_TRAINER]
    await tg.press(TRAINER, second, "Not useful")
    assert len(await review_desk.queue.flags()) == 1  # dropped untaught
    assert not [c for c in (await engine.store.taught()).conversations if c.startswith("review")]


async def test_a_user_who_is_no_trainer_chats_without_questions(telegram, engine):
    tg = await telegram(engine)
    await tg.say(USER, "/greet")
    await tg.say(USER, "/search_concerts")
    assert tg.texts(USER) == ["hey there!", "looking for concerts", "Foo Fighters, Katy Perry"]
    assert all(sent.keyboard is None for sent in tg.api.chat(USER))
    for command in ("export", "undo", "status"):
        [call] = await tg.say(USER, f"/{command}")
        assert call.params["text"].endswith(texts.TELEGRAM_TRAINERS_ONLY.format(command=command))
    [call] = await tg.say(USER, "hello")
    assert call.params["text"] == texts.NOTICE.format(
        text=texts.no_nlu_hint("/", engine.domain.intents)
    )
    events = (await engine.store.load(f"telegram:{USER}")).events
    assert [
        e.name for e in events if isinstance(e, ActionExecuted) and e.policy == TRAINER_POLICY
    ] == []
    assert [e.text for e in events if isinstance(e, UserUttered)] == ["/greet", "/search_concerts"]


def only_alert(calls: list[Call]) -> str:
    """The press was refused: one alert, no message sent or edited."""
    [call] = calls
    assert call.method == "answerCallbackQuery" and call.params["show_alert"] is True
    return call.params["text"]


async def test_presses_that_answer_no_open_question_change_nothing(telegram, engine):
    tg = await telegram(engine)
    await tg.say(TRAINER, "/greet")
    question = tg.question(TRAINER)
    await tg.press(TRAINER, question, "Yes")
    stored = await engine.store.load(f"telegram:{TRAINER}")
    current = tg.question(TRAINER)
    question_id = current.button("Yes")["callback_data"].split(":")[0]

    cases = {
        texts.STALE_ANSWER: [
            tg.api.press(TRAINER, question, "Yes"),  # an old question
            tg.api.press(TRAINER, question, "Wrong action"),
            tg.api.callback(TRAINER, current, "0123abcd:y"),  # well formed, no such question
            tg.api.callback(TRAINER, current, "0123abcd:p:1"),  # a page of no open list
        ],
        texts.NOT_TRAINER: [tg.api.press(USER, current, "Yes")],
        texts.FORGED_PRESS: [
            tg.api.callback(TRAINER, current, "greet"),
            tg.api.callback(TRAINER, current, '{"intent": "greet"}'),
            tg.api.callback(TRAINER, current, f"{question_id}:A:99"),  # no 99th action
            tg.api.callback(TRAINER, current, f"{question_id}:Z"),
            tg.api.callback(TRAINER, current, f"{question_id}:y:1"),
            tg.api.callback(TRAINER, current, ""),
        ],
    }
    for alert, updates in cases.items():
        for update in updates:
            assert only_alert(await tg.deliver(update)) == alert, update
    assert await engine.store.load(f"telegram:{TRAINER}") == stored
    assert tg.question(TRAINER) == current


async def test_a_second_press_of_the_same_button_is_refused(telegram, engine):
    tg = await telegram(engine)
    await tg.say(TRAINER, "/greet")
    question = tg.question(TRAINER)
    calls = await tg.deliver(
        tg.api.press(TRAINER, question, "Yes"), tg.api.press(TRAINER, question, "Yes")
    )
    answers = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    assert answers == [None, texts.STALE_ANSWER]
    assert tg.texts(TRAINER).count("hey there!") == 1


async def test_an_open_question_keeps_its_buttons_until_it_is_answered(telegram, engine):
    tg = await telegram(engine)
    await tg.say(TRAINER, "/greet")
    question = tg.question(TRAINER)
    calls = await tg.say(TRAINER, "/goodbye")
    assert [c.method for c in calls] == ["sendMessage", "sendMessage"]
    assert calls[0].params["text"] == texts.NOTICE.format(text=texts.ANSWER_FIRST)
    again = tg.question(TRAINER)
    assert again.text == question.text and again.labels == question.labels
    [document] = [c for c in await tg.press(TRAINER, question, "Export") if c.files]
    assert story_steps(document.files["document"][1].decode()) == (["greet"], [])
    await tg.press(TRAINER, question, "Yes")  # the export left the question open
    assert "hey there!" in tg.texts(TRAINER)


async def test_group_members_have_a_conversation_each_and_commands_may_name_the_bot(
    telegram, engine
):
    tg = await telegram(engine)
    group = group_chat(-100)
    calls = await tg.say(TRAINER, "/greet@OzTestBot", chat=group)
    assert calls[0].params["reply_parameters"]["message_id"] > 0  # answers the member's message
    mine = tg.question(-100)
    await tg.say(TRAINER_2, "/goodbye", chat=group)
    theirs = tg.question(-100)
    assert "The bot wants to [utter_greet]" in mine.text
    assert "The bot wants to [action_listen]" in theirs.text  # the rules know no goodbye
    assert await tg.say(TRAINER, "/greet@SomeOtherBot", chat=group) == []
    assert await tg.say(USER, "see you at the concert!", chat=group) == []  # talk among members

    assert only_alert(await tg.press(TRAINER, theirs, "Yes")) == texts.STALE_ANSWER
    await tg.press(TRAINER, mine, "Yes")
    assert "hey there!" in tg.texts(-100)
    mine_stored = await engine.store.load(f"telegram:-100:{TRAINER}")
    theirs_stored = await engine.store.load(f"telegram:-100:{TRAINER_2}")
    assert [e.text for e in mine_stored.events if isinstance(e, UserUttered)] == ["/greet"]
    assert [e.text for e in theirs_stored.events if isinstance(e, UserUttered)] == ["/goodbye"]
    assert theirs_stored.pending is not None

    [help_call] = await tg.say(USER, "/help@OzTestBot", chat=group)
    expected = texts.TELEGRAM_HELP_USER.format(intent="greet")
    assert help_call.params["text"] == texts.NOTICE.format(text=expected)


async def test_commands_of_a_trainer(telegram, engine):
    tg = await telegram(engine)
    [start] = await tg.say(TRAINER, "/start")
    assert "You are a trainer." in start.params["text"]
    [status] = await tg.say(TRAINER, "/status")
    assert status.params["text"] == texts.NOTICE.format(text=texts.model_status(3, 7, 2, 1))
    [nothing] = await tg.say(TRAINER, "/undo")
    assert nothing.params["text"].endswith(texts.NOTHING_TO_UNDO)
    await tg.say(TRAINER, "/greet")
    [undone] = await tg.say(TRAINER, "/undo")
    assert undone.params["text"].endswith(texts.undone("/greet", "greet", [], []))
    assert (await engine.store.load(f"telegram:{TRAINER}")).pending is None
    [restarted] = await tg.say(TRAINER, "/restart")
    assert restarted.params["text"].endswith(texts.RESTARTED)
    [empty] = await tg.say(TRAINER, "/export")
    assert empty.method == "sendMessage" and empty.params["text"] == texts.NOTHING_EXPORTED


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
async def test_graph_sends_the_picture_of_the_conversation_s_path(telegram, engine):
    tg = await telegram(engine)
    await tg.say(TRAINER, "/greet")
    await tg.approve(TRAINER, "utter_greet")
    await tg.approve(TRAINER, "action_listen")
    [photo] = await tg.say(TRAINER, "/graph")
    assert photo.method == "sendPhoto" and photo.params["chat_id"] == TRAINER
    assert photo.files["photo"][1].startswith(b"\x89PNG\r\n\x1a\n")
    assert photo.params["caption"] == texts.GRAPH_CAPTION.format(steps=2)
    [refused] = await tg.say(USER, "/graph")
    assert refused.params["text"].endswith(texts.TELEGRAM_TRAINERS_ONLY.format(command="graph"))


async def test_a_trainer_retrains_with_slash_retrain_and_sees_the_new_model(
    telegram, taught_engine, taught_retraining
):
    live, schedule = taught_retraining.live, taught_retraining.schedule
    tg = await telegram(taught_engine, status=live.status, retrain=schedule.retrain_now)
    [refused] = await tg.say(USER, "/retrain")
    assert "/retrain" in refused.params["text"]
    assert live.version == 1

    [started] = await tg.say(TRAINER, "/retrain")
    assert started.params["text"] == texts.NOTICE.format(text=texts.RETRAIN_STARTED)
    await asyncio.wait_for(schedule.wait_idle(), 60)
    [status] = await tg.say(TRAINER, "/status")
    assert status.params["text"].startswith(texts.NOTICE.format(text="Model 2 serves, trained "))


async def test_trainers_hear_when_a_new_model_is_live(telegram, engine, fake_api):
    tg = await telegram(engine)
    tg.connector.tell_trainers("model 7 live: 42 stories, trained in 0.8 s")
    await asyncio.wait_for(tg.connector.idle(), WAIT)
    sent = {(m.params["chat_id"], m.params["text"]) for m in fake_api.methods("sendMessage")}
    note = texts.NOTICE.format(text="model 7 live: 42 stories, trained in 0.8 s")
    assert sent == {(TRAINER, note), (TRAINER_2, note)}


async def test_start_up_registers_the_commands_and_intents_and_polls(telegram, engine, fake_api):
    await telegram(engine)
    [menu] = fake_api.methods("setMyCommands")
    names = [command["command"] for command in menu.params["commands"]]
    assert names == [*NAMES, *engine.domain.intents]  # the list itself: test_chat_commands.py
    assert fake_api.methods("deleteWebhook")  # polling: no webhook may stand in the way
    assert fake_api.methods("setWebhook") == []


async def test_webhook_needs_the_secret_and_processes_an_update_once(telegram, engine, fake_api):
    tg = await telegram(engine, webhook=True)
    [hook] = fake_api.methods("setWebhook")
    assert hook.params["url"] == PUBLIC_URL and hook.params["secret_token"] == SECRET
    assert hook.params["allowed_updates"] == ["message", "callback_query"]
    greet = fake_api.message(USER, "/greet")
    assert await tg.post(greet, secret=None) == 403
    assert await tg.post(greet, secret="wrong") == 403
    assert await tg.post(greet, secret=SECRET[:-1]) == 403
    assert tg.texts(USER) == [] and await engine.store.conversation_ids() == []
    assert await tg.post("not an update") == 400
    assert await tg.post({"update_id": "seven"}) == 400

    assert [c.params["text"] for c in await tg.deliver(greet)] == ["hey there!"]
    assert await tg.deliver(greet) == []  # delivered again: not processed twice
    await tg.say(TRAINER, "/greet")
    await tg.approve(TRAINER, "utter_greet")
    assert tg.texts(USER) == ["hey there!"] and "hey there!" in tg.texts(TRAINER)


async def test_authenticated_but_malformed_webhook_updates_get_400(telegram, engine, caplog):
    tg = await telegram(engine, webhook=True)
    greet = tg.api.message(USER, "/greet")
    no_chat = copy.deepcopy(greet)
    del no_chat["message"]["chat"]
    shown = {"message_id": 1, "date": 1, "chat": {"id": TRAINER, "type": "private"}, "text": "?"}
    query = {"id": "q1", "from": person(TRAINER), "chat_instance": "c", "message": shown}
    press = {"update_id": 9, "callback_query": query | {"data": "x"}}
    no_presser = copy.deepcopy(press)
    del no_presser["callback_query"]["from"]
    number_data = copy.deepcopy(press)
    number_data["callback_query"]["data"] = 7
    deep = b'{"update_id": 5, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for body in (no_chat, no_presser, number_data, deep, b"\xff\xfe{", b"{"):
        assert await tg.post(body) == 400
    assert tg.texts(USER) == [] and await engine.store.conversation_ids() == []
    assert [r.levelname for r in caplog.records if r.name == "connectors.telegram"] == [
        "WARNING"
    ] * 6


async def test_long_bot_messages_are_split_at_line_breaks(telegram, long_engine):
    tg = await telegram(long_engine)
    calls = await tg.say(USER, "/tell")
    assert len(calls) == 3 and all(units(c.params["text"]) <= 4096 for c in calls)
    assert "\n".join(c.params["text"] for c in calls) == LONG_TEXT


POSTER = "https://example.org/poster.png"
TICKETS = {"title": "Tickets", "payload": "/buy"}


@pytest.mark.parametrize(
    ("variation", "caption", "after"),
    [
        ({"text": "Tonight!", "image": POSTER, "buttons": [TICKETS]}, "Tonight!", []),
        ({"text": "", "image": POSTER}, None, []),
        ({"text": "x" * 1500, "image": POSTER}, None, ["x" * 1500]),  # too long for a caption
    ],
)  # fmt: skip
async def test_a_response_s_image_is_a_photo_captioned_by_its_text(
    telegram, tmp_path, variation, caption, after
):
    tg = await telegram(telling_engine(tmp_path, variation))
    [photo, *messages] = await tg.say(USER, "/tell")
    assert (photo.method, photo.params["photo"], photo.params.get("caption")) == (
        "sendPhoto", POSTER, caption
    )  # fmt: skip
    assert [(m.method, m.params["text"]) for m in messages] == [("sendMessage", t) for t in after]
    assert tg.api.chat(USER)[-1 - len(after)].photo == POSTER
    keyboard = [[{"text": "Tickets", "callback_data": ">/buy"}]] if "buttons" in variation else None
    assert photo.params.get("reply_markup", {}).get("inline_keyboard") == keyboard


TOO_LONG = "/tell " + "x" * 60
"""Over Telegram's 64 bytes of callback data."""


@pytest.fixture
def picking(tmp_path):
    return picking_engine(tmp_path, TOO_LONG)


async def test_a_bot_message_s_buttons_are_a_keyboard_a_press_says_the_payload(telegram, picking):
    tg = await telegram(picking)
    [call] = await tg.say(USER, "/tell")
    thai = {"text": "Thai", "callback_data": ">" + THAI}
    assert call.params["reply_markup"] == {"inline_keyboard": [[thai]]}
    pick = tg.api.chat(USER)[-1]
    assert pick.text == f"Pick\n[All] {TOO_LONG}"  # too long for a button: a line, as before
    assert pick.labels == ["Thai"]
    calls = await tg.press(USER, pick, "Thai")
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert "text" not in calls[0].params and calls[1].params["text"] == pick.text
    stored = await picking.store.load(f"telegram:{USER}")
    assert said(stored) == [("/tell", "tell", {}), (THAI, "tell", {"cuisine": "thai"})]


async def test_buttons_without_text_show_under_a_pointer(telegram, tmp_path):
    only_buttons = {"text": "", "buttons": [{"title": "Yes", "payload": "/tell"}]}
    tg = await telegram(telling_engine(tmp_path, only_buttons))
    [call] = await tg.say(USER, "/tell")
    assert call.params["text"] == texts.BUTTONS_WITHOUT_TEXT
    assert tg.api.chat(USER)[-1].labels == ["Yes"]


async def test_a_trainer_s_press_of_a_bot_button_is_asked_about_as_typing_it(telegram, picking):
    tg = await telegram(picking)
    for trainer in (TRAINER, TRAINER_2):
        await tg.say(trainer, "/tell")
        await tg.approve(trainer, "utter_tell")
        await tg.approve(trainer, "action_listen")
    [pick] = [sent for sent in tg.api.chat(TRAINER) if sent.text and sent.text.startswith("Pick")]
    pressed = await tg.press(TRAINER, pick, "Thai")
    typed = await tg.say(TRAINER_2, THAI)
    assert [c.method for c in pressed] == ["answerCallbackQuery", *[c.method for c in typed]]
    asked, typed_asked = tg.api.chat(TRAINER)[-1], tg.api.chat(TRAINER_2)[-1]
    assert "The bot wants to [utter_tell]" in (asked.text or "")
    assert asked.text == typed_asked.text and asked.labels == typed_asked.labels
    stored = await picking.store.load(f"telegram:{TRAINER}")
    assert said(stored)[-1] == (THAI, "tell", {"cuisine": "thai"})


async def test_a_group_member_s_press_is_their_own_message_to_the_bot(telegram, picking):
    tg = await telegram(picking)
    group = group_chat(-100)
    await tg.say(USER, "/tell@OzTestBot", chat=group)
    pick = tg.api.chat(-100)[-1]
    [_, answer] = await tg.press(USER + 1, pick, "Thai")  # another member presses
    assert answer.params["reply_parameters"]["message_id"] == pick.message_id
    stored = await picking.store.load(f"telegram:-100:{USER + 1}")
    assert said(stored) == [(THAI, "tell", {"cuisine": "thai"})]


async def test_a_redelivered_bot_button_press_is_processed_once(telegram, picking):
    tg = await telegram(picking, webhook=True)
    await tg.say(USER, "/tell")
    press = tg.api.press(USER, tg.api.chat(USER)[-1], "Thai")
    assert len(await tg.deliver(press)) == 2
    assert await tg.deliver(press) == []  # Telegram sends it again: dropped
    assert len(said(await picking.store.load(f"telegram:{USER}"))) == 2


async def test_a_bot_button_gives_no_right_to_answer_training_questions(telegram, picking):
    tg = await telegram(picking)
    await tg.say(TRAINER, "/tell")
    question = tg.question(TRAINER)
    question_id = question.button("Yes")["callback_data"].split(":")[0]
    stored = await picking.store.load(f"telegram:{TRAINER}")
    forged = tg.api.callback(USER, question, f"{question_id}:y")
    assert only_alert(await tg.deliver(forged)) == texts.NOT_TRAINER
    assert only_alert(await tg.deliver(tg.api.callback(TRAINER, question, ">"))) == (
        texts.FORGED_PRESS
    )
    assert await picking.store.load(f"telegram:{TRAINER}") == stored


async def test_an_image_telegram_cannot_fetch_leaves_the_text_to_say_it(telegram, tmp_path, caplog):
    lost = "https://lost.invalid/poster.png"
    tg = await telegram(telling_engine(tmp_path, {"text": "Tonight!", "image": lost}))
    calls = await tg.say(USER, "/tell")
    assert [c.method for c in calls] == ["sendPhoto", "sendMessage"]
    assert tg.texts(USER)[-1] == f"Tonight!\n[image: {lost}]"
    assert "could not show the image" in caplog.text


async def test_other_kinds_of_updates_are_ignored_or_answered_politely(telegram, engine):
    tg = await telegram(engine)
    sticker = {
        "file_id": "s1", "file_unique_id": "s1u", "type": "regular", "width": 512,
        "height": 512, "is_animated": False, "is_video": False,
    }  # fmt: skip
    [polite] = await tg.deliver(tg.api.message(USER, None, sticker=sticker))
    assert polite.params["text"] == texts.TELEGRAM_TEXT_ONLY.format(intent="greet")
    edited = tg.api.message(USER, "/greet")
    edited["edited_message"] = edited.pop("message") | {"edit_date": 1}
    channel = tg.api.message(USER, "/greet", chat={"id": -200, "type": "channel", "title": "c"})
    channel["channel_post"] = channel.pop("message")
    photo = [{"file_id": "p", "file_unique_id": "pu", "width": 1, "height": 1}]
    in_group = tg.api.message(USER, None, chat=group_chat(-100), photo=photo)
    joined = tg.api.message(USER, None, new_chat_members=[person(USER)])
    assert await tg.deliver(edited, channel, in_group, joined) == []
    assert await engine.store.conversation_ids() == []


async def test_a_failure_inside_is_told_and_every_press_still_answered(
    telegram, engine, caplog, monkeypatch
):
    tg = await telegram(engine)
    await tg.say(TRAINER, "/greet")
    question = tg.question(TRAINER)

    async def broken(*args, **kwargs):
        raise RuntimeError("the store is on fire")

    monkeypatch.setattr(engine, "handle", broken)
    assert only_alert(await tg.press(TRAINER, question, "Yes")) == texts.FAILED
    [told] = await tg.say(USER, "/greet")
    assert told.params["text"] == texts.FAILED
    assert [r.exc_info[1].args for r in caplog.records if r.exc_info] == [
        ("the store is on fire",),
        ("the store is on fire",),
    ]
    caplog.clear()


async def test_while_redis_is_down_each_message_gets_one_clear_reply(telegram, on_redis, caplog):
    tg = await telegram(on_redis.engine, inbox=on_redis.inbox)
    await tg.say(TRAINER, "/greet")
    question = tg.question(TRAINER)
    await on_redis.stop()
    [reply] = [c for c in await tg.press(TRAINER, question, "Yes") if c.method == "sendMessage"]
    assert reply.params["text"] == texts.NOTICE.format(text=texts.STORE_UNAVAILABLE)
    for user, text in [(USER, "/greet"), (TRAINER, "/greet"), (USER, "hello"), (USER, "/greet")]:
        [reply] = await tg.say(user, text)
        assert reply.params["text"] == texts.NOTICE.format(text=texts.STORE_UNAVAILABLE)
    assert [r for r in caplog.records if r.exc_info] == []
    assert len([r for r in caplog.records if r.name == "connectors.intake"]) == 1
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.name for r in errors] == ["bot.stores.outage"]  # the outage, logged once
    caplog.clear()


def test_a_webhook_without_a_secret_is_refused(engine):
    settings = TelegramSettings("1:x", webhook_url=PUBLIC_URL, webhook_secret="")
    with pytest.raises(ConnectorError, match="webhook mode needs TELEGRAM_WEBHOOK_SECRET"):
        TelegramConnector(engine, settings, OFFERED, web=WebServer(WebSettings()))


async def test_a_rejected_token_stops_the_start_with_a_clear_error(engine, fake_api):
    settings = TelegramSettings("999:wrong", fake_api.base_url, poll_timeout=1)
    connector = TelegramConnector(engine, settings, OFFERED)
    with pytest.raises(ConnectorError, match="Telegram rejected TELEGRAM_TOKEN"):
        await connector.start()


async def test_people_write_sentences_and_the_nlu_reads_them(telegram, engine):
    readings = {
        "hello there": ((("greet", 0.93),), ()),
        "any concerts in Berlin?": (
            (("search_concerts", 0.88),),
            (EntitySpan(16, 22, "city", "Berlin"),),
        ),
    }

    class Interpreter:
        async def parse(self, text):
            intents, entities = readings[text]
            return Understanding(text, intents, entities)

    engine.nlu = Nlu(Interpreter())
    tg = await telegram(engine)
    await tg.say(USER, "hello there")
    await tg.say(USER, "any concerts in Berlin?")
    assert tg.texts(USER) == [
        "hey there!",
        "looking for concerts in Berlin",
        "Foo Fighters, Katy Perry",
    ]
    [question] = await tg.say(TRAINER, "hello there")
    assert "user said: hello there  (intent greet 0.93)" in question.params["text"]


async def test_wrong_entities_are_dropped_by_a_button_or_marked_in_a_message(telegram, engine):
    class Interpreter:  # takes Foo for a city
        async def parse(self, text):
            found = text.find("Foo")
            spans = (EntitySpan(found, found + 3, "city", "Foo"),) if found >= 0 else ()
            return Understanding(text, (("search_concerts", 0.9),), spans)

    readings = TaughtReadings(Interpreter())
    engine.nlu, engine.learner = Nlu(readings), readings
    tg = await telegram(engine)
    await tg.say(TRAINER, "gigs in Berlin with Foo")
    question = tg.question(TRAINER)
    assert "(intent search_concerts 0.90, city=Foo)" in question.text
    await tg.press(TRAINER, question, "Wrong entities")
    fix = tg.question(TRAINER)
    assert fix.message_id == question.message_id
    assert fix.text.endswith(f"{texts.ASK_ENTITIES}\ngigs in Berlin with [Foo](city)")
    assert fix.labels == ["✖ drop city=Foo"]
    await tg.press(TRAINER, fix, "drop city=Foo")
    decided = tg.api.sent[(TRAINER, question.message_id)]
    assert decided.keyboard is None
    assert decided.text.endswith(texts.corrected_entities("city=Foo", texts.NO_ENTITIES))
    assert "gigs in Berlin with Foo  (intent search_concerts)\n" in tg.question(TRAINER).text

    again = tg.question(TRAINER)
    await tg.press(TRAINER, again, "Wrong entities")  # nothing to drop: the message is asked
    await tg.say(TRAINER, "gigs in [Berlin](city) with Foo")
    marked = tg.api.sent[(TRAINER, again.message_id)]  # decided on the question, as by a press
    assert marked.keyboard is None
    assert marked.text.endswith(texts.corrected_entities(texts.NO_ENTITIES, "city=Berlin"))
    assert "(intent search_concerts, city=Berlin)" in tg.question(TRAINER).text
    await tg.say(TRAINER_2, "Gigs in Berlin with Foo")  # another trainer: the marking sticks
    assert "(intent search_concerts 1.00, city=Berlin)" in tg.question(TRAINER_2).text


async def test_wrong_intent_buttons_are_ranked_by_the_nlu_and_the_pick_sticks(telegram, engine):
    ranking = (("search_concerts", 0.55), ("search_venues", 0.4), ("greet", 0.05))

    class Interpreter:
        async def parse(self, text):
            return Understanding(text, ranking)

    readings = TaughtReadings(Interpreter())
    engine.nlu, engine.learner = Nlu(readings), readings
    tg = await telegram(engine)
    await tg.say(TRAINER, "where do bands play")
    await tg.press(TRAINER, tg.question(TRAINER), "Wrong intent")
    intents = tg.question(TRAINER)
    assert intents.labels[:3] == [
        "search_concerts  0.55",
        "search_venues  0.40",
        "greet  0.05",
    ]
    await tg.press(TRAINER, intents, "search_venues")
    assert "user said: where do bands play  (intent search_venues)" in tg.question(TRAINER).text
    await tg.say(TRAINER_2, "Where do bands play")  # another trainer, another chat
    assert "(intent search_venues 1.00)" in tg.question(TRAINER_2).text


async def test_an_acknowledged_update_stays_in_the_inbox_until_its_turn_is_done(
    telegram, engine, tmp_path, hold_turns
):
    inbox = await SqliteInbox.open(tmp_path / "ozbot.db", "telegram")
    tg = await telegram(engine, webhook=True, inbox=inbox)
    go = hold_turns(tg.connector.engine)
    assert await tg.post(tg.api.message(USER, "/greet")) == 200
    restarted = await SqliteInbox.open(tmp_path / "ozbot.db", "telegram")  # as after a kill
    [unfinished] = await restarted.recover()
    go.set()
    await asyncio.wait_for(tg.connector.application.update_queue.join(), WAIT)
    assert tg.texts(USER) == ["hey there!"]
    assert await restarted.recover() == []
    for opened in (restarted, inbox):
        await opened.close()
    assert unfinished.key.startswith("telegram:")


class KilledBeforeDone(SqliteInbox):
    """An inbox of a process killed after each turn was stored, before its entry was done."""

    async def done(self, entry):
        pass


async def test_an_update_stored_before_a_kill_is_answered_again_never_stored_twice(
    telegram, engine, tmp_path
):
    killed = await KilledBeforeDone.open(tmp_path / "ozbot.db", "telegram")
    tg = await telegram(engine, inbox=killed)
    await tg.say(USER, "/greet")
    assert tg.texts(USER) == ["hey there!"]
    stored = (await engine.store.load(f"telegram:{USER}")).events
    await tg.connector.stop()
    await killed.close()
    inbox = await SqliteInbox.open(tmp_path / "ozbot.db", "telegram")
    again = await telegram(engine, inbox=inbox)
    await asyncio.wait_for(again.connector.application.update_queue.join(), WAIT)
    # said again: it may not have been sent before the kill
    assert again.texts(USER) == ["hey there!", "hey there!"]
    assert (await engine.store.load(f"telegram:{USER}")).events == stored
    assert await inbox.recover() == []
    await inbox.close()


async def test_a_start_answers_the_updates_a_killed_process_left_once(
    telegram, engine, fake_api, tmp_path
):
    killed = await SqliteInbox.open(tmp_path / "ozbot.db", "telegram")
    update = fake_api.message(USER, "/greet")
    await killed.add(f"telegram:{update['update_id']}", json.dumps(update))
    await killed.close()
    inbox = await SqliteInbox.open(tmp_path / "ozbot.db", "telegram")
    tg = await telegram(engine, inbox=inbox)
    await asyncio.wait_for(tg.connector.application.update_queue.join(), WAIT)
    assert tg.texts(USER) == ["hey there!"]
    assert await tg.deliver(update) == []  # Telegram sends it again: dropped
    await tg.connector.stop()
    await inbox.close()

"""Reading Telegram updates: whose conversation, which command or message, in which order."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Chat, Update, User
from telegram.constants import ChatType

from bot.engine import UserMessage
from connectors.chat_commands import BY_NAME
from connectors.telegram_updates import PerChatOrder, conversation_id, read_text
from tests.connectors.conftest import TRAINER, USER
from tests.connectors.fake_telegram import WAIT, FakeBotApi


def test_conversation_per_private_chat_and_per_group_member():
    me = User(TRAINER, "t", is_bot=False)
    assert conversation_id(Chat(TRAINER, ChatType.PRIVATE), me) == "telegram:111"
    assert conversation_id(Chat(-100, ChatType.SUPERGROUP), me) == "telegram:-100:111"
    assert conversation_id(Chat(-5, ChatType.GROUP), me) == "telegram:-5:111"


INTENTS = ("greet", "start_over")


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("/greet", UserMessage("/greet")),
        ("/greet@OzTestBot", UserMessage("/greet")),
        ('/greet@oztestbot{"name": "Ann"}', UserMessage('/greet{"name": "Ann"}')),
        ("  /greet  ", UserMessage("/greet")),
        ("/greet@OtherBot", None),
        ("/export@OzTestBot", BY_NAME["export"]),
        ("/restart now", BY_NAME["restart"]),
        ("/start", BY_NAME["help"]),
        ("/help", BY_NAME["help"]),
        ("/status", BY_NAME["status"]),
        ("/retrain", BY_NAME["retrain"]),
        ("hello", UserMessage("hello")),
    ],
)
def test_reading_a_text_message(text, read):
    assert read_text(text, "OzTestBot", INTENTS) == read


def test_start_is_an_intent_when_the_domain_has_one():
    assert read_text("/start", "OzTestBot", ("start",)) == UserMessage("/start")


def test_in_groups_only_commands_are_for_the_bot():
    assert read_text("hello everyone", "OzTestBot", INTENTS, private=False) is None
    assert read_text("/greet", "OzTestBot", INTENTS, private=False) == UserMessage("/greet")


async def test_one_members_updates_run_in_order_while_others_go_on():
    finished: list[object] = []

    async def finish(update: object) -> None:
        finished.append(update)

    order = PerChatOrder(lambda update: None, finish)
    done: list[str] = []
    slow = asyncio.Event()

    async def work(name: str, wait: bool = False) -> None:
        if wait:
            await slow.wait()
        done.append(name)

    api = FakeBotApi()
    first, second, other = (
        Update.de_json(api.message(user, "/greet"), None) for user in (TRAINER, TRAINER, USER)
    )
    tasks = [
        asyncio.create_task(order.process_update(first, work("first", wait=True))),
        asyncio.create_task(order.process_update(second, work("second"))),
        asyncio.create_task(order.process_update(other, work("other"))),
    ]
    await asyncio.wait_for(tasks[2], WAIT)
    assert done == ["other"] and finished == [other]
    slow.set()
    await asyncio.wait_for(asyncio.gather(*tasks), WAIT)
    assert done == ["other", "first", "second"] and finished == [other, first, second]

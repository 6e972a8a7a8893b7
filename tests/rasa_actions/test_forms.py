"""A Rasa 3 bot with a form, its validation (rasa-sdk's FormValidationAction) on a real
rasa-sdk action server, run as users talk to it."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import Bot, TrainerNotes, running_bot
from bot.engine import UserMessage
from bot.outputs import BotMessage
from bot.settings import read_settings
from tests.rasa_actions.conftest import running_action_server

FORM_BOT = Path(__file__).parents[1] / "form_bot"


@pytest.fixture(scope="module")
def form_actions_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("form_actions") / "server.log"
    with running_action_server(log, FORM_BOT) as url:
        yield url


@pytest.fixture
async def bot(tmp_path: Path, form_actions_url: str) -> AsyncIterator[Bot]:
    """The form bot without its actions.py: validate_table_form runs on the server."""
    project = Path(shutil.copytree(FORM_BOT, tmp_path / "form_bot"))
    (project / "actions.py").unlink()
    (project / "endpoints.yml").write_text(
        f"action_endpoint:\n  url: {form_actions_url}\n", encoding="utf-8"
    )
    async with running_bot(
        read_settings(project, {}), learn=False, progress=lambda *_: None, notes=TrainerNotes()
    ) as running:
        yield running


async def said(bot: Bot, text: str) -> list[str]:
    outputs = await bot.engine.handle("user", UserMessage(text), trainer=False)
    return [o.text for o in outputs if isinstance(o, BotMessage)]


async def test_the_form_asks_and_its_server_side_validation_refuses_and_accepts(bot):
    assert await said(bot, "/request_table") == ["Which cuisine would you like?"]
    assert await said(bot, '/inform{"cuisine": "sushi"}') == [
        "Sorry, no sushi restaurant here.",
        "Which cuisine would you like?",
    ]
    assert await said(bot, '/inform{"cuisine": "Thai"}') == ["For how many people?"]
    assert await said(bot, '/inform{"number": 30}') == [
        "We seat 1 to 20 people.",
        "For how many people?",
    ]
    assert await said(bot, '/inform{"number": 3}') == ["Would you like to sit outside?"]
    assert await said(bot, "/affirm") == ["Booked: thai for 3."]


async def test_chitchat_inside_the_form_is_answered_and_the_form_asks_again(bot):
    await said(bot, "/request_table")
    assert await said(bot, "/chitchat") == ["Ha, nice one.", "Which cuisine would you like?"]
    assert await said(bot, '/inform{"cuisine": "greek"}') == ["For how many people?"]

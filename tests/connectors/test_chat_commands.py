"""ozbot's chat commands: the one table, the domain check, and what commands answer."""

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot import texts
from bot.engine import UserMessage
from bot.errors import ProjectError, StoreUnavailableError
from bot.outputs import ActionProposal, Notice, Picture
from bot.policy import ModelStatus
from bot.review import ReviewRules
from bot.review_desk import ReviewDesk
from bot.stores.review_queue import MemoryReviewQueue
from connectors.chat_commands import (
    BY_NAME,
    COMMANDS,
    NAMES,
    ChatCommands,
    Context,
    HelpText,
    Wording,
    answer,
    check_domain,
)

STATUS = ModelStatus(model=3, stories=7, conversations=2, corrections=1)
WORDING = Wording("trainer help /{intent}", "user help /{intent}", "/{command} is for trainers.")


def context(engine, *, trainer: bool, retrain=None, wording=WORDING) -> Context:
    return Context(engine, "c1", trainer, ChatCommands(lambda: STATUS, retrain), wording)


def test_one_table_names_every_command_and_who_may_use_it():
    assert NAMES == (
        "help",
        "restart",
        "undo",
        "export",
        "status",
        "retrain",
        "graph",
        "review",
        "dismiss",
    )
    trainers = ["undo", "export", "status", "retrain", "graph", "review", "dismiss"]
    assert [c.name for c in COMMANDS if c.trainers_only] == trainers
    assert BY_NAME["status"].help == texts.COMMAND_HELP["status"]


def test_a_domain_intent_named_like_a_command_is_refused(concert_domain):
    domain = replace(concert_domain, intents=(*concert_domain.intents, "status", "help"))
    with pytest.raises(ProjectError, match=r"domain.yml: intents: help, status collide .* /status"):
        check_domain(domain, Path("domain.yml"))
    check_domain(concert_domain, Path("domain.yml"))


async def test_commands_for_trainers_refuse_the_others(engine):
    for command in (c for c in COMMANDS if c.trainers_only):  # which ones: the test above
        outputs = await answer(command, context(engine, trainer=False))
        assert outputs == [Notice(f"/{command.name} is for trainers.")]


async def test_help_status_and_retrain_answer_from_the_bot(engine):
    [user_help] = await answer(BY_NAME["help"], context(engine, trainer=False))
    assert user_help == HelpText("user help /greet")
    [status] = await answer(BY_NAME["status"], context(engine, trainer=True))
    assert status == Notice(texts.model_status(3, 7, 2, 1))
    [unavailable] = await answer(BY_NAME["retrain"], context(engine, trainer=True))
    assert unavailable == Notice(texts.RETRAIN_UNAVAILABLE)
    retrain = context(engine, trainer=True, retrain=lambda: "Retraining now.")
    assert await answer(BY_NAME["retrain"], retrain) == [Notice("Retraining now.")]


async def test_without_a_refusal_nobody_is_refused(engine):
    owner = context(engine, trainer=False, wording=replace(WORDING, refusal=None))
    await answer(UserMessage("/greet"), owner)
    [undone] = await answer(BY_NAME["undo"], owner)
    assert undone == Notice(texts.undone("/greet", "greet", ["utter_greet"], []))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
async def test_graph_draws_the_conversation_since_its_last_restart(engine):
    trainer = context(engine, trainer=True)
    [nothing] = await answer(BY_NAME["graph"], trainer)
    assert nothing == Notice(texts.GRAPH_NOTHING)
    user = context(engine, trainer=False)
    await answer(UserMessage("/goodbye"), user)
    await answer(BY_NAME["restart"], user)
    for text in ("/greet", "/search_concerts"):
        await answer(UserMessage(text), user)
    [picture] = await answer(BY_NAME["graph"], trainer)
    assert isinstance(picture, Picture) and picture.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert picture.caption == texts.GRAPH_CAPTION.format(steps=4)  # goodbye is before /restart
    assert picture.text == texts.GRAPH_NO_PICTURES  # what a chat without pictures shows


async def test_graph_without_graphviz_says_what_to_install(engine, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    await answer(UserMessage("/greet"), context(engine, trainer=False))
    [told] = await answer(BY_NAME["graph"], context(engine, trainer=True))
    assert told == Notice(texts.GRAPHVIZ_MISSING.format(program="dot"))
    assert "apt-get install graphviz" in told.text


async def test_review_opens_users_flagged_turns_for_a_trainer(engine, review_desk):
    assert await answer(BY_NAME["review"], context(engine, trainer=True)) == [
        Notice(texts.REVIEW_UNAVAILABLE)
    ]
    await engine.handle("u1", UserMessage("/greet"), trainer=False)
    commands = ChatCommands(lambda: STATUS, None, review_desk)
    reviewing = Context(engine, "t1", True, commands, WORDING)
    outputs = await answer(BY_NAME["review"], reviewing)
    assert Notice("1 turn to review, 1 of them about greet.") in outputs
    assert any(isinstance(o, ActionProposal) for o in outputs)
    assert await answer(BY_NAME["dismiss"], reviewing) == [Notice(texts.NOTHING_TO_REVIEW)]


class DownQueue(MemoryReviewQueue):
    async def flags(self):
        raise StoreUnavailableError("Redis at redis://x is unavailable")


async def test_review_in_a_store_outage_says_so(engine):
    desk = ReviewDesk(engine, DownQueue(engine.store), ReviewRules())
    commands = ChatCommands(lambda: STATUS, None, desk)
    reviewing = Context(engine, "t1", True, commands, WORDING)
    assert await answer(BY_NAME["review"], reviewing) == [Notice(texts.STORE_UNAVAILABLE)]

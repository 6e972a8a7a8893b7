"""The press pipeline both chat platforms share, without a platform."""

from bot import texts
from bot.engine import UserMessage
from bot.outputs import ActionProposal, Choices, Decided
from connectors.presses import PageTurn, handle_press
from connectors.training_view import PAGE_SIZE, Press


async def proposal(engine) -> ActionProposal:
    outputs = await engine.handle("c1", UserMessage("/greet"), trainer=True)
    return next(o for o in outputs if isinstance(o, ActionProposal))


async def test_a_trainers_press_answers_the_open_question(engine):
    question = await proposal(engine)
    outcome = await handle_press(
        engine, "c1", Press(question.question_id, "approve").data, trainer=True
    )
    assert isinstance(outcome, list) and any(isinstance(o, Decided) for o in outcome)


async def test_refused_presses_change_nothing(engine):
    question = await proposal(engine)
    approve = Press(question.question_id, "approve").data
    stored = await engine.store.load("c1")
    assert await handle_press(engine, "c1", approve, trainer=False) == texts.NOT_TRAINER
    assert await handle_press(engine, None, approve, trainer=True) == texts.FORGED_PRESS
    assert await handle_press(engine, "c1", "greet", trainer=True) == texts.FORGED_PRESS
    assert await handle_press(engine, "c1", "0123abcd:y", trainer=True) == texts.STALE_ANSWER
    assert await engine.store.load("c1") == stored


async def test_a_page_press_turns_the_page_of_the_open_list(engine):
    question = await proposal(engine)
    [choices] = [
        o
        for o in await handle_press(
            engine, "c1", Press(question.question_id, "wrong_action").data, trainer=True
        )
        if isinstance(o, Choices)
    ]
    assert len(choices.options) > PAGE_SIZE
    page = Press(choices.question_id, "page", 1).data
    assert await handle_press(engine, "c1", page, trainer=True) == [PageTurn(choices, 1)]

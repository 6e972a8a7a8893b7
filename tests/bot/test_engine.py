"""The engine with a rule policy: the training flow, storage and outputs, without LightGBM."""

import dataclasses

import pytest

from bot import texts
from bot.actions import ActionRegistry
from bot.delivery import Delivery, delivering
from bot.domain import Domain, Response
from bot.engine import Command, Engine, UserMessage
from bot.errors import (
    ConflictError,
    ConversationBusyError,
    NluUnavailableError,
    StoreUnavailableError,
)
from bot.events import ActionExecuted, BotUttered, Corrected, Restarted, SlotSet, UserUttered
from bot.exporter import StoryExporter
from bot.interpreter import Nlu
from bot.nlu.model import EntitySpan, Understanding
from bot.nlu.taught_readings import TaughtReadings
from bot.outputs import (
    ActionProposal,
    BotMessage,
    Choices,
    Decided,
    EntityFix,
    Exported,
    Notice,
    UserSaid,
)
from bot.review import ReviewRules
from bot.stores.memory import MemoryTrackerStore
from bot.stories.markdown import parse_markdown
from bot.teaching import Answer
from bot.tracker import Tracker
from tests.conftest import RulePolicy


def only(outputs, kind):
    found = [o for o in outputs if isinstance(o, kind)]
    assert len(found) == 1, outputs
    return found[0]


async def say(engine, text, trainer=True):
    return await engine.handle("c1", UserMessage(text), trainer=trainer)


async def answer(engine, outputs, kind, value=None):
    question = next(o for o in outputs if isinstance(o, ActionProposal | Choices))
    return await engine.handle("c1", Answer(question.question_id, kind, value), trainer=True)


async def test_approving_runs_the_action_and_asks_about_the_next(engine, learner):
    proposal = only(await say(engine, "/greet"), ActionProposal)
    assert (proposal.action, proposal.intent) == ("utter_greet", "greet")
    outputs = await answer(engine, [proposal], "approve")
    assert only(outputs, BotMessage).text == "hey there!"
    assert only(outputs, ActionProposal).action == "action_listen"
    outputs = await answer(engine, outputs, "approve")
    assert [type(o) for o in outputs] == [Decided]
    stored = await engine.store.load("c1")
    assert stored.events == (
        ActionExecuted("action_listen"),
        UserUttered("/greet", "greet"),
        ActionExecuted("utter_greet", "trainer", 0.8),
        BotUttered("hey there!"),
        ActionExecuted("action_listen", "trainer", 1.0),
    )
    assert stored.pending is None
    assert len(learner.taught) == 2 and learner.taught[-1] == list(stored.events)


class LoggedStore(MemoryTrackerStore):
    """Logs each write, to see what is heard before and after it."""

    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log

    async def append(self, conversation_id, events, **kwargs) -> None:
        await super().append(conversation_id, events, **kwargs)
        self.log.append(f"stored {conversation_id}")


async def test_other_replicas_hear_of_a_teaching_only_once_it_is_stored(engine):
    """They read the conversation when they hear of it: a correction not yet stored would be
    missed there."""
    log: list[str] = []
    engine = Engine(
        engine.domain,
        engine.policy,
        LoggedStore(log),
        engine.actions,
        engine.exporter,
        engine.learner,
        on_taught=lambda conversation_id: log.append(f"taught {conversation_id}"),
    )
    asked = await say(engine, "/compare_reviews")
    assert log == ["stored c1"]  # a question: nothing taught yet
    choices = await answer(engine, asked, "wrong_intent")
    await answer(engine, choices, "choose_intent", "greet")
    assert log == ["stored c1", "stored c1", "stored c1", "taught c1"]


async def test_an_update_stored_before_a_crash_is_answered_again_not_stored_again(engine):
    asked = await say(engine, "/greet")
    with delivering(Delivery("telegram:7", again=False)):
        approved = await answer(engine, asked, "approve")
    stored = await engine.store.load("c1")
    with delivering(Delivery("telegram:7", again=True)):  # the inbox hands it out again
        again = await engine.handle("c1", Answer("whatever", "approve"), trainer=True)
    assert await engine.store.load("c1") == stored
    assert again == [o for o in approved if not isinstance(o, Decided)]  # said, asked again
    with delivering(Delivery("telegram:8", again=True)):  # handed out again, never stored
        assert only(await say(engine, "/greet"), Notice)  # processed: the question is open


async def test_a_response_s_image_is_said_and_said_again_after_a_crash(engine, concert_domain):
    poster = "https://example.org/hi.png"
    concert_domain.responses["utter_greet"] = (Response("hey there!", image=poster),)
    asked = await say(engine, "/greet")
    with delivering(Delivery("telegram:7", again=False)):
        approved = await answer(engine, asked, "approve")
    assert only(approved, BotMessage) == BotMessage("hey there!", image=poster)
    with delivering(Delivery("telegram:7", again=True)):
        again = await engine.handle("c1", Answer("whatever", "approve"), trainer=True)
    assert only(again, BotMessage) == BotMessage("hey there!", image=poster)


async def test_wrong_action_lists_every_action_and_runs_the_choice(engine, concert_domain):
    await answer(engine, await say(engine, "/search_concerts"), "approve")
    await answer(engine, await engine.pending_outputs("c1"), "approve")
    outputs = await answer(engine, await say(engine, "/compare_reviews"), "wrong_action")
    choices = only(outputs, Choices)
    assert [name for name, _ in choices.options] == list(concert_domain.actions)
    assert dict(choices.options)["action_show_venue_reviews"] == 0.8
    outputs = await answer(engine, outputs, "choose_action", "action_show_concert_reviews")
    assert "Katy Perry has the best reviews" in only(outputs, BotMessage).text
    assert "Corrected: action_show_concert_reviews" in only(outputs, Decided).text
    events = (await engine.store.load("c1")).events
    assert Corrected("action", "action_show_venue_reviews", "action_show_concert_reviews") in events
    assert events[-2].name == "action_show_concert_reviews"


async def test_wrong_intent_relabels_and_predicts_again(engine):
    outputs = await answer(engine, await say(engine, "/compare_reviews"), "wrong_intent")
    assert dict(only(outputs, Choices).options)["compare_reviews"] == 1.0
    outputs = await answer(engine, outputs, "choose_intent", "greet")
    proposal = only(outputs, ActionProposal)
    assert (proposal.intent, proposal.action) == ("greet", "utter_greet")


async def test_custom_action_fills_its_slot(engine):
    outputs = await answer(
        engine, await say(engine, '/search_concerts{"city": "Berlin"}'), "approve"
    )
    assert [m.text for m in outputs if isinstance(m, BotMessage)] == [
        "looking for concerts in Berlin",
        "Foo Fighters, Katy Perry",
    ]
    assert dict(only(outputs, ActionProposal).slots)["concerts"][0]["artist"] == "Foo Fighters"


async def test_stale_and_duplicate_answers_change_nothing(engine):
    first = await say(engine, "/greet")
    await answer(engine, first, "approve")
    before = await engine.store.load("c1")
    outputs = await answer(engine, first, "approve")
    assert "already answered" in only(outputs, Notice).text
    assert await engine.store.load("c1") == before


async def test_a_message_while_a_question_is_open_shows_the_question_again(engine):
    first = only(await say(engine, "/greet"), ActionProposal)
    outputs = await say(engine, "/goodbye")
    assert "answer the question" in only(outputs, Notice).text
    assert only(outputs, ActionProposal) == first
    assert len((await engine.store.load("c1")).events) == 2


@pytest.mark.parametrize("text", ["hello", "/dance", '/greet{"x"', "", "/" + "a" * 10_000])
async def test_bad_input_gets_a_notice_and_stores_nothing(engine, text):
    outputs = await say(engine, text)
    assert len(outputs) == 1 and isinstance(outputs[0], Notice)
    assert (await engine.store.load("c1")).events == ()


async def test_users_who_are_not_trainers_get_answers_without_questions(engine, learner):
    outputs = await say(engine, "/greet", trainer=False)
    assert outputs == [BotMessage("hey there!")]
    stored = await engine.store.load("c1")
    assert stored.pending is None and stored.events[-1] == ActionExecuted(
        "action_listen", "rules", 1.0
    )
    assert learner.taught == []


async def test_restart_keeps_the_old_conversation_and_export_splits_it(engine, tmp_path):
    await answer(engine, await say(engine, "/greet"), "approve")
    await answer(engine, await engine.pending_outputs("c1"), "approve")
    outputs = await engine.handle("c1", Command("restart"), trainer=True)
    assert "new conversation" in only(outputs, Notice).text
    await answer(engine, await say(engine, "/search_concerts"), "approve")
    exported = only(await answer(engine, await engine.pending_outputs("c1"), "export"), Exported)
    assert exported.stories == 2
    stories = parse_markdown(
        (tmp_path / "exported" / exported.path.split("/")[-1]).read_text(), "export.md"
    )
    assert [len(s.steps) for s in stories] == [2, 3]
    assert Restarted() in (await engine.store.load("c1")).events


@dataclasses.dataclass(frozen=True)
class Broken:
    """A custom action whose API is down."""

    name: str

    async def run(self, dispatcher, tracker, domain):
        raise RuntimeError("API down")


def broken(domain: Domain, name: str) -> ActionRegistry:
    """The domain's actions, `name` a custom one whose API is down."""
    return ActionRegistry(domain, {name: Broken(name)})


async def test_a_failing_action_keeps_the_question_open(engine, concert_domain):
    engine.actions = broken(concert_domain, "action_search_concerts")
    first = await say(engine, "/search_concerts")
    outputs = await answer(engine, first, "approve")
    notice = only(outputs, Notice).text
    assert "action_search_concerts failed: RuntimeError: API down." in notice
    assert "\n" not in notice
    question = only(first, ActionProposal).question_id
    assert only(outputs, ActionProposal).question_id == question  # shown again, after the notice
    assert isinstance(outputs[-1], ActionProposal)
    stored = await engine.store.load("c1")
    assert stored.pending.id == question
    assert not any(
        isinstance(e, ActionExecuted) and e.name == "action_search_concerts" for e in stored.events
    )


async def test_a_failing_chosen_action_stores_no_correction(engine, concert_domain):
    engine.actions = broken(concert_domain, "action_search_venues")
    choices = await answer(engine, await say(engine, "/search_concerts"), "wrong_action")
    outputs = await answer(engine, choices, "choose_action", "action_search_venues")
    assert "action_search_venues failed" in only(outputs, Notice).text
    assert only(outputs, Choices).question_id == only(choices, Choices).question_id
    stored = await engine.store.load("c1")
    assert not any(isinstance(e, Corrected) for e in stored.events)


async def test_a_followup_action_comes_next(engine, concert_domain):
    class Leads:
        name = "action_search_concerts"

        async def run(self, dispatcher, tracker, domain):
            return [{"event": "followup", "name": "utter_goodbye", "timestamp": None}]

    engine.actions = ActionRegistry(concert_domain, {"action_search_concerts": Leads()})
    outputs = await answer(engine, await say(engine, "/search_concerts"), "approve")
    proposal = only(outputs, ActionProposal)
    assert (proposal.action, proposal.policy) == ("utter_goodbye", "followup")
    outputs = await engine.handle("c2", UserMessage("/search_concerts"), trainer=False)
    assert outputs == [BotMessage("goodbye :(")]


async def test_undo_takes_back_the_last_user_turn(engine):
    await answer(engine, await say(engine, "/greet"), "approve")
    outputs = await engine.handle("c1", Command("undo"), trainer=True)
    assert "Took back" in only(outputs, Notice).text
    assert only(await say(engine, "/search_concerts"), ActionProposal).history[-1] == UserSaid(
        "/search_concerts", "search_concerts"
    )


async def test_an_open_question_survives_a_new_engine(engine, concert_domain, tmp_path):
    first = only(await say(engine, '/search_concerts{"city": "Rome"}'), ActionProposal)
    again = Engine(
        concert_domain,
        RulePolicy(concert_domain),
        engine.store,
        engine.actions,
        StoryExporter(tmp_path),
    )
    assert await again.pending_outputs("c1") == [first]
    assert SlotSet("city", "Rome") in (await engine.store.load("c1")).events


class CountingStore(MemoryTrackerStore):
    """Counts whole-conversation loads, which a turn should need only to look at the past."""

    def __init__(self):
        super().__init__()
        self.whole_loads = 0

    async def load(self, conversation_id):
        self.whole_loads += 1
        return await super().load(conversation_id)


async def test_a_turn_resumes_from_the_snapshot_without_reading_the_past(engine):
    engine.store = CountingStore()
    for text in ["/greet", "/search_concerts", "/compare_reviews"] * 5:
        await say(engine, text, trainer=False)
    assert engine.store.whole_loads == 0
    conversation = await engine.store.load("c1")
    tail = await engine.store.load_tail("c1")
    assert tail.events == () and tail.length == len(conversation.events)
    assert tail.snapshot == Tracker("c1", engine.domain, conversation.events).snapshot()


async def test_undo_export_and_teaching_see_the_whole_conversation(engine, learner, tmp_path):
    for text in ["/greet", "/search_concerts"]:
        await say(engine, text, trainer=False)
    await answer(engine, await say(engine, "/greet"), "approve")
    assert learner.taught[-1] == list((await engine.store.load("c1")).events)
    await engine.handle("c1", Command("undo"), trainer=True)
    exported = only(await engine.handle("c1", Command("export"), trainer=True), Exported)
    assert "* greet\n    - utter_greet\n* search_concerts\n" in exported.markdown
    assert "* greet\n    - utter_greet\n* greet" not in exported.markdown


async def test_a_snapshot_of_other_slots_is_folded_anew(engine, concert_domain):
    await say(engine, '/search_concerts{"city": "Rome"}', trainer=False)
    engine.domain = dataclasses.replace(concert_domain, slots=concert_domain.slots[:-1])
    assert not (await engine.store.load_tail("c1")).snapshot.fits(engine.domain)
    assert await say(engine, "/greet", trainer=False) == [BotMessage("hey there!")]
    events = (await engine.store.load("c1")).events
    assert (await engine.store.load_tail("c1")).snapshot == Tracker(
        "c1", engine.domain, events
    ).snapshot()


class FailingStore(MemoryTrackerStore):
    def __init__(self, error):
        super().__init__()
        self.error = error

    async def append(self, *args, **kwargs):
        raise self.error


@pytest.mark.parametrize(
    ("error", "notice"),
    [
        (StoreUnavailableError("Redis down"), texts.STORE_UNAVAILABLE),
        (ConversationBusyError("lock taken"), texts.CONVERSATION_BUSY),
        (
            ConflictError("c1 has 3 events, expected 2"),
            texts.store_failed("c1 has 3 events, expected 2"),
        ),
    ],
)
async def test_a_failing_store_gets_a_notice_and_nothing_is_kept(engine, error, notice):
    engine.store = FailingStore(error)
    assert await say(engine, "/greet", trainer=False) == [Notice(notice)]
    assert await engine.store.conversation_ids() == []


async def test_free_text_is_read_by_the_nlu_and_typed_intents_bypass_it(engine):
    readings = {"any concerts in Berlin?": (("search_concerts", 0.91),)}
    asked = []

    class Interpreter:
        async def parse(self, text):
            asked.append(text)
            span = EntitySpan(16, 22, "city", "Berlin")
            return Understanding(text, readings[text], (span,))

    engine.nlu = Nlu(Interpreter())
    proposal = only(await say(engine, "any concerts in Berlin?"), ActionProposal)
    assert (proposal.action, proposal.intent) == ("action_search_concerts", "search_concerts")
    said = UserSaid("any concerts in Berlin?", "search_concerts", 0.91, (("city", "Berlin"),))
    assert proposal.history[-1] == said
    assert said.meaning == "search_concerts 0.91, city=Berlin"
    said = (await engine.store.load("c1")).events[1]
    assert said == UserUttered(
        "any concerts in Berlin?", "search_concerts", {"city": "Berlin"}, confidence=0.91
    )
    await answer(engine, [proposal], "approve")
    await answer(engine, await engine.pending_outputs("c1"), "approve")
    only(await say(engine, "/greet"), ActionProposal)
    assert asked == ["any concerts in Berlin?"]


async def test_the_wrong_intent_options_carry_the_nlu_s_probabilities(engine, concert_domain):
    class Interpreter:
        async def parse(self, text):
            return Understanding(text, (("search_concerts", 0.55), ("search_venues", 0.45)))

    engine.nlu = Nlu(Interpreter())
    outputs = await answer(engine, await say(engine, "where do bands play"), "wrong_intent")
    options = dict(only(outputs, Choices).options)
    assert list(options) == list(concert_domain.intents)
    assert (options["search_concerts"], options["search_venues"], options["greet"]) == (
        0.55,
        0.45,
        0.0,
    )
    outputs = await answer(engine, outputs, "choose_intent", "search_venues")
    assert only(outputs, ActionProposal).history[-1] == UserSaid(
        "where do bands play", "search_venues"
    )


async def test_an_nlu_that_does_not_answer_gets_a_notice_and_nothing_is_stored(engine):
    class Down:
        async def parse(self, text):
            raise NluUnavailableError("http://rasa:5005/model/parse did not answer in time")

    engine.nlu = Nlu(Down())
    outputs = await say(engine, "any concerts?")
    assert outputs == [Notice(texts.NLU_UNAVAILABLE)]
    assert (await engine.store.load("c1")).events == ()


async def test_entities_marked_again_stick_for_the_same_message(engine, concert_domain):
    class Interpreter:  # never finds a city
        async def parse(self, text):
            return Understanding(text, (("search_concerts", 0.9),))

    readings = TaughtReadings(Interpreter())
    engine.nlu, engine.learner = Nlu(readings), readings
    outputs = await answer(engine, await say(engine, "any concerts in Berlin?"), "wrong_entities")
    fix = only(outputs, EntityFix)
    assert (fix.marked, fix.entities) == ("any concerts in Berlin?", ())
    outputs = await say(engine, "any concerts in [Berln](city)?")  # a typo: asked again
    assert "Mark the message itself" in only(outputs, Notice).text
    outputs = await say(engine, "any concerts in [Berlin](city)?")
    assert only(outputs, Decided).text == texts.corrected_entities(texts.NO_ENTITIES, "city=Berlin")
    proposal = only(outputs, ActionProposal)
    assert proposal.entities == {"city": "Berlin"} and dict(proposal.slots)["city"] == "Berlin"
    await engine.handle("c1", Command("restart"), trainer=True)
    proposal = only(await say(engine, "Any concerts in  Berlin?"), ActionProposal)
    assert proposal.history[-1].entities == (("city", "Berlin"),)


async def test_a_wrong_entity_is_dropped_and_the_action_asked_again(engine):
    class Interpreter:
        async def parse(self, text):
            return Understanding(text, (("greet", 0.8),), (EntitySpan(3, 9, "city", "Berlin"),))

    engine.nlu = Nlu(Interpreter())
    outputs = await answer(engine, await say(engine, "hi Berlin"), "wrong_entities")
    fix = only(outputs, EntityFix)
    assert fix.marked == "hi [Berlin](city)"
    outputs = await engine.handle(
        "c1", Answer(fix.question_id, "drop_entity", "city"), trainer=True
    )
    proposal = only(outputs, ActionProposal)
    assert (proposal.intent, proposal.entities) == ("greet", {})
    assert dict(proposal.slots)["city"] is None
    corrected, said = (await engine.store.load("c1")).events[-2:]
    assert corrected == Corrected("entities", "city=Berlin", texts.NO_ENTITIES)
    assert said == UserUttered("hi Berlin", "greet", {})


async def test_what_an_action_asks_for_and_ozbot_ignores_is_told_to_trainers(
    engine, concert_domain
):
    class Pauses:
        name = "action_search_concerts"

        async def run(self, dispatcher, tracker, domain):
            return [{"event": "pause"}, SlotSet("city", "Oslo")]

    engine.actions = ActionRegistry(concert_domain, {"action_search_concerts": Pauses()})
    outputs = await answer(engine, await say(engine, "/search_concerts"), "approve")
    notice = "ozbot did not apply what action_search_concerts asked for: event pause."
    assert only(outputs, Notice).text == notice
    assert (await engine.store.load("c1")).events[-1] == SlotSet("city", "Oslo")
    outputs = await engine.handle("c2", UserMessage("/search_concerts"), trainer=False)
    assert not any(isinstance(o, Notice) for o in outputs)


async def test_a_users_unsure_turn_is_flagged_by_its_own_commit(engine):
    engine.review = ReviewRules(action_threshold=0.9)
    await engine.handle("u1", UserMessage("/greet"), trainer=False)
    await engine.handle("u1", UserMessage("/thankyou"), trainer=False)
    flags = list(engine.store.flags.values())
    assert [(f.conversation_id, f.position, f.reasons) for f in flags] == [("u1", 1, ("action",))]
    assert (await engine.store.load("u1")).events[1] == UserUttered("/greet", "greet")


async def test_a_user_saying_the_same_again_is_flagged(engine):
    engine.review = ReviewRules(action_threshold=0.0)
    await engine.handle("u1", UserMessage("/greet"), trainer=False)
    await engine.handle("u1", UserMessage("/greet"), trainer=False)
    assert [f.reasons for f in engine.store.flags.values()] == [("repeat",)]


async def test_trainers_turns_and_reviews_are_never_flagged(engine):
    engine.review = ReviewRules(action_threshold=1.0)
    await answer(engine, await say(engine, "/greet"), "approve")
    await engine.handle("review:1:u1", UserMessage("/greet"), trainer=False)
    assert engine.store.flags == {}

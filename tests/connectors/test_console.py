"""The terminal loop, driven by a scripted keyboard against the concert bot."""

from collections import deque

import pytest

from bot import texts
from bot.engine import UserMessage
from bot.events import UserUttered
from bot.interpreter import Nlu
from bot.nlu.model import Understanding
from bot.policy import ModelStatus
from connectors.chat_commands import ChatCommands
from connectors.console import Console

STATUS = ModelStatus(model=3, stories=7, conversations=2, corrections=1)


class Terminal:
    """Types the scripted lines one by one, then Ctrl-D; records everything printed."""

    def __init__(self, lines):
        self.lines = deque(lines)
        self.screen: list[str] = []

    async def read(self, prompt):
        self.screen.append(prompt)
        return self.lines.popleft() if self.lines else None

    def write(self, text):
        self.screen.append(text)

    @property
    def text(self):
        return "\n".join(self.screen)


async def chat(engine, lines, trainer=True, retrain=None):
    terminal = Terminal(lines)
    commands = ChatCommands(lambda: STATUS, retrain)
    await Console(
        engine, "c1", trainer=trainer, read=terminal.read, write=terminal.write, commands=commands
    ).run()
    return terminal


async def test_the_seed_transcript(engine, tmp_path):
    terminal = await chat(
        engine,
        ["/greet", "1", "1", "/search_concerts", "1", "1", "/compare_reviews", "2", "8", "0"],
    )
    text = terminal.text
    assert "The bot wants to [utter_greet] due to the intent. Is this correct?" in text
    assert "     bot did:          None\n     bot did:          action_listen" in text
    assert "we currently have slots: concerts: None, venues: None, city: None" in text
    assert "what is the next action for the bot?" in text
    assert "     8      action_show_concert_reviews    0.00" in text
    assert "Bot: Katy Perry has the best reviews (5.0)" in text
    assert "Exported 1 story to" in text
    exported = list((tmp_path / "exported").glob("*.md"))
    assert len(exported) == 1
    assert "* compare_reviews\n    - action_show_concert_reviews\n" in exported[0].read_text()
    assert terminal.lines == deque()  # 0 quit: nothing more was read


async def test_wrong_choices_are_asked_again(engine):
    terminal = await chat(engine, ["/greet", "7", "", "2", "99", "fly", "utter_greet", "1"])
    assert terminal.text.count(texts.ANSWER_CHOICES) == 2
    assert terminal.text.count(texts.pick_how(11)) == 2
    assert "Bot: hey there!" in terminal.text


async def test_option_4_marks_the_entities_again_and_a_bad_marking_is_asked_again(engine):
    class Interpreter:  # reads no entities
        async def parse(self, text):
            return Understanding(text, (("search_concerts", 0.9),))

    engine.nlu = Nlu(Interpreter())
    terminal = await chat(
        engine, ["gigs in Bonn?", "4", "gigs in [Bonn](town)?", "gigs in [Bonn](city)?", "1"]
    )
    text = terminal.text
    assert "    4.       The entities are wrong" in text
    assert f"{texts.ASK_ENTITIES}\n\n    gigs in Bonn?\n" in text
    assert text.count("Your marked message -> ") == 2
    assert "ozbot: Unknown entity town." in text
    assert f"  → {texts.corrected_entities(texts.NO_ENTITIES, 'city=Bonn')}" in text
    assert "whose intent is:  search_concerts, city=Bonn" in text
    assert "Bot: looking for concerts in Bonn" in text


async def test_wrong_intent_lists_the_intents(engine):
    terminal = await chat(engine, ["/compare_reviews", "3", "0", "n"])
    assert "which intent did the user mean?" in terminal.text
    assert "The bot wants to [utter_greet]" in terminal.text  # greet is intent 0


async def test_ctrl_d_asks_about_export_and_keeps_the_conversation(engine, tmp_path):
    terminal = await chat(engine, ["/greet", "1", None, "y"])
    assert "Export the conversation as stories before quitting? [y/N]" in terminal.text
    assert "Exported 1 story" in terminal.text
    assert (await engine.store.load("c1")).pending is not None


async def test_an_open_question_is_asked_again_on_start(engine):
    await engine.handle("c1", UserMessage("/greet"), trainer=True)
    terminal = await chat(engine, ["1", "1"])
    assert terminal.text.index("The bot wants to [utter_greet]") < terminal.text.index("Your input")


NESTED = '/search_concerts{"city": ' + "[" * 900 + "]" * 900 + "}"
SURROGATE = '/search_concerts{"city": "\\ud800"}'


@pytest.mark.parametrize("line", ["hello", "/nope", "x" * 10_000, "", NESTED, SURROGATE])
async def test_bad_input_is_explained_and_the_session_goes_on(engine, line):
    terminal = await chat(engine, [line, "/greet", "1", "n"])
    assert "ozbot:" in terminal.text
    assert "Bot: hey there!" in terminal.text
    said = [e for e in (await engine.store.load("c1")).events if isinstance(e, UserUttered)]
    assert [e.text for e in said] == ["/greet"]


@pytest.mark.parametrize(
    "line",
    [
        '/search_concerts{"city": "\x1b]0;owned\x07\x1b[2J"}',  # raw: refused, echoed
        '/search_concerts{"city": "\\u001b]0;owned\\u0007\\u001b[2J"}',  # a slot value
    ],
)
async def test_terminal_escape_sequences_typed_by_a_user_are_shown_escaped(engine, line):
    terminal = await chat(engine, [line, "1", "n"])
    assert "\x1b" not in terminal.text and "\x07" not in terminal.text
    assert "\\x1b]0;owned\\x07\\x1b[2J" in terminal.text


async def test_commands_and_help(engine):
    terminal = await chat(engine, ["/help", "/greet", "1", "1", "/restart", "/undo", "n"])
    assert terminal.text.count("Commands, at every prompt: /restart") == 2
    assert "Started a new conversation" in terminal.text
    assert "There is nothing to take back." in terminal.text


async def test_shell_mode_answers_without_questions(engine):
    terminal = await chat(engine, ["/greet", "n"], trainer=False)
    assert "Bot: hey there!" in terminal.text
    assert "Is this correct?" not in terminal.text


async def test_slash_retrain_starts_a_retrain_and_says_so(engine):
    retrains = []

    def retrain():
        retrains.append("now")
        return "Retraining now."

    terminal = await chat(engine, ["/retrain"], retrain=retrain)

    assert retrains == ["now"]
    assert "ozbot: Retraining now." in terminal.text


async def test_the_help_is_printed_as_it_is_and_lists_the_intents(engine):
    terminal = await chat(engine, ["/help", "n"])
    help_text = (
        'Type what the user says, or an intent as /intent or /intent{"entity": "value"}. '
        "Commands, at every prompt: /restart (new conversation), /export (write stories), /undo "
        "(take back your last message), /retrain (retrain the model now), /status (the model "
        "and what it learned), /review (users' turns to review; /dismiss: not useful), /quit, "
        "/help. 0 exports and quits; Ctrl-D quits; Tab completes.\n"
        "Intents: greet, thankyou, goodbye, search_concerts, search_venues, compare_reviews."
    )
    assert terminal.screen[0] == help_text
    assert terminal.screen[3] == help_text


async def test_status_and_retrain_without_retraining(engine):
    terminal = await chat(engine, ["/status", "/retrain", "n"])
    assert f"ozbot: {texts.model_status(3, 7, 2, 1)}" in terminal.screen
    assert f"ozbot: {texts.RETRAIN_UNAVAILABLE}" in terminal.screen


async def test_0_at_your_input_exports_and_exits_as_the_seed_says(engine, tmp_path):
    terminal = await chat(engine, ["/greet", "1", "1", "0", "never read"])
    assert "Exported 1 story to" in terminal.text
    assert terminal.screen[-1] == texts.BYE
    assert terminal.lines == deque(["never read"])
    assert len(list((tmp_path / "exported").glob("*.md"))) == 1


async def test_start_says_where_the_trainer_is(engine):
    new = await chat(engine, ["n"])
    assert new.screen[1] == texts.where_the_trainer_is("c1", 0, None)
    assert "New conversation 'c1'." in new.screen[1]
    await engine.handle("c1", UserMessage("/greet"), trainer=True)
    resumed = await chat(engine, ["1", "1", "n"])
    assert resumed.screen[1].startswith(
        "Continuing conversation 'c1' (1 turn); the bot was asking whether to [utter_greet] "
        "after '/greet' (greet)."
    )
    assert "/restart starts a fresh one" in resumed.screen[1]


async def test_a_stale_question_takes_no_keystrokes_meant_for_something_else(engine):
    await engine.handle("c1", UserMessage("/compare_reviews"), trainer=True)
    before = await engine.store.load("c1")

    terminal = await chat(engine, ["/greet", "2", "utter_greet", "1", "n"])

    assert texts.STALE_QUESTION in terminal.text
    assert terminal.text.count(texts.STALE_QUESTION_AGAIN) == 4
    after = await engine.store.load("c1")
    assert after.events == before.events  # nothing taught, nothing said
    assert after.pending == before.pending


async def test_a_stale_question_is_answered_after_asking_for_it(engine):
    await engine.handle("c1", UserMessage("/greet"), trainer=True)
    terminal = await chat(engine, ["/greet", "answer", "1", "1", "n"])
    assert terminal.text.count("The bot wants to [utter_greet]") == 2
    assert "Bot: hey there!" in terminal.text


async def test_commands_work_at_every_prompt(engine):
    terminal = await chat(
        engine,
        [
            "/greet",
            "/status",  # at Your choice: shown, the question stays
            "/help",
            "2",
            "/export",  # in the pick list
            "utter_gr",  # a unique start of a name
            "1",
            "/compare_reviews",
            "4",
            "/undo",  # at Your marked message: closes the question
            "/quit",
            "n",
        ],
    )
    text = terminal.text
    assert f"ozbot: {texts.model_status(3, 7, 2, 1)}" in terminal.screen
    assert text.count("Intents: greet") == 2
    assert "Exported 1 story" in text
    assert "Bot: hey there!" in text
    assert "ozbot: Took back '/compare_reviews' (compare_reviews)." in terminal.screen
    assert terminal.screen[-2:] == [texts.EXPORT_BEFORE_QUITTING, texts.BYE]
    assert terminal.lines == deque()


async def test_pick_lists_go_back_mark_the_likely_and_take_a_unique_start(engine):
    terminal = await chat(
        engine, ["/greet", "2", "", "3", "back", "2", "utter_", "utter_gr", "1", "n"]
    )
    text = terminal.text
    assert text.count("The bot wants to [utter_greet]") == 3  # asked again after each `back`
    assert f"utter_greet    0.80{texts.LIKELY_MARK}" in text
    assert f"action_listen    0.20{texts.LIKELY_MARK}" in text
    assert f"utter_goodbye    0.00{texts.LIKELY_MARK}" not in text
    assert texts.ambiguous_pick("utter_", ["utter_default", "utter_greet"])[:30] in text
    assert "Bot: hey there!" in text


async def test_undo_says_what_it_took_back_with_the_correction(engine):
    terminal = await chat(engine, ["/compare_reviews", "2", "action_show_c", "1", "/undo", "n"])
    taken = texts.undone(
        "/compare_reviews",
        "compare_reviews",
        ["action_show_concert_reviews"],
        [texts.correction("action", "action_show_venue_reviews", "action_show_concert_reviews")],
    )
    assert f"ozbot: {taken}" in terminal.screen
    assert "correction: action_show_concert_reviews instead of action_show_venue_reviews" in taken


async def test_the_shell_refuses_the_teaching_commands_and_offers_no_export(engine):
    terminal = await chat(engine, ["/greet", "/undo", "/export", "0"], trainer=False)
    assert "Exported" not in terminal.text  # the seed's 0 is for teaching too
    assert "ozbot: /undo is for teaching: `ozbot interactive`. The shell keeps nothing." in (
        terminal.screen
    )
    assert "ozbot: /export is for teaching: `ozbot interactive`. The shell keeps nothing." in (
        terminal.screen
    )
    assert terminal.screen[-1] == texts.SHELL_BYE  # no question whether to export


async def test_a_trainer_reviews_a_users_turn_in_the_terminal(engine, review_desk):
    await engine.handle("u1", UserMessage("/greet"), trainer=False)
    terminal = Terminal(["/review", "1", "1", "/review"])
    commands = ChatCommands(lambda: STATUS, None, review_desk)
    await Console(
        engine, "c1", trainer=True, read=terminal.read, write=terminal.write, commands=commands
    ).run()
    text = terminal.text
    assert "1 turn to review, 1 of them about greet." in text
    assert "The bot wants to [utter_greet] due to the intent. Is this correct?" in text
    assert texts.reviewed(0) in text
    assert texts.NOTHING_TO_REVIEW in text
    assert "review:1:u1" in (await engine.store.taught()).conversations

"""What a Telegram chat shows: proposal texts, keyboards, callback data and message parts."""

from __future__ import annotations

import pytest

from bot import texts
from bot.outputs import (
    ActionProposal,
    BotDid,
    BotMessage,
    Choices,
    ConversationStart,
    Notice,
    UserSaid,
)
from bot.teaching import Answer
from connectors.telegram_render import (
    MAX_CALLBACK_DATA,
    PROPOSAL_LIMIT,
    choices_keyboard,
    choices_text,
    decided_text,
    message_text,
    photo_texts,
    proposal_keyboard,
    proposal_text,
    said_keyboard,
    split_text,
)
from connectors.training_view import PAGE_SIZE, Press, clip, read_press, to_answer
from tests.connectors.fake_telegram import units

SEED_HISTORY = (
    ConversationStart(),
    BotDid("action_listen"),
    UserSaid("/search_concerts", "search_concerts"),
    BotDid("action_search_concerts"),
    BotDid("action_listen"),
    UserSaid('/compare_reviews{"city": "Berlin"}', "compare_reviews", None, (("city", "Berlin"),)),
)


def proposal(**changes) -> ActionProposal:
    fields = {
        "question_id": "3f9a1c2e",
        "action": "action_show_venue_reviews",
        "confidence": 0.86,
        "policy": "lightgbm",
        "history": SEED_HISTORY,
        "slots": (("concerts", [{"artist": "Foo Fighters"}]), ("venues", None), ("city", "Berlin")),
        "intent": "compare_reviews",
        "entities": {"city": "Berlin"},
    }
    return ActionProposal(**(fields | changes))


def test_the_proposal_shows_what_the_seed_terminal_shows_compactly():
    assert proposal_text(proposal()) == (
        "bot did: action_listen\n"
        "user said: /search_concerts  (intent search_concerts)\n"
        "bot did: action_search_concerts, action_listen\n"
        'user said: /compare_reviews{"city": "Berlin"}  (intent compare_reviews, city=Berlin)\n'
        'slots: concerts: [{"artist": "Foo Fighters"}], city: Berlin\n'
        "The bot wants to [action_show_venue_reviews] due to the intent. Is this correct? "
        "(confidence 0.86, lightgbm)"
    )


def test_a_huge_proposal_keeps_its_question_and_drops_the_oldest_lines():
    said = [UserSaid("/greet" + "x" * 500, "greet")] * 40
    slots = tuple((f"slot{n}", "y" * 200) for n in range(10))
    text = proposal_text(proposal(history=tuple(said), slots=slots, entities={}))
    assert units(text) <= PROPOSAL_LIMIT
    assert text.startswith("…\n")
    assert text.endswith("Is this correct? (confidence 0.86, lightgbm)")
    assert "slots: slot0: " + "y" * 79 + "…" in text  # long values are cut
    assert proposal_text(proposal(slots=(("venues", None),))).count("slots: none set") == 1


def test_proposal_buttons_carry_only_short_tokens():
    keyboard = proposal_keyboard(proposal()).inline_keyboard
    labels = {button.text: button.callback_data for row in keyboard for button in row}
    assert labels == {
        texts.BUTTON_YES: "3f9a1c2e:y",
        texts.BUTTON_WRONG_ACTION: "3f9a1c2e:a",
        texts.BUTTON_WRONG_INTENT: "3f9a1c2e:i",
        texts.BUTTON_WRONG_ENTITIES: "3f9a1c2e:e",
        texts.BUTTON_EXPORT: "3f9a1c2e:x",
    }


def test_a_turn_under_review_also_has_skip_and_not_useful():
    keyboard = proposal_keyboard(proposal(review=True)).inline_keyboard
    labels = {button.text: button.callback_data for button in keyboard[-1]}
    assert labels == {texts.BUTTON_SKIP: "3f9a1c2e:s", texts.BUTTON_NOT_USEFUL: "3f9a1c2e:n"}


@pytest.mark.parametrize(
    "press",
    [
        Press("3f9a1c2e", "approve"),
        Press("3f9a1c2e", "export"),
        Press("0" * 32, "choose_action", 9999),
        Press("ab", "choose_intent", 0),
        Press("ab", "page", 12),
    ],
)
def test_callback_data_reads_back_and_fits_telegram(press):
    assert read_press(press.data) == press
    assert len(press.data.encode()) <= MAX_CALLBACK_DATA


@pytest.mark.parametrize(
    "data",
    [None, "", "greet", "3f9a1c2e", "3f9a1c2e:A", "3f9a1c2e:y:1", "3f9a1c2e:Q", "XYZ:y", "a:p:x"],
)
def test_data_ozbot_never_sends_is_not_a_press(data):
    assert read_press(data) is None


def test_presses_become_answers_by_position_in_the_domain(concert_domain):
    pick = Press("q", "choose_action", concert_domain.actions.index("utter_greet"))
    assert to_answer(pick, concert_domain) == Answer("q", "choose_action", "utter_greet")
    assert to_answer(Press("q", "choose_intent", 1), concert_domain) == Answer(
        "q", "choose_intent", concert_domain.intents[1]
    )
    assert to_answer(Press("q", "choose_intent", 99), concert_domain) is None
    assert to_answer(Press("q", "page", 1), concert_domain) is None
    assert to_answer(Press("q", "approve"), concert_domain) == Answer("q", "approve")


def many_choices(count: int) -> Choices:
    options = tuple((f"action_{n:03d}", n / 1000) for n in range(count))
    return Choices("3f9a1c2e", "action", options)


def test_a_long_list_is_paged_most_probable_first_within_telegram_limits():
    choices = many_choices(300)
    pages = -(-300 // PAGE_SIZE)
    first = choices_keyboard(choices, 0).inline_keyboard
    assert [row[0].text for row in first[:2]] == ["action_299  0.30", "action_298  0.30"]
    assert [button.text for button in first[-1]] == [f"page 2/{pages} ▶"]
    middle = choices_keyboard(choices, 5).inline_keyboard
    assert [button.text for button in middle[-1]] == [f"◀ page 5/{pages}", f"page 7/{pages} ▶"]
    assert middle[0][0].callback_data == f"3f9a1c2e:A:{299 - 5 * PAGE_SIZE}"
    last = choices_keyboard(choices, pages + 3).inline_keyboard  # clamped to the last page
    assert [button.text for button in last[-1]] == [f"◀ page {pages - 1}/{pages}"]
    for keyboard in (first, middle, last):
        assert sum(len(row) for row in keyboard) <= 100 and max(map(len, keyboard)) <= 8


def test_a_short_list_has_no_page_buttons():
    keyboard = choices_keyboard(many_choices(PAGE_SIZE)).inline_keyboard
    assert len(keyboard) == PAGE_SIZE and all(len(row) == 1 for row in keyboard)


def test_the_question_message_grows_a_title_then_the_decision():
    choices = Choices("q", "intent", (("greet", 1.0),))
    listed = choices_text("The bot wants to [x]", choices)
    assert listed == f"The bot wants to [x]\n\n{texts.ASK_INTENT}"
    assert decided_text(listed, "done") == "The bot wants to [x]\n\n→ done"
    assert choices_text(None, choices) == texts.ASK_INTENT
    assert decided_text(texts.ASK_INTENT, "done") == "→ done"


def test_message_texts():
    assert message_text(Notice("careful")) == "ozbot: careful"
    assert message_text(BotMessage("pick", (("Yes", "/affirm"),))) == "pick\n[Yes] /affirm"
    poster = BotMessage("pick", (("Yes", "/affirm"),), "https://x/p.png")
    assert message_text(poster) == "pick\n[image: https://x/p.png]\n[Yes] /affirm"


def test_a_bot_message_s_buttons_are_a_keyboard_saying_their_payloads():
    thai = '/inform{"cuisine": "thai"}'
    message = BotMessage("pick", (("Yes", "/affirm"), ("Thai", thai)), "https://x/p.png")
    rest, keyboard = said_keyboard(message)
    assert rest == BotMessage("pick", (), "https://x/p.png")
    assert keyboard is not None
    rows = [[(b.text, b.callback_data) for b in row] for row in keyboard.inline_keyboard]
    assert rows == [[("Yes", ">/affirm")], [("Thai", ">" + thai)]]
    assert said_keyboard(BotMessage("hi")) == (BotMessage("hi"), None)


def test_a_payload_too_long_for_callback_data_stays_a_text_line():
    fits, too_long = "/" + "x" * 62, "/" + "é" * 32  # 63 bytes (64 with ">"); 65 bytes
    rest, keyboard = said_keyboard(BotMessage("pick", (("Fits", fits), ("Long", too_long))))
    assert keyboard is not None
    assert [b.callback_data for row in keyboard.inline_keyboard for b in row] == [">" + fits]
    assert message_text(rest) == f"pick\n[Long] {too_long}"
    rest, keyboard = said_keyboard(BotMessage("pick", (("Long", too_long),)))
    assert keyboard is None and message_text(rest) == f"pick\n[Long] {too_long}"


def test_a_photo_s_caption_is_its_text_unless_too_long_for_a_caption():
    poster = BotMessage("pick", (("Yes", "/affirm"),), "https://x/p.png")
    assert photo_texts(poster) == ("pick\n[Yes] /affirm", [])
    assert photo_texts(BotMessage("", image="https://x/p.png")) == (None, [])
    long = "🎸" * 600  # 1200 UTF-16 units: too long for a caption, fine for a message
    assert photo_texts(BotMessage(long, image="https://x/p.png")) == (None, [long])


def test_split_counts_utf16_and_cuts_at_line_breaks():
    assert split_text("short") == ["short"]
    emoji = "🎸" * 3000  # 6000 UTF-16 units, no line break
    parts = split_text(emoji)
    assert [units(part) for part in parts] == [4096, 1904] and "".join(parts) == emoji
    lines = "\n".join(["a" * 3000, "b" * 3000, "c" * 10])
    assert split_text(lines) == ["a" * 3000, "b" * 3000 + "\n" + "c" * 10]
    assert split_text("\n\n  ") == []


def test_clip():
    assert clip("abc", 3) == "abc"
    assert clip("abcdef", 4) == "abc…"


def test_an_active_form_and_the_slot_it_asks_for_are_shown():
    text = proposal_text(proposal(active_form="restaurant_form", asking_for="cuisine"))
    assert "form restaurant_form is active, asking for cuisine\n" in text
    assert "form " not in proposal_text(proposal())

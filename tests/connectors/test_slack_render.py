"""What a Slack conversation shows: Block Kit questions, option pages and decisions."""

from __future__ import annotations

from bot import texts
from bot.outputs import ActionProposal, BotMessage, Choices, Notice, UserSaid
from connectors.slack_render import (
    ACTION_ID,
    SAY_ACTION_ID,
    choices_blocks,
    decided_blocks,
    escaped,
    escaped_parts,
    fallback_text,
    message_text,
    proposal_blocks,
    said_blocks,
)
from connectors.training_view import PAGE_SIZE, read_press
from tests.connectors.fake_slack import Posted, check_blocks


def proposal(**changes) -> ActionProposal:
    fields = {
        "question_id": "3f9a1c2e",
        "action": "action_show_venue_reviews",
        "confidence": 0.86,
        "policy": "lightgbm",
        "history": (UserSaid("!compare_reviews", "compare_reviews"),),
        "slots": (("city", "Berlin"),),
        "intent": "compare_reviews",
        "entities": {},
    }
    return ActionProposal(**(fields | changes))


def shown(blocks) -> Posted:
    check_blocks(blocks)
    return Posted("D1", "1.1", fallback_text(blocks), blocks)


def test_the_question_shows_context_the_proposal_and_five_buttons():
    question = shown(proposal_blocks(proposal()))
    assert question.shown == (
        "user said: !compare_reviews  (intent compare_reviews)\n"
        "slots: city: Berlin\n"
        "The bot wants to [action_show_venue_reviews] due to the intent. Is this correct? "
        "(confidence 0.86, lightgbm)"
    )
    assert question.text.startswith("The bot wants to [action_show_venue_reviews]")
    assert question.labels == [
        texts.BUTTON_YES,
        texts.BUTTON_WRONG_ACTION,
        texts.BUTTON_WRONG_INTENT,
        texts.BUTTON_WRONG_ENTITIES,
        texts.BUTTON_EXPORT,
    ]
    for button in question.buttons:
        assert ACTION_ID.match(button["action_id"]) and read_press(button["value"]) is not None


def test_a_huge_proposal_keeps_the_latest_turns_within_block_kit_limits():
    said = [UserSaid("!greet" + "x" * 500, "greet")] * 40
    question = shown(proposal_blocks(proposal(history=tuple(said))))
    context = question.blocks[0]["elements"][0]["text"]
    assert context.startswith("…\n") and len(context) <= 3000
    assert context.endswith("slots: city: Berlin")


def test_many_options_are_paged_most_probable_first_within_block_kit_limits():
    options = tuple((f"action_{n:03d}_" + "x" * 100, n / 1000) for n in range(300))
    choices = Choices("3f9a1c2e", "action", options)
    question = proposal_blocks(proposal())
    pages = -(-300 // PAGE_SIZE)
    first = shown(choices_blocks(question, choices))
    assert first.labels[0].startswith("action_299_") and len(first.labels[0]) <= 75
    assert first.labels[-1] == f"page 2/{pages} ▶" and len(first.labels) == PAGE_SIZE + 1
    middle = shown(choices_blocks(question, choices, 5))
    assert middle.labels[-2:] == [f"◀ page 5/{pages}", f"page 7/{pages} ▶"]
    assert texts.ASK_ACTION in middle.shown
    assert middle.shown.startswith("user said: !compare_reviews")


def test_a_decision_replaces_the_buttons_and_keeps_the_proposal():
    asked = choices_blocks(proposal_blocks(proposal()), Choices("q", "intent", (("greet", 1.0),)))
    decided = shown(decided_blocks(asked, "done"))
    assert decided.buttons == [] and texts.ASK_INTENT not in decided.shown
    assert decided.shown.endswith("Is this correct? (confidence 0.86, lightgbm)\n→ done")
    assert shown(decided_blocks([], "done")).shown == "→ done"


def test_message_texts():
    assert message_text(Notice("careful")) == "ozbot: careful"
    assert message_text(BotMessage("pick", (("Yes", "/affirm"),))) == "pick\n[Yes] /affirm"
    poster = BotMessage("pick", (("Yes", "/affirm"),), "https://x/p.png")
    assert message_text(poster) == "pick\n[image: https://x/p.png]\n[Yes] /affirm"


def test_a_bot_message_s_image_follows_its_text_escaped_as_a_message_s_text_is():
    poster = BotMessage("<!here> & *tonight*", (), "https://x/p.png")
    blocks = said_blocks(poster)
    check_blocks(blocks)
    assert blocks == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "&lt;!here&gt; &amp; *tonight*"}},
        {"type": "image", "image_url": "https://x/p.png", "alt_text": "https://x/p.png"},
    ]
    assert said_blocks(BotMessage("", image="https://x/p.png"))[0]["type"] == "image"
    [section] = said_blocks(poster, image=False)
    assert section["text"]["text"].endswith("\n[image: https://x/p.png]")


def test_a_bot_message_s_buttons_are_an_actions_block_saying_their_payloads():
    thai = '/inform{"cuisine": "thai"}'
    message = BotMessage("pick", (("<!here> Yes", "/affirm"), ("Thai", thai), ("", "/deny")))
    blocks = said_blocks(message)
    check_blocks(blocks)
    [section, actions] = blocks
    assert section["text"]["text"] == "pick"
    buttons = actions["elements"]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [
        ("<!here> Yes", "/affirm"),  # plain_text: no markup read
        ("Thai", thai),
        ("/deny", "/deny"),
    ]
    assert all(SAY_ACTION_ID.match(b["action_id"]) for b in buttons)
    assert not any(ACTION_ID.match(b["action_id"]) for b in buttons)


def test_a_payload_too_long_for_a_button_value_stays_a_text_line():
    long = "/say " + "x" * 2000
    blocks = said_blocks(BotMessage("pick", (("Yes", "/affirm"), ("Long", long))))
    check_blocks(blocks)
    assert blocks[0]["text"]["text"].endswith(f"pick\n[Long] {long}"[-100:])
    assert [b["value"] for b in blocks[-1]["elements"]] == ["/affirm"]


def test_a_long_text_is_in_sections_slack_takes_no_escape_cut_in_two():
    parts = escaped_parts("a" * 2999 + "&" + "b" * 10, 3000)
    assert parts == ["a" * 2999, "&amp;" + "b" * 10]
    check_blocks(said_blocks(BotMessage("<" * 9000, image="https://x/p.png")))


def test_text_for_slack_markup_is_escaped_and_blocks_keep_what_was_typed():
    assert escaped("a & b <!channel> <@U1> <https://x|y>") == (
        "a &amp; b &lt;!channel&gt; &lt;@U1&gt; &lt;https://x|y&gt;"
    )
    decided = decided_blocks([], texts.corrected_intent("<!here>", "greet"))
    assert "<!here>" in decided[0]["text"]["text"]  # plain_text: no markup read
    assert "<" not in fallback_text(decided) and "&lt;!here&gt;" in fallback_text(decided)

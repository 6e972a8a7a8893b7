"""What the terminal shows of an output (the whole loop: test_console.py)."""

from bot.outputs import ActionProposal, BotMessage, Choices, Notice
from connectors.console_render import likeliest, render


def test_choices_the_model_gives_no_real_chance_are_not_marked_likely():
    choices = Choices("q", "intent", (("greet", 0.004), ("goodbye", 0.9), ("thankyou", 0.05)))
    assert likeliest(choices) == ["goodbye", "thankyou"]
    assert "greet    0.00\n" in render(choices)


def test_control_characters_are_shown_escaped():
    assert render(Notice("\x1b[2J")) == "ozbot: \\x1b[2J"


def test_the_terminal_question_names_the_active_form_and_its_slot():
    asked = ActionProposal(
        "q1", "action_listen", 1.0, "rule: active form", (), (), "request_restaurant", {},
        active_form="restaurant_form", asking_for="cuisine",
    )  # fmt: skip
    assert "\nform restaurant_form is active, asking for cuisine\nThe bot wants to" in render(asked)


def test_the_bot_s_image_is_a_line_of_its_own_between_its_text_and_its_buttons():
    poster = BotMessage("tonight", (("Tickets", "/buy"),), "https://x/poster.png")
    assert render(poster) == "Bot: tonight\n[image: https://x/poster.png]\n    [Tickets] /buy"
    assert render(BotMessage("", image="https://x/p.png")) == "Bot: [image: https://x/p.png]"

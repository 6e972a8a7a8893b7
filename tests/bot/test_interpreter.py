import pytest

from bot.errors import InputError
from bot.interpreter import MAX_MESSAGE_CHARS, parse_message


def test_plain_intent(concert_domain):
    parsed = parse_message("/greet", concert_domain)
    assert (parsed.intent, parsed.entities) == ("greet", {})


def test_intent_with_entities(concert_domain):
    parsed = parse_message('/search_concerts{"city": "Berlin"}', concert_domain)
    assert (parsed.intent, parsed.entities) == ("search_concerts", {"city": "Berlin"})


def test_telegram_group_command_and_other_prefix(concert_domain):
    assert parse_message("/greet@ConcertBot", concert_domain).intent == "greet"
    assert parse_message("!greet", concert_domain, ("/", "!")).intent == "greet"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello there", "No NLU is connected.*/greet"),
        ("/dance", r"Unknown intent /dance\. The domain knows: greet"),
        ('/search_concerts{"city": Berlin}', "not valid JSON"),
        ('/search_concerts["Berlin"]', "write /intent"),
        ('/search_concerts{"town": "Berlin"}', "Unknown entity town.*name, city"),
        ("   ", "Empty message"),
        ("/greet" + "x" * MAX_MESSAGE_CHARS, "the limit is 2,000"),
    ],
)
def test_bad_input_says_how_to_fix_it(concert_domain, text, message):
    with pytest.raises(InputError, match=message):
        parse_message(text, concert_domain)

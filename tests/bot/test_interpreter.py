import dataclasses

import pytest

from bot.errors import InputError
from bot.interpreter import MAX_MESSAGE_CHARS, Nlu, ParsedMessage, is_typed, parse_message
from bot.nlu.model import NLU_FALLBACK, EntitySpan, Understanding


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
        ('/search_concerts{"city": ' + "[" * 900 + "]" * 900 + "}", "not valid JSON.*nested"),
        ('/search_concerts{"city": ' + "[" * 21 + "]" * 21 + "}", "not valid JSON.*nested"),
        ('/search_concerts{"city": "\\ud800"}', "not valid JSON.*surrogate"),
        ('/search_concerts{"\\udfff": "x"}', "not valid JSON.*surrogate"),
        ('/search_concerts["Berlin"]', "write /intent"),
        ('/search_concerts{"town": "Berlin"}', "Unknown entity town.*name, city"),
        ("   ", "Empty message"),
        ("/greet" + "x" * MAX_MESSAGE_CHARS, "the limit is 2,000"),
    ],
)
def test_bad_input_says_how_to_fix_it(concert_domain, text, message):
    with pytest.raises(InputError, match=message):
        parse_message(text, concert_domain)


class Scripted:
    """An interpreter that reads each text as the test says."""

    def __init__(self, readings):
        self.readings = readings
        self.asked = []

    async def parse(self, text):
        self.asked.append(text)
        intents, entities = self.readings[text]
        return Understanding(text, intents, entities)


BERLIN = EntitySpan(18, 24, "city", "Berlin")


async def test_free_text_gets_the_interpreter_s_best_intent_and_known_entities(concert_domain):
    nlu = Nlu(
        Scripted(
            {
                "any concerts in Berlin?": (
                    (("search_concerts", 0.91), ("search_venues", 0.09)),
                    (BERLIN, EntitySpan(0, 3, "mood", "any")),
                )
            }
        )
    )
    parsed = await nlu.read("  any concerts in Berlin?  ", concert_domain)
    assert parsed == ParsedMessage(
        "any concerts in Berlin?", "search_concerts", {"city": "Berlin"}, 0.91
    )


async def test_below_the_threshold_free_text_is_nlu_fallback(concert_domain):
    nlu = Nlu(Scripted({"hmm": ((("greet", 0.29), ("goodbye", 0.2)), ())}), threshold=0.3)
    parsed = await nlu.read("hmm", concert_domain)
    assert (parsed.intent, parsed.confidence) == (NLU_FALLBACK, 0.29)


async def test_an_intent_the_domain_lacks_is_skipped_for_the_next_known_one(concert_domain):
    reading = ((("book_table", 0.8), ("search_venues", 0.15)), ())
    nlu = Nlu(Scripted({"a table please": reading}), threshold=0.1)
    assert (await nlu.read("a table please", concert_domain)).intent == "search_venues"
    unknown_only = Nlu(Scripted({"a table please": ((("book_table", 0.9),), ())}))
    assert (await unknown_only.read("a table please", concert_domain)).intent == NLU_FALLBACK


async def test_out_of_scope_reads_as_nlu_fallback_unless_the_domain_lists_it(concert_domain):
    reading = ((("out_of_scope", 0.7), ("search_venues", 0.25)), ())
    nlu = Nlu(Scripted({"book a flight": reading}), threshold=0.1)
    parsed = await nlu.read("book a flight", concert_domain)
    assert (parsed.intent, parsed.confidence) == (NLU_FALLBACK, 0.7)
    listed = dataclasses.replace(concert_domain, intents=(*concert_domain.intents, "out_of_scope"))
    assert (await nlu.read("book a flight", listed)).intent == "out_of_scope"


async def test_empty_and_too_long_free_text_never_reach_the_interpreter(concert_domain):
    interpreter = Scripted({})
    for text in ("   ", "x" * (MAX_MESSAGE_CHARS + 1)):
        with pytest.raises(InputError):
            await Nlu(interpreter).read(text, concert_domain)
    assert interpreter.asked == []


def test_typed_intents_are_told_apart_from_free_text():
    assert is_typed(" /greet", ("/",)) and is_typed("!greet", ("/", "!"))
    assert not is_typed("hello /greet", ("/",))

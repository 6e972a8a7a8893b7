"""A trainer's reading of a text answers before the NLU, at once and after a restart."""

from bot.events import ActionExecuted, Corrected, UserUtteranceReverted, UserUttered
from bot.nlu.model import EntitySpan, Understanding
from bot.nlu.taught_readings import TaughtReadings
from bot.tracker import Tracker


class Guessing:
    """The NLU model: always the same guess."""

    async def parse(self, text):
        return Understanding(text, (("greet", 0.6), ("search_venues", 0.4)))


def corrected_conversation():
    return [
        ActionExecuted("action_listen"),
        UserUttered("any concerts in Berlin?", "greet", confidence=0.6),
        UserUtteranceReverted(),
        Corrected("intent", "greet", "search_concerts"),
        UserUttered("any concerts in Berlin?", "search_concerts", {"city": "Berlin"}),
        ActionExecuted("action_search_concerts", "trainer", 0.9),
    ]


async def test_a_corrected_text_reads_as_corrected_whatever_its_case_and_spaces(concert_domain):
    readings = TaughtReadings(Guessing())
    readings.learn(Tracker("c1", concert_domain, corrected_conversation()))
    understood = await readings.parse("Any concerts in   BERLIN?")
    assert understood.intents == (("search_concerts", 1.0),)
    assert understood.entities == (EntitySpan(18, 24, "city", "Berlin"),)


async def test_a_new_process_rebuilds_them_from_the_taught_conversations():
    readings = TaughtReadings(Guessing(), {"c1": corrected_conversation()})
    assert (await readings.parse("any concerts in berlin?")).intent == "search_concerts"


async def test_other_texts_and_typed_intents_go_to_the_nlu(concert_domain):
    typed = [ActionExecuted("action_listen"), UserUttered("/goodbye", "goodbye")]
    readings = TaughtReadings(Guessing(), {"c1": typed})
    assert (await readings.parse("/goodbye")).intents == (("greet", 0.6), ("search_venues", 0.4))
    assert (await readings.parse("something else")).intent == "greet"


async def test_an_undone_message_no_longer_counts(concert_domain):
    readings = TaughtReadings(Guessing())
    events = corrected_conversation()
    readings.learn(Tracker("c1", concert_domain, events))
    readings.learn(Tracker("c1", concert_domain, [*events, UserUtteranceReverted()]))
    assert (await readings.parse("any concerts in Berlin?")).intent == "greet"  # the NLU's


async def test_the_most_recently_taught_conversation_wins(concert_domain):
    other = [ActionExecuted("action_listen"), UserUttered("any concerts in Berlin?", "goodbye")]
    readings = TaughtReadings(Guessing(), {"c1": corrected_conversation(), "c2": other})
    assert (await readings.parse("any concerts in Berlin?")).intent == "goodbye"
    readings.learn(Tracker("c1", concert_domain, corrected_conversation()))
    assert (await readings.parse("any concerts in Berlin?")).intent == "search_concerts"


async def test_an_undone_message_reads_as_an_older_conversation_taught_it(concert_domain):
    other = [ActionExecuted("action_listen"), UserUttered("any concerts in Berlin?", "goodbye")]
    readings = TaughtReadings(Guessing(), {"c2": other})
    events = corrected_conversation()
    readings.learn(Tracker("c1", concert_domain, events))
    assert (await readings.parse("any concerts in Berlin?")).intent == "search_concerts"
    readings.learn(Tracker("c1", concert_domain, [*events, UserUtteranceReverted()]))
    assert (await readings.parse("any concerts in Berlin?")).intent == "goodbye"

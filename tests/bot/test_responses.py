import random

import pytest

from bot.domain import Response
from bot.responses import candidates, choose, condition_slots, filled, placeholders

MEMBER = {"condition": [{"type": "slot", "name": "member", "value": True}]}
IN_OSLO = {"condition": [{"type": "slot", "name": "member", "value": True},
                         {"type": "slot", "name": "city", "value": "Oslo"}]}  # fmt: skip
PLAIN = Response("hello")
OTHER = Response("hi")
FOR_MEMBERS = Response("welcome back", extra=MEMBER)
FOR_MEMBERS_IN_OSLO = Response("welcome back to Oslo", extra=IN_OSLO)
ON_TELEGRAM = Response("hello from Telegram", extra={"channel": "telegram"})
ALL = (PLAIN, OTHER, FOR_MEMBERS, FOR_MEMBERS_IN_OSLO, ON_TELEGRAM)


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        ({"member": True, "city": "Oslo"}, [FOR_MEMBERS, FOR_MEMBERS_IN_OSLO]),
        ({"member": True, "city": "Rome"}, [FOR_MEMBERS]),
        ({"member": "yes"}, [PLAIN, OTHER]),  # the value as written, as Rasa compares it
        ({}, [PLAIN, OTHER]),
    ],
)
def test_variations_whose_conditions_hold_come_first_then_those_without(slots, expected):
    assert candidates(ALL, slots) == expected


def test_a_channel_s_variation_is_said_only_when_there_is_nothing_else():
    assert candidates((PLAIN, ON_TELEGRAM), {}) == [PLAIN]
    assert candidates((ON_TELEGRAM,), {}) == [ON_TELEGRAM]
    members_on_telegram = Response("hi member", extra={**MEMBER, "channel": "telegram"})
    assert candidates((PLAIN, members_on_telegram), {"member": True}) == [members_on_telegram]


def test_nothing_is_chosen_when_no_condition_holds_and_every_variation_has_one():
    assert choose((FOR_MEMBERS,), {"member": False}) is None


def test_the_choice_is_random_among_the_candidates():
    rng = random.Random(3)
    chosen = {choose(ALL, {}, rng).text for _ in range(50)}
    assert chosen == {"hello", "hi"}


def test_filled_fills_text_image_buttons_and_custom_as_rasa_does():
    variation = Response(
        "in {city}", (("{city}!", "/go{\"city\": \"{city}\"}"),), "https://x/{city}.png",
        {"items": [{"title": "{city}", "n": 2}]}, {"id": "{city}"},
    )  # fmt: skip
    assert filled(variation, {"city": "Oslo"}) == Response(
        "in Oslo", (("Oslo!", '/go{"city": "Oslo"}'),), "https://x/Oslo.png",
        {"items": [{"title": "Oslo", "n": 2}]}, {"id": "{city}"},
    )  # fmt: skip


def test_the_slots_a_variation_names_are_read_wherever_they_are_filled():
    variation = Response("in {city}", (("{day}", "/go"),), "https://x/{size}.png",
                         {"items": [{"title": "{venue}"}]}, IN_OSLO)  # fmt: skip
    assert placeholders(variation) == ["city", "size", "day", "venue"]
    assert condition_slots(variation) == ["member", "city"]

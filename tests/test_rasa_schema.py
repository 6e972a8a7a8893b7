"""The schema checks of the export tests refuse what Rasa 3.6 refuses."""

import pytest
from pykwalify.errors import SchemaError

from bot.stories.model import ActionStep, ActiveLoopStep, Story, UserStep, UserTurn
from bot.stories.yaml_format import write_yaml
from tests.conftest import REPO
from tests.rasa_schema import validate, validate_domain


def test_a_rasa_1_domain_is_refused_as_rasa_3_6_refuses_it():
    with pytest.raises(SchemaError):
        validate_domain((REPO / "domain.yml").read_text())  # `templates:`, `unfeaturized`


@pytest.mark.parametrize(
    ("slot", "why"),
    [
        ("{type: text}", "mappings"),
        ("{type: unfeaturized, mappings: [{type: custom}]}", "not a Rasa 3 slot type"),
        ("{type: text, mappings: [{type: from_entity, entity: town}]}", "names no entity"),
    ],
)
def test_slots_without_rasa_3_mappings_or_types_are_refused(slot, why):
    with pytest.raises(SchemaError, match=why):
        validate_domain(f"version: '3.1'\nentities: [city]\nslots:\n  city: {slot}\n")


def test_stories_with_unknown_step_keys_and_image_only_responses_are_refused():
    with pytest.raises(SchemaError):
        validate("stories:\n- story: s\n  steps:\n  - utter: hi\n", "stories")
    with pytest.raises(SchemaError):
        validate("responses:\n  utter_pic:\n  - image: http://x/y.png\n", "domain")
    validate("responses:\n  utter_pic:\n  - text: look\n    image: http://x/y.png\n", "domain")


def test_stories_written_with_a_form_s_active_loop_are_valid_rasa_3_6_stories():
    story = Story(
        "form",
        (
            UserStep((UserTurn("request_restaurant"),)),
            ActionStep("restaurant_form"),
            ActiveLoopStep("restaurant_form"),
            ActionStep("restaurant_form"),
            ActiveLoopStep(None),
        ),
    )
    data = validate(write_yaml([story]), "stories")
    assert data["stories"][0]["steps"][-1] == {"active_loop": None}
    with pytest.raises(SchemaError):
        validate("stories:\n- story: s\n  steps:\n  - active_loop: [f]\n", "stories")

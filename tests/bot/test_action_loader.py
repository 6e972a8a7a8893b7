import sys
import uuid
from types import SimpleNamespace

import pytest

from bot.action_loader import load_custom_actions, needs_rasa_library
from bot.domain import domain_from_dict
from bot.errors import ActionLoadError
from tests.conftest import REPO


def test_concert_bot_actions_load_by_class_path(concert_domain):
    actions = load_custom_actions(REPO, concert_domain)
    assert sorted(actions) == [
        "action_search_concerts",
        "action_search_venues",
        "action_show_concert_reviews",
        "action_show_venue_reviews",
    ]


def test_actions_file_classes_are_found_by_name(tmp_path):
    (tmp_path / "actions.py").write_text(
        "class Check:\n    name = 'action_check'\n    async def run(self, d, t, dom):\n"
        "        return []\n"
        "class Unused:\n    name = 'action_unused'\n    async def run(self, d, t, dom):\n"
        "        return []\n"
    )
    domain = domain_from_dict({"actions": ["action_check"]})
    assert list(load_custom_actions(tmp_path, domain)) == ["action_check"]


def test_a_project_without_actions_file_has_no_custom_actions(tmp_path):
    assert load_custom_actions(tmp_path, domain_from_dict({"actions": ["action_x"]})) == {}


@pytest.mark.parametrize(
    ("source", "actions", "message"),
    [
        ("import nowhere_to_be_found\n", ["action_x"], r"actions\.py:1: importing it failed"),
        ("", ["actions.ActionMissing"], "actions has no class ActionMissing"),
        (
            "class ActionX:\n    name = 'other'\n    def run(self, d, t, dom): return []\n",
            ["actions.ActionX"],
            "calls itself 'other'",
        ),
        ("", ["nomodule.ActionX"], "cannot import nomodule"),
    ],
)
def test_import_problems_name_the_file_and_fix(tmp_path, source, actions, message):
    (tmp_path / "actions.py").write_text(source)
    with pytest.raises(ActionLoadError, match=message):
        load_custom_actions(tmp_path, domain_from_dict({"actions": actions}))


def test_actions_for_rasa_sdk_without_it_say_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "rasa_sdk", None)  # as if not installed
    (tmp_path / "actions.py").write_text("from rasa_sdk import Action\n")
    with pytest.raises(ActionLoadError, match="for rasa-sdk: pip install rasa-sdk") as failed:
        load_custom_actions(tmp_path, domain_from_dict({"actions": ["action_x"]}))
    assert needs_rasa_library(failed.value)


async def test_actions_py_imports_the_modules_beside_it(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # restored after the test
    helper = f"helpers_{uuid.uuid4().hex}"  # a name no other test has imported
    (tmp_path / f"{helper}.py").write_text("GREETING = 'hello from a helper'\n")
    (tmp_path / "actions.py").write_text(
        f"from {helper} import GREETING\n\n"
        "class Greet:\n"
        "    name = 'action_greet'\n\n"
        "    async def run(self, dispatcher, tracker, domain):\n"
        f"        import {helper}  # an import when it runs finds it too\n"
        "        dispatcher.utter_message(GREETING)\n"
        "        return []\n"
    )
    found = load_custom_actions(tmp_path, domain_from_dict({"actions": ["action_greet"]}))
    said = []
    sys.modules.pop(helper)  # the import in run() must find the folder on the path again
    dispatcher = SimpleNamespace(utter_message=said.append)
    assert await found["action_greet"].run(dispatcher, None, None) == []
    assert said == ["hello from a helper"]


def test_a_rasa_actions_package_is_imported_with_every_module(tmp_path):
    package = tmp_path / "actions"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helpers.py").write_text("GREETING = 'hi'\n")
    (package / "actions.py").write_text(
        "from .helpers import GREETING\n"
        "class Check:\n    name = 'action_check'\n    async def run(self, d, t, dom):\n"
        "        return [GREETING]\n"
    )
    domain = domain_from_dict({"actions": ["action_check"]})
    assert list(load_custom_actions(tmp_path, domain)) == ["action_check"]


def test_a_failing_module_of_the_actions_package_is_named(tmp_path):
    package = tmp_path / "actions"
    package.mkdir()
    (package / "actions.py").write_text("import nowhere_to_be_found\n")
    with pytest.raises(ActionLoadError, match=r"actions/actions\.py:1: importing it failed"):
        load_custom_actions(tmp_path, domain_from_dict({"actions": ["action_x"]}))

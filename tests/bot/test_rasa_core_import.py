"""Rasa Core 0.x's modules resolve to ozbot's stand-ins only while a project's actions are
imported, only where nothing installed has them, and an import they cannot serve says what to do."""

import importlib
import sys

import pytest

from bot.action_loader import load_custom_actions, needs_rasa_library
from bot.domain import domain_from_dict
from bot.errors import ActionLoadError
from bot.rasa_core_import import is_stand_in

DOMAIN = domain_from_dict({"actions": ["action_x"]})
ACTION_X = "class ActionX(Action):\n    def name(self):\n        return 'action_x'\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder; no module of rasa_core or rasa_core_sdk imported before or after."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    ours = [name for name in sys.modules if name.split(".")[0] in ("rasa_core", "rasa_core_sdk")]
    saved = {name: sys.modules.pop(name) for name in ours}
    yield tmp_path
    for name in [n for n in sys.modules if n.split(".")[0] in ("rasa_core", "rasa_core_sdk")]:
        del sys.modules[name]
    sys.modules.update(saved)


def test_the_stand_ins_serve_only_the_import_of_the_actions(project):
    (project / "actions.py").write_text("from rasa_core.actions import Action\n" + ACTION_X)
    assert list(load_custom_actions(project, DOMAIN)) == ["action_x"]
    assert is_stand_in("rasa_core.actions")
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("rasa_core_sdk")  # not imported by the actions: not there


def test_an_installed_module_is_never_shadowed(project):
    installed = project / "rasa_core_sdk"  # stands for an installed rasa_core_sdk
    installed.mkdir()
    (installed / "__init__.py").write_text(
        "class Action:\n    installed = True\n\n    def run(self, d, t, dom):\n        return []\n"
    )
    (project / "actions.py").write_text(
        "from rasa_core_sdk import Action\nimport rasa_sdk\n" + ACTION_X
    )
    action = load_custom_actions(project, DOMAIN)["action_x"]
    assert action.installed and not is_stand_in("rasa_core_sdk") and not is_stand_in("rasa_sdk")

    (project / "actions.py").write_text("import rasa_core_sdk.events\n")  # it has none
    with pytest.raises(ActionLoadError, match="No module named 'rasa_core_sdk.events'") as failed:
        load_custom_actions(project, DOMAIN)
    assert "stands in" not in str(failed.value) and not needs_rasa_library(failed.value)


@pytest.mark.parametrize(
    "source",
    ["from rasa_core_sdk.forms import FormAction\n", "from rasa_core_sdk import FormAction\n"],
)
def test_what_the_stand_ins_lack_is_named_with_what_to_do(project, source):
    (project / "actions.py").write_text("import rasa_core.events\n" + source)
    with pytest.raises(ActionLoadError) as failed:
        load_custom_actions(project, DOMAIN)
    message = str(failed.value)
    assert "actions.py:2: importing it failed" in message and "FormAction" in message
    assert "write a form in domain.yml's `forms:`; port another action to rasa-sdk" in message
    assert needs_rasa_library(failed.value)  # an action server (endpoints.yml) may run it

"""A Python class of the bot's own as the interpreter (config.yml's `nlu: {class: ...}`)."""

from __future__ import annotations

import asyncio
import re
import sys
import uuid
from pathlib import Path

import pytest

from bot.errors import NluUnavailableError, ProjectError
from bot.nlu.model import EntitySpan, Understanding
from nlu.python_class import PythonInterpreter, interpreter_class
from tests.nlu.test_rasa_http import BERLIN


class Keywords:
    """Answers Rasa's parse JSON, as a wrapper of another NLU service would."""

    def __init__(self) -> None:
        self.hooks: list[str] = []

    async def start(self) -> None:
        self.hooks.append("start")

    async def parse(self, text: str) -> object:
        if "slow" in text:
            await asyncio.sleep(10)
        if "broken" in text:
            raise RuntimeError("the service said no")
        if "odd" in text:
            return {"intent": "not a mapping"}
        return BERLIN if "Berlin" in text else Understanding(text, (("greet", 0.8),))

    async def close(self) -> None:
        self.hooks.append("close")


async def test_the_class_answers_rasa_s_json_or_an_understanding() -> None:
    keywords = Keywords()
    interpreter = PythonInterpreter(keywords, "my_nlu.Keywords", 0.5)
    await interpreter.start()
    berlin = await interpreter.parse("any concerts in Berlin?")
    assert (berlin.intent, berlin.confidence) == ("search_concerts", 0.91)
    assert berlin.entities == (EntitySpan(16, 22, "city", "Berlin"),)
    assert (await interpreter.parse("hi")).intents == (("greet", 0.8),)
    await interpreter.close()
    assert keywords.hooks == ["start", "close"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("slow", r"my_nlu.Keywords.parse did not answer in 0.2 s"),
        ("broken", r"my_nlu.Keywords.parse raised RuntimeError\('the service said no'\)"),
        ("odd", r"my_nlu.Keywords.parse did not answer Rasa's parse JSON"),
    ],
)
async def test_a_class_that_fails_slow_or_odd_is_unavailable_with_why(
    text: str, message: str
) -> None:
    interpreter = PythonInterpreter(Keywords(), "my_nlu.Keywords", 0.2)
    with pytest.raises(NluUnavailableError, match=message):
        await interpreter.parse(text)


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A module of the bot's own, in its folder, under a name no other test imported."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    name = f"my_nlu_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(
        "class Good:\n    async def parse(self, text):\n        return {}\n\n"
        "class Blocking:\n    def parse(self, text):\n        return {}\n\n"
        "class Refusing:\n    def __init__(self):\n        raise ValueError('no key')\n"
        "    async def parse(self, text):\n        return {}\n",
        encoding="utf-8",
    )
    return name


def test_the_class_is_imported_from_the_bot_s_folder(tmp_path: Path, module: str) -> None:
    assert interpreter_class(f"{module}.Good", tmp_path, "config.yml: nlu.class").__name__ == (
        "Good"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("{module}.Blocking", "needs an `async def parse(self, text)` method"),
        ("{module}.Missing", "{module} has no class Missing"),
        ("nowhere_at_all.Nlu", "cannot import nowhere_at_all"),
    ],
)
def test_a_wrong_class_is_refused_with_what_to_fix(
    tmp_path: Path, module: str, name: str, message: str
) -> None:
    with pytest.raises(ProjectError, match=re.escape(message.format(module=module))) as error:
        interpreter_class(name.format(module=module), tmp_path, "config.yml: nlu.class")
    assert str(error.value).startswith("config.yml: nlu.class: ")


def test_a_class_that_cannot_be_made_says_why(tmp_path: Path, module: str) -> None:
    found = interpreter_class(f"{module}.Refusing", tmp_path, "config.yml: nlu.class")
    with pytest.raises(ProjectError, match=r"Refusing\(\) failed: ValueError\('no key'\)"):
        PythonInterpreter.made(found, f"{module}.Refusing", 1.0)

"""The built-in NLU as the engine's interpreter (`bot.interpreter.Interpreter`)."""

from __future__ import annotations

from bot.nlu.model import Understanding
from nlu.model import NluModel


class BuiltinInterpreter:
    """Parses on the event loop: a parse takes well under a millisecond, and one thread only
    ever uses the model (crfsuite's tagger is not known to be thread-safe)."""

    def __init__(self, model: NluModel) -> None:
        self._model = model

    async def parse(self, text: str) -> Understanding:
        return self._model.parse(text)

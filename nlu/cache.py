"""The built-in NLU model a start uses: the one saved for exactly this NLU data, else trained
now and saved for the next start.

A start then costs a load (milliseconds) instead of a training (seconds for thousands of
examples). The folder is `models/nlu/<fingerprint>`, the fingerprint of the data and the model
format; older folders are removed once a new one is saved.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
from pathlib import Path

from bot.errors import ModelError
from bot.nlu.model import NluData
from nlu.model import FORMAT, NluModel, train_nlu

log = logging.getLogger(__name__)
FOLDER = "nlu"


def nlu_model(data: NluData, models: Path) -> NluModel:
    """The model for `data`, loaded when saved before, else trained and saved; blocking."""
    folder = models / FOLDER / fingerprint(data)
    if folder.is_dir():
        try:
            return NluModel.load(folder)
        except ModelError as exc:
            log.warning("training the NLU again: %s", exc)
    model = train_nlu(data)
    model.save(folder)
    for other in (models / FOLDER).iterdir():
        if other != folder and not other.name.startswith("."):
            shutil.rmtree(other, ignore_errors=True)
    return model


def fingerprint(data: NluData) -> str:
    """Equal for equal data and model format, whatever order the synonyms were read in."""
    content = {"format": FORMAT, **dataclasses.asdict(data)}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]

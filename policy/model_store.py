"""Versioned models on disk: one folder per version, and a pointer to the live one.

    models/7/            a model folder (see persistence.py) plus version.json, and a folder
    models/7/nlu/        for each `ModelPart` of the bot (its NLU), trained and loaded with it
    models/8/
    models/current  ->  8     symlink to the live version, replaced atomically

A version folder only gets its number once the model in it passed validation (it is staged
under a dot name before), so the newest version that loads is the newest valid model: that is
what serves after a restart, even when a crash came between the folder and the pointer.
Blocking file work: call it from a thread or the training process, not on the event loop.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import tarfile
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bot.domain import Domain
from bot.errors import ModelError
from bot.events import Corrected, Event
from bot.stores.base import is_taught
from bot.tracker import applied_parts
from policy.ensemble import EnsemblePolicy
from policy.persistence import load_model, save_model
from policy.training import TrainingData

log = logging.getLogger(__name__)
POINTER = "current"
RECORD = "version.json"
KEEP = 5
"""Versions kept on disk; older ones are pruned when a new one goes live."""


@dataclass(frozen=True)
class VersionRecord:
    """What a version was trained on, so that a restart knows what was taught after it."""

    version: int
    trained_at: float
    seconds: float
    stories: int
    conversations: dict[str, int] = field(default_factory=dict)
    """Taught conversation id -> how many of its events the model learned from."""
    corrections: int = 0
    dialogues: int = 0
    """Taught dialogues, as a trainer counts them: a /restart starts a new one."""

    @classmethod
    def of(cls, version: int, policy: EnsemblePolicy, data: TrainingData) -> VersionRecord:
        if policy.metadata is None:
            raise ModelError("this policy has no training metadata; train it with train_policy")
        metrics = policy.metadata.metrics
        lengths = {cid: len(events) for cid, events in data.conversations.items()}
        corrections = sum(_corrections(events) for events in data.conversations.values())
        return cls(
            version, policy.metadata.trained_at, metrics.seconds, metrics.stories, lengths,
            corrections, taught_dialogues(data.conversations.values()),
        )  # fmt: skip

    def taught_after(self, conversations: dict[str, list[Event]]) -> dict[str, list[Event]]:
        """The conversations with events this version did not learn from."""
        return {
            cid: events
            for cid, events in conversations.items()
            if len(events) > self.conversations.get(cid, 0)
        }

    def corrections_after(self, conversations: dict[str, list[Event]]) -> int:
        """Corrections in the events this version did not learn from."""
        return sum(
            _corrections(events[self.conversations.get(cid, 0) :])
            for cid, events in self.taught_after(conversations).items()
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VersionRecord:
        """Raises KeyError, TypeError or ValueError when fields are missing or wrong."""
        return cls(
            int(data["version"]),
            float(data["trained_at"]),
            float(data["seconds"]),
            int(data["stories"]),
            {str(k): int(v) for k, v in data["conversations"].items()},
            int(data["corrections"]),
            int(data.get("dialogues", len(data["conversations"]))),  # older records: ids
        )


def taught_dialogues(conversations: Iterable[Sequence[Event]]) -> int:
    """The dialogues trainers taught, as they count them: each /restart starts a new one."""
    return sum(is_taught(part) for events in conversations for part in applied_parts(events))


def _corrections(events: list[Event]) -> int:
    return sum(isinstance(event, Corrected) for event in events)


class ModelPart(Protocol):
    """A model that every version keeps beside the policy (the bot's NLU): built in the
    training process with the policy, validated with it, loaded, published and served with it.
    Picklable: it travels to the training process with the job."""

    @property
    def name(self) -> str:
        """Its folder in the version folder."""
        ...

    def build(
        self, conversations: Mapping[str, Sequence[Event]], folder: Path, previous: Path | None
    ) -> None:
        """Train on the taught `conversations` (and the part's own data) into `folder`; may
        reuse `previous`, this part of the live version, when nothing it learns from changed."""
        ...

    def load(self, folder: Path) -> Any:
        """The part, ready to serve; raises ModelError when it cannot serve (corrupt, or its
        data changed since it was built)."""
        ...


@dataclass(frozen=True)
class Version:
    policy: EnsemblePolicy
    record: VersionRecord
    parts: Mapping[str, Any] = field(default_factory=dict)
    """Each `ModelPart` loaded, by name."""


class ModelStore:
    def __init__(self, root: Path, parts: Sequence[ModelPart] = ()) -> None:
        self.root = root
        self.parts = tuple(parts)

    def versions(self) -> list[int]:
        """The numbered version folders, newest first."""
        if not self.root.is_dir():
            return []
        return sorted((int(p.name) for p in self.root.iterdir() if p.name.isdigit()), reverse=True)

    def newest(self) -> int:
        """The highest version number on disk, 0 when there is none."""
        return next(iter(self.versions()), 0)

    def add(
        self,
        policy: EnsemblePolicy,
        record: VersionRecord,
        taught: Mapping[str, Sequence[Event]] | None = None,
    ) -> Path:
        """Stage the model and build its parts from the `taught` conversations; `commit` gives
        it its number once it is validated."""
        staging = self.root / f".staging-{record.version}-{uuid.uuid4().hex[:8]}"
        save_model(policy, staging)
        live = self.live()
        for part in self.parts:
            previous = None if live is None else self.folder(live) / part.name
            part.build(taught or {}, staging / part.name, previous)
        (staging / RECORD).write_text(json.dumps(asdict(record)), encoding="utf-8")
        return staging

    def commit(self, staging: Path, version: int) -> None:
        os.replace(staging, self.root / str(version))

    def load(self, version: int, domain: Domain) -> Version:
        """Raises ModelError when the version is missing, corrupt or for another domain."""
        folder = self.folder(version)
        return Version(load_model(folder, domain), read_record(folder), self.load_parts(folder))

    def load_parts(self, folder: Path) -> dict[str, Any]:
        """The parts of the version in `folder`; raises ModelError when one cannot serve."""
        return {part.name: part.load(folder / part.name) for part in self.parts}

    def folder(self, version: int) -> Path:
        return self.root / str(version)

    def newest_valid(self, domain: Domain) -> Version | None:
        """The newest version that loads; broken ones are logged and skipped."""
        for version in self.versions():
            try:
                return self.load(version, domain)
            except ModelError as exc:
                log.warning("model version %s cannot serve: %s", version, exc)
        return None

    def live(self) -> int | None:
        """The version the pointer names, if any."""
        try:
            return int(os.readlink(self.root / POINTER))
        except (OSError, ValueError):
            return None

    def set_live(self, version: int) -> None:
        """Point `current` at the version atomically (a symlink renamed over the old one)."""
        pointer = self.root / POINTER
        if pointer.is_dir() and not pointer.is_symlink():  # a model folder of before versions
            shutil.rmtree(pointer)
        temporary = self.root / f".{POINTER}-{uuid.uuid4().hex[:8]}"
        os.symlink(str(version), temporary)
        os.replace(temporary, pointer)
        self._prune(version)

    def discard(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)

    def _prune(self, live: int) -> None:
        for version in self.versions()[KEEP:]:
            if version != live:
                self.discard(self.folder(version))

    def pack(self, version: int) -> bytes:
        """The version folder as one tar.gz, to publish to other replicas."""
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            tar.add(self.folder(version), arcname=str(version))
        return buffer.getvalue()

    def unpack(self, version: int, packed: bytes) -> None:
        """Install a published version; raises ModelError when the bytes are not one."""
        staging = self.root / f".unpack-{version}-{uuid.uuid4().hex[:8]}"
        try:
            with tarfile.open(fileobj=io.BytesIO(packed), mode="r:gz") as tar:
                tar.extractall(staging, filter="data")
            self.root.mkdir(parents=True, exist_ok=True)
            self.commit(staging / str(version), version)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise ModelError(f"published model version {version} is corrupt: {exc}") from exc
        finally:
            self.discard(staging)


def read_record(folder: Path) -> VersionRecord:
    path = folder / RECORD
    try:
        return VersionRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: no such file") from exc
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelError(f"{path}: corrupt ({exc!r})") from exc

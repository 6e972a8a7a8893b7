"""Builds a bot from a project folder: domain, stories, config, actions, store and policy.

With bot/cli.py this is the composition root, the only place that knows every concrete part.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.action_loader import load_custom_actions
from bot.actions import ActionRegistry
from bot.domain import Domain, load_domain
from bot.errors import ProjectError
from bot.project import Project, read_config
from bot.stores.base import TrackerStore
from bot.stories.model import Story
from bot.stories.reader import read_stories
from bot.tracker import SNAPSHOT_TURNS
from policy.config import PolicyConfig, policy_config_from_dict
from policy.model_store import POINTER, ModelStore, Version, VersionRecord
from policy.training import TrainingData, train_policy

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
DomainCheck = Callable[[Domain, Path], None]
"""Raises ProjectError when the domain (read from the file given) does not fit."""
MODEL_FOLDER = POINTER
"""models/current: the live version."""


@dataclass(frozen=True)
class LoadedProject:
    project: Project
    domain: Domain
    config: PolicyConfig
    stories: list[Story]
    actions: ActionRegistry
    warnings: list[str]


def load_project(project: Project, check_domain: DomainCheck | None = None) -> LoadedProject:
    """Read and check every project file; raises ProjectError with what to fix.

    `check_domain` adds what the connectors need of the domain (no intent named like ozbot's
    chat commands), so that every command refuses the same domains before anything trains.
    """
    domain = load_domain(project.domain_file)
    if check_domain is not None:
        check_domain(domain, project.domain_file)
    config, warnings = load_config(project)
    stories = read_stories(project.stories_dir) if project.stories_dir.exists() else []
    actions = ActionRegistry(domain, load_custom_actions(project.root, domain))
    return LoadedProject(project, domain, config, stories, actions, warnings)


def load_config(project: Project) -> tuple[PolicyConfig, list[str]]:
    """The policy settings of config.yml, checked, and warnings about what is ignored."""
    config, warnings = policy_config_from_dict(read_config(project), str(project.config_file))
    if config.max_history > SNAPSHOT_TURNS:
        raise ProjectError(
            f"{project.config_file}: max_history {config.max_history} is more than the "
            f"{SNAPSHOT_TURNS} turns a conversation's snapshot keeps for the policy; lower it"
        )
    return config, warnings


async def training_data(loaded: LoadedProject, store: TrackerStore) -> TrainingData:
    """The project's stories (exports included) and every taught conversation in the store,
    the most recently active last, so that a newer teaching wins over an older one."""
    found = await store.taught()
    for conversation_id, exc in found.corrupt.items():  # one must not stop the bot
        log.warning("not training on conversation %s: %s", conversation_id, exc)
    taught = [
        (events[-1].timestamp, cid, list(events)) for cid, events in found.conversations.items()
    ]
    taught.sort(key=lambda item: item[:2])
    return TrainingData(loaded.stories, {cid: events for _, cid, events in taught})


def model_store(loaded: LoadedProject) -> ModelStore:
    return ModelStore(loaded.project.models_dir)


def train_and_save(
    loaded: LoadedProject,
    data: TrainingData,
    progress: Progress | None = None,
    published: int = 0,
) -> Version:
    """Train now and make the result the live version (models/<version>/, models/current),
    numbered after every version on disk and the newest `published` to the replicas."""
    policy = train_policy(loaded.domain, data, loaded.config, progress)
    store = model_store(loaded)
    record = VersionRecord.of(max(store.newest(), published) + 1, policy, data)
    store.commit(store.add(policy, record), record.version)
    store.set_live(record.version)
    return Version(policy, record)


def current_policy(
    loaded: LoadedProject, data: TrainingData, progress: Progress | None = None
) -> Version:
    """The newest valid saved version when it fits the domain and config, else a new one.

    A version trained before the latest stories or teachings still serves at once: the
    retrainer teaches it what came after and retrains in the background.
    """
    found = model_store(loaded).newest_valid(loaded.domain)
    if found is None or found.policy.metadata is None:
        log.info("no saved model can serve; training one")
        return train_and_save(loaded, data, progress)
    if found.policy.metadata.config != loaded.config:
        log.info("config.yml changed since model %s; training a new one", found.record.version)
        return train_and_save(loaded, data, progress)
    return found

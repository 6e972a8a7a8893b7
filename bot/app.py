"""Builds a bot from a project folder: domain, stories, config, actions, store and policy.

With bot/cli.py this is the composition root, the only place that knows every concrete part.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.action_loader import load_custom_actions
from bot.actions import ActionRegistry
from bot.domain import Domain, load_domain
from bot.errors import ModelError, ProjectError, StoreError, StoreUnavailableError
from bot.events import ActionExecuted, Event
from bot.policy import TRAINER
from bot.project import Project, read_config
from bot.stores.base import TrackerStore
from bot.stories.model import Story
from bot.stories.reader import read_stories
from bot.tracker import SNAPSHOT_TURNS
from policy.config import PolicyConfig, policy_config_from_dict
from policy.ensemble import EnsemblePolicy
from policy.persistence import load_model, save_model
from policy.training import TrainingData, train_policy

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
MODEL_FOLDER = "current"


@dataclass(frozen=True)
class LoadedProject:
    project: Project
    domain: Domain
    config: PolicyConfig
    stories: list[Story]
    actions: ActionRegistry
    warnings: list[str]


def load_project(project: Project, reserved_commands: tuple[str, ...] = ()) -> LoadedProject:
    """Read and check every project file; raises ProjectError with what to fix."""
    domain = load_domain(project.domain_file)
    clashes = [name for name in reserved_commands if name in domain.intents]
    if clashes:
        raise ProjectError(
            f"{project.domain_file}: intents: {', '.join(clashes)} collide with ozbot's commands "
            f"(/{', /'.join(reserved_commands)}); rename the intent"
        )
    config, warnings = policy_config_from_dict(read_config(project), str(project.config_file))
    if config.max_history > SNAPSHOT_TURNS:
        raise ProjectError(
            f"{project.config_file}: max_history {config.max_history} is more than the "
            f"{SNAPSHOT_TURNS} turns a conversation's snapshot keeps for the policy; lower it"
        )
    stories = read_stories(project.stories_dir) if project.stories_dir.exists() else []
    actions = ActionRegistry(domain, load_custom_actions(project.root, domain))
    return LoadedProject(project, domain, config, stories, actions, warnings)


def is_taught(events: tuple[Event, ...]) -> bool:
    """A conversation a trainer answered questions in (its actions ran as "trainer")."""
    return any(isinstance(e, ActionExecuted) and e.policy == TRAINER for e in events)


async def training_data(loaded: LoadedProject, store: TrackerStore) -> TrainingData:
    """The project's stories (exports included) and every taught conversation in the store,
    the most recently active last, so that a newer teaching wins over an older one."""
    taught = []
    for conversation_id in await store.conversation_ids():
        try:
            events = (await store.load(conversation_id)).events
        except StoreUnavailableError:
            raise
        except StoreError as exc:  # one corrupt conversation must not stop the bot
            log.warning("not training on conversation %s: %s", conversation_id, exc)
            continue
        if is_taught(events):
            taught.append((events[-1].timestamp, conversation_id, list(events)))
    taught.sort(key=lambda item: item[:2])
    return TrainingData(loaded.stories, {cid: events for _, cid, events in taught})


def train_and_save(
    loaded: LoadedProject, data: TrainingData, progress: Progress | None = None
) -> EnsemblePolicy:
    policy = train_policy(loaded.domain, data, loaded.config, progress)
    save_model(policy, loaded.project.models_dir / MODEL_FOLDER)
    return policy


def current_policy(
    loaded: LoadedProject, data: TrainingData, progress: Progress | None = None
) -> EnsemblePolicy:
    """The saved model when it was trained on exactly this data and config, else a new one."""
    try:
        policy = load_model(loaded.project.models_dir / MODEL_FOLDER, loaded.domain)
    except ModelError as exc:
        log.info("training a new model: %s", exc)
        return train_and_save(loaded, data, progress)
    metadata = policy.metadata
    if metadata is None or (metadata.data_fingerprint, metadata.config) != (
        data.fingerprint(),
        loaded.config,
    ):
        return train_and_save(loaded, data, progress)
    return policy

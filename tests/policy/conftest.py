"""Fixtures of the seed's concert bot; the builders are in concert.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.domain import Domain, domain_from_dict
from bot.events import ACTION_LISTEN, Event, SlotSet
from bot.tracker import Tracker
from policy.config import PolicyConfig
from policy.ensemble import EnsemblePolicy
from policy.training import TrainingData, train_policy
from tests.policy.concert import CONCERT_DOMAIN, CONCERTS, SEED_SCENARIO, concert_stories, dialogue


@pytest.fixture
def concert_domain() -> Domain:
    """The seed's domain (overrides the repository's domain.yml of tests/conftest.py)."""
    return domain_from_dict(CONCERT_DOMAIN, "concert_domain.yml")


@pytest.fixture
def seed_tracker(concert_domain: Domain) -> Callable[..., Tracker]:
    """The seed's dialogue at /compare_reviews, after the events given (if any)."""

    def build(*before: str | Event) -> Tracker:
        events = dialogue(
            *before,
            *SEED_SCENARIO,
            SlotSet("concerts", CONCERTS),
            ACTION_LISTEN,
            "/compare_reviews",
        )
        return Tracker("seed", concert_domain, events)

    return build


@pytest.fixture
def train_concert(concert_domain: Domain) -> Callable[..., EnsemblePolicy]:
    """A freshly trained concert policy (tests may teach it)."""

    def train(conversations: dict[str, list[Event]] | None = None) -> EnsemblePolicy:
        data = TrainingData(concert_stories(), conversations or {})
        return train_policy(concert_domain, data, PolicyConfig())

    return train

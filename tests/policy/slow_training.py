"""Train functions for the training process (importable there, so not in a test module)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bot.domain import Domain
from policy.config import PolicyConfig
from policy.ensemble import EnsemblePolicy
from policy.training import TrainingData, train_policy

WAIT_LIMIT = 30.0


def wait_to_be_killed_once(
    pid_file: Path, domain: Domain, data: TrainingData, config: PolicyConfig
) -> EnsemblePolicy:
    """The first call writes the process id and waits (to be killed); later calls train."""
    if not pid_file.exists():
        pid_file.write_text(str(os.getpid()))
        time.sleep(WAIT_LIMIT)
    return train_policy(domain, data, config)


def train_for(
    seconds: float, domain: Domain, data: TrainingData, config: PolicyConfig
) -> EnsemblePolicy:
    """Trains again and again for at least `seconds` of CPU: a long training."""
    started = time.perf_counter()
    policy = train_policy(domain, data, config)
    while time.perf_counter() - started < seconds:
        policy = train_policy(domain, data, config)
    return policy

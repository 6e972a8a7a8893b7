"""Which model version serves when a bot starts, and training one now (`ozbot train`)."""

from __future__ import annotations

import asyncio
import logging

from bot import texts
from bot.errors import ModelError
from policy.deployer import Rollout, TrainingSetup
from policy.lightgbm_policy import Progress
from policy.model_store import Version, VersionRecord
from policy.training import TrainingData, train_policy

log = logging.getLogger(__name__)


def train_and_save(
    training: TrainingSetup,
    data: TrainingData,
    progress: Progress | None = None,
    published: int = 0,
) -> Version:
    """Train now and make the result the live version (models/<version>/, models/current),
    numbered after every version on disk and the newest `published` to the replicas.

    Blocking: run it in a thread.
    """
    policy = train_policy(training.domain, data, training.config, progress)
    models = training.models
    record = VersionRecord.of(max(models.newest(), published) + 1, policy, data)
    folder = models.folder(record.version)
    models.commit(models.add(policy, record, data.conversations), record.version)
    models.set_live(record.version)
    return Version(policy, record, models.load_parts(folder))


def starting_version(
    training: TrainingSetup, data: TrainingData, progress: Progress | None = None
) -> Version:
    """The newest valid saved version when it fits the domain and config, else a new one.

    A version trained before the latest stories or teachings still serves at once: it is taught
    what came after, and a retrain catches up in the background. Blocking: run it in a thread.
    """
    found = training.models.newest_valid(training.domain)
    if found is None or found.policy.metadata is None:
        log.info("no saved model can serve; training one")
        return train_and_save(training, data, progress)
    if found.policy.metadata.config != training.config:
        log.info("config.yml changed since model %s; training a new one", found.record.version)
        return train_and_save(training, data, progress)
    return found


async def train_now(
    training: TrainingSetup, data: TrainingData, rollout: Rollout | None, progress: Progress
) -> Version:
    """A new live version, trained off the event loop; with a rollout it is claimed like a
    retrain and published, so that the running replicas serve it too."""
    if rollout is None:
        return await asyncio.to_thread(train_and_save, training, data, progress)
    async with rollout.claim() as claimed:
        if not claimed:
            raise ModelError(texts.RETRAIN_CLAIMED)
        latest = await rollout.latest()
        version = await asyncio.to_thread(train_and_save, training, data, progress, latest)
        number = version.record.version
        await rollout.publish(number, await asyncio.to_thread(training.models.pack, number))
        return version

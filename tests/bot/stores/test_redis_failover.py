"""A master of the Redis Cluster dies under two replicas' traffic; its replica takes over."""

import uuid

import pytest

from tests.bot.stores.failover import RESUMED, failover
from tests.bot.stores.local_cluster import MISSING, WHY_MISSING, local_cluster


@pytest.mark.skipif(MISSING, reason=WHY_MISSING)
async def test_after_a_master_dies_every_answered_turn_is_stored_once_and_turns_resume(tmp_path):
    with local_cluster(tmp_path) as cluster:  # its own: this test kills one of its masters
        run = await failover(cluster, f"ozbot-test:{uuid.uuid4().hex}")

    assert run.corrupt == []
    assert run.duplicates == []
    assert run.stored_once == run.acknowledged  # every answered turn is there, once
    for conversation_id, sent in run.sent.items():  # a refused turn left nothing behind
        assert set(run.stored[conversation_id]) <= {*sent.acknowledged, *sent.refused}
    assert len(run.answered_after) == 2 * len(run.sent)  # both replicas, every conversation
    assert min(run.answered_after.values()) >= RESUMED  # by themselves, without a restart
    before, after = run.questions
    assert None not in before.values() and after == before  # trainers' open questions

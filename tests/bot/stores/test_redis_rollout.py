import asyncio
import contextlib
import multiprocessing
from pathlib import Path

import pytest
from redis import exceptions
from redis.asyncio import Redis

from bot.background import BackgroundTasks
from bot.errors import StoreError, StoreUnavailableError
from bot.stores.redis_rollout import LISTENING, Heard, RedisRollout
from bot.stores.settings import RedisSettings
from tests.bot.stores.local_cluster import MISSING, WHY_MISSING, local_cluster
from tests.bot.stores.replica import TARGET_VERSION, WAIT_LIMIT, serve
from tests.conftest import REPO


async def test_one_claim_at_a_time_renewed_while_held_and_freed_after(
    redis_settings: RedisSettings,
) -> None:
    first = await RedisRollout.connect(redis_settings, claim_seconds=0.3)
    second = await RedisRollout.connect(redis_settings, claim_seconds=0.3)
    try:
        async with first.claim() as claimed:
            assert claimed
            await asyncio.sleep(0.6)  # twice the expiry: only the renewal keeps it
            async with second.claim() as also:
                assert not also
        async with second.claim() as claimed_after:
            assert claimed_after
    finally:
        await first.stop()
        await second.stop()


async def test_a_published_version_reaches_the_other_replicas(
    redis_settings: RedisSettings,
) -> None:
    publisher = await RedisRollout.connect(redis_settings)
    replica = await RedisRollout.connect(redis_settings)
    heard: asyncio.Queue[int] = asyncio.Queue()
    await replica.start(heard.put_nowait, BackgroundTasks())
    try:
        await publisher.publish(4, b"model files")
        assert await asyncio.wait_for(heard.get(), 5) == 4
        assert (await replica.latest(), await replica.fetch(4)) == (4, b"model files")
        await publisher.publish(3, b"older")
        assert await replica.latest() == 4
    finally:
        await publisher.stop()
        await replica.stop()


async def test_a_malformed_notice_is_ignored_with_a_warning_and_listening_goes_on(
    redis_settings: RedisSettings, caplog: pytest.LogCaptureFixture
) -> None:
    publisher = await RedisRollout.connect(redis_settings)
    replica = await RedisRollout.connect(redis_settings)
    heard: asyncio.Queue[int] = asyncio.Queue()
    failures: list[tuple[str, BaseException]] = []
    await replica.start(heard.put_nowait, BackgroundTasks(lambda *failed: failures.append(failed)))
    client = Redis.from_url(redis_settings.url)
    try:
        for junk in ("not a number", "", "1.5", "\xff\xfe"):
            await client.publish(f"{redis_settings.prefix}:model:live", junk)
        await publisher.publish(5, b"model files")
        assert await asyncio.wait_for(heard.get(), 5) == 5
        assert heard.empty() and failures == []
        assert "ignored a model notice that names no version: b'not a number'" in caplog.text
    finally:
        await client.aclose()
        await publisher.stop()
        await replica.stop()


async def test_what_a_trainer_taught_is_heard_by_the_other_replicas_not_by_itself(
    redis_settings: RedisSettings,
) -> None:
    teacher = await RedisRollout.connect(redis_settings)
    replica = await RedisRollout.connect(redis_settings)
    taught: dict[str, asyncio.Queue[str]] = {"teacher": asyncio.Queue(), "replica": asyncio.Queue()}
    versions: asyncio.Queue[int] = asyncio.Queue()
    tasks = BackgroundTasks(lambda *failed: None)
    await teacher.start(lambda version: None, tasks, taught["teacher"].put_nowait)
    await replica.start(versions.put_nowait, tasks, taught["replica"].put_nowait)
    try:
        await teacher.announce("telegram:42 with spaces")
        await teacher.publish(3, b"model files")
        assert await asyncio.wait_for(taught["replica"].get(), 5) == "telegram:42 with spaces"
        assert await asyncio.wait_for(versions.get(), 5) == 3  # the channel carries both
        assert taught["teacher"].empty() and taught["replica"].empty()
    finally:
        await teacher.stop()
        await replica.stop()


def test_two_replicas_retrain_one_at_a_time_and_both_serve_the_newest_version(
    redis_settings: RedisSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(REPO))  # the replicas import this folder
    spawn = multiprocessing.get_context("spawn")
    go, results = spawn.Barrier(2), spawn.Queue()
    log = tmp_path / "trainings.log"
    replicas = [
        spawn.Process(target=serve, args=(name, redis_settings, tmp_path / name, log, go, results))
        for name in ("a", "b")
    ]
    for replica in replicas:
        replica.start()
    try:
        finished = sorted(results.get(timeout=2 * WAIT_LIMIT) for _ in replicas)
    finally:
        for replica in replicas:
            replica.join(WAIT_LIMIT)
            replica.kill()

    assert finished == [
        ("a", TARGET_VERSION, TARGET_VERSION),
        ("b", TARGET_VERSION, TARGET_VERSION),
    ]
    events = sorted(
        (float(at), kind) for kind, at in (line.split() for line in log.read_text().splitlines())
    )
    assert [kind for _, kind in events] == ["start", "end", "start", "end"]


class _DroppedPubSub:
    """A subscription whose connection drops once: the notices sent meanwhile never arrive."""

    def __init__(self) -> None:
        self.calls = 0

    async def get_message(self, **_: object) -> None:
        self.calls += 1
        if self.calls == 1:
            raise exceptions.ConnectionError("connection reset")
        await asyncio.sleep(0.05)

    async def aclose(self) -> None:
        return None


async def test_after_a_dropped_connection_the_newest_version_is_caught_up(
    redis_settings: RedisSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.stores.redis_rollout.LISTEN_TIMEOUT", 0.01)
    publisher = await RedisRollout.connect(redis_settings)
    replica = await RedisRollout.connect(redis_settings)
    await publisher.publish(6, b"model files")  # while the replica's connection is down
    heard: asyncio.Queue[int] = asyncio.Queue()
    listening = asyncio.create_task(
        replica._listen(_DroppedPubSub(), Heard(heard.put_nowait, None, "replica"))
    )
    try:
        assert await asyncio.wait_for(heard.get(), 5) == 6
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        await publisher.stop()
        await replica.stop()


async def test_redis_errors_leave_as_store_errors(redis_settings: RedisSettings) -> None:
    rollout = await RedisRollout.connect(redis_settings)
    other = Redis.from_url(redis_settings.url)
    await other.rpush(f"{redis_settings.prefix}:model:v:5", "not a string")
    try:
        with pytest.raises(StoreError, match="WRONGTYPE") as raised:
            await rollout.fetch(5)
        assert isinstance(raised.value.__cause__, exceptions.ResponseError)
    finally:
        await other.aclose()
        await rollout.stop()


async def test_an_unreachable_redis_is_unavailable_for_every_call(
    redis_settings: RedisSettings,
) -> None:
    nowhere = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    rollout = RedisRollout(nowhere, redis_settings, claim_seconds=1.0)
    try:
        for call in (rollout.latest(), rollout.fetch(1), rollout.publish(1, b"model")):
            with pytest.raises(StoreUnavailableError, match="unavailable"):
                await call
        with pytest.raises(StoreUnavailableError):
            async with rollout.claim():
                raise AssertionError("claimed without Redis")
    finally:
        await rollout.stop()


async def test_a_listener_that_fails_is_reported_once(
    redis_settings: RedisSettings, caplog: pytest.LogCaptureFixture
) -> None:
    failures: list[tuple[str, BaseException]] = []
    tasks = BackgroundTasks(lambda what, exc: failures.append((what, exc)))
    publisher = await RedisRollout.connect(redis_settings)
    replica = await RedisRollout.connect(redis_settings)

    def broken(version: int) -> None:
        raise ValueError(f"cannot take {version}")

    await replica.start(broken, tasks)
    try:
        await publisher.publish(2, b"model files")
        await asyncio.wait_for(tasks.idle(), 5)
    finally:
        await publisher.stop()
        await replica.stop()

    [(what, exc)] = failures
    assert (what, str(exc)) == (LISTENING, "cannot take 2")
    assert [r.getMessage() for r in caplog.records] == [f"{LISTENING} failed"]


async def test_on_a_cluster_the_claim_the_model_bytes_and_the_notices_work(
    cluster_settings: RedisSettings,
) -> None:
    first = await RedisRollout.connect(cluster_settings, claim_seconds=0.3)
    second = await RedisRollout.connect(cluster_settings, claim_seconds=0.3)
    heard: asyncio.Queue[int] = asyncio.Queue()
    await second.start(heard.put_nowait, BackgroundTasks())
    packed = bytes(range(256)) * 1000  # a model folder's tar.gz is binary
    try:
        async with first.claim() as claimed:
            assert claimed
            async with second.claim() as also:
                assert not also
            for version in (1, 2, 3, 4):  # versions land on different masters
                await first.publish(version, packed + bytes([version]))
        assert [await asyncio.wait_for(heard.get(), 5) for _ in range(4)] == [1, 2, 3, 4]
        assert await second.latest() == 4
        assert await second.fetch(4) == packed + bytes([4])
        assert await second.fetch(1) is None  # only the last KEEP versions stay
    finally:
        await first.stop()
        await second.stop()


@pytest.mark.skipif(MISSING, reason=WHY_MISSING)
async def test_a_listener_follows_a_failover_of_the_master_it_listened_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.stores.redis_rollout.LISTEN_TIMEOUT", 0.1)
    with local_cluster(tmp_path) as cluster:  # its own: this test kills one of its masters
        settings = RedisSettings(cluster.url, "ozbot-test:failover", cluster=True)
        replica = await RedisRollout.connect(settings)
        heard: asyncio.Queue[int] = asyncio.Queue()
        await replica.start(heard.put_nowait, BackgroundTasks())
        try:
            await asyncio.to_thread(cluster.kill_master_of, "ozbot-test:failover:model:live")
            publisher = await RedisRollout.connect(settings)
            for _ in range(100):  # bounded: about 10 s
                with contextlib.suppress(StoreError):
                    await publisher.publish(2, b"model files")
                    break
                await asyncio.sleep(0.1)
            assert await asyncio.wait_for(heard.get(), 10) == 2  # heard, or caught up
            await publisher.stop()
        finally:
            await replica.stop()

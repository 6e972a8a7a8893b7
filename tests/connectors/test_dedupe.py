"""Redelivered platform events are recognised, within the memory kept by this process."""

from connectors.dedupe import RecentIds


async def test_an_id_counts_the_first_time_only():
    seen = RecentIds()
    assert [await seen.first_time(key) for key in ("a", "b", "a", "b", "c")] == [
        True,
        True,
        False,
        False,
        True,
    ]


async def test_the_oldest_ids_are_forgotten_past_the_size():
    seen = RecentIds(size=2)
    for key in ("a", "b", "c"):
        await seen.first_time(key)
    assert await seen.first_time("a") is True
    assert await seen.first_time("c") is False

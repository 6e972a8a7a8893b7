"""What the benchmark scripts share: cleaning up their Redis keys and printing the summary."""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from bot.stores.settings import RedisSettings


async def delete_keys(settings: RedisSettings) -> None:
    """Remove every key the run wrote under its own prefix."""
    client = Redis.from_url(settings.url)
    keys = [key async for key in client.scan_iter(match=f"{settings.prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def report(summary: dict[str, Any], as_json: bool) -> None:
    """One JSON object (`--json`), or one aligned line a figure."""
    if as_json:
        print(json.dumps(summary))
        return
    width = max(map(len, summary), default=0)
    for key, value in summary.items():
        print(f"{key:>{width}}  {value}")

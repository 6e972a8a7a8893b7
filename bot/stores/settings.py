"""Which store a bot uses: Redis when REDIS_URL or config.yml's `store:` gives a URL.

store:
  url: redis://127.0.0.1:6379/0   # REDIS_URL, when set, wins over this
  cluster: true                   # a Redis Cluster (url: any of its nodes); REDIS_CLUSTER wins
  prefix: ozbot:concert           # this bot's keys; default ozbot:<assistant_id> or ozbot:<folder>
  ttl_seconds: 2592000            # forget a conversation idle this long; default never
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.errors import ProjectError
from bot.redaction import shown_url

_KEYS = ("url", "cluster", "prefix", "ttl_seconds")
_YES = ("1", "true", "yes", "on")
_NO = ("0", "false", "no", "off")
CLUSTER_FIX = "set `cluster: true` under `store:` in config.yml (or REDIS_CLUSTER=true)"
SINGLE_FIX = "remove `cluster: true` from `store:` in config.yml (or set REDIS_CLUSTER=false)"


@dataclass(frozen=True)
class RedisSettings:
    url: str
    prefix: str
    ttl_seconds: int | None = None
    source: str = "REDIS_URL"
    """Where the URL came from, so that a message can say what to fix."""
    lock_seconds: float = 10.0
    """A conversation's lock expires after this, so a crashed replica cannot block it."""
    lock_wait_seconds: float = 5.0
    """How long a turn waits for its conversation's lock before it is refused as busy."""
    cluster: bool = False
    """A Redis Cluster: the URL names one of its nodes, the client finds the others."""

    @property
    def shown_url(self) -> str:
        """The URL without its credentials, for messages and logs."""
        return shown_url(self.url)


def redis_settings(
    environ: Mapping[str, str], config: Mapping[str, Any], default_prefix: str, config_file: str
) -> RedisSettings | None:
    """The Redis store's settings, or None for the embedded SQLite store."""
    section = config.get("store", {})
    where = f"{config_file}: store"
    if not isinstance(section, dict):
        raise ProjectError(f"{where}: expected a mapping, e.g. {{url: redis://127.0.0.1:6379}}")
    unknown = sorted(set(section) - set(_KEYS))
    if unknown:
        raise ProjectError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {_KEYS}")
    url = environ.get("REDIS_URL") or section.get("url")
    if not url:
        if section:
            raise ProjectError(f"{where}: no url; add `url: redis://...` or set REDIS_URL")
        return None
    if not isinstance(url, str):
        raise ProjectError(f"{where}.url: expected text such as redis://127.0.0.1:6379")
    prefix = section.get("prefix", default_prefix)
    if not isinstance(prefix, str) or not prefix:
        raise ProjectError(f"{where}.prefix: expected non-empty text such as ozbot:concert")
    ttl = section.get("ttl_seconds")
    if ttl is not None and (not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 1):
        raise ProjectError(f"{where}.ttl_seconds: expected a whole number of seconds, at least 1")
    source = "REDIS_URL" if environ.get("REDIS_URL") else f"{where}.url"
    cluster = _cluster(environ, section, where)
    return RedisSettings(url, prefix, ttl, source, cluster=cluster)


def _cluster(environ: Mapping[str, str], section: Mapping[str, Any], where: str) -> bool:
    """REDIS_CLUSTER (true/false; empty counts as unset, as in an .env file), else config.yml's
    `store: cluster`, else a single Redis."""
    raw = environ.get("REDIS_CLUSTER", "").strip().lower()
    if raw:
        if raw not in _YES + _NO:
            raise ProjectError(f"REDIS_CLUSTER: expected true or false, got {raw!r}")
        return raw in _YES
    cluster = section.get("cluster", False)
    if not isinstance(cluster, bool):
        raise ProjectError(f"{where}.cluster: expected true or false, got {cluster!r}")
    return cluster

"""Choosing the store: Redis from REDIS_URL or config.yml's `store:`, else SQLite."""

import pytest

from bot.errors import ProjectError
from bot.stores.settings import RedisSettings, redis_settings


def settings(environ=None, config=None):
    return redis_settings(environ or {}, config or {}, "ozbot:concert", "config.yml")


def test_without_redis_url_or_store_section_the_bot_uses_sqlite():
    assert settings() is None


def test_redis_url_selects_redis_with_the_bots_default_prefix():
    assert settings({"REDIS_URL": "redis://127.0.0.1:6379/1"}) == RedisSettings(
        "redis://127.0.0.1:6379/1", "ozbot:concert", None, "REDIS_URL"
    )


def test_the_store_section_sets_url_prefix_and_ttl_and_redis_url_wins():
    section = {"url": "redis://db:6379", "prefix": "shop", "ttl_seconds": 3600}
    assert settings(config={"store": section}) == RedisSettings(
        "redis://db:6379", "shop", 3600, "config.yml: store.url"
    )
    chosen = settings({"REDIS_URL": "redis://other"}, {"store": section})
    assert (chosen.url, chosen.prefix, chosen.source) == ("redis://other", "shop", "REDIS_URL")


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("redis://x", r"store: expected a mapping"),
        ({"url": "redis://x", "ttl": 5}, r"store: unknown key\(s\) ttl"),
        ({"prefix": "shop"}, r"store: no url; add `url: redis://...` or set REDIS_URL"),
        ({"url": "redis://x", "ttl_seconds": 0}, r"store.ttl_seconds: expected a whole number"),
        ({"url": "redis://x", "prefix": ""}, r"store.prefix: expected non-empty text"),
        ({"url": 6379}, r"store.url: expected text"),
    ],
)
def test_a_wrong_store_section_says_what_to_fix(section, message):
    with pytest.raises(ProjectError, match=f"config.yml: {message}"):
        settings(config={"store": section})


def test_the_shown_url_hides_the_password():
    shown = RedisSettings("redis://user:s3cret@db:6379/2", "p").shown_url
    assert shown == "redis://user:***@db:6379/2"


def test_a_cluster_comes_from_the_store_section_or_redis_cluster_which_wins():
    section = {"url": "redis://node-1:6379", "cluster": True}
    assert settings(config={"store": section}).cluster
    assert not settings({"REDIS_CLUSTER": "false"}, {"store": section}).cluster
    assert settings({"REDIS_CLUSTER": ""}, {"store": section}).cluster  # empty: unset
    assert settings({"REDIS_URL": "redis://node-2:6379", "REDIS_CLUSTER": "true"}).cluster
    assert not settings({"REDIS_URL": "redis://one:6379"}).cluster


@pytest.mark.parametrize(
    ("environ", "section", "message"),
    [
        ({}, {"url": "redis://x", "cluster": "yes"}, r"config.yml: store.cluster: expected true"),
        ({"REDIS_CLUSTER": "maybe"}, {"url": "redis://x"}, r"REDIS_CLUSTER: expected true or"),
    ],
)
def test_a_wrong_cluster_setting_says_what_to_fix(environ, section, message):
    with pytest.raises(ProjectError, match=message):
        settings(environ, {"store": section})

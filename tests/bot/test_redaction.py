"""URLs as ozbot shows them: every credential redis-py would read from a Redis URL is masked."""

import pytest
from redis.connection import parse_url

from bot.redaction import origin_only, shown_url, url_secrets

FORMS = [
    ("redis://:hunter22@redis:6379/0", "redis://:***@redis:6379/0"),
    ("redis://ozbot:hunter22@redis:6379/0", "redis://ozbot:***@redis:6379/0"),
    ("redis://hunter22@redis:6379", "redis://***@redis:6379"),  # read as the user name
    ("rediss://ozbot:hun%40ter22@redis:6380/1", "rediss://ozbot:***@redis:6380/1"),
    ("redis://redis:6379/0?password=hunter22", "redis://redis:6379/0?password=***"),
    (
        "redis://redis/0?db=2&username=ozbot&password=hunter22&socket_timeout=5",
        "redis://redis/0?db=2&username=***&password=***&socket_timeout=5",
    ),
    ("rediss://redis?ssl_password=hunter22", "rediss://redis?ssl_password=***"),
    (
        "redis://redis?password=hunter22&password=hunter33",
        "redis://redis?password=***&password=***",
    ),
    ("unix://:hunter22@/run/redis.sock?db=0", "unix://:***@/run/redis.sock?db=0"),
    ("unix:///run/redis.sock?password=hunter22", "unix:///run/redis.sock?password=***"),
]


@pytest.mark.parametrize(("url", "shown"), FORMS)
def test_every_credential_redis_py_reads_is_masked(url, shown):
    read = parse_url(url)
    secrets = [v for k, v in read.items() if k in ("password", "username", "ssl_password")]
    assert secrets  # redis-py reads a credential from this form
    assert shown_url(url) == shown
    for secret in secrets:
        if secret != "ozbot":  # a user name beside a password is no secret
            assert secret not in shown_url(url)
            assert secret in url_secrets(url)


@pytest.mark.parametrize(
    "url", ["redis://:hun/ter22@redis:6379", "redis://:hun?ter22@redis", "redis://:hun#ter22@r"]
)
def test_a_password_with_a_slash_question_or_hash_mark_is_masked_whole(url):
    assert shown_url(url).startswith("redis://:***@r") and "ter22" not in shown_url(url)
    assert url.split("//:")[1].split("@")[0] in url_secrets(url)


def test_urls_without_credentials_are_shown_as_they_are():
    for url in ("redis://redis:6379/0", "redis://127.0.0.1:6379/0?db=1", "not a url"):
        assert shown_url(url) == url and url_secrets(url) == []


def test_a_webhook_url_shows_its_address_not_its_path():
    assert origin_only("https://bot.example.com/telegram/4242:AAF-token?x=1") == (
        "https://bot.example.com/***"
    )
    assert origin_only("https://bot.example.com") == "https://bot.example.com/"
    assert origin_only("https://user:pw@bot.example.com/") == "https://bot.example.com/***"

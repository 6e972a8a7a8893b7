"""URLs as ozbot shows them: without the credentials they carry.

A Redis URL holds a password in every form redis-py reads (`redis://user:pw@host`,
`redis://:pw@host`, `redis://pw@host`, `?password=pw`, `?ssl_password=pw`, for `unix://` too);
a webhook URL may hold a token in its path. What ozbot prints, logs or serves shows them masked.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

MASK = "***"
SETTINGS_IN_QUERY = frozenset(
    {
        "db",
        "socket_timeout",
        "socket_connect_timeout",
        "socket_keepalive",
        "socket_read_size",
        "retry_on_timeout",
        "max_connections",
        "health_check_interval",
        "ssl_check_hostname",
        "ssl_cert_reqs",
        "ssl_min_version",
        "timeout",
        "protocol",
        "decode_responses",
    }
)
"""Query parameters of a Redis URL that are settings, shown as they are; every other value
(`password`, `ssl_password`, `username`, anything unknown) is masked."""


def shown_url(url: str) -> str:
    """`url` with the password of its user part, any other user part (redis-py may read it as
    the password), query values other than settings, and a fragment masked."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    user, at, location = rest.rpartition("@")  # a password may hold "/", "?" or "#"
    location, hashmark, _ = location.partition("#")
    address, question, query = location.partition("?")
    shown = f"{scheme}://{_shown_user(user) + '@' if at else ''}{address}"
    if question:
        shown += "?" + "&".join(_shown_parameter(pair) for pair in query.split("&"))
    return shown + ("#" + MASK if hashmark else "")


def url_secrets(url: str) -> list[str]:
    """The secret parts of `url` as written and decoded (for masking them in log lines)."""
    if "://" not in url:
        return []
    rest = url.partition("://")[2]
    user, at, location = rest.rpartition("@")
    found = []
    if at:
        _, colon, password = user.partition(":")
        found.append(password if colon else user)
    location, _, fragment = location.partition("#")
    found.append(fragment)
    for pair in location.partition("?")[2].split("&"):
        key, equals, value = pair.partition("=")
        if key not in SETTINGS_IN_QUERY:
            found.append(value if equals else key)
    return sorted({form for part in found if part for form in (part, unquote(part))})


def origin_only(url: str) -> str:
    """`https://host/…` for `https://host/path/with/token?x=y`: the address, not the path."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    hidden = parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc
    netloc = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{netloc}/{MASK if hidden else ''}"


def _shown_user(user: str) -> str:
    name, colon, _ = user.partition(":")
    return f"{name}:{MASK}" if colon and (name == "" or _plain(name)) else MASK


def _plain(name: str) -> bool:
    """A user name as redis-py reads one (a cut URL puts part of a password there)."""
    return bool(name) and not any(mark in name for mark in "/?#")


def _shown_parameter(pair: str) -> str:
    key, equals, _ = pair.partition("=")
    if key in SETTINGS_IN_QUERY:
        return pair
    return f"{key}={MASK}" if equals else MASK

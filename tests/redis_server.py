"""The Redis server a test may use, or why it cannot run.

``REDIS_URL`` when set (CI's PostgreSQL pass, or a developer's own server); on CI
(``CI=true``) otherwise the one ``.ci/run`` starts on 127.0.0.1:6379. A test that needs
Redis skips without one on a developer's machine; on CI it fails with one line, so a
missing server can never pass as a green run.
"""

from __future__ import annotations

import os

import pytest

CI_REDIS_URL = "redis://127.0.0.1:6379/0"


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def redis_url() -> str:
    """A Redis URL that answers PING, else skip (or fail on CI)."""
    import redis

    url = os.environ.get("REDIS_URL", "").strip() or (CI_REDIS_URL if on_ci() else "")
    if not url:
        pytest.skip("needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        message = f"Redis at {url} does not answer ({error}); .ci/run starts one"
        if on_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return url

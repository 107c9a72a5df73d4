"""Values worth keeping a while in the ``shared`` cache that every worker sees."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.cache.backends import filebased, redis


def shared_cached(namespace: str, parts: Any, seconds: int, compute: Callable[[], Any]):
    """``compute()``, kept ``seconds`` under a digest of ``parts``.

    ``parts`` must name everything the value depends on (its ``repr`` is hashed):
    a generation token that changes with the data makes an entry out of date at
    once. ``compute`` runs only on a miss; it must not return None.
    """
    shared = caches["shared"]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    key = f"{namespace}:{digest}"
    value = shared.get(key)
    if value is None:
        value = compute()
        shared.set(key, value, seconds)
    return value


class FileBasedCache(filebased.FileBasedCache):
    """Django's file cache, listing its directory to cull on one write in
    ``CULL_EVERY`` (option, default 100) instead of on every write.

    Django lists every file of the directory before each write to decide whether to
    cull: ~1 ms with the 500 entries of the shared cache, for each API request's
    throttle counter, and more with the page cache's 50,000. Checked less often, a
    directory may pass ``MAX_ENTRIES`` by up to ``CULL_EVERY`` writes of each process
    before it is culled.
    """

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._cull_every = max(1, int(params.get("OPTIONS", {}).get("CULL_EVERY", 100)))
        self._writes = 0

    def _cull(self):
        self._writes += 1
        if self._writes % self._cull_every == 0:
            super()._cull()


class RedisCache(redis.RedisCache):
    """Django's Redis cache whose ``clear()`` deletes this cache's keys only.

    Django's empties the whole Redis database (FLUSHDB): with the ``pages``, ``shared``
    and ``default`` caches in one database under their own key prefixes, clearing the
    page cache (a restore, a test) would also drop the throttle counters and editing
    notices, and any other site's keys. This one walks its own prefix with SCAN (which
    does not block the server) and UNLINKs the keys in batches.
    """

    def clear(self):
        if not self.key_prefix:
            return super().clear()
        client = self._cache.get_client(None, write=True)
        pattern = _glob_escape(self.key_prefix) + ":*"
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 1000:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)
        return True


def _glob_escape(text: str) -> str:
    """``text`` matched literally by a Redis glob pattern (SCAN MATCH)."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)

"""Values worth keeping a while in the ``shared`` cache that every worker sees, and
the project's cache backends."""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
import zlib
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.cache.backends import filebased, redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.files import locks
from django.core.signals import setting_changed
from django.dispatch import receiver


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
    ``CULL_EVERY`` (option, default 100) instead of on every write, and with
    ``COMPRESS`` (option, default True) to store values without zlib.

    Django lists every file of the directory before each write to decide whether to
    cull: ~1 ms with the 500 entries of the shared cache, for each API request's
    throttle counter, and more with the page cache's 50,000. Checked less often, a
    directory may pass ``MAX_ENTRIES`` by up to ``CULL_EVERY`` writes of each process
    before it is culled.

    Django compresses every value; decompressing a ~20 KB page took a fifth of a
    cached hit on the fast path (yantai.fastpath), for files a third the size. With
    ``COMPRESS`` False values are written as plain pickles; either kind is read
    (a pickle starts with its protocol byte, zlib data never does), so switching
    needs no emptying of the cache.
    """

    def __init__(self, dir, params):
        super().__init__(dir, params)
        options = params.get("OPTIONS", {})
        self._cull_every = max(1, int(options.get("CULL_EVERY", 100)))
        self._compress = bool(options.get("COMPRESS", True))
        self._writes = 0

    def get(self, key, default=None, version=None):
        try:
            with open(self._key_to_file(key, version), "rb") as f:
                if not self._is_expired(f):
                    return _loads(f.read())
        except FileNotFoundError:
            pass
        return default

    def _write_content(self, file, timeout, value):
        if self._compress:
            return super()._write_content(file, timeout, value)
        file.write(
            pickle.dumps(self.get_backend_timeout(timeout), self.pickle_protocol)
        )
        file.write(pickle.dumps(value, self.pickle_protocol))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's, reading either kind of value.
        try:
            with open(self._key_to_file(key, version), "r+b") as f:
                try:
                    locks.lock(f, locks.LOCK_EX)
                    if self._is_expired(f):
                        return False
                    value = _loads(f.read())
                    f.seek(0)
                    self._write_content(f, timeout, value)
                    f.truncate()
                    return True
                finally:
                    locks.unlock(f)
        except FileNotFoundError:
            return False

    def _cull(self):
        self._writes += 1
        if self._writes % self._cull_every == 0:
            super()._cull()


class _RedisCacheClient(redis.RedisCacheClient):
    """Django's client, reusing one redis-py client per connection pool: Django's
    builds a new ``redis.Redis`` for every operation, and redis-py's constructor
    fills its table of ~170 response callbacks each time (~0.2 ms, as much as the
    round trip itself; two per fast-path answer). A redis-py client is safe to share:
    its connections come from the pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    """Django's Redis cache whose ``clear()`` deletes this cache's keys only, with
    one redis-py client per connection pool (``_RedisCacheClient``).

    Django's empties the whole Redis database (FLUSHDB): with the ``pages``, ``shared``
    and ``default`` caches in one database under their own key prefixes, clearing the
    page cache (a restore, a test) would also drop the throttle counters and editing
    notices, and any other site's keys. This one walks its own prefix with SCAN (which
    does not block the server) and UNLINKs the keys in batches.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _RedisCacheClient

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


def get_together(*items: tuple[str, str]) -> list:
    """The values (None when missing) of ``(cache alias, key)`` pairs: one round
    trip (MGET) when every alias is a ``RedisCache`` of the same single server and
    options, else one ``get`` each. For the fast path, which reads a page and the
    shared fragments' token on every answer."""
    sent = send_together(*items)
    if sent is None:
        return [caches[alias].get(key) for alias, key in items]
    return sent.read()


# What ``get_together`` works out from the aliases alone, per thread (``caches``
# gives each thread its own backends): aliases → (each backend's ``make_key``, the
# Redis connection pool, the serializer's ``loads``), or None when the values are
# not all in one Redis. Worked out on every answer it cost a fifth of the fast
# path's Python: two ``caches[alias]`` lookups (asgiref ``Local``s), the checks of
# both backends, the pool found through ``get_client``, and each key checked
# character by character for memcached (``make_and_validate_key``: only warnings,
# and these keys are the fast path's own). Forgotten when the CACHES setting
# changes (tests).
_plans = threading.local()
_plans_generation = [0]


def _plan(aliases: tuple[str, ...]):
    kept = getattr(_plans, "by_aliases", None)
    if kept is None or kept[0] != _plans_generation[0]:
        kept = _plans.by_aliases = (_plans_generation[0], {})
    try:
        return kept[1][aliases]
    except KeyError:
        pass
    backends = [caches[alias] for alias in aliases]
    first = backends[0]
    plan = None
    if all(
        isinstance(b, RedisCache)
        and len(b._servers) == 1
        and b._servers == first._servers
        and b._options == first._options
        for b in backends
    ):
        plan = (
            tuple(b.make_key for b in backends),
            first._cache.get_client(None).connection_pool,
            first._cache._serializer.loads,
        )
    kept[1][aliases] = plan
    return plan


@receiver(setting_changed)
def _forget_plans(*, setting: str, **kwargs) -> None:
    if setting == "CACHES":
        _plans_generation[0] += 1


# The connection each thread keeps for ``get_together``: (pool, process id, conn).
_kept = threading.local()


def send_together(*items: tuple[str, str]) -> SentMget | None:
    """``get_together``'s MGET sent without waiting for the reply, so that the caller
    can send something else meanwhile (the fast path: its check of the live row),
    or None when the values are not all in one Redis (``get_together`` then reads
    them one by one)."""
    plan = _plan(tuple(alias for alias, _ in items))
    if plan is None:
        return None
    make_keys, pool, loads = plan
    keys = [make_key(key) for make_key, (_, key) in zip(make_keys, items, strict=True)]
    return SentMget(pool, keys, loads)


class SentMget:
    """An MGET sent on a connection this thread keeps out of ``pool``, not yet read:
    ``read()`` its values, or ``abandon()`` it. Either must be called, once, before
    the thread's next MGET: a reply left unread would be taken for the next one's,
    so an error or an abandon closes the connection (the next MGET takes a new one).

    ``redis.Redis.mget`` takes a connection from the pool and gives it back on every
    call, and wraps the command in its retry, observability and response-callback
    layers: 62 µs of CPU a call against 20 µs for the same command on a kept
    connection (300 fast-path keys, ``bench/`` notes in docs/benchmarks.md). A
    connection is the pool's, made with its options (socket timeouts, hiredis);
    a new one is taken after a fork, for another pool, or after any error (the
    failed one is closed, and the caller sees the error).
    """

    __slots__ = ("conn", "loads")

    def __init__(self, pool, keys: list[str], loads):
        kept = getattr(_kept, "conn", None)
        pid = os.getpid()
        if kept is None or kept[0] is not pool or kept[1] != pid:
            if kept is not None and kept[1] == pid:
                kept[0].release(kept[2])
            kept = _kept.conn = (pool, pid, pool.get_connection())
        self.conn, self.loads = kept[2], loads
        try:
            self.conn.send_command("MGET", *keys)
        except BaseException:
            self.abandon()
            raise

    def read(self) -> list:
        try:
            values = self.conn.read_response()
        except BaseException:
            self.abandon()
            raise
        loads = self.loads
        return [None if v is None else loads(v) for v in values]

    def abandon(self) -> None:
        _kept.conn = None
        self.conn.disconnect()


_PICKLE_START = pickle.PROTO  # b"\x80": how a pickle of protocol 2 or later starts


def _loads(data: bytes):
    """A value as either kind of ``FileBasedCache`` wrote it."""
    if data[:1] == _PICKLE_START:
        return pickle.loads(data)
    return pickle.loads(zlib.decompress(data))


def _glob_escape(text: str) -> str:
    """``text`` matched literally by a Redis glob pattern (SCAN MATCH)."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)

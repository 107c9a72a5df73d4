"""Values worth keeping a while in the ``shared`` cache that every worker sees, and
the project's cache backends."""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import os
import pickle
import random
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.cache.backends import filebased, redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.files import locks
from django.core.signals import setting_changed
from django.dispatch import receiver


@functools.cache
def _redis_error() -> type[Exception]:
    """redis-py's base exception, imported when a Redis cache first fails: importing
    redis-py (its asyncio client with it, ~95 ms) is not paid by every process of a
    site on the file cache, nor by every ``manage.py`` command."""
    from redis.exceptions import RedisError

    return RedisError


logger = logging.getLogger(__name__)


def parts_key(namespace: str, parts: Any) -> str:
    """A cache key for a value that depends on ``parts``: ``namespace`` and a digest
    of their ``repr``, which must name everything the value depends on."""
    return f"{namespace}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


def shared_cached(namespace: str, parts: Any, seconds: int, compute: Callable[[], Any]):
    """``compute()``, kept ``seconds`` under a digest of ``parts`` (``parts_key``).

    ``parts`` must name everything the value depends on (its ``repr`` is hashed):
    a generation token that changes with the data makes an entry out of date at
    once. ``compute`` runs only on a miss; it must not return None.
    """
    shared = caches["shared"]
    key = parts_key(namespace, parts)
    value = shared.get(key)
    if value is None:
        value = compute()
        shared.set(key, value, seconds)
    return value


class FileBasedCache(filebased.FileBasedCache):
    """Django's file cache, listing its directory to cull on one write in
    ``CULL_EVERY`` (option, default 100) instead of on every write, culling the
    expired entries before any live one, and with ``COMPRESS`` (option, default
    True) to store values without zlib.

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
        # Django's open() → pickle.load(expiry) → read() → loads(), in three system
        # calls (open, read, close) instead of about twelve, and the key not checked
        # character by character for memcached (only warnings; writes still do):
        # two of these on every answer of the fast path were a sixth of a worker's
        # time in a filled served run (docs/benchmarks.md, 2026-12-07 evening).
        path = self._file_of(self.make_key(key, version))
        try:
            data = _read_file(path)
        except FileNotFoundError:
            return default
        view = io.BytesIO(data)
        try:
            expires = pickle.load(view)
        except EOFError:
            expires = 0  # an empty file is expired, as for Django
        if expires is not None and expires < time.time():
            self._delete(path)
            return default
        return _loads(memoryview(data)[view.tell() :])

    def _file_of(self, key: str) -> str:
        """``_key_to_file`` of a key already made (``make_key``)."""
        digest = hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()
        return os.path.join(self._dir, digest + self.cache_suffix)

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
        if self._writes % self._cull_every:
            return
        names = self._list_cache_files()
        if len(names) < self._max_entries:
            return
        # The expired entries first: an article's old page versions (each change of
        # its live row makes a new key) and the keys of an earlier release stay on
        # disk until read, and Django's random cull took live pages along with them
        # (a third of the cache at each cull once the dead outnumbered the room).
        alive = [name for name in names if not self._expired_file(name)]
        if len(alive) < self._max_entries:
            return
        if self._cull_frequency == 0:
            self.clear()
            return
        for name in random.sample(alive, len(alive) // self._cull_frequency):
            self._delete(name)

    def _expired_file(self, name: str) -> bool:
        """Whether the entry in file ``name`` has expired (then deleted) or is gone."""
        try:
            with open(name, "rb") as f:
                return self._is_expired(f)  # deletes it if so
        except FileNotFoundError:
            return True


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


#: Seconds a process leaves an unreachable Redis alone after a failed call.
RETRY_SECONDS = 5.0


class Breaker:
    """Whether this process should ask one Redis server now (one per server).

    A call that fails opens it: for ``retry_seconds`` no call is sent (each would
    wait for its socket timeout when the server is cut off, or retry a refused
    connection per cache read), then one call tries again. Writes that could not be
    made are kept if they must not be lost (``keep``) and made again, in order,
    by the first call that succeeds after the outage.
    """

    def __init__(self, retry_seconds: float):
        self.retry_seconds = retry_seconds
        self.until = 0.0  # monotonic time before which no call is sent
        self.down = False
        self._made = 0
        self._lost: dict[tuple, Callable[[], Any]] = {}
        self._lock = threading.Lock()

    def closed(self) -> bool:
        return not self.down or time.monotonic() >= self.until

    def failed(self, error: BaseException) -> None:
        if not self.down:
            logger.warning(
                "Redis 无法访问，缓存暂停使用 %s 秒，页面直接从数据库生成："
                " %s / Redis unreachable: caches bypassed, pages rendered from"
                " the database",
                self.retry_seconds,
                error,
            )
        self.down = True
        self.until = time.monotonic() + self.retry_seconds

    def keep(self, what: tuple, write: Callable[[], Any]) -> None:
        """Make ``write`` when the server answers again (the last one for ``what``)."""
        with self._lock:
            self._lost.pop(what, None)
            self._lost[what] = write

    def make_kept_writes(self) -> None:
        """Make the writes kept during the outage, in order, before any other call
        after it: a read must not find what they replace. A failure keeps the ones
        not yet made and raises."""
        with self._lock:
            lost, self._lost = self._lost, {}
        items = list(lost.items())
        for done, (_what, write) in enumerate(items):
            try:
                write()
            except BaseException:
                with self._lock:
                    self._lost = {**dict(items[done:]), **self._lost}
                raise
            self._made += 1

    def answered(self) -> None:
        """A call succeeded after the outage: it is over."""
        self.down = False
        logger.warning(
            "Redis 恢复访问，补写了 %s 项 / Redis reachable again, %s writes made",
            self._made,
            self._made,
        )
        self._made = 0


_breakers: dict[tuple, Breaker] = {}


def breaker_for(servers, retry_seconds: float = RETRY_SECONDS) -> Breaker:
    key = (tuple(servers), retry_seconds)
    found = _breakers.get(key)
    if found is None:
        found = _breakers.setdefault(key, Breaker(retry_seconds))
    return found


class RedisCache(redis.RedisCache):
    """Django's Redis cache that a Redis outage does not take the site down with,
    whose ``clear()`` deletes this cache's keys only, with one redis-py client per
    connection pool (``_RedisCacheClient``).

    Redis holds nothing that must be right (docs/deployment.md): while it cannot be
    reached, a read finds nothing, a write is not made, ``add`` stores nothing
    (False), and pages are rendered from the database. A process that sees a call
    fail sends none for ``RETRY_SECONDS`` (option, default 5: ``Breaker``), so a
    server cut off costs one socket timeout per process per period, not one per
    read. A write without expiry (the public and search tokens that make lists and
    fragments out of date) or a ``clear()`` that could not be made is made when
    Redis answers again, so what changed during the outage is not served stale
    after it.

    Django's ``clear()`` empties the whole Redis database (FLUSHDB): with the
    ``pages``, ``shared`` and ``default`` caches in one database under their own key
    prefixes, clearing the page cache (a restore, a test) would also drop the
    throttle counters and editing notices, and any other site's keys. This one walks
    its own prefix with SCAN (which does not block the server) and UNLINKs the keys
    in batches.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        retry = float(options.pop("RETRY_SECONDS", RETRY_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _RedisCacheClient
        self.breaker = breaker_for(self._servers, retry)

    def _call(self, method, args, fallback=None, *, lost=None):
        """``method(self, *args)`` unless Redis is out of reach, else ``fallback``
        (raised if an exception). ``lost``: what to make again once it answers."""
        breaker = self.breaker
        if breaker.closed():
            try:
                if breaker.down:
                    breaker.make_kept_writes()
                result = method(self, *args)
            except _redis_error() as error:
                breaker.failed(error)
            else:
                if breaker.down:
                    breaker.answered()
                return result
        if lost is not None:
            breaker.keep(lost, lambda: method(self, *args))
        if isinstance(fallback, BaseException):
            raise fallback
        return fallback

    def _persistent(self, key, timeout, version):
        if self.get_backend_timeout(timeout) is None:
            return ("set", self.make_key(key, version=version))
        return None

    def get(self, key, default=None, version=None):
        return self._call(redis.RedisCache.get, (key, default, version), default)

    def get_many(self, keys, version=None):
        return self._call(redis.RedisCache.get_many, (keys, version), {})

    def has_key(self, key, version=None):
        return self._call(redis.RedisCache.has_key, (key, version), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(redis.RedisCache.add, (key, value, timeout, version), False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        lost = self._persistent(key, timeout, version)
        self._call(redis.RedisCache.set, (key, value, timeout, version), lost=lost)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            redis.RedisCache.set_many, (data, timeout, version), list(data)
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(redis.RedisCache.touch, (key, timeout, version), False)

    def delete(self, key, version=None):
        return self._call(redis.RedisCache.delete, (key, version), False)

    def delete_many(self, keys, version=None):
        return self._call(redis.RedisCache.delete_many, (keys, version))

    def incr(self, key, delta=1, version=None):
        missing = ValueError(f"Key '{key}' not found (Redis unreachable)")
        return self._call(redis.RedisCache.incr, (key, delta, version), missing)

    def clear(self):
        return self._call(RedisCache._clear, (), False, lost=("clear", self.key_prefix))

    def _clear(self):
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
            first.breaker,
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
    make_keys, pool, loads, breaker = plan
    if breaker.down:  # the caches' own calls: nothing while out of reach, and the
        return None  # writes kept during the outage first when it answers again
    keys = [make_key(key) for make_key, (_, key) in zip(make_keys, items, strict=True)]
    return SentMget(pool, keys, loads, breaker)


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

    __slots__ = ("breaker", "conn", "fresh", "loads")

    def __init__(self, pool, keys: list[str], loads, breaker: Breaker):
        kept = getattr(_kept, "conn", None)
        pid = os.getpid()
        self.fresh = kept is None or kept[0] is not pool or kept[1] != pid
        if self.fresh:
            if kept is not None and kept[1] == pid:
                kept[0].release(kept[2])
            _kept.conn = None
            try:
                kept = (pool, pid, pool.get_connection())
            except _redis_error() as error:
                breaker.failed(error)
                raise
            _kept.conn = kept
        self.conn, self.loads, self.breaker = kept[2], loads, breaker
        try:
            self.conn.send_command("MGET", *keys)
        except BaseException as error:
            self.abandon(error)
            raise

    def read(self) -> list:
        try:
            values = self.conn.read_response()
        except BaseException as error:
            self.abandon(error)
            raise
        loads = self.loads
        return [None if v is None else loads(v) for v in values]

    def abandon(self, error: BaseException | None = None) -> None:
        _kept.conn = None
        self.conn.disconnect()
        # A kept connection may have been closed by the server while idle (its
        # ``timeout``, a restart): the next MGET takes a new one. A new one that
        # fails says Redis is out of reach.
        if self.fresh and isinstance(error, _redis_error()):
            self.breaker.failed(error)


_PICKLE_START = pickle.PROTO  # b"\x80": how a pickle of protocol 2 or later starts


def _loads(data: bytes | memoryview):
    """A value as either kind of ``FileBasedCache`` wrote it."""
    if data[:1] == _PICKLE_START:
        return pickle.loads(data)
    return pickle.loads(zlib.decompress(data))


_READ_SIZE = 1 << 16


def _read_file(path: str) -> bytes:
    """The whole of the file at ``path``: one ``read`` for a file under 64 KB (a
    shorter read than asked is the end of a regular file)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        data = os.read(fd, _READ_SIZE)
        if len(data) < _READ_SIZE:
            return data
        chunks = [data]
        while chunk := os.read(fd, _READ_SIZE):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _glob_escape(text: str) -> str:
    """``text`` matched literally by a Redis glob pattern (SCAN MATCH)."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)

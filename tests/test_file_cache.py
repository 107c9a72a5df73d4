"""yantai.caching.FileBasedCache: Django's file cache that culls now and then."""

import os
import tempfile
import time
from pathlib import Path

from django.core.cache.backends import filebased
from django.test import SimpleTestCase

from yantai.caching import FileBasedCache


class CountingCache(FileBasedCache):
    listings = 0

    def _list_cache_files(self):
        self.listings += 1
        return super()._list_cache_files()


def cache_in(directory: str, **options) -> CountingCache:
    return CountingCache(directory, {"OPTIONS": options})


class CacheDirectoryTestCase(SimpleTestCase):
    """Each test with a cache directory of its own, ``self.dir``."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def files(self) -> int:
        return len(list(Path(self.dir).glob("*.djcache")))


class FileBasedCacheTests(CacheDirectoryTestCase):
    def test_the_directory_is_listed_once_in_cull_every_writes(self):
        cache = cache_in(self.dir, MAX_ENTRIES=1000, CULL_EVERY=100)
        for n in range(250):
            cache.set("throttle_anon_127.0.0.1", [n], 60)
        self.assertEqual(cache.listings, 2)
        self.assertEqual(cache.get("throttle_anon_127.0.0.1"), [249])

    def test_entries_stay_within_max_entries_plus_cull_every(self):
        cache = cache_in(self.dir, MAX_ENTRIES=10, CULL_EVERY=5, CULL_FREQUENCY=2)
        most = 0
        for n in range(60):
            cache.set(f"k{n}", n, 60)
            most = max(most, self.files())
        self.assertGreater(most, 10)  # culled late …
        self.assertLessEqual(most, 15)  # … but culled
        self.assertEqual(cache.get("k59"), 59)

    def test_the_expired_entries_go_first(self):
        """Old page versions and an earlier release's keys, expired but never read
        again, are culled before any live page (Django's cull, a random third of
        the files, keeps all 19 live ones here in 13 % of runs)."""
        cache = cache_in(self.dir, MAX_ENTRIES=20, CULL_EVERY=1)
        for n in range(15):
            cache.set(f"old{n}", n, 0.05)
        time.sleep(0.1)
        for n in range(19):
            cache.set(f"live{n}", n, 60)
            self.assertLessEqual(self.files(), 20)
        self.assertEqual([cache.get(f"live{n}") for n in range(19)], list(range(19)))
        self.assertEqual(self.files(), 19)  # the expired ones deleted

    def test_cull_every_1_is_djangos_behaviour(self):
        cache = cache_in(self.dir, MAX_ENTRIES=10, CULL_EVERY=1)
        for n in range(30):
            cache.set(f"k{n}", n, 60)
            self.assertLessEqual(self.files(), 10)
        self.assertEqual(cache.listings, 30)


class UncompressedFileCacheTests(CacheDirectoryTestCase):
    """COMPRESS=False (the page cache): plain pickles, and either kind is read."""

    def setUp(self):
        super().setUp()
        self.page = ("<p>" + "质量强市" * 2000 + "</p>").encode()

    def test_values_are_stored_as_plain_pickles_and_read_back(self):
        plain = cache_in(self.dir, COMPRESS=False)
        plain.set("page", (self.page, 1.5), 60)
        (path,) = Path(self.dir).glob("*.djcache")
        self.assertIn(self.page, path.read_bytes())  # not compressed
        self.assertEqual(plain.get("page"), (self.page, 1.5))
        self.assertTrue(plain.touch("page", 120))
        self.assertEqual(plain.get("page"), (self.page, 1.5))
        self.assertFalse(plain.touch("missing"))
        self.assertIsNone(plain.get("missing"))

    def test_switching_either_way_needs_no_emptying(self):
        cache_in(self.dir, COMPRESS=True).set("old", self.page, 60)
        cache_in(self.dir, COMPRESS=False).set("new", self.page, 60)
        for compress in (True, False):
            with self.subTest(compress=compress):
                cache = cache_in(self.dir, COMPRESS=compress)
                self.assertEqual(cache.get("old"), self.page)
                self.assertEqual(cache.get("new"), self.page)

    def test_an_expired_entry_is_missing_and_its_file_deleted(self):
        plain = cache_in(self.dir, COMPRESS=False)
        plain.set("page", self.page, -1)
        self.assertEqual(plain.get("page", "default"), "default")
        self.assertEqual(self.files(), 0)  # as Django's get deletes it


class ReadTests(CacheDirectoryTestCase):
    """``get`` reads a file in one system call where Django's took several: the same
    values, defaults and deletions as Django's own file cache."""

    def test_values_of_every_size_read_back_as_djangos_cache_reads_them(self):
        ours = cache_in(self.dir, COMPRESS=False)
        djangos = filebased.FileBasedCache(self.dir, {})
        for size in (0, 1, 65_535, 65_536, 65_537, 300_000):
            with self.subTest(size=size):
                value = os.urandom(size)  # incompressible: files past 64 KB both ways
                ours.set(f"v{size}", value, 60)
                djangos.set(f"d{size}", value, 60)
                self.assertEqual(ours.get(f"v{size}"), value)
                self.assertEqual(ours.get(f"d{size}"), value)
                self.assertEqual(djangos.get(f"d{size}"), value)

    def test_the_file_is_djangos_for_every_key_and_version(self):
        cache = cache_in(self.dir, KEY_PREFIX="p")
        for key in ("page", "https://例子.cn/news/1/"):
            for version in (None, 2):
                path = cache._key_to_file(key, version)
                self.assertEqual(cache._file_of(cache.make_key(key, version)), path)

    def test_a_missing_or_empty_file_is_the_default(self):
        cache = cache_in(self.dir)
        self.assertEqual(cache.get("missing", "default"), "default")
        Path(cache._key_to_file("empty")).write_bytes(b"")
        self.assertEqual(cache.get("empty", "default"), "default")
        self.assertFalse(Path(cache._key_to_file("empty")).exists())

    def test_a_value_kept_for_ever_reads_back(self):
        cache = cache_in(self.dir, COMPRESS=False)
        cache.set("page", [1, "二"], None)
        self.assertEqual(cache.get("page"), [1, "二"])


class WithoutRedisTests(SimpleTestCase):
    def test_a_site_on_the_file_caches_never_imports_redis_py(self):
        """Importing redis-py (its asyncio client with it) cost every process ~0.1 s
        of its start, every ``manage.py`` command and gunicorn worker: a site with
        no ``REDIS_URL`` does not pay it, even after using each of its caches."""
        from tests.test_deploy_settings import clean_env, python

        code = (
            "import sys, django\n"
            "django.setup()\n"
            "from django.conf import settings\n"
            "from django.core.cache import caches\n"
            "for alias in settings.CACHES:\n"
            "    caches[alias].set('k', 1)\n"
            "    assert caches[alias].get('k') == 1, alias\n"
            "print(sorted(settings.CACHES), 'redis' in sys.modules)\n"
        )
        env = clean_env(DJANGO_SECRET_KEY="file-cache-test-key", DATABASE_URL="")
        result = python(code, env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.rstrip().endswith("False"), result.stdout)
        # The same code with redis-py imported first says so: the test can fail.
        result = python("import redis\n" + code, env)
        self.assertTrue(result.stdout.rstrip().endswith("True"), result.stdout)

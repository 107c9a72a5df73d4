"""yantai.caching.FileBasedCache: Django's file cache that culls now and then."""

import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from yantai.caching import FileBasedCache


class CountingCache(FileBasedCache):
    listings = 0

    def _list_cache_files(self):
        self.listings += 1
        return super()._list_cache_files()


def cache_in(directory: str, **options) -> CountingCache:
    return CountingCache(directory, {"OPTIONS": options})


class FileBasedCacheTests(SimpleTestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def files(self) -> int:
        return len(list(Path(self.dir).glob("*.djcache")))

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

    def test_cull_every_1_is_djangos_behaviour(self):
        cache = cache_in(self.dir, MAX_ENTRIES=10, CULL_EVERY=1)
        for n in range(30):
            cache.set(f"k{n}", n, 60)
            self.assertLessEqual(self.files(), 10)
        self.assertEqual(cache.listings, 30)

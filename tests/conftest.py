"""Every test starts with an empty page cache and empty shared state.

The rendered pages live on disk (``pages`` cache), and a test's database is rolled
back after it while the files stay: a later test whose article has the same id and
version would otherwise be served a page of an earlier test. The ``shared`` cache
(editing notices, throttle counters, API counts) is on disk too.
"""

import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _empty_page_cache():
    caches["pages"].clear()
    caches["shared"].clear()

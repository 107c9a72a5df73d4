"""Every test starts with an empty page cache and empty shared state.

The rendered pages live on disk (``pages`` cache), and a test's database is rolled
back after it while the files stay: a later test whose article has the same id and
version would otherwise be served a page of an earlier test. The ``shared`` cache
(editing notices, throttle counters, API counts) is on disk too.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.core.cache import caches
from django.utils import translation


@pytest.fixture(autouse=True)
def _empty_page_cache():
    caches["pages"].clear()
    caches["shared"].clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request through the test client
    leaves its language (/en/…) active in the thread, and a later test that reverses
    a URL or formats a date would otherwise depend on which test ran before it."""
    translation.deactivate()
    yield
    translation.deactivate()


# --- system packages the suite needs: named in one line, before anything runs -------

CHROMIUM = "/usr/bin/chromium"


def _cjk_font_installed() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    out = subprocess.run(
        [fc_list, ":lang=zh"], capture_output=True, text=True, check=False
    ).stdout
    return bool(out.strip())


def pytest_collection_modifyitems(session, config, items):
    """Stop with one clear line when a system package the chosen tests need is
    missing (Debian's packages; README, “Tests and CI”), instead of a page of
    tracebacks from every browser or catalog test."""
    paths = {str(item.path) for item in items}
    browser = any(f"{os.sep}tests{os.sep}browser{os.sep}" in p for p in paths)
    catalogs = any(p.endswith("test_translations.py") for p in paths)
    reports = any(f"{os.sep}test_report" in p for p in paths)
    missing = []
    if browser and not os.access(CHROMIUM, os.X_OK):
        missing.append(f"chromium ({CHROMIUM})")
    if (browser or reports) and not _cjk_font_installed():
        missing.append("fonts-noto-cjk (no Chinese font for fc-list :lang=zh)")
    if catalogs and not (shutil.which("xgettext") and shutil.which("msgattrib")):
        missing.append("gettext (xgettext, msgattrib)")
    if reports and not shutil.which("pdftotext"):
        missing.append("poppler-utils (pdftotext, pdffonts)")
    if missing:
        pytest.exit(
            "缺少系统软件包 / missing system packages: "
            + ", ".join(missing)
            + " — apt-get install chromium fonts-noto-cjk gettext poppler-utils",
            returncode=1,
        )


SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "test-screenshots"
_STARTED = time.time()


def pytest_terminal_summary(terminalreporter):
    """Name where this run's browser tests left their screenshots (each public page
    type at 390 and 1366 px: tests/browser/test_a11y.py), so they can be looked at."""
    if SCREENSHOTS.is_dir():
        new = [p for p in SCREENSHOTS.glob("*.png") if p.stat().st_mtime >= _STARTED]
        if new:
            terminalreporter.write_line(f"{len(new)} screenshots in {SCREENSHOTS}")

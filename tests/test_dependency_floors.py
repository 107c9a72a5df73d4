"""Installed versions are at or above the fixes of known advisories (issue #13 §5).

``pip-audit`` against this machine's package index skips every package and still
reports "No known vulnerabilities", which proves nothing; docs/operations.md says how
to run it where the advisory database is reachable. This table is the check that
runs everywhere: each floor names the advisory (or the reason) that sets it. Raise a
floor when a new advisory is published; never lower one.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

# package: (lowest safe version, advisory / reason)
FLOORS: dict[str, tuple[str, str]] = {
    "Django": (
        "5.2.19",
        "the newest 5.2.x on the index (pip index versions django): every 5.2 "
        "security release, e.g. CVE-2025-64459 (SQL injection through Q/_connector, "
        "5.2.8), CVE-2025-57833 (FilteredRelation alias SQL injection, 5.2.6)",
    ),
    "Pillow": (
        "11.3.0",
        "CVE-2025-48379 (DDS write heap overflow, 11.3.0); CVE-2024-28219 "
        "(_imagingcms buffer overflow, 10.3.0); CVE-2023-50447 (ImageMath.eval code "
        "execution, 10.2.0)",
    ),
    "djangorestframework": (
        "3.15.2",
        "CVE-2024-21520 (XSS in the browsable API's break_long_headers filter)",
    ),
    "gunicorn": (
        "23.0.0",
        "CVE-2024-1135 and CVE-2024-6827 (HTTP request smuggling through "
        "Transfer-Encoding handling)",
    ),
    "nh3": (
        "0.3.8",
        "issue #13 §5: the sanitiser's fixes up to 0.3.8 (advisory not checkable "
        "offline; confirm with pip-audit, docs/operations.md)",
    ),
    "sqlparse": (
        "0.5.0",
        "CVE-2024-4340 (deeply nested list: RecursionError, denial of service)",
    ),
    "requests": (
        "2.32.4",
        "CVE-2024-47081 (.netrc credentials sent to the wrong host); CVE-2024-35195 "
        "(verify=False sticks to a session, 2.32.0)",
    ),
    "urllib3": (
        "2.5.0",
        "CVE-2025-50181/CVE-2025-50182 (redirects not disabled as asked); "
        "CVE-2024-37891 (Proxy-Authorization kept on cross-origin redirect, 2.2.2)",
    ),
    "Werkzeug": (
        "3.0.6",
        "CVE-2024-49766, CVE-2024-49767 (safe_join, multipart memory), "
        "CVE-2024-34069 (debugger, 3.0.3)",
    ),
    "idna": ("3.7", "CVE-2024-3651 (quadratic-time encode, denial of service)"),
    "certifi": ("2024.7.4", "CVE-2024-39689 (GLOBALTRUST roots removed)"),
    "setuptools": (
        "78.1.1",
        "CVE-2025-47273 (path traversal in PackageIndex); CVE-2024-6345 (code "
        "execution through package_index URLs, 70.0.0); in .venv since Python 3.11's "
        "venv bundles 65.5.0",
    ),
    "pip": ("25.3", "CVE-2025-8869 (symlinks escaping an sdist's directory)"),
    "PyYAML": ("5.4", "CVE-2020-14343 (full_load code execution)"),
}

# The project's own runtime dependencies: pinned in requirements.txt and installed.
# The rest (Django's and the test tools' dependencies) are checked when present.
PINNED = {"Django", "Pillow", "djangorestframework", "gunicorn", "nh3", "setuptools"}
REQUIRED = PINNED | {"sqlparse", "pip"}


def parse(text: str) -> tuple[int, ...]:
    """``"2024.07.04"`` → ``(2024, 7, 4)``; a pre/post-release tail is ignored (a
    pre-release of the floor itself is not enough, hence the strict check below)."""
    match = re.match(r"\d+(?:\.\d+)*", text)
    assert match, text
    numbers = [int(part) for part in match.group().split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def at_least(installed: str, floor: str) -> bool:
    if re.search(r"(a|b|rc|dev)\d*$", installed) and parse(installed) == parse(floor):
        return False
    return parse(installed) >= parse(floor)


class DependencyFloorTests(SimpleTestCase):
    def test_installed_versions_meet_the_floors(self):
        for package, (floor, reason) in FLOORS.items():
            with self.subTest(package=package):
                try:
                    installed = version(package)
                except PackageNotFoundError:
                    self.assertNotIn(package, REQUIRED, f"{package} is not installed")
                    continue
                self.assertTrue(
                    at_least(installed, floor),
                    f"{package} {installed} < {floor}: {reason}",
                )

    def test_pins_meet_the_floors(self):
        """requirements*.txt pin no version below a floor (so that a fresh install
        is safe too, not only this .venv)."""
        root = Path(settings.BASE_DIR)
        pins = {}
        for name in ("requirements.txt", "requirements-dev.txt"):
            for line in (root / name).read_text(encoding="utf-8").splitlines():
                match = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==(\S+)", line)
                if match:
                    pins[match.group(1).lower()] = match.group(2)
        for package, (floor, reason) in FLOORS.items():
            pinned = pins.get(package.lower())
            if package in PINNED:
                self.assertIsNotNone(pinned, f"{package} is not pinned")
            if pinned is not None:
                with self.subTest(package=package):
                    self.assertTrue(
                        at_least(pinned, floor),
                        f"{package}=={pinned} < {floor}: {reason}",
                    )

    def test_version_comparison(self):
        self.assertTrue(at_least("5.2.19", "5.2.19"))
        self.assertTrue(at_least("5.2.20", "5.2.19"))
        self.assertTrue(at_least("6.0", "5.2.19"))
        self.assertFalse(at_least("5.2.9", "5.2.19"))
        self.assertTrue(at_least("2024.07.04", "2024.7.4"))
        self.assertTrue(at_least("3.0", "3"))
        self.assertFalse(at_least("0.3.8rc1", "0.3.8"))
        self.assertTrue(at_least("2026.10.19.post1", "2024.7.4"))

"""The English catalog is complete: every string in the code has a translation.

``makemessages`` is run on a copy of the project (the real catalogs stay as they
are) and the copy's ``locale/en`` catalog must then have no empty and no fuzzy
entries — so a string added without running makemessages, or added and left
untranslated, fails here.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

SKIP = shutil.ignore_patterns(
    ".venv",
    ".git",
    "var",
    "media",
    "staticfiles",
    "bench",
    "node_modules",
    "__pycache__",
    "*.sqlite3*",
    ".ruff_cache",
)


class EnglishCatalogTests(SimpleTestCase):
    maxDiff = None

    def test_every_string_is_extracted_and_translated(self):
        root = Path(settings.BASE_DIR)
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "project"
            shutil.copytree(root, copy, ignore=SKIP)
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    "-l",
                    "en",
                    "--no-obsolete",
                    "-v",
                    "0",
                ],
                cwd=copy,
                check=True,
                timeout=300,
                env={
                    "PATH": "/usr/bin:/bin",
                    "DJANGO_SETTINGS_MODULE": "yantai.settings",
                },
            )
            po = copy / "locale" / "en" / "LC_MESSAGES" / "django.po"
            untranslated = self.msgattrib(po, "--untranslated")
            fuzzy = self.msgattrib(po, "--only-fuzzy")
        self.assertEqual(untranslated, [], "untranslated: run makemessages -l en")
        self.assertEqual(fuzzy, [], "fuzzy: check and translate these")

    @staticmethod
    def msgattrib(po: Path, flag: str) -> list[str]:
        """The msgids ``msgattrib flag`` keeps, without the catalog header."""
        out = subprocess.run(
            ["msgattrib", flag, "--no-wrap", str(po)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return [
            line[len('msgid "') : -1]
            for line in out.splitlines()
            if line.startswith('msgid "') and line != 'msgid ""'
        ]

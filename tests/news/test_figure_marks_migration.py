"""Migration news 0025: figure marks stored with the English indicator address
(written in an English request before the marks stored the Chinese one) get the
Chinese address back and their digest anew; other rows are left as they are. The
function runs on the historical models of the migration executor, as ``migrate``
runs it."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase

from news.extensions import marks_digest
from news.models import ArticleFigures
from tests.factories import ArticleFactory

MIGRATION = "0025_figure_marks_chinese_urls"


def mark(url: str, text: str = "604") -> dict:
    return {"text": text, "url": url, "indicator": "standards_national"}


class FigureMarksAddressMigrationTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        executor = MigrationExecutor(connection)
        cls.historical = executor.loader.project_state(("news", MIGRATION)).apps

    def run_migration(self):
        importlib.import_module(f"news.migrations.{MIGRATION}").chinese_addresses(
            self.historical, SimpleNamespace(connection=connection)
        )

    def store(self, marks: list[dict]) -> ArticleFigures:
        return ArticleFigures.objects.create(
            article=ArticleFactory(), marks=marks, digest=marks_digest(marks)
        )

    def test_english_addresses_become_chinese_with_a_new_digest(self):
        row = self.store(
            [
                mark("/en/quality/indicators/standards_national/"),
                mark("/quality/indicators/brands/", "181"),
            ]
        )
        self.run_migration()
        row.refresh_from_db()
        self.assertEqual(
            [m["url"] for m in row.marks],
            ["/quality/indicators/standards_national/", "/quality/indicators/brands/"],
        )
        self.assertEqual(row.digest, marks_digest(row.marks))

    def test_chinese_rows_are_left_alone_and_a_second_run_does_nothing(self):
        chinese = self.store([mark("/quality/indicators/brands/")])
        english = self.store([mark("/en/quality/indicators/brands/")])
        before = (chinese.marks, chinese.digest)
        self.run_migration()
        english.refresh_from_db()
        after_first = (english.marks, english.digest)
        self.run_migration()
        chinese.refresh_from_db()
        english.refresh_from_db()
        self.assertEqual((chinese.marks, chinese.digest), before)
        self.assertEqual((english.marks, english.digest), after_first)

    def test_a_quote_that_mentions_the_address_is_not_touched(self):
        """Only a mark's url changes, not text that happens to hold the string."""
        row = self.store([mark("/quality/indicators/x/", text="见 /en/quality/ 页面")])
        self.run_migration()
        row.refresh_from_db()
        self.assertEqual(row.marks[0]["text"], "见 /en/quality/ 页面")
        self.assertEqual(row.marks[0]["url"], "/quality/indicators/x/")

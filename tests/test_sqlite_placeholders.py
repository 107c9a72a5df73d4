"""yantai.sqlite: each statement's placeholders converted once, to what Django's own
SQLite cursor converts them to."""

import sqlite3

from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangoCursor
from django.test import SimpleTestCase, TestCase

from yantai.sqlite.base import CONVERTED_MAX_CHARS, SQLiteCursorWrapper


class PlaceholderTests(SimpleTestCase):
    def setUp(self):
        self.db = sqlite3.connect(":memory:")
        self.addCleanup(self.db.close)
        self.ours = self.db.cursor(factory=SQLiteCursorWrapper)
        self.djangos = self.db.cursor(factory=DjangoCursor)

    def test_the_same_statement_as_djangos(self):
        queries = [
            "SELECT %s",
            "SELECT %s, %s FROM t WHERE a = %s",
            "SELECT '100%%' WHERE b LIKE '%%x%%' AND c = %s",
            "SELECT '%%s', %s",  # a literal %s
            "SELECT 1",
            "SELECT %s" + " " * CONVERTED_MAX_CHARS + ", %s",  # too long to keep
        ]
        for query in queries:
            with self.subTest(query=query[:40]):
                for _ in range(2):  # converted, then remembered
                    self.assertEqual(
                        self.ours.convert_query(query),
                        self.djangos.convert_query(query),
                    )
        named = "SELECT %(a)s, %(b)s"
        self.assertEqual(
            self.ours.convert_query(named, param_names=["a", "b"]),
            self.djangos.convert_query(named, param_names=["a", "b"]),
        )


class CursorTests(TestCase):
    def test_the_connections_cursor_runs_them(self):
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's cursor")
        with connection.cursor() as cursor:
            self.assertIsInstance(cursor.cursor, SQLiteCursorWrapper)
            for _ in range(2):
                cursor.execute("SELECT '100%%', '%%s', %s, %s", [1, "二"])
                self.assertEqual(cursor.fetchall(), [("100%", "%s", 1, "二")])
            cursor.execute("SELECT %(a)s, %(b)s", {"a": 1, "b": 2})
            self.assertEqual(cursor.fetchall(), [(1, 2)])

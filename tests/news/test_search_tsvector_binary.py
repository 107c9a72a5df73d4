"""PostgreSQL: the bulk import's ``document`` in binary form
(``news.search.tsvector_binary``, sent by a binary ``COPY``) is the server's
``setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple',
body), 'B')``: every case of ``test_search_tsvector`` (the sample pages, every Han
character of the basic block, random words, the caps), read by the server from the
binary form, gives the same tsvector as the server's and, stored, the same value in
as many bytes as its text form (``tsvector_text``, what the import sent before).
"""

from unittest import skipUnless

from django.db import connection

from news import search
from tests.news import test_search_tsvector as text_tests


def stored(binary: bytes, text: str) -> tuple[str, bool, int, int]:
    """A row of each form stored: the binary one's text, whether the two are equal
    (tsvector's = compares the stored sizes too), and their stored sizes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS given_document (n int, d tsvector)"
        )
        cursor.execute("TRUNCATE given_document")
        sql = "COPY given_document (n, d) FROM STDIN (FORMAT BINARY)"
        with cursor.cursor.copy(sql) as copy:
            copy.set_types(["int4", "bytea"])
            copy.write_row([1, binary])
        cursor.execute("INSERT INTO given_document VALUES (2, %s::tsvector)", [text])
        cursor.execute(
            "SELECT b.d::text, b.d = t.d, pg_column_size(b.d), pg_column_size(t.d)"
            " FROM given_document b, given_document t WHERE b.n = 1 AND t.n = 2"
        )
        return cursor.fetchone()


@skipUnless(connection.vendor == "postgresql", "the tsvector is PostgreSQL's")
class TsvectorBinaryTests(text_tests.TsvectorTextTests):
    def assertServers(self, title: str, body: str) -> None:
        mine = search.tsvector_binary(title, body)
        self.assertIsNotNone(mine, (title[:50], body[:50]))
        text, equal, size, text_size = stored(mine, search.tsvector_text(title, body))
        self.assertEqual(text, text_tests.server(title, body))
        self.assertTrue(equal)
        self.assertEqual(size, text_size)

    def test_words_the_parser_may_cut_are_left_to_the_server(self):
        for title, body in [
            ("", "1e5abc"),
            ("a_b", ""),
            ("", "café"),
            ("", "ABC"),
            ("", "2024年"),
            ("", "x" * 200),
            ("x " * 300, "1e5abc"),  # a capped row too
        ]:
            with self.subTest(title=title[:20], body=body):
                self.assertIsNone(search.tsvector_binary(title, body))

"""PostgreSQL: the search index's ``document`` worked out in Python
(``news.search.tsvector_text``, for the bulk import's workers) is the server's
``setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple',
body), 'B')``, and migration 0016's trigger fills it for every other write.

Compared as the server reads the text back (``::tsvector::text``), over the sample
pages, every Han character of the basic block, random words of the classes the
function takes, and the caps: 255 positions a lexeme, the 16,383rd word, 256
positions a lexeme after ``||``.
"""

import random
from pathlib import Path
from unittest import skipUnless

from django.db import connection
from django.test import TestCase

from news import search
from news.models import ArticleSearch
from news.parsing import parse_page_text
from tests.factories import ArticleFactory

PAGES = Path(__file__).parent / "pages"
SERVER = (
    "SELECT (setweight(to_tsvector('simple', %s), 'A')"
    " || setweight(to_tsvector('simple', %s), 'B'))::text"
)


def server(title: str, body: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(SERVER, [title, body])
        return cursor.fetchone()[0]


def read_back(text: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsvector::text", [text])
        return cursor.fetchone()[0]


@skipUnless(connection.vendor == "postgresql", "the tsvector is PostgreSQL's")
class TsvectorTextTests(TestCase):
    def assertServers(self, title: str, body: str) -> None:
        mine = search.tsvector_text(title, body)
        self.assertIsNotNone(mine, (title[:50], body[:50]))
        self.assertEqual(read_back(mine), server(title, body))

    def test_sample_pages(self):
        pages = sorted(PAGES.glob("*.txt"))
        self.assertGreater(len(pages), 5)
        for path in pages:
            page = parse_page_text(path.read_bytes())
            body_text = "\n".join(block.text for block in page.blocks)
            title, body = search.document_words(
                title=page.title,
                kicker="",
                subtitle=page.subtitle,
                summary=body_text[:120],
                body_text=body_text,
                tag_names=[],
                names=[credit.name for credit in page.credits],
            )
            with self.subTest(page=path.name):
                self.assertServers(title, body)

    def test_words_the_parser_takes_whole(self):
        cases = [
            ("", ""),
            ("质量", ""),
            ("", "质量 质量"),
            ("质量 强市 质量", "质量 标准 强市 质量 007 2024 a1 abc123 x1y2 中文abc"),
            ("abc中文 年2024 z", "a1b2c3 年 2024 q 中 0 00"),
        ]
        for title, body in cases:
            with self.subTest(title=title, body=body):
                self.assertServers(title, body)

    def test_every_han_character_of_the_basic_block_and_ascii(self):
        characters = [chr(c) for c in range(0x4E00, 0xA000)]
        characters += list("abcdefghijklmnopqrstuvwxyz0123456789")
        for start in range(0, len(characters), 2000):
            chunk = characters[start : start + 2000]
            with self.subTest(start=hex(ord(chunk[0]))):
                # Each alone, and each run into the next (words of two).
                pairs = [a + b for a, b in zip(chunk[::2], chunk[1::2], strict=False)]
                self.assertServers(" ".join(chunk[:10]), " ".join(chunk + pairs))

    def test_random_words(self):
        rng = random.Random(16)
        letters = "abcxyz质量标准烟台鿿一"
        alphabet = letters + "0123456789"
        for n in range(200):
            words = []
            for _ in range(rng.randint(0, 60)):
                if rng.random() < 0.2:
                    words.append(str(rng.randint(0, 10 ** rng.randint(1, 6))))
                else:
                    first = rng.choice(letters)
                    rest = rng.choices(alphabet, k=rng.randint(0, 5))
                    words.append(first + "".join(rest))
            cut = rng.randint(0, len(words))
            with self.subTest(n=n):
                self.assertServers(" ".join(words[:cut]), " ".join(words[cut:]))

    def test_the_caps(self):
        cases = [
            ("", "x " * 300),  # 255 positions a lexeme
            ("x " * 200, "x " * 200),  # 256 after ||
            ("x " * 255, "x y"),  # the title's 255: none of the body's
            ("t", "y " * 16390 + "z w"),  # past the 16,383rd word
            ("a b " * 10, "b " * 16380 + "a c"),  # shifted to the last position
        ]
        for title, body in cases:
            with self.subTest(title=title[:20], body=body[:20]):
                self.assertServers(title.strip(), body.strip())

    def test_words_the_parser_may_cut_are_left_to_the_server(self):
        for title, body in [
            ("", "1e5abc"),  # a number in scientific notation, then a word
            ("a_b", ""),
            ("", "café"),
            ("", "ABC"),  # not lower-cased
            ("", "2024年"),  # digits, then a letter
            ("", "x" * 200),
        ]:
            with self.subTest(title=title, body=body):
                self.assertIsNone(search.tsvector_text(title, body))


@skipUnless(connection.vendor == "postgresql", "the trigger is PostgreSQL's")
class DocumentTriggerTests(TestCase):
    def document(self, article_id: int) -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT document::text FROM news_article_search WHERE article_id = %s",
                [article_id],
            )
            return cursor.fetchone()[0]

    def test_every_write_of_the_orm_gets_the_servers_document(self):
        article = ArticleFactory()
        ArticleSearch.objects.filter(article_id=article.pk).delete()
        row = ArticleSearch.objects.create(
            article_id=article.pk, title="质量 强市", body="质量 标准 1e5abc"
        )
        self.assertEqual(self.document(article.pk), server(row.title, row.body))
        row.body = "计量 标准"
        row.save()
        self.assertEqual(self.document(article.pk), server(row.title, "计量 标准"))

    def test_a_given_document_is_kept_and_null_is_filled(self):
        one, two = ArticleFactory(), ArticleFactory()
        ArticleSearch.objects.filter(article_id__in=[one.pk, two.pk]).delete()
        given = search.tsvector_text("质量", "标准 质量")
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO news_article_search (article_id, title, body, document)"
                " VALUES (%s, %s, %s, %s::tsvector), (%s, %s, %s, NULL)",
                [one.pk, "质量", "标准 质量", given, two.pk, "计量", "标准"],
            )
        self.assertEqual(self.document(one.pk), server("质量", "标准 质量"))
        self.assertEqual(self.document(two.pk), server("计量", "标准"))

"""The publishing import's 错敏字 pre-check done while parsing (``news.bulk.prepare``)
on SQLite, where the writer is the serial path: a page says whether it holds one of
the words active when it was parsed, and the writer trusts that only for the same
words; otherwise (and on PostgreSQL, whose workers are the slower side) it checks
the page itself."""

from __future__ import annotations

import random
import re
import tempfile
from pathlib import Path

from django.db import connection
from django.test import SimpleTestCase, TestCase

from news.bulk import (
    REFUSED,
    BatchWriter,
    Source,
    _active_words,
    _Parser,
    _words_pattern,
    prepare,
)
from news.models import Article, Channel, SensitiveWord
from tests.news.test_import_bulk import seed_variant


class WordcheckWhileParsingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = Channel.objects.create(name="烟台新闻", slug="yantai")

    def setUp(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.sources = []
        for number in (1, 2):
            path = folder / f"{number}.txt"
            path.write_text(seed_variant(number), encoding="utf-8")
            self.sources.append(Source(str(path), "text", str(path)))

    def parsed(self, words: tuple[str, ...]):
        items = [prepare(s, index=True, words=words) for s in self.sources]
        for item in items:
            item.checked_words = words  # as news.bulk._Parser gives a batch
        return items

    def test_a_page_says_whether_it_holds_an_active_word(self):
        SensitiveWord.objects.create(wrong="测试稿第 2 篇", correct="测试稿")
        first, second = self.parsed(_active_words())
        self.assertIs(first.clean, True)
        self.assertIs(second.clean, False)
        self.assertIsNone(prepare(self.sources[0], index=True).clean)

    def test_the_writer_checks_again_a_page_parsed_before_a_word_was_added(self):
        items = self.parsed(_active_words())
        self.assertEqual([item.clean for item in items], [True, True])
        SensitiveWord.objects.create(wrong="测试稿第 2 篇", correct="测试稿")
        writer = BatchWriter(channel=self.channel, publish=True, by=None)
        outcomes = writer.write(items)
        self.assertEqual(outcomes[1].status, REFUSED)
        self.assertIn("错敏字检查发现 1 处问题", outcomes[1].message)
        self.assertEqual(Article.objects.count(), 1)

    def test_the_writer_trusts_a_page_parsed_with_the_same_words(self):
        SensitiveWord.objects.create(wrong="测试稿第 2 篇", correct="测试稿")
        items = self.parsed(_active_words())
        writer = BatchWriter(channel=self.channel, publish=True, by=None)
        outcomes = writer.write(items)
        self.assertEqual([o.status for o in outcomes], ["created", REFUSED])

    def test_the_parser_looks_for_the_words_on_sqlite_only(self):
        SensitiveWord.objects.create(wrong="测试稿第 2 篇", correct="测试稿")
        writer = BatchWriter(channel=self.channel, publish=True, by=None)
        items = _Parser(jobs=1, index=True, writer=writer).submit(self.sources)()
        if connection.vendor == "sqlite":
            self.assertEqual([item.clean for item in items], [True, False])
            self.assertEqual(items[0].checked_words, _active_words())
        else:
            self.assertEqual([item.clean for item in items], [None, None])
        outcomes = writer.write(items)
        self.assertEqual([o.status for o in outcomes], ["created", REFUSED])


class AnyWordPatternTests(SimpleTestCase):
    """The pattern each word of which is matched from its rarest character finds a
    word exactly where the plain alternation of the words does."""

    WORDS = (
        "一愁莫展",
        "中华人民共合国",
        "工商局",
        "按装",
        "a.b",
        "(图)",
        "既使",
        "獃",
    )

    def test_a_word_is_found_wherever_it_stands_and_nowhere_else(self):
        pattern = _words_pattern(self.WORDS)
        for word in self.WORDS:
            with self.subTest(word=word):
                self.assertTrue(pattern.search(word))
                self.assertTrue(pattern.search(f"前文{word}"))
                self.assertTrue(pattern.search(f"{word}后文"))
                if len(word) > 1:
                    self.assertFalse(pattern.search(word[:-1] + "。" + word[-1:]))
        self.assertFalse(pattern.search("一愁展莫，axb，图，中华人民共和国"))

    def test_the_same_answer_as_the_alternation_of_the_words(self):
        rnd = random.Random(16)
        letters = "".join(set("".join(self.WORDS))) + "的是了。"
        for _ in range(20000):
            words = tuple(rnd.sample(self.WORDS, rnd.randint(1, 4)))
            text = "".join(rnd.choice(letters) for _ in range(rnd.randint(0, 12)))
            if rnd.random() < 0.3:
                at = rnd.randint(0, len(text))
                text = text[:at] + rnd.choice(words) + text[at:]
            plain = re.compile("|".join(map(re.escape, words)))
            self.assertEqual(
                bool(_words_pattern(words).search(text)),
                bool(plain.search(text)),
                (words, text),
            )

    def test_an_empty_word_matches_everywhere_as_before(self):
        self.assertTrue(_words_pattern(("", "按装")).search("无"))

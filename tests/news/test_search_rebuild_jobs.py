"""``rebuild_search_index --jobs N``: worker processes cut the words (and on
PostgreSQL the tsvector), the main process writes; the index is the one that saving
the articles one by one makes, whatever the number of processes or the batch size."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase

from news import search
from news.models import Article, ArticleSearch
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    TagFactory,
    Terminal,
    published_sample_pages,
)


def run(*args, stderr=None) -> str:
    out = StringIO()
    call_command("rebuild_search_index", *args, stdout=out, stderr=stderr or StringIO())
    return out.getvalue()


def index() -> list[tuple]:
    """Every index row, with PostgreSQL's tsvector as its text."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT article_id, title, body, document::text "
                "FROM news_article_search ORDER BY article_id"
            )
            return cursor.fetchall()
    return list(
        ArticleSearch.objects.order_by("article_id").values_list(
            "article_id", "title", "body"
        )
    )


class RebuildInParallelTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        published_sample_pages()
        # Tags (in the database's order, not the order given), a kicker, names.
        cls.tagged = tagged = ArticleFactory(
            kicker="肩题：标准化", title="国家标准宣贯第1场"
        )
        tagged.tags.set([TagFactory(name="计量"), TagFactory(name="标准化")])
        BylineFactory(article=tagged, person__name="逄苗")
        ArticleFactory(title="国家标准草稿", status=Article.Status.DRAFT)
        cls.count = Article.objects.filter(status=Article.Status.PUBLISHED).count()

    def one_by_one(self) -> list[tuple]:
        """The index as saving each article writes it (news.signals' path)."""
        ArticleSearch.objects.all().delete()
        for pk in Article.objects.order_by("pk").values_list("pk", flat=True):
            search.index_article(pk)
        return index()

    def test_any_number_of_processes_writes_the_index_of_one_by_one(self):
        self.assertGreaterEqual(self.count, 10)
        expected = self.one_by_one()
        self.assertEqual(len(expected), self.count)
        for jobs, size in [("1", "500"), ("2", "500"), ("2", "3"), ("3", "1")]:
            with self.subTest(jobs=jobs, batch_size=size):
                ArticleSearch.objects.all().delete()
                out = run("--jobs", jobs, "--batch-size", size)
                self.assertIn(f"已收录 {self.count} 篇文章，用时", out)
                self.assertEqual(index(), expected)
        response = self.client.get("/search/", {"q": "宣贯"})
        self.assertEqual(response.context["paginator"].count, 1)
        self.assertContains(response, f'href="/news/{self.tagged.pk}/"')

    def test_rows_of_articles_no_longer_public_are_dropped(self):
        run("--jobs", "2")
        article = Article.objects.filter(status=Article.Status.PUBLISHED).first()
        Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
        run("--jobs", "2", "--batch-size", "4")
        self.assertEqual(ArticleSearch.objects.count(), self.count - 1)
        self.assertFalse(ArticleSearch.objects.filter(article_id=article.pk).exists())

    def test_the_index_is_kept_by_its_triggers_after_a_rebuild(self):
        if connection.vendor == "sqlite":
            triggers = self.triggers()
            self.assertEqual(len(triggers), 3)
        run("--jobs", "2", "--batch-size", "4")
        if connection.vendor == "sqlite":
            # The delete trigger, set aside during the rebuild, is back as it was.
            self.assertEqual(self.triggers(), triggers)
            self.check_fts()
        # A row taken out later leaves the full-text index with it.
        search.remove_article(self.tagged.pk)
        response = self.client.get("/search/", {"q": "宣贯"})
        self.assertEqual(response.context["paginator"].count, 0)
        if connection.vendor == "sqlite":
            self.check_fts()

    @staticmethod
    def triggers() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                " AND tbl_name = 'news_article_search' ORDER BY name"
            )
            return cursor.fetchall()

    @staticmethod
    def check_fts() -> None:
        """FTS5's own check of its index against the rows (raises if they differ)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO news_article_fts(news_article_fts, rank)"
                " VALUES ('integrity-check', 1)"
            )

    def test_progress_bar_on_a_terminal_and_one_summary_line(self):
        terminal = Terminal()
        out = run("--jobs", "2", "--batch-size", "5", stderr=terminal)
        bar = terminal.getvalue()
        self.assertIn("收录", bar)
        self.assertIn(f"{self.count}/{self.count}", bar)
        self.assertEqual(out.count("\n"), 1)
        # With --no-progress (or not on a terminal): the summary line only.
        quiet = Terminal()
        out = run("--jobs", "2", "--no-progress", stderr=quiet)
        self.assertEqual(quiet.getvalue(), "")
        self.assertEqual(out.count("\n"), 1)

    def test_bad_numbers_are_refused_and_the_index_is_kept(self):
        run("--jobs", "1")
        before = index()
        for args, message in [
            (("--jobs", "0"), "--jobs 须是正整数。"),
            (("--batch-size", "0"), "--batch-size 须是正整数。"),
        ]:
            with (
                self.subTest(args=args),
                self.assertRaisesMessage(CommandError, message),
            ):
                run(*args)
        self.assertEqual(index(), before)

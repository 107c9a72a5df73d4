"""What the bulk import's writer does without the ORM's per-row work (``news.bulk``):
``RowInsert`` writes what ``bulk_create`` writes, the workers validate without the
database, the cached pages beside the new articles are made stale (and only they),
and an imported article is found by a word of its body the moment the import ends."""

import tempfile
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import TestCase
from django.utils import timezone

from news import bulk
from news.models import PAGE_STAMP_START, Article, ArticleEvent, Revision
from news.search import search
from tests.factories import ArticleFactory, ChannelFactory, staff_in_group
from tests.news.test_import_bulk import seed_variant


class RowInsertTests(TestCase):
    def setUp(self):
        self.channel = ChannelFactory()
        self.article = ArticleFactory(channel=self.channel)

    def test_rows_read_back_as_bulk_create_writes_them(self):
        snapshot = {"title": "标题“引号”\\反斜杠", "n": [1, 2.5, None, True]}
        by = staff_in_group("editor", None)
        Revision.objects.bulk_create(
            [
                Revision(
                    article=self.article,
                    version=1,
                    snapshot=snapshot,
                    summary="导入",
                    is_live=True,
                    created_by=by,
                )
            ]
        )
        bulk.RowInsert(
            Revision,
            (
                "article_id",
                "version",
                "snapshot",
                "summary",
                "is_live",
                "created_by_id",
            ),
        ).insert(
            [(self.article.pk, v, snapshot, "导入", v == 1, by.pk) for v in (1, 2)]
        )
        orm, rows, second = Revision.objects.order_by("id")
        fields = ("article_id", "version", "snapshot", "summary", "is_live")
        for name in (*fields, "created_by_id"):
            self.assertEqual(getattr(rows, name), getattr(orm, name), name)
        # default=timezone.now: the insert's moment, the same for every row.
        self.assertLess(abs(rows.created_at - orm.created_at), timedelta(minutes=1))
        self.assertEqual(second.created_at, rows.created_at)

    def test_model_instances_with_auto_now_and_returning(self):
        when = timezone.now().replace(microsecond=0) - timedelta(days=3)
        articles = [
            Article(
                title=f"测试稿{i}",
                body="<p>正文</p>",
                body_text="正文",
                channel=self.channel,
                status=Article.Status.PUBLISHED,
                published_at=when,
                import_key=f"key-{i}",
            )
            for i in range(3)
        ]
        table = bulk.RowInsert(Article)
        ids = dict(
            table.insert(table.values_of(articles), returning=("import_key", "id"))
        )
        self.assertEqual(set(ids), {"key-0", "key-1", "key-2"})
        for key, pk in ids.items():
            row = Article.objects.get(pk=pk)
            self.assertEqual(row.import_key, key)
            self.assertEqual(row.published_at, when)
            self.assertIsNotNone(row.created_at)
            self.assertEqual(row.created_at, row.updated_at)
            self.assertEqual(
                (row.page_stamp, row.version, row.is_featured),
                (PAGE_STAMP_START, 1, False),
            )

    def test_more_rows_than_one_statement_holds(self):
        table = bulk.RowInsert(
            ArticleEvent, ("article_id", "action", "to_status", "comment")
        )
        many = bulk._max_query_params() // 5 + 7
        returned = table.insert(
            [
                (self.article.pk, "publish", "published", f"第{i}行")
                for i in range(many)
            ],
            returning=("comment",),
        )
        self.assertEqual(len(returned), many)
        self.assertEqual(ArticleEvent.objects.count(), many)
        self.assertEqual(
            ArticleEvent.objects.filter(comment=f"第{many - 1}行").get().from_status,
            "",
        )

    def test_a_row_the_database_refuses_raises_its_error_and_writes_nothing(self):
        """As the INSERT did (PostgreSQL's COPY too): the database's error as
        Django's, so that the writer can split the batch (_create_all)."""
        insert = bulk.RowInsert(
            Revision,
            ("article_id", "version", "snapshot", "summary", "is_live"),
        )
        before = Revision.objects.count()
        rows = [
            (self.article.pk, 1, {}, "导入", True),
            (self.article.pk, -1, {}, "导入", True),  # version >= 0
        ]
        for returning in ((), ("id",)):
            with self.subTest(returning=returning):
                with self.assertRaises(IntegrityError), transaction.atomic():
                    insert.insert(rows, returning=returning)
                self.assertEqual(Revision.objects.count(), before)

    def test_ids_given_back_are_those_of_the_rows(self):
        insert = bulk.RowInsert(ArticleEvent, ("article_id", "action", "comment"))
        rows = [(self.article.pk, "publish", f"第{i}行") for i in range(120)]
        returned = insert.insert(rows, returning=("id", "comment"))
        self.assertCountEqual(
            [comment for _id, comment in returned], [r[2] for r in rows]
        )
        for pk, comment in returned:
            self.assertEqual(ArticleEvent.objects.get(pk=pk).comment, comment)

    def test_ids_given_back_after_the_newest_rows_were_deleted(self):
        """The ids skip those of deleted rows as the database does (SQLite's
        AUTOINCREMENT, PostgreSQL's sequence), in a batch after a batch. (Steps
        of the review: a publication on the timeline is not deleted but with its
        article, news.services.event_delete_guard.)"""
        insert = bulk.RowInsert(ArticleEvent, ("article_id", "action", "comment"))
        first = insert.insert(
            [(self.article.pk, "submit", f"甲{i}") for i in range(5)],
            returning=("id",),
        )
        ArticleEvent.objects.filter(pk__in=[pk for (pk,) in first[-2:]]).delete()
        for round_ in ("乙", "丙"):
            rows = [(self.article.pk, "submit", f"{round_}{i}") for i in range(7)]
            returned = insert.insert(rows, returning=("comment", "id"))
            self.assertEqual(
                sorted((c, pk) for c, pk in returned),
                sorted(
                    ArticleEvent.objects.filter(comment__startswith=round_).values_list(
                        "comment", "pk"
                    )
                ),
            )
            self.assertGreater(min(pk for _c, pk in returned), max(first)[0])

    def test_ids_taken_first_are_those_the_rows_keep(self):
        """The live revisions' ids, taken before their rows are written (_create):
        never an id of a deleted row, and the next row written without one comes
        after them."""
        insert = bulk.RowInsert(ArticleEvent, ("article_id", "action", "comment"))
        with_id = bulk.RowInsert(
            ArticleEvent, ("id", "article_id", "action", "comment")
        )
        made = insert.insert(
            [(self.article.pk, "submit", f"甲{i}") for i in range(4)],
            returning=("id",),
        )
        ArticleEvent.objects.filter(pk=max(made)[0]).delete()
        with transaction.atomic():
            ids = bulk._take_ids(ArticleEvent, 3)
            self.assertEqual(len(set(ids)), 3)
            self.assertGreater(min(ids), max(made)[0])
            with_id.insert((pk, self.article.pk, "submit", "乙") for pk in ids)
        after = insert.insert([(self.article.pk, "submit", "丙")], returning=("id",))
        self.assertGreater(after[0][0], max(ids))
        self.assertEqual(
            sorted(
                ArticleEvent.objects.filter(comment="乙").values_list("pk", flat=True)
            ),
            sorted(ids),
        )

    def test_a_field_without_default_cannot_be_left_out(self):
        with self.assertRaises(ValueError):
            bulk.RowInsert(Revision, ("article_id", "summary"))


class WorkerValidationTests(TestCase):
    def test_a_page_is_validated_in_the_worker_without_a_query(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        good, bad = folder / "good.txt", folder / "bad.txt"
        good.write_text(seed_variant(1), encoding="utf-8")
        bad.write_text(
            seed_variant(2).replace("烟台市向", "标" * 201, 1), encoding="utf-8"
        )
        with self.assertNumQueries(0):
            ok = bulk.prepare(bulk.Source(str(good), "text", str(good)), index=True)
            refused = bulk.prepare(bulk.Source(str(bad), "text", str(bad)), index=True)
        self.assertEqual(ok.error, "")
        self.assertIsNotNone(ok.words)
        self.assertIsNone(refused.page)
        self.assertIn("内容不合要求：标题：", refused.error)


class ImportedNeighboursAndSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = staff_in_group("publisher", "终审发布")
        cls.channel = ChannelFactory(name="烟台新闻", slug="烟台新闻")

    def import_pages(self, *numbers: int) -> None:
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        for n in numbers:
            (folder / f"{n:02d}.txt").write_text(seed_variant(n), encoding="utf-8")
        with self.captureOnCommitCallbacks(execute=True):
            call_command(
                "import_article",
                "--publish",
                "--as",
                "publisher",
                "--jobs",
                "1",
                str(folder),
                stdout=StringIO(),
            )

    def test_only_the_nearest_older_and_newer_articles_are_made_stale(self):
        # seed_variant(n) is published 2021-01-07 10:nn (Beijing time).
        at = datetime(2021, 1, 7, 2, 0, tzinfo=UTC)
        existing = {
            minute: ArticleFactory(
                channel=self.channel, published_at=at + timedelta(minutes=minute)
            )
            for minute in (5, 10, 20, 30, 40)
        }
        elsewhere = ArticleFactory(published_at=at + timedelta(minutes=12))
        withdrawn = ArticleFactory(
            channel=self.channel,
            status=Article.Status.UNPUBLISHED,
            published_at=at + timedelta(minutes=13),
        )
        # Two new pages between 10 and 20, one between 30 and 40, one after 40.
        self.import_pages(12, 14, 35, 45)
        stale = set(
            Article.objects.filter(page_stamp__gt=PAGE_STAMP_START).values_list(
                "pk", flat=True
            )
        )
        self.assertEqual(
            stale, {existing[m].pk for m in (10, 20, 30, 40)}, "5 keeps its page"
        )
        self.assertNotIn(elsewhere.pk, stale)
        self.assertNotIn(withdrawn.pk, stale)

    def test_articles_at_the_same_time_are_chained_by_id(self):
        # The chain orders by time, then id: a new article at 10:12 comes after
        # the two already there at 10:12, so only the later of them is beside it.
        at = datetime(2021, 1, 7, 2, 12, tzinfo=UTC)
        first, second = (
            ArticleFactory(channel=self.channel, published_at=at) for _ in range(2)
        )
        later = ArticleFactory(
            channel=self.channel, published_at=at + timedelta(minutes=1)
        )
        after = ArticleFactory(
            channel=self.channel, published_at=at + timedelta(minutes=2)
        )
        self.import_pages(12)
        stale = set(
            Article.objects.filter(page_stamp__gt=PAGE_STAMP_START).values_list(
                "pk", flat=True
            )
        )
        self.assertEqual(stale, {second.pk, later.pk})
        self.assertNotIn(first.pk, stale)
        self.assertNotIn(after.pk, stale)

    def test_an_imported_article_is_found_by_a_word_of_its_body_at_once(self):
        self.import_pages(1, 2)
        article = Article.objects.get(title__contains="第 2 篇")
        for word in ("顶层设计", "质量提升"):
            with self.subTest(word=word):
                self.assertIn(article.pk, [a.pk for a in search(word)[:10]])
        self.assertEqual(search("顶层设计").count(), 2)
        # The index rows are the engine's (FTS5 or tsvector), not only the side table.
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT COUNT(*) FROM news_article_fts "
                    'WHERE news_article_fts MATCH \'"顶层" AND "设计"\''
                )
                self.assertEqual(cursor.fetchone()[0], 2)

"""The bulk import (``news.bulk`` behind ``import_article``): the batch path writes
what the one-file path writes, a bad file is left out alone, a re-run changes
nothing, and every input form (files, directories, zips, JSON lines) is read."""

import contextlib
import json
import pickle
import re
import tempfile
import zipfile
from io import StringIO
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext

from news import search
from news.bulk import (
    _SEEN_BITS,
    UNCHECKED,
    BatchWriter,
    Prepared,
    Source,
    Unreadable,
    _Batches,
    _Parser,
    _plain,
    page_html,
    prepare,
    prepare_page,
)
from news.models import (
    Article,
    ArticleEvent,
    ArticleSearch,
    AuditLog,
    Byline,
    Channel,
    Person,
    Revision,
    Tag,
)
from news.parsing import Block, parse_page_text
from news.services import article_import
from tests.factories import delete_articles, staff_in_group
from yantai.html import html_to_text, sanitize_html

PAGES = Path(__file__).parent / "pages"
SEED = PAGES / "seed_000_b5b21bbd38acca12.txt"
# More than one chunk (news.bulk.CHUNK_SIZE) so that worker processes parse them.
VARIANTS = 30


def seed_variant(number: int) -> str:
    """The seed page as another article: its own title and time."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    lines[0] = f"{lines[0]}（测试稿第 {number} 篇）"
    lines[2] = f"烟台日报 2021-01-07 10:{number:02d} 大字"
    return "\n".join(lines) + "\n"


def write_pages(folder: Path) -> list[Path]:
    """Seed variants in a subfolder and the parser's sample pages beside them."""
    (folder / "seed").mkdir()
    files = []
    for number in range(VARIANTS):
        path = folder / "seed" / f"{number:03d}.txt"
        path.write_text(seed_variant(number), encoding="utf-8")
        files.append(path)
    for page in sorted(PAGES.glob("*.txt")):
        target = folder / page.name
        target.write_bytes(page.read_bytes())
        files.append(target)
    return files


def run(*args: str) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_article", *args, stdout=out, stderr=err)
        code = 0
    except CommandError as error:
        code = error.returncode
        err.write(str(error))
    return out.getvalue(), err.getvalue(), code


def state() -> dict:
    """Everything an import wrote, keyed by what does not depend on ids."""
    people = dict(Person.objects.values_list("pk", "name"))
    tags = dict(Tag.objects.values_list("pk", "name"))

    def named(snapshot: dict) -> dict:
        data = {k: v for k, v in snapshot.items() if k != "channel"}
        data["bylines"] = [
            {**b, "person": people.get(b["person"])} for b in data["bylines"]
        ]
        # Each tag's id, as the name of the tag it is (ids differ between runs).
        data["tag_ids"] = {n: tags.get(pk) for n, pk in data["tag_ids"].items()}
        return data

    articles = {}
    for article in Article.objects.order_by("import_key"):
        articles[article.import_key] = {
            "row": {
                name: getattr(article, name)
                for name in (
                    "title",
                    "subtitle",
                    "source",
                    "source_url",
                    "published_at",
                    "body",
                    "body_text",
                    "slug",
                    "summary",
                    "status",
                    "version",
                    "responsible_editor_id",
                    "channel_id",
                    "revised_at",
                    "draft_status",
                )
            },
            # The live revision is this article's own (the bulk import on
            # PostgreSQL writes its id in the article row before the revision).
            "live": article.live_revision
            and (
                article.live_revision.article_id == article.pk,
                article.live_revision.version == article.version,
                article.live_revision.is_live,
            ),
            "bylines": list(
                article.bylines.order_by("order").values_list(
                    "person__name", "role", "prefix", "order"
                )
            ),
            "tags": sorted(article.tags.values_list("name", flat=True)),
            "revisions": [
                (r.version, r.summary, r.is_live, r.created_by_id, named(r.snapshot))
                for r in article.revisions.order_by("version", "id")
            ],
            "events": list(
                ArticleEvent.objects.filter(article=article)
                .order_by("id")
                .values_list("action", "from_status", "to_status", "comment", "by")
            ),
            "index": ArticleSearch.objects.filter(article_id=article.pk)
            .values_list("title", "body")
            .first(),
            "document": document(article.pk),
        }
    return articles


def document(article_id: int) -> str | None:
    """PostgreSQL: the index row's tsvector (given by the bulk import, made by the
    server otherwise: migration 0016)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT document::text FROM news_article_search WHERE article_id = %s",
            [article_id],
        )
        row = cursor.fetchone()
    return row and row[0]


def audit_files() -> tuple[set, dict[str, str]]:
    """(action, user) of every audit entry, and each named file → article title."""
    kinds, files = set(), {}
    titles = dict(Article.objects.values_list("pk", "title"))
    for entry in AuditLog.objects.all():
        kinds.add((entry.action, entry.user_id))
        for name, pk in re.findall(r"([^：；]+)（(\d+)）", entry.summary):
            files[Path(name).name] = titles[int(pk)]
    return kinds, files


def wipe() -> None:
    delete_articles(Article.objects.all())
    Person.objects.all().delete()
    AuditLog.objects.all().delete()


class BatchAndOneFilePathTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = staff_in_group("publisher", "终审发布")
        cls.channel = Channel.objects.create(name="烟台新闻", slug="烟台新闻")

    def setUp(self):
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.files = write_pages(self.folder)

    def import_batch(self) -> str:
        with self.captureOnCommitCallbacks(execute=True):
            out, err, code = run(
                "--publish",
                "--as",
                "publisher",
                "--jobs",
                "2",
                "--batch-size",
                "30",
                str(self.folder),
            )
        self.assertEqual((code, err), (0, ""))
        return out

    def test_batch_path_writes_what_one_file_at_a_time_writes(self):
        out = self.import_batch()
        self.assertIn(f"读取 {len(self.files)} 个", out)
        batch, batch_audit = state(), audit_files()
        self.assertEqual(len(batch), len(self.files))
        wipe()
        for path in self.files:
            with self.captureOnCommitCallbacks(execute=True):
                _out, err, code = run(
                    "--publish", "--as", "publisher", "--jobs", "1", str(path)
                )
            self.assertEqual((code, err), (0, ""))
        one_by_one, one_audit = state(), audit_files()
        self.assertEqual(batch.keys(), one_by_one.keys())
        for key in batch:
            with self.subTest(title=batch[key]["row"]["title"]):
                self.assertEqual(batch[key], one_by_one[key])
        # One entry a batch against one a file: the same account and action, and
        # every file named with the article it became.
        self.assertEqual(batch_audit, one_audit)
        self.assertEqual(len(batch_audit[1]), len(self.files))

    def test_articles_and_index_rows_are_those_of_the_admins_import_service(self):
        self.import_batch()
        batch = state()
        wipe()
        for path in self.files:
            page = parse_page_text(path.read_bytes())
            with self.captureOnCommitCallbacks(execute=True):
                article_import(
                    page=page, channel=self.channel, publish=True, by=self.publisher
                )
        service = state()
        self.assertEqual(batch.keys(), service.keys())
        for key in batch:
            with self.subTest(title=batch[key]["row"]["title"]):
                # Revisions differ on purpose: one a published import, where the
                # service writes 导入 and then 草稿 → 已发布 (version 2).
                for part in ("bylines", "tags", "index", "document", "live"):
                    self.assertEqual(batch[key][part], service[key][part])
                row = dict(batch[key]["row"], version=None)
                self.assertEqual(row, dict(service[key]["row"], version=None))
                self.assertEqual(
                    named_content(batch[key]["revisions"][-1]),
                    named_content(service[key]["revisions"][-1]),
                )

    def test_a_name_an_earlier_batch_added_is_a_word_of_a_later_page(self):
        """The workers parse batches ahead of the writer, not knowing the people
        the batches before are adding: a page that mentions one is cut again by the
        writer (``BatchWriter._index``), as the one-file path cuts it."""
        name = "逄苗苗"  # cut as 逄 / 苗苗 by a segmenter that does not know it

        def source(number: int, text: str, **extra) -> Source:
            line = json.dumps(
                {
                    "title": f"测试稿第 {number} 篇",
                    "published_at": f"2021-03-01T09:{number:02d}:00+08:00",
                    "source": "烟台日报",
                    "channel": "烟台新闻",
                    "body": [{"type": "paragraph", "text": text}],
                    **extra,
                },
                ensure_ascii=False,
            )
            return Source("a.jsonl", "json", "a.jsonl", line=number, text=line)

        # Parsed first, as a worker parses a later batch before the writer has
        # written the one that adds the person.
        later = prepare(source(2, f"{name}介绍了全市的质量工作。"), index=True)
        body = later.words[1]  # as bytes for SQLite
        body = body.decode() if isinstance(body, bytes) else body
        self.assertNotIn(name, body.split())
        first = prepare(
            source(1, "这是测试用的一段。", people={"记者": [name]}), index=True
        )
        writer = BatchWriter(channel=self.channel, publish=True, by=self.publisher)
        for item in (first, later):  # two batches, each committed
            with self.captureOnCommitCallbacks(execute=True):
                [outcome] = writer.write([item])
            self.assertEqual(outcome.status, "created")
        article = Article.objects.get(title="测试稿第 2 篇")
        words = ArticleSearch.objects.get(article_id=article.pk).body.split()
        self.assertIn(name, words)
        found = search.search(name)
        self.assertEqual(
            sorted(a.title for a in found[: len(found)]),
            ["测试稿第 1 篇", "测试稿第 2 篇"],
        )

    def test_one_revision_and_one_audit_entry_per_batch(self):
        self.import_batch()
        articles = Article.objects.count()
        self.assertEqual(Revision.objects.count(), articles)
        self.assertEqual(
            Revision.objects.filter(is_live=True, summary="导入并发布").count(),
            articles,
        )
        # 43 files in batches of 30.
        self.assertEqual(AuditLog.objects.count(), 2)
        self.assertEqual(ArticleSearch.objects.count(), articles)

    def test_rerun_changes_nothing_and_says_so(self):
        self.import_batch()
        before = state()
        counts = (AuditLog.objects.count(), Revision.objects.count())
        out = self.import_batch()
        self.assertIn(f"内容未变 {len(self.files)} 篇", out)
        self.assertIn("新建 0 篇", out)
        self.assertEqual(state(), before)
        self.assertEqual((AuditLog.objects.count(), Revision.objects.count()), counts)


def named_content(revision: tuple) -> dict:
    snapshot = revision[4]
    return {k: v for k, v in snapshot.items() if k != "status"}


class FailuresTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = staff_in_group("publisher", "终审发布")

    def test_a_bad_file_mid_batch_is_reported_and_absent_the_others_written(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        (folder / "a.txt").write_text(seed_variant(1), encoding="utf-8")
        (folder / "b.txt").write_text(
            "某某标题\n烟台日报 2021-13-45 10:36\n正文一段。\n", encoding="utf-8"
        )
        (folder / "c.txt").write_text(
            seed_variant(2).replace("烟台市向", "标" * 201, 1), encoding="utf-8"
        )
        (folder / "d.txt").write_text(seed_variant(3), encoding="utf-8")
        with self.captureOnCommitCallbacks(execute=True):
            out, err, code = run("--publish", "--as", "publisher", str(folder))
        self.assertEqual(code, 1)
        self.assertIn(f"{folder / 'b.txt'}：第 2 行：无法识别的时间", err)
        self.assertIn(f"{folder / 'c.txt'}：内容不合要求：标题：", err)
        self.assertIn("新建 2 篇", out)
        self.assertIn("失败 2 个", out)
        self.assertEqual(
            sorted(Article.objects.values_list("title", flat=True)),
            sorted(parse_page_text(seed_variant(n)).title for n in (1, 3)),
        )
        self.assertEqual(ArticleSearch.objects.count(), 2)
        self.assertIn("a.txt", AuditLog.objects.get().summary)
        self.assertNotIn("b.txt", AuditLog.objects.get().summary)

    def test_wordcheck_refuses_one_article_of_a_batch(self):
        from news.models import SensitiveWord

        SensitiveWord.objects.create(wrong="测试稿第 2 篇", correct="测试稿")
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        for n in (1, 2):
            (folder / f"{n}.txt").write_text(seed_variant(n), encoding="utf-8")
        out, err, code = run("--publish", "--as", "publisher", str(folder))
        self.assertEqual(code, 1)
        self.assertIn("2.txt：错敏字检查发现 1 处问题", err)
        self.assertIn("拒绝 1 个", out)
        self.assertEqual(Article.objects.count(), 1)


class WorkerShortcutsTests(TestCase):
    """What the workers leave out or send otherwise gives the same rows."""

    def test_the_one_unique_check_the_workers_skip_is_the_unsaved_primary_key(self):
        # prepare_page calls full_clean(validate_unique=False): the same as the
        # check only while the rest (import_key, the writer's) has nothing to ask
        # the database, which a worker must not touch.
        self.assertEqual(
            Article(title="标题")._get_unique_checks(
                exclude=[*UNCHECKED, "expires_at"]
            ),
            ([(Article, ("id",))], []),
        )

    def test_index_words_sent_as_utf8_are_written_as_text(self):
        publisher = staff_in_group("publisher", "终审发布")
        Channel.objects.create(name="烟台新闻", slug="烟台新闻")
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        files = write_pages(folder)
        with self.captureOnCommitCallbacks(execute=True):
            _out, err, code = run(
                "--publish", "--as", "publisher", "--jobs", "2", str(folder)
            )
        self.assertEqual((code, err), (0, ""))
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT typeof(title), typeof(body), count(*)"
                    " FROM news_article_search GROUP BY 1, 2"
                )
                self.assertEqual(cursor.fetchall(), [("text", "text", len(files))])
        article = Article.objects.get(title=parse_page_text(seed_variant(7)).title)
        row = ArticleSearch.objects.get(article=article)
        self.assertEqual((row.title, row.body), search._document(article))
        self.assertIn(article, search.search(article.title)[:50])
        self.assertTrue(publisher.is_active)

    def test_sqlite_index_rows_go_a_batch_a_statement(self):
        """One multi-row INSERT of index rows a batch (FTS5 writes a segment at each
        statement: a row a statement cost twice the CPU), and the FTS5 index agrees
        with its rows."""
        if connection.vendor != "sqlite":
            self.skipTest("the FTS5 index is SQLite's; PostgreSQL's rows go by COPY")
        staff_in_group("publisher", "终审发布")
        Channel.objects.create(name="烟台新闻", slug="烟台新闻")
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        files = write_pages(folder)
        with CaptureQueriesContext(connection) as queries:
            _out, err, code = run(
                "--publish", "--as", "publisher", "--batch-size", "4", str(folder)
            )
        self.assertEqual((code, err), (0, ""))
        inserts = [
            q["sql"]
            for q in queries.captured_queries
            # Stepped rows are logged as one "N times: INSERT …" entry.
            if 'INSERT INTO "news_article_search"' in q["sql"]
        ]
        self.assertEqual(len(inserts), -(-len(files) // 4))
        # Each row binds its words as CAST(? AS TEXT) twice.
        self.assertEqual(sum(sql.count("CAST(") for sql in inserts), 2 * len(files))
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO news_article_fts(news_article_fts, rank)"
                " VALUES ('integrity-check', 1)"
            )
        article = Article.objects.get(title=parse_page_text(seed_variant(3)).title)
        self.assertIn(article, search.search(article.title)[:50])


class InputFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        Channel.objects.create(name="质量强市", slug="zlqs")

    def setUp(self):
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))

    def test_a_zip_of_page_text_files(self):
        archive = self.folder / "pages.zip"
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("2021/a.txt", seed_variant(1))
            z.writestr("2021/b.txt", seed_variant(2))
            z.writestr("__MACOSX/._a.txt", b"\x00\x01")
        out, err, code = run(str(archive))
        self.assertEqual((code, err), (0, ""))
        self.assertIn("读取 2 个：新建 2 篇", out)
        self.assertEqual(Article.objects.filter(status="draft").count(), 2)

    def test_a_zip_read_as_a_directory_is(self):
        """In a zip, as in a directory: JSON lines by their suffix, pictures and
        documents left alone; a zip in the zip, a member with a password and one
        compressed by a method zipfile lacks (Deflate64) are each named, the rest
        imported."""
        record = {
            "title": "测试用标题：压缩包里的 JSON 稿",
            "published_at": "2021-03-01T09:30:00+08:00",
            "source": "烟台日报",
            "body": [{"type": "paragraph", "text": "这是测试用的一段。"}],
        }
        archive = self.folder / "mixed.zip"
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("稿件/a.txt", seed_variant(1))
            z.writestr("稿件/b", seed_variant(2))  # no suffix: page text
            z.writestr("稿件/图片.jpg", b"\xff\xd8\xff\xe0" + bytes(64))
            z.writestr("稿件/说明.docx", b"PK\x03\x04" + bytes(64))
            z.writestr(
                "稿件/more.jsonl", json.dumps(record, ensure_ascii=False) + "\n\n{bad\n"
            )
            z.writestr("稿件/inner.zip", b"PK\x05\x06" + bytes(18))
            z.writestr("稿件/locked.txt", seed_variant(3))
            z.writestr("稿件/deflate64.txt", seed_variant(4))
        # Two members' headers changed as other tools write them: in the local header
        # (30 bytes before the name) and the central directory entry (46 before),
        # locked.txt's flags with a password's bit (zip -e), deflate64.txt's
        # compression method 9 (Deflate64).
        data = bytearray(archive.read_bytes())
        for name, local_at, central_at, value in (
            ("稿件/locked.txt", 6, 8, b"\x01\x08"),  # UTF-8 names' bit kept
            ("稿件/deflate64.txt", 8, 10, b"\x09\x00"),
        ):
            local = data.index(name.encode()) - 30
            central = data.index(name.encode(), local + 31) - 46
            self.assertEqual(data[local : local + 4], b"PK\x03\x04")
            self.assertEqual(data[central : central + 4], b"PK\x01\x02")
            data[local + local_at : local + local_at + 2] = value
            data[central + central_at : central + central_at + 2] = value
        archive.write_bytes(bytes(data))
        out, err, code = run(str(archive))
        self.assertEqual(code, 1)
        self.assertIn("读取 7 个：新建 3 篇", out)
        self.assertIn(f"{archive}:稿件/more.jsonl：第 3 行：不是有效的 JSON", err)
        self.assertIn(f"{archive}:稿件/inner.zip：压缩包里的压缩包不会打开", err)
        self.assertIn(f"{archive}:稿件/locked.txt：有密码保护，无法读取", err)
        self.assertIn(f"{archive}:稿件/deflate64.txt：无法读取压缩包里的文件", err)
        self.assertNotIn("图片", err + out)
        self.assertNotIn("说明", err + out)
        self.assertEqual(
            sorted(Article.objects.values_list("title", flat=True)),
            sorted(
                [
                    record["title"],
                    parse_page_text(seed_variant(1)).title,
                    parse_page_text(seed_variant(2)).title,
                ]
            ),
        )

    def test_gbk_files_and_a_zip_made_on_a_chinese_windows(self):
        """Pages saved in GBK, alone and in a zip whose member names are GBK
        without the zip's UTF-8 flag (Windows' 压缩), give the articles their
        UTF-8 copies give, and are reported under their real names; a page in
        neither encoding is refused by name and line."""

        class GbkName(zipfile.ZipInfo):  # as Windows writes the name
            def _encodeFilenameFlags(self):
                return self.filename.encode("gbk"), self.flag_bits

        (self.folder / "新闻稿.txt").write_bytes(seed_variant(1).encode("gbk"))
        with zipfile.ZipFile(self.folder / "归档.zip", "w") as z:
            z.writestr(GbkName("二〇二一/质量会议.txt"), seed_variant(2).encode("gbk"))
            z.writestr(GbkName("二〇二一/坏稿.txt"), "Grüße\n".encode("latin-1"))
        out, err, code = run(str(self.folder))
        self.assertEqual(code, 1)
        self.assertIn("读取 3 个：新建 2 篇", out)
        bad = f"{self.folder / '归档.zip'}:二〇二一/坏稿.txt：第 1 行："
        self.assertIn(bad + "既不是 UTF-8 也不是 GBK 编码的中文文本文件", err)
        _kinds, files = audit_files()  # the audit entry names each file
        self.assertEqual(sorted(files), ["新闻稿.txt", "质量会议.txt"])
        from_gbk = {a.title: (a.body, a.source) for a in Article.objects.all()}
        delete_articles(Article.objects.all())
        for number in (1, 2):
            (self.folder / f"{number}.txt").write_text(seed_variant(number))
        run(str(self.folder / "1.txt"), str(self.folder / "2.txt"))
        self.assertEqual(
            {a.title: (a.body, a.source) for a in Article.objects.all()}, from_gbk
        )

    def test_two_files_of_one_article_in_one_run(self):
        """A later file of an article the same run imported (the same title and
        time) is not taken for a new version of it: the same text is unchanged, a
        different one refused by name; the article is the first file's, and the
        same import again changes nothing — in one batch or across batches."""
        first = seed_variant(1)
        other = first.replace("604项国家标准", "605项国家标准", 1)  # the body
        self.assertNotEqual(other, first)
        self.assertEqual(parse_page_text(other).title, parse_page_text(first).title)
        (self.folder / "a.txt").write_text(first)
        (self.folder / "b.txt").write_text(first)  # the same page twice
        (self.folder / "c.txt").write_text(other)
        for batch in ("250", "1"):
            with self.subTest(batch_size=batch):
                delete_articles(Article.objects.all())
                for run_number in range(2):
                    out, err, code = run("--batch-size", batch, str(self.folder))
                    self.assertEqual(code, 1)
                    created = 1 if run_number == 0 else 0
                    self.assertIn(
                        f"新建 {created} 篇，更新 0 篇，生成待审草稿 0 篇，"
                        f"内容未变 {2 - created} 篇，拒绝 0 个，失败 1 个",
                        out,
                    )
                    article = Article.objects.get()
                    self.assertIn(
                        f"{self.folder / 'c.txt'}：与本次导入中较早的一个文件是同一篇"
                        f"文章（标题和发布时间相同，文章 {article.pk}），内容却不同",
                        err,
                    )
                    self.assertEqual(
                        html_to_text(article.body),
                        "\n".join(b.text for b in parse_page_text(first).blocks),
                    )
                    self.assertEqual(article.revisions.count(), 1)

    def test_json_lines_with_channel_tags_and_people(self):
        record = {
            "title": "测试用标题：质量工作会议召开",
            "published_at": "2021-03-01T09:30:00+08:00",
            "source": "烟台日报",
            "channel": "质量强市",
            "tags": ["质量提升", "标准化"],
            "people": {"记者": ["逄苗"], "通讯员": ["孙洪安"]},
            "body": [
                {"type": "paragraph", "text": "这是测试用的第一段。"},
                {"type": "heading", "text": "测试小标题"},
                {"type": "paragraph", "text": "这是测试用的第二段。"},
            ],
        }
        lines = [
            json.dumps(record, ensure_ascii=False),
            "",
            '{"title": "缺时间的测试稿", "body": "一段。"}',
            json.dumps(
                {**record, "title": "另一篇测试稿", "channel": "没有这个栏目"},
                ensure_ascii=False,
            ),
            "{not json",
        ]
        path = self.folder / "archive.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out, err, code = run(str(path))
        self.assertEqual(code, 1)
        self.assertIn(f"{path}：第 3 行：缺少“published_at”", err)
        self.assertIn(f"{path}：第 4 行：没有名为“没有这个栏目”的栏目", err)
        self.assertIn(f"{path}：第 5 行：不是有效的 JSON", err)
        article = Article.objects.get()
        self.assertEqual(article.channel.slug, "zlqs")
        self.assertEqual(
            sorted(article.tags.values_list("name", flat=True)), ["标准化", "质量提升"]
        )
        self.assertEqual(Tag.objects.count(), 2)
        self.assertEqual(
            list(article.bylines.values_list("role", "person__name")),
            [("记者", "逄苗"), ("通讯员", "孙洪安")],
        )
        self.assertEqual(article.body.count("<h2>"), 1)
        self.assertEqual(Byline.objects.count(), 2)

    def test_summary_line_without_a_progress_bar_off_a_terminal(self):
        (self.folder / "a.txt").write_text(seed_variant(1), encoding="utf-8")
        out, err, code = run(str(self.folder))
        self.assertEqual(code, 0)
        self.assertRegex(
            out.strip(),
            r"^读取 1 个：新建 1 篇，更新 0 篇，生成待审草稿 0 篇，内容未变 0 篇，"
            r"拒绝 0 个，失败 0 个；用时 \d+\.\d 秒。$",
        )
        self.assertEqual(err, "")

    def test_a_progress_bar_with_its_total_on_a_terminal(self):
        """On a terminal the bar counts against the inputs counted first (a zip's
        members, a JSON file's lines), so it shows the share done; failures are
        written above it, the summary line stays on stdout."""

        class Terminal(StringIO):
            def isatty(self):
                return True

        with zipfile.ZipFile(self.folder / "pages.zip", "w") as z:
            z.writestr("a.txt", seed_variant(1))
            z.writestr("b.txt", "只有一行")
        (self.folder / "more.jsonl").write_text(
            "\n".join(
                json.dumps(
                    {
                        "title": f"测试用标题：第 {n} 篇 JSON 稿",
                        "published_at": "2021-03-01T09:30:00+08:00",
                        "body": [{"type": "paragraph", "text": "这是测试用的一段。"}],
                    },
                    ensure_ascii=False,
                )
                for n in range(3)
            )
        )
        terminal = Terminal()
        with contextlib.redirect_stderr(terminal):
            out, _err, code = run(str(self.folder))
        self.assertEqual(code, 1)
        bar = terminal.getvalue()
        self.assertIn("导入: 100%", bar)
        self.assertIn("5/5", bar)
        self.assertIn(f"{self.folder / 'pages.zip'}:b.txt：", bar)
        self.assertIn("读取 5 个：新建 4 篇", out)

    def test_a_missing_path_and_a_broken_zip_fail_alone(self):
        (self.folder / "a.txt").write_text(seed_variant(1), encoding="utf-8")
        broken = self.folder / "broken.zip"
        broken.write_bytes(b"PK not really")
        out, err, code = run(
            str(self.folder / "a.txt"), str(broken), str(self.folder / "none.txt")
        )
        self.assertEqual(code, 1)
        self.assertIn(f"{broken}：不是有效的 zip 文件", err)
        self.assertIn(f"{self.folder / 'none.txt'}：无法读取文件", err)
        self.assertEqual(Article.objects.count(), 1)

    def test_a_line_no_rule_places_is_reported_with_its_line(self):
        text = seed_variant(1).replace(
            "促进质量提升离不开顶层设计的推动。", "原标题：测试用的原标题\n", 1
        )
        number = text.splitlines().index("原标题：测试用的原标题") + 1
        path = self.folder / "a.txt"
        path.write_text(text, encoding="utf-8")
        out, err, code = run(str(path))
        self.assertEqual(code, 0)
        self.assertIn(
            f"{path}：第 {number} 行：未能识别，未放入正文：原标题：测试用的原标题", err
        )
        self.assertNotIn("原标题", Article.objects.get().body)


class AdminPasteTests(TestCase):
    def test_a_line_no_rule_places_is_named_in_the_admin_too(self):
        from tests.factories import UserFactory

        channel = Channel.objects.create(name="烟台新闻", slug="烟台新闻")
        self.client.force_login(
            UserFactory(username="root", is_staff=True, is_superuser=True)
        )
        text = seed_variant(1).replace(
            "促进质量提升离不开顶层设计的推动。", "原标题：测试用的原标题\n", 1
        )
        number = text.splitlines().index("原标题：测试用的原标题") + 1
        response = self.client.post(
            "/admin/news/article/import/",
            {"text": text, "channel": channel.pk},
            follow=True,
        )
        self.assertContains(
            response, f"第 {number} 行未能识别，未放入正文：原标题：测试用的原标题"
        )
        self.assertNotIn("原标题", Article.objects.get().body)


class SeenArticlesTests(SimpleTestCase):
    def test_ids_in_the_bitmap_and_beyond_it(self):
        """The run's record of the articles it has seen: each id once, none other;
        an id past the bitmap's (a sequence set high by hand) costs no memory
        of its size."""
        writer = BatchWriter(channel=None, publish=False, by=None)
        ids = [1, 7, 8, 4_000_000, _SEEN_BITS - 1, _SEEN_BITS, 10**15]
        for pk in ids:
            writer._see(pk)
        for pk in ids:
            self.assertTrue(writer._seen_before(pk), pk)
        for pk in (2, 9, 3_999_999, _SEEN_BITS + 1, 10**15 + 1):
            self.assertFalse(writer._seen_before(pk), pk)
        self.assertLessEqual(len(writer._seen), _SEEN_BITS // 8)


class WorkerResultTests(SimpleTestCase):
    """What a worker process sends the writer (``Prepared``, pickled as one flat
    tuple) comes back equal to what the worker made."""

    def assertRoundTrip(self, item: Prepared) -> None:
        self.assertEqual(pickle.loads(pickle.dumps(item)), item)

    def test_pages_parsed_from_text_files(self):
        for path in sorted(PAGES.glob("*.txt")):
            with self.subTest(page=path.name):
                item = prepare(Source(str(path), "text", str(path)), index=True)
                self.assertIsNotNone(item.page)
                self.assertRoundTrip(item)

    def test_a_json_line_with_channel_tags_people_and_headings(self):
        line = json.dumps(
            {
                "title": "标题",
                "published_at": "2021-01-07T10:36:00+08:00",
                "channel": "质量强市",
                "tags": ["计量", "标准化"],
                "people": {"记者": ["张三"], "通讯员": ["李四"]},
                "body": [
                    {"type": "paragraph", "text": "第一段 & <b>不是标签</b>"},
                    {"type": "heading", "text": "小标题"},
                    {"type": "paragraph", "text": "第二段。"},
                ],
            },
            ensure_ascii=False,
        )
        item = prepare(
            Source("a.jsonl", "json", "a.jsonl", line=3, text=line), index=True
        )
        self.assertEqual(item.page.tags, ["计量", "标准化"])
        self.assertRoundTrip(item)

    def test_blocks_that_are_not_the_plain_texts_lines_are_sent_as_they_are(self):
        path = sorted(PAGES.glob("*.txt"))[0]
        item = prepare(Source(str(path), "text", str(path)), index=False)
        item.body_text = item.body_text.replace("\n", "\n\n", 1)
        back = pickle.loads(pickle.dumps(item))
        self.assertEqual(back.page.blocks, item.page.blocks)
        self.assertEqual(back, item)

    def test_a_page_that_failed(self):
        item = prepare(
            Source("missing.txt", "text", "/nonexistent/missing.txt"), index=True
        )
        self.assertTrue(item.error)
        self.assertRoundTrip(item)


class BatchesTests(SimpleTestCase):
    """A run's inputs in batches; its last ones in smaller batches, so that the
    writer, alone once the workers are done, ends soon after them."""

    def sizes(self, sources, size=250) -> tuple[list[int], list[str]]:
        reported = []
        batches = _Batches(iter(sources), size, lambda o: reported.append(o.name))
        sizes = []
        while batch := batches.take():
            sizes.append(len(batch))
        self.assertEqual(batches.take(), [])
        return sizes, reported

    def pages(self, n: int) -> list[Source]:
        return [Source(f"{i}.txt", "text", f"{i}.txt") for i in range(n)]

    def test_the_last_pages_of_a_run_come_in_halves(self):
        self.assertEqual(
            self.sizes(self.pages(1000))[0], [250, 250, 250, 125, 63, 31, 31]
        )
        self.assertEqual(
            self.sizes(self.pages(1100))[0], [250, 250, 250, 175, 88, 44, 43]
        )
        self.assertEqual(
            self.sizes(self.pages(20_000))[0][-6:], [250, 250, 125, 63, 31, 31]
        )

    def test_a_run_of_a_batch_or_two_is_cut_as_before(self):
        self.assertEqual(self.sizes(self.pages(3))[0], [3])
        self.assertEqual(self.sizes(self.pages(250))[0], [250])
        self.assertEqual(self.sizes(self.pages(300))[0], [250, 50])
        self.assertEqual(self.sizes(self.pages(5), size=2)[0], [2, 2, 1])

    def test_an_unreadable_input_is_reported_with_the_batch_that_reaches_it(self):
        sources = self.pages(4)
        sources.insert(2, Unreadable("broken.zip", "不是有效的 zip 文件"))
        reported = []
        batches = _Batches(iter(sources), 2, lambda o: reported.append(o.name))
        self.assertEqual([s.name for s in batches.take()], ["0.txt", "1.txt"])
        self.assertEqual(reported, [])
        self.assertEqual([s.name for s in batches.take()], ["2.txt", "3.txt"])
        self.assertEqual(reported, ["broken.zip"])


def opened_zips() -> list[str]:
    """Run in a worker process: the zips it holds open."""
    from news import bulk

    return sorted(bulk._zips)


class EarlyWorkersTests(TestCase):
    """With a zip to import the workers start first and open it themselves while
    the writing process reads its list of files."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = Channel.objects.create(name="质量强市", slug="zlqs")

    def setUp(self):
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.archive = self.folder / "pages.zip"
        with zipfile.ZipFile(self.archive, "w") as z:
            for number in range(1, 4):
                z.writestr(f"{number}.txt", seed_variant(number))

    def parser(self, jobs: int = 2) -> _Parser:
        writer = BatchWriter(channel=self.channel, publish=True, by=None)
        parser = _Parser(jobs=jobs, index=True, writer=writer)
        self.addCleanup(parser.close)
        return parser

    def test_the_workers_hold_the_zip_they_were_started_for(self):
        # One this process opened (a small import read here) is not theirs: its
        # file's offset would be shared with this process.
        other = self.folder / "other.zip"
        with zipfile.ZipFile(other, "w") as z:
            z.writestr("1.txt", seed_variant(1))
        held = zipfile.ZipFile(other)
        self.addCleanup(held.close)
        self.enterContext(mock.patch.dict("news.bulk._zips", {str(other): held}))
        parser = self.parser()
        parser.start([f"{self.folder}/./pages.zip", str(self.folder / "1.txt")])
        self.assertIsNotNone(parser.pool)
        self.assertEqual(parser.pool.submit(opened_zips).result(), [str(self.archive)])

    def test_no_workers_before_the_input_asks_for_them(self):
        (self.folder / "1.txt").write_text(seed_variant(1), encoding="utf-8")
        for jobs, paths in [
            (2, [str(self.folder / "1.txt")]),
            (2, [str(self.folder / "missing.zip")]),
            (1, [str(self.archive)]),
        ]:
            parser = self.parser(jobs)
            parser.start(paths)
            self.assertIsNone(parser.pool, (jobs, paths))

    def test_a_zip_imported_by_early_workers(self):
        out, err, code = run("--jobs", "2", "--channel", "zlqs", str(self.archive))
        self.assertEqual((code, err), (0, ""))
        self.assertIn("读取 3 个：新建 3 篇", out)
        self.assertEqual(Article.objects.filter(channel=self.channel).count(), 3)


class PlainTextShortcutTests(SimpleTestCase):
    """A worker derives the body, plain text, slug and summary of plain blocks
    without the sanitiser (``news.bulk._plain``): the same as the model's
    ``fill_derived_fields()`` gives."""

    def derived(self, page) -> tuple[str, str, str, str]:
        article = Article(title=page.title, body=page_html(page))
        article.fill_derived_fields()
        return article.body, article.body_text, article.slug, article.summary

    def prepared(self, page) -> tuple[str, str, str, str]:
        item = prepare_page(Prepared("a.txt"), page, index=False)
        return item.body, item.body_text, item.slug, item.summary

    def test_sample_pages(self):
        for path in sorted(PAGES.glob("*.txt")):
            page = parse_page_text(path.read_bytes())
            with self.subTest(page=path.name):
                self.assertTrue(_plain([block.text for block in page.blocks]))
                self.assertEqual(self.prepared(page), self.derived(page))

    def test_every_character_up_to_u3100_and_those_found_not_plain(self):
        found = "\x00\t\n\x0b\x0c\r\x1c\x1d\x1e\x85\xa0\u2028\u2029\u3000"
        codes = [*range(0x3100), *map(ord, found), 0xFEFF, 0x1F600, 0x10FFFF]
        page = parse_page_text(SEED.read_bytes())
        for code in codes:
            if 0xD800 <= code <= 0xDFFF:
                continue
            c = chr(code)
            for texts in ([f"前{c}后"], [f"{c}后"], [f"前{c}"], ["前", f"{c}{c}"]):
                if not _plain(texts):
                    continue
                page.blocks = [Block("paragraph", text) for text in texts]
                html = page_html(page)
                if (sanitize_html(html), html_to_text(html)) != (
                    html,
                    "\n".join(texts),
                ):
                    self.fail(f"U+{code:04X} in {texts!r}: taken for plain, is not")
        self.assertFalse(_plain(["前  后"]))
        self.assertFalse(_plain(["图 data-file=1"]))
        for c in found:
            self.assertFalse(_plain([f"前{c}后"]), f"U+{ord(c):04X}")

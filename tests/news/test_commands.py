import json
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase

from news.models import Article, AuditLog, Byline, Channel, Person, SensitiveWord
from tests.factories import staff_in_group

SEED = (
    Path(settings.BASE_DIR) / "news" / "fixtures" / "pages" / "000_b5b21bbd38acca12.txt"
)
PAGES = Path(__file__).parent / "pages"


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class ImportArticleCommandTests(TestCase):
    def test_json_output_of_the_seed(self):
        out, _ = run("import_article", "--json", str(SEED))
        record = json.loads(out.strip().splitlines()[-1])
        article = Article.objects.get()
        self.assertEqual(
            record,
            {
                "id": article.pk,
                "url": f"/news/{article.pk}/",
                "title": "烟台市向高质量发展进军取得显著成效 参与制修订六百余项国家标准",
                "source": "烟台日报",
                "published_at": "2021-01-07T10:36:00+08:00",
                "headings": [
                    "科学规划顶层设计“基准线”",
                    "3个国家级质检中心落户烟台",
                    "工业产品质量合格率超97%",
                ],
                "people": {"记者": ["逄苗"], "通讯员": ["孙洪安"]},
                "paragraphs": 10,
            },
        )
        self.assertEqual(article.status, Article.Status.DRAFT)
        self.assertEqual(
            list(article.bylines.values_list("prefix", "role", "person__name")),
            [("YMG全媒体", "记者", "逄苗"), ("", "通讯员", "孙洪安")],
        )

    def test_reimport_updates_and_never_duplicates(self):
        staff_in_group("publisher", "终审发布")
        run("import_article", str(SEED))
        first = Article.objects.get()
        run("import_article", "--publish", "--as", "publisher", str(SEED))
        run("import_article", "--publish", "--as", "publisher", str(SEED))
        self.assertEqual(Article.objects.count(), 1)
        self.assertEqual(Person.objects.count(), 2)
        self.assertEqual(Byline.objects.count(), 2)
        article = Article.objects.get()
        self.assertEqual(article.pk, first.pk)
        self.assertEqual(article.status, Article.Status.PUBLISHED)

    def test_publish_needs_an_account_with_the_publish_permission(self):
        staff_in_group("editor", "编辑")
        for args, message in (
            ((), "--publish 须配合 --as 账号名使用"),
            (("--as", "nobody"), "没有账号名为“nobody”的有效账号"),
            (("--as", "editor"), "账号“editor”没有“终审发布”权限"),
        ):
            with (
                self.subTest(args=args),
                self.assertRaisesMessage(CommandError, message),
            ):
                run("import_article", "--publish", *args, str(SEED))
        self.assertEqual(Article.objects.count(), 0)

    def test_publishing_import_is_recorded_under_the_account(self):
        publisher = staff_in_group("publisher", "终审发布")
        run("import_article", "--publish", "--as", "publisher", str(SEED))
        article = Article.objects.get()
        self.assertTrue(article.is_published)
        # One audit entry per batch (here a batch of one), naming the file.
        entry = AuditLog.objects.get()
        self.assertEqual(
            (entry.action, entry.user, entry.object_id),
            ("import", publisher, str(article.pk)),
        )
        self.assertIn("导入并发布 1 篇", entry.summary)
        self.assertIn(f"{SEED}（{article.pk}）", entry.summary)
        self.assertEqual(article.live_revision.created_by, publisher)
        # Its own time is kept: a 2021 article is not re-dated to today.
        self.assertEqual(article.published_at.year, 2021)

    def test_publishing_import_is_refused_on_wordcheck_findings(self):
        staff_in_group("publisher", "终审发布")
        SensitiveWord.objects.create(wrong="国家标准", correct="国标")
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command(
                "import_article",
                "--publish",
                "--as",
                "publisher",
                str(SEED),
                stdout=StringIO(),
                stderr=err,
            )
        self.assertIn("错敏字检查发现", err.getvalue())
        self.assertIn("“国家标准”应为“国标”", err.getvalue())
        self.assertEqual(Article.objects.count(), 0)
        # Without --publish the draft is imported: the check runs before publishing.
        run("import_article", str(SEED))
        self.assertEqual(Article.objects.get().status, Article.Status.DRAFT)

    def test_several_files_give_a_json_list(self):
        pages = sorted(PAGES.glob("*.txt"))[:2]
        out, _ = run("import_article", "--json", str(SEED), *map(str, pages))
        records = json.loads(out.strip().splitlines()[-1])
        self.assertEqual(len(records), 3)

    def test_channel_option(self):
        Channel.objects.create(name="标准化", slug="标准化")
        run("import_article", "--channel", "标准化", str(SEED))
        self.assertEqual(Article.objects.get().channel.slug, "标准化")
        with self.assertRaisesMessage(CommandError, "没有网址名为“不存在”的栏目"):
            run("import_article", "--channel", "不存在", str(SEED))

    def test_unparseable_file_fails_with_file_and_line_and_writes_nothing(self):
        bad = (
            Path(self.enterContext(__import__("tempfile").TemporaryDirectory()))
            / "bad.txt"
        )
        bad.write_text(
            "某某标题\n烟台日报 2021-13-45 10:36\n正文一段。\n", encoding="utf-8"
        )
        err = StringIO()
        with self.assertRaises(CommandError) as raised:
            call_command("import_article", str(bad), stdout=StringIO(), stderr=err)
        self.assertEqual(raised.exception.returncode, 1)
        self.assertIn(str(bad), err.getvalue())
        self.assertIn("第 2 行", err.getvalue())
        self.assertEqual(Article.objects.count(), 0)
        self.assertEqual(Person.objects.count(), 0)

    def test_good_files_import_beside_a_bad_one(self):
        with self.assertRaises(CommandError):
            run("import_article", str(SEED), "/nonexistent/file.txt")
        self.assertEqual(Article.objects.count(), 1)


class DemoAndAdminCommandTests(TestCase):
    def test_load_demo_a_second_time_writes_nothing(self):
        run("load_demo")
        article = Article.objects.get()
        stamp = (article.updated_at, article.version)
        out, _ = run("load_demo")
        self.assertIn("数据库中已有内容，未载入演示内容", out)
        article.refresh_from_db()
        self.assertEqual((article.updated_at, article.version), stamp)
        self.assertEqual(Article.objects.count(), 1)
        self.assertTrue(article.is_published)
        self.assertEqual(Channel.objects.count(), 8)

    def test_ensure_admin_creates_one_admin_with_a_random_password(self):
        out, _ = run("ensure_admin")
        password = out.split("密码：")[1].split()[0]
        user = get_user_model().objects.get(username="admin")
        self.assertTrue(user.is_superuser and user.check_password(password))
        self.assertGreaterEqual(len(password), 12)
        out_again, _ = run("ensure_admin")
        self.assertEqual(out_again, "")
        self.assertEqual(get_user_model().objects.count(), 1)

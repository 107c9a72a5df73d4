"""./run's start-up: the demo content on the first start only, never over staff's work."""

from decimal import Decimal
from io import StringIO
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase

from news import workflow
from news.models import Article, Channel
from quality import demo
from quality.models import Indicator, Observation, Region, Scheme
from quality.services import observation_correct, observation_set_preferred
from tests.news.test_concurrency import change_form_data

# What ./run does between migrating and serving, in its order (see ../run).
START_COMMANDS = ("load_demo", "rebuild_search_index", "ensure_admin")
SKIPPED = "数据库中已有内容，未载入演示内容"


def start() -> str:
    """Run the start-up commands as ./run does; return what they printed."""
    out = StringIO()
    for command in START_COMMANDS:
        call_command(command, stdout=out)
    return out.getvalue()


def dump() -> str:
    """Every row of the news and quality apps, and the accounts, as JSON."""
    out = StringIO()
    call_command("dumpdata", "news", "quality", "auth", indent=1, stdout=out)
    return out.getvalue()


class FirstStartTests(TestCase):
    def test_first_start_on_an_empty_database_loads_the_demo(self):
        """News and quality demo, the search index and the admin account, at once."""
        out = start()
        self.assertIn("演示内容已载入：栏目 8 个、文章 1 篇", out)
        self.assertIn("已收录 1 篇文章，用时", out)
        self.assertIn("已创建管理员账号：admin", out)
        self.assertEqual(Channel.objects.count(), len(demo.news_demo.CHANNELS))
        article = Article.objects.get()
        self.assertEqual(article.title, demo.SEED_TITLE)
        self.assertTrue(article.is_published)
        self.assertEqual(Region.objects.count(), len(demo.REGIONS))
        self.assertEqual(Indicator.objects.count(), len(demo.INDICATORS))
        self.assertEqual(
            Observation.objects.count(), len(demo.FIGURES) + len(demo.PUBLISHED)
        )
        # The article's figures cite it; the others their own publication.
        self.assertEqual(
            Observation.objects.filter(article__isnull=True).count(),
            len(demo.PUBLISHED),
        )
        self.assertEqual(Scheme.objects.count(), len(demo.SCHEMES))
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 200)
        # Tags and a credited cover (a chart of the article's own figures), so the
        # tag pages, the 焦点图 and the list thumbnails have content on a fresh site.
        self.assertEqual(
            set(article.tags.values_list("name", flat=True)),
            {"标准化", "山东名牌", "质量强市", "检验检测"},
        )
        self.assertIn("品质烟台制图", article.cover.credit)
        self.assertIn("604", article.cover.alt_text)
        self.assertIsNone(article.draft_revision_id)  # published, no draft left
        home = self.client.get("/").content.decode()
        self.assertIn(f'alt="{article.cover.alt_text}"', home)  # 头条 and the list
        self.assertEqual(self.client.get("/news/tag/山东名牌/").status_code, 200)
        self.assertContains(
            self.client.get("/search/?q=国家标准"),
            f'<a class="title" href="{article.get_absolute_url()}">',
        )

    def test_any_news_content_means_no_demo(self):
        """A site that starts with its own channel gets no demo, not even quality data."""
        Channel.objects.create(name="本地新闻", slug="本地新闻")
        out = StringIO()
        call_command("load_demo", stdout=out)
        self.assertIn(SKIPPED, out.getvalue())
        self.assertEqual(
            list(Channel.objects.values_list("name", flat=True)), ["本地新闻"]
        )
        self.assertFalse(Article.objects.exists())
        self.assertFalse(demo.has_content())

    def test_any_quality_data_means_no_demo(self):
        Region.objects.create(code="370600", name="烟台市", level="city")
        call_command("load_demo", stdout=StringIO())
        self.assertEqual(Region.objects.count(), 1)
        self.assertFalse(Channel.objects.exists() or Article.objects.exists())

    def test_a_failed_load_writes_nothing_and_the_next_start_loads(self):
        """News and quality demo are one transaction: no half-loaded first start."""
        with (
            mock.patch.object(demo, "load", side_effect=RuntimeError("disk full")),
            self.assertRaises(RuntimeError),
        ):
            call_command("load_demo", stdout=StringIO())
        self.assertFalse(Channel.objects.exists() or Article.objects.exists())
        self.assertIn("演示内容已载入", start())
        self.assertEqual(Article.objects.count(), 1)


class LaterStartTests(TestCase):
    """A later start changes nothing that staff withdrew, edited, renamed or deleted."""

    def setUp(self):
        # Each command and each request of staff commits on the site: run what
        # they leave for after the commit (search index, page cache) here too.
        with self.captureOnCommitCallbacks(execute=True):
            start()
        self.admin = get_user_model().objects.get(username="admin")
        self.article = demo.seed_article()

    def withdraw(self) -> Article:
        return workflow.article_unpublish(
            article=self.article, by=self.admin, comment="数据待核实"
        )

    def staff_work(self):
        """What staff do on the site between two starts."""
        article = self.withdraw()
        # An edit of the withdrawn article through the admin's change form.
        self.client.force_login(self.admin)
        form = change_form_data(self.client, article)
        form["title"] = "烟台市参与制修订604项国家标准（待核实）"
        response = self.client.post(f"/admin/news/article/{article.pk}/change/", form)
        self.assertEqual(response.status_code, 302)

        benchmark = Scheme.objects.get(name="全国质量标杆")
        benchmark.issuer = "中国质量协会"
        benchmark.full_clean()
        benchmark.save()
        Scheme.objects.filter(name="山东省服务名牌").delete()

        indicator = Indicator.objects.get(code="measurement_standards")
        indicator.name = "社会公用计量标准（市级）"
        indicator.is_headline = False
        indicator.full_clean()
        indicator.save()

        # A corrected figure becomes the preferred value of its cell …
        observation_correct(
            observation=Observation.objects.preferred().get(
                indicator__code="standards_national"
            ),
            reason="以市场监管局年报为准。",
            value=Decimal("605"),
            raw_text="605项",
        )
        # … and a subhead's figure is chosen over the body's.
        observation_set_preferred(
            observation=Observation.objects.get(
                indicator__code="inspection_centres_national",
                quote=demo.Q_HEADING_CENTRES,
            )
        )

    def test_withdrawn_seed_article_stays_withdrawn(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.withdraw()
        before = dump()
        self.assertIn(SKIPPED, start())
        self.assertEqual(dump(), before)
        article = Article.objects.get()
        self.assertEqual(article.status, Article.Status.UNPUBLISHED)
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 404)
        self.assertContains(
            self.client.get("/search/?q=国家标准"), "没有找到与“国家标准”有关的文章。"
        )

    def test_second_start_changes_nothing_staff_touched(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.staff_work()
        status = Article.objects.get().status  # 已撤下, or 草稿 once edited
        before = dump()
        out = start()
        self.assertIn(SKIPPED, out)
        self.assertNotIn("已创建管理员账号", out)
        self.assertEqual(dump(), before)

        article = Article.objects.get()
        self.assertEqual(article.status, status)
        self.assertFalse(article.is_published)
        self.assertEqual(article.title, "烟台市参与制修订604项国家标准（待核实）")
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 404)
        self.assertEqual(
            set(Scheme.objects.values_list("name", "issuer")),
            {
                ("山东名牌产品", demo.ISSUER_BRANDS),
                ("全国质量标杆", "中国质量协会"),
            },
        )
        self.assertEqual(
            Indicator.objects.get(code="measurement_standards").name,
            "社会公用计量标准（市级）",
        )
        preferred = Observation.objects.preferred()
        self.assertEqual(
            preferred.get(indicator__code="standards_national").value, Decimal("605")
        )
        self.assertEqual(
            preferred.get(indicator__code="inspection_centres_national").quote,
            demo.Q_HEADING_CENTRES,
        )

    def test_every_later_start_is_a_no_op(self):
        """Without staff work between them, starts after the first write nothing."""
        before = dump()
        self.assertIn(SKIPPED, start())
        self.assertIn(SKIPPED, start())
        self.assertEqual(dump(), before)

    def test_load_quality_demo_does_not_touch_existing_quality_data(self):
        self.staff_work()
        before = dump()
        out = StringIO()
        call_command("load_quality_demo", stdout=out)
        self.assertIn("数据库中已有质量数据，未载入质量数据演示内容。", out.getvalue())
        self.assertEqual(dump(), before)

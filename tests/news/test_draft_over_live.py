"""Draft over live: what readers see changes only when 终审 publishes or unpublishes.

Each of the reproductions of issue #12 is replayed and every public response (the
article page, home, channel, search, feeds, sitemap, the API) is compared byte for
byte before and after the editor's action.
"""

from datetime import datetime
from io import StringIO
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from news import search
from news.models import Article, Revision
from news.parsing import parse_page_text
from news.revisions import revision_create
from news.services import article_import, article_update
from news.workflow import (
    article_approve,
    article_discard,
    article_publish,
    article_submit,
    article_unpublish,
)
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ChannelFactory,
    PersonFactory,
    TagFactory,
    UserFactory,
    staff_in_group,
)
from tests.news.test_concurrency import change_form_data

S = Article.Status
SEED = next((Path(settings.BASE_DIR) / "news" / "fixtures" / "pages").glob("*.txt"))
SHANGHAI = ZoneInfo("Asia/Shanghai")


def seed_text(change: str = "") -> str:
    """The seed page; ``change`` replaces its first 质检中心 in the body."""
    text = SEED.read_text(encoding="utf-8")
    if not change:
        return text
    head, rest = text.split("\n", 2)[:2], text.split("\n", 2)[2]
    return "\n".join([*head, rest.replace("质检中心", change, 1)])


@override_settings(ARTICLE_PAGE_CACHE_SECONDS=0)  # render every time: nothing hides
class PublicResponsesUnchangedTests(TestCase):
    """The five reproductions: the editor acts, readers see exactly the same bytes."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量强市", slug="质量强市")
        cls.other = ChannelFactory(name="标准化", slug="标准化")
        cls.editor = staff_in_group("editor", "编辑")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def setUp(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.article = article_import(
                page=parse_page_text(seed_text()), channel=self.channel, publish=True
            ).article
        self.article.refresh_from_db()

    def public(self) -> dict[str, tuple[int, bytes]]:
        self.client.logout()
        pk = self.article.pk
        urls = [
            f"/news/{pk}/",
            "/",
            self.channel.get_absolute_url(),
            self.other.get_absolute_url(),
            "/search/?q=国家标准",
            "/feeds/rss/",
            "/feeds/atom/",
            "/sitemap.xml",
            f"/api/v1/articles/{pk}/",
            "/api/v1/articles/",
            "/api/v1/articles/?q=国家标准",
        ]
        out = {}
        for url in urls:
            response = self.client.get(url)
            out[url] = (response.status_code, response.content, response.get("ETag"))
        return out

    def assertPublicUnchanged(self, before):
        after = self.public()
        for url in before:
            with self.subTest(url=url):
                self.assertEqual(before[url], after[url])

    def act_and_compare(self, action):
        before = self.public()
        self.assertEqual(before[f"/news/{self.article.pk}/"][0], 200)
        with self.captureOnCommitCallbacks(execute=True):
            action()
        self.assertPublicUnchanged(before)
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, S.PUBLISHED)
        self.assertTrue(self.article.has_draft)

    def test_editor_pastes_matching_page_text(self):
        def paste():
            self.client.force_login(self.editor)
            response = self.client.post(
                "/admin/news/article/import/",
                {"text": seed_text("检验检测中心"), "channel": self.other.pk},
                follow=True,
            )
            self.assertContains(response, "已生成待审草稿，线上版本不变")

        self.act_and_compare(paste)
        draft = self.article.draft_revision.snapshot
        self.assertEqual(draft["channel"], self.other.pk)
        self.assertIn("检验检测中心", draft["body"])

    def test_restore_of_an_old_revision(self):
        old = revision_create(
            article=self.article,
            by=None,
            snapshot={**self.article.live_revision.snapshot, "title": "旧标题"},
        )

        def restore():
            self.client.force_login(self.editor)
            response = self.client.post(
                f"/admin/news/article/{self.article.pk}/revisions/{old.pk}/restore/",
                follow=True,
            )
            self.assertContains(response, "线上版本不变")

        self.act_and_compare(restore)
        self.assertEqual(self.article.draft_revision.snapshot["title"], "旧标题")

    def test_publishers_own_edit_goes_to_a_draft(self):
        def edit():
            self.client.force_login(self.publisher)
            data = change_form_data(self.client, self.article)
            data["title"] = "终审直接改的标题"
            response = self.client.post(
                f"/admin/news/article/{self.article.pk}/change/", data
            )
            self.assertEqual(response.status_code, 302)

        self.act_and_compare(edit)
        # 历史 marks the revision that is actually live, and the draft apart.
        self.client.force_login(self.publisher)
        history = self.client.get(f"/admin/news/article/{self.article.pk}/history/")
        page = history.content.decode()
        self.assertEqual(page.count('class="live-mark"'), 1)
        self.assertEqual(page.count('class="draft-mark"'), 1)
        live = self.article.live_revision
        self.assertTrue(live.is_live)
        self.assertEqual(Revision.objects.filter(is_live=True).count(), 1)

    def test_api_patch_of_a_live_article(self):
        from rest_framework.test import APIClient

        from tests.api import token_for

        secret = token_for(self.editor)

        def patch():
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
            url = f"/api/v1/drafts/{self.article.pk}/"
            etag = client.get(url)["ETag"]
            response = client.patch(
                url, {"title": "接口改的标题"}, format="json", HTTP_IF_MATCH=etag
            )
            self.assertEqual(response.status_code, 200, response.content)
            self.assertEqual(response.json()["title"], "接口改的标题")
            self.assertEqual(response.json()["status"], S.DRAFT)
            self.assertEqual(response.json()["live_status"], S.PUBLISHED)

        self.act_and_compare(patch)

    def test_move_to_channel_in_bulk(self):
        def move():
            self.client.force_login(self.editor)
            self.client.post(
                "/admin/news/article/",
                {
                    "action": "move_to_channel",
                    "_selected_action": [self.article.pk],
                    "channel": self.other.pk,
                },
            )

        self.act_and_compare(move)

    def test_draft_review_steps_change_nothing_public_then_publish_does(self):
        reviewer = staff_in_group("reviewer", "审核")
        article_update(
            article=self.article, by=self.editor, values={"title": "修改后的标题"}
        )
        before = self.public()
        with self.captureOnCommitCallbacks(execute=True):
            article_submit(article=self.article, by=self.editor)
            article_approve(article=self.article, by=reviewer)
            article_approve(article=self.article, by=reviewer)
        self.assertPublicUnchanged(before)
        self.article.refresh_from_db()
        self.assertEqual(self.article.editorial_status, S.REVIEW_3)
        with self.captureOnCommitCallbacks(execute=True):
            article_publish(article=self.article, by=self.publisher)
        page = self.client.get(f"/news/{self.article.pk}/")
        self.assertContains(page, "修改后的标题")
        api = self.client.get(f"/api/v1/articles/{self.article.pk}/").json()
        self.assertEqual(api["title"], "修改后的标题")
        self.assertEqual(search.search("修改后的标题").count(), 1)


class PublicationTimeTests(TestCase):
    """发布时间 is the article's own time; 更新时间 marks a republished revision."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def walk(self, article):
        article_submit(article=article, by=self.editor)
        article_approve(article=article, by=self.reviewer)
        article_approve(article=article, by=self.reviewer)
        return article_publish(article=article, by=self.publisher)

    def test_imported_2021_article_keeps_its_time_through_the_workflow(self):
        article = article_import(
            page=parse_page_text(seed_text()), channel=self.channel, by=self.editor
        ).article
        own_time = article.published_at
        self.assertEqual(own_time.year, 2021)
        self.walk(article)
        article.refresh_from_db()
        self.assertTrue(article.is_published)
        self.assertEqual(article.published_at, own_time)
        self.assertIsNone(article.revised_at)
        # Figures are read against the article's own date, not today's.
        from quality.extraction import extract_figures

        figures = extract_figures(
            article.body_text, timezone.localtime(article.published_at).date()
        )
        self.assertTrue(figures)
        self.assertEqual(
            {f.period_end.year for f in figures} - {2019, 2020, 2021}, set()
        )

    def test_first_publication_without_a_time_takes_now_to_the_second(self):
        article = ArticleFactory(
            status=S.DRAFT, published_at=None, channel=self.channel
        )
        before = timezone.now().replace(microsecond=0)
        self.walk(article)
        article.refresh_from_db()
        self.assertGreaterEqual(article.published_at, before)
        self.assertEqual(article.published_at.microsecond, 0)
        self.assertTrue(article.is_published)

    def test_republished_revision_keeps_time_and_sets_updated_time(self):
        own = datetime(2021, 7, 21, 8, 56, 27, tzinfo=SHANGHAI)
        article = ArticleFactory(status=S.DRAFT, published_at=own, channel=self.channel)
        self.walk(article)
        article_update(article=article, by=self.editor, values={"summary": "新摘要"})
        self.walk(article)
        article.refresh_from_db()
        self.assertEqual(article.published_at, own)
        self.assertEqual(article.summary, "新摘要")
        self.assertIsNotNone(article.revised_at)
        page = self.client.get(article.get_absolute_url()).content.decode()
        self.assertIn("更新时间", page)
        revised = timezone.localtime(article.revised_at).isoformat()
        self.assertIn(f'"dateModified": "{revised}"', page)
        self.assertIn(f'"datePublished": "{own.isoformat()}"', page)

    def test_scheduling_a_draft_over_a_live_article_keeps_it_live(self):
        """定时发布 of a draft over a live article: the draft waits, approved
        (tests/news/test_scheduled_revisions.py); the live version stays."""
        from datetime import timedelta

        article = ArticleFactory(channel=self.channel)
        article_update(article=article, by=self.editor, values={"title": "新"})
        article_submit(article=article, by=self.editor)
        article_approve(article=article, by=self.reviewer)
        article_approve(article=article, by=self.reviewer)
        at = timezone.now().replace(microsecond=0) + timedelta(days=1)
        article_publish(article=article, by=self.publisher, at=at)
        article.refresh_from_db()
        self.assertTrue(article.is_published)
        self.assertNotEqual(article.title, "新")
        self.assertEqual(article.draft_go_live_at, at)

    def test_seconds_survive_saving_the_form_unchanged(self):
        own = datetime(2021, 7, 21, 8, 56, 27, tzinfo=SHANGHAI)
        article = ArticleFactory(status=S.DRAFT, published_at=own, channel=self.channel)
        BylineFactory(article=article, person=PersonFactory(name="逄苗"))
        revision_create(article=article, by=None)
        admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        data = change_form_data(self.client, article)
        self.assertEqual(data["published_at_1"], "08:56:27")
        response = self.client.post(f"/admin/news/article/{article.pk}/change/", data)
        self.assertEqual(response.status_code, 302)
        article.refresh_from_db()
        self.assertEqual(article.published_at, own)
        self.assertEqual(article.revisions.count(), 1)  # nothing changed, nothing new
        self.assertEqual([b.person.name for b in article.bylines.all()], ["逄苗"])


class WritePathTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.reviewer2 = staff_in_group("reviewer2", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def test_one_reindex_per_form_save_with_tags_and_bylines(self):
        article = ArticleFactory(status=S.DRAFT, channel=self.channel)
        BylineFactory(article=article, person=PersonFactory(name="逄苗"))
        revision_create(article=article, by=None)
        tag = TagFactory(name="计量")
        admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        data = change_form_data(self.client, article)
        data["tags"] = [tag.pk]
        data["bylines-TOTAL_FORMS"] = "2"
        data.update(
            {
                "bylines-1-order": "1",
                "bylines-1-prefix": "",
                "bylines-1-role": "通讯员",
                "bylines-1-person": PersonFactory(name="唐克").pk,
            }
        )
        data["summary"] = "新的摘要"
        with (
            mock.patch.object(
                search, "index_article", wraps=search.index_article
            ) as index,
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.client.post(
                f"/admin/news/article/{article.pk}/change/", data
            )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(index.call_count, 1)
        self.assertEqual(
            [b.person.name for b in article.bylines.all()], ["逄苗", "唐克"]
        )
        self.assertEqual([t.name for t in article.tags.all()], ["计量"])

    def test_draft_saves_do_not_touch_the_search_index_or_page_cache(self):
        article = ArticleFactory(channel=self.channel)
        with (
            mock.patch.object(
                search, "index_article", wraps=search.index_article
            ) as index,
            self.captureOnCommitCallbacks(execute=True) as callbacks,
        ):
            article_update(article=article, by=self.editor, values={"title": "草稿"})
        self.assertEqual(index.call_count, 0)
        self.assertEqual(callbacks, [])

    def test_unchanged_save_writes_nothing(self):
        article = ArticleFactory(status=S.DRAFT, channel=self.channel)
        result = article_update(
            article=article, by=self.editor, values={"title": article.title}
        )
        self.assertFalse(result.changed)
        self.assertEqual(article.revisions.count(), 0)
        self.assertEqual(article.version, 1)

    def test_unpublish_is_separate_and_keeps_the_draft(self):
        article = ArticleFactory(channel=self.channel)
        article_update(article=article, by=self.editor, values={"title": "草稿标题"})
        article_unpublish(article=article, by=self.publisher)
        article.refresh_from_db()
        self.assertFalse(article.is_published)
        self.assertEqual(article.draft_revision.snapshot["title"], "草稿标题")
        self.assertNotEqual(article.title, "草稿标题")

    def test_discard_drops_the_draft_and_keeps_it_in_history(self):
        article = ArticleFactory(channel=self.channel)
        title = article.title
        article_update(article=article, by=self.editor, values={"title": "不要了"})
        draft = article.draft_revision_id
        article_discard(article=article, by=self.editor)
        article.refresh_from_db()
        self.assertFalse(article.has_draft)
        self.assertEqual(article.title, title)
        self.assertTrue(Revision.objects.filter(pk=draft).exists())

    def test_editor_cannot_discard_a_draft_under_review(self):
        article = ArticleFactory(channel=self.channel)
        article_update(article=article, by=self.editor, values={"title": "送审中"})
        article_submit(article=article, by=self.editor)
        with self.assertRaisesMessage(Exception, "只有终审发布人员"):
            article_discard(article=article, by=self.editor)
        article.refresh_from_db()
        self.assertTrue(article.has_draft)

    def test_import_needs_the_change_permission(self):
        viewer = staff_in_group("viewer", None)
        self.client.force_login(viewer)
        response = self.client.post(
            "/admin/news/article/import/",
            {"text": seed_text(), "channel": self.channel.pk},
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Article.objects.exists())

    def test_import_command_says_unchanged_and_writes_nothing(self):
        call_command("import_article", str(SEED), stdout=StringIO())
        article = Article.objects.get()
        revisions = article.revisions.count()
        out = StringIO()
        call_command("import_article", str(SEED), stdout=out)
        self.assertIn("内容未变", out.getvalue())
        self.assertEqual(article.revisions.count(), revisions)

    def test_new_articles_have_no_source_until_one_is_given(self):
        self.assertEqual(Article().source, "")
        admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        form = self.client.get("/admin/news/article/add/").context["adminform"].form
        self.assertFalse(form.initial.get("source"))
        self.assertIsNone(form.initial.get("published_at"))


@override_settings(EDITORIAL_SEPARATION_OF_DUTIES=True)
class SeparationOfDutiesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.a = staff_in_group("a", "审核")
        cls.b = staff_in_group("b", "审核")
        cls.c = staff_in_group("c", "审核")

    def test_submitter_and_first_reviewer_cannot_approve_again(self):
        article = ArticleFactory(status=S.DRAFT)
        article_submit(article=article, by=self.a)
        with self.assertRaisesMessage(Exception, "送审人不能审核"):
            article_approve(article=article, by=self.a)
        article_approve(article=article, by=self.b)
        with self.assertRaisesMessage(Exception, "初审和复审须由不同的人"):
            article_approve(article=article, by=self.b)
        with self.assertRaisesMessage(Exception, "送审人不能审核"):
            article_approve(article=article, by=self.a)
        article_approve(article=article, by=self.c)
        article.refresh_from_db()
        self.assertEqual(article.status, S.REVIEW_3)

    def test_rule_applies_to_superusers_and_is_on_by_default(self):
        import importlib

        import yantai.settings

        with mock.patch.dict("os.environ", {}, clear=False) as env:
            env.pop("EDITORIAL_SEPARATION_OF_DUTIES", None)
            self.assertTrue(
                importlib.reload(yantai.settings).EDITORIAL_SEPARATION_OF_DUTIES
            )
        root = UserFactory(username="root", is_staff=True, is_superuser=True)
        article = ArticleFactory(status=S.DRAFT)
        article_submit(article=article, by=root)
        with self.assertRaisesMessage(Exception, "送审人不能审核"):
            article_approve(article=article, by=root)

    @override_settings(EDITORIAL_SEPARATION_OF_DUTIES=False)
    def test_can_be_switched_off(self):
        article = ArticleFactory(status=S.DRAFT)
        article_submit(article=article, by=self.a)
        article_approve(article=article, by=self.a)
        article_approve(article=article, by=self.a)
        article.refresh_from_db()
        self.assertEqual(article.status, S.REVIEW_3)

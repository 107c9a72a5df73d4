"""What a change makes stale in the page cache: only what readers see of it.

Real file caches (``pages`` and ``shared`` on disk, as every worker shares them),
real services: a publication goes through ``news.workflow`` like the admin's.
"""

import io
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.utils import timezone
from PIL import Image as PILImage

from news import pagecache
from news.images import image_create
from news.models import PAGE_STAMP_START, Article, Channel, Tag
from news.related import neighbours_and_related
from news.services import article_update
from news.workflow import (
    article_publish_content,
    article_submit,
    article_unpublish,
)
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ChannelFactory,
    TagFactory,
    UserFactory,
)


def next_link(article: Article) -> str:
    return f'<a href="{article.get_absolute_url()}" rel="next">'


class PageInvalidationTests(TestCase):
    def setUp(self):
        now = timezone.now()
        self.channel = ChannelFactory(name="质量强市", slug="质量强市")
        self.older = ArticleFactory(
            title="较早的一篇",
            channel=self.channel,
            published_at=now - timedelta(hours=3),
        )
        self.newest = ArticleFactory(
            title="栏目里最新的一篇",
            channel=self.channel,
            published_at=now - timedelta(hours=2),
        )
        self.unrelated = ArticleFactory(
            title="别的栏目的一篇",
            channel=ChannelFactory(name="品牌建设", slug="品牌建设"),
            published_at=now - timedelta(hours=5),
        )
        self.editor = UserFactory(is_staff=True, is_superuser=True)

    def read(self, article: Article):
        return self.client.get(article.get_absolute_url())

    def assert_served_from_cache(self, article: Article):
        """One query (the article row), no template rendered."""
        with self.assertNumQueries(1):
            response = self.read(article)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.templates, [])
        return response.content.decode()

    def publish_new(self, title: str, **fields) -> Article:
        fields.setdefault("channel", self.channel)
        fields.setdefault("published_at", None)
        draft = ArticleFactory(title=title, status=Article.Status.REVIEW_3, **fields)
        with self.captureOnCommitCallbacks(execute=True):
            return article_publish_content(article=draft, by=self.editor)

    def stamps(self) -> dict[int, int]:
        return dict(Article.objects.values_list("pk", "page_stamp"))

    def test_a_publication_leaves_unrelated_pages_cached_with_the_new_latest(self):
        self.read(self.unrelated)
        new = self.publish_new("刚刚发布的新闻")
        page = self.assert_served_from_cache(self.unrelated)
        latest = page.split('<section class="latest">')[1].split("</section>")[0]
        self.assertIn(f'<a href="{new.get_absolute_url()}">刚刚发布的新闻</a>', latest)

    def test_a_publication_shows_in_its_neighbours_next_link_at_once(self):
        self.assertIn("下一篇：没有了", self.read(self.newest).content.decode())
        new = self.publish_new("刚刚发布的新闻")
        self.assertContains(self.read(self.newest), next_link(new))
        self.assertContains(
            self.read(new), next_link(self.newest).replace("next", "prev")
        )
        # Only the article and its neighbour were made stale.
        self.assertEqual(
            {pk for pk, stamp in self.stamps().items() if stamp > PAGE_STAMP_START},
            {new.pk, self.newest.pk},
        )

    def test_drafts_review_steps_and_unpublished_saves_invalidate_nothing(self):
        self.read(self.newest)
        self.read(self.unrelated)
        draft = ArticleFactory(status=Article.Status.DRAFT, channel=self.channel)
        stamps, token = self.stamps(), pagecache.public_token()
        with self.captureOnCommitCallbacks(execute=True):
            # A draft over the live article, sent to review; a draft's own row.
            article_update(
                article=self.newest, by=self.editor, values={"title": "改过的标题"}
            )
            article_submit(article=self.newest, by=self.editor)
            article_update(article=draft, by=self.editor, values={"title": "草稿改名"})
        self.assertEqual(self.stamps(), stamps)
        self.assertEqual(pagecache.public_token(), token)
        for article in (self.newest, self.unrelated):
            page = self.assert_served_from_cache(article)
            self.assertNotIn("改过的标题", page)

    def test_a_withdrawal_leaves_the_neighbours_links_and_latest(self):
        new = self.publish_new("将被撤下的新闻")
        self.read(self.newest)
        self.read(self.unrelated)
        with self.captureOnCommitCallbacks(execute=True):
            article_unpublish(article=new, by=self.editor)
        self.assertEqual(self.read(new).status_code, 404)
        page = self.read(self.newest).content.decode()
        self.assertIn("下一篇：没有了", page)
        page = self.assert_served_from_cache(self.unrelated)
        self.assertNotIn("将被撤下的新闻", page)

    def test_a_republished_move_updates_the_old_and_new_neighbours(self):
        other = self.unrelated.channel
        new = self.publish_new("要换栏目的新闻")
        self.read(self.newest)
        self.read(self.unrelated)
        article_update(article=new, by=self.editor, values={"channel": other})
        with self.captureOnCommitCallbacks(execute=True):
            article_publish_content(article=new, by=self.editor, reviewed=False)
        self.assertIn("下一篇：没有了", self.read(self.newest).content.decode())
        self.assertContains(self.read(self.unrelated), next_link(new))

    def test_a_channel_rename_shows_on_its_articles_and_in_every_menu(self):
        self.read(self.newest)
        self.read(self.unrelated)
        with self.captureOnCommitCallbacks(execute=True):
            channel = Channel.objects.get(pk=self.channel.pk)
            channel.name = "质量强市新名"
            channel.save()
        page = self.read(self.newest).content.decode()
        self.assertIn("质量强市新名</a> › ", page)  # the breadcrumb
        page = self.assert_served_from_cache(self.unrelated)
        self.assertIn("质量强市新名</a></li>", page)  # the channel menu

    def test_a_tag_rename_shows_on_its_articles_only(self):
        tag = TagFactory(name="旧标签")
        self.newest.tags.add(tag)
        self.read(self.newest)
        self.read(self.older)
        with self.captureOnCommitCallbacks(execute=True):
            tag = Tag.objects.get(pk=tag.pk)
            tag.name = "新标签"
            tag.save()
        self.assertContains(self.read(self.newest), "新标签")
        self.assert_served_from_cache(self.older)

    def test_the_responsible_editors_new_name_shows_on_their_pages(self):
        Article.objects.filter(pk=self.newest.pk).update(responsible_editor=self.editor)
        self.editor.first_name = "旧名"
        self.editor.save()
        self.assertContains(self.read(self.newest), "责任编辑：旧名")
        self.read(self.older)
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            self.editor.last_login = timezone.now()
            self.editor.save(update_fields=["last_login"])  # a login: nothing shown
        self.assertEqual(callbacks, [])
        with self.captureOnCommitCallbacks(execute=True):
            self.editor.first_name = "新名"
            self.editor.save()
        self.assertContains(self.read(self.newest), "责任编辑：新名")
        self.assert_served_from_cache(self.older)

    def test_a_deleted_responsible_editor_leaves_their_pages(self):
        gone = UserFactory(username="gone", first_name="离职者", is_staff=True)
        Article.objects.filter(pk=self.newest.pk).update(responsible_editor=gone)
        self.assertContains(self.read(self.newest), "责任编辑：离职者")
        with self.captureOnCommitCallbacks(execute=True):
            gone.delete()
        self.assertNotContains(self.read(self.newest), "离职者")

    def test_a_scheduled_next_article_appears_at_its_time(self):
        """No event marks the moment: the page is kept only until then."""
        at = timezone.now() + timedelta(minutes=1)
        scheduled = self.publish_new("定时发布的新闻", published_at=at)
        lists = neighbours_and_related(self.newest)
        self.assertIsNone(lists["next"])
        self.assertEqual(lists["until"], scheduled.published_at)
        self.assertLessEqual(pagecache.page_timeout(lists["until"]), 60)

    def test_another_process_sees_the_same_pages_and_fragments(self):
        """Two cache instances on the same directories, as two workers have."""
        self.read(self.unrelated)
        new = self.publish_new("刚刚发布的新闻")
        first = (caches["pages"], caches["shared"])
        again = {alias: dict(settings.CACHES[alias]) for alias in settings.CACHES}
        with override_settings(CACHES=again):  # new backend instances
            self.assertIsNot(caches["pages"], first[0])
            self.assertIsNot(caches["shared"], first[1])
            page = self.assert_served_from_cache(self.unrelated)
            self.assertIn("刚刚发布的新闻", page)
            self.assertContains(self.read(self.newest), next_link(new))

    def test_the_sitemap_follows_a_publication_and_a_withdrawal_at_once(self):
        # Cached before the publication. (Not an assertion on "/news/9": on
        # PostgreSQL the ids go on across tests, and 906 starts so.)
        self.assertEqual(self.client.get("/sitemap-articles.xml").status_code, 200)
        new = self.publish_new("刚刚发布的新闻")
        url = f"/news/{new.pk}/</loc>"
        self.assertContains(self.client.get("/sitemap-articles.xml"), url)
        with self.assertNumQueries(0):  # cached until the next public change
            self.client.get("/sitemap-articles.xml")
        with self.captureOnCommitCallbacks(execute=True):
            article_unpublish(article=new, by=self.editor)
        self.assertNotContains(self.client.get("/sitemap-articles.xml"), url)

    def test_a_person_rename_and_a_cover_caption_show_on_their_pages(self):
        byline = BylineFactory(article=self.newest, person__name="旧名字")
        buffer = io.BytesIO()
        PILImage.new("RGB", (40, 30), "teal").save(buffer, "PNG")
        cover = image_create(
            file=SimpleUploadedFile("cover.png", buffer.getvalue()),
            title="封面",
            alt_text="封面图",
            by=self.editor,
        )
        cover.caption = "旧图说"
        cover.save()
        Article.objects.filter(pk=self.older.pk).update(cover=cover)
        for article in (self.newest, self.older, self.unrelated):
            self.read(article)
        with self.captureOnCommitCallbacks(execute=True):
            person = byline.person
            person.name = "新名字"
            person.save()
            cover.caption = "新图说"
            cover.save()
        self.assertContains(self.read(self.newest), "新名字")
        self.assertContains(self.read(self.older), "新图说")
        self.assert_served_from_cache(self.unrelated)

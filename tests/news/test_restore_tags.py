"""Restoring an old revision keeps its tags though they were renamed since: a
revision names its tags and (from now on) their ids, which a rename keeps; a tag
an older revision names that no longer exists is reported, never dropped
silently."""

from django.contrib.messages import get_messages
from django.test import TestCase

from news.models import Article, Revision, Tag
from news.revisions import revision_create
from news.services import article_update
from news.workflow import revision_restore
from tests.factories import ArticleFactory, ChannelFactory, TagFactory, staff_in_group

S = Article.Status


class RestoreFollowsTagRenamesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")

    def setUp(self):
        self.article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        self.renamed = TagFactory(name="质量月")
        self.kept = TagFactory(name="计量")
        self.article.tags.add(self.renamed, self.kept)
        self.old = revision_create(article=self.article, by=self.editor)
        article_update(article=self.article, by=self.editor, values={"tags": []})
        self.renamed.name = "全国质量月"
        self.renamed.save()

    def tag_names(self) -> list[str]:
        self.article.refresh_from_db()
        return sorted(self.article.tags.values_list("name", flat=True))

    def test_a_renamed_tag_is_restored_under_its_new_name(self):
        result = revision_restore(revision=self.old, by=self.editor)
        self.assertEqual(self.tag_names(), ["全国质量月", "计量"])
        self.assertEqual(result.tags_missing, [])

    def test_a_live_article_restored_and_published_keeps_it(self):
        live = ArticleFactory(channel=self.channel)
        live.tags.add(self.kept)
        old = revision_create(article=live, by=self.editor)
        self.kept.name = "计量测试"
        self.kept.save()
        article_update(article=live, by=self.editor, values={"title": "新标题"})
        revision_restore(revision=old, by=self.editor)
        live.refresh_from_db()
        self.assertEqual(live.draft_revision.snapshot["tags"], ["计量测试"])

    def test_a_tag_an_older_revision_names_by_name_only_is_reported(self):
        """Revisions saved before tags were stored with their ids know only the
        old name: the restore says which tag it could not bring back."""
        snapshot = dict(self.old.snapshot)
        snapshot.pop("tag_ids", None)
        Revision.objects.filter(pk=self.old.pk).update(snapshot=snapshot)
        self.old.refresh_from_db()
        result = revision_restore(revision=self.old, by=self.editor)
        self.assertEqual(self.tag_names(), ["计量"])
        self.assertEqual(result.tags_missing, ["质量月"])
        latest = self.article.revisions.order_by("-version", "-id").first()
        self.assertIn("质量月", latest.summary)

    def test_the_admin_says_which_tags_were_not_restored(self):
        snapshot = dict(self.old.snapshot)
        snapshot.pop("tag_ids", None)
        Revision.objects.filter(pk=self.old.pk).update(snapshot=snapshot)
        self.client.force_login(self.editor)
        response = self.client.post(
            f"/admin/news/article/{self.article.pk}/revisions/{self.old.pk}/restore/"
        )
        said = " ".join(m.message for m in get_messages(response.wsgi_request))
        self.assertIn("质量月", said)
        self.assertIn("未能恢复", said)
        self.assertEqual(self.tag_names(), ["计量"])
        self.assertTrue(Tag.objects.filter(name="全国质量月").exists())

"""The article form's local copy, server side (news/admin_local_copy.py).

The browser keeps unsaved form values (static/js/article-local-copy.js, tested in
tests/browser/test_unsaved_changes.py); the admin tells it which were saved, with a
cookie set only on a successful save, and gives the form its configuration in
data- attributes.
"""

from django.test import TestCase
from django.utils import timezone

from news.admin_local_copy import SAVED_COOKIE, saved_cookie_value
from news.models import Article
from tests.factories import ArticleFactory, ChannelFactory, staff_in_group
from tests.news import test_workflow


def form_data(article, **overrides):
    """The change form's POST, as the workflow tests make it."""
    return test_workflow.AdminWorkflowTests.form_data(None, article, **overrides)


class SavedCookieTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.other = staff_in_group("other", "编辑")

    def setUp(self):
        self.article = ArticleFactory(status=Article.Status.DRAFT, channel=self.channel)
        self.url = f"/admin/news/article/{self.article.pk}/change/"
        self.client.force_login(self.editor)

    def test_a_saved_change_names_the_user_and_the_article(self):
        response = self.client.post(self.url, form_data(self.article, title="改过"))
        self.assertEqual(response.status_code, 302)
        cookie = response.cookies[SAVED_COOKIE]
        self.assertEqual(cookie.value, f"{self.editor.pk}:{self.article.pk}")
        self.assertEqual(cookie["path"], "/admin/")
        self.assertFalse(cookie["httponly"])  # the script reads and deletes it
        self.assertEqual(cookie["samesite"], "Lax")

    def test_a_saved_new_article_names_the_add_form(self):
        article = Article(
            title="新稿件", channel=self.channel, published_at=timezone.now()
        )
        data = form_data(article, slug="")
        del data["expected_version"]
        response = self.client.post("/admin/news/article/add/", data)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Article.objects.filter(title="新稿件").exists())
        self.assertEqual(response.cookies[SAVED_COOKIE].value, f"{self.editor.pk}:new")

    def test_earlier_saves_not_yet_read_are_kept(self):
        self.client.cookies[SAVED_COOKIE] = f"{self.editor.pk}:new"
        response = self.client.post(self.url, form_data(self.article, title="改过"))
        self.assertEqual(
            response.cookies[SAVED_COOKIE].value,
            f"{self.editor.pk}:new|{self.editor.pk}:{self.article.pk}",
        )

    def test_cookie_value_keeps_only_well_formed_entries(self):
        self.assertEqual(
            saved_cookie_value("1:2|<script>|3:new|1:2", "1:2"), "3:new|1:2"
        )
        many = "|".join(f"1:{n}" for n in range(40))
        self.assertEqual(len(saved_cookie_value(many, "2:new").split("|")), 20)

    def test_a_form_with_errors_sets_no_cookie(self):
        response = self.client.post(self.url, form_data(self.article, title=""))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "errornote")
        self.assertNotIn(SAVED_COOKIE, response.cookies)

    def test_a_refused_save_sets_no_cookie_and_writes_nothing(self):
        stale = form_data(self.article, title="我的标题")
        self.client.force_login(self.other)
        self.client.post(self.url, form_data(self.article, title="别人的标题"))
        self.client.force_login(self.editor)
        response = self.client.post(self.url, stale)
        self.assertContains(response, "保存被拒绝")
        self.assertNotIn(SAVED_COOKIE, response.cookies)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "别人的标题")


class FormConfigurationTests(TestCase):
    """Who gets the local copy: those who may save the form, nobody else."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = staff_in_group("editor", "编辑")
        cls.bare_staff = staff_in_group("nobody", None)

    def setUp(self):
        self.article = ArticleFactory(status=Article.Status.DRAFT)
        self.url = f"/admin/news/article/{self.article.pk}/change/"

    def test_editor_gets_the_configuration_in_chinese(self):
        self.client.force_login(self.editor)
        response = self.client.get(self.url)
        self.assertContains(response, 'id="article-local-copy"')
        self.assertContains(response, f'data-user="{self.editor.pk}"')
        self.assertContains(response, f'data-article="{self.article.pk}"')
        self.assertContains(
            response, 'data-restore="恢复未保存的内容（保存于 __TIME__）"'
        )
        self.assertContains(response, 'data-discard="丢弃"')
        self.assertContains(response, "js/article-local-copy.js")
        response = self.client.get("/admin/news/article/add/")
        self.assertContains(response, 'data-article="new"')

    def test_english_texts(self):
        self.client.force_login(self.editor)
        response = self.client.get(self.url, headers={"accept-language": "en"})
        self.assertContains(
            response, 'data-restore="Restore unsaved content (saved at __TIME__)"'
        )
        self.assertContains(response, 'data-discard="Discard"')

    def test_staff_without_permission_and_anonymous_get_no_form(self):
        self.client.force_login(self.bare_staff)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.logout()
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_a_read_only_view_keeps_no_copy(self):
        from django.contrib.auth.models import Permission

        viewer = staff_in_group("viewer", None)
        viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
        self.client.force_login(viewer)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'id="article-local-copy"')

    def test_logging_out_marks_the_page_that_clears_the_copies(self):
        self.client.force_login(self.editor)
        response = self.client.post("/admin/logout/")
        self.assertContains(response, 'id="local-copies-clear"')
        self.assertContains(response, "js/article-local-copy.js")

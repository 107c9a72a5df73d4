"""A bulk action posted with an id that is not one (a hand-made or damaged form)
gets the admin's own error message and the changelist again, never a 500, and
changes nothing: Django's ``response_action`` would put the value into
``pk__in`` and fail with ``ValueError``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.test import TestCase, override_settings
from django.urls import path

from news.models import Article
from quality.models import Indicator
from tests.factories import ArticleFactory, UserFactory
from yantai import urls as site_urls


class ActionIdsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        cls.article = ArticleFactory(title="一篇草稿")

    def setUp(self):
        self.client.force_login(self.admin)

    def post(self, url: str, action: str, ids: list[str]):
        return self.client.post(
            url, {"action": action, "_selected_action": ids, "index": "0"}
        )

    def test_article_action_with_a_bad_id(self):
        before = list(Article.objects.values_list("pk", "status", "version"))
        for bad in ("abc", "1.5", "", "9" * 30):
            with self.subTest(bad=bad):
                response = self.post(
                    "/admin/news/article/",
                    "delete_selected",
                    [str(self.article.pk), bad],
                )
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response["Location"], "/admin/news/article/")
                messages = [str(m) for m in get_messages(response.wsgi_request)]
                shown = bad if len(bad) <= 20 else bad[:20] + "…"
                self.assertIn(
                    f"所选条目的编号“{shown}”无效，没有执行任何操作。", messages
                )
        self.assertEqual(
            list(Article.objects.values_list("pk", "status", "version")), before
        )

    def test_a_huge_bad_id_is_not_echoed_whole(self):
        # The message goes into the session (too big for the cookie): 1 MB of it
        # was stored, and shown, for one bad value.
        bad = "x" * 1_000_000
        response = self.post("/admin/news/article/", "delete_selected", [bad])
        self.assertEqual(response.status_code, 302)
        messages = [str(m) for m in get_messages(response.wsgi_request)]
        self.assertEqual(
            messages, [f"所选条目的编号“{'x' * 20}…”无效，没有执行任何操作。"]
        )
        cookie = self.client.cookies.get("messages")
        stored = self.client.session.get("_messages", "") + (cookie.value or "")
        self.assertLess(len(stored), 1000)

    def test_other_models_too(self):
        count = Indicator.objects.count()
        response = self.post("/admin/quality/indicator/", "delete_selected", ["x"])
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Indicator.objects.count(), count)

    def test_good_ids_still_reach_the_action(self):
        response = self.post(
            "/admin/news/article/", "delete_selected", [str(self.article.pk)]
        )
        # Django's confirmation page of 删除所选.
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "一篇草稿")

    def test_anonymous_is_sent_to_login(self):
        self.client.logout()
        response = self.post("/admin/news/article/", "delete_selected", ["abc"])
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])


# An admin of a model whose id is no integer (a session's key), beside the site's.
probe_site = admin.AdminSite(name="probe_admin")
probe_site.register(Session)
urlpatterns = [path("probe-admin/", probe_site.urls), *site_urls.urlpatterns]


@override_settings(ROOT_URLCONF=__name__)
class NonIntegerIdTests(TestCase):
    """The check is of integer ids: a model with a text id (or one whose id is a
    link to its parent's) has its actions as Django gives them."""

    def test_an_action_on_a_model_with_a_text_id_reaches_it(self):
        self.client.force_login(
            UserFactory(username="root", is_staff=True, is_superuser=True)
        )
        key = self.client.session.session_key
        response = self.client.post(
            "/probe-admin/sessions/session/",
            {"action": "delete_selected", "_selected_action": [key], "index": "0"},
        )
        # Django's confirmation page of 删除所选, the session named.
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, key)
        self.assertTrue(Session.objects.filter(pk=key).exists())

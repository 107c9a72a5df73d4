"""正在编辑: only the people who have the change form open now (news/admin_presence.py)."""

from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test import Client, SimpleTestCase, TestCase, override_settings
from django.utils import timezone

from news.admin_presence import (
    PRESENT_SECONDS,
    presence_beat,
    presence_leave,
    presence_others,
)
from news.models import Article
from tests.factories import ArticleFactory, UserFactory, staff_in_group
from tests.processes import run_in_another_process

ARTICLE = 7
WANG, LI, ZHAO = 1, 2, 3


class Clock:
    """``timezone.now()`` at a chosen number of seconds after a fixed start."""

    start = timezone.now()

    def at(self, seconds: float):
        return mock.patch(
            "django.utils.timezone.now",
            return_value=self.start + timedelta(seconds=seconds),
        )


class PresenceStoreTests(SimpleTestCase):
    clock = Clock()

    def beat(self, user_pk: int, name: str, at: float, page: str = "", article=ARTICLE):
        with self.clock.at(at):
            presence_beat(article_pk=article, user_pk=user_pk, name=name, page=page)

    def others(self, user_pk: int, at: float, article=ARTICLE) -> list[str]:
        with self.clock.at(at):
            return presence_others(article_pk=article, user_pk=user_pk)

    def test_present_after_a_beat(self):
        self.beat(WANG, "王小明", at=0)
        self.assertEqual(self.others(LI, at=1), ["王小明"])

    def test_gone_a_minute_after_the_last_beat(self):
        self.beat(WANG, "王小明", at=0)
        self.assertEqual(self.others(LI, at=PRESENT_SECONDS - 1), ["王小明"])
        self.assertEqual(self.others(LI, at=60), [])

    def test_each_beat_keeps_one_present(self):
        for at in range(0, 181, 20):
            self.beat(WANG, "王小明", at=at)
        self.assertEqual(self.others(LI, at=200), ["王小明"])
        self.assertEqual(self.others(LI, at=240), [])

    def test_gone_at_once_after_leaving(self):
        self.beat(WANG, "王小明", at=0)
        self.beat(ZHAO, "赵六", at=0)
        presence_leave(article_pk=ARTICLE, user_pk=WANG)
        self.assertEqual(self.others(LI, at=1), ["赵六"])

    def test_only_the_others_are_listed(self):
        self.beat(WANG, "王小明", at=0)
        self.beat(LI, "李华", at=1)
        self.assertEqual(self.others(WANG, at=2), ["李华"])
        self.assertEqual(self.others(LI, at=2), ["王小明"])
        self.assertEqual(self.others(ZHAO, at=2), ["王小明", "李华"])

    def test_per_article(self):
        self.beat(WANG, "王小明", at=0)
        self.assertEqual(self.others(LI, at=1, article=ARTICLE + 1), [])

    def test_a_late_beat_of_a_page_that_left_is_turned_away(self):
        """A beat still on its way when the goodbye was sent does not bring one back."""
        self.beat(WANG, "王小明", at=0, page="p1")
        presence_leave(article_pk=ARTICLE, user_pk=WANG, page="p1")
        self.beat(WANG, "王小明", at=1, page="p1")
        self.assertEqual(self.others(LI, at=2), [])
        # The same person opening the article again is a new page load.
        self.beat(WANG, "王小明", at=3, page="p2")
        self.assertEqual(self.others(LI, at=4), ["王小明"])

    def test_a_join_lost_to_a_concurrent_one_is_redone_by_the_next_beat(self):
        """Two first beats at once: the index written last lacks the other one."""
        from django.core.cache import caches

        self.beat(WANG, "王小明", at=0)
        index_key = f"news:presence:{ARTICLE}"
        lost = caches["shared"].get(index_key)
        self.beat(LI, "李华", at=0)
        caches["shared"].set(index_key, lost)  # Wang's join overwrote Li's
        self.assertEqual(self.others(ZHAO, at=1), ["王小明"])
        self.beat(LI, "李华", at=20)
        self.assertEqual(self.others(ZHAO, at=21), ["王小明", "李华"])

    def test_leaving_does_not_undo_someone_elses_beat(self):
        self.beat(WANG, "王小明", at=0)
        presence_leave(article_pk=ARTICLE, user_pk=LI)
        self.beat(LI, "李华", at=1)
        presence_leave(article_pk=ARTICLE, user_pk=LI)
        self.assertEqual(self.others(ZHAO, at=2), ["王小明"])

    def test_seen_from_another_worker_process(self):
        run_in_another_process(
            "import django; django.setup()\n"
            "from news.admin_presence import presence_beat\n"
            f"presence_beat(article_pk={ARTICLE}, user_pk=999999, name='赵六')\n"
        )
        self.assertEqual(presence_others(article_pk=ARTICLE, user_pk=LI), ["赵六"])


class PresenceInTheDatabaseTests(TestCase):
    def test_with_the_shared_state_in_the_database(self):
        """SHARED_CACHE=database: what several hosts would use."""
        shared = {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "yantai_shared_cache_presence_test",
        }
        with override_settings(CACHES={**settings.CACHES, "shared": shared}):
            call_command("createcachetable", verbosity=0)
            presence_beat(article_pk=ARTICLE, user_pk=WANG, name="王小明")
            presence_beat(article_pk=ARTICLE, user_pk=LI, name="李华")
            self.assertEqual(
                presence_others(article_pk=ARTICLE, user_pk=LI), ["王小明"]
            )
            presence_leave(article_pk=ARTICLE, user_pk=WANG)
            self.assertEqual(presence_others(article_pk=ARTICLE, user_pk=LI), [])
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT cache_key FROM yantai_shared_cache_presence_test"
                )
                keys = sorted(key for (key,) in cursor.fetchall())
        self.assertEqual(
            keys, [f":1:news:presence:{ARTICLE}", f":1:news:presence:{ARTICLE}:{LI}"]
        )


def named_staff(username: str, group: str | None, last: str, first: str):
    user = staff_in_group(username, group)
    user.last_name, user.first_name = last, first
    user.save()
    return user


class PresenceViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.wang = named_staff("wang", "编辑", "王", "小明")
        cls.li = named_staff("li", "编辑", "李", "华")
        cls.viewer = named_staff("viewer", None, "赵", "六")
        cls.viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
        cls.article = ArticleFactory(status=Article.Status.DRAFT)
        base = f"/admin/news/article/{cls.article.pk}"
        cls.change_url = f"{base}/change/"
        cls.beat_url = f"{base}/presence/"
        cls.leave_url = f"{base}/presence/leave/"

    def client_for(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def others_of(self, user) -> list[str]:
        return presence_others(article_pk=self.article.pk, user_pk=user.pk)

    def test_a_beat_records_and_answers_the_others(self):
        response = self.client_for(self.li).post(self.beat_url)
        self.assertEqual(response.json(), {"others": []})
        response = self.client_for(self.wang).post(self.beat_url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"others": ["李华"]})
        self.assertEqual(self.others_of(self.li), ["王小明"])
        self.assertIn("no-cache", response["Cache-Control"])

    def test_a_beat_must_be_a_post(self):
        response = self.client_for(self.wang).get(self.beat_url)
        self.assertEqual(response.status_code, 405)
        response = self.client_for(self.wang).get(self.leave_url)
        self.assertEqual(response.status_code, 405)
        self.assertEqual(self.others_of(self.li), [])

    def test_a_beat_needs_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.wang)
        response = client.post(self.beat_url)
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "CSRF", status_code=403)
        self.assertEqual(self.others_of(self.li), [])

        client.get(self.change_url)  # sets the csrftoken cookie, as the page does
        token = client.cookies["csrftoken"].value
        response = client.post(self.beat_url, {"csrfmiddlewaretoken": token})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.others_of(self.li), ["王小明"])

    def test_leave_removes_the_entry(self):
        """As navigator.sendBeacon sends it: a FormData body with the token."""
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.wang)
        client.get(self.change_url)
        token = client.cookies["csrftoken"].value
        client.post(self.beat_url, {"csrfmiddlewaretoken": token, "page": "p1"})
        self.assertEqual(self.others_of(self.li), ["王小明"])
        self.assertEqual(client.post(self.leave_url).status_code, 403)
        self.assertEqual(self.others_of(self.li), ["王小明"])
        response = client.post(
            self.leave_url, {"csrfmiddlewaretoken": token, "page": "p1"}
        )
        self.assertEqual(response.status_code, 204)
        self.assertEqual(self.others_of(self.li), [])
        # A beat of that page still on its way is turned away.
        client.post(self.beat_url, {"csrfmiddlewaretoken": token, "page": "p1"})
        self.assertEqual(self.others_of(self.li), [])

    def test_a_view_only_user_sees_the_list_but_is_not_recorded(self):
        self.client_for(self.wang).post(self.beat_url)
        response = self.client_for(self.viewer).post(self.beat_url)
        self.assertEqual(response.json(), {"others": ["王小明"]})
        self.assertEqual(self.others_of(self.li), ["王小明"])

    def test_no_one_is_recorded_where_the_workflow_forbids_editing(self):
        """An 编辑 may not change an article under review: not recorded there."""
        self.article.status = Article.Status.REVIEW_1
        self.article.save(update_fields=["status"])
        response = self.client_for(self.wang).post(self.beat_url)
        self.assertEqual(response.json(), {"others": []})
        self.assertEqual(self.others_of(self.li), [])

    def test_non_staff_are_sent_to_the_login_page(self):
        outsider = UserFactory(username="outsider", is_staff=False)
        for client in (self.client_for(outsider), Client()):
            response = client.post(self.beat_url)
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith("/admin/login/"))
        self.assertEqual(self.others_of(self.li), [])

    def test_staff_without_permission_on_articles_are_refused(self):
        nobody = staff_in_group("nobody", None)
        response = self.client_for(nobody).post(self.beat_url)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.others_of(self.li), [])

    def test_unknown_article(self):
        client = self.client_for(self.wang)
        for url in (
            "/admin/news/article/999999/presence/",
            "/admin/news/article/x/presence/",
        ):
            self.assertEqual(client.post(url).status_code, 404)

    def test_the_change_page_loads_the_script_with_its_settings(self):
        response = self.client_for(self.wang).get(self.change_url)
        self.assertContains(response, "js/admin-presence.js")
        self.assertContains(response, f'data-beat-url="{self.beat_url}"')
        self.assertContains(response, f'data-leave-url="{self.leave_url}"')
        self.assertContains(response, 'data-beat-seconds="20"')
        self.assertContains(response, 'data-one="__NAME__ 正在编辑此文章"')

    def test_the_change_page_shows_and_records_who_has_it_open(self):
        """The first render lists the others and records a change-permitted user."""
        self.client_for(self.li).post(self.beat_url)
        response = self.client_for(self.wang).get(self.change_url)
        self.assertContains(response, "李华 正在编辑此文章")
        self.assertEqual(self.others_of(self.li), ["王小明"])
        self.client_for(self.viewer).get(self.change_url)
        self.assertEqual(self.others_of(self.li), ["王小明"])

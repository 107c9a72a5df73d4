"""Two people editing the same article: the second save is refused, nothing is lost."""

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client, TestCase, override_settings
from django.utils import timezone

from news.models import Article
from news.workflow import article_submit
from tests.factories import ArticleFactory, UserFactory, staff_in_group
from tests.processes import run_in_another_process

S = Article.Status


def change_form_data(client: Client, article: Article) -> dict:
    """What the change form posts back, as a browser would, from a fresh GET."""
    response = client.get(f"/admin/news/article/{article.pk}/change/")
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name in ("published_at", "expires_at"):
            if value:
                local = timezone.localtime(value)
                data[f"{name}_0"] = local.strftime("%Y-%m-%d")
                data[f"{name}_1"] = local.strftime("%H:%M:%S")
            else:
                data[f"{name}_0"] = data[f"{name}_1"] = ""
        elif isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = getattr(value, "pk", value)
    # The byline rows as shown (the working copy's bylines, then one empty row).
    (inline,) = response.context["inline_admin_formsets"]
    rows = [f for f in inline.formset.forms if f.initial]
    for i, row in enumerate(rows):
        for key in ("order", "prefix", "role", "person"):
            value = row.initial.get(key)
            data[f"bylines-{i}-{key}"] = "" if value is None else value
    data.update(
        {
            "bylines-TOTAL_FORMS": str(len(rows)),
            "bylines-INITIAL_FORMS": "0",
            "bylines-MIN_NUM_FORMS": "0",
            "bylines-MAX_NUM_FORMS": "1000",
        }
    )
    return data


class ConcurrentEditTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.wang = staff_in_group("wang", "编辑")
        cls.wang.first_name, cls.wang.last_name = "小明", "王"
        cls.wang.save()
        cls.li = staff_in_group("li", "编辑")
        cls.li.first_name, cls.li.last_name = "华", "李"
        cls.li.save()

    def setUp(self):
        caches["shared"].clear()
        self.article = ArticleFactory(status=S.DRAFT, title="原标题", summary="原摘要")
        self.url = f"/admin/news/article/{self.article.pk}/change/"
        self.a, self.b = Client(), Client()
        self.a.force_login(self.wang)
        self.b.force_login(self.li)

    def test_second_save_is_refused_and_keeps_the_input(self):
        form_a = change_form_data(self.a, self.article)
        form_b = change_form_data(self.b, self.article)
        form_b["title"] = "李华改的标题"
        self.assertEqual(self.b.post(self.url, form_b).status_code, 302)

        form_a["summary"] = "王小明写的新摘要，不能丢"
        response = self.a.post(self.url, form_a)
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertIn("保存被拒绝", content)
        self.assertIn("“标题”已被 李华 于", content)
        revision = self.article.revisions.get(version=2)
        when = timezone.localtime(revision.created_at).strftime("%Y-%m-%d %H:%M:%S")
        self.assertIn(when, content)
        # The user's own input is still in the form.
        self.assertIn("王小明写的新摘要，不能丢", content)
        self.assertIn("仍用我的内容覆盖", content)
        # And nothing of it was written.
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "李华改的标题")
        self.assertEqual(self.article.summary, "原摘要")
        self.assertEqual(self.article.version, 2)
        self.assertEqual(self.article.revisions.count(), 2)  # baseline + 李华's

    def test_message_names_each_changed_field_and_person(self):
        form_a = change_form_data(self.a, self.article)
        form_b = change_form_data(self.b, self.article)
        form_b.update(title="新标题", source="胶东在线")
        self.b.post(self.url, form_b)
        response = self.a.post(self.url, {**form_a, "summary": "x"})
        errors = response.context["adminform"].form.non_field_errors()
        self.assertEqual(len(errors), 1)
        message = errors[0]
        self.assertIn("“标题”已被 李华 于", message)
        self.assertIn("“来源”已被 李华 于", message)
        self.assertNotIn("摘要", message)

    def test_overwrite_after_conflict_saves_and_loses_nothing(self):
        form_a = change_form_data(self.a, self.article)
        form_b = change_form_data(self.b, self.article)
        form_b["title"] = "李华改的标题"
        self.b.post(self.url, form_b)
        form_a["title"] = "王小明的标题"
        self.assertEqual(self.a.post(self.url, form_a).status_code, 200)
        response = self.a.post(self.url, {**form_a, "overwrite": "on"})
        self.assertEqual(response.status_code, 302)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "王小明的标题")
        self.assertEqual(self.article.version, 3)
        # The overwritten text is still in the history.
        titles = list(
            self.article.revisions.order_by("version").values_list(
                "snapshot__title", flat=True
            )
        )
        self.assertEqual(titles, ["原标题", "李华改的标题", "王小明的标题"])

    def test_a_workflow_transition_meanwhile_does_not_block_the_save(self):
        """Status is not in the form, so a submit by someone else is no conflict."""
        reviewer = staff_in_group("reviewer", "审核")
        a = Client()
        a.force_login(reviewer)
        form_a = change_form_data(a, self.article) | {"summary": "审核改摘要"}
        article_submit(article=self.article, by=self.li)
        response = a.post(self.url, form_a)
        self.assertEqual(response.status_code, 302)
        self.article.refresh_from_db()
        self.assertEqual(self.article.summary, "审核改摘要")
        self.assertEqual(self.article.status, S.REVIEW_1)

    def test_someone_else_editing_notice(self):
        self.b.get(self.url)
        response = self.a.get(self.url)
        self.assertContains(response, "李华 正在编辑此文章")
        # Not about oneself.
        response = self.b.get(self.url)
        self.assertContains(response, "王小明 正在编辑此文章")
        self.assertNotContains(response, "李华 正在编辑此文章")

    def test_editing_notice_is_seen_from_another_worker_process(self):
        run_in_another_process(
            "import django; django.setup()\n"
            "from news.admin_presence import presence_beat\n"
            f"presence_beat(article_pk={self.article.pk}, user_pk=999999, name='赵六')\n"
        )
        response = self.a.get(self.url)
        self.assertContains(response, "赵六 正在编辑此文章")

    def test_editing_notice_with_the_shared_state_in_the_database(self):
        """SHARED_CACHE=database: what several hosts would use."""
        shared = {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "yantai_shared_cache_test",
        }
        with override_settings(CACHES={**settings.CACHES, "shared": shared}):
            call_command("createcachetable", verbosity=0)
            self.b.get(self.url)
            response = self.a.get(self.url)
            with connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM yantai_shared_cache_test")
                rows = cursor.fetchone()[0]
        self.assertContains(response, "李华 正在编辑此文章")
        self.assertEqual(rows, 3)  # the article's index and one key per person

    def test_editing_notice_expires_a_minute_after_the_last_beat(self):
        self.b.get(self.url)
        later = timezone.now() + timezone.timedelta(minutes=1)
        from unittest import mock

        with mock.patch("django.utils.timezone.now", return_value=later):
            response = self.a.get(self.url)
        # The phrase itself is on every change page, as the script's template.
        self.assertNotContains(response, "editing-notice")

    def test_version_increments_on_each_save(self):
        admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.a.force_login(admin)
        for n in (2, 3):
            data = change_form_data(self.a, self.article)
            data["summary"] = f"第{n}次"
            self.assertEqual(self.a.post(self.url, data).status_code, 302)
            self.article.refresh_from_db()
            self.assertEqual(self.article.version, n)

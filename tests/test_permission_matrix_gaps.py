"""Permission matrix: the cells no other test asks.

``tests/news/test_permissions.py`` (editorial read views, share, restore, bulk
actions), ``tests/news/test_write_matrix.py`` (every write of an article × group ×
state), ``tests/news/test_presence.py``, ``tests/quality/test_data_editor.py``,
``tests/quality/test_reports.py`` and ``tests/quality/test_bulk_import.py`` cover
most of the non-public addresses. What they leave out, asked here of every role —
anonymous, a signed-in account without staff status that holds every group's
permissions, staff in no group, each group made by the migrations (编辑, 审核,
终审发布, 数据编辑) and a superuser:

- the admin's extra pages (image picker, 从网页文本导入, 更正, 批量导入, import and
  export, 提取数据, report preview) and the editorial read views for the roles
  the news matrix has no row for (数据编辑, no staff status);
- writes through those pages by roles without the permission, and by an account
  without staff status holding every permission;
- a POST without the CSRF token on each admin write page;
- an id of another article's revision or preview link put into the address or
  form of this one;
- the change page's list of live preview links, shown only to who may make them.

Every refusal, and every GET, leaves the database as it was.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client, TestCase
from django.urls import reverse

from news.models import Article, PreviewLink
from news.preview import preview_link_create, preview_link_url
from news.revisions import revision_create
from quality.models import Report
from tests.factories import ArticleFactory, UserFactory, staff_in_group
from tests.quality.factories import ObservationFactory, RegionFactory

S = Article.Status
LOGIN = "login"
ROLES = (
    "anonymous",
    "no staff status",
    "nobody",
    "编辑",
    "审核",
    "终审发布",
    "数据编辑",
    "superuser",
)
EDITORS = {
    "编辑",
    "审核",
    "终审发布",
    "superuser",
}  # news.view_image, add + change article
DATA = {"数据编辑", "superuser"}  # the quality pages
# Signing in and the login lockout write these; they are not the page's doing.
NOT_CONTENT = {
    "sessions.Session",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
}


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.label not in NOT_CONTENT
    }


def expected(role: str, allowed: set[str], *, ok: int = 200, staff_page=True):
    """The answer ``role`` gets where ``allowed`` may enter: ``ok``, else a refusal.

    Admin pages send whoever is not active staff to the login page; the public
    preview (``staff_page=False``) answers 403 to a signed-in account without it.
    """
    if role == "anonymous" or (role == "no staff status" and staff_page):
        return LOGIN
    return ok if role in allowed else 403


class MatrixCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        root = UserFactory(username="root", is_staff=True, is_superuser=True)
        # Every permission of every group, but no staff status (an editor whose
        # staff status was taken away).
        outsider = UserFactory(username="outsider")
        outsider.groups.add(*Group.objects.filter(name__in=["终审发布", "数据编辑"]))
        cls.users = {
            "anonymous": None,
            "no staff status": outsider,
            "nobody": staff_in_group("nobody", None),
            "编辑": staff_in_group("editor", "编辑"),
            "审核": staff_in_group("reviewer", "审核"),
            "终审发布": staff_in_group("publisher", "终审发布"),
            "数据编辑": staff_in_group("data", "数据编辑"),
            "superuser": root,
        }
        cls.article = ArticleFactory(status=S.DRAFT, title="草稿甲")
        cls.r1 = revision_create(article=cls.article, by=None)
        Article.objects.filter(pk=cls.article.pk).update(title="草稿乙", version=2)
        cls.article.refresh_from_db()
        cls.r2 = revision_create(article=cls.article, by=None)
        cls.other = ArticleFactory(status=S.DRAFT, title="另一篇草稿")
        cls.other_revision = revision_create(article=cls.other, by=None)
        cls.other_link = preview_link_create(article=cls.other, by=root)
        cls.observation = ObservationFactory()
        cls.report = Report.objects.create(
            year=2019, title="空报告", region=RegionFactory()
        )

    def client_for(self, role: str, **kwargs) -> Client:
        client = Client(**kwargs)
        if self.users[role] is not None:
            client.force_login(self.users[role])
        return client

    def assertAnswer(self, response, want, cell):
        if want == LOGIN:
            self.assertEqual(response.status_code, 302, cell)
            self.assertIn("/admin/login/", response["Location"], cell)
        else:
            self.assertEqual(response.status_code, want, cell)


class ReadMatrixTests(MatrixCase):
    def test_every_role_on_every_page_and_no_get_writes(self):
        a = self.article.pk
        pages = {
            # url: who may enter, and whether it is an admin page
            "/admin/news/image/picker/": (EDITORS, True),
            "/admin/news/article/import/": (EDITORS, True),
            reverse("admin:quality_observation_correct", args=[self.observation.pk]): (
                DATA,
                True,
            ),
            "/admin/quality/observation/bulk-import/": (DATA, True),
            "/admin/quality/observation/import/": (DATA, True),
            "/admin/quality/observation/export/": (DATA, True),
            "/admin/quality/organisation/import/": (DATA, True),
            "/admin/quality/organisation/export/": (DATA, True),
            f"/admin/quality/figureproposal/extract/{a}/": (DATA, True),
            f"/admin/quality/report/{self.report.pk}/preview/": (DATA, True),
        }
        # The editorial read views: tests/news/test_permissions.py asks the other
        # roles; 数据编辑 reads articles (view_article).
        readers = {*EDITORS, "数据编辑"}
        for url in (
            f"/admin/news/article/{a}/change/",
            f"/admin/news/article/{a}/history/",
            f"/admin/news/article/{a}/diff/?a={self.r1.pk}&b={self.r2.pk}",
        ):
            pages[url] = (readers, True)
        for url in (f"/news/{a}/preview/", f"/news/{a}/preview/revision/{self.r1.pk}/"):
            pages[url] = (readers, False)
        before = row_counts()
        for role in ROLES:
            client = self.client_for(role)
            for url, (allowed, staff_page) in pages.items():
                with self.subTest(role=role, url=url):
                    response = client.get(url)
                    want = expected(role, allowed, staff_page=staff_page)
                    self.assertAnswer(response, want, (role, url))
                    if want != 200:
                        self.assertNotIn("草稿", response.content.decode())
        self.assertEqual(row_counts(), before)

    def test_share_answers_a_get_with_405(self):
        url = f"/admin/news/article/{self.article.pk}/share/"
        for role in ("编辑", "终审发布", "superuser"):
            with self.subTest(role=role):
                response = self.client_for(role).get(url)
                self.assertEqual(response.status_code, 405)
                self.assertFalse(PreviewLink.objects.filter(article=self.article))


class WriteMatrixTests(MatrixCase):
    """Writes through the admin's extra pages by roles that may not make them."""

    def writes(self):
        a = self.article.pk
        return {
            # name: (url, data, who may write)
            "更正": (
                reverse(
                    "admin:quality_observation_correct", args=[self.observation.pk]
                ),
                {  # a valid correction: without the check it would be written
                    "value": "605",
                    "comparator": "=",
                    "raw_text": "605项",
                    "source_publisher": "烟台市市场监督管理局",
                    "source_title": "2020年质量工作年报",
                    "note": "据年报更正",
                },
                DATA,
            ),
            "生成报告": (
                f"/admin/quality/report/{self.report.pk}/preview/",
                {},
                DATA,
            ),
            "提取数据": (
                f"/admin/quality/figureproposal/extract/{a}/",
                {"action": "extract"},
                DATA,
            ),
            "送审": (
                f"/admin/news/article/{a}/transition/",
                {"action": "submit"},
                EDITORS | {"数据编辑"},  # entered; the workflow refuses 数据编辑
            ),
            "恢复版本": (
                f"/admin/news/article/{a}/revisions/{self.r1.pk}/restore/",
                {},
                EDITORS | {"数据编辑"},
            ),
            "预览链接": (f"/admin/news/article/{a}/share/", {}, EDITORS),
        }

    def test_refused_roles_write_nothing(self):
        for name, (url, data, allowed) in self.writes().items():
            for role in ROLES:
                want = expected(role, allowed)
                if want == 200:
                    continue  # the allowed writes: tests of each page
                with self.subTest(write=name, role=role):
                    before = row_counts()
                    response = self.client_for(role).post(url, data)
                    self.assertAnswer(response, want, (name, role))
                    self.assertEqual(row_counts(), before, (name, role))

    def test_a_post_without_the_csrf_token_is_refused(self):
        """Signed in as a superuser, with the session cookie but no token: 403 and
        nothing written (the same POST with the token is let through)."""
        for name, (url, data, _allowed) in {
            **self.writes(),
            "批量导入": ("/admin/quality/observation/bulk-import/", {}, DATA),
            "从网页文本导入": ("/admin/news/article/import/", {"text": "x"}, EDITORS),
        }.items():
            with self.subTest(write=name):
                before = row_counts()
                client = self.client_for("superuser", enforce_csrf_checks=True)
                response = client.post(url, data)
                self.assertEqual(response.status_code, 403, name)
                self.assertContains(response, "CSRF", status_code=403)
                self.assertEqual(row_counts(), before, name)
                response = self.client_for("superuser").post(url, data)
                self.assertNotEqual(response.status_code, 403, name)


class OtherObjectsIdTests(MatrixCase):
    """An id of another article's revision or link never reaches it."""

    def test_restoring_another_articles_revision_is_404(self):
        url = (
            f"/admin/news/article/{self.article.pk}/revisions/"
            f"{self.other_revision.pk}/restore/"
        )
        before = row_counts()
        response = self.client_for("终审发布").post(url)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(row_counts(), before)
        self.article.refresh_from_db()
        self.other.refresh_from_db()
        self.assertEqual(
            (self.article.title, self.other.title), ("草稿乙", "另一篇草稿")
        )

    def test_revoking_another_articles_link_leaves_it_valid(self):
        response = self.client_for("终审发布").post(
            f"/admin/news/article/{self.article.pk}/share/",
            {"revoke": self.other_link.pk},
            follow=True,
        )
        self.assertContains(response, "没有这个预览链接，可能已被删除。")
        self.other_link.refresh_from_db()
        self.assertFalse(self.other_link.is_revoked)
        response = Client().get(preview_link_url(self.other_link))
        self.assertContains(response, "另一篇草稿")


class ShareLinksShownTests(MatrixCase):
    """The change page lists an article's live preview links (and 撤销) only to
    who may make them: a link opens the draft to anyone who has it."""

    def test_only_roles_that_may_share_see_the_links(self):
        url = f"/admin/news/article/{self.other.pk}/change/"
        # The signed payload, without the signature's timestamp: a page rendered
        # a second later signs the same link with another one.
        link = preview_link_url(self.other_link).split(":")[0]
        for role in ("编辑", "审核", "终审发布", "数据编辑", "superuser"):
            with self.subTest(role=role):
                response = self.client_for(role).get(url)
                self.assertEqual(response.status_code, 200)
                if role in EDITORS:
                    self.assertContains(response, link)
                else:
                    self.assertNotContains(response, link)
                    self.assertNotContains(response, "分享预览链接")

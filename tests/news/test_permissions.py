"""Permission matrix: role × editorial view / transition / bulk action.

History, diff and preview views are where real CMSs leaked, so each is asked by every
role, including a staff account with no news permissions at all.
"""

from django.contrib.auth.models import Group
from django.test import TestCase

from news.models import Article, PreviewLink
from news.revisions import revision_create
from tests.factories import ArticleFactory, ChannelFactory, UserFactory, staff_in_group
from tests.news.test_bulk_publish import confirm_data

S = Article.Status
ROLES = ("anonymous", "nobody", "editor", "reviewer", "publisher", "superuser")
LOGIN = "login"


class RoleMixin:
    @classmethod
    def setUpTestData(cls):
        cls.users = {
            "anonymous": None,
            "nobody": staff_in_group("nobody", None),
            "editor": staff_in_group("editor", "编辑"),
            "reviewer": staff_in_group("reviewer", "审核"),
            "publisher": staff_in_group("publisher", "终审发布"),
            "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
        }
        cls.channel = ChannelFactory()

    def login(self, role):
        self.client.logout()
        if self.users[role] is not None:
            self.client.force_login(self.users[role])

    def assertOutcome(self, response, expected, role, what):
        if expected == LOGIN:
            self.assertEqual(response.status_code, 302, (role, what))
            self.assertIn("login", response["Location"], (role, what))
        else:
            self.assertEqual(response.status_code, expected, (role, what))


class GroupsTests(TestCase):
    def test_groups_exist_with_custom_permissions(self):
        def perms(name):
            return set(
                Group.objects.get(name=name).permissions.values_list(
                    "codename", flat=True
                )
            )

        self.assertIn("submit_article", perms("编辑"))
        self.assertNotIn("review_article", perms("编辑"))
        self.assertNotIn("publish_article", perms("编辑"))
        self.assertIn("review_article", perms("审核"))
        self.assertNotIn("publish_article", perms("审核"))
        self.assertIn("publish_article", perms("终审发布"))
        self.assertIn("view_auditlog", perms("终审发布"))


class ViewMatrixTests(RoleMixin, TestCase):
    def setUp(self):
        self.draft = ArticleFactory(
            channel=self.channel, status=S.DRAFT, title="草稿甲"
        )
        self.r1 = revision_create(article=self.draft, by=None)
        Article.objects.filter(pk=self.draft.pk).update(title="草稿乙", version=2)
        self.draft.refresh_from_db()
        self.r2 = revision_create(article=self.draft, by=None)

    def test_read_views(self):
        pk = self.draft.pk
        urls = {
            "change form": f"/admin/news/article/{pk}/change/",
            "history": f"/admin/news/article/{pk}/history/",
            "diff": f"/admin/news/article/{pk}/diff/?a={self.r1.pk}&b={self.r2.pk}",
            "preview": f"/news/{pk}/preview/",
            "revision preview": f"/news/{pk}/preview/revision/{self.r1.pk}/",
        }
        expected = {
            "anonymous": LOGIN,
            "nobody": 403,
            "editor": 200,
            "reviewer": 200,
            "publisher": 200,
            "superuser": 200,
        }
        for role in ROLES:
            self.login(role)
            for what, url in urls.items():
                with self.subTest(role=role, view=what):
                    response = self.client.get(url)
                    self.assertOutcome(response, expected[role], role, what)
                    if response.status_code != 200:
                        self.assertNotIn("草稿", response.content.decode())

    def test_share_link_creation(self):
        expected = {
            "anonymous": LOGIN,
            "nobody": 403,
            "editor": 302,
            "reviewer": 302,
            "publisher": 302,
            "superuser": 302,
        }
        for role in ROLES:
            self.login(role)
            with self.subTest(role=role):
                before = PreviewLink.objects.count()
                response = self.client.post(
                    f"/admin/news/article/{self.draft.pk}/share/"
                )
                self.assertOutcome(response, expected[role], role, "share")
                created = PreviewLink.objects.count() - before
                self.assertEqual(created, 1 if expected[role] == 302 else 0, role)

    def test_restore(self):
        live = ArticleFactory(channel=self.channel, status=S.PUBLISHED, title="线上")
        old = revision_create(article=live, by=None)
        # Everyone who may edit may restore; on a live article it makes a draft,
        # and the live version stays as readers see it.
        expected_live = {
            "anonymous": LOGIN,
            "nobody": 403,
            "editor": True,
            "reviewer": True,
            "publisher": True,
            "superuser": True,
        }
        for role in ROLES:
            Article.objects.filter(pk=live.pk).update(
                title="线上新", status=S.PUBLISHED, draft_revision=None, draft_status=""
            )
            self.login(role)
            with self.subTest(role=role):
                response = self.client.post(
                    f"/admin/news/article/{live.pk}/revisions/{old.pk}/restore/"
                )
                live.refresh_from_db()
                self.assertEqual(live.title, "线上新")
                self.assertTrue(live.is_published)
                outcome = expected_live[role]
                if outcome in (LOGIN, 403):
                    self.assertOutcome(response, outcome, role, "restore")
                    self.assertIsNone(live.draft_revision)
                else:
                    self.assertEqual(response.status_code, 302)
                    self.assertEqual(live.draft_revision.snapshot["title"], "线上")

    def test_change_of_a_published_article(self):
        live = ArticleFactory(channel=self.channel, status=S.PUBLISHED)
        expected = {
            "anonymous": LOGIN,
            "nobody": 403,
            # Editing a live article makes a draft over it: every editing role may.
            "editor": "editable",
            "reviewer": "editable",
            "publisher": "editable",
            "superuser": "editable",
        }
        for role in ROLES:
            self.login(role)
            with self.subTest(role=role):
                response = self.client.get(f"/admin/news/article/{live.pk}/change/")
                outcome = expected[role]
                if outcome in (LOGIN, 403):
                    self.assertOutcome(response, outcome, role, "change")
                    continue
                self.assertEqual(response.status_code, 200)
                editable = 'name="title"' in response.content.decode()
                self.assertEqual(editable, outcome == "editable", role)


class TransitionMatrixTests(RoleMixin, TestCase):
    # action: (starting status, roles allowed, status after)
    CASES = {
        "submit": (
            S.DRAFT,
            {"editor", "reviewer", "publisher", "superuser"},
            S.REVIEW_1,
        ),
        "approve": (S.REVIEW_1, {"reviewer", "publisher", "superuser"}, S.REVIEW_2),
        "reject": (S.REVIEW_2, {"reviewer", "publisher", "superuser"}, S.DRAFT),
        "publish": (S.REVIEW_3, {"publisher", "superuser"}, S.PUBLISHED),
        "unpublish": (S.PUBLISHED, {"publisher", "superuser"}, S.UNPUBLISHED),
    }

    def test_each_transition_by_each_role(self):
        for action, (start, allowed, after) in self.CASES.items():
            for role in ROLES:
                with self.subTest(action=action, role=role):
                    article = ArticleFactory(channel=self.channel, status=start)
                    self.login(role)
                    response = self.client.post(
                        f"/admin/news/article/{article.pk}/transition/",
                        {"action": action, "comment": "意见"},
                    )
                    article.refresh_from_db()
                    if role == "anonymous":
                        self.assertOutcome(response, LOGIN, role, action)
                    elif role == "nobody":
                        self.assertEqual(response.status_code, 403)
                    else:
                        self.assertEqual(response.status_code, 302)
                    expected = after if role in allowed else start
                    self.assertEqual(article.status, expected)
                    self.assertEqual(article.events.exists(), role in allowed)

    def test_transition_needs_post(self):
        article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        self.login("superuser")
        response = self.client.get(
            f"/admin/news/article/{article.pk}/transition/", {"action": "submit"}
        )
        self.assertEqual(response.status_code, 405)
        article.refresh_from_db()
        self.assertEqual(article.status, S.DRAFT)


class BulkActionMatrixTests(RoleMixin, TestCase):
    CASES = {
        "submit_selected": (
            S.DRAFT,
            {"editor", "reviewer", "publisher", "superuser"},
            S.REVIEW_1,
        ),
        "approve_selected": (
            S.REVIEW_2,
            {"reviewer", "publisher", "superuser"},
            S.REVIEW_3,
        ),
        "publish_selected": (S.REVIEW_3, {"publisher", "superuser"}, S.PUBLISHED),
        "unpublish_selected": (S.PUBLISHED, {"publisher", "superuser"}, S.UNPUBLISHED),
    }

    def test_each_bulk_action_by_each_role(self):
        for action, (start, allowed, after) in self.CASES.items():
            for role in ROLES:
                with self.subTest(action=action, role=role):
                    article = ArticleFactory(channel=self.channel, status=start)
                    self.login(role)
                    response = self.client.post(
                        "/admin/news/article/",
                        {"action": action, "_selected_action": [article.pk]},
                    )
                    if action == "publish_selected" and response.status_code == 200:
                        # Its confirmation page, confirmed (test_bulk_publish.py).
                        response = self.client.post(
                            "/admin/news/article/", confirm_data(response)
                        )
                    article.refresh_from_db()
                    if role == "anonymous":
                        self.assertOutcome(response, LOGIN, role, action)
                    elif role == "nobody":
                        self.assertEqual(response.status_code, 403)
                    self.assertEqual(
                        article.status, after if role in allowed else start
                    )

    def test_move_to_channel_by_each_role(self):
        target = ChannelFactory()
        allowed = {"editor", "reviewer", "publisher", "superuser"}
        for role in ROLES:
            with self.subTest(role=role):
                article = ArticleFactory(channel=self.channel, status=S.DRAFT)
                self.login(role)
                self.client.post(
                    "/admin/news/article/",
                    {
                        "action": "move_to_channel",
                        "_selected_action": [article.pk],
                        "channel": target.pk,
                    },
                )
                article.refresh_from_db()
                self.assertEqual(article.channel == target, role in allowed, role)

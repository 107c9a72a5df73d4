"""无障碍检查 in the API: a draft's detail for staff carries the findings, the
public article API does not."""

from django.test import TestCase

from news.models import Article
from tests.api import user_with_perms
from tests.factories import ArticleFactory, UserFactory

S = Article.Status
DRAFTS = "/api/v1/drafts/"
ARTICLES = "/api/v1/articles/"
BAD_BODY = '<h2>概况</h2><p>通知见<a href="https://a.cn/x">这里</a></p>'


class DraftFindingsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.reader = user_with_perms("reader", "news.view_article")
        cls.draft = ArticleFactory(status=S.DRAFT, body=BAD_BODY)

    def test_detail_lists_the_findings(self):
        self.client.force_login(self.reader)
        response = self.client.get(f"{DRAFTS}{self.draft.pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json()["accessibility"],
            [
                {
                    "rule": "link-vague",
                    "message": "链接文字没有说明链接去向：请用目标的名称作链接文字，"
                    "不用“点击这里”“更多”等。",
                    "where": "链接“这里”（https://a.cn/x）",
                }
            ],
        )

    def test_a_clean_body_gives_an_empty_list(self):
        article = ArticleFactory(status=S.DRAFT)
        self.client.force_login(self.reader)
        response = self.client.get(f"{DRAFTS}{article.pk}/")
        self.assertEqual(response.json()["accessibility"], [])

    def test_patch_answers_with_the_findings_of_the_new_body(self):
        editor = user_with_perms("writer", "news.view_article", "news.change_article")
        self.client.force_login(editor)
        read = self.client.get(f"{DRAFTS}{self.draft.pk}/")
        response = self.client.patch(
            f"{DRAFTS}{self.draft.pk}/",
            {"body": "<h2>概况</h2><h4>细目</h4>"},
            content_type="application/json",
            HTTP_IF_MATCH=read["ETag"],
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            [f["rule"] for f in response.json()["accessibility"]], ["heading-order"]
        )

    def test_findings_read_may_be_sent_back(self):
        editor = user_with_perms("writer", "news.view_article", "news.change_article")
        self.client.force_login(editor)
        read = self.client.get(f"{DRAFTS}{self.draft.pk}/")
        response = self.client.patch(
            f"{DRAFTS}{self.draft.pk}/",
            {"title": "新标题", "accessibility": read.json()["accessibility"]},
            content_type="application/json",
            HTTP_IF_MATCH=read["ETag"],
        )
        self.assertEqual(response.status_code, 200, response.content)

    def test_list_leaves_them_out(self):
        self.client.force_login(self.reader)
        response = self.client.get(DRAFTS)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("accessibility", response.json()["results"][0])

    def test_anonymous_and_staff_without_permission_get_nothing(self):
        response = self.client.get(f"{DRAFTS}{self.draft.pk}/")
        self.assertIn(response.status_code, (401, 403))
        self.assertNotIn(b"accessibility", response.content)
        self.client.force_login(UserFactory(username="staff", is_staff=True))
        response = self.client.get(f"{DRAFTS}{self.draft.pk}/")
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(b"accessibility", response.content)


class PublicArticleTests(TestCase):
    def test_public_article_has_no_findings(self):
        article = ArticleFactory(status=S.PUBLISHED, body=BAD_BODY)
        for user in (None, user_with_perms("reader", "news.view_article")):
            with self.subTest(user=user):
                if user is not None:
                    self.client.force_login(user)
                response = self.client.get(f"{ARTICLES}{article.pk}/")
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("accessibility", response.json())

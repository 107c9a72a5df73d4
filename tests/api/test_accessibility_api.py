"""无障碍检查 in the API: a draft's detail for staff carries the findings, the
public article API does not."""

from django.test import TestCase

from news.models import Article, Image
from news.revisions import working_copy
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.api.test_auth import EDITOR_PERMS
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


class DraftETagFollowsTheFindingsTests(ApiTestCase):
    """A draft's findings change when a library image in its body is marked (or
    unmarked) decorative, which changes no version of the article: its ETag still
    changes with them, so that a conditional GET never confirms stale findings;
    If-Match on a write still compares the version only."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = user_with_perms("editor", *EDITOR_PERMS)
        cls.image = Image.objects.create(
            file="images/x.png", title="码头", is_decorative=True
        )
        cls.draft = ArticleFactory(status=S.DRAFT, body=cls.body_of(cls.image))
        cls.draft.refresh_from_db()
        cls.body = cls.draft.body

    @staticmethod
    def body_of(image) -> str:
        return f'<p>前文</p><img src="/a.jpg" alt="" data-file="{image.pk}">'

    def setUp(self):
        super().setUp()
        self.auth(token_for(self.editor))
        self.url = f"{DRAFTS}{self.draft.pk}/"

    def set_decorative(self, decorative: bool) -> None:
        self.image.is_decorative = decorative
        self.image.alt_text = "" if decorative else "烟台港集装箱码头"
        self.image.save()

    def get(self, language: str, etag: str | None = None):
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if etag:
            headers["HTTP_IF_NONE_MATCH"] = etag
        return self.client.get(self.url, **headers)

    def rules(self, response) -> list[str]:
        return [f["rule"] for f in response.json()["accessibility"]]

    def test_a_conditional_get_after_the_flag_changes_gets_the_new_findings(self):
        for language in ("zh-hans", "en"):
            with self.subTest(language=language):
                self.set_decorative(True)
                before = self.get(language)
                self.assertEqual(self.rules(before), [])
                self.set_decorative(False)
                after = self.get(language, before["ETag"])
                self.assertEqual(after.status_code, 200)
                self.assertEqual(self.rules(after), ["image-alt"])
                self.assertNotEqual(after["ETag"], before["ETag"])
                self.assertEqual(self.get(language, after["ETag"]).status_code, 304)
                # Marked decorative again: the first findings and tag again.
                self.set_decorative(True)
                again = self.get(language, after["ETag"])
                self.assertEqual(again.status_code, 200)
                self.assertEqual(self.rules(again), [])
                self.assertEqual(again["ETag"], before["ETag"])

    def test_if_match_compares_the_version_only(self):
        for language in ("zh-hans", "en"):
            for read in ("after", "before"):
                with self.subTest(language=language, read=read):
                    # Each write re-saves the body, which then carries the
                    # library's alt text: back to the empty alt.
                    Article.objects.filter(pk=self.draft.pk).update(body=self.body)
                    self.set_decorative(True)
                    before = self.get(language)
                    self.set_decorative(False)
                    after = self.get(language)
                    self.assertNotEqual(before["ETag"], after["ETag"])
                    # The new full tag, and the one read before the flag changed
                    # (of the same version), are both the current version's.
                    etag = (after if read == "after" else before)["ETag"]
                    title = f"改{language}{read}"
                    written = self.client.patch(
                        self.url,
                        {"title": title},
                        format="json",
                        HTTP_IF_MATCH=etag,
                        HTTP_ACCEPT_LANGUAGE=language,
                    )
                    self.assertEqual(written.status_code, 200, written.content)
                    stale = self.client.patch(
                        self.url,
                        {"title": "过期"},
                        format="json",
                        HTTP_IF_MATCH=etag,
                        HTTP_ACCEPT_LANGUAGE=language,
                    )
                    self.assertEqual(stale.status_code, 412)
                    self.assertEqual(
                        working_copy(Article.objects.get(pk=self.draft.pk)).title,
                        title,
                    )

    def test_the_tag_of_every_write_follows_the_findings(self):
        """create, PATCH and submit answer with the findings and a tag that a
        conditional GET confirms only while the findings are the same."""
        self.set_decorative(True)
        body = self.body_of(self.image)
        for language in ("zh-hans", "en"):
            with self.subTest(language=language):
                self.set_decorative(True)
                created = self.client.post(
                    DRAFTS,
                    {"title": "新稿", "channel": self.draft.channel.slug, "body": body},
                    format="json",
                    HTTP_ACCEPT_LANGUAGE=language,
                )
                self.assertEqual(created.status_code, 201, created.content)
                url = f"{DRAFTS}{created.json()['id']}/"
                patched = self.client.patch(
                    url,
                    {"title": "新稿二"},
                    format="json",
                    HTTP_IF_MATCH=created["ETag"],
                    HTTP_ACCEPT_LANGUAGE=language,
                )
                self.assertEqual(patched.status_code, 200, patched.content)
                for written in (created, patched):
                    self.assertEqual(self.rules(written), [])
                tag = patched["ETag"]
                self.assertEqual(
                    self.client.get(
                        url, HTTP_ACCEPT_LANGUAGE=language, HTTP_IF_NONE_MATCH=tag
                    ).status_code,
                    304,
                )
                self.set_decorative(False)
                stale = self.client.get(
                    url, HTTP_ACCEPT_LANGUAGE=language, HTTP_IF_NONE_MATCH=tag
                )
                self.assertEqual(stale.status_code, 200)
                self.assertEqual(self.rules(stale), ["image-alt"])
                submitted = self.client.post(
                    f"{url}submit/",
                    {},
                    format="json",
                    HTTP_IF_MATCH=tag,
                    HTTP_ACCEPT_LANGUAGE=language,
                )
                self.assertEqual(submitted.status_code, 200, submitted.content)
                self.assertEqual(self.rules(submitted), ["image-alt"])
                self.assertEqual(
                    self.client.get(
                        url,
                        HTTP_ACCEPT_LANGUAGE=language,
                        HTTP_IF_NONE_MATCH=submitted["ETag"],
                    ).status_code,
                    304,
                )
                self.set_decorative(True)
                self.assertEqual(
                    self.client.get(
                        url,
                        HTTP_ACCEPT_LANGUAGE=language,
                        HTTP_IF_NONE_MATCH=submitted["ETag"],
                    ).status_code,
                    200,
                )

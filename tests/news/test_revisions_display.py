"""The revision diff as editors read it: whole dates, people and titles by name."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.test import TestCase

from news.models import Article, Image
from news.revisions import article_snapshot, revision_create
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    UserFactory,
    delete_articles,
)


class RevisionDiffDisplayTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        cls.article = ArticleFactory(status=Article.Status.DRAFT, title="质量强市")
        cls.base = article_snapshot(cls.article)

    def setUp(self):
        self.client.force_login(self.admin)

    def diff_page(self, old: dict, new: dict):
        """The diff view of two revisions holding ``old`` and ``new``."""
        a = revision_create(article=self.article, by=self.admin, snapshot=old)
        b = revision_create(article=self.article, by=self.admin, snapshot=new)
        response = self.client.get(
            f"/admin/news/article/{self.article.pk}/diff/", {"a": a.pk, "b": b.pk}
        )
        self.assertEqual(response.status_code, 200)
        return response

    def snapshot(self, **changes) -> dict:
        return {**self.base, **changes}

    def test_times_are_shown_whole_in_beijing_time_with_seconds(self):
        old = self.snapshot(published_at="2021-07-21T00:56:00+00:00", expires_at=None)
        new = self.snapshot(
            published_at="2021-07-22T09:00:00+08:00",
            expires_at="2021-12-31T15:59:59.250000+00:00",
        )
        response = self.diff_page(old, new)
        self.assertContains(
            response,
            "<del>2021-07-21 08:56:00</del> → <ins>2021-07-22 09:00:00</ins>",
            html=False,
        )
        self.assertContains(response, "<ins>2021-12-31 23:59:59</ins>", html=False)
        # No character diff inside the dates.
        self.assertNotContains(response, "<del>1</del>", html=False)
        self.assertNotContains(response, "<ins>2</ins>", html=False)

    def test_the_same_time_written_two_ways_is_no_change(self):
        old = self.snapshot(published_at="2021-07-21T08:56:00.000001+08:00")
        new = self.snapshot(
            published_at="2021-07-21T00:56:00+00:00", title="质量强市建设"
        )
        response = self.diff_page(old, new)
        self.assertNotContains(response, "diff-published_at")
        self.assertContains(response, "diff-title")

    def test_responsible_editor_is_shown_by_name(self):
        named = UserFactory(username="zhang", first_name="三", last_name="张")
        unnamed = UserFactory(username="lisi")
        gone = UserFactory(username="wangwu")
        gone_pk = gone.pk
        gone.delete()
        response = self.diff_page(
            self.snapshot(responsible_editor=named.pk),
            self.snapshot(responsible_editor=unnamed.pk),
        )
        self.assertContains(response, "<del>张三</del> → <ins>lisi</ins>", html=False)
        response = self.diff_page(
            self.snapshot(responsible_editor=None),
            self.snapshot(responsible_editor=gone_pk),
        )
        self.assertContains(
            response, f"<ins>已删除的用户（编号 {gone_pk}）</ins>", html=False
        )

    def test_bylines_are_people_by_name_one_a_line(self):
        kept = PersonFactory(name="逄苗")
        added = PersonFactory(name="王晓")
        gone = PersonFactory(name="赵六")
        gone_pk = gone.pk
        gone.delete()
        old = self.snapshot(
            bylines=[
                {
                    "person": kept.pk,
                    "name": "逄苗",
                    "role": "记者",
                    "prefix": "YMG全媒体",
                    "order": 0,
                },
                # A snapshot without the name: the person's name is looked up.
                {"person": gone_pk, "role": "通讯员", "prefix": "", "order": 1},
            ]
        )
        new = self.snapshot(
            bylines=[
                {
                    "person": kept.pk,
                    "name": "逄苗",
                    "role": "记者",
                    "prefix": "YMG全媒体",
                    "order": 0,
                },
                {"person": added.pk, "role": "通讯员", "prefix": "", "order": 1},
            ]
        )
        response = self.diff_page(old, new)
        self.assertContains(
            response,
            f"YMG全媒体记者 逄苗<br>\n<del>通讯员 已删除的人员（编号 {gone_pk}）</del>"
            "<br>\n<ins>通讯员 王晓</ins>",
            html=False,
        )

    def test_cover_is_shown_by_image_title(self):
        old = Image.objects.create(
            file="images/old.png", title="老照片", alt_text="老照片"
        )
        new = Image.objects.create(
            file="images/new.png", title="揭牌仪式", alt_text="揭牌仪式"
        )
        response = self.diff_page(
            self.snapshot(cover=old.pk), self.snapshot(cover=new.pk)
        )
        self.assertContains(
            response, "<del>老照片</del> → <ins>揭牌仪式</ins>", html=False
        )

    def test_related_articles_are_shown_by_title(self):
        first = ArticleFactory(title="烟台苹果获评中国驰名商标")
        second = ArticleFactory(title="3个国家级质检中心落户烟台")
        gone = ArticleFactory(title="已删的文章")
        gone_pk = gone.pk
        delete_articles([gone])
        response = self.diff_page(
            self.snapshot(related_articles=[first.pk, gone_pk]),
            self.snapshot(related_articles=[first.pk, second.pk]),
        )
        self.assertContains(
            response,
            f"烟台苹果获评中国驰名商标<br>\n<del>已删除的文章（编号 {gone_pk}）</del>"
            "<br>\n<ins>3个国家级质检中心落户烟台</ins>",
            html=False,
        )

    def test_tags_and_text_keep_their_character_diff(self):
        response = self.diff_page(
            self.snapshot(tags=["标准化"], summary="烟台市持续推进质量强市建设。"),
            self.snapshot(
                tags=["标准化", "品牌"], summary="烟台市持续推进质量强市工作。"
            ),
        )
        self.assertContains(response, "标准化<ins>、品牌</ins>", html=False)
        self.assertContains(response, "<del>建设</del><ins>工作</ins>", html=False)

    def test_field_labels_stay_on_one_line_and_values_wrap(self):
        response = self.diff_page(self.base, self.snapshot(title="质量强市建设"))
        self.assertContains(response, 'class="revision-diff"')
        self.assertContains(
            response, '<tr class="diff-title"><th>标题</th>', html=False
        )
        # The rules live in the stylesheet the page links (the CSP forbids inline
        # style blocks); the page must link it and the rules must be there.
        self.assertContains(response, "css/admin-extra.css")
        css = Path(finders.find("css/admin-extra.css")).read_text()
        self.assertRegex(css, r"\.revision-diff tbody th \{[^}]*white-space: nowrap")
        self.assertRegex(
            css, r"\.revision-diff tbody td \{[^}]*overflow-wrap: anywhere"
        )

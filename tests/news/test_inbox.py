"""我的工作台 on the admin home: each role's boxes, their counts and query budget."""

from itertools import product

from django.contrib.auth.models import Permission
from django.test import TestCase, override_settings
from django.urls import reverse

from news.inbox import LIMIT, Box, inbox_for, review_queue
from news.models import Article
from news.services import article_update
from news.workflow import (
    article_approve,
    article_publish,
    article_reject,
    article_submit,
    duty_conflict,
)
from tests.factories import ArticleFactory, UserFactory, staff_in_group

S = Article.Status


def boxes(user) -> dict[str, Box]:
    return {box.key: box for box in inbox_for(user)}


def titles(box: Box) -> list[str]:
    return [article.title for article in box.articles]


class InboxTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff_in_group("editor", "编辑")
        cls.other_editor = staff_in_group("editor2", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.reviewer2 = staff_in_group("reviewer2", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def draft(self, title: str, by=None) -> Article:
        """A draft whose latest version ``by`` (default the editor) saved."""
        article = ArticleFactory(status=S.DRAFT, published_at=None, title="初稿")
        article_update(article=article, by=by or self.editor, values={"title": title})
        return article

    def test_each_role_sees_its_boxes(self):
        """编辑: drafts and sent back; 审核: also 初审/复审; 终审发布: also 终审."""
        self.assertEqual(list(boxes(self.editor)), ["drafts", "rejected"])
        self.assertEqual(
            list(boxes(self.reviewer)), ["review1", "review2", "drafts", "rejected"]
        )
        self.assertEqual(
            list(boxes(self.publisher)),
            ["review1", "review2", "review3", "drafts", "rejected"],
        )

    def test_no_inbox_without_news_permissions(self):
        """Staff without news permissions, or with only 查看, get no inbox at all."""
        plain = staff_in_group("plain", None)
        self.assertEqual(inbox_for(plain), [])
        self.client.force_login(plain)
        response = self.client.get(reverse("admin:index"))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "我的工作台")

        reader = staff_in_group("reader", None)
        reader.user_permissions.add(Permission.objects.get(codename="view_article"))
        self.assertEqual(inbox_for(reader), [])

    def test_boxes_hold_the_work_of_each_state(self):
        """Every article is in the box of its editorial state, with the right count."""
        self.draft("草稿甲")
        article_submit(article=self.draft("初审乙"), by=self.editor)
        in_review2 = self.draft("复审丙")
        article_submit(article=in_review2, by=self.editor)
        article_approve(article=in_review2, by=self.reviewer)
        in_review3 = self.draft("终审丁")
        article_submit(article=in_review3, by=self.editor)
        article_approve(article=in_review3, by=self.reviewer)
        article_approve(article=in_review3, by=self.reviewer2)
        published = self.draft("已发布戊")
        article_submit(article=published, by=self.editor)
        article_approve(article=published, by=self.reviewer)
        article_approve(article=published, by=self.reviewer2)
        article_publish(article=published, by=self.publisher)

        publisher = boxes(self.publisher)
        self.assertEqual(
            {key: (box.count, titles(box)) for key, box in publisher.items()},
            {
                "review1": (1, ["初审乙"]),
                "review2": (1, ["复审丙"]),
                "review3": (1, ["终审丁"]),
                "drafts": (0, []),
                "rejected": (0, []),
            },
        )
        editor = boxes(self.editor)
        self.assertEqual(
            (editor["drafts"].count, titles(editor["drafts"])), (1, ["草稿甲"])
        )
        self.assertEqual(editor["rejected"].count, 0)
        self.assertEqual(boxes(self.other_editor)["drafts"].count, 0)

    def test_draft_over_live_article_is_reviewed_in_the_inbox(self):
        """Editing a live article puts its draft in 我的草稿, submitting it in 待我初审."""
        live = ArticleFactory(title="线上标题")
        article_update(article=live, by=self.other_editor, values={"title": "修改稿"})
        drafts = boxes(self.other_editor)["drafts"]
        self.assertEqual(
            (drafts.count, [a.pk for a in drafts.articles]), (1, [live.pk])
        )
        self.assertEqual(
            drafts.articles[0].get_editorial_status_display(),
            "已发布 · 有未送审的修改稿",
        )
        self.assertEqual(boxes(self.reviewer)["review1"].count, 0)

        article_submit(article=live, by=self.other_editor)
        review1 = boxes(self.reviewer)["review1"]
        self.assertEqual(
            (review1.count, [a.pk for a in review1.articles]), (1, [live.pk])
        )
        # The row (the live version) keeps its title; the state shown is the draft's.
        self.assertEqual(review1.articles[0].title, "线上标题")
        self.assertEqual(
            review1.articles[0].get_editorial_status_display(), "已发布 · 修改稿待初审"
        )
        self.assertEqual(boxes(self.other_editor)["drafts"].count, 0)

    def test_my_drafts_are_those_i_saved_last(self):
        """A draft belongs to whoever saved its latest version."""
        article = self.draft("合写稿")
        self.assertEqual(titles(boxes(self.editor)["drafts"]), ["合写稿"])
        article_update(article=article, by=self.other_editor, values={"title": "改写"})
        self.assertEqual(boxes(self.editor)["drafts"].count, 0)
        self.assertEqual(titles(boxes(self.other_editor)["drafts"]), ["改写"])

    def test_sent_back_work_waits_for_its_submitter_until_resubmitted(self):
        """A rejected draft is in the submitter's 被退回, nobody's 我的草稿."""
        article = self.draft("退回稿", by=self.other_editor)
        article_submit(article=article, by=self.editor)
        article_reject(article=article, by=self.reviewer, comment="数据需核实")

        self.assertEqual(titles(boxes(self.editor)["rejected"]), ["退回稿"])
        self.assertEqual(boxes(self.other_editor)["rejected"].count, 0)
        for user in (self.editor, self.other_editor, self.reviewer):
            self.assertEqual(boxes(user)["drafts"].count, 0, user)

        # Fixing it keeps it in 被退回 until it goes to review again.
        article_update(article=article, by=self.editor, values={"title": "已核实"})
        self.assertEqual(titles(boxes(self.editor)["rejected"]), ["已核实"])
        article_submit(article=article, by=self.editor)
        self.assertEqual(boxes(self.editor)["rejected"].count, 0)
        self.assertEqual(titles(boxes(self.reviewer)["review1"]), ["已核实"])

    def test_the_newest_ten_are_listed_and_all_are_counted(self):
        """A box lists the LIMIT articles worked on last, newest first."""
        for n in range(LIMIT + 2):
            article_submit(article=self.draft(f"稿件{n:02d}"), by=self.editor)
        review1 = boxes(self.reviewer)["review1"]
        self.assertEqual(review1.count, LIMIT + 2)
        self.assertEqual(
            titles(review1), [f"稿件{n:02d}" for n in range(LIMIT + 1, 1, -1)]
        )

    @override_settings(EDITORIAL_SEPARATION_OF_DUTIES=True)
    def test_separation_of_duties_leaves_out_what_i_may_not_approve(self):
        """My own submission is not in my 待我初审; my 初审 not in my 待我复审."""
        article = self.draft("自己送审", by=self.reviewer)
        article_submit(article=article, by=self.reviewer)
        mine = boxes(self.reviewer)["review1"]
        self.assertEqual(mine.count, 0)
        self.assertTrue(mine.note)
        self.assertEqual(titles(boxes(self.reviewer2)["review1"]), ["自己送审"])

        article_approve(article=article, by=self.reviewer2)
        self.assertEqual(boxes(self.reviewer)["review2"].count, 0)
        self.assertEqual(boxes(self.reviewer2)["review2"].count, 0)
        self.assertEqual(titles(boxes(self.publisher)["review2"]), ["自己送审"])

    def test_without_separation_of_duties_my_own_work_is_offered(self):
        """With the rule off (tests' default) nothing is left out and no note shown."""
        article = self.draft("自己送审", by=self.reviewer)
        article_submit(article=article, by=self.reviewer)
        mine = boxes(self.reviewer)["review1"]
        self.assertEqual((mine.count, mine.note), (1, ""))

    @override_settings(EDITORIAL_SEPARATION_OF_DUTIES=True)
    def test_review_queue_agrees_with_duty_conflict(self):
        """``review_queue`` is the QuerySet twin of ``not duty_conflict``."""
        one = self.draft("一")
        article_submit(article=one, by=self.reviewer)
        two = self.draft("二")
        article_submit(article=two, by=self.editor)
        article_approve(article=two, by=self.reviewer)
        three = self.draft("三")
        article_submit(article=three, by=self.editor)
        article_reject(article=three, by=self.reviewer2, comment="重写")
        article_submit(article=three, by=self.reviewer2)
        article_approve(article=three, by=self.reviewer)
        four = ArticleFactory(status=S.REVIEW_1, title="四")  # no events at all
        users = (self.reviewer, self.reviewer2, self.publisher)
        for user, article, state in product(
            users, (one, two, three, four), (S.REVIEW_1, S.REVIEW_2)
        ):
            article.refresh_from_db()
            if article.editorial_status != state:
                continue
            with self.subTest(user=user.username, article=article.title):
                self.assertEqual(
                    review_queue(user, state).filter(pk=article.pk).exists(),
                    not duty_conflict(user, article),
                )

    @override_settings(EDITORIAL_SEPARATION_OF_DUTIES=True)
    def test_one_query_a_box_whatever_the_number_of_articles(self):
        """Five boxes, five queries, with two or with twenty articles in them."""
        self.publisher.get_all_permissions()  # loaded once per request anyway

        def fill():
            article_submit(article=self.draft("初审"), by=self.editor)
            in_review2 = self.draft("复审")
            article_submit(article=in_review2, by=self.editor)
            article_approve(article=in_review2, by=self.reviewer)
            live = ArticleFactory()
            article_update(article=live, by=self.publisher, values={"title": "改"})
            rejected = self.draft("退回", by=self.publisher)
            article_submit(article=rejected, by=self.publisher)
            article_reject(article=rejected, by=self.reviewer, comment="重写")

        fill()
        with self.assertNumQueries(5):
            inbox_for(self.publisher)
        for _ in range(5):
            fill()
        with self.assertNumQueries(5):
            counts = {box.key: box.count for box in inbox_for(self.publisher)}
        self.assertEqual(
            counts,
            {"review1": 6, "review2": 6, "review3": 0, "drafts": 6, "rejected": 6},
        )

    def test_admin_home_shows_the_inbox_with_links(self):
        """The admin home shows 我的工作台 above the apps, linking to each article."""
        article = self.draft("链接稿")
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:index"))
        self.assertContains(response, "我的工作台")
        self.assertContains(response, "我的草稿")
        self.assertNotContains(response, "待我初审")
        self.assertContains(
            response,
            f'<a href="{reverse("admin:news_article_change", args=[article.pk])}">'
            "链接稿</a>",
            html=True,
        )
        content = response.content.decode()
        self.assertLess(content.index("editorial-inbox"), content.index("app-news"))


class SuperuserInboxTests(TestCase):
    def test_superuser_sees_every_box(self):
        """Superusers have every permission, so every box."""
        root = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.assertEqual(
            [box.key for box in inbox_for(root)],
            ["review1", "review2", "review3", "drafts", "rejected"],
        )

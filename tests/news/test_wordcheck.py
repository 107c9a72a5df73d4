"""错敏字 check before submit and publish."""

from django.core.exceptions import ValidationError
from django.test import TestCase

from news.models import Article, SensitiveWord
from news.workflow import article_publish, wordcheck_article, wordcheck_texts
from tests.factories import ArticleFactory, UserFactory, staff_in_group

S = Article.Status


class WordListTests(TestCase):
    def test_migration_seeds_a_starter_list(self):
        self.assertGreaterEqual(SensitiveWord.objects.count(), 30)
        for wrong, correct in [
            ("扫黑险恶", "扫黑除恶"),
            ("按装", "安装"),
            ("既使", "即使"),
            ("再接再励", "再接再厉"),
            ("一股作气", "一鼓作气"),
            ("迫不急待", "迫不及待"),
            ("中华人民共合国", "中华人民共和国"),
        ]:
            self.assertEqual(SensitiveWord.objects.get(wrong=wrong).correct, correct)

    def test_no_correction_contains_its_own_wrong_form(self):
        """Otherwise the corrected text would be flagged again forever."""
        for word in SensitiveWord.objects.exclude(correct=""):
            self.assertNotIn(word.wrong, word.correct, word)

    def test_staff_can_extend_the_list_in_the_admin(self):
        admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        response = self.client.post(
            "/admin/news/sensitiveword/add/",
            {
                "wrong": "质量强县",
                "correct": "质量强市",
                "note": "本市口径",
                "is_active": "on",
            },
        )
        self.assertEqual(response.status_code, 302)
        findings = wordcheck_texts({"标题": "推进质量强县建设"})
        self.assertEqual(
            [(f.wrong, f.correct) for f in findings], [("质量强县", "质量强市")]
        )

    def test_inactive_words_are_ignored(self):
        SensitiveWord.objects.filter(wrong="按装").update(is_active=False)
        self.assertEqual(wordcheck_texts({"正文": "按装空调"}), [])


class WordCheckTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = staff_in_group("publisher", "终审发布")

    def test_findings_name_field_context_and_suggestion(self):
        article = ArticleFactory(
            status=S.REVIEW_3,
            title="深入推进扫黑险恶专项斗争",
            summary="摘要没问题。",
            body="<p>这是一段很长的开头文字，用于上下文截取。工人按装了新设备。</p>",
        )
        findings = wordcheck_article(article)
        self.assertEqual(
            [(f.field, f.wrong, f.correct) for f in findings],
            [("标题", "扫黑险恶", "扫黑除恶"), ("正文", "按装", "安装")],
        )
        self.assertIn("工人按装了新设备", findings[1].context)
        self.assertTrue(findings[1].context.startswith("…"))

    def test_publish_is_blocked_until_fixed(self):
        article = ArticleFactory(status=S.REVIEW_3, title="再接再励")
        with self.assertRaisesMessage(ValidationError, "标题“再接再励”应为“再接再厉”"):
            article_publish(article=article, by=self.publisher)
        article.refresh_from_db()
        self.assertEqual(article.status, S.REVIEW_3)
        self.assertFalse(article.events.exists())
        Article.objects.filter(pk=article.pk).update(title="再接再厉")
        article.refresh_from_db()
        article_publish(article=article, by=self.publisher)
        self.assertEqual(article.status, S.PUBLISHED)

    def test_publisher_override_is_recorded(self):
        article = ArticleFactory(status=S.REVIEW_3, summary="引语原文：既使如此。")
        article_publish(
            article=article, by=self.publisher, override_reason="直接引语，保留原文"
        )
        self.assertEqual(article.status, S.PUBLISHED)
        comment = article.events.get().comment
        self.assertIn("直接引语，保留原文", comment)
        self.assertIn("既使", comment)

    def test_change_page_lists_findings_and_the_override_field(self):
        article = ArticleFactory(status=S.REVIEW_3, body="<p>一股作气完成任务。</p>")
        self.client.force_login(self.publisher)
        response = self.client.get(f"/admin/news/article/{article.pk}/change/")
        self.assertContains(response, "错敏字检查发现 1 处问题")
        self.assertContains(response, "<ins>一鼓作气</ins>", html=False)
        self.assertContains(response, 'name="override_reason"')

    def test_publish_button_without_reason_shows_findings(self):
        article = ArticleFactory(status=S.REVIEW_3, body="<p>一股作气完成任务。</p>")
        self.client.force_login(self.publisher)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/transition/",
            {"action": "publish"},
            follow=True,
        )
        self.assertContains(response, "正文“一股作气”应为“一鼓作气”")
        article.refresh_from_db()
        self.assertEqual(article.status, S.REVIEW_3)

    def test_submit_warns_but_goes_on(self):
        editor = staff_in_group("editor", "编辑")
        article = ArticleFactory(status=S.DRAFT, title="迫不急待")
        self.client.force_login(editor)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/transition/",
            {"action": "submit"},
            follow=True,
        )
        article.refresh_from_db()
        self.assertEqual(article.status, S.REVIEW_1)
        self.assertContains(response, "标题“迫不急待”应为“迫不及待”")

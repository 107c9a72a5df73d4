"""No lost work in the article editor, in a real browser (static/js/article-local-copy.js).

Leaving the add/change form with unsaved changes asks first (``beforeunload``);
submitting it does not. While it has unsaved changes its values are kept in the
browser's localStorage, under the user, the article and the version the form was
opened at, and offered back (恢复/丢弃) when the form is opened again; a successful
save, 丢弃 and the admin's logout remove them.
"""

import json
import os
import re

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from news.models import Article
from news.revisions import user_display_name
from news.services import article_update
from tests.browser.editing import SETTLE, caret_at_end
from tests.browser.live import ChromiumTestCase
from tests.browser.test_csp import COLLECT_VIOLATIONS
from tests.browser.test_editorial_flow import ensure_editorial_groups
from tests.factories import (
    PASSWORD,
    ArticleFactory,
    ChannelFactory,
    TagFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in this thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

COPIES = """() => Object.keys(localStorage)
  .filter((k) => k.startsWith("yantai:article-copy:"))
  .sort()
  .map((k) => [k, JSON.parse(localStorage.getItem(k))])"""


class UnsavedChangesBrowserTests(ChromiumTestCase):
    def setUp(self):
        ensure_editorial_groups()
        self.wang = UserFactory(username="wang", is_staff=True)
        self.li = UserFactory(username="li", is_staff=True)
        for user in (self.wang, self.li):
            user.groups.add(Group.objects.get(name="编辑"))
        self.article = ArticleFactory(
            status=Article.Status.DRAFT,
            title="原标题",
            body="<p>服务器上的正文。</p>",
        )
        # One browser profile (one context), as on a shared office computer.
        self.context = self.browser.new_context(locale="zh-CN")
        self.addCleanup(self.context.close)
        self.errors = []
        self.context.on(
            "page", lambda p: p.on("pageerror", lambda e: self.errors.append(str(e)))
        )

    # --- helpers ------------------------------------------------------------------

    def login(self, page, username):
        self.log_in(page, username)

    def change_url(self, article=None):
        article = article or self.article
        return f"{self.live_server_url}/admin/news/article/{article.pk}/change/"

    def open_form(self, page, url=None):
        page.goto(url or self.change_url())
        self.editor(page).wait_for()
        page.locator(".prose-menubar").wait_for()
        # The script has taken the form's initial state once the editor is there.
        page.wait_for_function(
            "() => document.getElementById('article-local-copy')"
            "?.dataset.state === 'ready'"
        )

    def editor(self, page):
        return page.locator(".ProseMirror[contenteditable=true]")

    def type_title_and_body(self, page, title="新标题", text="编辑新写的一段。"):
        page.fill("#id_title", title)
        caret_at_end(page, self.editor(page).locator("p").last)
        page.keyboard.press("Enter")
        page.keyboard.type(text)
        page.evaluate(SETTLE)

    def copies(self, page):
        return page.evaluate(COPIES)

    def wait_for_copy(self, page, contains):
        page.wait_for_function(
            "(text) => Object.keys(localStorage).some((k) =>"
            " k.startsWith('yantai:article-copy:')"
            " && localStorage.getItem(k).includes(text))",
            arg=contains,
        )

    def notice(self, page):
        return page.locator("#article-local-copy .local-copy-notice")

    def dialogs_of(self, page, accept=True):
        seen = []

        def on_dialog(dialog):
            seen.append(dialog.type)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()

        page.on("dialog", on_dialog)
        return seen

    # --- the unsaved-changes warning --------------------------------------------------

    def test_leaving_with_changes_asks_first(self):
        page = self.context.new_page()
        self.login(page, "wang")
        seen = self.dialogs_of(page, accept=False)
        self.open_form(page)
        self.type_title_and_body(page)
        page.locator("#site-name a").click()  # the header link to the admin's home
        page.wait_for_timeout(500)
        self.assertEqual(seen, ["beforeunload"])
        self.assertEqual(page.url, self.change_url())  # stayed: nothing lost

    def test_body_alone_counts_as_a_change(self):
        page = self.context.new_page()
        self.login(page, "wang")
        seen = self.dialogs_of(page)
        self.open_form(page)
        caret_at_end(page, self.editor(page).locator("p").last)
        page.keyboard.type("补充")
        page.evaluate(SETTLE)
        with page.expect_navigation():
            page.locator("#site-name a").click()
        self.assertEqual(seen, ["beforeunload"])

    def test_leaving_unchanged_or_saving_does_not_ask(self):
        page = self.context.new_page()
        self.login(page, "wang")
        seen = self.dialogs_of(page)
        self.open_form(page)
        with page.expect_navigation():
            page.locator("#site-name a").click()
        self.assertEqual(seen, [])

        self.open_form(page)
        self.type_title_and_body(page)
        with page.expect_navigation():
            page.locator("input[name=_continue]").click()
        self.assertEqual(seen, [])
        self.assertEqual(page.locator(".errornote").count(), 0)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "新标题")
        self.assertIn("编辑新写的一段。", self.article.body)
        # Saved: no copy is kept, and leaving now asks nothing.
        self.assertEqual(self.copies(page), [])
        with page.expect_navigation():
            page.locator("#site-name a").click()
        self.assertEqual(seen, [])
        self.assertEqual(self.errors, [])

    def test_a_workflow_button_does_not_ask(self):
        page = self.context.new_page()
        self.login(page, "wang")
        seen = self.dialogs_of(page)
        self.open_form(page)
        page.fill("#id_title", "送审前改了标题")
        with page.expect_navigation():
            page.get_by_role("button", name="提交送审").click()
        expect(page.locator(".messagelist .success")).to_contain_text("已转为")
        self.assertEqual(seen, [])

    # --- the local copy -------------------------------------------------------------

    def test_copy_survives_a_closed_page_and_is_restored_and_saved(self):
        page = self.context.new_page()
        self.login(page, "wang")
        tag = TagFactory(name="标准化")
        self.open_form(page)
        self.type_title_and_body(page, title="恢复的标题", text="恢复的正文段落。")
        # A tag, through the autocomplete box (select2).
        page.locator(".field-tags .select2-selection").click()
        page.keyboard.type("标准")
        page.locator(".select2-results__option", has_text="标准化").click()
        # Kept every few seconds while the form has unsaved changes.
        self.wait_for_copy(page, "恢复的正文段落。")
        [(key, copy)] = self.copies(page)
        self.assertEqual(
            key,
            f"yantai:article-copy:{self.wang.pk}:{self.article.pk}:"
            f"{self.article.version}",
        )
        page.close(run_before_unload=False)

        page = self.context.new_page()
        seen = self.dialogs_of(page)
        self.open_form(page)
        # The server's values are shown until the editor chooses.
        self.assertEqual(page.input_value("#id_title"), "原标题")
        notice = self.notice(page)
        expect(notice).to_be_visible()
        saved_at = page.evaluate(
            "(t) => { const d = new Date(t); return String(d.getHours())"
            ".padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0'); }",
            copy["savedAt"],
        )
        restore = notice.get_by_role(
            "button", name=f"恢复未保存的内容（保存于 {saved_at}）"
        )
        expect(restore).to_be_visible()
        expect(notice.get_by_role("button", name="丢弃")).to_be_visible()
        restore.click()
        expect(notice).to_have_count(0)
        self.assertEqual(page.input_value("#id_title"), "恢复的标题")
        expect(page.locator(".field-tags .select2-selection__choice")).to_contain_text(
            "标准化"
        )
        expect(self.editor(page)).to_contain_text("恢复的正文段落。")
        self.assertIn("恢复的正文段落。", page.input_value("textarea[name=body]"))

        with page.expect_navigation():
            page.locator("input[name=_save]").click()  # 保存: to the list
        self.assertEqual(seen, [])
        self.assertEqual(page.locator(".errornote").count(), 0)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "恢复的标题")
        self.assertIn("<p>恢复的正文段落。</p>", self.article.body)
        self.assertEqual(list(self.article.tags.all()), [tag])
        self.assertEqual(self.copies(page), [])
        self.assertEqual(self.errors, [])

    def test_discard_removes_the_copy_and_keeps_the_servers_values(self):
        page = self.context.new_page()
        self.login(page, "wang")
        self.open_form(page)
        self.type_title_and_body(page, title="不要的标题", text="不要的正文。")
        page.reload()  # its pagehide keeps the copy
        self.editor(page).wait_for()
        expect(self.notice(page)).to_be_visible()
        self.notice(page).get_by_role("button", name="丢弃").click()
        expect(self.notice(page)).to_have_count(0)
        self.assertEqual(self.copies(page), [])
        self.assertEqual(page.input_value("#id_title"), "原标题")
        expect(self.editor(page)).to_have_text("服务器上的正文。")
        # Nothing was changed: leaving asks nothing, and no copy comes back.
        seen = self.dialogs_of(page)
        with page.expect_navigation():
            page.locator("#site-name a").click()
        self.assertEqual(seen, [])
        self.assertEqual(self.copies(page), [])

    def test_a_form_with_errors_keeps_the_copy(self):
        page = self.context.new_page()
        self.login(page, "wang")
        self.open_form(page)
        page.fill("#id_title", "")  # required
        caret_at_end(page, self.editor(page).locator("p").last)
        page.keyboard.type("出错也不丢")
        page.evaluate(SETTLE)
        with page.expect_navigation():
            page.locator("input[name=_continue]").click()
        expect(page.locator(".errornote")).to_be_visible()
        self.editor(page).wait_for()
        self.assertTrue(
            any(
                "出错也不丢" in json.dumps(c, ensure_ascii=False)
                for c in self.copies(page)
            )
        )
        # The redisplayed form is still unsaved work: leaving asks.
        seen = self.dialogs_of(page, accept=False)
        page.locator("#site-name a").click()
        page.wait_for_timeout(500)
        self.assertEqual(seen, ["beforeunload"])

    def test_a_refused_save_keeps_the_copy(self):
        page = self.context.new_page()
        self.login(page, "wang")
        self.open_form(page)
        self.type_title_and_body(page, title="王的标题", text="王写的正文。")
        page.close(run_before_unload=False)
        # Meanwhile Li saves the article: the version moves on.
        article_update(
            article=Article.objects.get(pk=self.article.pk),
            by=self.li,
            values={"title": "李的标题"},
        )

        page = self.context.new_page()
        self.open_form(page)
        self.notice(page).get_by_role("button", name=re.compile("恢复")).click()
        self.assertEqual(page.input_value("#id_title"), "王的标题")
        with page.expect_navigation():
            page.locator("input[name=_continue]").click()
        refusal = page.locator(".errorlist.nonfield")
        expect(refusal).to_contain_text("保存被拒绝")
        expect(refusal).to_contain_text(f"“标题”已被 {user_display_name(self.li)} 于")
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "李的标题")
        self.assertTrue(
            any(
                "王写的正文。" in json.dumps(c, ensure_ascii=False)
                for c in self.copies(page)
            )
        )

    def test_a_new_article_is_kept_and_saved_once(self):
        page = self.context.new_page()
        self.login(page, "wang")
        add_url = f"{self.live_server_url}/admin/news/article/add/"
        channel = ChannelFactory(name="质量强市")
        self.open_form(page, add_url)
        page.fill("#id_title", "新稿件的标题")
        page.select_option("#id_channel", label="质量强市")
        self.editor(page).click()
        page.keyboard.type("新稿件的正文。")
        self.wait_for_copy(page, "新稿件的正文。")
        [(key, _copy)] = self.copies(page)
        self.assertEqual(key, f"yantai:article-copy:{self.wang.pk}:new:0")
        page.close(run_before_unload=False)

        page = self.context.new_page()
        self.open_form(page, add_url)
        self.notice(page).get_by_role("button", name=re.compile("恢复")).click()
        self.assertEqual(page.input_value("#id_title"), "新稿件的标题")
        self.assertEqual(page.input_value("#id_channel"), str(channel.pk))
        with page.expect_navigation():
            page.locator("input[name=_save]").click()
        self.assertEqual(page.locator(".errornote").count(), 0)
        created = Article.objects.get(title="新稿件的标题")
        self.assertIn("新稿件的正文。", created.body)
        self.assertEqual(created.channel, channel)
        self.assertEqual(self.copies(page), [])

    def test_another_user_is_not_offered_the_copy(self):
        page = self.context.new_page()
        self.login(page, "wang")
        self.open_form(page)
        self.type_title_and_body(page, text="王未保存的正文。")
        self.wait_for_copy(page, "王未保存的正文。")
        page.close(run_before_unload=False)
        # Li signs in on the same browser profile (Wang's session has ended).
        self.context.clear_cookies()
        page = self.context.new_page()
        self.login(page, "li")
        self.open_form(page)
        expect(self.notice(page)).to_have_count(0)
        self.assertEqual(page.input_value("#id_title"), "原标题")
        self.assertTrue(
            any(
                "王未保存的正文。" in json.dumps(c, ensure_ascii=False)
                for c in self.copies(page)
            )
        )

    def test_logout_removes_every_copy(self):
        page = self.context.new_page()
        self.login(page, "wang")
        self.open_form(page)
        self.type_title_and_body(page, text="退出时清除。")
        self.wait_for_copy(page, "退出时清除。")
        page.close(run_before_unload=False)
        page = self.context.new_page()
        page.evaluate("() => 0")
        page.goto(f"{self.live_server_url}/admin/")
        self.assertEqual(len(self.copies(page)), 1)
        with page.expect_navigation():
            page.locator("#logout-form button").click()
        page.evaluate(SETTLE)
        self.assertEqual(self.copies(page), [])

    def test_an_ended_session_keeps_the_work_for_after_login(self):
        page = self.context.new_page()
        self.login(page, "wang")
        self.open_form(page)
        self.type_title_and_body(
            page, title="会话结束前的标题", text="会话结束前的正文。"
        )
        # Logged out in another tab of the same browser.
        other = self.context.new_page()
        other.goto(f"{self.live_server_url}/admin/")
        with other.expect_navigation():
            other.locator("#logout-form button").click()
        other.close()

        seen = self.dialogs_of(page)
        with page.expect_navigation():
            page.locator("input[name=_save]").click()
        self.assertEqual(seen, [])
        self.assertIn("/admin/login/", page.url)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "原标题")

        page.fill("#id_username", "wang")
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("input[type=submit]")
        self.open_form(page)
        notice = self.notice(page)
        notice.get_by_role("button", name=re.compile("恢复未保存的内容")).click()
        self.assertEqual(page.input_value("#id_title"), "会话结束前的标题")
        expect(self.editor(page)).to_contain_text("会话结束前的正文。")

    def test_copies_older_than_a_week_are_dropped(self):
        page = self.context.new_page()
        self.login(page, "wang")
        page.evaluate(
            """([key]) => localStorage.setItem(key, JSON.stringify({
                savedAt: Date.now() - 8 * 24 * 3600 * 1000, version: 1,
                values: {title: ["一周多以前"]}, labels: {}}))""",
            [f"yantai:article-copy:{self.wang.pk}:{self.article.pk}:1"],
        )
        self.open_form(page)
        expect(self.notice(page)).to_have_count(0)
        self.assertEqual(self.copies(page), [])

    # --- the Content-Security-Policy ------------------------------------------------

    def test_no_csp_violation_on_the_change_form(self):
        violations, console = [], []
        self.context.expose_function(
            "reportCspViolation", lambda violation: violations.append(violation)
        )
        self.context.add_init_script(COLLECT_VIOLATIONS)
        self.context.on(
            "console",
            lambda m: console.append(m.text) if m.type in ("error", "warning") else 0,
        )
        page = self.context.new_page()
        self.login(page, "wang")
        self.open_form(page)
        self.type_title_and_body(page, text="内容安全策略。")
        self.wait_for_copy(page, "内容安全策略。")
        page.reload()
        self.editor(page).wait_for()
        self.notice(page).get_by_role("button", name=re.compile("恢复")).click()
        page.evaluate(SETTLE)
        self.assertEqual(violations, [])
        self.assertEqual([m for m in console if "Content Security Policy" in m], [])
        self.assertEqual(self.errors, [])

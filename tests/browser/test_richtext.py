"""The body editor in a real browser: type, paste from Word, save, stored clean."""

import os

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from news.models import Article
from tests.browser.editing import caret_at_end
from tests.browser.live import ChromiumTestCase, click_and_close
from tests.factories import ArticleFactory, UserFactory

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
# test are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


WORD_HTML = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>'
    "<style>p.MsoNormal{mso-style-parent:'';}</style></head><body>"
    "<!--StartFragment-->"
    "<h2 class=MsoTitle style='mso-outline-level:2'><span style='font-family:黑体'>"
    "质量提升行动<o:p></o:p></span></h2>"
    "<p class=MsoNormal style='text-indent:2em;mso-char-indent-count:2.0'>"
    "<span lang=EN-US style='font-size:12pt'><font face='宋体' color=red>全市</font>"
    "</span><b style='mso-bidi-font-weight:normal'><span style='color:red'>604项"
    "</span></b><span>标准</span><span style='mso-spacerun:yes'></span><o:p></o:p></p>"
    "<ul><li class=MsoNormal style='mso-list:l0 level1 lfo1'><span>第一项</span></li>"
    "<li class=MsoNormal><span>第二项</span></li></ul>"
    "<!--EndFragment--></body></html>"
)

# Every title and aria-label in the editor's menu, and the block-type options.
MENU_LABELS = """() => {
  const menu = document.querySelector(".prose-menubar");
  const labels = [];
  for (const el of menu.querySelectorAll("[title], [aria-label]")) {
    labels.push(el.getAttribute("title"), el.getAttribute("aria-label"));
  }
  for (const el of menu.querySelectorAll(".prose-menubar__option")) {
    labels.push(el.textContent);
  }
  return labels;
}"""

PASTE = """(html) => {
  const editor = document.querySelector(".ProseMirror[contenteditable=true]");
  editor.focus();
  const data = new DataTransfer();
  data.setData("text/html", html);
  data.setData("text/plain", "质量提升行动 全市604项标准 第一项 第二项");
  editor.dispatchEvent(new ClipboardEvent("paste", {
    clipboardData: data, bubbles: true, cancelable: true,
  }));
}"""


class RichTextEditorBrowserTests(ChromiumTestCase):
    def login(self, context, user):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        # The backend that loads users (the first, django-axes, only checks logins).
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session.session_key,
                    "url": self.live_server_url,
                }
            ]
        )

    def test_typed_and_pasted_text_is_saved_clean(self):
        admin = UserFactory(username="editor-root", is_staff=True, is_superuser=True)
        article = ArticleFactory(
            status=Article.Status.DRAFT,
            body="<h2>小标题</h2><p>烟台市共参与制修订604项国家标准。</p>",
        )
        context = self.browser.new_context(locale="zh-CN")  # a Chinese newsroom
        self.login(context, admin)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{self.live_server_url}/admin/news/article/{article.pk}/change/")
        editor = page.locator(".ProseMirror[contenteditable=true]")
        editor.wait_for()
        page.locator(".prose-menubar [title='加粗']").wait_for()
        # The stored body is shown as formatted text, not as markup.
        self.assertEqual(editor.locator("h2").inner_text(), "小标题")

        # Type a new paragraph at the end, with bold text from the keyboard shortcut.
        caret_at_end(page, editor.locator("p").last)
        page.keyboard.press("Enter")
        page.keyboard.type("编辑补充：")
        page.keyboard.press("Control+b")
        page.keyboard.type("加粗")
        page.keyboard.press("Control+b")
        page.keyboard.press("Enter")

        # Paste what Word puts on the clipboard.
        page.evaluate(PASTE, WORD_HTML)
        self.assertIn("第二项", editor.inner_text())

        with page.expect_navigation():
            page.locator("input[name=_continue]").click()
        self.assertEqual(errors, [])
        self.assertEqual(page.locator(".errornote").count(), 0)

        body = Article.objects.get(pk=article.pk).body
        self.assertIn("<h2>小标题</h2>", body)
        self.assertIn("<strong>加粗</strong>", body)
        self.assertIn("<h2>质量提升行动</h2>", body)
        self.assertRegex(body, r"<(strong|b)>604项</(strong|b)>")
        self.assertRegex(body, r"<ul><li>(<p>)?第一项(</p>)?</li><li>(<p>)?第二项")
        for debris in ("style=", "class=", "<font", "<span", "mso-", "<o:p"):
            self.assertNotIn(debris, body)
        context.close()

    def test_unchanged_body_round_trips_through_the_editor(self):
        """Headings and paragraphs come back from the editor exactly as stored."""
        admin = UserFactory(username="editor-root2", is_staff=True, is_superuser=True)
        body = (
            "<h2>标准化工作</h2><p>烟台市共参与制修订604项国家标准。</p>"
            "<h2>品牌建设</h2><p>全市拥有“好品山东”品牌43个。</p>"
        )
        article = ArticleFactory(status=Article.Status.DRAFT, body=body)
        context = self.browser.new_context()
        self.login(context, admin)
        page = context.new_page()
        page.goto(f"{self.live_server_url}/admin/news/article/{article.pk}/change/")
        page.locator(".ProseMirror[contenteditable=true] h2").first.wait_for()
        with page.expect_navigation():
            page.locator("input[name=_continue]").click()
        self.assertEqual(page.locator(".errornote").count(), 0)
        self.assertEqual(Article.objects.get(pk=article.pk).body, body)
        context.close()

    def test_editor_inserts_a_library_image_with_the_picker(self):
        from tests.news.test_body_images import library_image

        image = library_image(title="烟台港", caption="烟台港西港区", credit="唐克 摄")
        admin = UserFactory(username="editor-root3", is_staff=True, is_superuser=True)
        article = ArticleFactory(
            status=Article.Status.DRAFT, body="<p>正文第一段。</p>"
        )
        context = self.browser.new_context(locale="zh-CN")  # a Chinese newsroom
        self.login(context, admin)
        page = context.new_page()
        page.goto(f"{self.live_server_url}/admin/news/article/{article.pk}/change/")
        editor = page.locator(".ProseMirror[contenteditable=true]")
        editor.wait_for()
        caret_at_end(page, editor.locator("p").last)
        page.locator(".prose-menubar [title='插图（带图片说明）']").click()
        dialog = page.locator("dialog[open]")
        dialog.wait_for()
        with page.expect_popup() as popup_info:
            dialog.get_by_role("button", name="浏览……").click()
        picker = popup_info.value
        picker.wait_for_load_state()
        click_and_close(picker, picker.get_by_role("button", name="插入此图"))
        self.assertEqual(
            dialog.locator("input[name=altText]").input_value(), image.alt_text
        )
        self.assertEqual(
            dialog.locator("input[name=caption]").input_value(), "烟台港西港区 唐克 摄"
        )
        dialog.get_by_role("button", name="插入").click()
        editor.locator("figure img").wait_for()
        with page.expect_navigation():
            page.locator("input[name=_continue]").click()
        self.assertEqual(page.locator(".errornote").count(), 0)
        body = Article.objects.get(pk=article.pk).body
        self.assertIn(f'data-file="{image.pk}"', body)
        self.assertIn('<source type="image/webp"', body)
        self.assertIn("<figcaption>烟台港西港区 唐克 摄</figcaption>", body)
        # The stored picture opens in the editor again as one figure.
        page.locator(".ProseMirror[contenteditable=true] figure img").wait_for()
        self.assertEqual(page.locator(".ProseMirror figure").count(), 1)
        # …and saving it unchanged stores the same body.
        with page.expect_navigation():
            page.locator("input[name=_continue]").click()
        self.assertEqual(Article.objects.get(pk=article.pk).body, body)
        context.close()

    def assertChinese(self, text):
        """``text`` is Chinese: Han characters and no Latin letters but "HTML"."""
        self.assertRegex(text, r"[\u4e00-\u9fff]")
        self.assertNotRegex(text.replace("HTML", ""), r"[A-Za-z]")

    def test_editor_is_labelled_in_the_admins_language(self):
        """Menu buttons, block types and dialogs are Chinese (English in English).

        The package labels its menu in fixed English; static/js/editor-labels.js
        relabels it through the admin's JavaScript catalog.
        """
        admin = UserFactory(username="editor-root4", is_staff=True, is_superuser=True)
        context = self.browser.new_context(locale="zh-CN")
        self.login(context, admin)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{self.live_server_url}/admin/news/article/add/")
        editor = page.locator(".ProseMirror[contenteditable=true]")
        editor.wait_for()
        menu = page.locator(".prose-menubar")
        for label in page.evaluate(MENU_LABELS):
            with self.subTest(label=label):
                self.assertChinese(label)
        # Every button says what it does (the icons' text is a ligature name).
        unlabelled = menu.locator(
            "button:not(.prose-menubar__option):not([aria-label])"
        )
        self.assertEqual(unlabelled.count(), 0)
        # The dropdown's arrow is drawn, not a character: "⏷" is in none of our
        # fonts and showed as an empty box.
        arrow = page.evaluate(
            "getComputedStyle(document.querySelector('.prose-menubar__selected'),"
            " '::after').content"
        )
        self.assertEqual(arrow, '""')

        # Pick 二级标题 from the block-type menu: the menu shows it as chosen.
        editor.click()
        page.keyboard.type("小标题")
        menu.locator(".prose-menubar__selected").click()
        menu.locator(".prose-menubar__option", has_text="二级标题").click()
        self.assertEqual(editor.locator("h2").inner_text(), "小标题")
        selected = menu.locator(".prose-menubar__selected button")
        self.assertEqual(selected.get_attribute("aria-label"), "二级标题")
        # On a rule, which is no block type, the menu still speaks Chinese.
        page.keyboard.press("End")
        page.keyboard.press("Enter")
        menu.locator("[aria-label='分隔线']").click()
        editor.locator("hr").click()
        self.assertEqual(selected.get_attribute("aria-label"), "段落格式")

        # The table dialog: a checkbox for the header row, not a Yes/No select.
        menu.locator("[aria-label='插入表格']").click()
        dialog = page.locator("dialog[open]")
        dialog.wait_for()
        self.assertChinese(dialog.inner_text())
        self.assertEqual(dialog.locator("select").count(), 0)
        dialog.get_by_role("button", name="取消").click()
        self.assertEqual(errors, [])
        context.close()

        context = self.browser.new_context(locale="en-US")
        self.login(context, admin)
        page = context.new_page()
        page.goto(f"{self.live_server_url}/admin/news/article/add/")
        page.locator(".prose-menubar [aria-label='Bold']").wait_for()
        options = page.locator(".prose-menubar__option")
        self.assertEqual(
            options.all_text_contents(), ["Heading 2", "Heading 3", "Paragraph"]
        )
        context.close()

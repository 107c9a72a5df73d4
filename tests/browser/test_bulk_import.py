"""批量导入 of observations in a real browser (issue #16): a staff user uploads a CSV
or XLSX file from the changelist's button, sees the page say it is working while the
upload is on its way, then the summary and the rows; a file with row errors shows
the table of row errors (row number, column, Chinese message) and writes nothing;
the same file again says it changed nothing. The form works from the keyboard alone,
and the page with its error table has no serious or critical axe violations.

(The article admin has no 批量导入: its 从网页文本导入 takes one pasted page, and
archive-scale article imports are ``import_article``'s.)
"""

import os
import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from news.models import AuditLog
from quality.models import Observation
from tests.browser.live import ChromiumTestCase
from tests.browser.test_a11y import serious
from tests.factories import UserFactory
from tests.quality.factories import IndicatorFactory, PeriodFactory, RegionFactory
from tests.quality.test_bulk_import import ROWS, csv_bytes, xlsx_bytes

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# axe checks the page's own content: Django's admin chrome around it (its breadcrumb
# links, told from the text beside them by colour alone: link-in-text-block) is the
# same on every admin page and not this page's.
CONTENT = "#content"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Two bad rows among good ones: an unknown indicator (row 3) and a value that is no
# number (row 5); the file's first line is its header.
BAD_ROWS = [
    ROWS[0],
    ["no_such_indicator", *ROWS[1][1:]],
    ROWS[2],
    [*ROWS[3][:3], "很多", *ROWS[3][4:]],
]


def upload(name: str, data: bytes) -> dict:
    kind = "text/csv" if name.endswith(".csv") else "application/vnd.ms-excel"
    return {"name": name, "mimeType": kind, "buffer": data}


class ObservationBulkImportBrowserTests(ChromiumTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.axe = Axe()

    def setUp(self):
        IndicatorFactory(code="standards_national")
        RegionFactory()
        PeriodFactory()
        UserFactory(username="root", is_staff=True, is_superuser=True)
        self.context = self.browser.new_context(locale="zh-CN")
        self.addCleanup(self.context.close)
        self.page = self.context.new_page()
        self.log_in(self.page, "root", greeting="root")

    def open_from_changelist(self):
        page = self.page
        page.goto(f"{self.live_server_url}/admin/quality/observation/")
        page.get_by_role("link", name="批量导入", exact=True).click()
        expect(page.locator("h1")).to_have_text("批量导入观测值")

    def test_csv_upload_progress_summary_rows_and_the_same_file_again(self):
        page = self.page
        self.open_from_changelist()
        page.set_input_files("#id_file", upload("obs.csv", csv_bytes(ROWS).getvalue()))
        # What the page shows once the form is sent, while the upload is on its
        # way: noted by a listener that runs after the page's own (window, after
        # document) and read back after the next page has loaded.
        page.evaluate(
            """() => window.addEventListener("submit", (event) => {
              const status = document.querySelector("[role=status]");
              const button = document.querySelector("input[type=submit]");
              sessionStorage.setItem("seen", JSON.stringify([
                status.textContent, button.getAttribute("aria-disabled"),
                event.defaultPrevented,
              ]));
            })"""
        )
        page.get_by_role("button", name="导入").click()
        success = page.locator(".messagelist .success")
        expect(success).to_have_text(
            "已从“obs.csv”导入观测值：新增 5 条、更新 0 条、未变 0 条（新建统计期间 2 个）。"
        )
        self.assertRegex(page.url, r"/admin/quality/observation/$")
        rows = page.locator("#result_list tbody tr")
        expect(rows).to_have_count(len(ROWS))
        for raw in ("604项", "六百余项", "610项", "约605项", "12.5项"):
            expect(page.locator("#result_list")).to_contain_text(raw)
        self.assertEqual(Observation.objects.count(), len(ROWS))
        self.assertEqual(
            page.evaluate("() => JSON.parse(sessionStorage.getItem('seen'))"),
            [
                "正在上传并逐行校验，请稍候：文件较大时需要较长时间，请勿关闭或刷新本页。",
                "true",
                False,
            ],
        )

        # The same file again: nothing written, and the page says so.
        self.open_from_changelist()
        page.set_input_files("#id_file", upload("obs.csv", csv_bytes(ROWS).getvalue()))
        page.get_by_role("button", name="导入").click()
        expect(page.locator(".messagelist .info")).to_have_text(
            "“obs.csv”的 5 行与已有数据相同，没有写入任何数据。"
        )
        self.assertEqual(Observation.objects.count(), len(ROWS))
        self.assertEqual(
            AuditLog.objects.filter(action=AuditLog.Action.IMPORT).count(), 1
        )

    def test_xlsx_upload(self):
        page = self.page
        self.open_from_changelist()
        page.set_input_files(
            "#id_file", upload("obs.xlsx", xlsx_bytes(ROWS).getvalue())
        )
        page.get_by_role("button", name="导入").click()
        expect(page.locator(".messagelist .success")).to_contain_text(
            "已从“obs.xlsx”导入观测值：新增 5 条"
        )
        expect(page.locator("#result_list tbody tr")).to_have_count(len(ROWS))
        self.assertEqual(Observation.objects.count(), len(ROWS))

    def test_row_errors_are_listed_and_nothing_is_written(self):
        page = self.page
        self.open_from_changelist()
        page.set_input_files(
            "#id_file", upload("bad.csv", csv_bytes(BAD_ROWS).getvalue())
        )
        page.get_by_role("button", name="导入").click()
        expect(page.locator(".errornote")).to_have_text(
            "发现 2 个错误，未写入任何数据。"
        )
        table = page.get_by_role("table", name="错误列表")
        expect(table).to_be_visible()
        headers = table.locator("thead th").all_inner_texts()
        self.assertEqual(headers, ["行号", "列", "原因"])
        cells = [
            row.locator("td").all_inner_texts()
            for row in table.locator("tbody tr").all()
        ]
        self.assertEqual(
            [(c[0], c[1]) for c in cells], [("3", "indicator"), ("5", "value")]
        )
        for _row, _column, message in cells:
            self.assertRegex(message, CHINESE)
            self.assertNotRegex(message, r"Traceback|Error")
        # The status line is empty again on the page that answers.
        expect(page.get_by_role("status")).to_have_text("")
        self.assertEqual(Observation.objects.count(), 0)
        self.assertFalse(
            AuditLog.objects.filter(action=AuditLog.Action.IMPORT).exists()
        )
        self.assertEqual(serious(self.axe.run(page, context=CONTENT)), [])

    def test_keyboard_only_dry_run(self):
        """From the page's first Tab: past the menu, the file chooser, 只校验, 导入 —
        no mouse."""
        page = self.page
        # File choosers intercepted from the start: expect_file_chooser() turns
        # interception on without waiting for it, and a chooser opened before that
        # is the browser's own, never reported (the likely cause of a 30 s timeout
        # once seen here on a loaded machine).
        page.on("filechooser", lambda chooser: None)
        page.goto(f"{self.live_server_url}/admin/quality/observation/bulk-import/")
        self.assertEqual(serious(self.axe.run(page, context=CONTENT)), [])
        focused = "() => document.activeElement && document.activeElement.id"
        # The admin's first Tab stop: 跳到主要内容, past the header and the menu.
        page.keyboard.press("Tab")
        expect(page.locator(".skip-to-content-link")).to_be_focused()
        page.keyboard.press("Enter")
        for _ in range(15):
            page.keyboard.press("Tab")
            if page.evaluate(focused) == "id_file":
                break
        else:
            self.fail("Tab never reached the file field")
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")
        chooser.value.set_files(upload("obs.csv", csv_bytes(ROWS).getvalue()))
        page.keyboard.press("Tab")
        self.assertEqual(page.evaluate(focused), "id_dry_run")
        page.keyboard.press("Space")
        expect(page.locator("#id_dry_run")).to_be_checked()
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="导入")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator(".bulk-import-dry-run")).to_have_text(
            "校验通过：读取 5 行，可新增 5 条观测值、更新 0 条，未变 0 条，"
            "新建统计期间 2 个。未写入（只校验）。"
        )
        self.assertEqual(Observation.objects.count(), 0)

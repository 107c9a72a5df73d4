"""生成报告 in a real browser: a 数据编辑 user previews the 2020 report, generates it
from the admin, and downloads the PDF and the Word file from the public page."""

import shutil
import subprocess
import tempfile
from io import StringIO
from pathlib import Path

import docx
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

from quality.models import ReportVersion
from tests.browser.live import ChromiumTestCase
from tests.factories import UserFactory

MEDIA = tempfile.mkdtemp(prefix="report-browser-")


@override_settings(MEDIA_ROOT=MEDIA)
class ReportAdminBrowserTests(ChromiumTestCase):
    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(MEDIA, ignore_errors=True)
        super().tearDownClass()

    def setUp(self):
        call_command("load_demo", stdout=StringIO())
        # The live-server tests flush the database, groups made by migrations too:
        # the 数据编辑 group's report permissions as migration 0007 grants them.
        group, _ = Group.objects.get_or_create(name="数据编辑")
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="quality",
                codename__in=["generate_report", "view_report", "view_reportversion"],
            )
        )
        self.user = UserFactory(username="shuju", is_staff=True)
        self.user.groups.add(group)

    def test_data_editor_generates_and_downloads_both_files(self):
        context = self.browser.new_context(locale="zh-CN", accept_downloads=True)
        self.addCleanup(context.close)
        page = context.new_page()
        self.log_in(page, "shuju")

        page.goto(f"{self.live_server_url}/admin/quality/report/")
        page.get_by_role("link", name="预览").click()
        expect(page.locator("#pending-title")).to_have_text("待核实（0）")
        expect(page.locator(".report-body h2").first).to_have_text("标准化")
        page.get_by_role("button", name="生成报告").click()
        expect(page.locator(".messagelist .success")).to_contain_text("第1版")
        version = ReportVersion.objects.get()
        self.assertEqual(version.generated_by, self.user)

        page.goto(f"{self.live_server_url}/quality/reports/2020/")
        expect(page.locator("h1")).to_have_text("2020年烟台市质量发展状况报告")
        with page.expect_download() as pdf_download:
            page.get_by_role("link", name="下载 PDF").click()
        pdf_path = Path(MEDIA) / "downloaded.pdf"
        pdf_download.value.save_as(pdf_path)
        text = subprocess.run(
            ["pdftotext", str(pdf_path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        self.assertIn("97%以上", text)
        with page.expect_download() as docx_download:
            page.get_by_role("link", name="下载 Word").click()
        docx_path = Path(MEDIA) / "downloaded.docx"
        docx_download.value.save_as(docx_path)
        headings = [
            p.text
            for p in docx.Document(str(docx_path)).paragraphs
            if p.style.name == "Heading 1"
        ]
        self.assertEqual(headings[0], "标准化")

"""The annual report prints only what the public pages may show."""

import tempfile

from django.test import TestCase, override_settings
from django.urls import reverse

from quality.models import Indicator, ReportItem
from quality.reports import report_body_html, report_content, report_generate

from .test_reports import DemoReportMixin

MEDIA = tempfile.mkdtemp(prefix="report-rules-")


@override_settings(MEDIA_ROOT=MEDIA)
class NonPublicIndicatorTests(DemoReportMixin, TestCase):
    def test_non_public_indicator_is_not_printed(self):
        """An indicator withdrawn from the public pages is not printed in the
        report either: it is listed as 待核实 with the reason."""
        item = ReportItem.objects.select_related("indicator").get(
            indicator__code="standards_national"
        )
        Indicator.objects.filter(pk=item.indicator_id).update(is_public=False)
        content = report_content(self.report)
        printed = [b.indicator.code for c in content.chapters for b in c.blocks]
        self.assertNotIn("standards_national", printed)
        self.assertIn(
            (item.indicator.name, "指标未公开"),
            [(p.indicator, p.reason) for p in content.pending],
        )
        body = report_body_html(content)
        self.assertNotIn("604项", body)
        version = report_generate(report=self.report, formats=("html",))
        page = self.client.get(reverse("quality:report-detail", args=[2020]))
        self.assertNotContains(page, "604项")
        self.assertNotIn("604项", version.body_html)

"""The annual report prints only what the public pages may show."""

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.urls import reverse

from quality.models import (
    Indicator,
    Report,
    ReportChapter,
    ReportItem,
    ReportVersion,
)
from quality.reports import (
    ReportError,
    report_body_html,
    report_content,
    report_generate,
)
from tests.factories import UserFactory

from .factories import (
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
)
from .test_reports import DemoReportMixin

MEDIA = tempfile.mkdtemp(prefix="report-rules-")
CUT_OFF = "数据截至日期不能晚于报告年度次年的12月31日：年报在次年编制，更晚的数字属于以后的年度。"


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


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="report-cut-off-"))
class CutOffTests(TestCase):
    """数据截至 lets a report compiled early the next year take its sources'
    "截至目前" figures (a 时点 after the year's end); it never makes a later
    year's figures the year's own."""

    @classmethod
    def setUpTestData(cls):
        cls.region = RegionFactory()
        cls.report = Report.objects.create(
            year=2020, title="2020年烟台市质量发展报告", region=cls.region
        )
        chapter = ReportChapter.objects.create(report=cls.report, title="质量监管")
        cls.flow = IndicatorFactory(name="食品抽检批次")
        cls.stock = IndicatorFactory(name="参与制修订国家标准")
        for indicator in (cls.flow, cls.stock):
            ReportItem.objects.create(chapter=chapter, indicator=indicator)
        for indicator, code, kind, start, end, text in (
            (cls.flow, "2020", "year", date(2020, 1, 1), date(2020, 12, 31), "3400"),
            (cls.flow, "2021H1", "half", date(2021, 1, 1), date(2021, 6, 30), "1800"),
            (cls.flow, "2022", "year", date(2022, 1, 1), date(2022, 12, 31), "3900"),
            (cls.stock, "@2020-12-31", "instant", None, date(2020, 12, 31), "600"),
            (cls.stock, "@2021-01-07", "instant", None, date(2021, 1, 7), "604"),
            (cls.stock, "@2023-06-30", "instant", None, date(2023, 6, 30), "700"),
        ):
            period = PeriodFactory(kind=kind, start_on=start, end_on=end)
            assert period.code == code
            ObservationFactory(
                indicator=indicator,
                region=cls.region,
                period=period,
                value=Decimal(text),
                raw_text=text,
                source_on=end,
                source_url="https://www.yantai.gov.cn/report",
            )

    def headlines(self, report) -> dict[str, str]:
        content = report_content(report)
        return {
            block.title: block.figures[0].text
            for chapter in content.chapters
            for block in chapter.blocks
        }

    def test_without_a_cut_off_the_year_end(self):
        self.assertEqual(
            self.headlines(self.report),
            {"食品抽检批次": "3400项", "参与制修订国家标准": "600项"},
        )

    def test_early_next_year_takes_a_point_figure_never_a_later_period(self):
        """Cut-off 2021-06-30: the stock 截至2021年1月7日 is the latest; the first
        half of 2021 is not 2020's figure."""
        self.report.data_until = date(2021, 6, 30)
        self.report.full_clean()
        self.assertEqual(
            self.headlines(self.report),
            {"食品抽检批次": "3400项", "参与制修订国家标准": "604项"},
        )

    def test_a_cut_off_years_later_is_refused(self):
        """A 2020 report cut off in mid-2023 would print 2023's figure as 2020's:
        refused beside the field, and a definition saved so is not generated."""
        self.report.data_until = date(2023, 6, 30)
        with self.assertRaises(ValidationError) as caught:
            self.report.full_clean()
        self.assertEqual(caught.exception.message_dict["data_until"], [CUT_OFF])
        Report.objects.filter(pk=self.report.pk).update(data_until=date(2023, 6, 30))
        self.report.refresh_from_db()
        with self.assertRaises(ReportError) as caught:
            report_generate(report=self.report, formats=("html",))
        self.assertEqual(caught.exception.messages, [CUT_OFF])
        self.assertFalse(ReportVersion.objects.exists())
        from django.conf import settings

        self.assertEqual(list(Path(settings.MEDIA_ROOT).rglob("*")), [])

    def test_the_admin_refuses_a_cut_off_years_later_beside_the_field(self):
        self.client.force_login(UserFactory(is_staff=True, is_superuser=True))
        url = reverse("admin:quality_report_change", args=[self.report.pk])
        form = self.client.get(url).context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None}
        data.update(data_until="2023-06-30")
        for prefix in ("chapters",):
            data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["adminform"].form.errors["data_until"], [CUT_OFF]
        )
        self.report.refresh_from_db()
        self.assertIsNone(self.report.data_until)

"""Generate the annual quality report of a year and store it as a new version.

``./run manage build_report --year 2020 --format pdf`` (``--format`` may be given
several times; default all of html, pdf and docx). The files are stored under
MEDIA_ROOT/reports/<year>/ and linked from /quality/reports/<year>/.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from quality.reports import FORMATS, ReportError, report_for_year, report_generate
from yantai.text import join_sentences


class Command(BaseCommand):
    help = "按后台的报告定义，用当前数据生成年度质量发展报告（HTML、PDF、Word），存为新版本。"

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="报告年度，例如 2020。")
        parser.add_argument(
            "--format",
            action="append",
            dest="formats",
            help="html、pdf 或 docx；可重复；默认三种都生成。",
        )

    def handle(self, *args, year: str, formats: list[str] | None, **options):
        try:
            report = report_for_year(year)
            version = report_generate(report=report, formats=tuple(formats or FORMATS))
        except ReportError as error:
            raise CommandError(join_sentences(error.messages)) from None
        for field in ("html_file", "pdf_file", "docx_file"):
            stored = getattr(version, field)
            if stored:
                # The file on this host, or its URL in object storage (MEDIA_STORAGE=s3).
                try:
                    self.stdout.write(stored.path)
                except NotImplementedError:
                    self.stdout.write(stored.url)
        if version.pending:
            self.stderr.write(
                _("%(count)d 个数字待核实，未印入报告（见后台预览）。")
                % {"count": len(version.pending)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("已生成《%(title)s》第%(number)d版（数据版本 %(stamp)s）。")
                % {
                    "title": report.title,
                    "number": version.number,
                    "stamp": version.data_stamp,
                }
            )
        )

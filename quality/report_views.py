"""Public pages of the annual quality report: the list and one year's report.

The page prints the stored body of the latest generated version (a published
document: a correction of the data shows only after a regeneration) and links
that version's PDF and Word files.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from .models import Report, ReportVersion
from .views import QualityMixin


class ReportListView(QualityMixin, TemplateView):
    template_name = "quality/report_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reports"] = list(Report.objects.with_versions())
        return context


class ReportDetailView(QualityMixin, TemplateView):
    template_name = "quality/report_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = (
            ReportVersion.objects.select_related("report")
            .filter(report__year=self.kwargs["year"])
            .order_by("-number")
            .first()
        )
        if version is None:
            raise Http404(_("该年度的报告尚未发布。"))
        context.update(version=version, report=version.report)
        return context

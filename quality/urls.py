from django.urls import path

from . import report_views, views
from .models import Scheme

app_name = "quality"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("data.csv", views.dataset_csv, name="dataset-csv"),
    path("data.xlsx", views.dataset_xlsx, name="dataset-xlsx"),
    path(
        "indicators/<slug:code>/",
        views.IndicatorDetailView.as_view(),
        name="indicator-detail",
    ),
    path("indicators/<slug:code>.csv", views.indicator_csv, name="indicator-csv"),
    path("indicators/<slug:code>.json", views.indicator_json, name="indicator-json"),
    path("indicators/<slug:code>.xlsx", views.indicator_xlsx, name="indicator-xlsx"),
    path("indicators/<slug:code>.svg", views.indicator_svg, name="indicator-svg"),
    path(
        "honours/",
        views.AwardListView.as_view(kind=Scheme.Kind.HONOUR),
        name="honour-list",
    ),
    path(
        "certifications/",
        views.AwardListView.as_view(kind=Scheme.Kind.CERTIFICATION),
        name="certification-list",
    ),
    path("standards/", views.StandardListView.as_view(), name="standard-list"),
    path(
        "inspection-centres/",
        views.InspectionCentreListView.as_view(),
        name="inspection-centre-list",
    ),
    path(
        "measurement-standards/",
        views.MeasurementStandardListView.as_view(),
        name="measurement-standard-list",
    ),
    path("sampling/", views.SamplingCampaignListView.as_view(), name="sampling-list"),
    path("reports/", report_views.ReportListView.as_view(), name="report-list"),
    path(
        "reports/<int:year>/",
        report_views.ReportDetailView.as_view(),
        name="report-detail",
    ),
]

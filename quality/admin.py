"""Admin for quality data: every model editable, with CSV/XLSX import and export."""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from . import resources
from .models import (
    Award,
    Indicator,
    InspectionCentre,
    MeasurementStandard,
    Observation,
    Organisation,
    Period,
    Region,
    SamplingCampaign,
    Scheme,
    Standard,
    StandardParticipation,
    Topic,
    Unit,
)
from .services import observation_set_preferred

FORMATS = [CSV, XLSX]


class ImportExportAdmin(ImportExportModelAdmin):
    """Import always previews first (a dry run) and imports nothing if a row fails."""

    formats = FORMATS


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("symbol", "name")
    search_fields = ("symbol", "name")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "kind", "start_on", "end_on")
    list_filter = ("kind",)
    search_fields = ("code",)
    date_hierarchy = "end_on"

    @admin.display(description=_("名称"))
    def label(self, obj):
        return obj.label


class ObservationInline(admin.TabularInline):
    model = Observation
    extra = 0
    fields = (
        "region",
        "period",
        "value",
        "comparator",
        "lower",
        "upper",
        "raw_text",
        "status",
        "article",
        "source_publisher",
        "source_title",
        "is_preferred",
    )
    autocomplete_fields = ("region", "period", "article")
    show_change_link = True


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "topic", "unit", "nature", "is_headline")
    list_filter = ("topic", "nature", "is_headline", "is_public")
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ("topic", "unit")
    inlines = (ObservationInline,)


@admin.register(Observation)
class ObservationAdmin(ImportExportAdmin):
    resource_classes = (resources.ObservationResource,)
    list_display = (
        "indicator",
        "region",
        "period",
        "display",
        "raw_text",
        "status",
        "is_preferred",
        "source",
    )
    list_filter = ("status", "is_preferred", "comparator", "indicator__topic")
    search_fields = ("indicator__name", "indicator__code", "raw_text", "quote")
    autocomplete_fields = ("indicator", "region", "period", "article")
    list_select_related = ("indicator__unit", "region", "period", "article")
    readonly_fields = ("created_at",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ("make_preferred",)

    @admin.action(description=_("设为首选值（同一单元格的其他值取消首选）"))
    def make_preferred(self, request, queryset):
        chosen = {}
        for observation in queryset.order_by("id"):
            chosen[
                (observation.indicator_id, observation.region_id, observation.period_id)
            ] = observation
        if len(chosen) < queryset.count():
            self.message_user(
                request,
                _("同一指标、地区和期间只能选一个值设为首选，请只勾选一个。"),
                messages.ERROR,
            )
            return
        for observation in chosen.values():
            observation_set_preferred(observation=observation)
        self.message_user(
            request,
            ngettext("已设置 %d 个首选值。", "已设置 %d 个首选值。", len(chosen))
            % len(chosen),
            messages.SUCCESS,
        )

    @admin.display(description=_("中文写法"))
    def display(self, obj):
        return obj.display

    @admin.display(description=_("来源"))
    def source(self, obj):
        return obj.source_label


@admin.register(Organisation)
class OrganisationAdmin(ImportExportAdmin):
    resource_classes = (resources.OrganisationResource,)
    list_display = ("name", "aliases", "credit_code", "kind", "region")
    list_filter = ("kind", "region")
    search_fields = ("name", "aliases", "credit_code")
    autocomplete_fields = ("region",)


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "level", "issuer", "approval_number")
    list_filter = ("kind", "level")
    search_fields = ("name", "issuer", "approval_number")
    autocomplete_fields = ("indicator",)


@admin.register(Award)
class AwardAdmin(ImportExportAdmin):
    resource_classes = (resources.AwardResource,)
    list_display = (
        "organisation",
        "scheme",
        "subject",
        "number",
        "year",
        "valid_to",
        "status",
    )
    list_filter = ("scheme__kind", "scheme", "status", "year")
    search_fields = ("organisation__name", "subject", "number")
    autocomplete_fields = ("scheme", "organisation", "renews")
    list_select_related = ("scheme", "organisation")


class StandardParticipationInline(admin.TabularInline):
    model = StandardParticipation
    extra = 0
    autocomplete_fields = ("organisation",)


@admin.register(Standard)
class StandardAdmin(ImportExportAdmin):
    resource_classes = (resources.StandardResource,)
    list_display = ("code", "title", "kind", "status", "issued_on", "effective_on")
    list_filter = ("kind", "status")
    search_fields = ("code", "title")
    autocomplete_fields = ("replaced_by",)
    inlines = (StandardParticipationInline,)


@admin.register(StandardParticipation)
class StandardParticipationAdmin(admin.ModelAdmin):
    list_display = ("standard", "organisation", "role", "action")
    list_filter = ("role", "action")
    search_fields = ("standard__code", "standard__title", "organisation__name")
    autocomplete_fields = ("standard", "organisation")


@admin.register(InspectionCentre)
class InspectionCentreAdmin(ImportExportAdmin):
    resource_classes = (resources.InspectionCentreResource,)
    list_display = ("name", "level", "domain", "cma_number", "cnas_number", "region")
    list_filter = ("level", "region")
    search_fields = ("name", "domain", "cma_number", "cnas_number")
    autocomplete_fields = ("region", "organisation")


@admin.register(MeasurementStandard)
class MeasurementStandardAdmin(admin.ModelAdmin):
    list_display = ("name", "certificate_number", "level", "organisation", "valid_to")
    list_filter = ("level",)
    search_fields = ("name", "certificate_number", "organisation__name")
    autocomplete_fields = ("organisation", "region")


@admin.register(SamplingCampaign)
class SamplingCampaignAdmin(ImportExportAdmin):
    resource_classes = (resources.SamplingCampaignResource,)
    list_display = (
        "name",
        "category",
        "period",
        "region",
        "batches_sampled",
        "batches_failed",
        "pass_rate_display",
    )
    list_filter = ("category", "level")
    search_fields = ("name", "quote")
    autocomplete_fields = ("period", "region", "article")
    list_select_related = ("period", "region")

    @admin.display(description=_("合格率"))
    def pass_rate_display(self, obj):
        rate = obj.pass_rate
        return "—" if rate is None else f"{rate}%"


# The 提取数据 review of article figures registers FigureProposal.
from . import admin_figures  # noqa: E402, F401

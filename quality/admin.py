"""Admin for quality data: every model editable, with CSV/XLSX import and export."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

from news.admin_dates import BoundedDateHierarchyMixin
from news.models import AuditLog
from news.services import audit_record
from yantai.csvsafe import safe_dataset
from yantai.text import decode_text, join_sentences, stored_language

from . import resources
from .admin_import import check_upload_size, observation_bulk_import_view
from .cells import read_number
from .figure_links import figure_marks_batch
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
from .models.registries import (
    AwardQuerySet,
    InspectionCentreQuerySet,
    MeasurementStandardQuerySet,
    SamplingCampaignQuerySet,
)
from .models.sources import Sourced
from .services import observation_correct, observation_set_preferred
from .validators import normalise_standard_code


class SafeExportMixin:
    """Exports go through the site's one spreadsheet guard (``yantai.csvsafe``): a
    title or note such as ``=HYPERLINK(…)`` is written as text, not as a formula
    (CSV injection; openpyxl would store it in the XLSX as a live formula)."""

    def export_data(self, dataset, **kwargs):
        return super().export_data(safe_dataset(dataset), **kwargs)


class SafeCSV(SafeExportMixin, CSV):
    pass


class SafeXLSX(SafeExportMixin, XLSX):
    pass


FORMATS = [SafeCSV, SafeXLSX]


class LimitedImportForm(ImportForm):
    """import-export's upload form, with the bulk import's size limit."""

    def clean_import_file(self):
        return check_upload_size(self.cleaned_data.get("import_file"))


class ImportExportAdmin(ImportExportModelAdmin):
    """Import always previews first (a dry run) and imports nothing if a row fails."""

    formats = FORMATS
    import_form_class = LimitedImportForm
    # A typed address without a scheme is read as https (the registries' 来源网址).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # django-import-export lets any staff user import and export unless a
    # permission code is configured; here the model's own permissions decide.
    def has_import_permission(self, request):
        """An import adds rows and may update saved ones (by id)."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_or_change_permission(request)

    def write_to_tmp_storage(self, import_file, input_format):
        """A CSV in GBK (Excel's "CSV (逗号分隔)" on a Chinese Windows) kept as UTF-8,
        which the preview and the confirmed import then read (``from_encoding``);
        any other file as it came, for import-export to read or refuse."""
        if not input_format.is_binary():
            try:
                text = decode_text(b"".join(import_file.chunks()))
            except UnicodeDecodeError:
                pass
            else:
                import_file = ContentFile(text.encode(), name=import_file.name)
        return super().write_to_tmp_storage(import_file, input_format)

    def process_result(self, result, request):
        """After the confirmation: if a row failed this time (the file runs again,
        and another editor's change may have made a previewed row invalid), nothing
        was written (``ValidatedResource.import_data``); say which rows and why,
        instead of import-export's count of rows written."""
        failures = import_failures(result)
        if not failures:
            return super().process_result(result, request)
        shown = join_sentences(f.rstrip("。") for f in failures[:5])
        shown += "……" if len(failures) > 5 else ""
        self.message_user(
            request,
            gettext("导入未完成，没有写入任何数据：%(rows)s。请修正后重新导入。")
            % {"rows": shown},
            messages.ERROR,
        )
        return redirect(
            reverse(
                "admin:{}_{}_import".format(*self.get_model_info()),
                current_app=self.admin_site.name,
            )
        )


def with_source_fieldset(model, source_fields=Sourced.SOURCE_FIELDS) -> tuple:
    """The fieldsets of a registry's form: its own fields as declared, then
    来源 (``Sourced``: publisher, title, date, address, quote)."""
    own = [
        field.name
        for field in (*model._meta.fields, *model._meta.many_to_many)
        if field.editable
        and not field.auto_created
        and field.name not in source_fields
        and not (
            field.many_to_many and not field.remote_field.through._meta.auto_created
        )
    ]
    return ((None, {"fields": own}), (_("来源"), {"fields": tuple(source_fields)}))


def import_failures(result) -> list[str]:
    """Each failed row of an import-export ``Result``: "第 N 行：why"."""
    failures = [
        gettext("第 %(row)s 行：%(why)s")
        % {"row": row.number, "why": "，".join(row.error.messages)}
        for row in result.invalid_rows
    ]
    failures += [
        gettext("第 %(row)s 行：%(why)s")
        % {"row": number, "why": "，".join(str(error.error) for error in errors)}
        for number, errors in result.row_errors()
    ]
    if result.base_errors:
        failures += [str(error.error) for error in result.base_errors]
    return failures


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
class PeriodAdmin(BoundedDateHierarchyMixin, admin.ModelAdmin):
    list_display = ("code", "label", "kind", "start_on", "end_on")
    list_filter = ("kind",)
    search_fields = ("code",)
    date_hierarchy = "end_on"

    @admin.display(description=_("名称"))
    def label(self, obj):
        return obj.label


class NumberCellField(forms.DecimalField):
    """A number of an observation (value, lower, upper) typed as a table prints it
    and read as every write path reads it (``quality.cells.read_number``): "1，700",
    "97%" of an indicator in %, "一千七百" …, or a message saying what to write
    instead. A text box: a number box would refuse "1，700" in the browser."""

    widget = forms.TextInput

    def __init__(self, *, unit=None, **kwargs):
        self.unit = unit
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return read_number(value, unit=self.unit, required=self.required)


class ObservationNumbersForm(forms.ModelForm):
    """An observation's number fields read by ``NumberCellField``, with the unit of
    the form's indicator (chosen in the form, or the observation's own)."""

    class Meta:
        field_classes = dict.fromkeys(("value", "lower", "upper"), NumberCellField)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, NumberCellField):
                field.unit = self.indicator_unit

    def indicator_unit(self) -> str | None:
        """Asked while the fields are cleaned (the indicator comes first), and only
        for a text that needs it."""
        indicator = getattr(self, "cleaned_data", {}).get("indicator")
        if indicator is None and self.instance.indicator_id is not None:
            indicator = self.instance.indicator
        return indicator.unit.symbol if indicator is not None else None


class ObservationForm(ObservationNumbersForm):
    """On a saved observation the value and its source are fixed.

    A correction never overwrites: it adds an observation ("更正" on the change page)
    and moves the preferred flag. Disabled fields ignore whatever is posted for them.
    Status, note and the preferred flag stay editable.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            for name in Observation.VALUE_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _(
                        "已保存的观测值不能改写；数值或来源有误请用“更正”新增一条。"
                    )


# What a correction may change; the cell (indicator, region, period) stays.
CORRECTION_FIELDS = tuple(
    name
    for name in Observation.VALUE_FIELDS
    if name not in ("indicator", "region", "period")
)


class CorrectionForm(ObservationNumbersForm):
    note = forms.CharField(
        label=_("更正原因"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("例如“据市市场监管局年报更正”。原观测值保留，标为已修订。"),
    )


class ObservationInline(admin.TabularInline):
    model = Observation
    form = ObservationForm
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

    def save_related(self, request, form, formsets, change):
        # The observations of the inline: each article's figure marks once.
        with figure_marks_batch():
            super().save_related(request, form, formsets, change)


@admin.register(Observation)
class ObservationAdmin(ImportExportAdmin):
    resource_classes = (resources.ObservationResource,)
    # The 批量导入 button (quality.admin_import); import-export extends this template.
    change_list_template = "admin/quality/observation/change_list.html"
    form = ObservationForm
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

    @admin.action(
        description=_("设为首选值（同一单元格的其他值取消首选）"),
        permissions=["change"],
    )
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
        try:
            with figure_marks_batch():  # all of them or, on a refusal, none
                for observation in chosen.values():
                    observation_set_preferred(observation=observation)
        except ValidationError as error:
            self.message_user(
                request,
                gettext("未设置任何首选值。“%(observation)s”：%(why)s")
                % {"observation": observation, "why": join_sentences(error.messages)},
                messages.ERROR,
            )
            return
        self.message_user(
            request,
            ngettext("已设置 %d 个首选值。", "已设置 %d 个首选值。", len(chosen))
            % len(chosen),
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name="quality_observation_correct",
            ),
            path(
                "bulk-import/",
                self.admin_site.admin_view(
                    lambda request: observation_bulk_import_view(self, request)
                ),
                name="quality_observation_bulk_import",
            ),
            *super().get_urls(),
        ]

    def has_correct_permission(self, request, obj=None) -> bool:
        """更正 adds an observation and changes the saved one (已修订, no longer
        preferred): it needs both permissions."""
        return self.has_add_permission(request) and self.has_change_permission(
            request, obj
        )

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["can_correct"] = obj is not None and self.has_correct_permission(
            request, obj
        )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def correct_view(self, request, object_id):
        """更正: a new observation of the same cell, preferred; the old one is kept."""
        if not self.has_correct_permission(request):
            raise PermissionDenied
        observation = self.get_object(request, unquote(object_id))
        if observation is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_correct_permission(request, observation):
            raise PermissionDenied
        form_class = forms.modelform_factory(
            Observation,
            form=CorrectionForm,
            fields=(*CORRECTION_FIELDS, "note"),
            formfield_callback=lambda field, **kwargs: self.formfield_for_dbfield(
                field, request, **kwargs
            ),
        )
        cell = Observation(
            indicator=observation.indicator,
            region=observation.region,
            period=observation.period,
        )
        if request.method == "POST":
            form = form_class(request.POST, instance=cell)
            if form.is_valid():
                changes = {name: form.cleaned_data[name] for name in CORRECTION_FIELDS}
                try:
                    with transaction.atomic():  # the correction and its records
                        corrected = observation_correct(
                            observation=observation,
                            reason=form.cleaned_data["note"],
                            **changes,
                        )
                        self.log_addition(
                            request, corrected, [{"added": {}}]
                        )  # the admin's history
                        with stored_language():  # 操作日志: Chinese
                            summary = gettext(
                                "更正观测值（编号 %(old)s → %(new)s）：%(reason)s"
                            ) % {
                                "old": observation.pk,
                                "new": corrected.pk,
                                "reason": form.cleaned_data["note"],
                            }
                        audit_record(
                            user=request.user,
                            action=AuditLog.Action.EDIT,
                            obj=corrected,
                            summary=summary,
                        )
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    self.message_user(
                        request,
                        gettext("已更正：%(new)s。原观测值保留，标为已修订。")
                        % {"new": corrected.display},
                        messages.SUCCESS,
                    )
                    return redirect(
                        reverse("admin:quality_observation_change", args=[corrected.pk])
                    )
        else:
            initial = model_to_dict(observation, fields=CORRECTION_FIELDS)
            form = form_class(instance=cell, initial=initial)
        admin_form = helpers.AdminForm(
            form, [(None, {"fields": form.base_fields})], {}, model_admin=self
        )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("更正观测值"),
            "opts": self.opts,
            "original": observation,
            "adminform": admin_form,
            "errors": helpers.AdminErrorList(form, []),
            "media": self.media + admin_form.media,
        }
        return TemplateResponse(
            request, "admin/quality/observation/correct.html", context
        )

    @admin.display(description=_("中文写法"))
    def display(self, obj):
        return obj.display

    @admin.display(description=_("来源"))
    def source(self, obj):
        return obj.staff_source_label


@admin.register(Organisation)
class OrganisationAdmin(ImportExportAdmin):
    resource_classes = (resources.OrganisationResource,)
    fieldsets = with_source_fieldset(Organisation)
    list_display = ("name", "aliases", "credit_code", "kind", "region")
    list_filter = ("kind", "region")
    search_fields = ("name", "aliases", "credit_code")
    autocomplete_fields = ("region",)


@admin.register(Scheme)
class SchemeAdmin(ImportExportAdmin):
    resource_classes = (resources.SchemeResource,)
    fieldsets = with_source_fieldset(Scheme)
    list_display = ("name", "kind", "level", "issuer", "approval_number")
    list_filter = ("kind", "level")
    search_fields = ("name", "issuer", "approval_number")
    autocomplete_fields = ("indicator",)


@admin.register(Award)
class AwardAdmin(ImportExportAdmin):
    resource_classes = (resources.AwardResource,)
    fieldsets = with_source_fieldset(Award)
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
    ordering = AwardQuerySet.REGISTRY_ORDER  # and so the export
    list_select_related = ("scheme", "organisation")


class StandardParticipationInline(admin.TabularInline):
    model = StandardParticipation
    extra = 0
    autocomplete_fields = ("organisation",)


@admin.register(Standard)
class StandardAdmin(ImportExportAdmin):
    resource_classes = (resources.StandardResource,)
    fieldsets = with_source_fieldset(Standard)
    list_display = ("code", "title", "kind", "status", "issued_on", "effective_on")
    list_filter = ("kind", "status")
    search_fields = ("code", "title")
    autocomplete_fields = ("replaced_by",)
    inlines = (StandardParticipationInline,)

    def get_search_results(self, request, queryset, search_term):
        """Also the codes as saved: 19001—2016 finds GB/T 19001-2016 (here and in
        the 被替代为 autocomplete, which searches through this)."""
        found, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        code = normalise_standard_code(search_term.strip())
        if code and code != search_term.strip():
            found |= queryset.filter(code__icontains=code)
        return found, may_have_duplicates


@admin.register(StandardParticipation)
class StandardParticipationAdmin(admin.ModelAdmin):
    list_display = ("standard", "organisation", "role", "action")
    list_filter = ("role", "action")
    search_fields = ("standard__code", "standard__title", "organisation__name")
    autocomplete_fields = ("standard", "organisation")


@admin.register(InspectionCentre)
class InspectionCentreAdmin(ImportExportAdmin):
    resource_classes = (resources.InspectionCentreResource,)
    fieldsets = with_source_fieldset(InspectionCentre)
    list_display = ("name", "level", "domain", "cma_number", "cnas_number", "region")
    list_filter = ("level", "region")
    search_fields = ("name", "domain", "cma_number", "cnas_number")
    autocomplete_fields = ("region", "organisation")
    ordering = InspectionCentreQuerySet.REGISTRY_ORDER  # and so the export


@admin.register(MeasurementStandard)
class MeasurementStandardAdmin(ImportExportAdmin):
    resource_classes = (resources.MeasurementStandardResource,)
    fieldsets = with_source_fieldset(MeasurementStandard)
    list_display = ("name", "certificate_number", "level", "organisation", "valid_to")
    list_filter = ("level",)
    search_fields = ("name", "certificate_number", "organisation__name")
    autocomplete_fields = ("organisation", "region")
    ordering = MeasurementStandardQuerySet.REGISTRY_ORDER  # and so the export


@admin.register(SamplingCampaign)
class SamplingCampaignAdmin(ImportExportAdmin):
    resource_classes = (resources.SamplingCampaignResource,)
    # 来源: the source article or an outside source, and the quote of either.
    fieldsets = with_source_fieldset(
        SamplingCampaign, ("article", *Sourced.SOURCE_FIELDS)
    )
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
    search_fields = ("name", "quote", "source_title")
    autocomplete_fields = ("period", "region", "article")
    list_select_related = ("period", "region")
    ordering = SamplingCampaignQuerySet.REGISTRY_ORDER  # and so the export

    @admin.display(description=_("合格率"))
    def pass_rate_display(self, obj):
        rate = obj.pass_rate
        return "—" if rate is None else f"{rate}%"


# The 提取数据 review of article figures registers FigureProposal; admin_reports the
# 年度质量报告 (definitions, preview, 生成报告).
from . import admin_figures, admin_reports  # noqa: E402, F401

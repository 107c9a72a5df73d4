"""CSV/XLSX import and export of observations and registries (django-import-export).

Every resource validates each row with the model's ``full_clean()`` (so the database
constraints' Chinese messages show per row) and the admin rolls the whole file back
when any row is invalid: a file with a bad row imports nothing.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from yantai.csvsafe import safe_dataset, unguard_cell
from yantai.text import join_list, join_sentences

from . import columns
from .cells import read_number
from .figure_links import figure_marks_batch
from .models import (
    Award,
    Indicator,
    InspectionCentre,
    MeasurementStandard,
    Observation,
    Organisation,
    Region,
    SamplingCampaign,
    Scheme,
    Standard,
)
from .models.sources import Sourced
from .services import period_from_code

#: A registry row's source, the last columns of its file (``Sourced``).
SOURCE_COLUMNS = Sourced.SOURCE_FIELDS


class PeriodWidget(widgets.Widget):
    """A period as its compact code: ``@2020-12-31``, ``2020H1`` …"""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        return period_from_code(str(value))

    def render(self, value, obj=None, **kwargs):
        return value.code if value is not None else ""


class NumberCellWidget(widgets.DecimalWidget):
    """A number cell read as the bulk import reads it (``quality.cells``): "1，700",
    "97%" of an indicator in %, "一千七百" …, or a Chinese message saying what to
    write instead. The unit of the row's indicator is looked up only when the text
    needs it (a percent, 万 or 亿)."""

    def __init__(self, *, required: bool):
        super().__init__()
        self.required = required

    def clean(self, value, row=None, **kwargs):
        def unit():
            code = (row or {}).get("indicator")
            if code in (None, ""):
                return None
            return Indicator.objects.unit_symbol(str(code).strip())

        try:
            return read_number(value, unit=unit, required=self.required)
        except ValidationError as error:
            raise ValueError(join_sentences(error.messages)) from None


def number_cell(name: str, *, required: bool = False) -> fields.Field:
    return fields.Field(name, name, NumberCellWidget(required=required))


class CodeForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by a natural code, with a Chinese message when it is unknown."""

    def __init__(self, model, field, label):
        super().__init__(model, field)
        self.label = label

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            return super().clean(str(value).strip(), row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(f"没有{self.label}“{value}”。") from None


class ValidatedResource(resources.ModelResource):
    def import_data(self, dataset, *args, **kwargs):
        """All or nothing on every path (the admin's preview and its confirmation,
        ``manage.py import``, scripts): one transaction, rolled back if any row
        fails, validation errors included. The confirmation runs the file again,
        and a row valid in the preview may fail by then (another editor's change):
        it must not leave the rows before it, nor a Period they named, behind."""
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, *args, **kwargs)

    def export(self, *args, **kwargs):
        """Every cell guarded against spreadsheet formulas (``yantai.csvsafe``), on
        every path — ``manage.py export CSV …`` too, not only the admin's formats
        (which guard again: a guarded cell stays as it is)."""
        return safe_dataset(super().export(*args, **kwargs))

    def before_import_row(self, row, **kwargs):
        """Empty spreadsheet cells arrive as None; text columns store "" instead.
        A cell our export guarded against formulas (``'=…``) imports as it was."""
        for key, value in row.items():
            row[key] = unguard_cell(value)
        for field in self._meta.model._meta.concrete_fields:
            is_text = isinstance(field, models.CharField | models.TextField)
            if is_text and not field.null and row.get(field.name, "") is None:
                row[field.name] = ""

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class ObservationResource(ValidatedResource):
    indicator = fields.Field(
        "indicator",
        "indicator",
        CodeForeignKeyWidget(Indicator, "code", "指标代码"),
    )
    region = fields.Field(
        "region", "region", CodeForeignKeyWidget(Region, "code", "行政区划代码")
    )
    period = fields.Field("period", "period", PeriodWidget())
    value = number_cell("value", required=True)
    lower = number_cell("lower")
    upper = number_cell("upper")

    class Meta(ValidatedResource.Meta):
        model = Observation
        fields = columns.EXCHANGE_FIELDS
        export_order = fields

    def import_data(self, dataset, *args, **kwargs):
        """Import ``dataset`` in one transaction (a Period row a code names is made
        in it too) that rewrites each affected article's figure marks once, at its
        end: an import of N observations does not rewrite them N times."""
        with figure_marks_batch():
            return super().import_data(dataset, *args, **kwargs)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except ValidationError as error:
            # Report the period code error on its column, like any field error.
            raise ValueError(join_sentences(error.messages)) from None

    def import_instance(self, instance, row, **kwargs):
        """A row with the id of a saved observation may change its status, note or
        preferred flag, never its value or source: a correction adds a new row."""
        if instance._state.adding:
            return super().import_instance(instance, row, **kwargs)
        before = {name: _stored(instance, name) for name in Observation.VALUE_FIELDS}
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        changed = [
            str(Observation._meta.get_field(name).verbose_name)
            for name in Observation.VALUE_FIELDS
            if name not in errors and _stored(instance, name) != before[name]
        ]
        if changed:
            message = ValidationError(
                _(
                    "已有观测值（编号 %(id)s）不能改写%(fields)s，请在后台用“更正”"
                    "新增一条。"
                ),
                params={
                    "id": instance.pk,
                    "fields": _("（%(fields)s）") % {"fields": join_list(changed)},
                },
                code="observation_rewrite",
            )
            errors.setdefault(NON_FIELD_ERRORS, []).append(message)
        if errors:
            raise ValidationError(errors)


def _stored(instance, name):
    """The value as stored: the key for a foreign key, so that no row is fetched."""
    return getattr(instance, instance._meta.get_field(name).attname)


class OrganisationResource(ValidatedResource):
    region = fields.Field(
        "region", "region", CodeForeignKeyWidget(Region, "code", "行政区划代码")
    )

    class Meta(ValidatedResource.Meta):
        model = Organisation
        import_id_fields = ("name",)
        fields = ("name", "aliases", "credit_code", "kind", "region", *SOURCE_COLUMNS)
        export_order = fields


class StandardCodeWidget(CodeForeignKeyWidget):
    """A standard by its code as a person writes it (``Standard.objects.with_code``:
    GB/T 19001—2016 is the registered GB/T 19001-2016)."""

    def __init__(self):
        super().__init__(Standard, "code", "标准")

    def get_queryset(self, value, row, *args, **kwargs):
        return Standard.objects.with_code(value)

    def get_lookup_kwargs(self, value, row, **kwargs):
        return {}


class StandardResource(ValidatedResource):
    replaced_by = fields.Field("replaced_by", "replaced_by", StandardCodeWidget())

    class Meta(ValidatedResource.Meta):
        model = Standard
        import_id_fields = ("code",)
        fields = (
            "code",
            "title",
            "kind",
            "status",
            "issued_on",
            "effective_on",
            "replaced_by",
            *SOURCE_COLUMNS,
        )
        export_order = fields

    def get_instance(self, instance_loader, row):
        """The registered standard of the row's code, found as saving writes the
        code: a row with GB/T 19001—2016 updates GB/T 19001-2016 (not refused as a
        second one)."""
        code = row.get("code")
        if code in (None, ""):
            return None
        return Standard.objects.with_code(str(code).strip()).first()


class SchemeResource(ValidatedResource):
    indicator = fields.Field(
        "indicator",
        "indicator",
        CodeForeignKeyWidget(Indicator, "code", "指标代码"),
    )

    class Meta(ValidatedResource.Meta):
        model = Scheme
        import_id_fields = ("name",)
        fields = (
            "name",
            "kind",
            "level",
            "issuer",
            "approval_number",
            "description",
            "indicator",
            *SOURCE_COLUMNS,
        )
        export_order = fields


class AwardResource(ValidatedResource):
    scheme = fields.Field(
        "scheme", "scheme", CodeForeignKeyWidget(Scheme, "name", "项目")
    )
    organisation = fields.Field(
        "organisation",
        "organisation",
        CodeForeignKeyWidget(Organisation, "name", "单位"),
    )

    class Meta(ValidatedResource.Meta):
        model = Award
        fields = (
            "id",
            "scheme",
            "organisation",
            "subject",
            "number",
            "year",
            "issued_on",
            "valid_from",
            "valid_to",
            "status",
            "renews",
            *SOURCE_COLUMNS,
        )
        export_order = fields

    def get_queryset(self):
        """``manage.py export`` in the registry's order, as the page and the API."""
        return Award.objects.in_registry_order()


class InspectionCentreResource(ValidatedResource):
    region = fields.Field(
        "region", "region", CodeForeignKeyWidget(Region, "code", "行政区划代码")
    )

    class Meta(ValidatedResource.Meta):
        model = InspectionCentre
        import_id_fields = ("name",)
        fields = (
            "name",
            "level",
            "domain",
            "cma_number",
            "cnas_number",
            "region",
            *SOURCE_COLUMNS,
        )
        export_order = fields

    def get_queryset(self):
        """``manage.py export`` in the registry's order, as the page and the API."""
        return InspectionCentre.objects.in_registry_order()


class MeasurementStandardResource(ValidatedResource):
    organisation = fields.Field(
        "organisation",
        "organisation",
        CodeForeignKeyWidget(Organisation, "name", "单位"),
    )
    region = fields.Field(
        "region", "region", CodeForeignKeyWidget(Region, "code", "行政区划代码")
    )

    class Meta(ValidatedResource.Meta):
        model = MeasurementStandard
        fields = (
            "id",
            "name",
            "certificate_number",
            "level",
            "organisation",
            "region",
            "measuring_range",
            "approved_on",
            "valid_to",
            *SOURCE_COLUMNS,
        )
        export_order = fields

    def get_queryset(self):
        """``manage.py export`` in the registry's order, as the page and the API."""
        return MeasurementStandard.objects.in_registry_order()


class SamplingCampaignResource(ValidatedResource):
    region = fields.Field(
        "region", "region", CodeForeignKeyWidget(Region, "code", "行政区划代码")
    )
    period = fields.Field("period", "period", PeriodWidget())

    class Meta(ValidatedResource.Meta):
        model = SamplingCampaign
        fields = (
            "id",
            "name",
            "category",
            "level",
            "period",
            "region",
            "programme_count",
            "batches_sampled",
            "batches_failed",
            "note",
            *SOURCE_COLUMNS,
        )
        export_order = fields

    def get_queryset(self):
        """``manage.py export`` in the registry's order, as the page and the API."""
        return SamplingCampaign.objects.in_registry_order()

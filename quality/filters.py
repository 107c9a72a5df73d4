"""FilterSets of the quality app: the public registry pages and the API.

The page filtersets (``AwardFilter`` … used by ``quality.views``) are forgiving form
filters; the ``*ApiFilter``/API filtersets are strict and documented (``api.filters``).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.filters import BooleanFilter, IdListFilter, SafeDateFilter

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
from .models.registries import Level
from .series import in_english
from .validators import normalise_standard_code

MAX_TEXT = 100


class ChineseOptionsSelect(forms.Select):
    """A select of Chinese data (the schemes): on an English page each option is
    marked lang="zh-Hans"; the empty label (All schemes) stays in English."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value and in_english():
            option["attrs"]["lang"] = "zh-Hans"
        return option


def text(label, help_text, **kwargs):
    return django_filters.CharFilter(
        label=label, help_text=help_text, max_length=MAX_TEXT, **kwargs
    )


def choice(label, help_text, choices, **kwargs):
    return django_filters.ChoiceFilter(
        label=label, help_text=help_text, choices=choices, **kwargs
    )


def level_filter(field_name="level"):
    return choice(
        _("级别"),
        _("级别：national（国家级）、provincial（省级）、municipal（市级）。"),
        Level.choices,
        field_name=field_name,
    )


def region_filter(field_name="region__code"):
    return text(
        _("地区"), _("地区的 6 位区划代码，例如 370600。"), field_name=field_name
    )


class IndicatorFilter(django_filters.FilterSet):
    code = text(_("指标代码"), _("指标代码，例如 standards_national。"))
    topic = text(_("主题"), _("主题网址名。"), field_name="topic__slug")
    is_headline = BooleanFilter(
        label=_("首页展示"), help_text=_("true：只要首页展示的主要指标。")
    )

    class Meta:
        model = Indicator
        fields: list[str] = []


class ObservationFilter(django_filters.FilterSet):
    indicator = text(_("指标"), _("指标代码。"), field_name="indicator__code")
    region = region_filter()
    period_from = SafeDateFilter(
        field_name="period_end_on",
        lookup_expr="gte",
        label=_("期间止日不早于"),
        help_text=_("统计期间的截止日期不早于此日（YYYY-MM-DD）。"),
    )
    period_to = SafeDateFilter(
        field_name="period_end_on",
        lookup_expr="lte",
        label=_("期间止日不晚于"),
        help_text=_("统计期间的截止日期不晚于此日（YYYY-MM-DD）。"),
    )
    article = django_filters.NumberFilter(
        field_name="article_id",
        label=_("来源文章"),
        help_text=_("来源文章的编号。"),
        min_value=1,
        max_value=2**63 - 1,
    )
    comparator = choice(
        _("比较关系"),
        _("比较关系：= ~ > >= < <=。"),
        Observation.Comparator.choices,
    )
    status = choice(
        _("状态"),
        _("状态：provisional（初步）、confirmed（确认）、revised（已修订）。"),
        Observation.Status.choices,
    )
    is_preferred = BooleanFilter(
        label=_("首选值"), help_text=_("true：每个指标、地区、期间只取首选值。")
    )
    id__in = IdListFilter(field_name="id", label=_("编号"))

    class Meta:
        model = Observation
        fields: list[str] = []


class RegionFilter(django_filters.FilterSet):
    level = choice(_("级别"), _("地区级别。"), Region.Level.choices)
    parent = text(_("上级地区"), _("上级地区的区划代码。"), field_name="parent__code")

    class Meta:
        model = Region
        fields: list[str] = []


class OrganisationFilter(django_filters.FilterSet):
    name = text(_("名称"), _("名称包含此文字。"), lookup_expr="icontains")
    kind = choice(_("类型"), _("单位类型。"), Organisation.Kind.choices)
    region = region_filter()

    class Meta:
        model = Organisation
        fields: list[str] = []


class SchemeFilter(django_filters.FilterSet):
    level = level_filter()

    class Meta:
        model = Scheme
        fields: list[str] = []


class HonourFilter(django_filters.FilterSet):
    scheme = django_filters.NumberFilter(
        field_name="scheme_id",
        label=_("荣誉项目"),
        help_text=_("荣誉项目的编号。"),
        min_value=1,
        max_value=2**63 - 1,
    )
    level = level_filter("scheme__level")
    organisation = django_filters.NumberFilter(
        field_name="organisation_id",
        label=_("单位"),
        help_text=_("获得荣誉的单位编号。"),
        min_value=1,
        max_value=2**63 - 1,
    )
    year = django_filters.NumberFilter(
        label=_("年度"), help_text=_("授予年度。"), min_value=1900, max_value=2999
    )
    valid_on = SafeDateFilter(
        method="filter_valid_on",
        label=_("某日有效"),
        help_text=_("只要在此日（YYYY-MM-DD）有效的荣誉。"),
    )
    status = choice(
        _("状态"),
        _("证书状态（今日）：有效期已过的“有效”证书算作 expired（过期）。"),
        Award.Status.choices,
        method="filter_status",
    )

    class Meta:
        model = Award
        fields: list[str] = []

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)

    def filter_status(self, queryset, name, value):
        return queryset.with_status_on(value, timezone.localdate())


class StandardApiFilter(django_filters.FilterSet):
    kind = choice(_("类型"), _("标准类型。"), Standard.Kind.choices)
    status = choice(_("状态"), _("标准状态。"), Standard.Status.choices)
    code = text(_("标准编号"), _("标准编号包含此文字。"), method="filter_code")
    title = text(_("标准名称"), _("标准名称包含此文字。"), lookup_expr="icontains")

    class Meta:
        model = Standard
        fields: list[str] = []

    def filter_code(self, queryset, name, value):
        # As codes are saved: "19001—2016" finds GB/T 19001-2016.
        return queryset.filter(code__icontains=normalise_standard_code(value))


class InspectionCentreApiFilter(django_filters.FilterSet):
    level = level_filter()
    region = region_filter()

    class Meta:
        model = InspectionCentre
        fields: list[str] = []


class MeasurementStandardFilter(django_filters.FilterSet):
    level = level_filter()
    region = region_filter()

    class Meta:
        model = MeasurementStandard
        fields: list[str] = []


class SamplingCampaignApiFilter(django_filters.FilterSet):
    category = choice(_("类别"), _("抽检类别。"), SamplingCampaign.Category.choices)
    level = level_filter()
    region = region_filter()
    period_from = SafeDateFilter(
        field_name="period__end_on",
        lookup_expr="gte",
        label=_("期间止日不早于"),
        help_text=_("统计期间的截止日期不早于此日（YYYY-MM-DD）。"),
    )
    period_to = SafeDateFilter(
        field_name="period__end_on",
        lookup_expr="lte",
        label=_("期间止日不晚于"),
        help_text=_("统计期间的截止日期不晚于此日（YYYY-MM-DD）。"),
    )

    class Meta:
        model = SamplingCampaign
        fields: list[str] = []


# --- public registry pages (quality.views) ------------------------------------


class AwardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=_("关键词"), max_length=MAX_TEXT
    )
    scheme = django_filters.ModelChoiceFilter(
        queryset=Scheme.objects.all(),
        label=_("项目"),
        empty_label=_("全部项目"),
        widget=ChineseOptionsSelect,
    )
    level = django_filters.ChoiceFilter(
        field_name="scheme__level",
        choices=Level.choices,
        label=_("级别"),
        empty_label=_("全部级别"),
    )

    class Meta:
        model = Award
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(subject__icontains=value)
            | Q(organisation__name__icontains=value)
            | Q(number__icontains=value)
        )


class StandardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=_("关键词"), max_length=MAX_TEXT
    )
    kind = django_filters.ChoiceFilter(
        choices=Standard.Kind.choices, label=_("类型"), empty_label=_("全部类型")
    )
    status = django_filters.ChoiceFilter(
        choices=Standard.Status.choices, label=_("状态"), empty_label=_("全部状态")
    )

    class Meta:
        model = Standard
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        # The code as codes are saved ("19001—2016" finds GB/T 19001-2016); the
        # title as typed (a title may hold a dash of its own).
        return queryset.filter(
            Q(code__icontains=normalise_standard_code(value))
            | Q(title__icontains=value)
        )


class InspectionCentreFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="name",
        lookup_expr="icontains",
        label=_("关键词"),
        max_length=MAX_TEXT,
    )
    level = django_filters.ChoiceFilter(
        choices=Level.choices, label=_("级别"), empty_label=_("全部级别")
    )

    class Meta:
        model = InspectionCentre
        fields: list[str] = []


class SamplingCampaignFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=_("关键词"), max_length=MAX_TEXT
    )
    category = django_filters.ChoiceFilter(
        choices=SamplingCampaign.Category.choices,
        label=_("类别"),
        empty_label=_("全部类别"),
    )
    level = django_filters.ChoiceFilter(
        choices=Level.choices, label=_("级别"), empty_label=_("全部级别")
    )

    class Meta:
        model = SamplingCampaign
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        # Not the quote: one sentence of a report often names several campaigns.
        return queryset.filter(
            Q(name__icontains=value)
            | Q(note__icontains=value)
            | Q(region__name__icontains=value)
        )


class MeasurementStandardPageFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=_("关键词"), max_length=MAX_TEXT
    )
    level = django_filters.ChoiceFilter(
        choices=Level.choices, label=_("级别"), empty_label=_("全部级别")
    )

    class Meta:
        model = MeasurementStandard
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(certificate_number__icontains=value)
            | Q(organisation__name__icontains=value)
        )

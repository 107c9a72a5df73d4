"""REST serializers of the quality app: registries and figures, and the bodies of
the writes (observations, honours, standards)."""

from __future__ import annotations

import decimal
import operator
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import (
    ChoiceField,
    DescribedModelSerializer,
    IdRelatedField,
    RejectUnknownFieldsMixin,
    SafeSlugRelatedField,
)
from news.models import Article

from . import columns
from .cells import read_number
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
)
from .models.sources import Sourced


def code_of(help_text, source=None, slug_field="code"):
    return serializers.SlugRelatedField(
        read_only=True,
        allow_null=True,
        slug_field=slug_field,
        source=source,
        help_text=help_text,
    )


def url_text(help_text):
    """A URL that may be empty (``format: uri`` would forbid "")."""
    return serializers.CharField(read_only=True, help_text=help_text)


class RegionSerializer(DescribedModelSerializer):
    parent = code_of(_("上级地区的区划代码。"))

    class Meta:
        model = Region
        fields = ("id", "code", "name", "level", "parent")
        extra_kwargs = {"id": {"help_text": _("编号。")}}


class IndicatorSerializer(DescribedModelSerializer):
    topic = code_of(_("所属主题的名称。"), slug_field="name")
    unit = code_of(_("单位符号，例如“项”“%”。"), slug_field="symbol")

    class Meta:
        model = Indicator
        fields = (
            "id",
            "code",
            "name",
            "name_en",
            "topic",
            "unit",
            "definition",
            "scope",
            "nature",
            "decimals",
            "higher_is_better",
            "is_headline",
        )
        extra_kwargs = {"id": {"help_text": _("编号。")}}


class PeriodSerializer(DescribedModelSerializer):
    label = serializers.CharField(
        read_only=True, help_text=_("中文写法，例如“2020年”。")
    )

    class Meta:
        model = Period
        fields = ("code", "kind", "start_on", "end_on", "label")


class ObservationSerializer(DescribedModelSerializer):
    indicator = code_of(_("指标代码。"))
    region = code_of(_("地区的区划代码。"))
    period = PeriodSerializer(read_only=True, help_text=_("统计期间。"))
    display = serializers.CharField(
        read_only=True, help_text=_("按中文习惯写出的数值，例如“600余项”。")
    )
    article = serializers.SerializerMethodField(
        help_text=_("来源文章的编号（仅限已发布文章）。")
    )
    source_url = url_text(_("外部来源的网址。"))
    quote = serializers.CharField(
        source="public_quote",
        read_only=True,
        help_text=_("原文引文；来源文章未公开时为空。"),
    )

    class Meta:
        model = Observation
        fields = columns.API_FIELDS
        extra_kwargs = {"id": {"help_text": _("编号。")}}

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_article(self, obj: Observation) -> int | None:
        return _article_id(obj.article)

    def to_representation(self, obj: Observation) -> dict:
        """The generic representation, read column by column from the list
        (``quality.columns``) with one ``attrgetter`` and a few conversions: DRF's
        field-by-field walk costs about 0.2 ms a row, most of an observation list's
        time at 1,000,000 rows (bench/api_bench.py). The fields above stay the schema
        and the contract; tests check that both give the same output for every kind
        of row."""
        # Not ``self.fields``: building them (a deep copy of every declared field)
        # costs more than the rows.
        values = list(_API_READ(obj))
        for index, convert in _API_CONVERSIONS:
            values[index] = convert(values[index])
        return dict(zip(columns.API_FIELDS, values, strict=True))


def _article_id(article) -> int | None:
    return article.pk if article is not None and article.is_published else None


def _period(period: Period) -> dict:
    return {
        "code": period.code,
        "kind": period.kind,
        "start_on": _iso(period.start_on),
        "end_on": _iso(period.end_on),
        "label": period.label,
    }


def _decimal_or_none(value) -> str | None:
    return None if value is None else _decimal(value)


def _api_reading(name: str) -> tuple[str, object]:
    """What the API reads of an observation (or an ObservationRow) for column
    ``name``, and how it converts it (None: as read)."""
    special = {
        "id": ("pk", None),
        "indicator": ("indicator.code", None),
        "region": ("region.code", None),
        "period": ("period", _period),
        "article": ("article", _article_id),
        "quote": ("public_quote", None),
    }
    if name in special:
        return special[name]
    field = Observation._meta.get_field(name) if name != "display" else None
    if isinstance(field, models.DecimalField):
        return name, _decimal if name == "value" else _decimal_or_none
    if isinstance(field, models.DateField):
        return name, _iso
    return name, None


# How DRF writes the model's DecimalFields (max_digits=20, decimal_places=4).
_DECIMAL = serializers.DecimalField(max_digits=20, decimal_places=4)
_FOUR_PLACES = Decimal("0.0001")
_CONTEXT = decimal.Context(prec=20)


def _decimal(value) -> str:
    """``_DECIMAL.to_representation(value)``: quantised to 4 places within 20 digits,
    written without exponent; without copying the decimal context on every call."""
    if not isinstance(value, Decimal):
        return _DECIMAL.to_representation(value)
    return f"{value.quantize(_FOUR_PLACES, context=_CONTEXT):f}"


def _iso(day) -> str | None:
    return None if day is None else day.isoformat()


# The public API's columns, in the list's order: one attrgetter reads them all, then
# the (index, conversion) pairs turn decimals, dates, the period and the article
# into what DRF's fields would write.
_API_READINGS = tuple(_api_reading(name) for name in columns.API_FIELDS)
_API_READ = operator.attrgetter(*(path for path, _ in _API_READINGS))
_API_CONVERSIONS = tuple(
    (index, convert)
    for index, (_, convert) in enumerate(_API_READINGS)
    if convert is not None
)


#: The source of a registry row as the API prints it (``Sourced``), after the
#: row's own fields.
SOURCE_FIELDS = Sourced.SOURCE_FIELDS


class SourcedSerializer(DescribedModelSerializer):
    """A registry row with its source: publisher, title, date, address and quote,
    named as an observation's (``ObservationSerializer``)."""

    source_url = url_text(_("来源网址（http 或 https）；没有时为空。"))


class OrganisationSerializer(SourcedSerializer):
    region = code_of(_("所在地区的区划代码。"))

    class Meta:
        model = Organisation
        fields = (
            "id",
            "name",
            "aliases",
            "credit_code",
            "kind",
            "region",
            *SOURCE_FIELDS,
        )
        extra_kwargs = {"id": {"help_text": _("编号。")}}


class SchemeSerializer(SourcedSerializer):
    class Meta:
        model = Scheme
        fields = (
            "id",
            "name",
            "kind",
            "level",
            "issuer",
            "description",
            *SOURCE_FIELDS,
        )
        extra_kwargs = {"id": {"help_text": _("编号。")}}


class HonourSerializer(SourcedSerializer):
    scheme = SchemeSerializer(read_only=True, help_text=_("荣誉项目。"))
    organisation = serializers.SlugRelatedField(
        read_only=True,
        allow_null=True,
        slug_field="name",
        help_text=_("获得荣誉的单位名称。"),
    )
    organisation_id = serializers.IntegerField(
        read_only=True, help_text=_("获得荣誉的单位编号。")
    )
    status = serializers.SerializerMethodField(
        help_text=_(
            "状态（今日）：active 有效、suspended 暂停、withdrawn 撤销、expired 过期、"
            "revoked 注销；有效期已过的证书为 expired。"
        )
    )

    class Meta:
        model = Award
        fields = (
            "id",
            "scheme",
            "organisation",
            "organisation_id",
            "subject",
            "number",
            "year",
            "issued_on",
            "valid_from",
            "valid_to",
            "status",
            *SOURCE_FIELDS,
        )
        extra_kwargs = {"id": {"help_text": _("编号。")}}

    @extend_schema_field(serializers.ChoiceField(choices=Award.Status.choices))
    def get_status(self, obj: Award) -> str:
        return obj.current_status


class StandardSerializer(SourcedSerializer):
    replaced_by = code_of(_("替代本标准的新标准编号。"))

    class Meta:
        model = Standard
        fields = (
            "id",
            "code",
            "title",
            "kind",
            "status",
            "issued_on",
            "effective_on",
            "replaced_by",
            *SOURCE_FIELDS,
        )
        extra_kwargs = {"id": {"help_text": _("编号。")}}


class InspectionCentreSerializer(SourcedSerializer):
    region = code_of(_("所在地区的区划代码。"))
    organisation = serializers.SlugRelatedField(
        read_only=True,
        allow_null=True,
        slug_field="name",
        help_text=_("依托单位名称。"),
    )

    class Meta:
        model = InspectionCentre
        fields = (
            "id",
            "name",
            "level",
            "domain",
            "cma_number",
            "cnas_number",
            "region",
            "organisation",
            *SOURCE_FIELDS,
        )
        extra_kwargs = {"id": {"help_text": _("编号。")}}


class MeasurementStandardSerializer(SourcedSerializer):
    region = code_of(_("所在地区的区划代码。"))
    organisation = serializers.SlugRelatedField(
        read_only=True,
        allow_null=True,
        slug_field="name",
        help_text=_("建标单位名称。"),
    )

    class Meta:
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
            *SOURCE_FIELDS,
        )
        extra_kwargs = {"id": {"help_text": _("编号。")}}


class SamplingCampaignSerializer(SourcedSerializer):
    period = PeriodSerializer(read_only=True, help_text=_("统计期间。"))
    region = code_of(_("地区的区划代码。"))
    pass_rate = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_("合格率（%），由抽检与不合格批次算出。"),
    )
    article = serializers.SerializerMethodField(
        help_text=_("来源文章的编号（仅限已发布文章）。")
    )
    quote = serializers.CharField(
        source="public_quote",
        read_only=True,
        help_text=_("原文引文；来源文章未公开时为空。"),
    )

    class Meta:
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
            "pass_rate",
            "article",
            *SOURCE_FIELDS,
        )
        extra_kwargs = {"id": {"help_text": _("编号。")}}

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_article(self, obj: SamplingCampaign) -> int | None:
        article = obj.article
        return article.pk if article is not None and article.is_published else None


# A number a client may send as a JSON number or as a string (``NumberCellField``).
_NUMBER_OR_TEXT = {
    "oneOf": [
        {"type": "number"},
        {"type": "string", "example": "1，700"},
    ]
}


@extend_schema_field(_NUMBER_OR_TEXT)
class NumberCellField(serializers.DecimalField):
    """A number of an observation: a JSON number as DRF reads it; a JSON string
    read as every write path reads a cell (``quality.cells.read_number``, with the
    unit of the body's indicator), or refused with the same message."""

    def to_internal_value(self, data):
        if isinstance(data, str) and len(data) <= self.MAX_STRING_LENGTH:
            try:
                data = read_number(
                    data, unit=self.parent.indicator_unit, required=not self.allow_null
                )
            except DjangoValidationError as error:
                raise serializers.ValidationError(list(error.messages)) from None
            if data is None:
                if self.allow_null:
                    return None
                self.fail("required")
        return super().to_internal_value(data)


class ObservationWriteSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """What a client sends to add an observation (through ``observation_create``)."""

    api_description = _("新增观测值时提交的内容。")

    # Public indicators only, as the API shows: a non-public one is unknown here.
    indicator = SafeSlugRelatedField(
        slug_field="code",
        queryset=Indicator.objects.public(),
        help_text=_("公开指标的代码。"),
    )
    region = SafeSlugRelatedField(
        slug_field="code",
        queryset=Region.objects.all(),
        help_text=_("地区的 6 位区划代码。"),
    )
    period = serializers.CharField(
        max_length=30,
        help_text=_("期间代码：@2020-12-31、2020、2020H1、2020Q1、2020-06 等。"),
    )
    value = NumberCellField(
        max_digits=20,
        decimal_places=4,
        help_text=_(
            "数值：JSON 数字，或按表格写法的字符串，读法与后台批量导入相同，如"
            "“1,700”“1，700”“1 700”“一千七百”“1.7万”；单位为 % 的指标可写"
            "“97%”。“约、超过、以上”等不写在这里，请用 comparator。"
        ),
    )
    comparator = ChoiceField(
        choices=Observation.Comparator.choices,
        default=Observation.Comparator.EQ,
        help_text=_("比较关系。"),
    )
    lower = NumberCellField(
        max_digits=20,
        decimal_places=4,
        required=False,
        allow_null=True,
        help_text=_("下限：读法同 value；“—”“/”表示没有下限。"),
    )
    upper = NumberCellField(
        max_digits=20,
        decimal_places=4,
        required=False,
        allow_null=True,
        help_text=_("上限：读法同 value；“—”“/”表示没有上限。"),
    )
    raw_text = serializers.CharField(max_length=100, help_text=_("原文写法。"))
    article = IdRelatedField(
        queryset=Article.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("来源文章编号；与外部来源二选一。"),
    )
    quote = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text=_("原文引文。")
    )
    source_publisher = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text=_("发布机构。")
    )
    source_title = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=_("文件标题。")
    )
    source_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("发布日期。")
    )
    source_url = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text=_("来源网址。")
    )
    status = ChoiceField(
        choices=Observation.Status.choices,
        default=Observation.Status.PROVISIONAL,
        help_text=_("状态。"),
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text=_("备注。")
    )
    is_preferred = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "是否首选值；不填则在该格尚无首选值时设为首选。设为 true 会取消该格"
            "原有的首选值，需要“修改观测值”权限。"
        ),
    )

    def indicator_unit(self) -> str | None:
        """The unit of the body's indicator, for a number sent as text that needs
        it (a percent, 万 or 亿); None when the indicator is unknown (refused on
        its own field)."""
        data = self.initial_data
        code = data.get("indicator") if isinstance(data, Mapping) else None
        if not isinstance(code, str):
            return None
        return Indicator.objects.public().unit_symbol(code)


class SourceWriteSerializer(serializers.Serializer):
    """The source of a registry row a client sends (``Sourced``): all optional; the
    address must be http(s), and a quote needs a title or an address."""

    source_publisher = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text=_("发布机构。")
    )
    source_title = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=_("文件标题。")
    )
    source_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("发布日期。")
    )
    source_url = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=_("来源网址，以 http:// 或 https:// 开头。"),
    )
    quote = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text=_("原文引文；须同时填写文件标题或来源网址。"),
    )


class HonourWriteSerializer(RejectUnknownFieldsMixin, SourceWriteSerializer):
    """What a client sends to add an honour (through ``award_create``)."""

    api_description = _("新增证书/荣誉时提交的内容。")

    scheme = IdRelatedField(
        queryset=Scheme.objects.all(),
        help_text=_("荣誉项目的编号（见 /api/v1/honour-schemes/），只能是荣誉类项目。"),
        error_messages={"does_not_exist": _("编号为 {pk_value} 的项目不存在。")},
    )
    organisation = IdRelatedField(
        queryset=Organisation.objects.all(),
        help_text=_("获得荣誉的单位编号（见 /api/v1/organisations/）。"),
        error_messages={"does_not_exist": _("编号为 {pk_value} 的单位不存在。")},
    )
    subject = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=_("产品或服务。")
    )
    number = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=60,
        help_text=_("证书编号；同一项目下不能重复。"),
    )
    year = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=32767,
        help_text=_("年度，例如 2020。"),
    )
    issued_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("颁发日期。")
    )
    valid_from = serializers.DateField(
        required=False, allow_null=True, help_text=_("有效期起。")
    )
    valid_to = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("有效期止；不能早于有效期起。"),
    )
    status = ChoiceField(
        choices=Award.Status.choices,
        default=Award.Status.ACTIVE,
        help_text=_("状态。"),
    )


class StandardCodeField(SafeSlugRelatedField):
    """A standard by its code as the client wrote it, found as saving writes codes
    (``Standard.objects.with_code``: GB/T 19001—2016 is GB/T 19001-2016)."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > self.max_length:
            return super().to_internal_value(data)  # refused there
        standard = self.get_queryset().with_code(data).first()
        if standard is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return standard


class StandardWriteSerializer(RejectUnknownFieldsMixin, SourceWriteSerializer):
    """What a client sends to add a standard (through ``standard_create``)."""

    api_description = _("新增标准时提交的内容。")

    code = serializers.CharField(
        max_length=60,
        help_text=_(
            "标准编号，须与类型相符，例如 GB/T 19001-2016、DB37/T 1234-2020、"
            "T/CAS 115-2005；不能与已有标准重复。"
        ),
    )
    title = serializers.CharField(max_length=200, help_text=_("标准名称。"))
    kind = ChoiceField(choices=Standard.Kind.choices, help_text=_("类型。"))
    status = ChoiceField(
        choices=Standard.Status.choices,
        default=Standard.Status.CURRENT,
        help_text=_("状态。"),
    )
    issued_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("发布日期。")
    )
    effective_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("实施日期；不能早于发布日期。"),
    )
    replaced_by = StandardCodeField(
        slug_field="code",
        queryset=Standard.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("替代本标准的新标准编号（须已登记）。"),
        error_messages={"does_not_exist": _("标准编号为“{value}”的标准不存在。")},
    )

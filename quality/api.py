"""REST endpoints of the quality app: figures and registries."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.views import ApiViewMixin, ModelPermissionsOrAnonReadOnly, validation_detail
from news.models import AuditLog
from news.services import audit_record
from yantai.text import stored

from . import filters, serializers
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
from .references import ObservationRow, observation_rows
from .services import (
    award_create,
    observation_create,
    standard_create,
)

# ?ordering=level: 国家级, 省级, 市级 (as the registries), not the codes' alphabet.
LEVEL_RANK = Level.rank()


def create_audited(request, service, **data):
    """Call the create ``service`` and record the new row in the audit log, in one
    transaction; the model's validation errors become a 400 naming the field."""
    try:
        with transaction.atomic():
            obj = service(**data)
            audit_record(
                user=request.user,
                action=AuditLog.Action.CREATE,
                obj=obj,
                summary=stored(_("通过接口新增")),
            )
    except DjangoValidationError as exc:
        raise ValidationError(validation_detail(exc)) from None
    except IntegrityError:
        # Validation passed but a concurrent request inserted the same row first.
        raise ValidationError(
            {"non_field_errors": [_("与刚刚新增的记录重复，请刷新后核对。")]}
        ) from None
    return obj


def created_response(view, obj) -> Response:
    """201 with the new row as the view's list and detail show it."""
    obj = view.get_queryset().get(pk=obj.pk)
    return Response(view.get_serializer(obj).data, status=status.HTTP_201_CREATED)


class IndicatorViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Public indicators."""

    verbose_name = _("指标")
    api_description = _("公开的质量指标。")
    serializer_class = serializers.IndicatorSerializer
    filterset_class = filters.IndicatorFilter
    ordering_fields = ("order", "code", "id")
    ordering = ("order", "code")

    def get_queryset(self):
        return Indicator.objects.public().for_listing()


# The source article's text: ``is_published`` needs none of it.
ARTICLE_HEAVY_FIELDS = ("article__body", "article__body_text")


class ObservationViewSet(
    ApiViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Observations of public indicators; staff with permission add new ones."""

    verbose_name = _("观测值")
    api_description = _(
        "公开指标的观测值：按指标、地区、期间、来源文章、比较关系、状态筛选；"
        "?format=csv 导出表格。有“添加观测值”权限的令牌可以新增。"
    )
    serializer_class = serializers.ObservationSerializer
    permission_classes = [ModelPermissionsOrAnonReadOnly]
    filterset_class = filters.ObservationFilter
    ordering_fields = ("period__end_on", "value", "id")
    # The period's end date is read from the observation's own copy (indexed).
    ordering_aliases = {"period__end_on": "period_end_on"}
    # Counts of 1,000,000 rows are cached (api.pagination), forgotten on writes.
    count_cache = "observations"
    ordering = ("period_end_on", "id")

    def get_queryset(self):
        observations = Observation.objects.filter(indicator__is_public=True)
        if self.action == "list":
            # Pages get their indicators, regions, periods and articles attached
            # from per-process tables (paginate_queryset): no joins per row.
            return observations
        return observations.select_related(
            "indicator__unit", "region", "period", "article"
        ).defer(*ARTICLE_HEAVY_FIELDS)

    def paginate_queryset(self, queryset):
        # A list page is read as plain rows (quality.references.ObservationRow),
        # not model instances.
        rows = queryset.values_list(*ObservationRow.FIELDS)
        page = super().paginate_queryset(rows)
        return None if page is None else observation_rows(page)

    @extend_schema(
        summary=_("新增观测值"),
        request=serializers.ObservationWriteSerializer,
        responses={201: serializers.ObservationSerializer},
    )
    def create(self, request, *args, **kwargs):
        body = serializers.ObservationWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # The period goes as its code: observation_create makes a missing Period
        # row in the observation's own transaction.
        data = dict(body.validated_data)
        # Moving the cell's preferred flag changes a saved observation (403).
        data["may_unflag"] = request.user.has_perm("quality.change_observation")
        return created_response(
            self, create_audited(request, observation_create, **data)
        )


class RegionViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Administrative regions."""

    verbose_name = _("地区")
    api_description = _("行政区划（GB/T 2260 代码）。")
    queryset = Region.objects.select_related("parent")
    serializer_class = serializers.RegionSerializer
    filterset_class = filters.RegionFilter
    ordering_fields = ("code", "id")
    ordering = ("code",)


class OrganisationViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Organisations named in the registries."""

    verbose_name = _("单位")
    api_description = _("名录中出现的企业和机构。")
    queryset = Organisation.objects.select_related("region")
    serializer_class = serializers.OrganisationSerializer
    filterset_class = filters.OrganisationFilter
    ordering_fields = ("name", "id")
    ordering = ("name", "id")


class HonourSchemeViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Honour schemes (山东名牌产品 …)."""

    verbose_name = _("荣誉项目")
    api_description = _("荣誉项目，例如山东名牌产品。")
    queryset = Scheme.objects.filter(kind=Scheme.Kind.HONOUR)
    serializer_class = serializers.SchemeSerializer
    filterset_class = filters.SchemeFilter
    ordering_fields = ("name", "level", "id")
    ordering_aliases = {"level": LEVEL_RANK}
    ordering = ("level", "name")


class HonourViewSet(
    ApiViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Honours granted under honour schemes; staff with permission add new ones."""

    verbose_name = _("荣誉")
    api_description = _(
        "获得的荣誉：按项目、级别、单位、年度、某日是否有效筛选。"
        "有“添加证书/荣誉”权限的令牌可以新增（只能选荣誉类项目）。"
    )
    serializer_class = serializers.HonourSerializer
    permission_classes = [ModelPermissionsOrAnonReadOnly]
    filterset_class = filters.HonourFilter
    ordering_fields = ("year", "issued_on", "id")
    # No ``ordering``: without ?ordering= the registry's own (as on the page).

    def get_queryset(self):
        return Award.objects.honours().for_listing()

    @extend_schema(
        summary=_("新增荣誉"),
        request=serializers.HonourWriteSerializer,
        responses={201: serializers.HonourSerializer},
    )
    def create(self, request, *args, **kwargs):
        body = serializers.HonourWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        award = create_audited(
            request, award_create, **body.validated_data, kind=Scheme.Kind.HONOUR
        )
        return created_response(self, award)


class StandardViewSet(
    ApiViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Standards drafted with Yantai participation; staff with permission add new
    ones."""

    verbose_name = _("标准")
    api_description = _(
        "烟台单位参与制修订的标准。有“添加标准”权限的令牌可以新增，标准编号按类型校验。"
    )
    queryset = Standard.objects.select_related("replaced_by")
    serializer_class = serializers.StandardSerializer
    permission_classes = [ModelPermissionsOrAnonReadOnly]
    filterset_class = filters.StandardApiFilter
    ordering_fields = ("code", "issued_on", "id")
    ordering = ("kind", "code")

    @extend_schema(
        summary=_("新增标准"),
        request=serializers.StandardWriteSerializer,
        responses={201: serializers.StandardSerializer},
    )
    def create(self, request, *args, **kwargs):
        body = serializers.StandardWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return created_response(
            self, create_audited(request, standard_create, **body.validated_data)
        )


class InspectionCentreViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Inspection and testing centres."""

    verbose_name = _("质检中心")
    api_description = _("检验检测中心。")
    queryset = InspectionCentre.objects.for_listing()
    serializer_class = serializers.InspectionCentreSerializer
    filterset_class = filters.InspectionCentreApiFilter
    ordering_fields = ("name", "level", "id")
    ordering_aliases = {"level": LEVEL_RANK}
    # No ``ordering``: without ?ordering= the registry's own (as on the page).


class MeasurementStandardViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Public measurement standards (社会公用计量标准)."""

    verbose_name = _("计量标准")
    api_description = _("社会公用计量标准。")
    queryset = MeasurementStandard.objects.for_listing()
    serializer_class = serializers.MeasurementStandardSerializer
    filterset_class = filters.MeasurementStandardFilter
    ordering_fields = ("name", "level", "valid_to", "id")
    ordering_aliases = {"level": LEVEL_RANK}
    # No ``ordering``: without ?ordering= the registry's own (as on the page).


class SamplingCampaignViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Product-quality sampling campaigns."""

    verbose_name = _("抽检")
    api_description = _("产品质量监督抽检。")
    serializer_class = serializers.SamplingCampaignSerializer
    filterset_class = filters.SamplingCampaignApiFilter
    ordering_fields = ("period__end_on", "id")
    # No ``ordering``: without ?ordering= the registry's own (as on the page).

    def get_queryset(self):
        return SamplingCampaign.objects.for_listing()

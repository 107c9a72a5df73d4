"""Registries: organisations, certifications and honours, standards, centres, sampling."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from news.models import Article

from ..validators import (
    normalise_standard_code,
    validate_credit_code,
    validate_standard_code,
)
from .data import Indicator, Period
from .reference import Region
from .sources import Sourced


def leads_back(row: models.Model, field: str) -> bool:
    """Whether following ``field`` (a foreign key to the row's own model) from
    ``row`` as edited, through the saved rows, comes back to ``row``: A → B → A,
    or longer. A chain that loops elsewhere (C → D → C, saved before this rule)
    ends the walk without blaming ``row``."""
    if row.pk is None:
        return False  # a new row: nothing points at it yet
    attname = row._meta.get_field(field).attname
    seen: set = set()
    current = getattr(row, attname)
    while current is not None and current not in seen:
        if current == row.pk:
            return True
        seen.add(current)
        current = (
            type(row)
            ._default_manager.filter(pk=current)
            .values_list(attname, flat=True)
            .first()
        )
    return False


class Level(models.TextChoices):
    """Listed from the highest: the order of the choices is the order of the
    registries (``rank``), not the codes' alphabet (municipal, national, …)."""

    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")

    @classmethod
    def rank(cls, field: str = "level") -> Case:
        """``field``'s level as its place among the choices (国家级 0, 省级 1,
        市级 2), to order by; a code not among them (none is) after them all."""
        return Case(
            *(
                When(**{field: value}, then=Value(i))
                for i, value in enumerate(cls.values)
            ),
            default=Value(len(cls.values)),
            output_field=models.PositiveSmallIntegerField(),
        )


class Organisation(Sourced):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        INSTITUTION = "institution", _("事业单位")
        GOVERNMENT = "government", _("机关")
        ASSOCIATION = "association", _("社会团体")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    aliases = models.CharField(
        _("简称/别名"),
        max_length=200,
        blank=True,
        help_text=_("多个用顿号“、”分隔，例如“万华、万华化学”。"),
    )
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 位，按 GB 32100-2015 校验；不确定时留空。"),
    )
    kind = models.CharField(
        _("类型"), max_length=12, choices=Kind.choices, default=Kind.ENTERPRISE
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="organisation_credit_code_unique",
                violation_error_message=_("已有单位使用这个统一社会信用代码。"),
            ),
            *Sourced.source_constraints("organisation"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.replace(",", "、").split("、") if a]


class Scheme(Sourced):
    """A certification scheme or an honour list (山东名牌产品, ISO 9001 …)."""

    class Kind(models.TextChoices):
        CERTIFICATION = "certification", _("认证")
        HONOUR = "honour", _("荣誉")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=14, choices=Kind.choices)
    level = models.CharField(_("级别"), max_length=12, choices=Level.choices)
    issuer = models.CharField(
        _("授予/发证机构"),
        max_length=100,
        blank=True,
        help_text=_("荣誉填授予机关；认证填认证机构名称。"),
    )
    approval_number = models.CharField(
        _("认证机构批准号"),
        max_length=50,
        blank=True,
        help_text=_("认证机构的批准书编号，例如 CNCA-R-2002-001。"),
    )
    description = models.TextField(_("说明"), blank=True)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("报道数量指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("报道中这类荣誉/证书数量所对应的指标，用于对照已收录数量。"),
    )

    class Meta:
        ordering = ["kind", "level", "name"]
        verbose_name = _("认证/荣誉项目")
        verbose_name_plural = _("认证/荣誉项目")
        constraints = Sourced.source_constraints("scheme")

    def __str__(self) -> str:
        return self.name


class AwardQuerySet(models.QuerySet):
    def valid_on(self, day: date) -> AwardQuerySet:
        """Awards in force on ``day``: active and within their validity, if any."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            status=Award.Status.ACTIVE,
        )

    def with_status_on(self, status: str, day: date) -> AwardQuerySet:
        """Awards whose status on ``day`` is ``status`` (``Award.status_on``): an
        有效 one whose validity ended before ``day`` counts as 过期."""
        lapsed = Q(status=Award.Status.ACTIVE, valid_to__lt=day)
        if status == Award.Status.EXPIRED:
            return self.filter(Q(status=status) | lapsed)
        if status == Award.Status.ACTIVE:
            return self.filter(status=status).exclude(lapsed)
        return self.filter(status=status)

    def honours(self) -> AwardQuerySet:
        return self.filter(scheme__kind=Scheme.Kind.HONOUR)

    def certifications(self) -> AwardQuerySet:
        return self.filter(scheme__kind=Scheme.Kind.CERTIFICATION)

    #: The registry's one order: the public page, the API (and its CSV), the
    #: admin's list and export, ``manage.py export``.
    REGISTRY_ORDER = ("scheme__name", "-year", "organisation__name", "id")

    def in_registry_order(self) -> AwardQuerySet:
        return self.order_by(*self.REGISTRY_ORDER)

    def for_listing(self) -> AwardQuerySet:
        return self.select_related("scheme", "organisation").in_registry_order()


class Award(Sourced):
    """A certificate or an honour granted under a scheme."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        SUSPENDED = "suspended", _("暂停")
        WITHDRAWN = "withdrawn", _("撤销")
        EXPIRED = "expired", _("过期")
        REVOKED = "revoked", _("注销")

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="awards"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("获得单位"),
        on_delete=models.PROTECT,
        related_name="awards",
    )
    subject = models.CharField(_("产品/服务/认证范围"), max_length=200, blank=True)
    number = models.CharField(_("证书编号"), max_length=60, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    issued_on = models.DateField(_("颁发日期"), null=True, blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    renews = models.ForeignKey(
        "self",
        verbose_name=_("续期自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewals",
        help_text=_("复评/换证时选择上一张证书。"),
    )

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "-year", "id"]
        verbose_name = _("证书/荣誉")
        verbose_name_plural = _("证书/荣誉")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=F("valid_to")),
                name="award_valid_from_before_valid_to",
                violation_error_message=_("有效期起不能晚于有效期止。"),
            ),
            models.CheckConstraint(
                condition=Q(renews__isnull=True) | ~Q(renews=F("id")),
                name="award_does_not_renew_itself",
                violation_error_message=_("证书不能续期自己。"),
            ),
            models.UniqueConstraint(
                fields=["scheme", "number"],
                condition=~Q(number=""),
                name="award_number_unique_per_scheme",
                violation_error_message=_("这个项目下已有相同编号的证书。"),
            ),
            *Sourced.source_constraints("award"),
        ]

    def __str__(self) -> str:
        label = f"{self.organisation} · {self.scheme}"
        return f"{label}（{self.subject}）" if self.subject else label

    def clean(self) -> None:
        super().clean()
        # 续期自 never leads back to this certificate (A renews B renews A): each
        # would be the other's predecessor. Direct self-renewal is also a
        # CheckConstraint; a loop needs queries, so only validation sees it.
        if leads_back(self, "renews"):
            raise ValidationError(
                {
                    "renews": ValidationError(
                        _("证书不能续期自己，续期关系也不能绕回本证书。"),
                        code="renewal_cycle",
                    )
                }
            )

    def status_on(self, day: date) -> str:
        """The status as readers are told it on ``day``: the one recorded, except
        that an 有效 certificate whose validity ended before ``day`` is 过期 (no
        editor has to mark it). Twin of ``AwardQuerySet.with_status_on``."""
        if (
            self.status == self.Status.ACTIVE
            and self.valid_to is not None
            and self.valid_to < day
        ):
            return self.Status.EXPIRED
        return self.status

    @property
    def current_status(self) -> str:
        """``status_on`` today, in the site's time zone (Asia/Shanghai)."""
        return self.status_on(timezone.localdate())

    @property
    def current_status_label(self) -> str:
        return self.Status(self.current_status).label

    def is_valid_on(self, day: date) -> bool:
        """One-row twin of ``AwardQuerySet.valid_on``."""
        return (
            self.status == self.Status.ACTIVE
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or self.valid_to >= day)
        )


class StandardQuerySet(models.QuerySet):
    def with_code(self, code: str) -> StandardQuerySet:
        """The standard registered as ``code``, written as saving writes it
        (``normalise_standard_code``): GB/T 19001—2016 finds GB/T 19001-2016.
        Every lookup of a standard by the code a person typed goes through here."""
        return self.filter(code=normalise_standard_code(code))

    def for_listing(self) -> StandardQuerySet:
        return self.select_related("replaced_by").order_by("kind", "code")


class Standard(Sourced):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("国家标准")
        INDUSTRY = "industry", _("行业标准")
        LOCAL = "local", _("地方标准")
        GROUP = "group", _("团体标准")
        ENTERPRISE = "enterprise", _("企业标准")

    class Status(models.TextChoices):
        CURRENT = "current", _("现行")
        UPCOMING = "upcoming", _("即将实施")
        WITHDRAWN = "withdrawn", _("废止")

    code = models.CharField(
        _("标准编号"),
        max_length=60,
        unique=True,
        help_text=_("例如 GB/T 19001-2016、DB37/T 1234-2020、DB3706/T 12-2021。"),
    )
    title = models.CharField(_("标准名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.CURRENT
    )
    issued_on = models.DateField(_("发布日期"), null=True, blank=True)
    effective_on = models.DateField(_("实施日期"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("被替代为"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )
    organisations = models.ManyToManyField(
        Organisation,
        through="StandardParticipation",
        verbose_name=_("起草单位"),
        related_name="standards",
        blank=True,
    )

    objects = StandardQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("标准")
        verbose_name_plural = _("标准")
        constraints = [
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True)
                | Q(effective_on__isnull=True)
                | Q(issued_on__lte=F("effective_on")),
                name="standard_issued_before_effective",
                violation_error_message=_("发布日期不能晚于实施日期。"),
            ),
            models.CheckConstraint(
                condition=Q(replaced_by__isnull=True) | ~Q(replaced_by=F("id")),
                name="standard_not_replaced_by_itself",
                violation_error_message=_("标准不能被自己替代。"),
            ),
            *Sourced.source_constraints("standard"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        super().clean()
        if self.code:
            self.code = normalise_standard_code(self.code)
        if self.code and self.kind:
            try:
                validate_standard_code(self.code, self.kind)
            except ValidationError as error:
                raise ValidationError({"code": error}) from None
        self._check_replacement_chain()

    def _check_replacement_chain(self) -> None:
        """被替代为 never leads back to this standard (A → B → A), which would
        make each of them the other's successor."""
        if leads_back(self, "replaced_by"):
            raise ValidationError(
                {
                    "replaced_by": ValidationError(
                        _("标准不能被自己替代，替代关系也不能绕回本标准。"),
                        code="replacement_cycle",
                    )
                }
            )


class StandardParticipation(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("主导")
        PARTICIPANT = "participant", _("参与")

    class Action(models.TextChoices):
        DRAFT = "draft", _("制定")
        REVISE = "revise", _("修订")

    standard = models.ForeignKey(
        Standard,
        verbose_name=_("标准"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    role = models.CharField(_("角色"), max_length=12, choices=Role.choices)
    action = models.CharField(_("工作"), max_length=8, choices=Action.choices)

    class Meta:
        verbose_name = _("标准起草参与")
        verbose_name_plural = _("标准起草参与")
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "organisation", "action"],
                name="participation_unique",
                violation_error_message=_("这个单位已登记参与该标准的这项工作。"),
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.organisation} {self.get_role_display()}"
            f"{self.get_action_display()} {self.standard.code}"
        )


class InspectionCentreQuerySet(models.QuerySet):
    #: The registry's one order (page, API, admin, export): 国家级 first.
    REGISTRY_ORDER = (Level.rank(), "name", "id")

    def in_registry_order(self) -> InspectionCentreQuerySet:
        return self.order_by(*self.REGISTRY_ORDER)

    def for_listing(self) -> InspectionCentreQuerySet:
        return self.select_related("region", "organisation").in_registry_order()


class InspectionCentre(Sourced):
    name = models.CharField(_("名称"), max_length=150, unique=True)
    level = models.CharField(_("级别"), max_length=12, choices=Level.choices)
    domain = models.CharField(
        _("检验领域"), max_length=100, blank=True, help_text=_("例如：葡萄酒、黄金。")
    )
    cma_number = models.CharField(_("CMA 资质认定编号"), max_length=30, blank=True)
    cnas_number = models.CharField(
        _("CNAS 认可编号"), max_length=30, blank=True, help_text=_("例如 CNAS L1234。")
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("依托单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InspectionCentreQuerySet.as_manager()

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("质检中心")
        verbose_name_plural = _("质检中心")
        constraints = Sourced.source_constraints("inspection_centre")

    def __str__(self) -> str:
        return self.name


class MeasurementStandardQuerySet(models.QuerySet):
    #: The registry's one order (page, API, admin, export): 国家级 first; names
    #: repeat.
    REGISTRY_ORDER = (Level.rank(), "name", "id")

    def in_registry_order(self) -> MeasurementStandardQuerySet:
        return self.order_by(*self.REGISTRY_ORDER)

    def for_listing(self) -> MeasurementStandardQuerySet:
        return self.select_related("organisation", "region").in_registry_order()


class MeasurementStandard(Sourced):
    """A 社会公用计量标准 (public measurement standard) held by the city."""

    name = models.CharField(_("计量标准名称"), max_length=150)
    certificate_number = models.CharField(
        _("计量标准考核证书编号"), max_length=60, blank=True
    )
    level = models.CharField(
        _("级别"), max_length=12, choices=Level.choices, default=Level.MUNICIPAL
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("建标单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    measuring_range = models.CharField(_("测量范围"), max_length=200, blank=True)
    approved_on = models.DateField(_("考核日期"), null=True, blank=True)
    valid_to = models.DateField(_("有效期至"), null=True, blank=True)

    objects = MeasurementStandardQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("社会公用计量标准")
        verbose_name_plural = _("社会公用计量标准")
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_on__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(approved_on__lte=F("valid_to")),
                name="measurement_standard_approved_before_valid_to",
                violation_error_message=_("有效期至不能早于考核日期。"),
            ),
            *Sourced.source_constraints("measurement_standard"),
        ]

    def __str__(self) -> str:
        return self.name


class SamplingCampaignQuerySet(models.QuerySet):
    #: The registry's one order (page, API, admin, export): newest period first.
    REGISTRY_ORDER = ("-period__end_on", "category", "id")

    def in_registry_order(self) -> SamplingCampaignQuerySet:
        return self.order_by(*self.REGISTRY_ORDER)

    def for_listing(self) -> SamplingCampaignQuerySet:
        return (
            self.select_related("period", "region", "article")
            .defer("article__body", "article__body_text")
            .in_registry_order()
        )


class SamplingCampaign(Sourced):
    class Category(models.TextChoices):
        FOOD = "food", _("食品")
        GOODS = "goods", _("商品（成品油、农资、服装等）")
        SPECIAL = "special", _("专项抽样（中药饮片等）")
        HEALTH_COSMETICS = "health_cosmetics", _("保健品和化妆品")
        INDUSTRIAL = "industrial", _("工业产品")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=150)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    level = models.CharField(
        _("组织级别"), max_length=12, choices=Level.choices, default=Level.MUNICIPAL
    )
    period = models.ForeignKey(
        Period, verbose_name=_("期间"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+"
    )
    programme_count = models.PositiveSmallIntegerField(
        _("专项个数"),
        null=True,
        blank=True,
        help_text=_("“5个专项抽样”填 5；不是专项留空。"),
    )
    batches_sampled = models.PositiveIntegerField(_("抽检批次"))
    batches_failed = models.PositiveIntegerField(
        _("不合格批次"), null=True, blank=True, help_text=_("未公布时留空，不要填 0。")
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("来源文章"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The quote of the source article, or of the outside source (``Sourced``).
    quote = models.TextField(
        _("原文引文"),
        blank=True,
        help_text=_(
            "来源中记载这些批次的原句，照录；须选择来源文章，或填写文件标题或来源网址。"
        ),
    )
    note = models.TextField(_("备注"), blank=True)

    objects = SamplingCampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-period__end_on", "category", "id"]
        verbose_name = _("抽检抽样")
        verbose_name_plural = _("抽检抽样")
        constraints = [
            models.CheckConstraint(
                condition=Q(batches_failed__isnull=True)
                | Q(batches_failed__lte=F("batches_sampled")),
                name="sampling_failed_not_above_sampled",
                violation_error_message=_("不合格批次不能多于抽检批次。"),
            ),
            models.UniqueConstraint(
                fields=["name", "period", "region"],
                name="sampling_unique_name_period_region",
                violation_error_message=_("同一地区、期间已有同名抽检记录。"),
            ),
            *Sourced.source_constraints(
                "sampling_campaign", document=Q(article__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period.label}{self.name}"

    def cites_a_document(self) -> bool:
        """A campaign's quote may be of its source article instead."""
        return self.article_id is not None or super().cites_a_document()

    @property
    def public_quote(self) -> str:
        """The quote as the API prints it: a sentence of the source article only
        while readers may see the article (as ``Observation.public_quote``)."""
        if self.article_id and not self.article.is_published:
            return ""
        return self.quote

    @property
    def pass_rate(self) -> Decimal | None:
        """Percentage of batches that passed; None (never 0) when not known."""
        if self.batches_failed is None or not self.batches_sampled:
            return None
        passed = Decimal(self.batches_sampled - self.batches_failed)
        return (passed * 100 / self.batches_sampled).quantize(Decimal("0.01"))

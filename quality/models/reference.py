"""Reference data: administrative regions, units and topics."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """An administrative division, keyed by its 6-digit code (GB/T 2260)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("地级")
        COUNTY = "county", _("县级")

    code = models.CharField(
        _("行政区划代码"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("行政区划代码应为 6 位数字。"))],
        help_text=_("6 位数字，例如烟台市 370600、芝罘区 370602。"),
    )
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级行政区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区")
        verbose_name_plural = _("行政区")
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("code"), 6),
                name="region_code_six_chars",
                violation_error_message=_("行政区划代码应为 6 位数字。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    symbol = models.CharField(
        _("单位"),
        max_length=20,
        unique=True,
        help_text=_("例如：项、个、家、批次、%。"),
    )
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        ordering = ["symbol"]
        verbose_name = _("计量单位")
        verbose_name_plural = _("计量单位")

    def __str__(self) -> str:
        return self.symbol


class Topic(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)
    slug = models.SlugField(_("网址名"), max_length=50, unique=True, allow_unicode=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("主题")
        verbose_name_plural = _("主题")

    def __str__(self) -> str:
        return self.name

"""Figures proposed from an article's text, waiting for (or after) staff review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from news.models import Article

from .data import Indicator, Observation


class FigureProposalQuerySet(models.QuerySet):
    def for_article(self, article: Article) -> FigureProposalQuerySet:
        """The proposals of ``article`` in reading order, with what the page renders."""
        return (
            self.filter(article=article)
            .select_related("indicator__unit", "observation__period", "decided_by")
            .order_by("start", "id")
        )

    def confirmed(self) -> FigureProposalQuerySet:
        return self.filter(status=FigureProposal.Status.CONFIRMED)


class FigureProposal(models.Model):
    """One figure the extractor found in an article, and what staff decided about it.

    A rejected proposal stays, so that extracting the article again does not propose
    the same figure (same quote, value and unit) a second time.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审核")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("已驳回")

    article = models.ForeignKey(
        Article,
        verbose_name=_("文章"),
        on_delete=models.CASCADE,
        related_name="figure_proposals",
    )
    quote = models.TextField(_("原文引文"))
    start = models.PositiveIntegerField(
        _("起始位置"), help_text=_("数字在正文纯文本中的位置。")
    )
    end = models.PositiveIntegerField(_("结束位置"))
    raw_text = models.CharField(
        _("原文写法"), max_length=100, help_text=_("数字和单位照原文，例如“1700批次”。")
    )
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4)
    comparator = models.CharField(
        _("比较关系"),
        max_length=2,
        choices=Observation.Comparator.choices,
        default=Observation.Comparator.EQ,
    )
    lower = models.DecimalField(
        _("下限"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    upper = models.DecimalField(
        _("上限"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    unit = models.CharField(_("单位"), max_length=20)
    subject = models.CharField(_("统计对象"), max_length=200, blank=True)
    period_start = models.DateField(
        _("期间起始"), null=True, blank=True, help_text=_("时点留空。")
    )
    period_end = models.DateField(_("期间截止"))
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="figure_proposals",
        help_text=_("按统计对象建议的指标；确认前可另选。"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    observation = models.ForeignKey(
        Observation,
        verbose_name=_("观测值"),
        null=True,
        blank=True,
        # A confirmed figure keeps its observation: delete the proposal first.
        on_delete=models.PROTECT,
        related_name="figure_proposals",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提取时间"), auto_now_add=True)

    objects = FigureProposalQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start", "id"]
        verbose_name = _("数据提取建议")
        verbose_name_plural = _("数据提取建议")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "quote", "value", "unit"],
                name="figure_proposal_once_per_article",
                violation_error_message=_("这条数据已经提取过。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(observation__isnull=False),
                name="figure_proposal_confirmed_has_observation",
                violation_error_message=_("已确认的数据必须对应一个观测值。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value}{self.unit} {self.subject}"

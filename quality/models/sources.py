"""Where a registry row comes from, cited as a figure cites an outside source."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..formatting import source_text

#: The one address check of a cited source: a page a reader can open.
SOURCE_URL_MESSAGE = _("来源网址须以 http:// 或 https:// 开头。")
UNCITED_QUOTE_MESSAGE = _("引文须注明出处：请同时填写文件标题或来源网址。")


class Sourced(models.Model):
    """The source of a registry row: the fields (names, labels, lengths) and the
    label (``source_text``) of an observation's outside source
    (``Observation.source_publisher`` … ``quote``), so that the pages, the API and
    the files cite a registry row and a figure alike. All optional; a quote must
    say where it was read (a title or an address)."""

    SOURCE_FIELDS = (
        "source_publisher",
        "source_title",
        "source_on",
        "source_url",
        "quote",
    )

    source_publisher = models.CharField(
        _("发布机构"),
        max_length=100,
        blank=True,
        help_text=_("发布这条信息的机关或媒体，例如“烟台市市场监督管理局”。"),
    )
    source_title = models.CharField(
        _("文件标题"),
        max_length=200,
        blank=True,
        help_text=_("公告、名单、证书查询页或文章的标题。"),
    )
    source_on = models.DateField(
        _("发布日期"), null=True, blank=True, help_text=_("来源的发布日期。")
    )
    source_url = models.URLField(
        _("来源网址"),
        max_length=500,
        blank=True,
        # Its own code: a form would print its generic 请输入合法的URL。 for "invalid".
        validators=[
            URLValidator(
                schemes=["http", "https"],
                message=SOURCE_URL_MESSAGE,
                code="source_url_scheme",
            )
        ],
        help_text=_("读者能打开的网址，以 http:// 或 https:// 开头。"),
    )
    quote = models.TextField(
        _("原文引文"),
        blank=True,
        help_text=_("来源中记载这一条目的原句，照录；须同时填写文件标题或来源网址。"),
    )

    class Meta:
        abstract = True

    @staticmethod
    def source_constraints(
        prefix: str, *, document: Q | None = None
    ) -> list[models.CheckConstraint]:
        """The rules of ``check_source`` and of ``source_url``'s validator as the
        database's own (each registry's ``Meta.constraints``), so that a row written
        by ``QuerySet.update()``, a script or a bulk path that skips validation is
        refused too; the form and the API still say it first, on the field.
        ``document``: what else may cite a quote (``cites_a_document``)."""
        cited = ~Q(source_title="") | ~Q(source_url="")
        if document is not None:
            cited |= document
        return [
            models.CheckConstraint(
                condition=Q(source_url="")
                | Q(source_url__istartswith="http://")
                | Q(source_url__istartswith="https://"),
                name=f"{prefix}_source_url_http",
                violation_error_message=SOURCE_URL_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(quote="") | cited,
                name=f"{prefix}_quote_cited",
                violation_error_message=UNCITED_QUOTE_MESSAGE,
            ),
        ]

    def clean(self) -> None:
        super().clean()
        self.check_source()

    def cites_a_document(self) -> bool:
        """Whether the row names what its quote was read in."""
        return bool(self.source_title or self.source_url)

    def check_source(self) -> None:
        if self.quote and not self.cites_a_document():
            raise ValidationError(
                {"quote": ValidationError(UNCITED_QUOTE_MESSAGE, code="uncited_quote")}
            )

    @property
    def source_label(self) -> str:
        """The source as the public pages name it: ``发布机构《文件标题》``, the
        address when only that is known, else empty (nothing shown)."""
        return source_text(self.source_publisher, self.source_title) or self.source_url

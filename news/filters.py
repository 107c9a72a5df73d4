"""FilterSets of the news API: every query parameter a list endpoint accepts."""

from __future__ import annotations

import django_filters
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from api.filters import DateTimeFilter, IdListFilter

from . import search
from .models import Article, Byline, Channel, Person, Tag

MAX_TEXT = 100


class ArticleFilter(django_filters.FilterSet):
    id__in = IdListFilter(
        field_name="id",
        label=_("文章编号"),
        help_text=_("文章编号列表，英文逗号分隔，最多 100 个。"),
    )
    channel = django_filters.CharFilter(
        field_name="channel__slug",
        label=_("栏目"),
        max_length=80,
        help_text=_("栏目网址名，例如“质量强市”。"),
    )
    tag = django_filters.CharFilter(
        method="filter_tag", label=_("标签"), max_length=80, help_text=_("标签网址名。")
    )
    person = django_filters.CharFilter(
        method="filter_person",
        label=_("署名人员"),
        max_length=80,
        help_text=_("署名人员的网址名。"),
    )
    published_after = DateTimeFilter(
        field_name="published_at",
        lookup_expr="gte",
        label=_("发布时间起"),
        help_text=_(
            "发布时间不早于此时刻（ISO 8601，例如 2021-09-01T00:00:00+08:00）。"
        ),
    )
    published_before = DateTimeFilter(
        field_name="published_at",
        lookup_expr="lt",
        label=_("发布时间止"),
        help_text=_("发布时间早于此时刻（ISO 8601）。"),
    )
    q = django_filters.CharFilter(
        method="filter_q",
        label=_("关键词"),
        max_length=MAX_TEXT,
        help_text=_("全文检索（与网站搜索相同的中文分词），最多 100 字。"),
    )

    class Meta:
        model = Article
        fields: list[str] = []

    def filter_tag(self, queryset, name, value):
        # A subquery rather than a join: no duplicate rows, no DISTINCT.
        through = Article.tags.through
        return queryset.filter(
            pk__in=through.objects.filter(tag__slug=value).values("article_id")
        )

    def filter_person(self, queryset, name, value):
        return queryset.filter(
            pk__in=Byline.objects.filter(person__slug=value).values("article_id")
        )

    def filter_q(self, queryset, name, value):
        results = search.search(value)
        if not results.query:
            return queryset.none()
        # The same engine SQL as the site's search, used as an id subquery so that
        # the API's own filters, ordering and pagination still apply.
        key = "s.article_id" if connection.vendor == "postgresql" else "rowid"
        sql, params = results._engine_sql(key, order=False)
        return queryset.filter(pk__in=RawSQL(sql, params))


class NameFilter(django_filters.FilterSet):
    """A ``name`` substring filter: the one filter of the small lookup lists."""

    name = django_filters.CharFilter(
        lookup_expr="icontains",
        label=_("名称"),
        max_length=MAX_TEXT,
        help_text=_("名称包含此文字。"),
    )


class ChannelFilter(NameFilter):
    class Meta:
        model = Channel
        fields: list[str] = []


class TagFilter(NameFilter):
    class Meta:
        model = Tag
        fields: list[str] = []


class PersonFilter(NameFilter):
    name = django_filters.CharFilter(
        lookup_expr="icontains",
        label=_("名称"),
        max_length=MAX_TEXT,
        help_text=_("姓名包含此文字。"),
    )

    class Meta:
        model = Person
        fields: list[str] = []

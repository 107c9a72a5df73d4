"""Pagination for every list endpoint: page numbers or limit/offset, at most 100 items.

One class serves both styles so that every endpoint accepts either; both are capped, so
``?limit=100000000`` returns at most ``MAX_PAGE_SIZE`` items, and no request reaches
past the first ``MAX_OFFSET`` rows (400; an offset costs the database every row it
skips: 1.3 s at row 970,000 of the observations; filters reach any row in a few
pages). A page past the last row is 404, an offset past it an empty list (200):
each is DRF's convention for its style. A request may use one style only: ``page``
or ``page_size`` with ``limit`` or ``offset`` is a 400 naming them (the page was
silently ignored).

A view may cache its counts (``count_cache = "name"``): a big table's ``COUNT(*)``
costs the database every matching row (about 150 ms for 1,000,000 observations), and
the same filters are asked for again and again. The cached count is keyed on the
filters and on a generation token (``api.counts``) that ``bump_count_generation(name)``
replaces when the rows change (quality.signals, on commit), and lives at most
``COUNT_CACHE_SECONDS``.
"""

from __future__ import annotations

from django.core.paginator import Paginator as DjangoPaginator
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination, PageNumberPagination

from yantai.caching import shared_cached

from .counts import count_generation

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_OFFSET = 10_000
COUNT_CACHE_SECONDS = 300
# Parameters that choose a page or a format, not the rows counted.
NOT_FILTERS = {"page", "page_size", "limit", "offset", "ordering", "format"}


def count_of(queryset, request, view) -> int:
    """``queryset.count()``, from the shared cache when the view allows it."""
    name = getattr(view, "count_cache", None)
    if not name:
        return queryset.count()
    filters = sorted(
        (key, value)
        for key, values in request.query_params.lists()
        if key not in NOT_FILTERS
        for value in values
    )
    return shared_cached(
        "api:count",
        (name, count_generation(name), filters),
        COUNT_CACHE_SECONDS,
        queryset.count,
    )


def _offset_error(parameter: str):
    return ValidationError(
        {
            parameter: [
                _(
                    "翻页太深：最多只能取到前 %(max)s 条。请用筛选条件（指标、地区、"
                    "期间等）缩小范围。"
                )
                % {"max": f"{MAX_OFFSET:,}"}
            ]
        }
    )


class _CountedPaginator(DjangoPaginator):
    """Django's paginator with a count given in advance.

    A page is always a full slice of the rows: Django's would stop at ``count``,
    and a cached count a moment old must not hide the newest rows.
    """

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = count  # the cached_property, filled

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list[bottom : bottom + self.per_page]
        return self._get_page(rows, number, self)


class ApiPageNumberPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        number = request.query_params.get(self.page_query_param, "1")
        count = count_of(queryset, request, view)
        if number in self.last_page_strings:
            number = str(max(1, -(-count // page_size)))
        if number.isdigit() and MAX_OFFSET < (int(number) - 1) * page_size < count:
            raise _offset_error(self.page_query_param)
        self.django_paginator_class = lambda object_list, per_page: _CountedPaginator(
            object_list, per_page, count=count
        )
        return super().paginate_queryset(queryset, request, view)

    # Lazy: the schema is made in the language of its request (?lang=en).
    page_query_description = gettext_lazy(
        "页码，从 1 开始；超过最后一页为 404。不能与 limit、offset 同时使用。"
    )
    page_size_query_description = format_lazy(
        gettext_lazy("每页条数，默认 {default}，最多 {maximum}。"),
        default=DEFAULT_PAGE_SIZE,
        maximum=MAX_PAGE_SIZE,
    )


class ApiLimitOffsetPagination(LimitOffsetPagination):
    default_limit = DEFAULT_PAGE_SIZE
    max_limit = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.known_count = count_of(queryset, request, view)
        if MAX_OFFSET < self.get_offset(request) < self.known_count:
            raise _offset_error(self.offset_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_count(self, queryset):
        return self.known_count

    limit_query_description = format_lazy(
        gettext_lazy(
            "返回条数，默认 {default}，最多 {maximum}（与 offset 搭配使用，"
            "代替分页）。不能与 page、page_size 同时使用。"
        ),
        default=DEFAULT_PAGE_SIZE,
        maximum=MAX_PAGE_SIZE,
    )
    offset_query_description = gettext_lazy(
        "跳过的条数（与 limit 搭配使用）；超过总条数时返回空列表（200）。"
        "不能与 page、page_size 同时使用。"
    )


class ApiPagination(ApiPageNumberPagination):
    """Page numbers by default; limit/offset when the request has ``limit`` or ``offset``.

    Responses have the same shape either way: ``count``, ``next``, ``previous``,
    ``results``.
    """

    QUERY_PARAMS = ("page", "page_size", "limit", "offset")
    PAGE_PARAMS = ("page", "page_size")
    LIMIT_OFFSET_PARAMS = ("limit", "offset")

    def __init__(self):
        self.limit_offset = ApiLimitOffsetPagination()
        self.use_limit_offset = False

    def paginate_queryset(self, queryset, request, view=None):
        pages = [p for p in self.PAGE_PARAMS if p in request.query_params]
        limits = [p for p in self.LIMIT_OFFSET_PARAMS if p in request.query_params]
        if pages and limits:
            message = _("page/page_size 与 limit/offset 是两种分页方式，只能选用一种。")
            raise ValidationError({name: [message] for name in pages + limits})
        self.use_limit_offset = bool(limits)
        if self.use_limit_offset:
            return self.limit_offset.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.use_limit_offset:
            return self.limit_offset.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        descriptions = {
            "count": _("符合条件的总条数。"),
            "next": _("下一页的网址；已是最后一页时为 null。"),
            "previous": _("上一页的网址；已是第一页时为 null。"),
            "results": _("本页的条目，最多 %(maximum)s 条。")
            % {"maximum": MAX_PAGE_SIZE},
        }
        for name, text in descriptions.items():
            response["properties"][name]["description"] = text
        return response

    def get_schema_operation_parameters(self, view):
        return super().get_schema_operation_parameters(
            view
        ) + self.limit_offset.get_schema_operation_parameters(view)

    def get_html_context(self):
        if self.use_limit_offset:
            return self.limit_offset.get_html_context()
        return super().get_html_context()

    def to_html(self):
        if self.use_limit_offset:
            return self.limit_offset.to_html()
        return super().to_html()

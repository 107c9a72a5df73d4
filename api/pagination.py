"""Pagination for every list endpoint: page numbers or limit/offset, at most 100 items.

One class serves both styles so that every endpoint accepts either; both are capped, so
``?limit=100000000`` returns at most ``MAX_PAGE_SIZE`` items.
"""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination, PageNumberPagination

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class ApiPageNumberPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_query_description = "页码，从 1 开始。"
    page_size_query_description = (
        f"每页条数，默认 {DEFAULT_PAGE_SIZE}，最多 {MAX_PAGE_SIZE}。"
    )


class ApiLimitOffsetPagination(LimitOffsetPagination):
    default_limit = DEFAULT_PAGE_SIZE
    max_limit = MAX_PAGE_SIZE
    limit_query_description = f"返回条数，默认 {DEFAULT_PAGE_SIZE}，最多 {MAX_PAGE_SIZE}（与 offset 搭配使用，代替分页）。"
    offset_query_description = "跳过的条数（与 limit 搭配使用）。"


class ApiPagination(ApiPageNumberPagination):
    """Page numbers by default; limit/offset when the request has ``limit`` or ``offset``.

    Responses have the same shape either way: ``count``, ``next``, ``previous``,
    ``results``.
    """

    QUERY_PARAMS = ("page", "page_size", "limit", "offset")

    def __init__(self):
        self.limit_offset = ApiLimitOffsetPagination()
        self.use_limit_offset = False

    def paginate_queryset(self, queryset, request, view=None):
        self.use_limit_offset = any(
            p in request.query_params for p in ("limit", "offset")
        )
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
            "count": "符合条件的总条数。",
            "next": "下一页的网址；已是最后一页时为 null。",
            "previous": "上一页的网址；已是第一页时为 null。",
            "results": f"本页的条目，最多 {MAX_PAGE_SIZE} 条。",
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

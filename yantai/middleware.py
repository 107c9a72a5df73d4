"""Site-wide request guards."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def is_storable(text: str) -> bool:
    """Whether every database we run on can hold ``text`` in a text column.

    PostgreSQL refuses NUL in text (``DataError``, a 500 if it reaches a query);
    a lone surrogate cannot be encoded as UTF-8 for any driver.
    """
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class UnstorableTextMiddleware:
    """Answer 400 when the path or a query parameter holds text no column can hold.

    One guard in front of every view, admin page, feed and API endpoint, so that no
    such text ever becomes part of a query. (Invalid UTF-8 on the wire does not get
    here as text: Django keeps it percent-encoded in the path and decodes it to
    U+FFFD in the query string.) Request bodies go through forms and serializers,
    whose ``CharField`` already refuses NUL with a field error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._acceptable(request):
            return self._bad_request(request)
        return self.get_response(request)

    @staticmethod
    def _acceptable(request) -> bool:
        if not is_storable(request.path):
            return False
        for key, values in request.GET.lists():
            if not is_storable(key) or not all(is_storable(v) for v in values):
                return False
        return True

    @staticmethod
    def _bad_request(request):
        message = _("请求中含有无法处理的字符（如空字符），请检查链接或搜索词。")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": message},
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        return HttpResponseBadRequest(
            render_to_string("400.html", {"message": message})
        )

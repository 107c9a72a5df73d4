"""Site-wide request guards."""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from yantai.locks import is_busy
from yantai.text import echoed


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
    """Refuse text no column can hold in the path (404) or a query parameter (400).

    One guard in front of every view, admin page, feed and API endpoint, so that no
    such text ever becomes part of a query. A path with it names nothing, so it is
    Not Found (the site's 404 page); a query parameter with it is a Bad Request with
    a Chinese message. Under ``/api/`` both answer JSON ``{"detail": …}``. (Invalid
    UTF-8 on the wire does not get here as text: Django keeps it percent-encoded in
    the path and decodes it to U+FFFD in the query string.) Request bodies go
    through forms and serializers, whose ``CharField`` already refuses NUL with a
    field error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_storable(request.path):
            return self._refuse(request, 404)
        for key, values in request.GET.lists():
            if not is_storable(key) or not all(is_storable(v) for v in values):
                return self._refuse(request, 400)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, status: int):
        message = _("请求中含有无法处理的字符（如空字符），请检查链接或搜索词。")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": message},
                status=status,
                json_dumps_params={"ensure_ascii": False},
            )
        if status == 404:
            raise Http404(message)
        return HttpResponseBadRequest(
            render_to_string("400.html", {"message": message})
        )


class DrainRequestBodyMiddleware:
    """Read what is left of a request's body before the answer goes out.

    Django answers some requests without reading their body: a POST refused by the
    CSRF check (no cookie, say an upload after the session expired), a 404 or a
    405. Gunicorn's sync worker then closes the socket with the rest of the body
    unread, and the kernel resets the connection instead of closing it. nginx,
    still sending the body it buffered, gets the reset and
    answers 502 Bad Gateway in place of Django's page (gunicorn issue #872; one
    21 MB upload in three through the shipped nginx, 2026-12-04). Django's own
    runserver discards unread data the same way (``basehttp.ServerHandler``);
    gunicorn leaves it to the application.

    Only bodies the site could have accepted are read: up to the largest upload,
    the 批量导入 file (``BULK_IMPORT_UPLOAD_MAX_MB`` and the 10 MB more that
    deploy/nginx/yantai.conf lets through for it). A larger one is not read;
    nginx refuses it before it gets here.
    """

    CHUNK = 256 * 1024

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = (settings.BULK_IMPORT_UPLOAD_MAX_MB + 10) * 1024 * 1024

    def __call__(self, request):
        response = self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return response
        if 0 < length <= self.limit:
            try:
                while request.read(self.CHUNK):
                    pass
            except OSError:  # the client went away: nothing left to answer
                pass
        return response


class DatabaseBusyMiddleware:
    """503 with a message, not a 500, when SQLite stays locked past its busy timeout.

    SQLite has one writer at a time; a bulk import holds it for its whole file (all
    or nothing), and a write that waits longer than the busy timeout (20 s) fails
    with "database is locked". The failing request's transaction has been rolled
    back, so nothing of it is written; the reader or editor is told so, and to try
    again (``Retry-After``), in Chinese. Under ``/api/`` the answer is JSON
    ``{"detail": …}``. Any other database error stays a 500.
    """

    RETRY_AFTER_SECONDS = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy(exception):
            return None
        message = _(
            "网站正在写入大量数据（例如批量导入），您的请求未能完成，也未保存任何内容。"
            "请稍后重试：用浏览器的“后退”返回上一页再提交，填写的内容通常仍在。"
        )
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"detail": message},
                status=503,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            response = HttpResponse(
                render_to_string("503.html", {"message": message}), status=503
            )
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


class AdminActionIdsMiddleware:
    """An admin bulk action posted with a value that is no id of the changelist's
    model (a hand-made or damaged form: "abc", "1.5", a number past the column's
    range) gets the admin's error message and its changelist again, and nothing is
    done. Django's ``ModelAdmin.response_action`` puts the values into ``pk__in``
    unchecked, which fails with ``ValueError``: a 500. Every ModelAdmin's views carry
    their ``model_admin``; only a signed-in member of the admin is answered here
    (anyone else goes on to the admin's login)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        model_admin = getattr(view_func, "model_admin", None)
        if (
            model_admin is None
            or request.method != "POST"
            or ACTION_CHECKBOX_NAME not in request.POST
            or not model_admin.admin_site.has_permission(request)
        ):
            return None
        field = model_admin.model._meta.pk
        column = field
        while column.is_relation:  # a child model's id: its parent's
            column = column.target_field
        # The range of an integer id only: PostgreSQL's backend has none for a text
        # or UUID id (KeyError), SQLite's says (None, None).
        kind = column.get_internal_type()
        low, high = (
            connection.ops.integer_field_range(kind)
            if kind in connection.ops.integer_field_ranges
            else (None, None)
        )
        for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
            try:
                pk = field.to_python(value)
                valid = pk is not None and (
                    not isinstance(pk, int)
                    or (low is None or pk >= low)
                    and (high is None or pk <= high)
                )
            except ValidationError:
                valid = False
            if not valid:
                messages.error(
                    request,
                    _("所选条目的编号“%(value)s”无效，没有执行任何操作。")
                    % {"value": echoed(value)},
                )
                return HttpResponseRedirect(request.get_full_path())
        return None

"""Base classes shared by every API viewset."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.http.multipartparser import TooManyFieldsSent, TooManyFilesSent
from django.utils.translation import gettext_lazy as _
from drf_spectacular.settings import patched_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, permissions, routers, serializers, views
from rest_framework.settings import api_settings
from rest_framework.utils import formatting

from yantai.text import echoed

from .conditional import ConditionalGetMixin
from .filters import StrictFilterBackend, StrictOrderingFilter
from .throttling import ApiThrottled


class ApiViewMixin(ConditionalGetMixin):
    """Strict filters, allow-listed ordering and conditional GET for a viewset;
    405 for a method it does not have, before any permission is asked."""

    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: tuple[str, ...] = ("id",)

    def check_permissions(self, request):
        # DRF looks the handler up after the permissions: a method the endpoint
        # does not have was 401 or 403 ("您没有执行该操作的权限"), as if a token or a
        # permission would help, and 405 only for a superuser.
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise exceptions.MethodNotAllowed(request.method)
        super().check_permissions(request)


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions, reads included (``view_<model>``)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class ModelPermissionsOrAnonReadOnly(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Anyone reads; a write needs the model's add/change/delete permission.

    DRF builds the view's queryset on every request only to learn its model, then
    requires no permission of a read (~0.5 ms of a list); here a read is let through
    first.
    """

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS and not self.perms_map.get(
            request.method
        ):
            return True
        return super().has_permission(request, view)


# A viewset's page in the browsable API: whole patterns, not a suffix glued on
# (English puts a space between: "Tag list").
SUFFIXES = {"List": _("%(name)s列表"), "Instance": _("%(name)s详情")}


def view_name(view) -> str:
    """Names in the browsable API, in the request's language: a viewset's
    ``verbose_name`` + 列表/详情."""
    label = getattr(view, "verbose_name", None)
    if label is None:
        return views.get_view_name(view)
    if getattr(view, "name", None):
        return str(view.name)
    pattern = SUFFIXES.get(getattr(view, "suffix", None))
    return pattern % {"name": label} if pattern else str(label)


def view_description(view, html: bool = False) -> str:
    """The browsable API shows ``api_description`` (Chinese), not the docstring."""
    text = getattr(view, "api_description", None)
    if text is None:
        return views.get_view_description(view, html)
    return formatting.markup_description(str(text)) if html else str(text)


class ApiRootView(routers.APIRootView):
    """The API root lists every endpoint."""

    verbose_name = _("接口目录")
    api_description = _(
        "品质烟台公开接口。文档见 /api/docs/，结构说明见 /api/schema/。"
    )


class SchemaView(SpectacularAPIView):
    """drf-spectacular's schema view, in the language ``yantai.httpcache``'s
    ``LocaleMiddleware`` chose (``?lang=``, else Accept-Language, else Chinese).

    Its own ``?lang=`` handling activated whatever code a client sent, and Django
    builds and keeps a catalogue for every code it is asked for.
    """

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        with patched_settings(self.custom_settings):
            return self._get_schema_response(request)


def validation_detail(exc: DjangoValidationError) -> dict:
    """A model ValidationError as DRF error detail (``__all__`` → non_field_errors)."""
    detail = serializers.as_serializer_error(exc)
    if NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    return detail


class DatabaseUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = _("数据库暂时无法访问，请稍后再试。")
    default_code = "database_unavailable"


class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "body_too_large"

    def __init__(self):
        super().__init__(
            _("请求内容太大：最多 %(limit)s 字节。")
            % {"limit": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}"}
        )


# Seconds a client is asked to wait before retrying during a database outage.
RETRY_AFTER_SECONDS = 30


def not_found(request) -> JsonResponse:
    """The JSON 404 of an address under /api/ that no endpoint matches (an id the
    router's pattern does not take, ``/api/v1/observations/1e-5/``): the body of
    every other API 404, not the site's HTML page. ``handler404`` calls it."""
    return JsonResponse(
        {"detail": str(exceptions.NotFound.default_detail)},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


def exception_handler(exc, context):
    """DRF's handler, plus: a database that cannot be reached is a JSON 503, a
    missing row a 404 in Chinese, a body too big a JSON 413, Django's
    ValidationError a 400.

    ``OperationalError`` / ``InterfaceError`` are the server being down, restarting,
    out of connections or the file unreadable; without this the API would answer
    the HTML 500 page. Programming errors (``ProgrammingError``, ``DataError``) stay
    500s: they are our bugs, not an outage.

    A body past ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a JSON 413, one with too many
    form fields or files a JSON 400.

    Django's ``ValidationError`` (a model's ``full_clean``, a filter method, a lookup
    on a typed column) is a 400 shaped as a serializer's: ``{"<field>": [ … ]}``,
    ``non_field_errors`` for the rest, the Chinese messages kept (a filter's comes
    keyed by its parameter from ``api.filters.StrictFilterBackend``).

    DRF's 405 and 415 repeat the start of the method and the Content-Type a client
    sent, not all of it (``yantai.text.echoed``), in DRF's own words.

    DRF passes the message of Django's ``Http404`` on (``get_object_or_404``: "No
    Observation matches the given query.", English and naming a model class); a
    client gets DRF's own, translated "未找到。" instead.
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    # Django's limits on a body, met while DRF parses it: not DRF exceptions, so
    # they reached Django's HTML 400 page.
    elif isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(_("请求中的字段或文件太多。"))
    # A model's clean or a filter refusing a value outside any serializer: a 400
    # in DRF's shape, not a 500 (DRF leaves Django's ValidationError alone).
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    # DRF's 429 (APIView.throttled) in one sentence (api.throttling.ApiThrottled).
    elif isinstance(exc, exceptions.Throttled) and not isinstance(exc, ApiThrottled):
        exc = ApiThrottled(exc.wait)
    # DRF's 405 and 415 name the method and the Content-Type as sent, of any
    # length: the same message with their start (yantai.text.echoed).
    elif isinstance(exc, exceptions.MethodNotAllowed):
        exc = exceptions.MethodNotAllowed(echoed(context["request"].method))
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        exc = exceptions.UnsupportedMediaType(echoed(context["request"].content_type))
    if isinstance(exc, OperationalError | InterfaceError):
        response = views.exception_handler(DatabaseUnavailable(), context)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return views.exception_handler(exc, context)

"""drf-spectacular extensions for the api app, loaded with ``AutoSchema``
(``DEFAULT_SCHEMA_CLASS``) before any schema is made."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.authentication import SessionScheme as BaseSessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import get_view_model
from rest_framework import permissions

from .conditional import ConditionalGetMixin
from .throttling import RatesFromSettingsMixin

# The body of every error response (DRF's): ``{"detail": …}`` for the request as a
# whole, ``{"<field>": [ … ]}`` naming each field (nested fields: an object).
ERROR_COMPONENT = "Error"
ERROR_DESCRIPTIONS = {
    "400": _(
        "请求有误：参数或字段不合法。detail 说明整个请求的问题；"
        "以参数或字段名为键的消息列表说明各自的问题。"
    ),
    "401": _("未登录或令牌无效（HTTP Basic 也是 401）。"),
    "403": _("没有执行该操作的权限。"),
    "404": _("未找到：编号不存在或不公开，或页码超过最后一页。"),
    "412": _("If-Match 中的 ETag 已过期：该条目已被修改，请重新读取后再改。"),
    "413": _("请求内容太大。"),
    "428": _("缺少 If-Match 请求头（先 GET 取得 ETag）。"),
    "429": _("请求过于频繁，请在 Retry-After 秒后再试。"),
}

FORMAT_DESCRIPTION = _(
    "返回格式：json（默认）、csv（表格）或 api（浏览器中的可浏览接口）；"
    "也可用 Accept 请求头选择。"
)

# Of a response that has no description of its own, by status code.
RESPONSE_DESCRIPTIONS = {
    "200": _("成功。"),
    "201": _("已创建。"),
    "204": _("成功，无内容。"),
}


# The response headers of ``api.throttling`` (draft-ietf-httpapi-ratelimit-headers)
# and of ``api.conditional``, as documented on the responses that carry them.
RATE_LIMIT_HEADERS = {
    "RateLimit-Policy": _(
        "本次请求计入的限流配额（draft-ietf-httpapi-ratelimit-headers）：如 "
        '`"anon";q=300;w=60`，每 w 秒最多 q 次请求；anon 按客户端地址计（匿名请求'
        "和无效的令牌），user 按登录用户或令牌计。限流计入的响应都带此头，"
        "错误和 429 也带。"
    ),
    "RateLimit": _(
        '本次请求后剩余的额度：如 `"anon";r=297;t=42`，r 为当前窗口内还能发送的'
        "请求数，t 为再过多少秒（向上取整）释放一个名额；429 时 t 与 Retry-After 相同。"
    ),
}
ETAG_DESCRIPTION = _(
    "内容的实体标签（ETag）：下次请求时放在 If-None-Match 请求头中，"
    "内容未变则返回 304（无正文）。"
)


def _string_header(description) -> dict:
    return {"schema": {"type": "string"}, "description": str(description)}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, Chinese-first, also documenting anonymous reads
    of viewsets guarded by ``DjangoModelPermissionsOrAnonReadOnly`` (it only knows
    ``AllowAny`` and ``IsAuthenticatedOrReadOnly``): their GETs need no token.

    Descriptions are the Chinese ones the browsable API shows, not docstrings (the
    code's English): an operation's is its ``extend_schema(description=…)`` or the
    viewset's ``api_description``; a component's its serializer's
    ``api_description``, or none; an id's “文章的编号”, not DRF's “标识此 文章 的
    唯一整数值” (its translation puts the model's name between spaces).
    """

    def get_description(self):
        text = getattr(self.view, "api_description", None)
        return super().get_description() if text is None else str(text)

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        text = getattr(serializer, "api_description", None)
        if text is None:
            schema.pop("description", None)
        else:
            schema["description"] = str(text)
        return schema

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        model = get_view_model(self.view, emit_warnings=False)
        if model is not None and isinstance(model._meta.pk, models.AutoField):
            for parameter in parameters:
                if parameter["name"] in ("pk", "id", self.view.lookup_url_kwarg):
                    parameter["description"] = str(
                        _("%(name)s的编号（唯一整数）。")
                        % {"name": model._meta.verbose_name}
                    )
        return parameters

    def _get_response_headers_for_code(self, status_code, direction="response"):
        """Besides the headers an ``extend_schema`` names: ``RateLimit-Policy`` and
        ``RateLimit`` where one of our throttles with a rate counts the view's
        requests (every API view, under the default throttles; they are what
        ``RateLimitHeadersMiddleware`` reports), and the ``ETag`` of every 200 of a
        GET (``api.conditional.ConditionalGetMixin``). ``document_errors`` gives
        the error responses the rate headers of the success one."""
        headers = {}
        if any(
            isinstance(throttle, RatesFromSettingsMixin) and throttle.rate
            for throttle in self.view.get_throttles()
        ):
            headers.update(
                {n: _string_header(d) for n, d in RATE_LIMIT_HEADERS.items()}
            )
        if (
            self.method == "GET"
            and str(status_code) == "200"
            and isinstance(self.view, ConditionalGetMixin)
        ):
            headers["ETag"] = _string_header(ETAG_DESCRIPTION)
        headers.update(super()._get_response_headers_for_code(status_code, direction))
        return headers

    def get_auth(self):
        auths = super().get_auth()
        anonymous_reads = any(
            isinstance(p, permissions.DjangoModelPermissionsOrAnonReadOnly)
            for p in self.view.get_permissions()
        )
        safe = self.method in permissions.SAFE_METHODS
        if anonymous_reads and safe and {} not in auths:
            auths.append({})
        return auths


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(
                _("在管理后台创建的接口令牌：“Token <令牌>”或“Bearer <令牌>”。")
            ),
        }


class SessionScheme(BaseSessionScheme):
    """The session login (``cookieAuth``) of ``api.authentication``'s subclass."""

    target_class = "api.authentication.SessionAuthentication"


def describe_format_parameter(result, generator, request, public):
    """Postprocessing hook: describe the ``format`` query parameter everywhere."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("name") == "format" and parameter.get("in") == "query":
                    parameter.setdefault("description", str(FORMAT_DESCRIPTION))
    return result


def describe_responses(result, generator, request, public):
    """Postprocessing hook: a Chinese description for each response without one
    (drf-spectacular leaves a 200 or 201 with ``description: ""``)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for code, response in operation.get("responses", {}).items():
                if not response.get("description") and code in RESPONSE_DESCRIPTIONS:
                    response["description"] = str(RESPONSE_DESCRIPTIONS[code])
    return result


def _error_schema() -> dict:
    return {
        "type": "object",
        "description": str(
            _(
                "错误。整个请求的问题在 detail；参数或字段的问题以其名称为键，"
                "值为消息列表（嵌套字段为对象）。消息为中文。"
                "网址不支持的请求方法为 405（响应头 Allow 列出可用的方法），"
                "数据库暂时无法访问为 503（带 Retry-After），正文也是此格式。"
            )
        ),
        "properties": {
            "detail": {
                "type": "string",
                "description": str(_("整个请求的错误消息。")),
            }
        },
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "object"},
                {"type": "array", "items": {"type": "object"}},
            ]
        },
    }


def _error_codes(operation: dict, method: str) -> list[str]:
    """The errors a client can meet on ``operation``: bad parameters, credentials
    and rates anywhere; 403 where a permission is needed; 404 where an id is in the
    path or a page is asked for; 412/428 with If-Match; 413 with a body."""
    parameters = operation.get("parameters", [])
    names = {(p.get("in"), p.get("name")) for p in parameters}
    codes = ["400", "401", "429"]
    if method.upper() not in ("GET", "HEAD") or {} not in operation.get(
        "security", [{}]
    ):
        codes.append("403")
    if any(where == "path" for where, _name in names) or ("query", "page") in names:
        codes.append("404")
    if ("header", "If-Match") in names:
        codes += ["412", "428"]
    if "requestBody" in operation:
        codes.append("413")
    return sorted(codes)


def document_errors(result, generator, request, public):
    """Postprocessing hook: the common error responses of every operation, each
    with the one ``Error`` body (in every format the success response has: a
    ``?format=csv`` request gets its error as CSV)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_COMPONENT] = _error_schema()
    ref = f"#/components/schemas/{ERROR_COMPONENT}"
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            media_types = ["application/json"]
            for code, response in responses.items():
                if code.startswith("2"):
                    media_types = list(response.get("content", {})) or media_types
                    break
            # A throttle that counted the request counts its error too (the 401 of
            # a refused credential and the 429 included): the same rate headers.
            rate_headers = {
                name: header
                for response in responses.values()
                for name, header in response.get("headers", {}).items()
                if name in RATE_LIMIT_HEADERS
            }
            for code in _error_codes(operation, method):
                response = {
                    "description": str(ERROR_DESCRIPTIONS[code]),
                    "content": {m: {"schema": {"$ref": ref}} for m in media_types},
                }
                headers = dict(rate_headers)
                if code == "429":
                    headers["Retry-After"] = {
                        "schema": {"type": "integer"},
                        "description": str(_("再试之前需等待的秒数。")),
                    }
                if headers:
                    response["headers"] = headers
                responses.setdefault(code, response)
            operation["responses"] = dict(sorted(responses.items()))
    return result

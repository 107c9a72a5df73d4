"""drf-spectacular extensions for the api app, loaded with ``AutoSchema``
(``DEFAULT_SCHEMA_CLASS``) before any schema is made."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.authentication import SessionScheme as BaseSessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import get_view_model
from rest_framework import permissions

# Of a response that has no description of its own, by status code.
RESPONSE_DESCRIPTIONS = {
    "200": _("成功。"),
    "201": _("已创建。"),
    "204": _("成功，无内容。"),
}


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
            "description": "在管理后台创建的接口令牌：“Token <令牌>”或“Bearer <令牌>”。",
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
                    parameter.setdefault(
                        "description",
                        "返回格式：json（默认）、csv（表格）或 api（浏览器中的可浏览接口）；"
                        "也可用 Accept 请求头选择。",
                    )
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

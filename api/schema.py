"""drf-spectacular extensions for the api app, loaded with ``AutoSchema``
(``DEFAULT_SCHEMA_CLASS``) before any schema is made."""

from drf_spectacular import openapi
from drf_spectacular.authentication import SessionScheme as BaseSessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import permissions


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, also documenting anonymous reads of viewsets
    guarded by ``DjangoModelPermissionsOrAnonReadOnly`` (it only knows ``AllowAny``
    and ``IsAuthenticatedOrReadOnly``): their GETs need no token."""

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

"""Security response headers Django has no setting for.

Content-Security-Policy comes from django-csp (``CONTENT_SECURITY_POLICY`` in
settings), through ``CSPMiddleware`` here; this module adds Permissions-Policy.
"""

import http.client

from csp import middleware as csp_middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from js_asset import Media

# What a view's django-csp decorators leave on the response for the middleware.
_RESPONSE_POLICY_PARTS = tuple(
    f"_csp_{part}{suffix}"
    for part in ("config", "update", "replace")
    for suffix in ("", "_ro")
)


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware, with the policy of a response that changes nothing
    of it built once.

    django-csp builds both headers (the policy and the report-only policy) from the
    settings on every response. A response whose request used no nonce and whose
    view changed nothing of the policy (django-csp's decorators) gets the same
    headers every time: those are built once for the settings in force (again when
    they change, as in tests) and set under django-csp's own conditions. Any other
    response goes through django-csp unchanged.
    """

    def __init__(self, get_response):
        super().__init__(get_response)
        self._built: dict[bool, tuple] = {}

    def _policy(self, report_only: bool) -> tuple[str, dict]:
        name = (
            "CONTENT_SECURITY_POLICY_REPORT_ONLY"
            if report_only
            else "CONTENT_SECURITY_POLICY"
        )
        config = getattr(settings, name, None)
        built = self._built.get(report_only)
        if built is None or built[0] is not config:
            built = (config, build_policy(report_only=report_only))
            self._built[report_only] = built
        return built[1], config or {}

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _RESPONSE_POLICY_PARTS
        ):
            return super().process_response(request, response)
        # From here on, as csp.middleware.CSPMiddleware.process_response.
        if settings.DEBUG and response.status_code in (
            http.client.INTERNAL_SERVER_ERROR,
            http.client.NOT_FOUND,
        ):
            return response
        for header, report_only in ((HEADER, False), (HEADER_REPORT_ONLY, True)):
            policy, config = self._policy(report_only)
            exempt = "_csp_exempt_ro" if report_only else "_csp_exempt"
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(
                    tuple(config.get("EXCLUDE_URL_PREFIXES", None) or ())
                )
            ):
                response[header] = policy
        # No nonce was used: one asked for after the header is written is an error.
        request.csp_nonce = csp_middleware.CheckableLazyObject(
            self._csp_nonce_post_response
        )
        return response


def permissions_policy_header(features: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` → ``camera=(), fullscreen=(self)``."""
    return ", ".join(
        f"{feature}=({' '.join(origins)})" for feature, origins in features.items()
    )


class PermissionsPolicyMiddleware:
    """Put ``settings.PERMISSIONS_POLICY`` on every response as Permissions-Policy.

    A view that sets the header itself keeps its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class NonceMediaAdminMixin:
    """Give a change form's media the request's CSP nonce.

    django-prose-editor loads its modules through an inline
    ``<script type="importmap">``, which the policy blocks without the nonce;
    js_asset's ``Media`` writes the nonce on every tag it renders. The admin page is
    never cached, so the nonce matches this response's header.
    """

    def render_change_form(self, request, context, *args, **kwargs):
        nonce = getattr(request, "csp_nonce", None)
        if nonce is not None and context.get("media") is not None:
            context["media"] = Media.from_media(context["media"], nonce=str(nonce))
        return super().render_change_form(request, context, *args, **kwargs)

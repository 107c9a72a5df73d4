"""Security response headers Django has no setting for.

Content-Security-Policy comes from django-csp (``CONTENT_SECURITY_POLICY`` in
settings); this module adds Permissions-Policy.
"""

from django.conf import settings
from js_asset import Media


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

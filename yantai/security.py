"""Security response headers Django has no setting for.

Content-Security-Policy comes from django-csp (``CONTENT_SECURITY_POLICY`` in
settings); this module adds Permissions-Policy.
"""

from django.conf import settings


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

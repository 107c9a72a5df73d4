"""The article form's local copy: telling the browser that a save went through.

``static/js/article-local-copy.js`` keeps the add/change form's values in the
browser's localStorage while they are unsaved, and must drop them once saved. A
form submission's answer is a redirect the script never sees, and a page that
comes back is no proof (a login page after the session ended, the form again with
errors, a browser error page after a network failure). So the admin says it: a
successful add or change (``response_add`` / ``response_change``, which the admin
calls only after saving) sets the cookie ``SAVED_COOKIE`` to ``user:article`` (or
``user:new`` for the add form), and the script, loaded on every admin page, removes
those copies on whatever page the save led to and deletes the cookie.
"""

from __future__ import annotations

import re

from django.urls import reverse

SAVED_COOKIE = "yantai_article_saved"
# Several saves before a page reads the cookie (popups, tabs): the newest few.
_KEEP_ENTRIES = 20
_ENTRY = re.compile(r"\d+:(new|\d+)")
_SAVED_COOKIE_SECONDS = 24 * 3600


def saved_cookie_value(previous: str, entry: str) -> str:
    """``previous`` (the cookie as the browser sent it) with ``entry`` added."""
    entries = [e for e in previous.split("|") if _ENTRY.fullmatch(e) and e != entry]
    return "|".join([*entries, entry][-_KEEP_ENTRIES:])


class LocalCopyAdminMixin:
    """Mixed into ``ArticleAdmin``: mark a successful save for the form's script."""

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        return self._saved(request, response, "new")

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        return self._saved(request, response, str(obj.pk))

    def _saved(self, request, response, article: str):
        value = saved_cookie_value(
            request.COOKIES.get(SAVED_COOKIE, ""), f"{request.user.pk}:{article}"
        )
        response.set_cookie(
            SAVED_COOKIE,
            value,
            max_age=_SAVED_COOKIE_SECONDS,
            path=reverse("admin:index"),
            secure=request.is_secure(),
            httponly=False,  # read and deleted by the script
            samesite="Lax",
        )
        return response

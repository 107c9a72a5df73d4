"""正在编辑: who has an article's change form open now.

The change page beats (``static/js/admin-presence.js``) every ``BEAT_SECONDS`` while it
is open and says goodbye on ``pagehide``; someone counts as present for
``PRESENT_SECONDS`` after their last beat, so a closed tab whose goodbye got lost
still drops out within a minute, and one lost beat does not.

The store is the ``shared`` cache, which every worker (and, with
SHARED_CACHE=database, every host) sees. Neither backend can update a value in
place, so a read-modify-write of one per-article dict by two workers at once would
lose one of the writes, and a goodbye could be undone by someone else's beat. Hence
one key per (article, person), written only by that person's own beats and deleted
by their goodbye, plus a per-article index of who might be present. Only the index
is read-modified-written, and only when someone is missing from it (a first beat,
or after the cache dropped it): a join lost to a concurrent join is redone by the
next beat, ``BEAT_SECONDS`` later, well inside ``PRESENT_SECONDS``.

A beat sent just before leaving can reach the server after the goodbye (another
worker, another thread). So that it does not bring the person back for
``PRESENT_SECONDS``, each page load names itself (``page``, made up by the script)
and a goodbye leaves a short-lived mark that turns that page's late beats away.
"""

from __future__ import annotations

import re

from django.contrib.admin.utils import unquote
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.utils import timezone

from .revisions import user_display_name

BEAT_SECONDS = 20
PRESENT_SECONDS = 45
# Cache lifetimes only collect garbage: presence is decided by the beat's own time
# (``timezone.now()``), not by the cache's clock.
_BEAT_KEEP_SECONDS = 2 * PRESENT_SECONDS
# Kept alive by every beat (``touch``); gone some minutes after the last one leaves.
_INDEX_KEEP_SECONDS = 10 * 60
_PAGE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _index_key(article_pk: int) -> str:
    return f"news:presence:{article_pk}"


def _beat_key(article_pk: int, user_pk: int) -> str:
    return f"news:presence:{article_pk}:{user_pk}"


def _left_key(article_pk: int, user_pk: int, page: str) -> str:
    return f"news:presence:{article_pk}:{user_pk}:left:{page}"


def _present(article_pk: int, user_pks: list[int], now: float) -> dict[int, str]:
    """Of ``user_pks``, those whose last beat is recent enough: id → name."""
    keys = {uid: _beat_key(article_pk, uid) for uid in user_pks}
    beats = caches["shared"].get_many(list(keys.values()))
    present = {}
    for uid, key in keys.items():
        name, at = beats.get(key, ("", 0.0))
        if now - at < PRESENT_SECONDS:
            present[uid] = name
    return present


def presence_beat(*, article_pk: int, user_pk: int, name: str, page: str = "") -> None:
    """Note that ``user_pk`` (shown as ``name``) has article ``article_pk`` open now.

    ``page``: which page load beats; none for the server's own beat when it renders
    the form. A page that has said goodbye is not recorded again.
    """
    shared = caches["shared"]
    if page and shared.get(_left_key(article_pk, user_pk, page)):
        return
    now = timezone.now().timestamp()
    shared.set(_beat_key(article_pk, user_pk), (name, now), _BEAT_KEEP_SECONDS)
    index_key = _index_key(article_pk)
    index = shared.get(index_key) or []
    if user_pk in index:
        shared.touch(index_key, _INDEX_KEEP_SECONDS)
        return
    # Joining: drop whoever has gone meanwhile, so the index stays small.
    index = [*_present(article_pk, index, now), user_pk]
    shared.set(index_key, index, _INDEX_KEEP_SECONDS)


def presence_leave(*, article_pk: int, user_pk: int, page: str = "") -> None:
    """``user_pk`` has left article ``article_pk``'s change form (page load ``page``).

    The index keeps their id until the next join prunes it: rewriting it here could
    race with a join. With the article open in two tabs, closing one hides the
    person until the other tab's next beat.
    """
    shared = caches["shared"]
    if page:
        shared.set(_left_key(article_pk, user_pk, page), True, PRESENT_SECONDS)
    shared.delete(_beat_key(article_pk, user_pk))


def presence_others(*, article_pk: int, user_pk: int) -> list[str]:
    """Names of the people other than ``user_pk`` who have the article open now."""
    index = caches["shared"].get(_index_key(article_pk)) or []
    others = [uid for uid in index if uid != user_pk]
    return list(_present(article_pk, others, timezone.now().timestamp()).values())


def presence_visit(*, article_pk: int, user, record: bool, page: str = "") -> list[str]:
    """Who else has the article open; with ``record``, ``user`` has it open too.

    ``record`` only for people who may change the article: someone who can only
    view it is no risk to anybody's save.
    """
    if record:
        presence_beat(
            article_pk=article_pk,
            user_pk=user.pk,
            name=user_display_name(user),
            page=page,
        )
    return presence_others(article_pk=article_pk, user_pk=user.pk)


class EditingPresenceAdminMixin:
    """Mixed into ``ArticleAdmin``: the change page's heartbeat and goodbye."""

    def get_urls(self):
        view = self.admin_site.admin_view
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/presence/",
                view(self.presence_view),
                name="{}_{}_presence".format(*info),
            ),
            path(
                "<path:object_id>/presence/leave/",
                view(self.presence_leave_view),
                name="{}_{}_presence_leave".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "presence_beat_seconds": BEAT_SECONDS}
        return super().change_view(request, object_id, form_url, extra_context)

    def _presence_object(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    @staticmethod
    def _page(request) -> str:
        page = request.POST.get("page", "")
        return page if _PAGE.fullmatch(page) else ""

    def presence_view(self, request, object_id):
        """POST (CSRF-checked by ``admin_view``): a beat; answers ``{"others": […]}``."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._presence_object(request, object_id)
        others = presence_visit(
            article_pk=obj.pk,
            user=request.user,
            record=self.has_change_permission(request, obj),
            page=self._page(request),
        )
        return JsonResponse({"others": others})

    def presence_leave_view(self, request, object_id):
        """POST from ``navigator.sendBeacon`` on ``pagehide`` (token in the body)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._presence_object(request, object_id)
        presence_leave(
            article_pk=obj.pk, user_pk=request.user.pk, page=self._page(request)
        )
        return HttpResponse(status=204)

"""Signal receivers of the news app: keep the search index in step with articles,
and make stale the cached pages that show a renamed channel, tag, person or cover.

Connected in ``NewsConfig.ready()``. Every save, publish, unpublish and reschedule of
an article, and every change of its tags or bylines, re-indexes it; the index holds
published articles only (``news.search.index_article`` decides). Deleting an article
deletes its index row through the ``ArticleSearch`` foreign key (CASCADE). A person's
name, when saved, is taught to the segmenter and the articles mentioning it are
re-indexed.

Publication and withdrawal make their pages stale in ``news.workflow`` itself (the
one write path); here only what a page shows beside the article and is edited on
its own (``news.pagecache``, docs/architecture.md "The page cache").

An image an article uses is never deleted (``news.images.image_delete_guard``); a
deleted image's files leave storage when the deletion commits. Nor is an article
that was ever published, but by ``news.services.articles_delete``
(``news.services.article_delete_guard``), nor its live revision or the publications
of its timeline but with it (``revision_delete_guard``, ``event_delete_guard``).
"""

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
)
from django.dispatch import receiver

from . import images, pagecache, search, services
from .models import (
    Article,
    ArticleEvent,
    Byline,
    Channel,
    Image,
    Person,
    Revision,
    SiteSettings,
    Tag,
)
from .revisions import drafts_tag_renamed


def once_on_commit(key, func) -> None:
    """Run ``func`` once when the current transaction commits, however often asked.

    One form save writes the article, its tags and its bylines: each write asks for
    a re-index, and the index is written once, from the final state. Every request
    queues a callback holding the key's current token; the first of them to run
    after the commit takes the token and runs ``func``, the others find it gone. A
    rolled-back request leaves its token for the next one, which then runs.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        func()
        return
    pending = connection.__dict__.setdefault("news_once_on_commit", {})
    token = pending.setdefault(key, object())

    def run():
        if pending.get(key) is token:
            del pending[key]
            func()

    transaction.on_commit(run, robust=True)


def _reindex_on_commit(article_id: int) -> None:
    # After commit, so a rolled-back edit never reaches the index, and the many saves
    # of one admin form (article, tags, bylines) are indexed once, from their final
    # state.
    once_on_commit(("reindex", article_id), lambda: search.index_article(article_id))


@receiver(post_save, sender=Article, dispatch_uid="news_search_article_saved")
def article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _reindex_on_commit(instance.pk)


@receiver(
    m2m_changed, sender=Article.tags.through, dispatch_uid="news_search_tags_changed"
)
def article_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # tag.articles.add(...): ``instance`` is the tag
        ids = pk_set or []
        for article_id in ids:
            _reindex_on_commit(article_id)
    else:
        _reindex_on_commit(instance.pk)


@receiver(post_save, sender=Byline, dispatch_uid="news_search_byline_saved")
@receiver(post_delete, sender=Byline, dispatch_uid="news_search_byline_deleted")
def byline_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _reindex_on_commit(instance.article_id)


@receiver(post_save, sender=Tag, dispatch_uid="news_search_tag_renamed")
@receiver(post_save, sender=Person, dispatch_uid="news_search_person_renamed")
def name_changed(sender, instance, created=False, raw=False, **kwargs):
    if created or raw:
        return
    if sender is Tag:
        ids = instance.articles.values_list("pk", flat=True)
    else:
        ids = Article.objects.filter(bylines__person=instance).values_list(
            "pk", flat=True
        )
    for article_id in set(ids):
        _reindex_on_commit(article_id)


# Set by ``mentions_indexed_together``: the names of the people created meanwhile.
_created_names: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "news_created_names", default=None
)


@contextmanager
def mentions_indexed_together():
    """For people created inside (the bulk import creates a batch's at once): their
    names taught and the articles mentioning them re-indexed at the commit by one
    ``search.index_mentions`` of them all, not one scan of the articles a name."""
    names: list[str] = []
    reset = _created_names.set(names)
    try:
        yield
    finally:
        _created_names.reset(reset)
    if names:
        transaction.on_commit(lambda: search.index_mentions(*names), robust=True)


@receiver(post_save, sender=Person, dispatch_uid="news_search_person_name_learnt")
def person_saved(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    if created and (together := _created_names.get()) is not None:
        together.append(instance.name)
        return
    # At commit, like the index writes: a rolled-back name is never learnt. A new
    # person's name other processes find by its id; a renamed one by the token.
    name = instance.name

    def learnt():
        if not created:
            search.names_changed()
        search.index_mentions(name)

    transaction.on_commit(learnt, robust=True)


# --- the page cache ----------------------------------------------------------------
#
# Publication and withdrawal make their pages stale in news.workflow, the one write
# path; here the things an article page shows that are edited on their own.

_SHOWN = {Channel: ("name", "slug"), Tag: ("name", "slug"), Person: ("name", "slug")}


def _published(articles):
    return articles.filter(status=Article.Status.PUBLISHED)


@receiver(pre_save, sender=Channel, dispatch_uid="pages_channel_before")
@receiver(pre_save, sender=Tag, dispatch_uid="pages_tag_before")
@receiver(pre_save, sender=Person, dispatch_uid="pages_person_before")
def remember_shown_names(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    fields = _SHOWN[sender]
    instance._shown_before = (
        sender.objects.filter(pk=instance.pk).values_list(*fields).first()
    )


@receiver(post_save, sender=Channel, dispatch_uid="pages_channel_saved")
@receiver(post_save, sender=Tag, dispatch_uid="pages_tag_saved")
@receiver(post_save, sender=Person, dispatch_uid="pages_person_saved")
def shown_names_saved(sender, instance, created=False, raw=False, **kwargs):
    """A renamed channel, tag or person: the pages of its published articles."""
    if raw:
        return
    if sender is Channel:
        pagecache.public_changed()  # the channel menu (order, a new channel)
    before = getattr(instance, "_shown_before", None)
    now = tuple(getattr(instance, name) for name in _SHOWN[sender])
    if created or before is None or before == now:
        return
    if sender is Tag and before[0] != instance.name:
        drafts_tag_renamed(old=before[0], new=instance.name)
    if sender is Channel:
        articles = Article.objects.filter(channel=instance)
    elif sender is Tag:
        articles = Article.objects.filter(tags=instance)
    else:
        articles = Article.objects.filter(bylines__person=instance)
    pagecache.pages_touch(_published(articles))


# 责任编辑 shows the user's full name (or user name) on the pages of the articles they
# are responsible for. A login writes ``last_login`` only: no lookup then.
_EDITOR_NAMES = ("first_name", "last_name", "username")


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="pages_editor_before")
def remember_editor_name(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._shown_before = None  # not an earlier save's
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(_EDITOR_NAMES):
        return
    instance._shown_before = (
        sender.objects.filter(pk=instance.pk).values_list(*_EDITOR_NAMES).first()
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="pages_editor_saved")
def editor_name_saved(sender, instance, created=False, raw=False, **kwargs):
    """A renamed 责任编辑: the pages of their published articles."""
    before = getattr(instance, "_shown_before", None)
    if raw or created or before is None:
        return
    if before != tuple(getattr(instance, name) for name in _EDITOR_NAMES):
        _editor_pages_touch(instance)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="pages_editor_gone")
def editor_deleted(sender, instance, **kwargs):
    """A deleted 责任编辑 leaves their articles' pages (the link is set to NULL
    without a save of the articles)."""
    _editor_pages_touch(instance)


def _editor_pages_touch(user) -> None:
    # Most accounts are responsible for no published article: then nothing readers
    # see changed, and the public token stays.
    articles = _published(Article.objects.filter(responsible_editor=user))
    if articles.exists():
        pagecache.pages_touch(articles)


@receiver(post_save, sender=Image, dispatch_uid="pages_image_saved")
def cover_changed(sender, instance, created=False, raw=False, **kwargs):
    """A cover's caption, credit, text or file shows on the pages using it.

    Deleting one touches no page: an image an article uses cannot be deleted
    (``image_deleting``)."""
    if raw or created:
        return
    pagecache.pages_touch(_published(Article.objects.filter(cover=instance)))


@receiver(pre_delete, sender=Image, dispatch_uid="news_image_deleting")
def image_deleting(sender, instance, **kwargs):
    """Refuse (``ProtectedError``) to delete an image an article uses, whatever
    the path: the admin and ``images_delete`` check first and say which articles;
    this catches a script's or the shell's ``delete()`` too."""
    images.image_delete_guard(instance)


@receiver(post_delete, sender=Image, dispatch_uid="news_image_deleted")
def image_deleted(sender, instance, **kwargs):
    """A deleted image's files go too, once the deletion commits."""
    images.image_files_delete_on_commit(instance)


@receiver(pre_delete, sender=Tag, dispatch_uid="pages_tag_deleted")
def tag_deleted(sender, instance, **kwargs):
    """A deleted tag leaves the pages and the search index of its articles at once.

    Django deletes the tag's links without ``m2m_changed``: the articles are
    re-indexed here, at commit, from the tags they have left."""
    articles = _published(Article.objects.filter(tags=instance))
    for article_id in set(articles.values_list("pk", flat=True)):
        _reindex_on_commit(article_id)
    pagecache.pages_touch(articles)


@receiver(post_delete, sender=Channel, dispatch_uid="pages_channel_deleted")
def channel_deleted(sender, instance, **kwargs):
    pagecache.public_changed()


@receiver(post_save, sender=SiteSettings, dispatch_uid="pages_site_settings_saved")
@receiver(post_delete, sender=SiteSettings, dispatch_uid="pages_site_settings_deleted")
def site_settings_changed(sender, instance, raw=False, **kwargs):
    """The footer of every page (a shared fragment, not part of a cached page)."""
    if not raw:
        pagecache.public_changed()


@receiver(pre_delete, sender=Article, dispatch_uid="news_article_deleting")
def article_deleting(sender, instance, using, **kwargs):
    """Refuse (``ProtectedError``) to delete an article that was ever published,
    whatever the path: the admin and ``articles_delete`` check first and keep the
    snapshot; this catches a script's or the shell's ``delete()``, of an instance,
    of a QuerySet or by a cascade, too."""
    services.article_delete_guard(instance, using)


@receiver(pre_delete, sender=Revision, dispatch_uid="news_revision_deleting")
def revision_deleting(sender, instance, using, origin=None, **kwargs):
    """Refuse (``ProtectedError``) to delete an article's live revision but with
    the article: without it a withdrawn article in 草稿 would no longer count as
    ever published, and the article guard would let it go."""
    services.revision_delete_guard(instance, using, origin)


@receiver(pre_delete, sender=ArticleEvent, dispatch_uid="news_event_deleting")
def event_deleting(sender, instance, using, origin=None, **kwargs):
    """Refuse (``ProtectedError``) to delete a publication of an article's timeline
    but with the article, for the same reason."""
    services.event_delete_guard(instance, using, origin)


@receiver(post_delete, sender=Article, dispatch_uid="pages_article_deleted")
def article_deleted(sender, instance, **kwargs):
    if instance.status == Article.Status.PUBLISHED:
        pagecache.article_neighbours_touch(instance)

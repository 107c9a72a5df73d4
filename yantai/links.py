"""``reverse()`` remembered for the links every list page repeats."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language, override

# The script prefix and the request's URLconf while a page renders (``pinned``): each
# read of them is a lookup in an asgiref ``Local`` (the URLconf's through two raised
# AttributeErrors when no middleware set one), and a page reads both for each of its
# links. Neither changes while a view renders: Django sets them before the view
# runs. The language does (``translation.override``): it is read every time.
_pinned: ContextVar[tuple[str, object] | None] = ContextVar(
    "yantai.links.pinned", default=None
)


@contextmanager
def pinned() -> Iterator[None]:
    """Within the block, the links take the script prefix and the URLconf as they
    were when it began, without reading them again (a view rendering its page)."""
    token = _pinned.set((get_script_prefix(), get_urlconf()))
    try:
        yield
    finally:
        _pinned.reset(token)


# The active language while a tag links a list of objects (``in_language``): each
# ``get_absolute_url()`` would read it again (an asgiref ``Local``, ~2 µs).
_language: ContextVar[str | None] = ContextVar("yantai.links.language", default=None)


@contextmanager
def in_language(language: str | None) -> Iterator[None]:
    """Within the block the links take ``language`` as the active one without
    reading it: for a caller that has just read it and runs nothing that changes
    it (a tag calling ``get_absolute_url()`` of each of a list's objects)."""
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def _active_language() -> str | None:
    return _language.get() or get_language()


def prefix_and_urlconf() -> tuple[str, object]:
    """``(get_script_prefix(), get_urlconf())``, as ``pinned`` kept them if it did."""
    return _pinned.get() or (get_script_prefix(), get_urlconf())


@lru_cache(maxsize=8192)
def _reverse(viewname, args, kwargs, current_app, prefix, language, urlconf) -> str:
    return reverse(
        viewname,
        urlconf=urlconf,
        args=args,
        kwargs=dict(kwargs),
        current_app=current_app,
    )


def remembered_reverse(
    viewname: str,
    args: tuple = (),
    kwargs: tuple = (),
    current_app=None,
    *,
    language: str | None = None,
) -> str:
    """``reverse()``, remembered by this process; ``kwargs`` as sorted (name, value)
    pairs. Raises ``TypeError`` for an argument that cannot be a key.

    A URL depends only on the URLconf, which does not change while a process runs,
    and on the script prefix, the active language (``/en/…``), the current app and
    the request's URLconf, which are part of the key. ``reverse`` costs ~40 µs; a
    search page links 20 articles and 28 channels. ``language``: the active one,
    when the caller has read it already.
    """
    prefix, urlconf = prefix_and_urlconf()
    return _reverse(
        viewname,
        args,
        kwargs,
        current_app,
        prefix,
        language or _active_language(),
        urlconf,
    )


def cached_reverse(viewname: str, **kwargs) -> str:
    """``reverse(viewname, kwargs=kwargs)``, remembered by this process."""
    return remembered_reverse(viewname, kwargs=tuple(sorted(kwargs.items())))


# An id that no URL holds otherwise: the URL of any id is this one's, the id put in.
_SAMPLE_ID = 9_081_726_354


@lru_cache(maxsize=256)
def _id_url_parts(
    viewname: str, name: str | None, prefix: str, language: str, urlconf, current_app
) -> tuple[str, str] | None:
    """The URL of the sample id, split around it (None if the id is not in it once);
    the id as keyword ``name``, or as the one positional argument."""
    args, kwargs = ((), {name: _SAMPLE_ID}) if name else ((_SAMPLE_ID,), {})
    with override(language):  # the key's language, whichever is active
        url = reverse(
            viewname,
            urlconf=urlconf,
            args=args,
            kwargs=kwargs,
            current_app=current_app,
        )
    head, sample, tail = url.partition(str(_SAMPLE_ID))
    return (head, tail) if sample and str(_SAMPLE_ID) not in tail else None


def sample_id_url(
    viewname: str,
    value,
    *,
    name: str | None = None,
    language: str | None = None,
    current_app: str | None = None,
) -> str | None:
    """``reverse()`` of a path with one integer (keyword ``name``, else positional),
    made from the URL of a sample id reversed once per script prefix, language,
    URLconf and current app; in ``language`` if given. None when it cannot be made
    so (not a non-negative int, a pattern that refuses the sample): the caller
    reverses.

    A process rendering pages that are not cached meets each article's id for the
    first time, where a remembered ``reverse`` would reverse it anyway.
    """
    if type(value) is not int or value < 0:
        return None
    prefix, urlconf = prefix_and_urlconf()
    try:
        parts = _id_url_parts(
            viewname, name, prefix, language or _active_language(), urlconf, current_app
        )
    except NoReverseMatch:  # e.g. a pattern that limits the digits
        return None
    return f"{parts[0]}{value}{parts[1]}" if parts else None


def id_url(viewname: str, name: str, value: int, language: str | None = None) -> str:
    """``reverse(viewname, kwargs={name: value})`` for a path with one
    ``<int:name>`` (``sample_id_url``, else ``cached_reverse``); in ``language`` if
    given (the other language's link of a page, without activating it)."""
    url = sample_id_url(viewname, value, name=name, language=language)
    if url is not None:
        return url
    if language is not None:
        with override(language):
            return remembered_reverse(
                viewname, kwargs=((name, value),), language=language
            )
    return cached_reverse(viewname, **{name: value})


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":  # tests that swap the URLconf
        _reverse.cache_clear()
    # The sample's URL also on any other setting a test changes (as the template
    # tags' remembered output, news.templatetags.fast_tags).
    _id_url_parts.cache_clear()

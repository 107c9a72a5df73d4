"""``reverse()`` remembered for the links every list page repeats."""

from __future__ import annotations

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language


@lru_cache(maxsize=8192)
def _reverse(viewname: str, prefix: str, language: str, kwargs: tuple) -> str:
    return reverse(viewname, kwargs=dict(kwargs))


def cached_reverse(viewname: str, **kwargs) -> str:
    """``reverse(viewname, kwargs=kwargs)``, remembered by this process.

    A URL depends only on the URLconf, which does not change while a process runs,
    and on the script prefix and the active language (``/en/…``), which are part of
    the key. ``reverse`` costs ~40 µs; a
    search page links 20 articles and 28 channels.
    """
    return _reverse(
        viewname, get_script_prefix(), get_language(), tuple(sorted(kwargs.items()))
    )


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":  # tests that swap the URLconf
        _reverse.cache_clear()

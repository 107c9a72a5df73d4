"""Values worth keeping a while in the ``shared`` cache that every worker sees."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import caches


def shared_cached(namespace: str, parts: Any, seconds: int, compute: Callable[[], Any]):
    """``compute()``, kept ``seconds`` under a digest of ``parts``.

    ``parts`` must name everything the value depends on (its ``repr`` is hashed):
    a generation token that changes with the data makes an entry out of date at
    once. ``compute`` runs only on a miss; it must not return None.
    """
    shared = caches["shared"]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    key = f"{namespace}:{digest}"
    value = shared.get(key)
    if value is None:
        value = compute()
        shared.set(key, value, seconds)
    return value

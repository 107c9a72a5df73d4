"""The generation tokens of the API's cached counts (``api.pagination``): replaced
when the rows counted change.

Apart from the pagination, which imports DRF: the models' signal receivers and the
bulk import bump a generation, and importing DRF with them cost every process's
start ~0.18 s, every ``manage.py`` command's included.
"""

from __future__ import annotations

import uuid

from django.core.cache import caches
from django.db import transaction


def _generation_key(name: str) -> str:
    return f"api:count-generation:{name}"


def bump_count_generation(name: str) -> None:
    """Forget the cached counts of ``name``: now, and again when the current
    transaction commits (a count cached in between would miss the new rows)."""

    def bump():
        caches["shared"].set(_generation_key(name), uuid.uuid4().hex, None)

    bump()
    transaction.on_commit(bump)


def count_generation(name: str) -> str:
    """The current generation token of ``name`` (made on first use)."""
    shared = caches["shared"]
    generation = shared.get(_generation_key(name))
    if generation is None:
        shared.add(_generation_key(name), uuid.uuid4().hex, None)
        generation = shared.get(_generation_key(name))
    return generation

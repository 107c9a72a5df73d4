"""The change stamp of the rows the whole-dataset downloads write
(``/quality/data.csv``, ``.xlsx``): a token in the ``shared`` cache, which every
process and machine reads, replaced whenever an observation, an indicator, a region,
a period, a unit or a topic is saved or deleted (``quality.signals``) and when a
bulk import commits. ``quality.views.dataset_validators`` makes the downloads' ETag
of it. A token lost from the cache is made anew: a new ETag, one download more.
"""

from __future__ import annotations

import uuid

from django.core.cache import caches
from django.db import transaction

KEY = "quality:dataset-stamp"


def dataset_changed() -> None:
    """Replace the stamp now, and again when the current transaction commits (a
    download in between would otherwise be validated under the stamp of rows it
    did not see)."""

    def replace():
        caches["shared"].set(KEY, uuid.uuid4().hex, None)

    replace()
    transaction.on_commit(replace)


def dataset_stamp() -> str:
    """The current stamp (made on first use)."""
    shared = caches["shared"]
    stamp = shared.get(KEY)
    if stamp is None:
        shared.add(KEY, uuid.uuid4().hex, None)
        stamp = shared.get(KEY)
    return stamp

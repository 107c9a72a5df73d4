"""The change stamps of what the downloads write, which their ETags are made of
(``quality.views.dataset_validators``, ``indicator_validators``): tokens in the
``shared`` cache, which every process and machine reads.

- The dataset's (``/quality/data.csv``, ``.xlsx``): replaced whenever an
  observation, an indicator, a region, a period, a unit or a topic is saved or
  deleted (``quality.signals``) and when a bulk import commits.
- An indicator's (its ``.xlsx``): replaced when one of its observations or the
  indicator itself is saved or deleted (an observation moved to another indicator:
  both indicators'), and when a bulk import that wrote values of
  it commits; with the labels' stamp, replaced when a region, a period, a unit or a
  topic is saved or deleted (every indicator's file may print it).

A token lost from the cache is made anew: a new ETag, one download more.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.cache import caches
from django.db import transaction

KEY = "quality:dataset-stamp"
LABELS_KEY = "quality:labels-stamp"
INDICATOR_KEY = "quality:indicator-stamp:{}"


def _changed(keys: list[str]) -> None:
    """Replace the stamps now, and again when the current transaction commits (a
    download in between would otherwise be validated under the stamp of rows it
    did not see)."""

    def replace():
        caches["shared"].set_many({key: uuid.uuid4().hex for key in keys}, None)

    replace()
    transaction.on_commit(replace)


def dataset_changed() -> None:
    _changed([KEY])


def labels_changed() -> None:
    """A region, period, unit or topic: printed in every indicator's file."""
    _changed([LABELS_KEY])


def indicators_changed(indicator_ids: Iterable[int]) -> None:
    keys = [INDICATOR_KEY.format(pk) for pk in indicator_ids]
    if keys:
        _changed(keys)


def _stamps(keys: list[str]) -> list[str]:
    """The current stamps of ``keys`` (made on first use), one cache round trip when
    they are there."""
    shared = caches["shared"]
    found = shared.get_many(keys)
    for key in keys:
        if key not in found:
            shared.add(key, uuid.uuid4().hex, None)
            found[key] = shared.get(key)
    return [found[key] for key in keys]


def dataset_stamp() -> str:
    """The current stamp of the dataset (made on first use)."""
    return _stamps([KEY])[0]


def indicator_stamps(indicator_id: int) -> list[str]:
    """The current stamps of what an indicator's file is made of: its own and the
    labels'."""
    return _stamps([INDICATOR_KEY.format(indicator_id), LABELS_KEY])

"""Batches worked in forked processes, one batch ahead of the process that writes.

The bulk commands (``rebuild_search_index``, ``extract_figures --all``) read a batch
from the database, have worker processes cut it (no database), and write what they
give back; while the writer writes one batch, the workers cut the next.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager


def default_jobs() -> int:
    """How many processes the bulk commands use unless told: the cores this process
    may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@contextmanager
def worked_ahead(
    batches: Iterable[list], work: Callable[[list], list], jobs: int
) -> Iterator[Iterator[tuple[list, list]]]:
    """An iterator of (batch, ``work(batch)``) for each of ``batches``, in order.

    With ``jobs`` > 1, a pool of that many forked processes works each batch in
    ``jobs`` parts (``work`` of a part gives a list for each; they are joined), and
    the next batch is read and handed to them before this one is given back. The
    workers inherit the process, database connections included: ``work`` must not
    use them. With ``jobs`` 1 the work is done here, in the same order (the next
    batch read and worked before this one is given back). The pool is closed, its
    processes joined, when the block is left.
    """
    pool = multiprocessing.get_context("fork").Pool(jobs) if jobs > 1 else None

    def submit(batch):
        if batch is None:
            return None
        if pool is None:
            done = work(batch)
            return lambda: (batch, done)
        step = -(-len(batch) // jobs)
        parts = pool.map_async(
            work, [batch[i : i + step] for i in range(0, len(batch), step)]
        )
        return lambda: (batch, [item for part in parts.get() for item in part])

    def results():
        read = iter(batches)
        pending = submit(next(read, None))
        while pending is not None:
            following = submit(next(read, None))
            yield pending()
            pending = following

    try:
        yield results()
    finally:
        if pool is not None:
            pool.close()
            pool.join()

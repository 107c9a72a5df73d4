"""What other apps add to an article, without ``news`` importing them.

The apps lean one way (``docs/architecture.md``, "Apps and which way they lean";
enforced by the import-linter contracts in ``pyproject.toml``): ``quality`` may
import ``news``, never the reverse. ``quality`` knows which figures of an article
are confirmed; ``news`` keeps the result with the article (``ArticleFigures``), so
that the page, the API's ``figures`` field and the page cache's key read it with the
article and every app server reads the same. ``quality`` writes it here, with
:func:`figure_marks_store`, in the transaction of the change that causes it; with
``quality`` not installed nothing writes, and an article has no figures.
"""

from __future__ import annotations

import hashlib
import json

from .models import Article, ArticleFigures

# A mark: a dict with at least "quote", "number" (as printed), "value", "indicator",
# "indicator_code", "region" and "url"; an article's marks are in text order.


def _row(article: Article) -> ArticleFigures | None:
    # With ``for_detail_row()`` the row (or its absence) is already loaded.
    try:
        return article.figures
    except ArticleFigures.DoesNotExist:
        return None


def figure_marks(article: Article) -> list[dict]:
    """The marks of the confirmed figures of ``article`` ([] when it has none)."""
    row = _row(article)
    return row.marks if row is not None else []


def figures_digest(article: Article) -> str:
    """A short digest of the marks of ``article`` ("" when it has none)."""
    row = _row(article)
    return row.digest if row is not None else ""


def marks_digest(marks: list[dict]) -> str:
    text = json.dumps(marks, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def figure_marks_store(*, article_id: int, marks: list[dict]) -> bool:
    """Make ``marks`` the figure marks of the article; True when they changed.

    Called by ``quality`` inside the transaction of the change that causes it (a
    rollback takes the marks back with the change). Writes only what changed (the
    digest tells); no marks: no row.
    """
    stored = ArticleFigures.objects.filter(article_id=article_id)
    digest = marks_digest(marks) if marks else None
    if stored.values_list("digest", flat=True).first() == digest:
        return False
    if digest is None:
        stored.delete()
    else:
        ArticleFigures.objects.update_or_create(
            article_id=article_id, defaults={"marks": marks, "digest": digest}
        )
    return True

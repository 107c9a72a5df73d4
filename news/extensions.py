"""What other apps add to an article, without ``news`` importing them.

The apps lean one way (``docs/architecture.md``, "Apps and which way they lean";
enforced by the import-linter contracts in ``pyproject.toml``): ``quality`` may
import ``news``, never the reverse. Where ``news`` needs what ``quality`` knows about
an article — its confirmed figures, for the API's ``figures`` field and the page
cache's key — it asks the provider registered here. ``quality`` registers
``quality.figure_links.cached_marks`` in ``QualityConfig.ready()``; with no provider
(``quality`` not installed) an article has no figures.
"""

from __future__ import annotations

from collections.abc import Callable

# article id → its marks, in text order: dicts with at least "quote", "number"
# (as printed), "value", "indicator", "indicator_code", "region" and "url".
FigureMarksProvider = Callable[[int], list[dict]]

_figure_marks_provider: FigureMarksProvider | None = None


def register_figure_marks(provider: FigureMarksProvider | None) -> None:
    """Make ``provider`` the source of articles' figure marks (None: no figures)."""
    global _figure_marks_provider
    _figure_marks_provider = provider


def figure_marks(article_id: int) -> list[dict]:
    """The marks of the confirmed figures of one article; [] without a provider."""
    if _figure_marks_provider is None:
        return []
    return _figure_marks_provider(article_id)

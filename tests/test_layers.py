"""The apps lean one way (docs/architecture.md): ``quality`` may import ``news``, never
the reverse; ``api`` is below both. The import-linter contracts in pyproject.toml say
so; running them here makes ``./run test`` enforce them as ``.ci/run`` does."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from news import extensions
from news.models import Article
from tests.factories import ArticleFactory

ROOT = Path(__file__).resolve().parent.parent
# Next to the venv's python (not resolved: that would leave the venv).
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_import_contracts_are_kept():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_both_contracts_place_the_same_yantai_modules():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}
    lean = contracts["apps-lean-one-way"]["layers"]
    placed = contracts["yantai-modules-placed"]["layers"]

    def names(layer: str, prefix: str = "") -> set[str]:
        return {prefix + name.strip() for name in layer.split(":")}

    assert names(placed[0], "yantai.") == names(lean[0])  # the site, on top
    assert names(placed[-1], "yantai.") == names(lean[-1])  # shared helpers, below


@pytest.mark.django_db
def test_quality_writes_figures_through_the_hook_news_reads():
    """``news`` stores what ``quality`` hands it and reads it with the article; an
    article nobody wrote marks for (as without ``quality``) has no figures."""
    article = ArticleFactory()
    assert extensions.figure_marks(article) == []
    assert extensions.figures_digest(article) == ""
    marks = [{"quote": "共有7家", "number": "7家"}]
    assert extensions.figure_marks_store(article_id=article.pk, marks=marks)
    assert not extensions.figure_marks_store(article_id=article.pk, marks=marks)
    article = Article.objects.for_detail_row().get(pk=article.pk)
    assert extensions.figure_marks(article) == marks
    assert extensions.figures_digest(article) == extensions.marks_digest(marks)
    assert extensions.figure_marks_store(article_id=article.pk, marks=[])
    assert extensions.figure_marks(Article.objects.for_detail_row().get()) == []

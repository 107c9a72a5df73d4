"""The apps lean one way (docs/architecture.md): ``quality`` may import ``news``, never
the reverse; ``api`` is below both. The import-linter contracts in pyproject.toml say
so; running them here makes ``./run test`` enforce them as ``.ci/run`` does."""

import subprocess
import sys
import tomllib
from pathlib import Path

from news import extensions
from quality.figure_links import cached_marks

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


def test_news_reads_figures_through_the_hook_quality_registers(monkeypatch):
    assert extensions._figure_marks_provider is cached_marks
    monkeypatch.setattr(extensions, "_figure_marks_provider", None)
    assert extensions.figure_marks(1) == []  # without quality: no figures
    extensions.register_figure_marks(lambda article_id: [{"quote": str(article_id)}])
    assert extensions.figure_marks(7) == [{"quote": "7"}]

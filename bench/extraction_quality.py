"""Precision and recall of quality.extraction against hand-labelled articles.

Usage (from the project root):

    .venv/bin/python bench/extraction_quality.py [--gold bench/extraction_gold.json]
        [--synthetic 200] [--verbose]

Articles marked ``held_out`` in the gold file were labelled before the extractor was
first run on them. A found figure matches a gold one when value and unit are equal and the gold subject
is a substring of the found subject; each gold figure matches at most once. A "false
date" is a found figure that overlaps one of the article's ``not_figures`` strings
(dates, years, ordinals, codes, period phrases) or whose number sits in a date, year,
time or ordinal pattern. ``--synthetic N`` also runs the extractor over N articles
from /work/shared/bench/make_dataset.py (no gold there: it counts figures, false
dates and speed).
"""

import argparse
import json
import re
import subprocess
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quality.extraction import Figure, extract_figures  # noqa: E402

MAKE_DATASET = Path("/work/shared/bench/make_dataset.py")
# A figure whose number is part of one of these is a date, year, time or ordinal.
DATE_LIKE_RE = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}:\d{2}|\d+年|\d+月|\d+日|第[\d一二三四五六七八九十]+"
)


def matches(figure: Figure, gold: list) -> bool:
    value, unit, subject = gold
    return (
        figure.value == Decimal(str(value))
        and figure.unit == unit
        and subject in figure.subject
    )


def is_date_like(text: str, figure: Figure) -> bool:
    """Whether the number of ``figure`` lies inside a date/year/time/ordinal pattern."""
    window_start = max(0, figure.start - 12)
    for m in DATE_LIKE_RE.finditer(text, window_start, figure.end + 12):
        if m.start() < figure.end and figure.start < m.end():
            return True
    return False


def overlaps(text: str, figure: Figure, phrases: list[str]) -> bool:
    for phrase in phrases:
        for m in re.finditer(re.escape(phrase), text):
            if m.start() < figure.end and figure.start < m.end():
                return True
    return False


def score_article(article: dict, verbose: bool) -> dict:
    text = article["text"]
    published_on = date.fromisoformat(article["published_on"])
    found = extract_figures(text, published_on)
    unmatched_gold = list(article["figures"])
    true_positives, false_positives = [], []
    for figure in found:
        hit = next((g for g in unmatched_gold if matches(figure, g)), None)
        if hit is None:
            false_positives.append(figure)
        else:
            unmatched_gold.remove(hit)
            true_positives.append(figure)
    false_dates = [
        f
        for f in found
        if overlaps(text, f, article["not_figures"]) or is_date_like(text, f)
    ]
    if verbose:
        for f in false_positives:
            print(f"  {article['id']}: extra   {f.value} {f.unit} «{f.subject}»")
        for g in unmatched_gold:
            print(f"  {article['id']}: missed  {g[0]} {g[1]} «{g[2]}»")
    return {
        "id": article["id"],
        "held_out": article.get("held_out", False),
        "gold": len(article["figures"]),
        "found": len(found),
        "tp": len(true_positives),
        "false_dates": len(false_dates),
    }


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def run_gold(path: Path, verbose: bool) -> None:
    articles = json.loads(path.read_text(encoding="utf-8"))["articles"]
    rows = [score_article(a, verbose) for a in articles]
    print(
        f"{'article':<26}{'gold':>6}{'found':>7}{'match':>7}"
        f"{'precision':>11}{'recall':>8}{'false dates':>13}"
    )
    for r in rows:
        print(
            f"{r['id']:<26}{r['gold']:>6}{r['found']:>7}{r['tp']:>7}"
            f"{ratio(r['tp'], r['found']):>11.3f}{ratio(r['tp'], r['gold']):>8.3f}"
            f"{r['false_dates']:>13}"
        )
    for label, subset in (
        ("seed", [r for r in rows if r["id"].startswith("seed")]),
        ("variants", [r for r in rows if not r["id"].startswith("seed")]),
        ("held out", [r for r in rows if r["held_out"]]),
        ("all", rows),
    ):
        gold, found, tp = (sum(r[k] for r in subset) for k in ("gold", "found", "tp"))
        false_dates = sum(r["false_dates"] for r in subset)
        print(
            f"TOTAL {label:<20}{gold:>6}{found:>7}{tp:>7}"
            f"{ratio(tp, found):>11.3f}{ratio(tp, gold):>8.3f}{false_dates:>13}"
        )


def run_synthetic(n: int) -> None:
    dataset = subprocess.run(
        [sys.executable, str(MAKE_DATASET), "--n", str(n), "--seed", "1"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    figures = false_dates = characters = 0
    started = time.perf_counter()
    for line in dataset:
        article = json.loads(line)
        published_on = datetime.fromisoformat(article["published_at"]).date()
        text = "\n".join([article["title"], *(b["text"] for b in article["body"])])
        characters += len(text)
        found = extract_figures(text, published_on)
        figures += len(found)
        false_dates += sum(is_date_like(text, f) for f in found)
    elapsed = time.perf_counter() - started
    print(
        f"synthetic: {len(dataset)} articles, {characters} characters, {figures} figures, "
        f"{false_dates} false dates, {elapsed:.2f} s ({len(dataset) / elapsed:.0f} "
        f"articles/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--gold", type=Path, default=ROOT / "bench/extraction_gold.json"
    )
    parser.add_argument("--synthetic", type=int, default=0, metavar="N")
    parser.add_argument("--verbose", action="store_true", help="list misses and extras")
    args = parser.parse_args()
    run_gold(args.gold, args.verbose)
    if args.synthetic:
        run_synthetic(args.synthetic)


if __name__ == "__main__":
    main()

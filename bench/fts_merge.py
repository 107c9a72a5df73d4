"""FTS5's ``automerge`` and the bulk import's index writes (docs/benchmarks.md, "The
import on a slower machine, and FTS5's merges").

Takes the search rows of a database an import left (``bench/import_bench.py`` writes
``bench/data/import-20000.sqlite3``) and writes them again into a new
external-content FTS5 table of the same shape as ``news_article_fts`` (``ascii``
tokenizer, filled by a trigger on the content table), 250 rows a commit as the
import's batches, once per setting; prints the CPU of the inserts, the index's
``_data`` rows and the CPU of four counting searches.

    .venv/bin/python bench/fts_merge.py default automerge=8 automerge=16
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
QUERIES = ("质量", "标准", "食品", "烟台")


def run(rows: list[tuple], setting: str, work: Path) -> str:
    db = sqlite3.connect(work / f"fts-{setting}.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE s (article_id INTEGER PRIMARY KEY, title TEXT, body TEXT)")
    db.execute(
        "CREATE VIRTUAL TABLE f USING fts5(title, body, content='s',"
        " content_rowid='article_id', tokenize='ascii')"
    )
    db.execute(
        "CREATE TRIGGER t AFTER INSERT ON s BEGIN INSERT INTO f(rowid, title, body)"
        " VALUES (new.article_id, new.title, new.body); END"
    )
    name, _, value = setting.partition("=")
    if name != "default":
        db.execute(f"INSERT INTO f(f, rank) VALUES ('{name}', {int(value)})")
    start = time.process_time()
    for i in range(0, len(rows), 250):
        db.execute("BEGIN")
        db.executemany("INSERT INTO s VALUES (?, ?, ?)", rows[i : i + 250])
        db.execute("COMMIT")
    inserts = time.process_time() - start
    start = time.process_time()
    for word in QUERIES:
        db.execute("SELECT count(*) FROM f WHERE f MATCH ?", (f'"{word}"',)).fetchone()
    searches = time.process_time() - start
    data_rows = db.execute("SELECT count(*) FROM f_data").fetchone()[0]
    db.close()
    return (
        f"RESULT setting={setting} insert_cpu_s={inserts:.2f}"
        f" data_rows={data_rows} searches_cpu_ms={searches * 1000:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("settings", nargs="+", help="default, automerge=N, …")
    parser.add_argument("--db", type=Path, default=DATA / "import-20000.sqlite3")
    args = parser.parse_args()
    source = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    rows = source.execute(
        "SELECT article_id, title, body FROM news_article_search ORDER BY article_id"
    ).fetchall()
    source.close()
    print(f"{len(rows)} rows from {args.db}")
    with tempfile.TemporaryDirectory(prefix="fts-merge-") as work:
        for setting in args.settings:
            print(run(rows, setting, Path(work)), flush=True)


if __name__ == "__main__":
    main()

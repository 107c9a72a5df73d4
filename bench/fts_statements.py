"""The search index rows written a row a statement or a batch a statement (docs/
benchmarks.md, "The index rows a batch a statement").

Takes the search rows of a database an import left (``bench/import_bench.py`` writes
``bench/data/import-20000.sqlite3``) and writes them again, 250 rows a transaction as
the import's batches, into a new table of the same shape as ``news_article_search``
with an external-content FTS5 table kept by an ``AFTER INSERT`` trigger, as
``news_article_fts`` is (``ascii`` tokenizer, ``automerge`` 16: migrations 0014 and
0019), once per way:

- ``stepped``: one prepared INSERT stepped through the batch's rows (``executemany``,
  what ``news.bulk.RowInsert`` did on SQLite);
- ``statement``: one multi-row ``INSERT … VALUES (…), (…), …`` a batch;
- ``rebuild``: no trigger; the rows inserted, then one FTS5 ``'rebuild'`` (the whole
  index at once: a bound for what the trigger's writes could cost).

Prints the CPU seconds of the inserts and commits of each, and the index's ``_data``
rows (its segments' pages) after them.

    .venv/bin/python bench/fts_statements.py [stepped statement rebuild …]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
BATCH = 250


def run(rows: list[tuple], way: str, path: Path) -> str:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE s (article_id INTEGER PRIMARY KEY, title TEXT, body TEXT)")
    db.execute(
        "CREATE VIRTUAL TABLE f USING fts5(title, body, content='s',"
        " content_rowid='article_id', tokenize='ascii')"
    )
    db.execute("INSERT INTO f(f, rank) VALUES ('automerge', 16)")
    if way != "rebuild":
        db.execute(
            "CREATE TRIGGER t AFTER INSERT ON s BEGIN INSERT INTO f(rowid, title, body)"
            " VALUES (new.article_id, new.title, new.body); END"
        )
    start = time.process_time()
    for i in range(0, len(rows), BATCH):
        batch = rows[i : i + BATCH]
        db.execute("BEGIN IMMEDIATE")
        if way == "statement":
            db.execute(
                "INSERT INTO s VALUES " + ", ".join(["(?, ?, ?)"] * len(batch)),
                [value for row in batch for value in row],
            )
        else:
            db.executemany("INSERT INTO s VALUES (?, ?, ?)", batch)
        db.execute("COMMIT")
    if way == "rebuild":
        db.execute("INSERT INTO f(f) VALUES ('rebuild')")
    cpu = time.process_time() - start
    pages = db.execute("SELECT count(*) FROM f_data").fetchone()[0]
    found = db.execute("SELECT count(*) FROM f WHERE f MATCH '\"质量\"'").fetchone()[0]
    db.close()
    return (
        f"RESULT way={way} rows={len(rows)} cpu_s={cpu:.2f} data_rows={pages}"
        f" found_质量={found}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ways", nargs="*", default=["stepped", "statement", "rebuild"])
    parser.add_argument("--db", type=Path, default=DATA / "import-20000.sqlite3")
    args = parser.parse_args()
    source = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    rows = source.execute(
        "SELECT article_id, title, body FROM news_article_search ORDER BY article_id"
    ).fetchall()
    source.close()
    print(f"{len(rows)} rows from {args.db}")
    with tempfile.TemporaryDirectory(prefix="fts-statements-") as work:
        for number, way in enumerate(args.ways):
            print(run(rows, way, Path(work) / f"{number}.sqlite3"), flush=True)


if __name__ == "__main__":
    main()

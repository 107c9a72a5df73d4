#!/usr/bin/env python3
"""The archive-wide commands on the 20,000 imported articles: the search index
rebuilt, the figures proposed, the pages rendered (issue #16: "scale the same way";
peak RSS of each command ≤ 300 MB).

Usage (from the project root, after ``bench/import_bench.py --n 20000`` has left
``bench/data/import-20000.sqlite3``):

    .venv/bin/python bench/archive_commands.py [--n 20000] [--jobs 2] [--runs 1]
        [--only rebuild_search_index,extract_figures,warm_article_pages]
        [--baseline-tree DIR] [--postgres postgres://yantai:…@127.0.0.1:5432/NAME]

Each run copies that database (the original is never written) to
``/tmp/archive_commands/`` with empty page and shared caches beside it and times,
one after the other, under ``/usr/bin/time -v`` (wall seconds, user + system CPU
seconds of the command and its worker processes, peak RSS of its largest process):

- ``rebuild_search_index --jobs J`` (the whole index, one transaction);
- ``extract_figures --all --jobs J``, then the same again (nothing new to propose);
- ``warm_article_pages --jobs J`` (every published article's page into the page
  cache).

With ``--baseline-tree DIR`` (``git archive COMMIT | tar -x -C DIR``, ``DIR/.venv``
→ ``.venv``) the same commands of that tree run after this tree's in each run, on a
copy of their own, without ``--jobs`` or ``--no-progress`` where that tree's command
does not take it. With ``--postgres URL`` the commands run on that PostgreSQL database instead (one
``import_bench.py --postgres URL`` or ``import_threads.py --postgres URL`` filled; it
is written, not copied: the proposals of the first ``extract_figures`` stay, so a
baseline's finds nothing new), its caches still in files under
``/tmp/archive_commands/``. Prints one RESULT line a command, with its own
summary line and the load average before and after.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from article_bench import DATA, PYTHON, ROOT, bench_env  # noqa: E402
from import_bench import cpu_seconds, load_average, timed  # noqa: E402

WORK = Path("/tmp/archive_commands")
COMMANDS = {
    "rebuild_search_index": [["rebuild_search_index", "--no-progress"]],
    "extract_figures": [
        ["extract_figures", "--all", "--no-progress"],
        ["extract_figures", "--all", "--no-progress"],  # again: nothing new
    ],
    "warm_article_pages": [["warm_article_pages", "--no-progress"]],
}


def has_option(tree: Path, command: str, option: str) -> bool:
    done = subprocess.run(
        [PYTHON, "manage.py", command, "--help"],
        env=bench_env(WORK / "help.sqlite3"),
        cwd=tree,
        capture_output=True,
        text=True,
    )
    return option in done.stdout


def copy_database(source: Path, name: str, postgres: str | None) -> dict[str, str]:
    """A copy of ``source`` (or the PostgreSQL database) and empty caches; the
    environment that uses them."""
    place = WORK / name
    shutil.rmtree(place, ignore_errors=True)
    place.mkdir(parents=True)
    db = place / "db.sqlite3"
    env = bench_env(db)
    if postgres:
        env["DATABASE_URL"] = postgres
    else:
        # The database was left checkpointed by the import's end (no -wal beside it).
        shutil.copyfile(source, db)
    env.update(
        PAGE_CACHE_DIR=str(place / "pages"),
        SHARED_CACHE_DIR=str(place / "shared"),
        ARTICLE_PAGE_CACHE_SECONDS="3600",
    )
    return env


def run_commands(
    tree: Path, label: str, source: Path, jobs: int, only, postgres: str | None
) -> None:
    env = copy_database(source, label, postgres)
    # The copy is brought to the tree's migrations first (not timed).
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "-v", "0"], env=env, cwd=tree, check=True
    )
    for name in only:
        takes_progress = has_option(tree, name, "--no-progress")
        for args in COMMANDS[name]:
            if not takes_progress:
                args = [a for a in args if a != "--no-progress"]
            if has_option(tree, name, "--jobs"):
                args = [*args, "--jobs", str(jobs)]
            load = load_average()
            seconds, rss, done = timed(env, *args, root=tree)
            summary = done.stdout.strip().splitlines()[-1] if done.stdout else ""
            print(
                f"RESULT tree={label} command={' '.join(args)} seconds={seconds:.1f}"
                f" cpu_s={cpu_seconds(done.stderr)} peak_rss_mb={rss}"
                f" load={load}-{load_average()} summary={summary}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", default=",".join(COMMANDS))
    parser.add_argument("--baseline-tree", type=Path)
    parser.add_argument("--postgres", help="a PostgreSQL database an import filled")
    args = parser.parse_args()
    source = DATA / f"import-{args.n}.sqlite3"
    if not args.postgres and not source.exists():
        raise SystemExit(
            f"{source} is missing: run bench/import_bench.py --n {args.n} first"
        )
    only = [name for name in args.only.split(",") if name]
    unknown = set(only) - set(COMMANDS)
    if unknown:
        raise SystemExit(f"unknown commands: {', '.join(sorted(unknown))}")
    WORK.mkdir(parents=True, exist_ok=True)
    for _run in range(args.runs):
        run_commands(ROOT, "this", source, args.jobs, only, args.postgres)
        if args.baseline_tree:
            run_commands(
                args.baseline_tree, "baseline", source, args.jobs, only, args.postgres
            )
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()

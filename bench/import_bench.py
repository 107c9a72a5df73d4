#!/usr/bin/env python3
"""Import and publish N articles of the shared dataset with ``import_article`` (issue #16).

Usage (from the project root, after ./run test or ./run has made .venv):

    .venv/bin/python bench/import_bench.py [--n 20000] [--runs 2] [--jobs 2]
        [--postgres postgres://yantai:…@127.0.0.1:5432/yantai_import_bench]
        [--format zip|dir|jsonl] [--wagtail [signals|after]]

Steps, each run: write the first N articles of the shared dataset (make_dataset.py
--n N --seed 1) as page-text files (title, "source YYYY-MM-DD HH:MM", body lines,
the byline "（记者 … 通讯员 …）") into one zip under bench/data/ (made once); make a
fresh database (SQLite file, or the PostgreSQL database named by --postgres, dropped
and created) with a publishing account; run

    /usr/bin/time -v manage.py import_article --publish --as bench --jobs J FILE

and read its wall time, CPU time and peak RSS, and the seconds the machine's cores
were idle meanwhile (``idle_core_s``, from ``/proc/stat``); then check, in a new
process, that all N are published, that a search finds them and that an article
page is served (200).
Prints one RESULT line a run. With ``--wagtail [signals|after]``, each run (and its
baseline) is followed by the same N articles imported by Wagtail 8.0.1
(bench/wagtail_import.py: its own venv and SQLite database) and a RESULT line with
``ratio_s``, Wagtail's wall seconds over ours (issue #16 asks ≥ 4), and ``ratio_cpu``,
the same for CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from article_bench import (  # noqa: E402
    DATA,
    PYTHON,
    ROOT,
    bench_env,
    dataset,
    recreate_postgres_database,
)


def page_text(row: dict) -> str:
    """One dataset row as the text of its newspaper page."""
    at = datetime.fromisoformat(row["published_at"])
    lines = [row["title"], f"{row['source']} {at:%Y-%m-%d %H:%M}", ""]
    lines += [block["text"] for block in row["body"]]
    credit = "记者 " + " ".join(row["reporters"])
    if row["correspondents"]:
        credit += " 通讯员 " + " ".join(row["correspondents"])
    lines.append(f"（{credit}）")
    return "\n".join(lines) + "\n"


def page_zip(n: int) -> Path:
    path = DATA / f"pages-{n}.zip"
    if not path.exists():
        partial = path.with_suffix(".partial")
        with (
            open(dataset(n), encoding="utf-8") as rows,
            zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            for number, line in enumerate(rows, start=1):
                archive.writestr(f"{number:06d}.txt", page_text(json.loads(line)))
        partial.rename(path)
    return path


def page_dir(n: int) -> Path:
    path = DATA / f"pages-{n}"
    if not path.exists():
        partial = path.with_name(path.name + ".partial")
        partial.mkdir(parents=True, exist_ok=True)
        with open(dataset(n), encoding="utf-8") as rows:
            for number, line in enumerate(rows, start=1):
                folder = partial / f"{number // 1000:03d}"
                folder.mkdir(exist_ok=True)
                (folder / f"{number:06d}.txt").write_text(
                    page_text(json.loads(line)), encoding="utf-8"
                )
        partial.rename(path)
    return path


def timed(
    env: dict[str, str], *args: str, root: Path = ROOT
) -> tuple[float, int, subprocess.CompletedProcess]:
    """``manage.py *args`` under ``/usr/bin/time -v``: its wall seconds, its peak RSS
    in MB and the finished process; a failure stops the benchmark with its output."""
    started = time.perf_counter()
    with MachineIdle() as idle:
        done = subprocess.run(
            ["/usr/bin/time", "-v", PYTHON, "manage.py", *args],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
        )
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(done.stdout[-2000:] + done.stderr[-4000:])
    done.idle_core_seconds = idle.seconds
    return seconds, peak_rss_mb(done.stderr), done


class MachineIdle:
    """The machine's idle (and I/O-wait) CPU seconds, summed over its cores, while
    the block runs, from ``/proc/stat``: how much of the cores a run left unused
    (its start in one process, the workers or the writer waiting for the other)."""

    def __enter__(self):
        self.seconds = None
        self.start = self._idle()
        return self

    def __exit__(self, *exc):
        if self.start is not None:
            self.seconds = round(
                (self._idle() - self.start) / os.sysconf("SC_CLK_TCK"), 1
            )

    @staticmethod
    def _idle() -> int | None:
        try:
            with open("/proc/stat") as stat:
                fields = stat.readline().split()
        except OSError:
            return None
        return int(fields[4]) + int(fields[5])


def peak_rss_mb(report: str) -> int:
    """The peak RSS in MB that ``/usr/bin/time -v`` reported (``report``, its text)."""
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)[1])
    return round(rss_kb / 1024)


def cpu_seconds(report: str) -> float:
    """User + system CPU seconds that ``/usr/bin/time -v`` reported (``report``) of a
    command and its worker processes: what the work cost, less sensitive than the
    wall time to a shared machine."""
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", report)[1])
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", report)[1])
    return round(user + system, 1)


def load_average() -> str:
    """The 1-minute load average now (the machine is shared)."""
    return f"{os.getloadavg()[0]:.1f}"


def manage(
    env: dict[str, str], *args: str, capture: bool = False, root: Path = ROOT
) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        env=env,
        cwd=root,
        check=True,
        capture_output=capture,
        text=True,
    )
    return done.stdout if capture else ""


CHANNELS = (
    "市场监管",
    "质量强市",
    "品牌建设",
    "烟台新闻",
    "检验检测",
    "政策解读",
    "标准化",
    "计量",
)


def fresh_database(
    env: dict[str, str], postgres: str | None, root: Path = ROOT
) -> None:
    if postgres:
        recreate_postgres_database(postgres)
    else:
        db = Path(env["SQLITE_PATH"])
        for stale in db.parent.glob(db.name + "*"):
            stale.unlink()
    manage(env, "migrate", "-v", "0", root=root)
    manage(env, "createcachetable", root=root)
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.create_superuser('bench', '', 'bench-password'); "
        # The dataset's channels (a JSON line names its own; page text goes to 烟台新闻).
        "from news.models import Channel; "
        f"[Channel.objects.get_or_create(name=c, slug=c) for c in {CHANNELS!r}]",
        root=root,
    )


CHECK = r"""
import json
from django.test import Client
from news.models import Article
from news.search import search
ids = list(Article.objects.published().values_list("id", flat=True)[:3])
client = Client(HTTP_HOST="127.0.0.1")
print(json.dumps({
    "published": Article.objects.published().count(),
    "search_质量": search("质量").count(),
    "page_status": client.get(f"/news/{ids[0]}/").status_code if ids else None,
}))
"""


def run_once(
    env,
    source: Path,
    jobs: int,
    postgres: str | None,
    root: Path = ROOT,
    extra: tuple[str, ...] = (),
) -> dict:
    fresh_database(env, postgres, root=root)
    load = load_average()
    seconds, rss_mb, done = timed(
        env, "import_article", "--publish", "--as", "bench", "--jobs", str(jobs),
        *extra, str(source), root=root,
    )  # fmt: skip
    load = f"{load}-{load_average()}"
    check = json.loads(
        manage(env, "shell", "-c", CHECK, capture=True, root=root).splitlines()[-1]
    )
    return {
        "seconds": round(seconds, 1),
        "cpu_s": cpu_seconds(done.stderr),
        "idle_core_s": done.idle_core_seconds,
        "load": load,
        "peak_rss_mb": rss_mb,
        "summary": done.stdout.strip().splitlines()[-1],
        **check,
    }


def run_baseline(env, n: int, tree: Path, postgres: str | None) -> dict:
    """The same pages through an older checkout's ``import_article`` (one file at a
    time, 2,000 files a call, as issue #16 measured it): seconds and peak RSS."""
    fresh_database(env, postgres, root=tree)
    files = sorted(str(p) for p in page_dir(n).rglob("*.txt"))
    seconds, cpu, rss_mb, load = 0.0, 0.0, 0, load_average()
    for i in range(0, len(files), 2000):
        took, rss, done = timed(
            env, "import_article", "--publish", "--as", "bench", *files[i : i + 2000],
            root=tree,
        )  # fmt: skip
        seconds += took
        cpu += cpu_seconds(done.stderr)
        rss_mb = max(rss_mb, rss)
    return {
        "seconds": round(seconds, 1),
        "cpu_s": round(cpu, 1),
        "load": f"{load}-{load_average()}",
        "peak_rss_mb": rss_mb,
    }


def run_wagtail(n: int, index: str) -> dict:
    """The first *n* rows of the same dataset imported and published by the Wagtail
    peer (bench/wagtail_import.py; *index* "after": ``--index-after``): the fields
    of its RESULT line."""
    done = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "wagtail_import.py"), "--n", str(n),
         "--data", str(dataset(n)), *(["--index-after"] if index == "after" else [])],
        check=True, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    line = done.stdout.strip().splitlines()[-1]
    return dict(field.split("=", 1) for field in line.split()[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--postgres", metavar="DATABASE_URL")
    parser.add_argument("--format", choices=("zip", "dir", "jsonl"), default="zip")
    parser.add_argument(
        "--batch-size", type=int, help="import_article --batch-size (default: its own)"
    )
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        metavar="DIR",
        help="also import the same pages with the import_article of this checkout "
        "(e.g. git archive COMMIT | tar -x -C DIR; DIR/.venv → .venv), after each run",
    )
    parser.add_argument(
        "--baseline-same",
        action="store_true",
        help="run the baseline tree's import_article with the same arguments (a "
        "batch import too) instead of one file at a time in calls of 2,000 files",
    )
    parser.add_argument(
        "--wagtail",
        nargs="?",
        const="signals",
        choices=("signals", "after"),
        help="after each run, import the same N articles with Wagtail 8.0.1 "
        "(bench/wagtail_import.py, SQLite) and print Wagtail's time over ours; "
        "'after': its search index by update_index at the end, not by signals",
    )
    args = parser.parse_args()
    source = {"zip": page_zip, "dir": page_dir, "jsonl": dataset}[args.format](args.n)
    db = DATA / f"import-{args.n}.sqlite3"
    env = bench_env(db)
    if args.postgres:
        env["DATABASE_URL"] = args.postgres
    engine = "postgresql" if args.postgres else "sqlite"
    for run in range(1, args.runs + 1):
        extra = ("--batch-size", str(args.batch_size)) if args.batch_size else ()
        result = run_once(env, source, args.jobs, args.postgres, extra=extra)
        print(
            f"RESULT engine={engine} n={args.n} format={args.format} jobs={args.jobs} "
            f"batch={args.batch_size or 'default'} "
            f"run={run} " + " ".join(f"{k}={v}" for k, v in result.items()),
            flush=True,
        )
        if args.baseline_tree:
            if args.baseline_same:
                base = run_once(
                    env, source, args.jobs, args.postgres, root=args.baseline_tree
                )
            else:
                base = run_baseline(env, args.n, args.baseline_tree, args.postgres)
            print(
                f"RESULT baseline={args.baseline_tree} engine={engine} n={args.n} "
                f"run={run} " + " ".join(f"{k}={v}" for k, v in base.items()),
                flush=True,
            )
        if args.wagtail:
            peer = run_wagtail(args.n, args.wagtail)
            ratios = {
                "ratio_s": float(peer["seconds"]) / result["seconds"],
                "ratio_cpu": float(peer["cpu_s"]) / result["cpu_s"],
            }
            if args.baseline_tree:
                ratios["baseline_ratio_s"] = float(peer["seconds"]) / base["seconds"]
            print(
                f"RESULT wagtail engine=sqlite ours={engine} run={run} "
                + " ".join(f"{k}={v}" for k, v in peer.items())
                + "".join(f" {k}={v:.1f}" for k, v in ratios.items()),
                flush=True,
            )


if __name__ == "__main__":
    main()

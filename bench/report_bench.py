#!/usr/bin/env python3
"""How long the annual quality report takes to build at 50 indicators × 10 years ×
13 regions (issue #17: PDF ≤ 10 s, Word ≤ 5 s).

Usage (from the project root):

    .venv/bin/python bench/report_bench.py [--runs 3] [--database-url URL]

Steps:

1. A fresh SQLite file ``bench/data/report-bench.sqlite3`` (git-ignored; or the
   database of ``--database-url``, which must be empty), migrated; the demo's
   regions, units and topics (``quality.demo.load``); 50 synthetic indicators, each
   with a yearly figure for 2011-2020 in each of the 13 regions (Shandong, Yantai and
   its 11 divisions: 6,500 observations, exact or hedged, every one from an outside
   source with title, date and address); a report for 2020 with 10 chapters of 5
   items each — a line chart and a table over 10 years, a bar chart by region, a
   headline and a table over 5 years — so every indicator is shown once.
2. ``--runs`` times each, wall clock, the median printed: the content alone
   (``report_content``), the PDF (content, HTML, WeasyPrint), the Word file
   (content, python-docx with a Pillow PNG per chart), and ``report_generate`` of
   all three formats (files written under ``bench/data/report-media``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"


def setup(database_url: str | None) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        path = DATA / "report-bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["MEDIA_ROOT"] = str(DATA / "report-media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yantai.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build() -> None:
    from quality import demo
    from quality.models import (
        Indicator,
        Observation,
        Region,
        Report,
        ReportChapter,
        ReportItem,
        Topic,
        Unit,
    )
    from quality.services import period_get_or_create

    demo.load()  # regions, units, topics (and the demo's own 2020 report)
    Report.objects.all().delete()
    regions = list(Region.objects.order_by("code"))
    assert len(regions) == 13, len(regions)
    topics = list(Topic.objects.order_by("order"))
    units = [Unit.objects.get(symbol=s) for s in ("项", "个", "家", "批次", "%")]
    indicators = [
        Indicator.objects.create(
            code=f"bench_{n:02d}",
            name=f"基准指标{n:02d}",
            topic=topics[n % len(topics)],
            unit=units[n % len(units)],
            scope="基准测试数据",
        )
        for n in range(50)
    ]
    periods = [
        period_get_or_create(
            kind="year", start_on=date(y, 1, 1), end_on=date(y, 12, 31)
        )
        for y in range(2011, 2021)
    ]
    rows = []
    for i, indicator in enumerate(indicators):
        for r, region in enumerate(regions):
            for p, period in enumerate(periods):
                value = Decimal(100 + 7 * i + 3 * r + 11 * p)
                hedged = (i + r + p) % 9 == 0
                rows.append(
                    Observation(
                        indicator=indicator,
                        region=region,
                        period=period,
                        period_end_on=period.end_on,
                        value=value,
                        comparator=">" if hedged else "=",
                        lower=value if hedged else None,
                        raw_text=f"{value}余" if hedged else f"{value}",
                        status=Observation.Status.CONFIRMED,
                        source_publisher="烟台市统计局",
                        source_title=f"{period.end_on.year}年烟台市国民经济和社会发展统计公报",
                        source_on=date(period.end_on.year + 1, 3, 20),
                        source_url=f"https://example.gov.cn/{period.end_on.year}.html",
                        is_preferred=True,
                    )
                )
    Observation.objects.bulk_create(rows, batch_size=1000)
    report = Report.objects.create(
        year=2020,
        title="基准测试报告",
        region=Region.objects.get(code="370600"),
    )
    kinds = [
        (ReportItem.Display.LINE, 10),
        (ReportItem.Display.TABLE, 10),
        (ReportItem.Display.BAR_REGION, 1),
        (ReportItem.Display.HEADLINE, 1),
        (ReportItem.Display.TABLE, 5),
    ]
    for c in range(10):
        chapter = ReportChapter.objects.create(
            report=report, order=c, title=f"第{c + 1}章", intro="<p>基准测试。</p>"
        )
        for k, (display, years) in enumerate(kinds):
            ReportItem.objects.create(
                chapter=chapter,
                order=k,
                indicator=indicators[c * 5 + k],
                display=display,
                years=years,
            )
    print(f"built: {len(indicators)} indicators, {len(rows)} observations")


def timed(runs: int, work) -> tuple[str, object]:
    """Median wall clock and median CPU time of this process over ``runs`` runs.

    The CPU time is what the build costs on an idle core; on a busy machine the wall
    clock waits for the others too."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    return f"{wall:.2f} s wall, {cpu:.2f} s CPU", result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--ab-pdf",
        action="store_true",
        help="also time write_pdf alternately with auto table layout and inline SVG",
    )
    args = parser.parse_args()
    setup(args.database_url)
    start = time.perf_counter()
    build()
    print(f"build took {time.perf_counter() - start:.1f} s")

    from django.db import connection

    from quality import report_render
    from quality.models import Report
    from quality.reports import (
        report_body_html,
        report_content,
        report_generate,
        report_html_document,
    )

    report = Report.objects.get(year=2020)

    def pdf():
        content = report_content(report)
        document = report_html_document(content, report_body_html(content))
        return report_render.pdf_bytes(document)

    def word():
        return report_render.docx_bytes(report_content(report))

    content_s, content = timed(args.runs, lambda: report_content(report))
    figures = sum(len(b.figures) for c in content.chapters for b in c.blocks)
    pdf_s, pdf_data = timed(args.runs, pdf)
    word_s, word_data = timed(args.runs, word)
    all_s, _version = timed(args.runs, lambda: report_generate(report=report))
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"database: {connection.vendor}; runs: {args.runs} (median)")
    print(f"machine: {os.cpu_count()} CPUs, load average {load}")
    print(f"content: {content_s} ({figures} figures, {len(content.notes)} notes)")
    print(f"PDF:     {pdf_s} ({len(pdf_data) / 1e6:.1f} MB; target 10 s)")
    print(f"Word:    {word_s} ({len(word_data) / 1e6:.1f} MB; target 5 s)")
    print(f"generate html+pdf+docx and store: {all_s}")
    if args.ab_pdf:
        from weasyprint import HTML

        content = report_content(report)
        document = report_html_document(content, report_body_html(content))
        before = document.replace("table-layout: fixed;", "")
        old, new = [], []
        for _ in range(args.runs):
            cpu = time.process_time()
            HTML(string=before).write_pdf()  # inline SVG, auto table layout
            old.append(time.process_time() - cpu)
            cpu = time.process_time()
            report_render.pdf_bytes(document)
            new.append(time.process_time() - cpu)
        print(
            "write_pdf CPU, auto tables + inline SVG:",
            " / ".join(f"{x:.2f}" for x in old),
            "s; fixed tables + SVG images:",
            " / ".join(f"{x:.2f}" for x in new),
            "s",
        )


if __name__ == "__main__":
    main()

"""Two generations of the same report at once, in two threads (two connections):
each gets its own version number, one after the other, and each version is whole."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

from django.test import TransactionTestCase, override_settings

from quality.models import Report, ReportChapter, ReportItem, ReportVersion
from quality.reports import report_generate
from tests.sqlite_file import on_a_file
from tests.threads import Worker

from .factories import IndicatorFactory, RegionFactory

MEDIA = tempfile.mkdtemp(prefix="report-concurrency-")


@override_settings(MEDIA_ROOT=MEDIA)
class TwoGenerationsAtOnceTests(TransactionTestCase):
    def setUp(self):
        self.enterContext(on_a_file())
        self.report = Report.objects.create(
            year=2020, title="2020年烟台市质量发展报告", region=RegionFactory()
        )
        chapter = ReportChapter.objects.create(report=self.report, title="标准化")
        ReportItem.objects.create(chapter=chapter, indicator=IndicatorFactory())

    def test_the_second_waits_and_takes_the_next_number(self):
        """The first generation has numbered and saved its version but not yet
        committed: the second waits for it and becomes version 2 (no clash on the
        number, no error)."""
        held, release = threading.Event(), threading.Event()
        first_thread: list[threading.Thread] = []
        save = ReportVersion.save

        def pausing_save(version, *args, **kwargs):
            save(version, *args, **kwargs)
            if threading.current_thread() in first_thread:
                held.set()
                release.wait(30)

        def generate():
            return report_generate(report=self.report, formats=("html",))

        with mock.patch.object(ReportVersion, "save", pausing_save):
            one = Worker(generate)
            first_thread.append(one)
            one.start()
            self.assertTrue(held.wait(30))
            two = Worker(generate)
            two.start()
            time.sleep(1.5)
            self.assertTrue(two.is_alive(), "the second generation did not wait")
            release.set()
            first = one.outcome()
            second = two.outcome()
        self.assertEqual((first.number, second.number), (1, 2))
        versions = list(ReportVersion.objects.order_by("number"))
        self.assertEqual([v.number for v in versions], [1, 2])
        for version in versions:
            self.assertTrue(Path(version.html_file.path).is_file())
        self.assertEqual(len(list(Path(MEDIA).rglob("*.html"))), 2)

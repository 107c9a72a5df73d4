"""A write that SQLite cannot make within its busy timeout (a bulk import holds the
one write lock) answers 503 with a Chinese message, not a 500, and writes nothing
(yantai.middleware.DatabaseBusyMiddleware)."""

from __future__ import annotations

import json
import threading
import unittest

from django.db import OperationalError, connection, transaction
from django.test import RequestFactory, SimpleTestCase, TransactionTestCase
from django.urls import reverse

from news.models import Channel
from tests.factories import ChannelFactory, UserFactory
from tests.sqlite_file import on_a_file
from tests.threads import Worker
from yantai.middleware import DatabaseBusyMiddleware

MESSAGE = "网站正在写入大量数据（例如批量导入），您的请求未能完成，也未保存任何内容。"


@unittest.skipUnless(connection.vendor == "sqlite", "SQLite's one write lock")
class WriteWhileLockedTests(TransactionTestCase):
    def setUp(self):
        self.channel = ChannelFactory(name="烟台新闻", slug="yantai")
        root = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.enterContext(on_a_file())
        self.client.force_login(root)
        # Production waits 20 s for the lock; the test's connection 0.3 s.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 300")

    def hold_the_write_lock(self):
        """Another connection writes and keeps its transaction open, as an import
        does: (worker, release)."""
        held, release = threading.Event(), threading.Event()

        def run():
            with transaction.atomic():  # BEGIN IMMEDIATE: the write lock
                Channel.objects.filter(pk=self.channel.pk).update(order=5)
                held.set()
                release.wait(30)

        worker = Worker(run)
        worker.start()
        self.assertTrue(held.wait(30))
        return worker, release

    def test_an_admin_save_answers_503_with_the_message_and_writes_nothing(self):
        url = reverse("admin:news_channel_change", args=[self.channel.pk])
        form = self.client.get(url).context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None}
        data.update(name="改名", slug="yantai")
        worker, release = self.hold_the_write_lock()
        try:
            response = self.client.post(url, data)
        finally:
            release.set()
        worker.outcome()
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "30")
        self.assertContains(response, MESSAGE, status_code=503)
        self.assertNotContains(response, "database is locked", status_code=503)
        self.channel.refresh_from_db()
        self.assertEqual(self.channel.name, "烟台新闻")
        # Once the lock is free the same save goes through.
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        self.channel.refresh_from_db()
        self.assertEqual(self.channel.name, "改名")


class MiddlewareTests(SimpleTestCase):
    def test_other_database_errors_stay_errors(self):
        middleware = DatabaseBusyMiddleware(lambda request: None)
        request = RequestFactory().get("/")
        self.assertIsNone(
            middleware.process_exception(request, OperationalError("no such table: x"))
        )
        api = middleware.process_exception(
            RequestFactory().post("/api/v1/articles/"),
            OperationalError("database is locked"),
        )
        self.assertEqual(api.status_code, 503)
        self.assertTrue(json.loads(api.content)["detail"].startswith(MESSAGE))

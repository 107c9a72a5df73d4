"""A new observation citing an article must quote that article's title or live
text: the quote is compared with ``Article.body_text`` as the figure marks compare a
figure's quote (``quality.validators.quote_in_text``), on every path that creates one — the
service, a correction, the admin, the API, every import and the figure review.
Saved observations are not checked again when the text changes later."""

from __future__ import annotations

import csv
import io
import tempfile
from decimal import Decimal
from pathlib import Path

import tablib
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse

from news.models import Article, AuditLog
from news.services import article_update
from news.workflow import article_publish_content
from quality.bulk_import import observations_import
from quality.figure_review import figure_proposal_confirm, figure_proposals_extract
from quality.models import FigureProposal, Observation, Period
from quality.resources import ObservationResource
from quality.services import (
    observation_correct,
    observation_create,
    observation_set_preferred,
    period_from_code,
)
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.factories import ArticleFactory, UserFactory
from tests.quality.test_derived_figures import stored_marks

from .factories import IndicatorFactory, RegionFactory

BODY = "<p>截至目前，烟台市共参与制修订604项国家标准、650项行业标准。</p>"
IN_TEXT = "烟台市共参与制修订604项国家标准"
NOT_IN_TEXT = "烟台市共参与制修订605项国家标准"
MESSAGE = "原文引文不在来源文章的标题或正文中"
# A new version of the article without the sentence.
WITHOUT = "<p>烟台市持续推进标准化工作。</p>"
# The import file's columns, the source an article of this site.
HEADER = [
    "indicator",
    "region",
    "period",
    "value",
    "raw_text",
    "article",
    "quote",
    "is_preferred",
]


def stored():
    """Everything a failed creation must leave as it was."""
    return (
        sorted(Observation.objects.values_list("id", "value", "quote", "status")),
        sorted(Period.objects.values_list("code", flat=True)),
        AuditLog.objects.count(),
    )


def publish(article: Article, body: str) -> None:
    """A new version of the live article: a draft, then 终审 publishes it."""
    article_update(
        article=article, by=None, check_permission=False, values={"body": body}
    )
    article_publish_content(article=article, by=None, reviewed=False)


def csv_file(rows: list[list]) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode("utf-8"))


class Base(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(code="standards_national")
        cls.region = RegionFactory()
        cls.article = ArticleFactory(body=BODY)

    def create(self, **changes) -> Observation:
        fields = {
            "indicator": self.indicator,
            "region": self.region,
            "period": "2031",
            "value": Decimal("604"),
            "raw_text": "604项",
            "article": self.article,
            "quote": IN_TEXT,
        }
        fields.update(changes)
        return observation_create(**fields)

    def row(self, quote: str, period: str = "2031", value: str = "604") -> list:
        return [
            "standards_national",
            "370600",
            period,
            value,
            f"{value}项",
            self.article.pk,
            quote,
            "",
        ]

    def assert_refused(self, error: ValidationError) -> None:
        self.assertIn("quote", error.message_dict)
        self.assertIn(MESSAGE, " ".join(error.message_dict["quote"]))


class ServiceTests(Base):
    def test_a_quote_from_the_text_is_accepted(self):
        observation = self.create()
        self.assertEqual(observation.quote, IN_TEXT)

    def test_a_quote_not_in_the_text_is_refused_on_its_field(self):
        before = stored()
        with self.assertRaises(ValidationError) as caught:
            self.create(quote=NOT_IN_TEXT)
        self.assert_refused(caught.exception)
        self.assertEqual(stored(), before)  # not even the Period 2031

    def test_compared_as_the_figure_marks_compare_it(self):
        """As written: the marks do not find a quote with other digits or spacing,
        nor one running from the title into the text."""
        for quote in (
            "烟台市共参与制修订６０４项国家标准",
            "烟台市共参与制修订 604项国家标准",
            f"{self.article.title}截至目前",
        ):
            with self.subTest(quote=quote), self.assertRaises(ValidationError) as e:
                self.create(quote=quote)
            self.assert_refused(e.exception)
        # The whole paragraph, its full stop included, is in the text.
        self.create(quote="截至目前，烟台市共参与制修订604项国家标准、650项行业标准。")

    def test_a_quote_of_the_title_is_accepted(self):
        """A figure of the headline (the seed article's 六百余项) is traced to it."""
        observation = self.create(quote=self.article.title)
        self.assertEqual(observation.quote, self.article.title)

    def test_no_quote_or_an_external_source_is_not_checked(self):
        self.create(quote="")
        self.create(
            period="2032",
            article=None,
            source_publisher="烟台市市场监督管理局",
            source_title="质量工作统计",
            quote=NOT_IN_TEXT,
        )
        self.assertEqual(Observation.objects.count(), 2)

    def test_a_draft_is_checked_against_its_own_text(self):
        """An article never published holds its text in its row, as the marks and
        the figure review read it."""
        draft = ArticleFactory(
            body="<p>烟台市共培育山东名牌产品181个。</p>",
            status=Article.Status.DRAFT,
            published_at=None,
        )
        self.create(article=draft, quote="烟台市共培育山东名牌产品181个。")
        with self.assertRaises(ValidationError) as caught:
            self.create(article=draft, period="2032", quote=IN_TEXT)
        self.assert_refused(caught.exception)

    def test_a_live_article_is_checked_against_its_live_text_not_its_draft(self):
        article_update(
            article=self.article,
            by=None,
            check_permission=False,
            values={"body": "<p>烟台市共参与制修订700项国家标准。</p>"},
        )
        self.article.refresh_from_db()
        self.assertTrue(self.article.has_draft)
        with self.assertRaises(ValidationError) as caught:
            self.create(quote="烟台市共参与制修订700项国家标准")
        self.assert_refused(caught.exception)
        self.create()

    def test_an_accepted_quote_is_one_the_marks_find(self):
        """Confirmed against a proposal, the accepted observation is marked."""
        figure_proposals_extract(article=self.article)
        proposal = FigureProposal.objects.get(article=self.article, raw_text="604项")
        observation = figure_proposal_confirm(
            proposal=proposal, indicator=self.indicator, region=self.region, by=None
        )
        self.assertIn(observation.quote, self.article.body_text)
        self.assertEqual(len(stored_marks(self.article)), 1)


class CorrectionTests(Base):
    def test_a_correction_quoting_other_text_is_refused_and_the_old_value_kept(self):
        old = self.create()
        before = stored()
        with self.assertRaises(ValidationError) as caught:
            observation_correct(
                observation=old, reason="据年报更正", value=605, quote=NOT_IN_TEXT
            )
        self.assert_refused(caught.exception)
        self.assertEqual(stored(), before)
        old.refresh_from_db()
        self.assertTrue(old.is_preferred)

    def test_a_correction_after_the_text_changed_needs_a_quote_of_the_new_text(self):
        """A correction is a new observation: its quote, even one kept from the old
        observation, is checked against the text of today."""
        old = self.create()
        publish(self.article, WITHOUT)
        with self.assertRaises(ValidationError) as caught:
            observation_correct(observation=old, reason="据年报更正", value=605)
        self.assert_refused(caught.exception)
        corrected = observation_correct(
            observation=old,
            reason="据年报更正",
            value=605,
            raw_text="605项",
            quote="",
        )
        self.assertTrue(corrected.is_preferred)


class SavedObservationTests(Base):
    """An observation whose quote the article's text no longer holds keeps its
    quote, and its other fields stay editable on every path."""

    def setUp(self):
        self.old = self.create()
        publish(self.article, WITHOUT)
        self.article.refresh_from_db()
        self.assertNotIn(IN_TEXT, self.article.body_text)

    def test_the_admin_edits_its_status_note_and_flag(self):
        self.client.force_login(
            UserFactory(username="admin", is_staff=True, is_superuser=True)
        )
        response = self.client.post(
            reverse("admin:quality_observation_change", args=[self.old.pk]),
            {"status": "confirmed", "note": "已核对年报"},
        )
        self.assertEqual(response.status_code, 302)
        self.old.refresh_from_db()
        self.assertEqual(
            (self.old.status, self.old.note, self.old.is_preferred, self.old.quote),
            ("confirmed", "已核对年报", False, IN_TEXT),
        )
        observation_set_preferred(observation=self.old)
        self.old.refresh_from_db()
        self.assertTrue(self.old.is_preferred)

    def test_the_bulk_import_updates_it_by_id(self):
        header = ["id", *HEADER, "status", "note"]
        row = [self.old.pk, *self.row(IN_TEXT), "confirmed", "已核对"]
        out = io.StringIO()
        csv.writer(out).writerows([header, row])
        result = observations_import(
            io.BytesIO(out.getvalue().encode()), name="obs.csv"
        )
        self.assertTrue(result.ok, result.errors)
        self.assertEqual((result.created, result.updated), (0, 1))
        self.old.refresh_from_db()
        self.assertEqual((self.old.status, self.old.note), ("confirmed", "已核对"))

    def test_the_import_export_resource_updates_it_by_id(self):
        dataset = tablib.Dataset(headers=["id", *HEADER, "note"])
        dataset.append([self.old.pk, *self.row(IN_TEXT), "已核对"])
        result = ObservationResource().import_data(dataset, dry_run=False)
        self.assertFalse(result.has_errors() or result.has_validation_errors())
        self.old.refresh_from_db()
        self.assertEqual(self.old.note, "已核对")


class AdminTests(Base):
    def setUp(self):
        self.client.force_login(
            UserFactory(username="admin", is_staff=True, is_superuser=True)
        )

    def test_the_add_form_shows_the_error_beside_the_quote(self):
        period = period_from_code("2031")
        before = stored()
        response = self.client.post(
            reverse("admin:quality_observation_add"),
            {
                "indicator": self.indicator.pk,
                "region": self.region.pk,
                "period": period.pk,
                "value": "605",
                "comparator": "=",
                "raw_text": "605项",
                "status": "provisional",
                "article": self.article.pk,
                "quote": NOT_IN_TEXT,
            },
        )
        self.assertEqual(response.status_code, 200)
        form = response.context["adminform"].form
        self.assertIn(MESSAGE, " ".join(form.errors["quote"]))
        self.assertContains(response, MESSAGE)
        self.assertEqual(stored(), before)

    def test_the_correction_form_shows_the_error_beside_the_quote(self):
        old = self.create()
        before = stored()
        response = self.client.post(
            reverse("admin:quality_observation_correct", args=[old.pk]),
            {
                "value": "605",
                "comparator": "=",
                "raw_text": "605项",
                "article": self.article.pk,
                "quote": NOT_IN_TEXT,
                "note": "据年报更正",
            },
        )
        self.assertEqual(response.status_code, 200)
        form = response.context["adminform"].form
        self.assertIn(MESSAGE, " ".join(form.errors["quote"]))
        self.assertEqual(stored(), before)

    def test_the_admin_import_refuses_the_file_and_names_the_row(self):
        dataset = "\n".join(
            ",".join(map(str, r))
            for r in [HEADER, self.row(IN_TEXT), self.row(NOT_IN_TEXT, "2032")]
        )
        before = stored()
        response = self.client.post(
            reverse("admin:quality_observation_import"),
            {
                "import_file": SimpleUploadedFile("obs.csv", dataset.encode()),
                "format": "0",
                "resource": "0",
            },
        )
        self.assertNotIn("confirm_form", response.context)
        result = response.context["result"]
        self.assertEqual([row.number for row in result.invalid_rows], [2])
        self.assertContains(response, MESSAGE)
        self.assertEqual(stored(), before)

    def test_the_figure_review_refuses_a_figure_no_longer_in_the_text(self):
        figure_proposals_extract(article=self.article)
        proposal = FigureProposal.objects.get(article=self.article, raw_text="604项")
        publish(self.article, WITHOUT)
        before = stored()
        response = self.client.post(
            reverse("admin:quality_figureproposal_extract", args=[self.article.pk]),
            {
                "proposal": proposal.pk,
                "action": "confirm",
                "indicator": self.indicator.pk,
                "region": self.region.pk,
            },
            follow=True,
        )
        shown = [str(m) for m in response.context["messages"]]
        self.assertTrue(any(MESSAGE in m for m in shown), shown)
        self.assertEqual(stored(), before)
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, FigureProposal.Status.PROPOSED)


class ImportTests(Base):
    def test_the_resource_imports_nothing_and_names_the_row(self):
        dataset = tablib.Dataset(headers=HEADER)
        dataset.append(self.row(IN_TEXT))
        dataset.append(self.row(NOT_IN_TEXT, "2032"))
        before = stored()
        result = ObservationResource().import_data(dataset, dry_run=False)
        self.assertTrue(result.has_validation_errors())
        self.assertEqual([row.number for row in result.invalid_rows], [2])
        self.assertIn(MESSAGE, " ".join(result.invalid_rows[0].error_dict["quote"]))
        self.assertEqual(stored(), before)

    def test_the_bulk_import_imports_nothing_and_names_row_and_column(self):
        before = stored()
        result = observations_import(
            csv_file([self.row(IN_TEXT), self.row(NOT_IN_TEXT, "2032")]),
            name="obs.csv",
        )
        self.assertFalse(result.ok)
        self.assertEqual(
            [(e.row, e.column) for e in result.errors if MESSAGE in e.message],
            [(3, "quote")],
        )
        self.assertEqual(result.error_count, 1)
        self.assertEqual(stored(), before)

    def test_the_bulk_import_accepts_quotes_of_the_text(self):
        result = observations_import(
            csv_file(
                [
                    self.row(IN_TEXT),
                    self.row("", "2032"),
                    self.row(self.article.title, "2033"),
                ]
            ),
            name="obs.csv",
        )
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.created, 3)

    def test_the_command_imports_nothing_and_names_the_row(self):
        before = stored()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "obs.csv"
            path.write_bytes(
                csv_file([self.row(IN_TEXT), self.row(NOT_IN_TEXT, "2032")]).read()
            )
            err = io.StringIO()
            with self.assertRaises(CommandError):
                call_command(
                    "import_observations",
                    str(path),
                    "--no-progress",
                    stdout=io.StringIO(),
                    stderr=err,
                )
        self.assertIn(f"第 3 行（quote）：{MESSAGE}", err.getvalue())
        self.assertEqual(stored(), before)


class ApiTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        IndicatorFactory(code="standards_national")
        RegionFactory()
        cls.article = ArticleFactory(body=BODY)
        cls.staff = user_with_perms(
            "data", "quality.add_observation", "quality.view_observation"
        )

    def post(self, quote: str):
        self.auth(token_for(self.staff))
        return self.client.post(
            "/api/v1/observations/",
            {
                "indicator": "standards_national",
                "region": "370600",
                "period": "2031",
                "value": "604",
                "raw_text": "604项",
                "article": self.article.pk,
                "quote": quote,
            },
            format="json",
        )

    def test_a_quote_not_in_the_text_is_400_on_its_field(self):
        before = stored()
        response = self.post(NOT_IN_TEXT)
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn(MESSAGE, " ".join(response.json()["quote"]))
        self.assertEqual(stored(), before)

    def test_a_quote_of_the_text_is_created(self):
        response = self.post(IN_TEXT)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(Observation.objects.get().quote, IN_TEXT)


class DemoTests(TestCase):
    def test_every_demo_quote_passes_the_rule(self):
        """``load_demo`` creates the seed figures through ``observation_create``."""
        call_command("load_demo", stdout=io.StringIO())
        article = Article.objects.get(title__startswith="烟台市向高质量发展进军")
        quoted = Observation.objects.filter(article=article).exclude(quote="")
        self.assertTrue(quoted.exists())
        for observation in quoted:
            with self.subTest(raw_text=observation.raw_text):
                self.assertTrue(
                    observation.quote in article.body_text
                    or observation.quote in article.title
                )

"""One list of observation columns (quality/columns.py) serves every output."""

import csv
import inspect
import io
import json

from django.test import TestCase

from quality import columns
from quality.models import Observation
from quality.references import ObservationRow
from quality.resources import ObservationResource
from quality.serializers import ObservationSerializer, ObservationWriteSerializer
from quality.services import observation_create
from quality.views import FIELDNAMES
from tests.factories import ArticleFactory, UserFactory
from tests.quality.factories import IndicatorFactory, ObservationFactory

# Kept by the table for its own use, shown by no output.
INTERNAL = {"period_end_on", "created_at"}


class ColumnListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(code="standards_national", name="国家标准")
        ObservationFactory(indicator=cls.indicator)
        ObservationFactory(
            indicator=cls.indicator,
            article=ArticleFactory(),
            source_publisher="",
            source_title="",
            is_preferred=False,
        )
        cls.staff = UserFactory(username="api", is_staff=True, is_superuser=True)

    def test_every_field_of_the_table_is_in_the_list(self):
        stored = {
            f.name for f in Observation._meta.concrete_fields if f.name not in INTERNAL
        }
        self.assertEqual(stored, {c.name for c in columns.COLUMNS if c.stored})

    def test_the_model_takes_its_fixed_fields_from_the_list(self):
        self.assertEqual(Observation.VALUE_FIELDS, columns.VALUE_FIELDS)
        self.assertEqual(
            columns.VALUE_FIELDS,
            tuple(c.name for c in columns.COLUMNS if c.fixed),
        )

    def test_the_api_writes_the_list_in_both_representations(self):
        self.assertEqual(ObservationSerializer.Meta.fields, columns.API_FIELDS)
        for observation in Observation.objects.all():
            data = ObservationSerializer(observation).data
            self.assertEqual(tuple(data), columns.API_FIELDS)
        # The list pages (row reader) and the detail (model instance).
        page = self.client.get("/api/v1/observations/").json()["results"]
        self.assertEqual(len(page), 2)
        for row in page:
            self.assertEqual(tuple(row), columns.API_FIELDS)
            detail = self.client.get(f"/api/v1/observations/{row['id']}/").json()
            self.assertEqual(detail, row)

    def test_the_row_reader_reads_the_stored_api_columns(self):
        names = [
            Observation._meta.get_field(c.name).attname
            for c in columns.COLUMNS
            if c.api and c.stored
        ]
        self.assertEqual(list(ObservationRow.FIELDS), names)
        # Every name is a column values_list can read.
        self.assertEqual(
            len(Observation.objects.values_list(*ObservationRow.FIELDS)[0]),
            len(names),
        )

    def test_what_a_client_writes_is_the_list(self):
        self.assertEqual(
            set(ObservationWriteSerializer().fields), set(columns.WRITE_FIELDS)
        )
        accepted = set(inspect.signature(observation_create).parameters)
        self.assertLessEqual(set(columns.WRITE_FIELDS), accepted)

    def test_the_import_export_file_has_the_list(self):
        exported = ObservationResource().export()
        self.assertEqual(exported.headers, list(columns.EXCHANGE_FIELDS))
        self.assertEqual(
            set(columns.EXCHANGE_FIELDS), set(columns.WRITE_FIELDS) | {"id"}
        )

    def test_the_downloads_have_the_list(self):
        self.assertEqual(FIELDNAMES, list(columns.DOWNLOAD_FIELDS))
        response = self.client.get("/quality/indicators/standards_national.csv")
        reader = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
        header, *rows = list(reader)
        self.assertEqual(header, list(columns.DOWNLOAD_FIELDS))
        self.assertEqual(len(rows), 2)
        payload = json.loads(
            self.client.get("/quality/indicators/standards_national.json").content
        )
        for row in payload["observations"]:
            self.assertEqual(list(row), list(columns.DOWNLOAD_FIELDS))

    def test_the_public_names_are_stable(self):
        """Clients read these: the API's field names and the CSV headers."""
        self.assertEqual(
            columns.API_FIELDS,
            (
                "id",
                "indicator",
                "region",
                "period",
                "value",
                "comparator",
                "lower",
                "upper",
                "display",
                "raw_text",
                "status",
                "is_preferred",
                "article",
                "source_publisher",
                "source_title",
                "source_on",
                "source_url",
                "quote",
            ),
        )
        self.assertEqual(
            columns.DOWNLOAD_FIELDS,
            (
                "indicator",
                "indicator_name",
                "unit",
                "region_code",
                "region",
                "period",
                "period_label",
                "value",
                "comparator",
                "lower",
                "upper",
                "display",
                "raw_text",
                "status",
                "is_preferred",
                "source",
                "source_url",
                "quote",
            ),
        )

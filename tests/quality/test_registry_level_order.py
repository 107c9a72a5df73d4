"""Registries ordered by level read 国家级, 省级, 市级 — the order a reader expects —
not the codes' alphabet (municipal, national, provincial), everywhere: the public
page, the API without ``?ordering=`` and with ``?ordering=level`` / ``-level``, the
admin's list and export, and ``manage.py export``. Rows of one level follow the
name, then the id (descending after ``-level``, as every API tie)."""

from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from quality.models import InspectionCentre, MeasurementStandard, Scheme
from quality.models.registries import Level
from quality.resources import InspectionCentreResource, MeasurementStandardResource
from tests.factories import UserFactory

from .factories import RegionFactory, SchemeFactory

# Created in this order, so that neither the id nor the level's code gives the order.
ROWS = (
    ("B", Level.MUNICIPAL),
    ("A", Level.PROVINCIAL),
    ("A", Level.MUNICIPAL),
    ("B", Level.NATIONAL),
    ("A", Level.NATIONAL),
)
RANK = {Level.NATIONAL: 0, Level.PROVINCIAL: 1, Level.MUNICIPAL: 2}


class LevelOrderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(is_staff=True, is_superuser=True)
        region = RegionFactory()
        cls.standards = []
        cls.centres = []
        cls.schemes = []
        for n, (name, level) in enumerate(ROWS):
            # Measurement standards: names repeat, so the id breaks ties too.
            for _ in range(2):
                cls.standards.append(
                    MeasurementStandard.objects.create(
                        name=f"{name}计量标准", level=level, region=region
                    )
                )
            cls.centres.append(
                InspectionCentre.objects.create(
                    name=f"{name}{n}检验中心", level=level, region=region
                )
            )
            cls.schemes.append(
                SchemeFactory(
                    name=f"{name}{n}荣誉", level=level, kind=Scheme.Kind.HONOUR
                )
            )

    def setUp(self):
        cache.clear()

    @staticmethod
    def expected(rows) -> list[int]:
        """Level (国家级 first), then name, then id."""
        return [r.pk for r in sorted(rows, key=lambda r: (RANK[r.level], r.name, r.pk))]

    def api_ids(self, path, **params) -> list[int]:
        response = self.client.get(path, params)
        self.assertEqual(response.status_code, 200, response.content)
        return [row["id"] for row in response.json()["results"]]

    def registries(self):
        return (
            (
                "/quality/measurement-standards/",
                "/api/v1/measurement-standards/",
                "measurementstandard",
                MeasurementStandardResource,
                self.standards,
            ),
            (
                "/quality/inspection-centres/",
                "/api/v1/inspection-centres/",
                "inspectioncentre",
                InspectionCentreResource,
                self.centres,
            ),
        )

    def test_the_page_lists_national_then_provincial_then_municipal(self):
        for page, _api, _admin, _resource, rows in self.registries():
            with self.subTest(page):
                response = self.client.get(page)
                ids = [row.pk for row in response.context["page_obj"]]
                self.assertEqual(ids, self.expected(rows))

    def test_the_api_without_ordering_lists_them_so(self):
        for _page, api, _admin, _resource, rows in self.registries():
            with self.subTest(api):
                self.assertEqual(self.api_ids(api), self.expected(rows))

    def test_the_api_orders_by_level_rank(self):
        registries = [(api, rows) for _p, api, _a, _r, rows in self.registries()]
        registries.append(("/api/v1/honour-schemes/", self.schemes))
        for api, rows in registries:
            # Ties by id, descending after a descending key (as every ?ordering=).
            for ordering, key in (
                ("level", lambda r: (RANK[r.level], r.pk)),
                ("-level", lambda r: (-RANK[r.level], -r.pk)),
                ("-level,name", lambda r: (-RANK[r.level], r.name, r.pk)),
            ):
                with self.subTest(api, ordering=ordering):
                    self.assertEqual(
                        self.api_ids(api, ordering=ordering),
                        [r.pk for r in sorted(rows, key=key)],
                    )

    def test_honour_schemes_default_to_level_rank(self):
        self.assertEqual(
            self.api_ids("/api/v1/honour-schemes/"), self.expected(self.schemes)
        )

    def test_the_admin_list_and_exports_list_them_so(self):
        self.client.force_login(self.admin)
        for _page, _api, admin_name, resource, rows in self.registries():
            with self.subTest(admin_name):
                response = self.client.get(
                    reverse(f"admin:quality_{admin_name}_changelist")
                )
                ids = [row.pk for row in response.context["cl"].result_list]
                self.assertEqual(ids, self.expected(rows))
            with self.subTest(admin_name, export="manage.py export"):
                exported = resource().export()
                # The centre's has no id column but its name first (names are unique).
                if "id" in exported.headers:
                    ids = [int(i) for i in exported["id"]]
                else:
                    by_name = {row.name: row.pk for row in rows}
                    ids = [by_name[name] for name in exported.get_col(0)]
                self.assertEqual(ids, self.expected(rows))

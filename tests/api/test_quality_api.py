"""Read endpoints of the quality API: figures and registries."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from news.models import Article, AuditLog
from quality.models import MeasurementStandard, Observation, Period, Scheme
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.factories import ArticleFactory
from tests.quality.factories import (
    AwardFactory,
    IndicatorFactory,
    InspectionCentreFactory,
    ObservationFactory,
    OrganisationFactory,
    PeriodFactory,
    RegionFactory,
    SamplingCampaignFactory,
    SchemeFactory,
    StandardFactory,
)


def make_measurement_standard(n: int = 0) -> MeasurementStandard:
    return MeasurementStandard.objects.create(
        name=f"计量标准{n}",
        certificate_number=f"[2020]烟量标证字第{n:03d}号",
        organisation=OrganisationFactory(),
        region=RegionFactory(),
    )


def make_observation(n: int = 0) -> Observation:
    return ObservationFactory(
        indicator=IndicatorFactory(code=f"indicator_q{n}"),
        period=PeriodFactory(end_on=date(2000, 1, 1) + timedelta(days=n)),
    )


MAKERS = {
    "indicators": lambda n: IndicatorFactory(code=f"ind_{n}"),
    "observations": make_observation,
    "regions": lambda n: RegionFactory(code=f"{370601 + n}", name=f"区{n}"),
    "organisations": lambda n: OrganisationFactory(region=RegionFactory()),
    "honour-schemes": lambda n: SchemeFactory(name=f"荣誉{n}"),
    "honours": lambda n: AwardFactory(),
    "standards": lambda n: StandardFactory(),
    "inspection-centres": lambda n: InspectionCentreFactory(
        organisation=OrganisationFactory(), region=RegionFactory()
    ),
    "measurement-standards": make_measurement_standard,
    "sampling-campaigns": lambda n: SamplingCampaignFactory(article=ArticleFactory()),
}


class QualityListTests(ApiTestCase):
    """Every quality endpoint lists and retrieves in a fixed number of queries."""

    def test_list_and_retrieve_every_endpoint(self):
        for prefix, make in MAKERS.items():
            with self.subTest(prefix):
                url = f"/api/v1/{prefix}/"
                for n in range(2):
                    make(n)
                with CaptureQueriesContext(connection) as small:
                    response = self.client.get(url)
                self.assertEqual(response.status_code, 200, response.content)
                # Count and page; observation lists also read the indicator, region
                # and period tables after a write (quality.references) and the
                # source articles of the page.
                budget = 6 if prefix == "observations" else 2
                self.assertLessEqual(len(small.captured_queries), budget)
                for n in range(2, 25):
                    make(n)
                with self.assertNumQueries(len(small.captured_queries)):
                    response = self.client.get(url + "?page_size=100")
                results = response.json()["results"]
                self.assertGreaterEqual(len(results), 2)
                detail = self.client.get(f"{url}{results[0]['id']}/")
                self.assertEqual(detail.status_code, 200)
                self.assertEqual(detail.json()["id"], results[0]["id"])
                csv = self.client.get(url + "?format=csv")
                self.assertEqual(csv.status_code, 200)
                self.assertTrue(csv["Content-Type"].startswith("text/csv"))


class ObservationFilterTests(ApiTestCase):
    """Observations filter by indicator, region, period, source, comparator, status."""

    @classmethod
    def setUpTestData(cls):
        cls.published = ArticleFactory()
        cls.draft = ArticleFactory(status=Article.Status.DRAFT)
        cls.national = IndicatorFactory(code="standards_national")
        cls.other = IndicatorFactory(code="brands")
        cls.hidden = IndicatorFactory(code="internal", is_public=False)
        cls.a = ObservationFactory(
            indicator=cls.national,
            period=PeriodFactory(end_on=date(2020, 12, 31)),
            article=cls.published,
            source_publisher="",
            source_title="",
            status=Observation.Status.CONFIRMED,
        )
        cls.b = ObservationFactory(
            indicator=cls.national,
            period=PeriodFactory(end_on=date(2021, 1, 7)),
            region=RegionFactory(code="370602", name="芝罘区"),
            value=Decimal("600"),
            comparator=Observation.Comparator.GT,
            lower=Decimal("600"),
            article=cls.draft,
            source_publisher="",
            source_title="",
        )
        cls.c = ObservationFactory(indicator=cls.other)
        ObservationFactory(indicator=cls.hidden)

    def ids(self, query: str = "") -> list[int]:
        response = self.client.get("/api/v1/observations/" + query)
        self.assertEqual(response.status_code, 200, response.content)
        return sorted(o["id"] for o in response.json()["results"])

    def test_private_indicators_are_hidden(self):
        self.assertEqual(self.ids(), sorted([self.a.pk, self.b.pk, self.c.pk]))
        self.assertEqual(self.ids("?indicator=internal"), [])

    def test_filters(self):
        cases = {
            "?indicator=standards_national": [self.a.pk, self.b.pk],
            "?region=370602": [self.b.pk],
            "?period_from=2021-01-01": [self.b.pk],
            "?period_to=2020-12-31&indicator=standards_national": [self.a.pk],
            f"?article={self.published.pk}": [self.a.pk],
            "?comparator=%3E": [self.b.pk],
            "?status=confirmed": [self.a.pk],
            f"?id__in={self.a.pk},{self.c.pk}": sorted([self.a.pk, self.c.pk]),
        }
        for query, expected in cases.items():
            with self.subTest(query):
                self.assertEqual(self.ids(query), expected)

    def test_unpublished_source_article_is_not_revealed(self):
        data = {
            o["id"]: o
            for o in self.client.get("/api/v1/observations/").json()["results"]
        }
        self.assertEqual(data[self.a.pk]["article"], self.published.pk)
        self.assertIsNone(data[self.b.pk]["article"])
        self.assertEqual(data[self.b.pk]["display"], "600余项")
        self.assertEqual(data[self.b.pk]["period"]["code"], "@2021-01-07")

    def test_bad_values_are_400(self):
        for query, param in {
            "?comparator=%3D%3D": "comparator",
            "?period_from=2021-13-01": "period_from",
            "?period_from=9999-99-99": "period_from",
            "?article=99999999999999999999": "article",
            "?status=final": "status",
            "?indicatr=x": "indicatr",
        }.items():
            with self.subTest(query):
                response = self.client.get("/api/v1/observations/" + query)
                self.assertEqual(response.status_code, 400)
                self.assertIn(param, response.json())


class HonourFilterTests(ApiTestCase):
    """Honours filter by scheme, level and validity on a date."""

    @classmethod
    def setUpTestData(cls):
        cls.provincial = SchemeFactory(name="山东名牌产品", level="provincial")
        cls.municipal = SchemeFactory(name="烟台名牌产品", level="municipal")
        cls.certification = SchemeFactory(
            name="ISO 9001", kind=Scheme.Kind.CERTIFICATION, level="national"
        )
        cls.valid = AwardFactory(
            scheme=cls.provincial,
            valid_from=date(2019, 1, 1),
            valid_to=date(2021, 12, 31),
        )
        cls.expired = AwardFactory(
            scheme=cls.municipal,
            valid_from=date(2015, 1, 1),
            valid_to=date(2017, 12, 31),
        )
        AwardFactory(scheme=cls.certification)

    def ids(self, query: str = "") -> list[int]:
        response = self.client.get("/api/v1/honours/" + query)
        self.assertEqual(response.status_code, 200, response.content)
        return sorted(o["id"] for o in response.json()["results"])

    def test_only_honours(self):
        self.assertEqual(self.ids(), sorted([self.valid.pk, self.expired.pk]))
        schemes = self.client.get("/api/v1/honour-schemes/").json()["results"]
        self.assertEqual({s["name"] for s in schemes}, {"山东名牌产品", "烟台名牌产品"})

    def test_filters(self):
        self.assertEqual(self.ids(f"?scheme={self.provincial.pk}"), [self.valid.pk])
        self.assertEqual(self.ids("?level=municipal"), [self.expired.pk])
        self.assertEqual(self.ids("?valid_on=2020-06-01"), [self.valid.pk])
        self.assertEqual(self.ids("?valid_on=2016-06-01"), [self.expired.pk])
        self.assertEqual(self.ids("?valid_on=2030-01-01"), [])

    def test_valid_on_agrees_with_is_valid_on(self):
        day = date(2020, 6, 1)
        from quality.models import Award

        self.assertEqual(
            self.ids(f"?valid_on={day.isoformat()}"),
            sorted(a.pk for a in Award.objects.honours() if a.is_valid_on(day)),
        )

    def test_bad_date_is_400(self):
        response = self.client.get("/api/v1/honours/?valid_on=0000-01-01")
        self.assertEqual(response.status_code, 400)
        self.assertIn("valid_on", response.json())


class PeriodCodeTests(ApiTestCase):
    def test_period_serialises_label(self):
        period = PeriodFactory(
            kind=Period.Kind.YEAR, start_on=date(2020, 1, 1), end_on=date(2020, 12, 31)
        )
        ObservationFactory(period=period)
        data = self.client.get("/api/v1/observations/").json()["results"][0]
        self.assertEqual(data["period"]["code"], "2020")
        self.assertEqual(data["period"]["label"], period.label)


class ObservationWriteTests(ApiTestCase):
    """Observations are added through ``observation_create`` with model permissions."""

    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(code="standards_national")
        cls.region = RegionFactory()
        cls.staff = user_with_perms(
            "data", "quality.add_observation", "quality.view_observation"
        )
        cls.reader = user_with_perms("reader", "quality.view_observation")

    def payload(self, **changes):
        data = {
            "indicator": "standards_national",
            "region": "370600",
            "period": "@2020-12-31",
            "value": "604",
            "raw_text": "604项",
            "source_publisher": "烟台市市场监督管理局",
            "source_title": "烟台市质量发展统计",
        }
        data.update(changes)
        return data

    def post(self, **changes):
        return self.client.post(
            "/api/v1/observations/", self.payload(**changes), format="json"
        )

    def test_staff_adds_observation_audited(self):
        self.auth(token_for(self.staff))
        response = self.post()
        self.assertEqual(response.status_code, 201, response.content)
        observation = Observation.objects.get()
        self.assertEqual(response.json()["id"], observation.pk)
        self.assertEqual(observation.period.code, "@2020-12-31")
        self.assertTrue(observation.is_preferred)
        log = AuditLog.objects.get()
        self.assertEqual((log.user, log.action), (self.staff, AuditLog.Action.CREATE))

    def test_model_validation_is_400_and_nothing_written(self):
        self.auth(token_for(self.staff))
        for changes, field in (
            ({"period": "2020Q5"}, "period"),
            ({"source_title": ""}, "non_field_errors"),
            ({"value": "NaN"}, "value"),
            ({"value": "1e400"}, "value"),
            ({"indicator": "nope"}, "indicator"),
            ({"comparator": "=", "lower": "1"}, "non_field_errors"),
        ):
            with self.subTest(changes):
                response = self.post(**changes)
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(field, response.json())
        self.assertFalse(Observation.objects.exists())
        self.assertFalse(AuditLog.objects.exists())

    def test_indicator_not_public_is_400_as_an_unknown_code(self):
        # The API shows no observation of a non-public indicator: one sent for it
        # was written and answered 500, and told such codes from unknown ones.
        IndicatorFactory(code="internal_only", is_public=False)
        self.auth(token_for(self.staff))
        unknown = self.post(indicator="nope")
        response = self.post(indicator="internal_only")
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(
            response.json()["indicator"][0].replace("internal_only", "nope"),
            unknown.json()["indicator"][0],
        )
        self.assertFalse(Observation.objects.exists())
        self.assertFalse(AuditLog.objects.exists())

    def test_permissions(self):
        self.assertEqual(self.post().status_code, 401)
        self.auth(token_for(self.reader))
        self.assertEqual(self.post().status_code, 403)
        self.assertFalse(Observation.objects.exists())

    def test_moving_the_preferred_flag_needs_the_change_permission(self):
        """is_preferred=true takes the flag off the cell's saved preferred value: a
        change of a saved observation, as 更正 in the admin."""
        saved = ObservationFactory(
            indicator=self.indicator, region=self.region, period=PeriodFactory()
        )
        self.auth(token_for(self.staff))
        response = self.post(value="605", raw_text="605项", is_preferred=True)
        self.assertEqual(response.status_code, 403, response.content)
        self.assertIn("修改观测值", response.json()["detail"])
        saved.refresh_from_db()
        self.assertTrue(saved.is_preferred)
        self.assertEqual(Observation.objects.count(), 1)
        self.assertFalse(AuditLog.objects.exists())
        # Beside the preferred value (no flag asked): adding only, allowed.
        response = self.post(value="605", raw_text="605项")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertFalse(response.json()["is_preferred"])
        # With the change permission the flag moves.
        changer = user_with_perms(
            "changer", "quality.add_observation", "quality.change_observation"
        )
        self.auth(token_for(changer))
        response = self.post(value="606", raw_text="606项", is_preferred=True)
        self.assertEqual(response.status_code, 201, response.content)
        saved.refresh_from_db()
        self.assertFalse(saved.is_preferred)

    def test_preferred_in_an_empty_cell_needs_no_change_permission(self):
        self.auth(token_for(self.staff))
        response = self.post(is_preferred=True)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertTrue(Observation.objects.get().is_preferred)


class LargeListTests(ApiTestCase):
    """What keeps the observation list fast at 1,000,000 rows (bench/api_bench.py)."""

    URL = "/api/v1/observations/"

    @classmethod
    def setUpTestData(cls):
        for n in range(3):
            make_observation(n)

    def test_counts_are_cached_and_forgotten_on_writes(self):
        # count, page, and the indicator, region and period tables (first use)
        with self.assertNumQueries(5):
            first = self.client.get(self.URL, {"region": "370600"}).json()
        with self.assertNumQueries(1):  # the page; count and tables are cached
            again = self.client.get(self.URL, {"region": "370600", "page_size": 50})
        self.assertEqual(again.json()["count"], first["count"])
        make_observation(3)
        with self.assertNumQueries(5):  # a write: count and tables read again
            after = self.client.get(self.URL).json()
        self.assertEqual(after["count"], 4)
        self.assertEqual(len(after["results"]), 4)

    def test_only_the_requested_filters_are_built(self):
        from django.test import RequestFactory
        from rest_framework.request import Request

        from api.filters import StrictFilterBackend
        from quality.api import ObservationViewSet
        from quality.filters import ObservationFilter

        request = Request(RequestFactory().get(self.URL, {"region": "370600"}))
        view = ObservationViewSet(action="list", request=request)
        filterset = StrictFilterBackend().get_filterset(
            request, Observation.objects.all(), view
        )
        self.assertEqual(list(filterset.filters), ["region"])
        self.assertEqual(list(filterset.form.fields), ["region"])
        self.assertGreater(len(ObservationFilter.base_filters), 5)  # all kept
        # Every filter is still a known parameter, named in the 400 for a typo.
        response = self.client.get(self.URL, {"regoin": "370600"})
        self.assertEqual(response.status_code, 400)
        for name in ObservationFilter.base_filters:
            self.assertIn(name, response.json()["regoin"][0])
        rows = self.client.get(self.URL, {"region": "370600"}).json()["results"]
        self.assertTrue(rows)
        self.assertEqual({r["region"] for r in rows}, {"370600"})

    def test_list_rows_match_the_detail_rows(self):
        """The list's attached objects give what the detail's joins give."""
        article = ArticleFactory()
        make_observation(7).__class__.objects.filter(pk__gt=0).update(
            article=article, source_publisher="", source_title="", source_url=""
        )
        rows = self.client.get(self.URL).json()["results"]
        self.assertEqual({r["article"] for r in rows}, {article.pk})
        for row in rows:
            self.assertEqual(self.client.get(f"{self.URL}{row['id']}/").json(), row)

    def test_a_stale_count_does_not_hide_rows(self):
        self.assertEqual(self.client.get(self.URL).json()["count"], 3)
        # A row written behind the signals' back (raw SQL, QuerySet.update …).
        source = Observation.objects.first()
        source.pk = None
        source.is_preferred = False
        Observation.objects.bulk_create([source])
        results = self.client.get(self.URL).json()["results"]
        self.assertEqual(len(results), 4)

    def test_deep_offsets_are_refused_past_the_end_is_404(self):
        with mock.patch("api.pagination.count_of", return_value=50_000):
            response = self.client.get(self.URL, {"page": 502})
            self.assertEqual(response.status_code, 400)
            self.assertIn("翻页太深", response.json()["page"][0])
            response = self.client.get(self.URL, {"offset": 10_001, "limit": 5})
            self.assertEqual(response.status_code, 400)
            self.assertIn("翻页太深", response.json()["offset"][0])
            response = self.client.get(self.URL, {"page": "last"})
            self.assertEqual(response.status_code, 400)
            # The last page within reach is served.
            self.assertEqual(self.client.get(self.URL, {"page": 501}).status_code, 200)
        self.assertEqual(self.client.get(self.URL, {"page": 9999}).status_code, 404)

    def test_ordering_by_the_period_end_uses_the_observation_copy(self):
        rows = self.client.get(self.URL, {"ordering": "-period__end_on"}).json()
        ends = [r["period"]["end_on"] for r in rows["results"]]
        self.assertEqual(ends, sorted(ends, reverse=True))
        with CaptureQueriesContext(connection) as queries:
            self.client.get(self.URL, {"ordering": "-period__end_on"})
        self.assertIn('"period_end_on" DESC', queries.captured_queries[-1]["sql"])

    def test_the_copy_follows_the_period(self):
        observation = Observation.objects.select_related("period").first()
        self.assertEqual(observation.period_end_on, observation.period.end_on)
        period = observation.period
        period.end_on = date(2030, 6, 30)
        period.save()
        observation.refresh_from_db()
        self.assertEqual(observation.period_end_on, date(2030, 6, 30))


class ObservationRepresentationTests(ApiTestCase):
    """The hand-written representation is DRF's generic one, for every kind of row."""

    def test_same_output_as_the_generic_serializer(self):
        from quality.serializers import ObservationSerializer

        draft = ArticleFactory(status=Article.Status.DRAFT)
        rows = [
            make_observation(1),
            ObservationFactory(
                value=Decimal("600"),
                comparator=">",
                lower=Decimal("600"),
                upper=Decimal("700"),
                article=draft,
                source_publisher="",
                source_title="",
            ),
            ObservationFactory(
                value=Decimal("97.5"),
                comparator="~",
                source_on=date(2021, 1, 7),
                source_url="https://example.gov.cn/a.html",
                quote="约97.5%",
            ),
        ]
        for observation in Observation.objects.filter(
            pk__in=[o.pk for o in rows]
        ).select_related("indicator__unit", "region", "period", "article"):
            serializer = ObservationSerializer()
            generic = super(ObservationSerializer, serializer).to_representation(
                observation
            )
            self.assertEqual(serializer.to_representation(observation), generic)

    def test_decimals_are_written_as_drf_writes_them(self):
        from quality.serializers import _DECIMAL, _decimal

        for text in [
            "0",
            "-0.0001",
            "97.5",
            "1E+3",
            "0.00005",
            "0.00015",
            "-12345678.12345",
            "9999999999999999.9999",
        ]:
            with self.subTest(text):
                value = Decimal(text)
                self.assertEqual(_decimal(value), _DECIMAL.to_representation(value))
        self.assertEqual(_decimal(1.5), _DECIMAL.to_representation(1.5))

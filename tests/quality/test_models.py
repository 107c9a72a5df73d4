"""Models, constraints, services and Chinese rendering of the quality app."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import SimpleTestCase, TestCase

from quality.formatting import format_value, period_label
from quality.models import Award, Observation, Period, SamplingCampaign, Standard
from quality.services import (
    observation_correct,
    observation_create,
    period_from_code,
    period_get_or_create,
)
from tests.factories import ArticleFactory

from .factories import (
    AwardFactory,
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
    SamplingCampaignFactory,
    StandardFactory,
)


class ChineseRenderingTests(SimpleTestCase):
    def test_comparators(self):
        """Each comparator reads the way a reporter writes it."""
        cases = [
            (Decimal("604"), "=", "项", "604项"),
            (Decimal("600"), ">", "项", "600余项"),
            (Decimal("97"), ">", "%", "超97%"),
            (Decimal("97"), ">=", "%", "97%以上"),
            (Decimal("1700"), "~", "批次", "约1700批次"),
            (Decimal("5"), "<", "个", "不足5个"),
            (Decimal("5"), "<=", "个", "不超过5个"),
        ]
        for value, comparator, unit, expected in cases:
            with self.subTest(expected=expected):
                self.assertEqual(format_value(value, comparator, unit), expected)

    def test_trailing_zeros_and_decimals(self):
        self.assertEqual(format_value(Decimal("100.0000"), "=", "项"), "100项")
        self.assertEqual(format_value(Decimal("97.5"), ">=", "%", 1), "97.5%以上")
        self.assertEqual(format_value(Decimal("97"), "=", "%", 2), "97.00%")

    def test_period_labels(self):
        cases = [
            ("instant", None, date(2020, 12, 31), "截至2020年底"),
            ("instant", None, date(2020, 6, 30), "截至2020年6月底"),
            ("instant", None, date(2021, 1, 7), "截至2021年1月7日"),
            ("year", date(2020, 1, 1), date(2020, 12, 31), "2020年"),
            ("half", date(2020, 1, 1), date(2020, 6, 30), "2020年上半年"),
            ("half", date(2020, 7, 1), date(2020, 12, 31), "2020年下半年"),
            ("quarter", date(2020, 1, 1), date(2020, 3, 31), "2020年第一季度"),
            ("quarter", date(2020, 10, 1), date(2020, 12, 31), "2020年第四季度"),
            ("month", date(2020, 6, 1), date(2020, 6, 30), "2020年6月"),
            ("custom", date(2019, 1, 1), date(2020, 12, 31), "2019年至2020年"),
            (
                "custom",
                date(2020, 3, 5),
                date(2020, 4, 9),
                "2020年3月5日至2020年4月9日",
            ),
        ]
        for kind, start, end, expected in cases:
            with self.subTest(expected=expected):
                self.assertEqual(period_label(kind, start, end), expected)


class PeriodTests(TestCase):
    def test_codes_round_trip(self):
        """A period's code parses back to the same kind and dates."""
        for code in [
            "@2020-12-31",
            "2020",
            "2020H1",
            "2020H2",
            "2020Q3",
            "2020-02",
            "2019-01-01..2020-12-31",
            # Years before 1000 keep four digits ("@999-12-31" would not read back).
            "@0999-12-31",
            "0999",
            "0999H2",
            "0999Q4",
            "0999-12",
            "0998-01-01..0999-12-31",
        ]:
            with self.subTest(code=code):
                period = period_from_code(code)
                self.assertEqual(period.code, code)
                self.assertEqual(
                    Period.bounds_from_code(code),
                    (period.kind, period.start_on, period.end_on),
                )

    def test_get_or_create_does_not_duplicate(self):
        first = period_get_or_create(
            kind="half", start_on=date(2020, 1, 1), end_on=date(2020, 6, 30)
        )
        again = period_from_code("2020H1")
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(Period.objects.count(), 1)

    def test_chinese_forms_are_their_codes(self):
        """A period as Chinese tables write it is the period of its code, on every
        path that takes a code (bulk import, import-export's, services)."""
        for text, code in (("2020年上半年", "2020H1"), ("二〇二〇年度", "2020")):
            with self.subTest(text=text):
                self.assertEqual(period_from_code(text).code, code)
        self.assertEqual(Period.objects.count(), 2)

    def test_unknown_code_is_rejected(self):
        with self.assertRaises(ValidationError) as caught:
            period_from_code("2020年第五季度")
        self.assertIn("无法识别的期间代码", caught.exception.messages[0])
        self.assertEqual(Period.objects.count(), 0)

    def test_dates_must_match_kind(self):
        with self.assertRaises(ValidationError) as caught:
            period_get_or_create(
                kind="half", start_on=date(2020, 1, 1), end_on=date(2020, 5, 31)
            )
        self.assertIn("起止日期与所选类型不符", caught.exception.messages[0])
        self.assertEqual(Period.objects.count(), 0)

    def test_database_rejects_instant_with_start(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Period.objects.create(
                kind="instant", start_on=date(2020, 1, 1), end_on=date(2020, 12, 31)
            )
        self.assertEqual(Period.objects.count(), 0)


class ObservationConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(
            code="standards_national", name="参与制修订国家标准"
        )
        cls.region = RegionFactory()
        cls.period = PeriodFactory()
        cls.first = ObservationFactory(
            indicator=cls.indicator, region=cls.region, period=cls.period
        )

    def assert_unchanged(self):
        self.assertEqual(
            list(Observation.objects.values_list("pk", "value", "is_preferred")),
            [(self.first.pk, Decimal("604"), True)],
        )

    def test_one_preferred_per_cell_in_the_database(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Observation.objects.create(
                indicator=self.indicator,
                region=self.region,
                period=self.period,
                value=600,
                raw_text="600项",
                source_publisher="甲",
                source_title="乙",
                is_preferred=True,
            )
        self.assert_unchanged()

    def test_one_preferred_message_in_validation(self):
        duplicate = Observation(
            indicator=self.indicator,
            region=self.region,
            period=self.period,
            value=600,
            raw_text="600项",
            source_publisher="甲",
            source_title="乙",
            is_preferred=True,
        )
        with self.assertRaises(ValidationError) as caught:
            duplicate.full_clean()
        self.assertIn("已有首选值", " ".join(caught.exception.messages))

    def test_bounds_must_surround_value(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Observation.objects.create(
                indicator=self.indicator,
                region=self.region,
                period=self.period,
                value=600,
                comparator="~",
                lower=650,
                raw_text="约600项",
                source_publisher="甲",
                source_title="乙",
            )
        self.assert_unchanged()

    def test_bounds_must_match_comparator(self):
        """'>' needs its lower bound at the printed value; '=' takes no bounds."""
        for comparator, lower, upper in [
            (">", 590, 700),
            ("=", 600, None),
            ("<", None, 700),
        ]:
            with (
                self.subTest(comparator=comparator),
                self.assertRaises(IntegrityError),
                transaction.atomic(),
            ):
                Observation.objects.create(
                    indicator=self.indicator,
                    region=self.region,
                    period=self.period,
                    value=600,
                    comparator=comparator,
                    lower=lower,
                    upper=upper,
                    raw_text="x",
                    source_publisher="甲",
                    source_title="乙",
                )
        self.assert_unchanged()

    def test_exactly_one_kind_of_source(self):
        article = ArticleFactory()
        for extra in [
            {},
            {"article": article, "source_publisher": "甲", "source_title": "乙"},
        ]:
            with (
                self.subTest(extra=list(extra)),
                self.assertRaises(IntegrityError),
                transaction.atomic(),
            ):
                Observation.objects.create(
                    indicator=self.indicator,
                    region=self.region,
                    period=self.period,
                    value=604,
                    raw_text="604项",
                    **extra,
                )
        self.assert_unchanged()

    def test_service_rejects_bad_bounds_with_chinese_message(self):
        with self.assertRaises(ValidationError) as caught:
            observation_create(
                indicator=self.indicator,
                region=self.region,
                period=self.period,
                value=Decimal("600"),
                comparator=">",
                lower=Decimal("600"),
                upper=Decimal("500"),
                raw_text="六百余项",
                source_publisher="甲",
                source_title="乙",
            )
        self.assertIn("上限不能小于数值", " ".join(caught.exception.messages))
        self.assert_unchanged()

    def test_service_rejects_missing_source(self):
        with self.assertRaises(ValidationError) as caught:
            observation_create(
                indicator=self.indicator,
                region=self.region,
                period=self.period,
                value=Decimal("600"),
                raw_text="600项",
            )
        self.assertIn("来源只能二选一", " ".join(caught.exception.messages))
        self.assert_unchanged()


class ObservationServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(code="standards_national")
        cls.region = RegionFactory()
        cls.period = PeriodFactory()
        cls.article = ArticleFactory()

    def create(self, **kwargs):
        defaults = {
            "indicator": self.indicator,
            "region": self.region,
            "period": self.period,
            "value": Decimal("604"),
            "raw_text": "604项",
            "article": self.article,
            "quote": "共参与制修订604项国家标准",
        }
        return observation_create(**{**defaults, **kwargs})

    def test_first_observation_becomes_preferred_second_does_not(self):
        first = self.create()
        second = self.create(
            value=Decimal("600"),
            comparator=">",
            lower=Decimal("600"),
            upper=Decimal("700"),
            raw_text="六百余项",
        )
        self.assertTrue(first.is_preferred)
        self.assertFalse(second.is_preferred)
        self.assertEqual(second.display, "600余项")

    def test_preferred_true_moves_the_flag(self):
        first = self.create()
        second = self.create(value=Decimal("605"), raw_text="605项", is_preferred=True)
        first.refresh_from_db()
        self.assertFalse(first.is_preferred)
        self.assertTrue(second.is_preferred)
        self.assertEqual(Observation.objects.preferred().get().pk, second.pk)

    def test_correction_adds_a_row_and_moves_the_flag(self):
        original = self.create()
        corrected = observation_correct(
            observation=original,
            reason="市市场监管局更正为606项",
            value=Decimal("606"),
            raw_text="606项",
        )
        original.refresh_from_db()
        self.assertEqual(Observation.objects.count(), 2)
        self.assertEqual(original.value, Decimal("604"))  # never overwritten
        self.assertEqual(original.status, Observation.Status.REVISED)
        self.assertFalse(original.is_preferred)
        self.assertTrue(corrected.is_preferred)
        self.assertEqual(corrected.note, "市市场监管局更正为606项")
        self.assertEqual(corrected.article, self.article)

    def test_correction_needs_a_reason(self):
        original = self.create()
        with self.assertRaises(ValidationError) as caught:
            observation_correct(observation=original, reason=" ", value=Decimal("606"))
        self.assertIn("请说明更正的原因", " ".join(caught.exception.messages))
        self.assertEqual(Observation.objects.count(), 1)

    def test_invalid_correction_keeps_the_old_preferred(self):
        original = self.create()
        with self.assertRaises(ValidationError):
            observation_correct(
                observation=original,
                reason="错",
                value=Decimal("606"),
                lower=Decimal("700"),
                comparator=">",
            )
        original.refresh_from_db()
        self.assertTrue(original.is_preferred)
        self.assertEqual(original.status, Observation.Status.PROVISIONAL)
        self.assertEqual(Observation.objects.count(), 1)

    def test_display_with_period(self):
        observation = self.create()
        self.assertEqual(observation.display_with_period, "截至2020年底，604项")


class AwardTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.active = AwardFactory(
            valid_from=date(2020, 1, 1), valid_to=date(2022, 12, 31)
        )
        cls.open_ended = AwardFactory()
        cls.expired = AwardFactory(
            valid_from=date(2017, 1, 1), valid_to=date(2019, 12, 31)
        )
        cls.suspended = AwardFactory(status=Award.Status.SUSPENDED)
        cls.future = AwardFactory(valid_from=date(2023, 1, 1))

    def test_valid_on_agrees_with_is_valid_on(self):
        """The QuerySet and the one-row twin give the same answer on each day."""
        for day in [
            date(2016, 6, 1),
            date(2019, 12, 31),
            date(2020, 1, 1),
            date(2022, 12, 31),
            date(2023, 1, 1),
        ]:
            with self.subTest(day=day):
                from_queryset = set(
                    Award.objects.valid_on(day).values_list("pk", flat=True)
                )
                from_rows = {a.pk for a in Award.objects.all() if a.is_valid_on(day)}
                self.assertEqual(from_queryset, from_rows)
        self.assertEqual(
            set(Award.objects.valid_on(date(2021, 1, 7)).values_list("pk", flat=True)),
            {self.active.pk, self.open_ended.pk},
        )

    def test_renewal_links_previous(self):
        renewal = AwardFactory(
            scheme=self.expired.scheme,
            organisation=self.expired.organisation,
            renews=self.expired,
            valid_from=date(2020, 1, 1),
        )
        self.assertEqual(list(self.expired.renewals.all()), [renewal])

    def test_validity_order_enforced(self):
        count = Award.objects.count()
        with self.assertRaises(IntegrityError), transaction.atomic():
            AwardFactory(valid_from=date(2022, 1, 1), valid_to=date(2021, 1, 1))
        self.assertEqual(Award.objects.count(), count)


class StandardTests(TestCase):
    def test_clean_checks_code_against_kind(self):
        standard = Standard(
            code="DB37/T 1234-2020", title="测试", kind=Standard.Kind.NATIONAL
        )
        with self.assertRaises(ValidationError) as caught:
            standard.full_clean()
        self.assertIn("code", caught.exception.message_dict)
        self.assertIn("与所选类型不符", caught.exception.message_dict["code"][0])

    def test_replaced_by(self):
        new = StandardFactory(code="GB/T 19001-2016")
        old = StandardFactory(
            code="GB/T 19001-2008", replaced_by=new, status=Standard.Status.WITHDRAWN
        )
        self.assertEqual(list(new.replaces.all()), [old])


class SamplingCampaignTests(TestCase):
    def test_pass_rate_is_none_when_failures_unknown(self):
        campaign = SamplingCampaignFactory(batches_failed=None)
        self.assertIsNone(campaign.pass_rate)

    def test_pass_rate_computed(self):
        campaign = SamplingCampaignFactory(batches_sampled=1700, batches_failed=17)
        self.assertEqual(campaign.pass_rate, Decimal("99.00"))
        self.assertEqual(
            SamplingCampaignFactory(batches_sampled=0, batches_failed=0).pass_rate, None
        )

    def test_failed_above_sampled_rejected_by_database(self):
        campaign = SamplingCampaignFactory(batches_sampled=10, batches_failed=1)
        with self.assertRaises(IntegrityError), transaction.atomic():
            SamplingCampaign.objects.filter(pk=campaign.pk).update(batches_failed=11)
        campaign.refresh_from_db()
        self.assertEqual(campaign.batches_failed, 1)

    def test_failed_above_sampled_message(self):
        campaign = SamplingCampaignFactory.build(
            period=PeriodFactory(
                kind="half", start_on=date(2020, 1, 1), end_on=date(2020, 6, 30)
            ),
            region=RegionFactory(),
            batches_sampled=10,
            batches_failed=11,
        )
        with self.assertRaises(ValidationError) as caught:
            campaign.full_clean()
        self.assertIn("不合格批次不能多于抽检批次", " ".join(caught.exception.messages))
        self.assertEqual(SamplingCampaign.objects.count(), 0)

"""factory_boy factories for the quality app's tests."""

from datetime import date
from decimal import Decimal

import factory

from quality.models import (
    Award,
    Indicator,
    InspectionCentre,
    Observation,
    Organisation,
    Period,
    Region,
    SamplingCampaign,
    Scheme,
    Standard,
    Topic,
    Unit,
)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "370600"
    name = "烟台市"
    level = Region.Level.CITY


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("symbol",)

    symbol = "项"


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = "标准化"
    slug = "standardisation"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"indicator_{n}")
    name = factory.Sequence(lambda n: f"指标{n}")
    topic = factory.SubFactory(TopicFactory)
    unit = factory.SubFactory(UnitFactory)
    is_headline = True


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period
        django_get_or_create = ("code",)

    kind = Period.Kind.INSTANT
    start_on = None
    end_on = date(2020, 12, 31)
    code = factory.LazyAttribute(
        lambda o: Period(
            **{"kind": o.kind, "start_on": o.start_on, "end_on": o.end_on}
        ).compute_code()
    )


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    indicator = factory.SubFactory(IndicatorFactory)
    region = factory.SubFactory(RegionFactory)
    period = factory.SubFactory(PeriodFactory)
    value = Decimal("604")
    raw_text = "604项"
    source_publisher = "烟台市市场监督管理局"
    source_title = "烟台市质量发展统计"
    quote = "共参与制修订604项国家标准"
    is_preferred = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"烟台测试企业{n}有限公司")


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme
        django_get_or_create = ("name",)

    name = "山东名牌产品"
    kind = Scheme.Kind.HONOUR
    level = "provincial"


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award

    scheme = factory.SubFactory(SchemeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    subject = "葡萄酒"
    year = 2020


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Standard

    code = factory.Sequence(lambda n: f"GB/T {30000 + n}-2020")
    title = factory.Sequence(lambda n: f"测试标准{n}")
    kind = Standard.Kind.NATIONAL


class InspectionCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionCentre

    name = factory.Sequence(lambda n: f"测试质检中心{n}")
    level = "national"
    domain = "葡萄酒"


class SamplingCampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SamplingCampaign

    name = factory.Sequence(lambda n: f"食品抽检{n}")
    category = SamplingCampaign.Category.FOOD
    period = factory.SubFactory(
        PeriodFactory,
        kind=Period.Kind.HALF,
        start_on=date(2020, 1, 1),
        end_on=date(2020, 6, 30),
    )
    region = factory.SubFactory(RegionFactory)
    batches_sampled = 1700

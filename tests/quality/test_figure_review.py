from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db.models import Q
from django.test import TestCase
from django.urls import reverse

from quality.figure_review import indicator_suggest, proposal_sentence
from quality.models import FigureProposal, Observation, Period
from tests.factories import ArticleFactory, UserFactory
from tests.quality.factories import (
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
    UnitFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BODY = (
    "<p>截至目前，烟台市共参与制修订604项国家标准、650项行业标准。</p>"
    "<p>去年上半年又完成食品抽检1700批次。</p>"
)


# Write observations, decide proposals, read the article they come from.
REVIEWER_PERMISSIONS = Q(
    content_type__app_label="quality",
    codename__in=["add_observation", "add_figureproposal", "change_figureproposal"],
) | Q(content_type__app_label="news", codename="view_article")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def extract(client, url):
    """提取数字 on the review page at ``url``, its message read."""
    return client.post(url, {"action": "extract"}, follow=True)


class FigureReviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.region = RegionFactory()
        cls.article = ArticleFactory(
            body=BODY, published_at=datetime(2021, 1, 7, 10, 36, tzinfo=SHANGHAI)
        )
        cls.national = IndicatorFactory(code="standards_national", name="国家标准")
        cls.sampling = IndicatorFactory(
            code="food_sampling", name="食品抽检", unit=UnitFactory(symbol="批次")
        )
        cls.staff = UserFactory(username="reviewer", is_staff=True)
        cls.staff.user_permissions.add(*Permission.objects.filter(REVIEWER_PERMISSIONS))
        cls.url = reverse("admin:quality_figureproposal_extract", args=[cls.article.pk])

    def setUp(self):
        self.client.force_login(self.staff)

    def proposal(self, raw_text: str) -> FigureProposal:
        return FigureProposal.objects.get(article=self.article, raw_text=raw_text)

    def test_opening_the_page_writes_nothing(self):
        """A GET (a link or an image on another site, followed by a signed-in
        reviewer's browser) shows the page and the button; only a POST extracts."""
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(FigureProposal.objects.exists())
        self.assertContains(response, 'name="action" value="extract"')
        self.assertContains(response, "提取数字")
        self.assertContains(response, 'name="csrfmiddlewaretoken"')
        response = self.client.post(self.url, {"action": "extract"})
        self.assertRedirects(response, self.url)
        self.assertEqual(FigureProposal.objects.count(), 3)
        before = list(FigureProposal.objects.values_list("pk", "status"))
        response = self.client.get(self.url)
        self.assertContains(response, "烟台市共参与制修订<mark>604项</mark>国家标准")
        self.assertEqual(
            list(FigureProposal.objects.values_list("pk", "status")), before
        )

    def test_extracting_needs_the_csrf_token(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.staff)
        response = client.post(self.url, {"action": "extract"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(FigureProposal.objects.exists())

    def test_proposals_are_created_once_with_suggested_indicators(self):
        """提取数字 proposes each figure once, beside its sentence."""
        response = self.client.post(self.url, {"action": "extract"}, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(FigureProposal.objects.count(), 3)
        self.assertContains(response, "烟台市共参与制修订<mark>604项</mark>国家标准")
        self.assertContains(response, "新提取到 3 条数据")
        response = self.client.post(self.url, {"action": "extract"}, follow=True)
        self.assertContains(response, "正文中没有新的数据。")
        self.assertEqual(FigureProposal.objects.count(), 3)
        national = self.proposal("604项")
        self.assertEqual(national.indicator, self.national)
        self.assertEqual(national.period_end, date(2021, 1, 7))
        self.assertIsNone(national.period_start)
        food = self.proposal("1700批次")
        self.assertEqual(food.indicator, self.sampling)
        self.assertEqual(
            (food.period_start, food.period_end), (date(2020, 1, 1), date(2020, 6, 30))
        )
        self.assertIsNone(self.proposal("650项").indicator)

    def test_rejected_proposal_is_remembered(self):
        extract(self.client, self.url)
        proposal = self.proposal("650项")
        response = self.client.post(
            self.url, {"proposal": proposal.pk, "action": "reject"}, follow=True
        )
        self.assertIn("已驳回“650项”，以后不再提取。", messages_of(response))
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, FigureProposal.Status.REJECTED)
        self.assertEqual(proposal.decided_by, self.staff)
        extract(self.client, self.url)
        self.assertEqual(FigureProposal.objects.filter(raw_text="650项").count(), 1)
        self.assertEqual(self.proposal("650项").status, "rejected")
        self.assertFalse(Observation.objects.exists())

    def test_second_figure_of_a_list_is_shown_and_quoted_with_its_sentence(self):
        """650项行业标准 is a clause of a list; its source is the whole sentence."""
        response = self.client.post(self.url, {"action": "extract"}, follow=True)
        self.assertContains(
            response,
            "截至目前，烟台市共参与制修订604项国家标准、<mark>650项</mark>行业标准。",
        )
        proposal = self.proposal("650项")
        self.assertEqual(
            proposal_sentence(self.article.body_text, proposal),
            "截至目前，烟台市共参与制修订604项国家标准、650项行业标准。",
        )
        # The article edited since: the clause is looked up again, or kept alone.
        moved = "新增一段。\n" + self.article.body_text
        self.assertEqual(
            proposal_sentence(moved, proposal),
            "截至目前，烟台市共参与制修订604项国家标准、650项行业标准。",
        )
        self.assertEqual(proposal_sentence("全文已改写。", proposal), proposal.quote)

    def test_confirm_creates_observation_with_article_and_quote(self):
        extract(self.client, self.url)
        proposal = self.proposal("1700批次")
        response = self.client.post(
            self.url,
            {
                "proposal": proposal.pk,
                "action": "confirm",
                "indicator": self.sampling.pk,
                "region": self.region.pk,
            },
            follow=True,
        )
        observation = Observation.objects.get()
        self.assertTrue(messages_of(response)[0].startswith("已确认："))
        self.assertEqual(observation.indicator, self.sampling)
        self.assertEqual(observation.article, self.article)
        # The whole sentence, not only the clause the extractor read.
        self.assertEqual(observation.quote, "去年上半年又完成食品抽检1700批次。")
        self.assertEqual(observation.raw_text, "1700批次")
        self.assertEqual(observation.value, Decimal("1700"))
        self.assertEqual(observation.period.code, "2020H1")
        self.assertTrue(observation.is_preferred)
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, FigureProposal.Status.CONFIRMED)
        self.assertEqual(proposal.observation, observation)

    def test_instant_period(self):
        extract(self.client, self.url)
        self.client.post(
            self.url,
            {
                "proposal": self.proposal("604项").pk,
                "action": "confirm",
                "indicator": self.national.pk,
                "region": self.region.pk,
            },
        )
        self.assertEqual(Observation.objects.get().period.code, "@2021-01-07")

    def test_confirm_without_indicator_writes_nothing(self):
        extract(self.client, self.url)
        proposal = self.proposal("650项")
        response = self.client.post(
            self.url,
            {"proposal": proposal.pk, "action": "confirm", "region": self.region.pk},
            follow=True,
        )
        self.assertIn("请先为这条数据选择指标。", messages_of(response))
        self.assertFalse(Observation.objects.exists())
        self.assertFalse(Period.objects.exists())
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, FigureProposal.Status.PROPOSED)

    def test_confirm_with_wrong_unit_writes_nothing(self):
        extract(self.client, self.url)
        response = self.client.post(
            self.url,
            {
                "proposal": self.proposal("1700批次").pk,
                "action": "confirm",
                "indicator": self.national.pk,
                "region": self.region.pk,
            },
            follow=True,
        )
        self.assertIn(
            "单位不符：指标“国家标准”的单位是“项”，原文是“批次”。",
            messages_of(response),
        )
        self.assertFalse(Observation.objects.exists())

    def test_proposal_of_another_article_is_refused(self):
        other = ArticleFactory(body="<p>培育山东名牌产品181个。</p>")
        extract(
            self.client,
            reverse("admin:quality_figureproposal_extract", args=[other.pk]),
        )
        foreign = FigureProposal.objects.get(article=other)
        response = self.client.post(
            self.url, {"proposal": foreign.pk, "action": "reject"}, follow=True
        )
        self.assertIn("这条数据不属于本文章。", messages_of(response))
        foreign.refresh_from_db()
        self.assertEqual(foreign.status, FigureProposal.Status.PROPOSED)

    def test_decided_proposal_cannot_be_decided_again(self):
        extract(self.client, self.url)
        proposal = self.proposal("650项")
        self.client.post(self.url, {"proposal": proposal.pk, "action": "reject"})
        response = self.client.post(
            self.url,
            {
                "proposal": proposal.pk,
                "action": "confirm",
                "indicator": self.national.pk,
                "region": self.region.pk,
            },
            follow=True,
        )
        self.assertIn("这条数据已经审核过了。", messages_of(response))
        self.assertFalse(Observation.objects.exists())


class FigureConflictTests(TestCase):
    """A figure that disagrees with the cell is never written over it silently."""

    @classmethod
    def setUpTestData(cls):
        cls.region = RegionFactory()
        cls.article = ArticleFactory(
            body="<p>截至目前，烟台市共参与制修订604项国家标准。</p>",
            published_at=datetime(2021, 1, 7, 10, 36, tzinfo=SHANGHAI),
        )
        cls.indicator = IndicatorFactory(code="standards_national", name="国家标准")
        cls.existing = ObservationFactory(
            indicator=cls.indicator,
            region=cls.region,
            period=PeriodFactory(end_on=date(2021, 1, 7)),
            value=Decimal("600"),
            raw_text="600项",
            quote="参与制修订600项国家标准",
        )
        cls.staff = UserFactory(username="boss", is_staff=True, is_superuser=True)
        cls.url = reverse("admin:quality_figureproposal_extract", args=[cls.article.pk])

    def setUp(self):
        self.client.force_login(self.staff)
        extract(self.client, self.url)
        self.proposal = FigureProposal.objects.get()
        self.data = {
            "proposal": self.proposal.pk,
            "action": "confirm",
            "indicator": self.indicator.pk,
            "region": self.region.pk,
        }

    def test_conflict_shows_both_and_writes_nothing(self):
        response = self.client.post(self.url, self.data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "与已有数值不一致，请选择首选值")
        self.assertContains(response, "参与制修订600项国家标准")
        self.assertContains(response, "烟台市共参与制修订604项国家标准")
        self.assertContains(response, 'name="prefer" value="new"')
        self.assertContains(response, 'name="prefer" value="existing"')
        self.assertEqual(Observation.objects.count(), 1)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, FigureProposal.Status.PROPOSED)

    def test_choosing_the_new_value_moves_the_preferred_flag(self):
        self.client.post(self.url, {**self.data, "prefer": "new"})
        new = Observation.objects.get(article=self.article)
        self.existing.refresh_from_db()
        self.assertTrue(new.is_preferred)
        self.assertFalse(self.existing.is_preferred)
        self.assertEqual(new.period, self.existing.period)

    def test_keeping_the_existing_value(self):
        self.client.post(self.url, {**self.data, "prefer": "existing"})
        new = Observation.objects.get(article=self.article)
        self.existing.refresh_from_db()
        self.assertFalse(new.is_preferred)
        self.assertTrue(self.existing.is_preferred)

    def test_choosing_the_new_value_needs_the_change_permission(self):
        """It takes the flag off a saved observation: without change_observation
        the choice is not offered, and a forged one changes nothing."""
        reviewer = UserFactory(username="adder", is_staff=True)
        reviewer.user_permissions.add(*Permission.objects.filter(REVIEWER_PERMISSIONS))
        self.client.force_login(reviewer)
        response = self.client.post(self.url, self.data)
        self.assertContains(response, "与已有数值不一致，请选择首选值")
        self.assertNotContains(response, 'name="prefer" value="new"')
        self.assertContains(response, 'name="prefer" value="existing"')
        self.assertContains(response, "没有“修改观测值”权限")
        response = self.client.post(
            self.url, {**self.data, "prefer": "new"}, follow=True
        )
        self.assertIn(
            "您没有“修改观测值”权限，不能把本文数值设为首选（会取消原首选值）。",
            messages_of(response),
        )
        self.existing.refresh_from_db()
        self.assertTrue(self.existing.is_preferred)
        self.assertEqual(Observation.objects.count(), 1)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, FigureProposal.Status.PROPOSED)
        # With it, the choice is offered and taken.
        reviewer.user_permissions.add(
            Permission.objects.get(codename="change_observation")
        )
        reviewer = type(reviewer).objects.get(pk=reviewer.pk)  # no cached perms
        self.client.force_login(reviewer)
        self.assertContains(
            self.client.post(self.url, self.data), 'name="prefer" value="new"'
        )
        self.client.post(self.url, {**self.data, "prefer": "new"})
        self.existing.refresh_from_db()
        self.assertFalse(self.existing.is_preferred)

    def test_bad_choice_writes_nothing(self):
        response = self.client.post(
            self.url, {**self.data, "prefer": "both"}, follow=True
        )
        self.assertTrue(any("both" in m for m in messages_of(response)))
        self.assertEqual(Observation.objects.count(), 1)

    def test_agreeing_value_is_added_beside_without_a_choice(self):
        Observation.objects.filter(pk=self.existing.pk).update(value=Decimal("604"))
        self.client.post(self.url, self.data)
        new = Observation.objects.get(article=self.article)
        self.assertFalse(new.is_preferred)
        self.assertEqual(Observation.objects.filter(is_preferred=True).count(), 1)


class FigureReviewPermissionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(body=BODY)
        cls.url = reverse("admin:quality_figureproposal_extract", args=[cls.article.pk])

    def test_staff_without_quality_permissions_is_denied(self):
        editor = UserFactory(username="editor", is_staff=True)
        editor.user_permissions.add(
            *Permission.objects.filter(codename__in=["change_article", "view_article"])
        )
        self.client.force_login(editor)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        for action in ("reject", "extract"):
            response = self.client.post(self.url, {"action": action})
            self.assertEqual(response.status_code, 403)
        self.assertFalse(FigureProposal.objects.exists())

    def test_reviewer_who_may_not_read_articles_is_denied(self):
        """The page shows the article's text, drafts included."""
        reviewer = UserFactory(username="blind", is_staff=True)
        reviewer.user_permissions.add(
            *Permission.objects.filter(REVIEWER_PERMISSIONS).exclude(
                codename="view_article"
            )
        )
        self.client.force_login(reviewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        for action in ("reject", "extract"):
            response = self.client.post(self.url, {"action": action})
            self.assertEqual(response.status_code, 403)
        self.assertFalse(FigureProposal.objects.exists())

    def test_anonymous_is_sent_to_login(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
        self.assertFalse(FigureProposal.objects.exists())

    def test_article_change_page_links_to_the_review_for_reviewers_only(self):
        admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        change = reverse("admin:news_article_change", args=[self.article.pk])
        response = self.client.get(change)
        # A form (the extraction writes): one click proposes and opens the review.
        self.assertContains(response, f'action="{self.url}"')
        self.assertContains(response, 'name="action" value="extract"')
        self.assertNotContains(response, f'href="{self.url}"')
        response = self.client.post(self.url, {"action": "extract"})
        self.assertRedirects(response, self.url)
        self.assertEqual(FigureProposal.objects.count(), 3)


class IndicatorSuggestTests(TestCase):
    def test_longest_matching_name_with_the_same_unit_wins(self):
        percent = UnitFactory(symbol="%")
        rate = IndicatorFactory(code="rate", name="合格率", unit=percent)
        industrial = IndicatorFactory(
            code="industrial_rate", name="工业产品质量合格率", unit=percent
        )
        indicators = [rate, industrial]
        self.assertEqual(
            indicator_suggest("工业产品质量合格率", "%", indicators), industrial
        )
        self.assertEqual(indicator_suggest("食品合格率", "%", indicators), rate)
        self.assertIsNone(indicator_suggest("", "%", indicators))
        self.assertIsNone(indicator_suggest("名牌产品", "个", indicators))

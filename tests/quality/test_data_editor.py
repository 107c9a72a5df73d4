"""The 数据编辑 group: 提取数据 and observations without touching articles.

Every user here gets its permissions from a group made by a migration (数据编辑 from
quality, 编辑 from news), never from hand-picked permissions, so the tests check
the groups that production has.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse

from news.models import Article
from news.revisions import revision_create
from quality.models import FigureProposal, Observation, Organisation
from tests.factories import ArticleFactory, UserFactory, staff_in_group
from tests.quality.factories import (
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
    UnitFactory,
)
from tests.quality.test_admin import GOOD_ROWS, csv_file
from tests.quality.test_figure_review import BODY, messages_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
DATA_EDITOR = "数据编辑"


def group_permissions(name: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


class DataEditorGroupTests(TestCase):
    def test_group_keeps_data_and_reads_articles(self):
        """Observations, proposals and registries kept; articles only read."""
        perms = group_permissions(DATA_EDITOR)
        for codename in [
            "quality.add_observation",
            "quality.change_observation",
            "quality.view_observation",
            "quality.add_figureproposal",
            "quality.change_figureproposal",
            "quality.add_period",
            "quality.view_indicator",
            "quality.add_organisation",
            "quality.change_award",
            "quality.change_standard",
            "quality.change_inspectioncentre",
            "quality.change_samplingcampaign",
            "news.view_article",
        ]:
            self.assertIn(codename, perms)
        self.assertFalse({p for p in perms if ".delete_" in p})
        for codename in [
            "news.change_article",
            "news.add_article",
            "news.submit_article",
            "news.publish_article",
            "quality.add_indicator",
            "quality.change_indicator",
            "quality.change_period",
            "quality.change_region",
        ]:
            self.assertNotIn(codename, perms)
        self.assertFalse(
            {p for p in perms if p.startswith("news.")} - {"news.view_article"}
        )


class DataEditorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.region = RegionFactory()
        cls.article = ArticleFactory(
            body=BODY,
            status=Article.Status.DRAFT,
            published_at=datetime(2021, 1, 7, 10, 36, tzinfo=SHANGHAI),
        )
        cls.national = IndicatorFactory(code="standards_national", name="国家标准")
        cls.sampling = IndicatorFactory(
            code="food_sampling", name="食品抽检", unit=UnitFactory(symbol="批次")
        )
        cls.user = staff_in_group("shuju", DATA_EDITOR)
        cls.extract_url = reverse(
            "admin:quality_figureproposal_extract", args=[cls.article.pk]
        )
        cls.change_url = reverse("admin:news_article_change", args=[cls.article.pk])

    def setUp(self):
        self.client.force_login(self.user)

    def proposal(self, raw_text: str) -> FigureProposal:
        return FigureProposal.objects.get(article=self.article, raw_text=raw_text)

    def test_article_page_is_read_only_with_the_extract_button(self):
        """The article opens read-only, without workflow buttons, with 提取数据."""
        response = self.client.get(self.change_url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'action="{self.extract_url}"')
        self.assertFalse(response.context["has_change_permission"])
        self.assertNotContains(response, 'name="_save"')
        self.assertEqual(response.context["workflow_actions"], [])

    def test_extract_confirm_and_reject(self):
        """The whole 提取数据 round: propose, confirm one, reject another."""
        response = self.client.post(
            self.extract_url, {"action": "extract"}, follow=True
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "烟台市共参与制修订<mark>604项</mark>国家标准")
        self.assertEqual(FigureProposal.objects.count(), 3)

        response = self.client.post(
            self.extract_url,
            {
                "proposal": self.proposal("1700批次").pk,
                "action": "confirm",
                "indicator": self.sampling.pk,
                "region": self.region.pk,
            },
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(messages_of(response)[0].startswith("已确认："))
        observation = Observation.objects.get()
        self.assertEqual(observation.article, self.article)
        self.assertEqual(observation.quote, "去年上半年又完成食品抽检1700批次。")
        self.assertEqual(observation.period.code, "2020H1")
        self.assertEqual(self.proposal("1700批次").decided_by, self.user)

        response = self.client.post(
            self.extract_url,
            {"proposal": self.proposal("650项").pk, "action": "reject"},
            follow=True,
        )
        self.assertIn("已驳回“650项”，以后不再提取。", messages_of(response))
        rejected = self.proposal("650项")
        self.assertEqual(rejected.status, FigureProposal.Status.REJECTED)
        self.assertEqual(rejected.decided_by, self.user)
        self.assertEqual(Observation.objects.count(), 1)

    def test_new_indicator_link_is_for_administrators(self):
        """Indicators are chosen from, not created, by a data editor."""
        response = self.client.post(
            self.extract_url, {"action": "extract"}, follow=True
        )
        self.assertNotContains(response, reverse("admin:quality_indicator_add"))
        self.assertContains(response, "没有合适的指标时请联系管理员新建。")

    def test_add_and_change_observations_in_the_admin(self):
        """A new observation citing the article; later its status and note."""
        period = PeriodFactory()
        response = self.client.get(reverse("admin:quality_observation_add"))
        self.assertEqual(response.status_code, 200)
        response = self.client.post(
            reverse("admin:quality_observation_add"),
            {
                "indicator": self.national.pk,
                "region": self.region.pk,
                "period": period.pk,
                "value": "604",
                "comparator": "=",
                "raw_text": "604项",
                "status": "confirmed",
                "article": self.article.pk,
                "quote": "烟台市共参与制修订604项国家标准",
                "is_preferred": "on",
            },
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        observation = Observation.objects.get()
        self.assertEqual(observation.article, self.article)
        change = reverse("admin:quality_observation_change", args=[observation.pk])
        self.assertEqual(self.client.get(change).status_code, 200)
        response = self.client.post(
            change,
            {"status": "provisional", "note": "待年报核实", "is_preferred": "on"},
        )
        self.assertEqual(response.status_code, 302)
        observation.refresh_from_db()
        self.assertEqual(observation.note, "待年报核实")
        self.assertEqual(observation.value, 604)

    def test_lookups_of_the_observation_form_answer(self):
        """Autocomplete of indicator, region, period and source article."""
        for field in ["indicator", "region", "period", "article"]:
            with self.subTest(field=field):
                response = self.client.get(
                    reverse("admin:autocomplete"),
                    {
                        "app_label": "quality",
                        "model_name": "observation",
                        "field_name": field,
                        "term": "",
                    },
                )
                self.assertEqual(response.status_code, 200)

    def test_import_observations(self):
        """CSV import, preview first, then confirm."""
        response = self.client.post(
            reverse("admin:quality_observation_import"),
            {"import_file": csv_file(*GOOD_ROWS), "format": "0", "resource": "0"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Observation.objects.exists())
        response = self.client.post(
            reverse("admin:quality_observation_process_import"),
            response.context["confirm_form"].initial,
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Observation.objects.count(), 2)

    def test_registries_can_be_added_but_nothing_deleted(self):
        """Deleting is for administrators: an observation is corrected, not removed."""
        response = self.client.post(
            reverse("admin:quality_organisation_add"),
            {"name": "烟台某检测有限公司", "kind": Organisation.Kind.ENTERPRISE},
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        organisation = Organisation.objects.get()
        delete = reverse("admin:quality_organisation_delete", args=[organisation.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        observation = ObservationFactory()
        delete = reverse("admin:quality_observation_delete", args=[observation.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        self.assertTrue(Organisation.objects.exists())
        self.assertTrue(Observation.objects.exists())

    def test_indicator_definitions_stay_with_administrators(self):
        """Indicators are read-only: no renaming, no new ones."""
        change = reverse("admin:quality_indicator_change", args=[self.national.pk])
        self.assertEqual(self.client.get(change).status_code, 200)  # read-only
        response = self.client.post(change, {"name": "改名"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(
            self.client.get(reverse("admin:quality_indicator_add")).status_code, 403
        )
        self.national.refresh_from_db()
        self.assertEqual(self.national.name, "国家标准")

    def test_cannot_change_the_article(self):
        """Saving the article page is refused and nothing is written."""
        before = Article.objects.values().get(pk=self.article.pk)
        response = self.client.post(
            self.change_url,
            {"title": "改过的标题", "body": "<p>改过</p>", "expected_version": "1"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(
            self.client.get(reverse("admin:news_article_add")).status_code, 403
        )
        self.assertEqual(Article.objects.values().get(pk=self.article.pk), before)

    def test_cannot_share_or_restore_the_article(self):
        """No preview link is made and no old version brought back."""
        share = reverse("admin:news_article_share", args=[self.article.pk])
        self.assertEqual(self.client.post(share).status_code, 403)
        self.assertFalse(self.article.preview_links.exists())
        revision = revision_create(article=self.article, by=None)
        Article.objects.filter(pk=self.article.pk).update(title="新标题")
        self.client.post(
            reverse("admin:news_article_restore", args=[self.article.pk, revision.pk])
        )
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "新标题")

    def test_cannot_submit_or_publish_the_article(self):
        """Neither the buttons' view nor the bulk action moves the article."""
        transition = reverse("admin:news_article_transition", args=[self.article.pk])
        response = self.client.post(transition, {"action": "submit"})
        self.assertNotEqual(response.status_code, 500)
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Article.Status.DRAFT)
        Article.objects.filter(pk=self.article.pk).update(
            status=Article.Status.REVIEW_3
        )
        response = self.client.post(transition, {"action": "publish"})
        self.assertNotEqual(response.status_code, 500)
        self.client.post(
            reverse("admin:news_article_changelist"),
            {"action": "publish_selected", "_selected_action": [self.article.pk]},
        )
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Article.Status.REVIEW_3)
        self.assertFalse(self.article.events.exists())


class WithoutTheGroupTests(TestCase):
    """Staff outside 数据编辑 get 403 from 提取数据, never a 500 or a write."""

    @classmethod
    def setUpTestData(cls):
        cls.region = RegionFactory()
        cls.article = ArticleFactory(body=BODY)
        cls.indicator = IndicatorFactory(code="standards_national", name="国家标准")
        cls.extract_url = reverse(
            "admin:quality_figureproposal_extract", args=[cls.article.pk]
        )

    def assertRefused(self, user):
        self.client.force_login(user)
        self.assertEqual(self.client.get(self.extract_url).status_code, 403)
        response = self.client.post(self.extract_url, {"action": "reject"})
        self.assertEqual(response.status_code, 403)
        response = self.client.post(self.extract_url, {"action": "extract"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(FigureProposal.objects.exists())
        self.assertEqual(
            self.client.get(reverse("admin:quality_observation_add")).status_code, 403
        )
        response = self.client.get(
            reverse("admin:news_article_change", args=[self.article.pk])
        )
        self.assertNotContains(
            response, self.extract_url, status_code=response.status_code
        )

    def test_staff_in_no_group(self):
        self.assertRefused(staff_in_group("nobody", None))

    def test_editor_cannot_extract(self):
        """An 编辑 reads and writes articles but does not keep the figures."""
        editor = staff_in_group("editor", "编辑")
        self.assertRefused(editor)
        response = self.client.get(
            reverse("admin:news_article_change", args=[self.article.pk])
        )
        self.assertEqual(response.status_code, 200)

    def test_user_removed_from_the_group(self):
        """The permissions come from the group only."""
        user = staff_in_group("former", DATA_EDITOR)
        user.groups.clear()
        self.assertRefused(user)

    def test_data_editor_without_staff_status_is_sent_to_login(self):
        user = UserFactory(username="notstaff")
        user.groups.add(Group.objects.get(name=DATA_EDITOR))
        self.client.force_login(user)
        response = self.client.get(self.extract_url)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_importing_quality_data_needs_add_and_change(self):
        """The CSV/XLSX import writes rows: staff without the permissions get 403."""
        self.client.force_login(staff_in_group("editor", "编辑"))
        for url in [
            reverse("admin:quality_observation_import"),
            reverse("admin:quality_organisation_import"),
            reverse("admin:quality_observation_export"),
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
        response = self.client.post(
            reverse("admin:quality_observation_process_import"),
            {"import_file_name": "x.csv", "original_file_name": "x.csv", "format": "0"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Observation.objects.exists())

"""A public registry list's filter value the form refuses is reported, not dropped
(django-filter would list everything as if no filter had been given)."""

import re
from html import unescape

from django.test import TestCase
from django.urls import reverse

from tests.factories import UserFactory
from tests.quality.factories import StandardFactory


class RegistryFilterErrorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        StandardFactory(title="葡萄酒国家标准")
        StandardFactory(title="苹果行业标准")

    def test_an_overlong_keyword_is_reported_and_lists_nothing(self):
        q = "无此标准" * 26  # 104 characters, over the filter's max_length of 100
        response = self.client.get("/quality/standards/", {"q": q})
        self.assertContains(response, "筛选条件有误")
        self.assertContains(response, "100")  # Django's message names the limit
        self.assertNotContains(response, "苹果行业标准")

    def test_an_unknown_kind_is_reported_and_lists_nothing(self):
        response = self.client.get("/quality/standards/", {"kind": "bogus"})
        self.assertContains(response, "筛选条件有误")
        self.assertContains(response, "bogus")
        self.assertNotContains(response, "苹果行业标准")

    def test_a_valid_filter_and_paging_still_list(self):
        response = self.client.get("/quality/standards/", {"q": "苹果", "page": "1"})
        self.assertNotContains(response, "筛选条件有误")
        self.assertContains(response, "苹果行业标准")
        self.assertNotContains(response, "葡萄酒国家标准")


class RegistryPagingTests(TestCase):
    """下一页/上一页 of a filtered registry list stay within the filter."""

    @classmethod
    def setUpTestData(cls):
        for _n in range(55):
            StandardFactory(title="苹果行业标准")
        for _n in range(55):
            StandardFactory(title="葡萄酒国家标准")

    def test_the_next_page_keeps_the_filter(self):
        first = self.client.get("/quality/standards/", {"q": "苹果"})
        self.assertNotContains(first, "葡萄酒国家标准")
        link = re.search(r'<a href="(\?[^"]*)" rel="next"', first.content.decode())
        self.assertIsNotNone(link)
        second = self.client.get("/quality/standards/" + unescape(link.group(1)))
        self.assertEqual(second.status_code, 200)
        self.assertContains(second, "苹果行业标准")
        self.assertNotContains(second, "葡萄酒国家标准")
        back = re.search(r'<a href="(\?[^"]*)" rel="prev"', second.content.decode())
        self.assertIn("q=%E8%8B%B9%E6%9E%9C", unescape(back.group(1)))


class DataMenuTests(TestCase):
    """The data pages' menu says which of its links is the page shown."""

    def test_the_dashboard_link_is_current_on_the_dashboard(self):
        StandardFactory()
        for prefix in ("", "/en"):
            with self.subTest(prefix=prefix):
                html = self.client.get(f"{prefix}/quality/").content.decode()
                menu = re.search(r'<nav class="quality-nav".*?</nav>', html, re.S)[0]
                self.assertRegex(
                    menu, rf'<a href="{prefix}/quality/" aria-current="page">'
                )
                self.assertEqual(menu.count("aria-current"), 1)
                html = self.client.get(f"{prefix}/quality/standards/").content
                menu = re.search(
                    r'<nav class="quality-nav".*?</nav>', html.decode(), re.S
                )[0]
                self.assertNotRegex(menu, rf'href="{prefix}/quality/" aria-current')
                self.assertEqual(menu.count("aria-current"), 1)


class AwardSchemeFilterTests(TestCase):
    """The honours page filters by honour schemes only, before and after a search."""

    @classmethod
    def setUpTestData(cls):
        from quality.models import Scheme

        from .factories import AwardFactory, SchemeFactory

        AwardFactory(subject="葡萄酒")
        cls.certification = SchemeFactory(
            name="ISO 9001 质量管理体系认证",
            kind=Scheme.Kind.CERTIFICATION,
            level="national",
        )

    def test_a_certification_scheme_is_not_offered_on_the_honours_page(self):
        for query in ({}, {"q": "葡萄"}):
            response = self.client.get("/quality/honours/", query)
            choices = [
                label
                for _value, label in response.context["filterset"]
                .form.fields["scheme"]
                .choices
            ]
            self.assertNotIn("ISO 9001 质量管理体系认证", choices, query)

    def test_a_certification_scheme_is_an_error_on_the_honours_page(self):
        response = self.client.get(
            "/quality/honours/", {"scheme": self.certification.pk}
        )
        self.assertContains(response, "筛选条件有误")


class StandardCodeSearchTests(TestCase):
    """A code searched with a printed dash finds the standard saved with "-", on
    the page and in the API."""

    @classmethod
    def setUpTestData(cls):
        StandardFactory(code="GB/T 19001-2016", title="质量管理体系 要求")
        StandardFactory(code="GB/T 24001-2016", title="环境管理体系")

    def test_page_keyword(self):
        for q in ("19001—2016", "GB/T 19001‑2016"):
            with self.subTest(q=q):
                response = self.client.get("/quality/standards/", {"q": q})
                self.assertContains(response, "质量管理体系 要求")
                self.assertNotContains(response, "环境管理体系")

    def test_api_code_filter(self):
        response = self.client.get("/api/v1/standards/", {"code": "19001—2016"})
        self.assertEqual(
            [s["code"] for s in response.json()["results"]], ["GB/T 19001-2016"]
        )

    def test_admin_search_and_autocomplete(self):
        self.client.force_login(UserFactory(is_staff=True, is_superuser=True))
        response = self.client.get(
            reverse("admin:quality_standard_changelist"), {"q": "19001—2016"}
        )
        self.assertContains(response, "质量管理体系 要求")
        self.assertNotContains(response, "环境管理体系")
        response = self.client.get(
            reverse("admin:autocomplete"),
            {
                "term": "GB/T 19001—2016",
                "app_label": "quality",
                "model_name": "standard",
                "field_name": "replaced_by",
            },
        )
        self.assertEqual(
            [r["text"] for r in response.json()["results"]],
            ["GB/T 19001-2016 质量管理体系 要求"],
        )

from django.test import SimpleTestCase, override_settings
from django.urls import clear_script_prefix, include, path, reverse, set_script_prefix

from yantai.links import cached_reverse


def view(request):  # pragma: no cover - never called
    raise AssertionError


urlpatterns = [
    path(
        "",
        include(([path("elsewhere/<str:slug>/", view, name="channel-detail")], "news")),
    )
]


class CachedReverseTests(SimpleTestCase):
    def test_same_as_reverse_chinese_slugs_included(self):
        url = cached_reverse("news:channel-detail", slug="质量强市")
        self.assertEqual(
            url, reverse("news:channel-detail", kwargs={"slug": "质量强市"})
        )
        self.assertEqual(url, "/news/channel/%E8%B4%A8%E9%87%8F%E5%BC%BA%E5%B8%82/")

    def test_the_script_prefix_is_part_of_the_key(self):
        self.assertEqual(cached_reverse("news:article-detail", pk=7), "/news/7/")
        set_script_prefix("/site/")
        try:
            self.assertEqual(
                cached_reverse("news:article-detail", pk=7), "/site/news/7/"
            )
        finally:
            clear_script_prefix()
            set_script_prefix("/")
        self.assertEqual(cached_reverse("news:article-detail", pk=7), "/news/7/")

    def test_a_new_urlconf_is_not_answered_from_the_old_one(self):
        url = "/news/channel/a/"
        self.assertEqual(cached_reverse("news:channel-detail", slug="a"), url)
        with override_settings(ROOT_URLCONF=__name__):
            self.assertEqual(
                cached_reverse("news:channel-detail", slug="a"), "/elsewhere/a/"
            )
        self.assertEqual(cached_reverse("news:channel-detail", slug="a"), url)

from django.test import SimpleTestCase, override_settings
from django.urls import (
    clear_script_prefix,
    include,
    path,
    reverse,
    set_script_prefix,
    set_urlconf,
)
from django.utils import translation

from yantai.links import cached_reverse, id_url, pinned, prefix_and_urlconf


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


class PinnedTests(SimpleTestCase):
    def test_the_prefix_and_urlconf_of_the_block_start_are_kept(self):
        """Within ``pinned()`` the links take the script prefix and the URLconf
        it began with (a view's render: Django sets them before) without reading
        them again, and read them again after it."""
        set_script_prefix("/site/")
        set_urlconf(__name__)
        try:
            with pinned():
                url = cached_reverse("news:channel-detail", slug="a")
                self.assertEqual(url, "/site/elsewhere/a/")
                set_script_prefix("/other/")
                set_urlconf(None)
                self.assertEqual(prefix_and_urlconf(), ("/site/", __name__))
                self.assertEqual(cached_reverse("news:channel-detail", slug="a"), url)
            self.assertEqual(prefix_and_urlconf(), ("/other/", None))
        finally:
            set_urlconf(None)
            clear_script_prefix()
            set_script_prefix("/")
        self.assertEqual(
            cached_reverse("news:channel-detail", slug="a"), "/news/channel/a/"
        )

    def test_the_language_is_not_pinned(self):
        """The language may change inside a render (``translation.override``):
        it is read on every link."""
        with pinned():
            self.assertEqual(id_url("news:article-detail", "pk", 7), "/news/7/")
            with translation.override("en"):
                self.assertEqual(id_url("news:article-detail", "pk", 7), "/en/news/7/")
                self.assertEqual(
                    cached_reverse("news:channel-detail", slug="a"),
                    "/en/news/channel/a/",
                )
            self.assertEqual(
                cached_reverse("news:channel-detail", slug="a"), "/news/channel/a/"
            )

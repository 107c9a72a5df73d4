"""``./run manage purge_site``: the whole site purged from the cloud CDN
(``news.cdn``: 腾讯云 ``PurgePathCache``, 阿里云 ``RefreshObjectCaches`` of a
directory), after a restore or whenever every page may have changed. The CDN is the
stand-in of tests/news/test_frontcache.py, called through the vendors' SDKs."""

from __future__ import annotations

import io

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, override_settings

from tests.news.test_frontcache import CloudAPI, serving

SITE = "https://quality.example.gov.cn"


class PurgeSiteTests(SimpleTestCase):
    def setUp(self):
        (self.api,) = serving(self, CloudAPI([]))

    def purge(self, cloud: str) -> str:
        out = io.StringIO()
        with override_settings(
            FRONTEND_CACHE_CDN=cloud,
            FRONTEND_CACHE_CDN_ENDPOINT=self.api.url,
            FRONTEND_CACHE_CDN_KEY_ID="AKID-yantai",
            FRONTEND_CACHE_CDN_SECRET="s3cret",
            SITE_URL=SITE,
        ):
            call_command("purge_site", stdout=out)
        return out.getvalue()

    def test_tencent_purges_the_sites_directory(self):
        out = self.purge("tencent")
        self.assertEqual(
            self.api.calls, [("PurgePathCache", [f"{SITE}/"], "AKID-yantai")]
        )
        self.assertEqual(self.api.kinds, ["delete"])  # every file, not only changed
        self.assertIn(f"已请 CDN 刷新 {SITE}/ 下的全部缓存。", out)

    def test_aliyun_purges_the_sites_directory(self):
        self.purge("aliyun")
        self.assertEqual(
            self.api.calls, [("RefreshObjectCaches", [f"{SITE}/"], "AKID-yantai")]
        )
        self.assertEqual(self.api.kinds, ["Directory"])

    def test_a_refusal_is_an_error_with_the_clouds_reason(self):
        self.api.error = True
        with self.assertRaisesMessage(CommandError, "CDN 未能刷新整站缓存"):
            self.purge("tencent")

    def test_without_a_cloud_cdn_it_says_so(self):
        with (
            override_settings(FRONTEND_CACHE_CDN=""),
            self.assertRaisesMessage(
                CommandError, "没有设置 FRONTEND_CACHE_CDN，没有可刷新的 CDN。"
            ),
        ):
            call_command("purge_site")
        self.assertEqual(self.api.calls, [])

"""Purges through the signed APIs of the CDNs of Chinese clouds, which take no HTTP
``PURGE``: 阿里云 CDN (``RefreshObjectCaches``) and 腾讯云 CDN (``PurgeUrlsCache``),
each called through its vendor's SDK (aliyun-python-sdk-cdn, tencentcloud-sdk-
python-cdn), which signs the call.

``FRONTEND_CACHE_CDN`` names the cloud (``aliyun`` or ``tencent``); the key comes from
the environment under the names the vendors' own tools read
(``ALIBABA_CLOUD_ACCESS_KEY_ID``/``_SECRET``, ``TENCENTCLOUD_SECRET_ID``/``_KEY``);
``FRONTEND_CACHE_CDN_ENDPOINT`` sends the calls elsewhere than the public API (a
government cloud's own endpoint, or the tests' stand-in). ``news.frontcache`` calls
``purger().purge(urls)`` with the public addresses of the pages a publication,
correction or withdrawal made stale, after nginx has its new copies;
``purge_site(url)`` purges everything under the site's address, through the same
SDKs (阿里云 ``RefreshObjectCaches`` of a ``Directory``, 腾讯云 ``PurgePathCache``
of every file): what a restore changed (``news.frontcache.purge_site``).

The SDKs are imported by the first purge, not with this module: a gunicorn worker
that loads 阿里云's grows by ~12 MiB (its vendored requests), 腾讯云's by ~4 MiB, so
a site without a cloud CDN carries neither.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

#: Addresses a call: both APIs take 1,000, but 阿里云's go in the signed query string,
#: where 100 percent-encoded Chinese addresses already make ~10 KB.
BATCH = 100
#: Seconds a call may take.
TIMEOUT_SECONDS = 15


class AliyunPurger:
    """阿里云 CDN: ``RefreshObjectCaches`` of files, the addresses a line each."""

    action = "RefreshObjectCaches"

    def __init__(self, key_id: str, secret: str, endpoint: str = ""):
        from aliyunsdkcore.client import AcsClient

        where = urlsplit(endpoint)
        self.host = where.hostname or ""
        self.scheme = where.scheme or "https"
        # The port is the client's; 80 also stands for https' default in this SDK.
        self.client = AcsClient(
            key_id,
            secret,
            "cn-hangzhou",  # the CDN API is global; its SDK wants a region
            port=where.port or 80,
            connect_timeout=TIMEOUT_SECONDS,
            timeout=TIMEOUT_SECONDS,
            # One attempt, as every other purge: a failure is logged and the copies
            # last their s-maxage; the SDK's retries would hold a command's exit.
            auto_retry=False,
        )

    def purge(self, urls: list[str]) -> None:
        """Ask for the purge; an exception says why it was refused."""
        self._refresh("\n".join(urls), "File")

    def purge_site(self, url: str) -> None:
        """Purge everything under ``url`` (a directory: ends with ``/``)."""
        self._refresh(url, "Directory")

    def _refresh(self, paths: str, kind: str) -> None:
        from aliyunsdkcdn.request.v20180510.RefreshObjectCachesRequest import (
            RefreshObjectCachesRequest,
        )

        request = RefreshObjectCachesRequest()
        request.set_ObjectPath(paths)
        request.set_ObjectType(kind)
        request.set_protocol_type(self.scheme)
        if self.host:
            request.set_endpoint(self.host)
        self.client.do_action_with_exception(request)


class TencentPurger:
    """腾讯云 CDN: ``PurgeUrlsCache``, in the domains' own acceleration region."""

    action = "PurgeUrlsCache"

    def __init__(self, key_id: str, secret: str, endpoint: str = ""):
        from tencentcloud.cdn.v20180606 import cdn_client
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile

        where = urlsplit(endpoint)
        profile = HttpProfile(
            protocol=where.scheme or None,
            endpoint=where.netloc or None,
            reqTimeout=TIMEOUT_SECONDS,
        )
        self.client = cdn_client.CdnClient(
            credential.Credential(key_id, secret),
            "",  # no region: the API purges where each domain is accelerated
            ClientProfile(httpProfile=profile),
        )

    def purge(self, urls: list[str]) -> None:
        """Ask for the purge; an exception says why it was refused."""
        from tencentcloud.cdn.v20180606 import models

        request = models.PurgeUrlsCacheRequest()
        request.Urls = list(urls)
        self.client.PurgeUrlsCache(request)

    def purge_site(self, url: str) -> None:
        """Purge everything under ``url`` (a directory: ends with ``/``): every
        file (``delete``), not only those the origin changed (``flush``)."""
        from tencentcloud.cdn.v20180606 import models

        request = models.PurgePathCacheRequest()
        request.Paths = [url]
        request.FlushType = "delete"
        self.client.PurgePathCache(request)


PURGERS = {"aliyun": AliyunPurger, "tencent": TencentPurger}


def purger() -> AliyunPurger | TencentPurger | None:
    """The purger of ``FRONTEND_CACHE_CDN`` (None if unset), one per setting."""
    if not settings.FRONTEND_CACHE_CDN:
        return None
    return _purger(
        settings.FRONTEND_CACHE_CDN,
        settings.FRONTEND_CACHE_CDN_KEY_ID,
        settings.FRONTEND_CACHE_CDN_SECRET,
        settings.FRONTEND_CACHE_CDN_ENDPOINT,
    )


@lru_cache(maxsize=4)
def _purger(kind: str, key_id: str, secret: str, endpoint: str):
    return PURGERS[kind](key_id, secret, endpoint)


def batches(urls: list[str]) -> list[list[str]]:
    return [urls[i : i + BATCH] for i in range(0, len(urls), BATCH)]

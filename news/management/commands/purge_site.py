"""Purge the whole site from the cloud CDN (``news.frontcache.purge_site``)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from news.frontcache import SitePurgeError, purge_site


class Command(BaseCommand):
    help = (
        "刷新 FRONTEND_CACHE_CDN 所指的云 CDN 中本站的全部缓存（恢复备份后用；"
        "nginx 和 Varnish 的缓存须先在其主机上清空）。"
    )

    def handle(self, *args, **options):
        try:
            url = purge_site()
        except SitePurgeError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_("已请 CDN 刷新 %(url)s 下的全部缓存。") % {"url": url})

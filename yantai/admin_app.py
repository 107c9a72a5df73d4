"""The admin app, its modules imported when the admin is first needed.

Django's ``AdminConfig`` imports every app's ``admin`` module in ``django.setup()``:
with django-import-export (openpyxl), DRF and drf-spectacular behind them, ~0.3 s
of every process's start, every ``manage.py`` command's included, most of which
never touch the admin (``import_article``'s serial start, a cron job's command).
Here they are imported where the admin is used: by the URLconf (``yantai.urls``,
loaded by ``yantai.wsgi`` at a server's start, by ``runserver`` and by every
request) and by the admin's own system check, which must see every admin class
whatever order the checks run in.
"""

from django.contrib import admin
from django.contrib.admin.apps import SimpleAdminConfig
from django.contrib.admin.checks import check_admin_app, check_dependencies
from django.core import checks


def autodiscover():
    """Import every app's admin module, then put the project's admin pages in place
    of a package's own where it has some (django-mailer's: yantai.mailqueue)."""
    from yantai import mailqueue

    admin.autodiscover()
    mailqueue.admin_register()


def check_discovered_admin(app_configs, **kwargs):
    """Django's check of the admin classes, after importing them all."""
    autodiscover()
    return check_admin_app(app_configs, **kwargs)


class AdminConfig(SimpleAdminConfig):
    def ready(self):
        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(check_discovered_admin, checks.Tags.admin)

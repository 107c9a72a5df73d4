"""What a process imports at start (``django.setup()``), and what it imports only
when first needed: the admin's modules (``yantai.admin_app``), DRF and
drf-spectacular (``api.counts``, ``api.apps``). Each ~0.1-0.3 s of every process's
start, every ``manage.py`` command's included.

Each case is a real process with an environment built from scratch.
"""

from __future__ import annotations

import json

from django.test import SimpleTestCase

from tests.test_deploy_settings import clean_env, python

LATE = (
    "news.admin",
    "quality.admin",
    "import_export.admin",
    "rest_framework.serializers",
    "openpyxl",
)


def run(code: str) -> dict:
    env = clean_env(DJANGO_SECRET_KEY="startup-test-key", DATABASE_URL="")
    head = (
        "import json, sys, django\n"
        "django.setup()\n"
        f"loaded = lambda: {{m: m in sys.modules for m in {LATE!r}}}\n"
        "at_setup = loaded()\n"
    )
    tail = "\nprint(json.dumps({'at_setup': at_setup, 'after': loaded(), **out}))\n"
    result = python(head + code + tail, env)
    if result.returncode:
        raise AssertionError(result.stderr)
    return json.loads(result.stdout.splitlines()[-1])


class StartupTests(SimpleTestCase):
    def test_setup_imports_no_admin_module_nor_drf(self):
        out = run("out = {}")
        self.assertEqual(out["at_setup"], dict.fromkeys(LATE, False))

    def test_the_urlconf_imports_every_admin_module(self):
        out = run(
            "from django.urls import reverse\n"
            "from django.contrib import admin\n"
            "from news.models import Article\n"
            "from quality.models import Observation\n"
            "out = {'url': reverse('admin:news_article_changelist'),\n"
            "       'registered': [admin.site.is_registered(m)\n"
            "                      for m in (Article, Observation)]}\n"
        )
        self.assertEqual(out["url"], "/admin/news/article/")
        self.assertEqual(out["registered"], [True, True])
        self.assertEqual(out["after"], dict.fromkeys(LATE, True))

    def test_the_admin_check_sees_every_admin_class_in_any_order(self):
        """``manage.py check`` without the URLconf loaded first: the admin's own
        check imports the admin modules, then checks them."""
        out = run(
            "from django.core import checks\n"
            "from django.contrib import admin\n"
            "from news.models import Article\n"
            "errors = checks.run_checks(tags=[checks.Tags.admin])\n"
            "out = {'errors': [str(e) for e in errors],\n"
            "       'registered': admin.site.is_registered(Article),\n"
            "       'checked': len(admin.site._registry)}\n"
        )
        self.assertEqual(out["errors"], [])
        self.assertTrue(out["registered"])
        self.assertGreater(out["checked"], 20)

    def test_the_openapi_schema_has_its_token_scheme_without_api_schema_at_setup(self):
        out = run(
            "from drf_spectacular.generators import SchemaGenerator\n"
            "schema = SchemaGenerator().get_schema(request=None, public=True)\n"
            "out = {'schemes': sorted(schema['components']['securitySchemes'])}\n"
        )
        self.assertIn("tokenAuth", out["schemes"])

    def test_fragment_rendering_prepared_in_a_thread(self):
        """What a bulk import loads while its batches are written, so that its last
        act, rendering the shared fragments, does not (news.pagecache)."""
        out = run(
            "from django.template import engines\n"
            "from news import pagecache\n"
            "thread = pagecache.prepare_fragment_rendering()\n"
            "thread.join()\n"
            "loader = engines['django'].engine.template_loaders[0]\n"
            "out = {'daemon': thread.daemon,\n"
            "       'templates': sorted(loader.get_template_cache)}\n"
        )
        self.assertTrue(out["daemon"])
        self.assertEqual(out["at_setup"], dict.fromkeys(LATE, False))
        self.assertEqual(out["after"], dict.fromkeys(LATE, True))
        for template in (
            "news/includes/channel_menu.html",
            "news/includes/latest.html",
            "news/includes/site_footer.html",
        ):
            self.assertIn(template, out["templates"])

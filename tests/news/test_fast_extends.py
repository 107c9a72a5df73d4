"""The engine's ``{% extends %}`` (``news.templatetags.fast_extends``, a builtin):
the same output as Django's, its root's blocks found once per compiled template."""

from django.template import Context, Engine
from django.template.loader_tags import ExtendsNode as DjangoExtendsNode
from django.test import SimpleTestCase

from news.templatetags import fast_extends

TEMPLATES = {
    "base.html": (
        "<title>{% block title %}Site{% endblock %}</title>"
        "{% if show %}{% block aside %}aside{% endblock %}{% endif %}"
        "{% for i in items %}{% block item %}[{{ i }}]{% endblock %}{% endfor %}"
        "<main>{% block content %}{% endblock %}</main>"
    ),
    "middle.html": (
        "{% extends 'base.html' %}"
        "{% block title %}Middle · {{ block.super }}{% endblock %}"
        "{% block content %}<div>{% block inner %}inner{% endblock %}</div>"
        "{% endblock %}"
    ),
    "page.html": (
        "{% extends 'middle.html' %}"
        "{% block title %}{{ title }} · {{ block.super }}{% endblock %}"
        "{% block inner %}{{ block.super }} of {{ title }}{% endblock %}"
        "{% block aside %}<aside>{{ block.super }}</aside>{% endblock %}"
    ),
    "direct.html": (
        "{% extends 'base.html' %}{% block content %}{{ title }}{% endblock %}"
        "{% block item %}({{ i }}){% endblock %}"
    ),
    "by_variable.html": "{% extends parent %}{% block content %}v{% endblock %}",
}


def engine(*, fast: bool) -> Engine:
    return Engine(
        loaders=[("django.template.loaders.locmem.Loader", TEMPLATES)],
        builtins=["news.templatetags.fast_extends"] if fast else [],
    )


class FastExtendsTests(SimpleTestCase):
    def test_same_output_as_djangos(self):
        django, fast = engine(fast=False), engine(fast=True)
        self.assertIsInstance(
            fast.get_template("page.html").nodelist[0], fast_extends.ExtendsNode
        )
        self.assertNotIsInstance(
            django.get_template("page.html").nodelist[0], fast_extends.ExtendsNode
        )
        for name in ("page.html", "middle.html", "direct.html", "base.html"):
            for show in (True, False):
                context = {"title": "T<&>", "show": show, "items": [1, 2]}
                with self.subTest(name, show=show):
                    expected = django.get_template(name).render(Context(context))
                    template = fast.get_template(name)
                    self.assertEqual(template.render(Context(context)), expected)
                    self.assertEqual(template.render(Context(context)), expected)
        self.assertEqual(
            fast.get_template("page.html").render(
                Context({"title": "T", "show": True, "items": [1]})
            ),
            "<title>T · Middle · Site</title><aside>aside</aside>[1]"
            "<main><div>inner of T</div></main>",
        )

    def test_a_parent_given_as_a_template(self):
        django, fast = engine(fast=False), engine(fast=True)
        for parent in ("base.html", "direct.html"):
            with self.subTest(parent):
                expected = django.get_template("by_variable.html").render(
                    Context({"parent": django.get_template(parent), "items": [3]})
                )
                self.assertEqual(
                    fast.get_template("by_variable.html").render(
                        Context({"parent": fast.get_template(parent), "items": [3]})
                    ),
                    expected,
                )

    def test_root_blocks_kept_per_compiled_template(self):
        """Blocks of a root template only, found once per compiled template: a
        recompiled template (another object) is looked at anew."""
        fast = engine(fast=True)
        base = fast.get_template("base.html")
        blocks = fast_extends.root_blocks(base)
        self.assertEqual(set(blocks), {"title", "aside", "item", "content"})
        self.assertIs(fast_extends.root_blocks(base), blocks)
        self.assertIsNone(fast_extends.root_blocks(fast.get_template("middle.html")))
        changed = fast.from_string("{% block other %}{% endblock %}")
        self.assertEqual(set(fast_extends.root_blocks(changed)), {"other"})
        self.assertTrue(issubclass(fast_extends.ExtendsNode, DjangoExtendsNode))

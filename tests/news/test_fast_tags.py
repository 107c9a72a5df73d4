"""``{% load fast_tags %}``'s ``{% static %}`` and ``{% per_language %}``: the same
output as Django's tags, and never an answer kept past what it depends on."""

from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.templatetags.static import static
from django.test import RequestFactory, SimpleTestCase, override_settings
from django.urls import clear_script_prefix, resolve, set_script_prefix
from django.utils import translation
from django.utils.functional import lazy
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from news.models import Article, Byline, Person, Tag
from news.templatetags.fast_tags import static_url

# What base.html keeps in {% per_language %}: text, literal translations, URLs and
# static files.
CONSTANT = (
    "<a href=\"{% url 'news:home' %}\">{% translate '首页' %}</a>"
    '<a href="{% url \'news:article-detail\' 7 %}">{% translate "相关新闻" %}</a>'
    "<link href=\"{% static 'css/site.css' %}\">"
)


class StaticTagTests(SimpleTestCase):
    def setUp(self):
        # A test before may leave /en/'s language active (the test client's requests).
        self.enterContext(translation.override(settings.LANGUAGE_CODE))

    def test_renders_as_djangos(self):
        body = (
            "{% static 'css/site.css' %}|{% static path %}|"
            "{% static 'img/logo.png' as logo %}[{{ logo }}]|{% static \"a b'c.js\" %}"
        )
        context = {"path": "js/reading.js"}
        django = Template("{% load static %}" + body).render(Context(context))
        fast = Template("{% load static fast_tags %}" + body).render(Context(context))
        self.assertEqual(fast, django)
        self.assertIn("/static/a%20b&#x27;c.js", fast)
        self.assertEqual(static_url("css/site.css"), static("css/site.css"))

    def test_a_new_static_url_is_not_answered_from_the_old_one(self):
        template = Template("{% load fast_tags %}{% static 'css/site.css' %}")
        self.assertEqual(template.render(Context()), "/static/css/site.css")
        with override_settings(STATIC_URL="https://cdn.example.com/s/"):
            self.assertEqual(
                template.render(Context()), "https://cdn.example.com/s/css/site.css"
            )
        self.assertEqual(template.render(Context()), "/static/css/site.css")


class PerLanguageTests(SimpleTestCase):
    def setUp(self):
        self.enterContext(translation.override(settings.LANGUAGE_CODE))

    def render(self, template, **context):
        return template.render(Context(context))

    def test_same_output_as_without_it_in_each_language(self):
        plain = Template("{% load i18n static fast_tags %}" + CONSTANT)
        kept = Template(
            "{% load i18n static fast_tags %}{% per_language %}"
            + CONSTANT
            + "{% endper_language %}"
        )
        outputs = {}
        for language in ("zh-hans", "en", "zh-hans"):
            with self.subTest(language), translation.override(language):
                outputs.setdefault(language, self.render(kept))
                self.assertEqual(self.render(kept), self.render(plain))
                self.assertEqual(self.render(kept), outputs[language])
        self.assertIn('href="/en/news/7/"', outputs["en"])
        self.assertIn('href="/news/7/"', outputs["zh-hans"])
        self.assertNotEqual(outputs["en"], outputs["zh-hans"])

    def test_the_script_prefix_is_part_of_the_key(self):
        kept = Template(
            "{% load fast_tags %}{% per_language %}{% url 'news:home' %}"
            "{% endper_language %}"
        )
        self.assertEqual(self.render(kept), "/")
        set_script_prefix("/site/")
        try:
            self.assertEqual(self.render(kept), "/site/")
        finally:
            clear_script_prefix()
            set_script_prefix("/")
        self.assertEqual(self.render(kept), "/")

    def test_a_setting_change_renders_it_again(self):
        kept = Template(
            "{% load fast_tags %}{% per_language %}{% static 'css/site.css' %}"
            "{% endper_language %}"
        )
        self.assertEqual(self.render(kept), "/static/css/site.css")
        with override_settings(STATIC_URL="/s/"):
            self.assertEqual(self.render(kept), "/s/css/site.css")
        self.assertEqual(self.render(kept), "/static/css/site.css")

    def test_anything_that_could_depend_on_the_request_is_refused(self):
        refused = [
            "{{ title }}",
            "{% if x %}a{% endif %}",
            "{% url 'news:article-detail' pk %}",
            "{% url 'news:home' as home %}",
            "{% static path %}",
            "{% static 'css/site.css' as css %}",
            "{% translate title %}",
            "{% translate '首页'|upper %}",
            "{% now 'Y' %}",
        ]
        for body in refused:
            with self.subTest(body), self.assertRaises(TemplateSyntaxError):
                Template(
                    "{% load i18n fast_tags %}{% per_language %}"
                    + body
                    + "{% endper_language %}"
                )
        # Django's own {% translate %} (i18n loaded after fast_tags) is refused too.
        with self.assertRaises(TemplateSyntaxError):
            Template(
                "{% load fast_tags i18n %}{% per_language %}{% translate '首页' %}"
                "{% endper_language %}"
            )

    def test_autoescape_off_is_kept_apart(self):
        kept = Template(
            '{% load fast_tags %}{% per_language %}{% static "a\'b.css" %}'
            "{% endper_language %}"
        )
        self.assertEqual(self.render(kept), "/static/a&#x27;b.css")
        self.assertEqual(kept.render(Context(autoescape=False)), "/static/a'b.css")


class IdURLTests(SimpleTestCase):
    def setUp(self):
        self.enterContext(translation.override(settings.LANGUAGE_CODE))

    def test_an_id_argument_renders_as_djangos(self):
        body = (
            "{% url 'news:article-qr' n %}|{% url 'news:article-view' 0 %}|"
            "{% url 'news:article-detail' big %}|{% url 'news:article-detail' -3 as neg %}[{{ neg }}]"
        )
        context = {"n": 12345, "big": 10**12}
        for language in ("zh-hans", "en"):
            with self.subTest(language), translation.override(language):
                for n in (12345, 7, 9_081_726_354):
                    context["n"] = n
                    django = Template(body).render(Context(context))
                    fast = Template("{% load fast_tags %}" + body).render(
                        Context(context)
                    )
                    self.assertEqual(fast, django)
                    self.assertIn(f"/news/{n}/", fast)


class OneTagListsTests(SimpleTestCase):
    """The article page's lists in one tag each: the HTML of the loops they replace."""

    def setUp(self):
        self.enterContext(translation.override(settings.LANGUAGE_CODE))

    def test_link_items_and_byline_links_render_as_the_loops(self):
        tags = [Tag(name="质量<强市>", slug="q"), Tag(name="A & B", slug="ab")]
        related = [
            Article(pk=5, title='"标准" <i>'),
            Article(pk=70, title="计量"),
            Article(pk=71, title=mark_safe("<b>已转义</b> &amp; 'x'")),
        ]
        people = [Person(name="逄苗", slug="pm"), Person(name="<孙>", slug="s")]
        groups = [
            ("YMG全媒体记者", [Byline(person=people[0])]),
            ("通讯员", [Byline(person=people[1]), Byline(person=people[0])]),
            # A lazy label, as a role's is.
            (lazy(lambda: "编辑 <&>", str)(), [Byline(person=people[1])]),
        ]
        # Chinese names and tags say so on a page in another language.
        zh = '{% if L != "zh-hans" %} lang="zh-Hans"{% endif %}'
        loops = Template(
            "{% load i18n %}{% get_current_language as L %}"
            f'{{% for t in tags %}}<li{zh}><a href="{{{{ t.get_absolute_url }}}}">'
            "{{ t.name }}"
            '</a></li>{% endfor %}|{% for a in related %}<li><a href="'
            '{{ a.get_absolute_url }}">{{ a.title }}</a></li>{% endfor %}|'
            "{% for label, bylines in groups %}{{ label }}{% for b in bylines %} "
            f'<a href="{{{{ b.person.get_absolute_url }}}}"{zh}>{{{{ b.person.name }}}}'
            "</a>"
            "{% endfor %}{% if not forloop.last %} {% endif %}{% endfor %}"
        )
        tags_ = Template(
            "{% load news_tags %}{% link_items tags 'name' chinese=True %}|"
            "{% link_items related 'title' %}|{% byline_links groups %}"
        )
        for context in (
            {"tags": tags, "related": related, "groups": groups},
            {"tags": [], "related": [], "groups": []},
        ):
            # In each language: the links take the language read for the render.
            for language in ("zh-hans", "en"):
                with (
                    self.subTest(len(context["tags"]), language=language),
                    translation.override(language),
                ):
                    self.assertEqual(
                        tags_.render(Context(context)), loops.render(Context(context))
                    )
        with translation.override("en"):
            html = tags_.render(Context({"tags": tags, "related": related}))
            self.assertIn('href="/en/news/70/"', html)
            self.assertIn('href="/en/news/tag/q/"', html)
        html = tags_.render(
            Context({"tags": tags, "related": related, "groups": groups})
        )
        self.assertIn("质量&lt;强市&gt;", html)
        self.assertIn(' <a href="/news/person/s/">&lt;孙&gt;</a>', html)
        self.assertIn("<b>已转义</b> &amp; 'x'</a>", html)
        self.assertIn("编辑 &lt;&amp;&gt; <a", html)

    def test_language_links_render_as_the_loop(self):
        loop = Template(
            "{% load i18n reading_tags %}{% get_current_language as LANGUAGE_CODE %}"
            "{% get_available_languages as languages %}"
            "{% get_language_info_list for languages as language_infos %}"
            "{% for info in language_infos %}{% if info.code == LANGUAGE_CODE %}"
            '<span class="current" lang="{{ info.code }}" aria-current="true">'
            "{{ info.name_local }}</span>{% else %}"
            '<a href="{% language_url info.code %}" lang="{{ info.code }}" '
            'hreflang="{{ info.code }}">{{ info.name_local }}</a>{% endif %}'
            "{% if not forloop.last %} · {% endif %}{% endfor %}"
        )
        one = Template("{% load reading_tags %}{% language_links %}")
        for language, path in (("zh-hans", "/news/5/"), ("en", "/en/news/5/")):
            with self.subTest(language), translation.override(language):
                request = RequestFactory().get(path)
                request.resolver_match = resolve(path)
                context = {"request": request}
                html = one.render(Context(context))
                self.assertEqual(html, loop.render(Context(context)))
                other = "/en/news/5/" if language == "zh-hans" else "/news/5/"
                self.assertIn(f'href="{other}"', html)


class TranslateKeptPerLanguageTests(SimpleTestCase):
    def test_one_node_follows_the_active_language(self):
        template = Template("{% load fast_tags %}{% translate '首页' %}")
        for language, text in (
            ("zh-hans", "首页"),
            ("en", "Home"),
            ("zh-hans", "首页"),
            (None, "首页"),  # translation.deactivate_all(): the msgid
            ("en", "Home"),
        ):
            with self.subTest(language), translation.override(language):
                self.assertEqual(template.render(Context()), text)

    def test_language_blocks_render_as_djangos(self):
        """The language is read once per render, and again inside ``{% language %}``:
        translations, links and kept stretches inside and after a block are those
        of Django's tags."""
        body = (
            "{% translate '首页' %}{% url 'news:home' %}{% url 'news:article-detail' 7 %}"
            "{% language 'en' %}[{% translate '首页' %}{% url 'news:home' %}"
            "{% url 'news:article-detail' 7 %}"
            "{% per_language %}{% translate '相关新闻' %}{% endper_language %}"
            "{% language 'zh-hans' %}({% translate '首页' %}){% endlanguage %}"
            "{% translate '首页' %}]{% endlanguage %}"
            "{% translate '首页' %}{% url 'news:article-detail' 7 %}"
            "{% per_language %}{% translate '相关新闻' %}{% endper_language %}"
        )
        django = Template(
            "{% load i18n %}"
            + body.replace("{% per_language %}", "").replace(
                "{% endper_language %}", ""
            )
        )
        fast = Template("{% load i18n fast_tags %}" + body)
        for language in ("zh-hans", "en"):
            with self.subTest(language), translation.override(language):
                expected = django.render(Context())
                self.assertEqual(fast.render(Context()), expected)
                self.assertEqual(fast.render(Context()), expected)  # kept stretches
        with translation.override("zh-hans"):
            self.assertEqual(
                fast.render(Context()),
                "首页//news/7/[Home/en//en/news/7/Related news(首页)Home]"
                "首页/news/7/相关新闻",
            )


class CurrentLanguageTests(SimpleTestCase):
    def test_the_language_djangos_tag_gives(self):
        """``{% get_current_language %}`` gives the language read once per render,
        and inside ``{% language %}`` that block's, as Django's tag does."""
        body = (
            "{% get_current_language as a %}{{ a }}"
            "{% language 'en' %}{% get_current_language as b %}[{{ b }}]{% endlanguage %}"
            "{% get_current_language as c %}{{ c }}"
        )
        django = Template("{% load i18n %}" + body)
        fast = Template("{% load i18n fast_tags %}" + body)
        for language in ("zh-hans", "en", None):
            with self.subTest(language), translation.override(language):
                expected = django.render(Context())
                self.assertEqual(fast.render(Context()), expected)
                self.assertTrue(expected.endswith(f"[en]{translation.get_language()}"))


class ArticleCreditsTests(SimpleTestCase):
    def test_role_names_in_the_page_language(self):
        """``{% article_credits %}``'s role names, kept per language, are the roles'
        labels translated in the language the page renders in."""
        from news.prepared import set_prefetched

        article = Article(pk=5)
        people = [Person(name="逄苗", slug="pm"), Person(name="孙洪安", slug="s")]
        set_prefetched(
            article,
            "bylines",
            [
                Byline(person=people[0], role=Byline.Role.REPORTER, prefix="YMG全媒体"),
                Byline(person=people[1], role=Byline.Role.CORRESPONDENT, prefix=""),
                Byline(person=people[1], role=Byline.Role.EDITOR, prefix=""),
            ],
        )
        template = Template(
            "{% load news_tags %}{% article_credits article as c %}"
            "{% for label, b in c.byline %}{{ label }}|{% endfor %}"
            "{% for label, b in c.editors %}{{ label }}|{% endfor %}"
        )
        for language, gap in (("zh-hans", ""), ("en", " "), ("zh-hans", "")):
            with self.subTest(language), translation.override(language):
                reporter, correspondent, editor = (
                    str(Byline.Role(role).label) for role in ("记者", "通讯员", "编辑")
                )
                self.assertEqual(
                    template.render(Context({"article": article})),
                    f"YMG全媒体{gap}{reporter}|{correspondent}|{editor}|",
                )
        with translation.override("en"):
            self.assertIn("Reporter", template.render(Context({"article": article})))


class ReadingUrlTests(SimpleTestCase):
    def test_same_links_in_each_language_and_script_prefix(self):
        """``reading_url`` keeps what comes before ``next`` per language, script
        prefix and URLconf: the link is the one it builds without keeping it."""
        template = Template(
            "{% load reading_tags %}{% reading_url fontsize='large' %}|"
            "{% reading_url care='1' %}"
        )
        for prefix, language, path in (
            ("/", "zh-hans", "/news/5/?a=1&b=中"),
            ("/", "en", "/en/news/5/"),
            ("/site/", "zh-hans", "/site/news/5/"),
            ("/", "zh-hans", "/news/6/"),
        ):
            with self.subTest(prefix=prefix, language=language):
                set_script_prefix(prefix)
                try:
                    with translation.override(language):
                        request = RequestFactory().get(path)
                        base = f"{prefix}en/" if language == "en" else prefix
                        back = urlencode({"next": request.get_full_path()})
                        self.assertEqual(
                            template.render(Context({"request": request})),
                            f"{base}reading/?fontsize=large&amp;{back}|"
                            f"{base}reading/?care=1&amp;{back}",
                        )
                finally:
                    clear_script_prefix()
                    set_script_prefix("/")


class AbsoluteUrlTests(SimpleTestCase):
    def test_the_same_as_build_absolute_uri(self):
        """``reading_tags.absolute`` (the host validated once a request, the usual
        path put after it) answers what ``request.build_absolute_uri`` answers,
        for the paths it takes the short way and for those it leaves to Django."""
        from news.templatetags.reading_tags import absolute, site_root

        locations = (
            "/news/5/",
            "/en/news/5/",
            "/static/img/logo.png",
            "/media/images/2026/12/a%20b.jpg",
            "/search/?q=a&b=c#top",
            "/news/中文/",
            "/a b/",
            '/a"<b>/',
            "/./x/",
            "/a/../b/",
            "//other.example/x",
            "relative/path",
            "",
            "https://other.example/x",
            "/tab\there",
            mark_safe("/safe/"),
        )
        for host, secure in (("127.0.0.1", False), ("Example.COM:8443", True)):
            with self.settings(ALLOWED_HOSTS=[".example.com", "127.0.0.1"]):
                for location in locations:
                    with self.subTest(host=host, location=location):
                        request = RequestFactory().get(
                            "/news/5/", HTTP_HOST=host, secure=secure
                        )
                        self.assertEqual(
                            absolute(request, location),
                            request.build_absolute_uri(location),
                        )
                        self.assertIs(type(absolute(request, location)), str)
                request = RequestFactory().get("/", HTTP_HOST=host, secure=secure)
                self.assertEqual(
                    site_root(request), f"{request.scheme}://{request.get_host()}"
                )

    def test_a_host_not_allowed_is_refused(self):
        from django.core.exceptions import DisallowedHost

        from news.templatetags.reading_tags import absolute

        request = RequestFactory().get("/", HTTP_HOST="evil.example")
        with (
            self.settings(ALLOWED_HOSTS=["127.0.0.1"]),
            self.assertRaises(DisallowedHost),
        ):
            absolute(request, "/news/5/")

"""Read endpoints of the news API: visibility, filters, ordering, pagination, formats."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news import search
from news.models import Article, Byline
from quality.figure_review import figure_proposal_confirm, figure_proposals_extract
from quality.models import FigureProposal
from tests.api import ApiTestCase
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ChannelFactory,
    PersonFactory,
    TagFactory,
    UserFactory,
)
from tests.quality.factories import IndicatorFactory, RegionFactory

ARTICLES = "/api/v1/articles/"


def make_articles(n: int, **kwargs) -> list[Article]:
    """``n`` published articles, each with two tags and two bylines."""
    tags = [TagFactory(name="质量"), TagFactory(name="标准")]
    articles = []
    for _ in range(n):
        article = ArticleFactory(**kwargs)
        article.tags.set(tags)
        BylineFactory(article=article, prefix="YMG全媒体", order=0)
        BylineFactory(article=article, role=Byline.Role.CORRESPONDENT, order=1)
        articles.append(article)
    return articles


class ArticleVisibilityTests(ApiTestCase):
    """Only published, due and unexpired articles are visible, in list and detail."""

    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.published = ArticleFactory(title="已发布")
        cls.draft = ArticleFactory(title="草稿", status=Article.Status.DRAFT)
        cls.review = ArticleFactory(title="待审", status=Article.Status.REVIEW_2)
        cls.scheduled = ArticleFactory(
            title="定时", published_at=now + timedelta(hours=2)
        )
        cls.expired = ArticleFactory(
            title="已下线",
            published_at=now - timedelta(days=2),
            expires_at=now - timedelta(days=1),
        )
        cls.unpublished = ArticleFactory(
            title="撤下", status=Article.Status.UNPUBLISHED
        )

    def test_list_shows_only_published(self):
        response = self.client.get(ARTICLES)
        self.assertEqual(response.status_code, 200)
        self.assertEqual([a["title"] for a in response.json()["results"]], ["已发布"])
        self.assertEqual(response.json()["count"], 1)

    def test_detail_of_hidden_articles_is_404(self):
        for article in (
            self.draft,
            self.review,
            self.scheduled,
            self.expired,
            self.unpublished,
        ):
            with self.subTest(article.title):
                response = self.client.get(f"{ARTICLES}{article.pk}/")
                self.assertEqual(response.status_code, 404)
        self.assertEqual(
            self.client.get(f"{ARTICLES}{self.published.pk}/").status_code, 200
        )

    def test_list_agrees_with_is_published(self):
        ids = {a["id"] for a in self.client.get(ARTICLES).json()["results"]}
        expected = {a.pk for a in Article.objects.all() if a.is_published}
        self.assertEqual(ids, expected)


class ArticleContentTests(ApiTestCase):
    """An article carries what a consumer needs to republish it."""

    @classmethod
    def setUpTestData(cls):
        (cls.article,) = make_articles(1)
        cls.article.body = '<h2>小标题</h2><p onclick="x()">正文<script>x</script></p>'
        cls.article.subtitle = "副题"
        cls.article.save()

    def test_detail_fields(self):
        data = self.client.get(f"{ARTICLES}{self.article.pk}/").json()
        self.assertEqual(data["title"], self.article.title)
        self.assertEqual(data["subtitle"], "副题")
        self.assertEqual(data["channel"]["slug"], self.article.channel.slug)
        self.assertEqual({t["name"] for t in data["tags"]}, {"质量", "标准"})
        self.assertEqual(
            [(b["role"], b["prefix"], b["label"]) for b in data["bylines"]],
            [("记者", "YMG全媒体", "YMG全媒体记者"), ("通讯员", "", "通讯员")],
        )
        self.assertTrue(data["url"].endswith(f"/news/{self.article.pk}/"))
        self.assertIsNone(data["cover"])
        self.assertNotIn("script", data["body"])
        self.assertNotIn("onclick", data["body"])
        self.assertIn("正文", data["body_text"])
        for hidden in ("status", "version", "responsible_editor", "import_key"):
            self.assertNotIn(hidden, data)
        self.assertEqual(data["figures"], [])


class ArticleFiguresTests(ApiTestCase):
    """Confirmed figures come with the article, each with its sentence and indicator."""

    def test_confirmed_figures_only(self):
        article = ArticleFactory(
            body="<p>截至目前，烟台市共参与制修订604项国家标准。</p>"
            "<p>全市拥有山东名牌产品181个。</p>"
        )
        figure_proposals_extract(article=article)
        staff = UserFactory(username="reviewer", is_staff=True)
        figure_proposal_confirm(
            proposal=FigureProposal.objects.get(raw_text="604项"),
            indicator=IndicatorFactory(code="standards_national", name="国家标准"),
            region=RegionFactory(name="烟台市"),
            by=staff,
        )
        data = self.client.get(f"{ARTICLES}{article.pk}/").json()
        self.assertEqual(
            data["figures"],
            [
                {
                    "quote": "烟台市共参与制修订604项国家标准",
                    "text": "604项",
                    "value": "604.0000",
                    "indicator": "国家标准",
                    "indicator_code": "standards_national",
                    "region": "烟台市",
                    "url": "http://testserver/quality/indicators/standards_national/",
                }
            ],
        )


class ListQueryCountTests(ApiTestCase):
    """List endpoints cost a fixed number of queries, whatever the page size."""

    def assert_constant_queries(self, url: str, make, expected: int):
        make(2)
        with CaptureQueriesContext(connection) as small:
            self.assertEqual(self.client.get(url).status_code, 200)
        make(30)
        with self.assertNumQueries(len(small.captured_queries)):
            response = self.client.get(url + "?page_size=100")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(small.captured_queries), expected)

    def test_articles(self):
        # count, page, tags, bylines with people.
        self.assert_constant_queries(ARTICLES, make_articles, 4)

    def test_channels(self):
        self.assert_constant_queries(
            "/api/v1/channels/", ChannelFactory.create_batch, 2
        )

    def test_tags(self):
        self.assert_constant_queries("/api/v1/tags/", TagFactory.create_batch, 2)

    def test_people(self):
        self.assert_constant_queries("/api/v1/people/", PersonFactory.create_batch, 2)

    def test_detail(self):
        (article,) = make_articles(1)
        with self.assertNumQueries(3):
            self.client.get(f"{ARTICLES}{article.pk}/")


class ArticleFilterTests(ApiTestCase):
    """Each filter narrows the list; bad values are 400 naming the parameter."""

    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.a = ArticleFactory(
            title="烟台制修订国家标准604项",
            channel=ChannelFactory(name="质量强市"),
            published_at=now - timedelta(days=10),
        )
        cls.b = ArticleFactory(
            title="计量检定服务进企业",
            body="<p>计量检定人员走进企业。</p>",
            published_at=now - timedelta(days=1),
        )
        cls.b.tags.add(TagFactory(name="计量"))
        cls.person = PersonFactory(name="逄苗")
        BylineFactory(article=cls.b, person=cls.person)
        search.rebuild_index()

    def ids(self, query: str) -> list[int]:
        response = self.client.get(ARTICLES + query)
        self.assertEqual(response.status_code, 200, response.content)
        return [a["id"] for a in response.json()["results"]]

    def test_channel(self):
        self.assertEqual(self.ids("?channel=质量强市"), [self.a.pk])

    def test_tag(self):
        self.assertEqual(self.ids("?tag=计量"), [self.b.pk])

    def test_person(self):
        self.assertEqual(self.ids(f"?person={self.person.slug}"), [self.b.pk])

    def test_published_range(self):
        after = (timezone.now() - timedelta(days=5)).isoformat()
        self.assertEqual(
            self.ids("?published_after=" + after.replace("+", "%2B")), [self.b.pk]
        )
        self.assertEqual(
            self.ids("?published_before=" + after.replace("+", "%2B")), [self.a.pk]
        )

    def test_id_in(self):
        self.assertEqual(
            self.ids(f"?id__in={self.a.pk},{self.b.pk}&ordering=id"),
            [self.a.pk, self.b.pk],
        )

    def test_text_search_uses_site_search(self):
        self.assertEqual(self.ids("?q=国家标准"), [self.a.pk])
        self.assertEqual(self.ids("?q=计量&channel=质量强市"), [])
        self.assertEqual(self.ids("?q=计量"), [self.b.pk])
        self.assertEqual(self.ids("?q=!!!"), [])

    def test_ordering_allow_list(self):
        self.assertEqual(self.ids("?ordering=published_at"), [self.a.pk, self.b.pk])
        self.assertEqual(self.ids("?ordering=-published_at"), [self.b.pk, self.a.pk])
        response = self.client.get(ARTICLES + "?ordering=body_text")
        self.assertEqual(response.status_code, 400)
        self.assertIn("ordering", response.json())
        self.assertIn("body_text", response.json()["ordering"][0])

    def test_unknown_parameter_is_400_naming_it(self):
        response = self.client.get(ARTICLES + "?chanel=质量强市")
        self.assertEqual(response.status_code, 400)
        self.assertIn("chanel", response.json())
        self.assertIn("未知的查询参数", response.json()["chanel"][0])

    def test_a_huge_unknown_parameter_is_not_echoed_whole(self):
        name = "x" * 1_000_000
        response = self.client.get(f"{ARTICLES}?{name}=1")
        self.assertEqual(response.status_code, 400)
        shown = "x" * 20 + "…"
        self.assertEqual(list(response.json()), [shown])
        self.assertTrue(
            response.json()[shown][0].startswith(f"未知的查询参数“{shown}”。可用参数：")
        )
        self.assertLess(len(response.content), 2000)

    def test_repeated_parameter_is_400(self):
        response = self.client.get(ARTICLES + "?channel=a&channel=b")
        self.assertEqual(response.status_code, 400)
        self.assertIn("只能出现一次", response.json()["channel"][0])

    def test_bad_values_are_400_naming_the_parameter(self):
        cases = {
            "published_after": "yesterday",
            "id__in": "1,2,x",
            "page": "0",
            "page_size": "-1",
            "limit": "abc",
            "offset": "-5",
            "q": "质" * 101,
        }
        for name, value in cases.items():
            with self.subTest(name):
                response = self.client.get(ARTICLES, {name: value})
                self.assertEqual(response.status_code, 400)
                self.assertIn(name, response.json())


class PaginationTests(ApiTestCase):
    """Page numbers and limit/offset both work, and neither returns more than 100."""

    @classmethod
    def setUpTestData(cls):
        ChannelFactory.create_batch(130)

    def test_default_page(self):
        data = self.client.get("/api/v1/channels/").json()
        self.assertEqual(data["count"], 130)
        self.assertEqual(len(data["results"]), 20)
        self.assertIn("page=2", data["next"])

    def test_page_size_is_capped(self):
        data = self.client.get("/api/v1/channels/?page_size=1000").json()
        self.assertEqual(len(data["results"]), 100)

    def test_limit_is_capped(self):
        data = self.client.get("/api/v1/channels/?limit=100000000").json()
        self.assertEqual(len(data["results"]), 100)
        self.assertEqual(data["count"], 130)

    def test_limit_offset(self):
        data = self.client.get("/api/v1/channels/?limit=5&offset=128").json()
        self.assertEqual(len(data["results"]), 2)
        self.assertIsNone(data["next"])

    def test_page_past_the_end_is_404_not_500(self):
        self.assertEqual(self.client.get("/api/v1/channels/?page=999").status_code, 404)

    def test_offset_past_the_end_is_an_empty_page(self):
        # DRF's convention for limit/offset (README, schema): 200, no rows, the count.
        response = self.client.get("/api/v1/channels/?limit=5&offset=500")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["results"], [])
        self.assertEqual(response.json()["count"], 130)

    def test_both_styles_at_once_is_400_naming_them(self):
        # ?limit=5&page=3 returned the first 5 rows: page was silently ignored.
        for query in ("limit=5&page=3", "offset=5&page_size=10", "page=2&offset=0"):
            with self.subTest(query):
                response = self.client.get(f"/api/v1/channels/?{query}")
                self.assertEqual(response.status_code, 400)
                body = response.json()
                names = [p.split("=")[0] for p in query.split("&")]
                self.assertEqual(sorted(body), sorted(names))
                for name in names:
                    self.assertIn("limit/offset", body[name][0])


class FormatTests(ApiTestCase):
    """CSV, conditional GET, CORS and the Chinese browsable API."""

    @classmethod
    def setUpTestData(cls):
        (cls.article,) = make_articles(1)
        cls.article.title = "=HYPERLINK(1)"
        cls.article.save()

    def test_csv_by_format_parameter(self):
        response = self.client.get("/api/v1/tags/?format=csv")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/csv"))
        text = response.content.decode("utf-8-sig")
        lines = text.splitlines()
        self.assertEqual(lines[0], "id,name,slug,url")
        self.assertEqual(len(lines), 3)
        self.assertIn("质量", text)

    def test_csv_by_accept_header(self):
        response = self.client.get(ARTICLES, HTTP_ACCEPT="text/csv")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/csv"))
        # Spreadsheet formulas are neutralised.
        self.assertIn("'=HYPERLINK(1)", response.content.decode("utf-8-sig"))

    def test_csv_is_a_named_download(self):
        # Without Content-Disposition a browser saves "download" or the raw path.
        for url, name in [
            ("/api/v1/tags/?format=csv", "tags.csv"),
            ("/api/v1/honour-schemes/?format=csv", "honour-schemes.csv"),
            ("/api/v1/sampling-campaigns.csv", "sampling-campaigns.csv"),
            (ARTICLES, "articles.csv"),
        ]:
            with self.subTest(url):
                response = self.client.get(url, HTTP_ACCEPT="text/csv")
                self.assertEqual(response.status_code, 200)
                self.assertEqual(
                    response["Content-Disposition"], f'attachment; filename="{name}"'
                )
        detail = self.client.get(f"{ARTICLES}{self.article.pk}/?format=csv")
        self.assertEqual(
            detail["Content-Disposition"],
            f'attachment; filename="articles-{self.article.pk}.csv"',
        )
        # An error is shown, not saved.
        error = self.client.get(f"{ARTICLES}999999/?format=csv")
        self.assertEqual(error.status_code, 404)
        self.assertNotIn("Content-Disposition", error)

    def test_unknown_format_is_400(self):
        response = self.client.get(ARTICLES + "?format=xml")
        self.assertEqual(response.status_code, 400)
        self.assertIn("format", response.json())

    def test_etag_and_304_on_list(self):
        response = self.client.get(ARTICLES)
        etag = response["ETag"]
        again = self.client.get(ARTICLES, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")

    def test_etag_and_304_on_detail(self):
        url = f"{ARTICLES}{self.article.pk}/"
        response = self.client.get(url)
        # Not the row's updated_at: its figures and the names it shows change
        # without a write of the row (below).
        self.assertNotIn("Last-Modified", response)
        self.assertEqual(
            self.client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code, 304
        )
        # A change makes the old tag stale.
        self.article.title = "新标题"
        self.article.save()
        fresh = self.client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        self.assertEqual(fresh.status_code, 200)
        self.assertNotEqual(fresh["ETag"], response["ETag"])

    def test_the_detail_etag_changes_with_a_confirmed_figure_and_a_rename(self):
        article = ArticleFactory(
            body="<p>截至目前，烟台市共参与制修订604项国家标准。</p>"
        )
        tag = TagFactory(name="旧标签")
        article.tags.add(tag)
        url = f"{ARTICLES}{article.pk}/"
        etag = self.client.get(url)["ETag"]
        figure_proposals_extract(article=article)
        figure_proposal_confirm(
            proposal=FigureProposal.objects.get(raw_text="604项"),
            indicator=IndicatorFactory(code="standards_national", name="国家标准"),
            region=RegionFactory(name="烟台市"),
            by=UserFactory(username="reviewer", is_staff=True),
        )
        confirmed = self.client.get(url, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(confirmed.status_code, 200)
        self.assertTrue(confirmed.json()["figures"])
        tag.name = "新标签"
        tag.save()
        renamed = self.client.get(url, HTTP_IF_NONE_MATCH=confirmed["ETag"])
        self.assertEqual(renamed.status_code, 200)
        self.assertIn("新标签", [t["name"] for t in renamed.json()["tags"]])

    def test_cors_allows_get_from_any_origin(self):
        response = self.client.get(ARTICLES, HTTP_ORIGIN="https://example.org")
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        preflight = self.client.options(
            ARTICLES,
            HTTP_ORIGIN="https://example.org",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        )
        self.assertNotIn("POST", preflight.get("Access-Control-Allow-Methods", ""))

    def test_a_cross_origin_script_may_read_the_validators_and_the_file_name(self):
        """ETag and Last-Modified for its conditional requests, Content-Disposition
        for a CSV's file name, besides the rate headers."""
        response = self.client.get(
            ARTICLES, {"format": "csv"}, HTTP_ORIGIN="https://example.org"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertTrue(response["ETag"])
        exposed = {
            h.strip().lower()
            for h in response["Access-Control-Expose-Headers"].split(",")
        }
        self.assertLessEqual(
            {
                "etag",
                "last-modified",
                "content-disposition",
                "ratelimit",
                "ratelimit-policy",
                "retry-after",
            },
            exposed,
        )

    def test_browsable_api_is_chinese(self):
        response = self.client.get(ARTICLES, HTTP_ACCEPT="text/html")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("文章列表", html)
        self.assertIn("过滤", html)

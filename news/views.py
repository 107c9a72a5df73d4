"""Public pages of the news app."""

from __future__ import annotations

import calendar
import math
import re
import time
import unicodedata
from datetime import date, datetime, timedelta

from django import forms
from django.conf import settings
from django.core.cache import cache, caches
from django.db.models import (
    F,
    Q,
)
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, translate_url
from django.utils import formats, timezone
from django.utils.connection import ConnectionProxy
from django.utils.crypto import salted_hmac
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import etag, require_GET, require_POST
from django.views.decorators.vary import vary_on_cookie
from django.views.generic import DetailView, ListView, TemplateView
from rest_framework.throttling import SimpleRateThrottle

from api import views as api_views
from yantai import links

from . import pagecache, search
from .extensions import figure_marks
from .models import (
    Article,
    Byline,
    Channel,
    Person,
    Tag,
    detail_prefetch,
    detail_row,
)
from .related import neighbours_and_related
from .services import article_count_view
from .templatetags import reading_tags
from .templatetags.reading_tags import FONT_SIZES, reading_css

# How long 阅读排行 (view counts) may take to reach the home page; a publication, an
# article becoming due or expiring (news.pagecache.next_change) show at once.
LATEST_CACHE_SECONDS = 30
PAGE_SIZE = 20


class PublishedMixin:
    """Public views start from the one published QuerySet."""

    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["channels"] = channel_menu()
        context["page_query"] = page_query(context["page_obj"])
        return context


def page_query(page) -> str:
    """``?page=N`` for page 2 and later of a list, "" for page 1: what the list's
    canonical URL and hreflang alternates add to its path (base.html,
    ``language_alternates``), so that page 2 is not declared a copy of page 1."""
    return f"?page={page.number}" if page is not None and page.number > 1 else ""


def channel_menu() -> list[Channel]:
    """The channels of the menu, shared by every process until one is changed."""
    return pagecache.site_chrome()[0]


class HomeView(PublishedMixin, ListView):
    """Headlines, the newest articles of each channel, most read, then all the latest."""

    template_name = "news/home.html"
    context_object_name = "articles"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["page_obj"].number == 1:
            context.update(home_blocks(context["channels"]))
        return context


HOME_FEATURED = 5  # 头条 and 要闻
HOME_FOCUS = 5  # 焦点图: the newest articles with a cover
HOME_PER_CHANNEL = 6
HOME_MOST_READ = 8
MOST_READ_DAYS = 7  # 阅读排行: readings of the last week, whenever published


def home_blocks(channels: list[Channel]) -> dict:
    """头条, 要闻, 焦点图 and each channel's newest for the home page in one query,
    and 阅读排行 in another (``Article.objects.most_read``). Kept in the shared
    cache until what readers see changes (a publication, withdrawal or rename, an
    article becoming due or expiring: ``news.pagecache.shared_current``), and at
    most ``LATEST_CACHE_SECONDS`` for the view counts.
    """
    return pagecache.shared_current(
        "news:home-blocks",
        lambda: _home_blocks(channels),
        LATEST_CACHE_SECONDS,
        of_articles=True,
    )


def _home_blocks(channels: list[Channel]) -> dict:
    # Each list is a short walk down an index (the publication index, or the
    # channel's), and the rows are fetched once by id: window rankings over every
    # published article read the whole table (docs/benchmarks.md, "Home page").
    published = Article.objects.published()
    newest = ("-published_at", "-id")
    picks = [
        published.order_by(*newest)[:HOME_FEATURED],
        published.filter(is_featured=True).order_by(*newest)[:HOME_FEATURED],
        published.filter(cover__isnull=False).order_by(*newest)[: HOME_FOCUS + 1],
        *(
            published.filter(channel=c.pk).order_by(*newest)[:HOME_PER_CHANNEL]
            for c in channels
        ),
    ]
    wanted = Q()
    for pick in picks:
        wanted |= Q(pk__in=pick.values("pk"))
    newest_first = list(
        published.for_listing().annotate(featured=F("is_featured")).filter(wanted)
    )
    grouped: dict[int, list[Article]] = {}
    for a in newest_first:
        grouped.setdefault(a.channel_id, []).append(a)
    featured = [a for a in newest_first if a.featured][:HOME_FEATURED]
    with_cover = [a for a in newest_first if a.cover_id][: HOME_FOCUS + 1]
    # 头条: the newest article the editors marked, else the newest with a cover,
    # else the newest.
    lead = (featured or with_cover or newest_first or [None])[0]
    # 要闻: the other marked articles, topped up with the newest, so that the column
    # beside the 焦点图 is never empty.
    headlines = [a for a in featured if a is not lead]
    for a in newest_first:
        if len(headlines) >= HOME_FEATURED - 1:
            break
        if a is not lead and a not in headlines:
            headlines.append(a)
    return {
        "lead": lead,
        "featured": headlines,
        "focus": [a for a in with_cover if a is not lead][:HOME_FOCUS],
        "by_channel": [
            (c, grouped[c.pk][:HOME_PER_CHANNEL]) for c in channels if c.pk in grouped
        ],
        "most_read": Article.objects.published()
        .for_listing()
        .most_read(
            since=timezone.localdate() - timedelta(days=MOST_READ_DAYS - 1),
            limit=HOME_MOST_READ,
        ),
    }


class ChannelView(PublishedMixin, ListView):
    template_name = "news/channel_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.channel = get_object_or_404(Channel, slug=self.kwargs["slug"])
        return super().get_queryset().filter(channel=self.channel)

    def get_context_data(self, **kwargs):
        return super().get_context_data(channel=self.channel, **kwargs)


class TagView(PublishedMixin, ListView):
    template_name = "news/tag_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class PersonView(PublishedMixin, ListView):
    template_name = "news/person_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.person = get_object_or_404(Person, slug=self.kwargs["slug"])
        # The person's articles by id, not by a join of the bylines: the join lists
        # an article once per byline of the person, and the DISTINCT it then needs
        # made the paginator's count compare every selected column of every row
        # (a reporter of 800 articles: 8.5 ms for the count and the page, now 4.3).
        articles = Byline.objects.filter(person=self.person).values("article_id")
        return super().get_queryset().filter(pk__in=articles)

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)


class ArticleView(DetailView):
    """The article page: served from the page cache when this version of the page
    has been rendered for this kind of reader (``news.pagecache``); the parts every
    page shares (最新文章, the channel menu) are put in as it is served."""

    template_name = "news/article_detail.html"
    context_object_name = "article"
    token = None  # the public token, read by get() before the page is rendered

    def get_queryset(self):
        # The tags and bylines are fetched only when the page is rendered.
        return Article.objects.published().for_detail_row().with_index_title()

    def get_object(self, queryset=None):
        if queryset is not None:
            return super().get_object(queryset)
        # get_queryset()'s row, by a statement compiled once (the page's hottest
        # read: compiling it cost more than running it).
        article = detail_row(self.kwargs["pk"])
        if article is None:
            raise Http404
        return article

    def get(self, request, *args, **kwargs):
        self.object = article = self.get_object()
        # Shared links carry a query string (WeChat adds ?from=timeline&
        # isappinstalled=0): the page is the same, and served from the cache.
        reading_tags.same_for_every_query(request)
        key = pagecache.page_key(request, article)
        cached = pagecache.page_cache().get(key) if key else None
        token = None
        if cached is None:
            # Read once, for 相关新闻's tag heads and the fragments (fill()).
            self.token = token = pagecache.current_token()
            detail_prefetch(article)
            context = self.get_context_data(object=article)
            with links.pinned():  # ~40 links: the script prefix and URLconf read once
                html = self.render_to_response(context).render().content
            changes = context["neighbours"]["until"]  # a neighbour due or expiring
            seconds = pagecache.page_timeout(changes)
            until = time.time() + seconds
            right_until = pagecache.shown_until(article, changes)
            rendered_at = time.time()
            if key:
                entry = (html, until, right_until, rendered_at)
                pagecache.page_cache().set(key, entry, seconds)
        else:
            html, until, right_until, rendered_at = cached
        digest = pagecache.page_digest(html)
        filled = pagecache.fill(html, article_id=article.pk, digest=digest, token=token)
        response = HttpResponse(filled.body)
        # The fast path's ETag for the same bytes (a digest of the page's and the
        # fragments' digests), so that a reader's If-None-Match matches either path.
        response["ETag"] = filled.etag
        # When the page or its newest fragment was made: not older than any change
        # of what it shows (pagecache.last_modified).
        modified = pagecache.last_modified(rendered_at, filled)
        response["Last-Modified"] = http_date(modified)
        # Browsers, nginx and CDNs keep it no longer than its 下线时间, or than its
        # 上一篇/下一篇 and 相关新闻 stay as they are (if public).
        response.shown_until = right_until
        if key:
            # yantai.fastpath serves it again, while the row is the same, without
            # Django's request cycle (if the response turns out public).
            response.fast_page = pagecache.fast_page(
                article,
                html,
                until,
                digest,
                shown_until=right_until,
                rendered_at=rendered_at,
            )
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lists = neighbours_and_related(self.object, token=self.token)
        context.update(
            article_addresses(self.request, self.object),
            # Given, not left for the template to miss: a missing variable costs
            # the lookup of every key and attribute and a raised exception.
            is_preview=False,
            query=NO_QUERY,  # base.html's search box: {{ query.text|default:'' }}
            neighbours=lists,
            related=lists["related"],
            article_facts=article_facts(self.object),
            defer_fragments=True,  # 最新文章 and the channel menu: pagecache.fill()
        )
        return context


# No search: what the article page gives base.html's search box.
NO_QUERY = search.SearchQuery(text="", groups=())


def article_addresses(request, article) -> dict:
    """What the article page prints several times, worked out once: its address
    (five times), ``article_url`` (its path) and ``page_url`` (with the request's
    scheme and host, as ``{{ request.scheme }}://{{ request.get_host }}{{ url }}``
    prints them; the host validated once); its ``channel`` (six times: each
    ``{{ article.channel.… }}`` went through the relation's descriptor) and its
    ``tags`` (the list and the JSON-LD: each ``article.tags.all`` makes a related
    manager, ~6 µs)."""
    url = article.get_absolute_url()
    return {
        "article_url": url,
        "page_url": reading_tags.site_root(request) + url,
        "channel": article.channel,
        "tags": article.tags.all(),
    }


def description(summary: str, length: int = 120) -> str:
    """``Truncator(summary).chars(length)`` (the ``truncatechars`` filter): a text no
    longer than ``length`` is returned whole (NFC-normalised, as Truncator does)
    without its loop over every character, which is Python code per character."""
    text = unicodedata.normalize("NFC", summary)
    return text if len(text) <= length else Truncator(summary).chars(length)


def article_facts(article) -> dict:
    """What the article page prints several times or works out with filters: its
    description (the summary cut to 120 characters, for ``<meta>`` and og), its
    times in the site's time zone (ISO for ``<time>`` and og, the displayed
    ``Y-m-d H:i``, the year and month of its 往期回顾 link), its view count. The same
    text as the template's ``truncatechars:120`` and ``date`` filters, computed once:
    a page not in the cache renders them on every request (bench/cold_page.py)."""
    zone = timezone.get_current_timezone()  # an asgiref Local: read once
    published = article.published_at and timezone.localtime(article.published_at, zone)
    revised = article.revised_at and timezone.localtime(article.revised_at, zone)

    def shown(moment) -> str:  # date:"Y-m-d H:i"
        if not moment:
            return ""
        return (
            f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
            f"{moment.hour:02d}:{moment.minute:02d}"
        )

    published_iso = published.isoformat() if published else ""
    revised_iso = revised.isoformat() if revised else ""
    views = article.view_count
    return {
        # Whether it has confirmed figures: the 本文数据 box is printed only then.
        "figures": bool(figure_marks(article)),
        "description": description(article.summary),
        "published_iso": published_iso,
        "published": shown(published),
        "published_year": f"{published.year:04d}" if published else "",
        "published_month": f"{published.month:02d}" if published else "",
        "revised_iso": revised_iso,
        "revised": shown(revised),
        "modified_iso": revised_iso or published_iso,
        # {{ article.view_count }} as the template prints it: without thousands
        # separators an int is its digits (django.utils.numberformat's shortcut),
        # without number_format's get_language() and three format lookups.
        "views": (
            str(views)
            if type(views) is int and not settings.USE_THOUSAND_SEPARATOR
            else formats.localize(views)
        ),
    }


# --- search ---------------------------------------------------------------------


class SearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=10_000)
    channel = forms.CharField(label=_("栏目"), required=False)
    start = forms.DateField(label=_("起始日期"), required=False)
    end = forms.DateField(label=_("截止日期"), required=False)

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.channels = {c.slug: c for c in channels}

    def clean_channel(self):
        slug = self.cleaned_data["channel"]
        return self.channels.get(slug)


class SearchView(ListView):
    """``/search/?q=``: ranked, highlighted, filtered by channel and dates."""

    template_name = "news/search.html"
    context_object_name = "results"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.channels = channel_menu()
        self.form = SearchForm(self.request.GET or None, channels=self.channels)
        # A bad field (a date like 2021-13-45) is dropped; the rest still searches.
        self.form.is_valid()
        data = getattr(self.form, "cleaned_data", {})
        channel = data.get("channel")
        self.filters = search.SearchFilters(
            channel_id=channel.pk if channel else None,
            date_from=data.get("start"),
            date_to=data.get("end"),
        )
        results = search.search(data.get("q") or "", self.filters)
        self.query = results.query
        return results

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for article in context["results"]:
            article.snippet = search.highlight(
                f"{article.summary} {article.body_text}", self.query
            )
            article.title_marked = search.highlight(article.title, self.query, 200)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            form=self.form,
            query=self.query,
            channels=self.channels,
            querystring=params.urlencode(),
        )
        return context


# --- date archives ----------------------------------------------------------------


class MonthArchiveView(PublishedMixin, ListView):
    """``/news/2021/01/``: the articles of one month (Beijing time)."""

    template_name = "news/archive_month.html"
    context_object_name = "articles"

    def get_queryset(self):
        year, month = self.kwargs["year"], self.kwargs["month"]
        if not (1 <= month <= 12 and 1990 <= year <= 2999):
            raise Http404
        tz = timezone.get_current_timezone()
        self.month = date(year, month, 1)
        days = calendar.monthrange(year, month)[1]
        start = datetime(year, month, 1, tzinfo=tz)
        end = start + timedelta(days=days)
        return (
            super().get_queryset().filter(published_at__gte=start, published_at__lt=end)
        )

    def get_context_data(self, **kwargs):
        # 上一月/下一月: the nearest months that have articles (往期回顾's counts,
        # shared with the archive index), not empty ones.
        months = [m for _year, ms in archive_months() for m, _n in ms]
        earlier = [m for m in months if m < self.month]
        later = [m for m in months if m > self.month]
        return super().get_context_data(
            month=self.month,
            previous_month=earlier[0] if earlier else None,
            next_month=later[-1] if later else None,
            **kwargs,
        )


ARCHIVE_CACHE_SECONDS = 600


def archive_months() -> list[tuple[int, list[tuple[date, int]]]]:
    """Every month with articles and their number, grouped by year, newest first.

    One grouped query over the publication index, kept in the shared cache until a
    publication or withdrawal (the public token), an article becoming due or
    expiring (``next_change``), or ``ARCHIVE_CACHE_SECONDS``."""
    return pagecache.shared_current(
        "news:archive-months", _archive_months, ARCHIVE_CACHE_SECONDS, of_articles=True
    )


def _archive_months() -> list[tuple[int, list[tuple[date, int]]]]:
    years: dict[int, list[tuple[date, int]]] = {}
    tz = timezone.get_current_timezone()
    for row in Article.objects.published().month_counts():
        month, n = row["month"], row["n"]
        if isinstance(month, str):  # SQLite: YYYY-MM-01, already local
            day = date.fromisoformat(month)
        else:
            day = timezone.localtime(month, tz).date()
        years.setdefault(day.year, []).append((day, n))
    return list(years.items())


class ArchiveIndexView(TemplateView):
    """``/news/archive/``: 往期回顾, every year and month with its count, linking to
    the month pages."""

    template_name = "news/archive_index.html"

    def get_context_data(self, **kwargs):
        years = archive_months()
        return super().get_context_data(
            channels=channel_menu(),
            years=years,
            total=sum(n for _year, months in years for _month, n in months),
            **kwargs,
        )


class SiteMapView(TemplateView):
    """``/sitemap/``: 网站地图 for people — the channels and the data pages (the XML
    sitemap stays for crawlers)."""

    template_name = "news/site_map.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(channels=channel_menu(), **kwargs)


# --- view counts, QR codes, reading preferences -------------------------------------

BOT_RE = re.compile(
    r"bot|spider|crawl|slurp|fetch|preview|headless|python|curl|wget|httpclient|"
    r"monitor|lighthouse|scrapy|java/|go-http|okhttp",
    re.IGNORECASE,
)


def is_bot(user_agent: str) -> bool:
    """Crawlers, scripts and headless browsers do not count as readers."""
    return not user_agent or bool(BOT_RE.search(user_agent))


class ViewBeaconThrottle(SimpleRateThrottle):
    """``VIEW_BEACON_RATE`` beacons per client, counted in the shared cache.

    The client is its address as the API's throttles read it (``REMOTE_ADDR``, or
    behind ``NUM_PROXIES`` trusted proxies the address the nearest one saw).
    """

    scope = "view_beacon"
    cache = ConnectionProxy(caches, "shared")

    def get_rate(self):
        return settings.VIEW_BEACON_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


def reader_key(address: str, user_agent: str) -> str:
    """One reader: a client address and its browser, keyed (not stored) with HMAC."""
    digest = salted_hmac(
        "news.view-beacon", f"{address}\n{user_agent}", algorithm="sha256"
    )
    return digest.hexdigest()[:32]


@csrf_exempt  # a beacon from a cached page carries no token; it only adds one
@require_POST
def article_view_beacon(request, pk: int):
    """Count one reading of article ``pk``: the page sends this after it loads.

    A separate request keeps the article page itself free of writes, so it stays fast
    and cacheable. A reader counts once per article per ``VIEW_COUNT_PERIOD_SECONDS``
    (news.services.article_count_view); bots are not counted; a client sending more
    than ``VIEW_BEACON_RATE`` beacons gets 429.
    """
    throttle = ViewBeaconThrottle()
    if not throttle.allow_request(request, None):
        response = HttpResponse(
            _("请求过于频繁，请稍后再试。"),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(math.ceil(throttle.wait() or 1))
        return response
    user_agent = request.headers.get("User-Agent", "")
    if not is_bot(user_agent):
        reader = reader_key(throttle.get_ident(request), user_agent)
        article_count_view(article_id=pk, reader=reader)
    return HttpResponse(status=204)


QR_CACHE_SECONDS = 24 * 3600


@require_GET
@cache_control(public=True, max_age=QR_CACHE_SECONDS)
def article_qr(request, pk: int):
    """The article's address as an SVG QR code, for sharing to WeChat.

    Only for a published article, checked on every request: a cached code must not
    outlive a withdrawal or an expiry (the drawing is cached, not the check).
    """
    if not Article.objects.published().filter(pk=pk).exists():
        raise Http404
    url = request.build_absolute_uri(reverse("news:article-detail", args=[pk]))
    key = f"news:qr:{url}"
    svg = cache.get(key)
    if svg is None:
        svg = qr_svg(url)
        cache.set(key, svg, QR_CACHE_SECONDS)
    return HttpResponse(svg, content_type="image/svg+xml")


def qr_svg(data: str) -> bytes:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2
    )
    return image.to_string(encoding="unicode").encode()


PREF_COOKIE_AGE = 365 * 24 * 3600


@never_cache
@require_GET
def reading_preferences(request):
    """Set 字号 and 关怀版 with a plain link (a cookie), then back to ``next``.

    ``?fontsize=small|medium|large``, ``?care=1|0``. The page itself does not change:
    static/js/reading-prefs.js, or without JavaScript ``reading_stylesheet``, applies
    the cookie. ``?lang=zh-hans|en`` (links of older pages) goes to ``next`` in that
    language: the language is in the URL (``/en/…``), not a cookie.
    """
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    language = request.GET.get("lang")
    if language in dict(settings.LANGUAGES):
        target = translate_url(target, language)
    response = HttpResponseRedirect(target)
    size = request.GET.get("fontsize")
    if size in FONT_SIZES:
        response.set_cookie("fontsize", size, max_age=PREF_COOKIE_AGE, samesite="Lax")
    care = request.GET.get("care")
    if care in {"0", "1"}:
        response.set_cookie("care", care, max_age=PREF_COOKIE_AGE, samesite="Lax")
    return response


def _reading_etag(request) -> str:
    size, care = reading_tags.reading_preferences(request)
    return f"{size}-{int(care)}"


@require_GET
@etag(_reading_etag)
@cache_control(private=True, no_cache=True)
@vary_on_cookie
def reading_stylesheet(request):
    """``/reading.css``: the reader's 字号 and 关怀版 for a browser without JavaScript.

    Linked from every page inside ``<noscript>``, so the page stays one HTML for every
    reader while this tiny response follows the cookie (private, revalidated: a
    changed choice shows on the next page). No database query.
    """
    size, care = reading_tags.reading_preferences(request)
    return HttpResponse(reading_css(size, care), content_type="text/css; charset=utf-8")


def page_not_found(request, exception=None):
    """Chinese 404 with the channel menu and a search box, so readers find a way on;
    under /api/ the API's JSON 404 (``api.views.not_found``)."""
    if request.path_info.startswith("/api/"):
        return api_views.not_found(request)
    return render(request, "404.html", {"channels": channel_menu()}, status=404)


# --- Previews (editorial workflow) -------------------------------------------------


def _render_preview(request, article, revision=None):
    """Render ``article`` with the public template, never indexed or cached."""
    from django.template.response import TemplateResponse

    context = {
        "article": article,
        "object": article,
        "revision": revision,
        "neighbours": {"previous": None, "next": None, "related": []},
        "related": [],
        "latest": [],
        "channels": channel_menu(),
        "is_preview": True,
        "article_facts": article_facts(article),
        **article_addresses(request, article),
    }
    response = TemplateResponse(request, "news/article_preview.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


def article_preview(request, pk: int, revision_id: int | None = None):
    """Staff preview of an article in any state, or of one of its revisions."""
    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied

    from .revisions import article_from_snapshot, working_copy

    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), "admin:login")
    if not (
        user.is_active
        and user.is_staff
        and (user.has_perm("news.view_article") or user.has_perm("news.change_article"))
    ):
        raise PermissionDenied
    article = get_object_or_404(Article.objects.for_detail(), pk=pk)
    revision = None
    if revision_id is not None:
        revision = get_object_or_404(article.revisions, pk=revision_id)
        article = article_from_snapshot(article, revision.snapshot)
    else:
        article = working_copy(article)  # the draft over a live article
    return _render_preview(request, article, revision)


def article_shared_preview(request, signed: str):
    """Preview through a share link: only that article, while the link is valid."""
    from .preview import preview_link_resolve
    from .revisions import working_copy

    link = preview_link_resolve(signed)
    if link is None:
        response = render(
            request,
            "news/preview_link_invalid.html",
            {"channels": channel_menu()},
            status=404,
        )
        response["X-Robots-Tag"] = "noindex, nofollow"
        # As a preview's: a guessed or expired link's answer is nobody's to keep.
        response["Cache-Control"] = "private, no-store"
        return response
    article = get_object_or_404(Article.objects.for_detail(), pk=link.article_id)
    return _render_preview(request, working_copy(article))

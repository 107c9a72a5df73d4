"""News: channels, tags, people, images and articles."""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import connections, models
from django.db.models import Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from yantai.html import html_to_text, sanitize_html
from yantai.links import cached_reverse, id_url

from .body_images import resolve_body_images
from .prepared import (
    SAMPLE_ID,
    SAMPLE_MOMENT,
    LinkedRows,
    PreparedQuery,
    set_prefetched,
)

# Beijing time had a local-mean-time offset (+08:05:43) before 1901, which no
# RFC 3339 client can read; no article of this site is older.
EARLIEST_TIME = datetime(1901, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
LATEST_TIME = datetime(2999, 12, 31, 23, 59, 59, tzinfo=ZoneInfo("Asia/Shanghai"))


def validate_article_time(value: datetime) -> None:
    """Publication and expiry times lie between 1901 and 2999 (Beijing time)."""
    if value is not None and not EARLIEST_TIME <= value <= LATEST_TIME:
        raise ValidationError(
            _("时间须在1901年1月1日至2999年12月31日之间。"), code="out_of_range"
        )


def unicode_slug(text: str, max_length: int = 80) -> str:
    """A slug that keeps Chinese characters (``质量强市``), never empty."""
    slug = slugify(text, allow_unicode=True)[:max_length].strip("-")
    return slug or hashlib.sha1(text.encode()).hexdigest()[:12]


class Channel(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)
    slug = models.SlugField(
        _("网址名"),
        max_length=80,
        unique=True,
        allow_unicode=True,
        help_text=_("出现在栏目网址中，可用中文，例如“质量强市”。"),
    )
    order = models.PositiveSmallIntegerField(
        _("排序"), default=0, help_text=_("数字小的栏目排在前面。")
    )
    description = models.TextField(_("栏目说明"), blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unicode_slug(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return cached_reverse("news:channel-detail", slug=self.slug)


class Tag(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)
    slug = models.SlugField(_("网址名"), max_length=80, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("标签")
        verbose_name_plural = _("标签")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unicode_slug(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return cached_reverse("news:tag-detail", slug=self.slug)


class Person(models.Model):
    """A person named in bylines; the same person may be 记者 here, 通讯员 there."""

    name = models.CharField(_("姓名"), max_length=50)
    slug = models.SlugField(_("网址名"), max_length=80, unique=True, allow_unicode=True)
    note = models.CharField(
        _("备注"),
        max_length=100,
        blank=True,
        help_text=_("区分同名的人，例如所在单位。"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")

    def __str__(self) -> str:
        return f"{self.name}（{self.note}）" if self.note else self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            base = unicode_slug(self.name)
            slug, n = base, 1
            while Person.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                n += 1
                slug = f"{base}-{n}"
            self.slug = slug
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return cached_reverse("news:person-detail", slug=self.slug)


class Image(models.Model):
    """An image of the library, used as cover and inside article bodies."""

    file = models.ImageField(_("文件"), upload_to="images/%Y/%m/")
    title = models.CharField(_("标题"), max_length=200)
    alt_text = models.CharField(
        _("替代文字"),
        max_length=300,
        blank=True,
        help_text=_("为看不见图片的读者描述图片内容；纯装饰图片可勾选“装饰性”后留空。"),
    )
    is_decorative = models.BooleanField(_("装饰性"), default=False)
    caption = models.CharField(_("图片说明"), max_length=500, blank=True)
    credit = models.CharField(
        _("供图/摄影"),
        max_length=100,
        blank=True,
        help_text=_("例如“YMG全媒体记者 唐克 摄”。"),
    )
    focal_x = models.FloatField(
        _("焦点横坐标"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("0 到 1，裁切时保留的中心点；留空则居中。"),
    )
    focal_y = models.FloatField(
        _("焦点纵坐标"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    width = models.PositiveIntegerField(_("宽度"), default=0, editable=False)
    height = models.PositiveIntegerField(_("高度"), default=0, editable=False)
    renditions = models.JSONField(
        _("缩略图"),
        default=list,
        blank=True,
        editable=False,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("图片")
        verbose_name_plural = _("图片库")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_decorative=True) | ~Q(alt_text=""),
                name="image_alt_or_decorative",
                violation_error_message=_("请填写替代文字，或勾选“装饰性”。"),
            )
        ]

    def __str__(self) -> str:
        return self.title


def article_columns_index(vendor: str) -> str:
    """`` INDEXED BY article_related_idx`` on SQLite, else empty. That index
    (migrations 0017 and 0030) holds the columns that lie past the body's overflow
    pages in ``news_article``'s rows — id, status, published_at, expires_at, title,
    updated_at, page_stamp — and SQLite's planner takes it only when it is named
    (it prefers the rowid, or another index once the table has statistics): for
    上一篇/下一篇/相关新闻's candidates (``news.related``) and the fast path's
    live-row check (``news.pagecache``)."""
    return " INDEXED BY article_related_idx" if vendor == "sqlite" else ""


class ArticleQuerySet(models.QuerySet):
    def published(self, at: datetime | None = None) -> ArticleQuerySet:
        """Articles the public may see: published, already due and not expired
        (now, or at the moment ``at``)."""
        now = at or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
        )

    def ever_published(self) -> ArticleQuerySet:
        """Articles 终审 has published (or scheduled) at least once: on the site
        now or withdrawn (撤下), a live revision, or a publication on the timeline
        (a withdrawn article edited since is back in 草稿, and still one of these).
        Their record is kept: only a superuser deletes one (``articles_delete``)."""
        return self.filter(
            Q(status__in=(Article.Status.PUBLISHED, Article.Status.UNPUBLISHED))
            | Q(live_revision__isnull=False)
            | Q(
                models.Exists(
                    Revision.objects.filter(article=models.OuterRef("pk"), is_live=True)
                )
            )
            | Q(
                models.Exists(
                    ArticleEvent.objects.filter(
                        article=models.OuterRef("pk"),
                        action__in=ArticleEvent.PUBLICATIONS,
                    )
                )
            )
        )

    def first_after(self, field: str, now: datetime) -> ArticleQuerySet:
        """The first value of the time ``field`` after ``now`` among published
        articles (``published_at``: the next due; ``expires_at``: the next to reach
        its 下线时间), as a one-row values QuerySet: a subquery, one index walk."""
        return (
            self.filter(status=Article.Status.PUBLISHED, **{f"{field}__gt": now})
            .order_by(field)
            .values(field)[:1]
        )

    def next_change_columns(self, now: datetime) -> tuple[list[str], list]:
        """``next_change_at``'s two scalar subqueries as SQL expressions (the next
        due ``published_at``, the next ``expires_at``) and their parameters, for a
        statement that reads them with something else."""
        parts = [
            self.first_after(field, now).query.sql_with_params()
            for field in ("published_at", "expires_at")
        ]
        return [f"({sql})" for sql, _params in parts], [
            p for _sql, params in parts for p in params
        ]

    def next_change_at(self, now: datetime) -> datetime | None:
        """The first moment after ``now`` at which ``published()`` changes with no
        write to announce it: a scheduled article becomes due, or a public one reaches
        its 下线时间 (None: no such moment). One statement of two short index walks
        (``article_pub_idx``, ``article_expires_idx``)."""
        # Two scalar subqueries in one SELECT: the ORM has no FROM-less statement.
        columns, params = self.next_change_columns(now)
        db = connections[self.db]
        with db.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(columns), params)
            row = cursor.fetchone()
        convert = getattr(db.ops, "convert_datetimefield_value", None)  # SQLite's
        moments = [
            convert(at, None, db) if convert else at for at in row if at is not None
        ]
        return min(moments, default=None)

    def go_live_due(self, now: datetime) -> ArticleQuerySet:
        """Articles whose scheduled draft (``draft_go_live_at``) is due at ``now``,
        the earliest first (``article_go_live_idx``)."""
        return self.filter(
            draft_go_live_at__lte=now, draft_revision__isnull=False
        ).order_by("draft_go_live_at", "pk")

    def in_editorial_state(self, *states: str) -> ArticleQuerySet:
        """Articles whose editors' work is in one of ``states``.

        The twin of ``Article.editorial_status``: the draft's state over a live
        article that has one, else the row's state.
        """
        return self.filter(
            Q(draft_revision__isnull=True, status__in=states)
            | Q(draft_revision__isnull=False, draft_status__in=states)
        )

    def for_listing(self) -> ArticleQuerySet:
        """What list pages render, newest first, in a fixed number of queries."""
        return (
            self.select_related("channel", "cover")
            .only(
                "id",
                "title",
                "slug",
                "summary",
                "source",
                "published_at",
                "channel__name",
                "channel__slug",
                "cover__file",
                "cover__alt_text",
                "cover__is_decorative",
                "cover__renditions",
                "cover__width",
                "cover__height",
            )
            .order_by("-published_at", "-id")
        )

    def month_counts(self) -> models.QuerySet:
        """Rows ``{"month": …, "n": …}`` for every month with articles, newest first,
        months in Beijing time (``month``: a datetime, or on SQLite the text
        ``YYYY-MM-01``): one grouped query over the publication index."""
        month = TruncMonth("published_at")
        if connections[self.db].vendor == "sqlite":
            # Django truncates with a Python function called for every row; SQLite's
            # own strftime with the zone's offset is native. Beijing time has had
            # one offset since 1991 (no daylight saving).
            offset = timezone.localtime().utcoffset().total_seconds()
            month = models.Func(
                models.Value("%Y-%m-01"),
                "published_at",
                models.Value(f"{offset:+.0f} seconds"),
                function="strftime",
                output_field=models.CharField(),
            )
        return (
            self.order_by()
            .annotate(month=month)
            .values("month")
            .annotate(n=models.Count("id"))
            .order_by("-month")
        )

    def most_read(self, *, since: date, limit: int) -> list[Article]:
        """The ``limit`` articles of this QuerySet read most often since ``since``
        (``ArticleDailyViews``), most read first, each with ``recent_views``: one
        query; the counted days are read from their index, the articles by id."""
        # The days as a list, not a range: equality probes make the planner read
        # the (day, article, count) index, never every row by article.
        days = [
            since + timedelta(days=d)
            for d in range((timezone.localdate() - since).days + 1)
        ]
        reads = (
            ArticleDailyViews.objects.filter(day__in=days)
            .values("article")
            .annotate(n=models.Sum("count"))
        )
        # A few spare candidates: one may have been withdrawn since it was read.
        top = reads.order_by("-n", "-article").values("article")[: limit * 2]
        mine = reads.filter(article=models.OuterRef("pk")).values("n")
        rows = self.filter(pk__in=models.Subquery(top)).annotate(
            recent_views=models.Subquery(mine)
        )
        ranked = sorted(rows, key=lambda a: (-a.recent_views, -a.pk))
        return ranked[:limit]

    def for_detail(self) -> ArticleQuerySet:
        """What the article page renders."""
        return self.for_detail_row().prefetch_related(*detail_prefetches())

    def for_detail_row(self) -> ArticleQuerySet:
        """The article page's one-row part; ``detail_prefetches()`` are the rest.

        The confirmed figure marks come in the same row (``ArticleFigures``): the
        page and the page-cache key read them without a query of their own."""
        return self.select_related("channel", "cover", "responsible_editor", "figures")

    def with_index_title(self) -> ArticleQuerySet:
        """Each article's title words as its search-index row holds them
        (``index_title``; None without a row): 相关新闻 ranks by them
        (``news.search.related_ids_query``) without cutting the title again."""
        words = ArticleSearch.objects.filter(article=models.OuterRef("pk"))
        return self.annotate(index_title=models.Subquery(words.values("title")[:1]))


def detail_prefetches() -> tuple:
    return (
        "tags",
        models.Prefetch("bylines", queryset=Byline.objects.select_related("person")),
    )


# The article page's reads on a cache miss, compiled once (news/prepared.py): the
# same QuerySets as ``published().for_detail_row()`` and ``detail_prefetches()``.
# The row's statement also reads the tags and the bylines with their people, as
# JSON (``LinkedRows``): ``detail_prefetch`` makes them without a query. The page
# never prints the body's plain text (search and the API do): left unread, it cost
# PostgreSQL ~0.1 ms a page to decompress and send (docs/benchmarks.md).
_DETAIL_ROW = PreparedQuery(
    lambda pk, at: (
        Article.objects.published(at)
        .for_detail_row()
        .defer("body_text")
        .with_index_title()
        .annotate(**_detail_links())
        .filter(pk=pk)
    ),
    pk=SAMPLE_ID,
    at=SAMPLE_MOMENT,
)
_DETAIL_TAGS = PreparedQuery(lambda pk: Tag.objects.filter(articles=pk), pk=SAMPLE_ID)
_DETAIL_BYLINES = PreparedQuery(
    lambda pk: Byline.objects.select_related("person").filter(article=pk),
    pk=SAMPLE_ID,
)


@functools.cache
def _detail_links() -> dict[str, LinkedRows]:
    """``detail_prefetches()`` as columns of the row: the article's tags and its
    bylines with their people."""
    return {
        "detail_tags": LinkedRows(Article, "tags"),
        "detail_bylines": LinkedRows(Article, "bylines", also="person"),
    }


def detail_row(pk: int) -> Article | None:
    """``Article.objects.published().for_detail_row().with_index_title()`` of
    article ``pk`` without its ``body_text``, or None when it is not public: one
    query, its statement compiled once; its tags and bylines come with it
    (``detail_prefetch``)."""
    low, high = connections["default"].ops.integer_field_range(
        Article._meta.pk.get_internal_type()
    )
    if not low <= pk <= high:  # as the ORM's lookup: no such row, not an overflow
        return None
    found = _DETAIL_ROW.instances(pk=pk, at=timezone.now())
    return found[0] if found else None


def detail_prefetch(article: Article) -> None:
    """``prefetch_related_objects([article], *detail_prefetches())``: the tags and
    the bylines with their people. Of an article read by ``detail_row``, from its
    row, without a query; of another, two queries, their statements compiled
    once."""
    linked = article.__dict__
    if "detail_tags" in linked and "detail_bylines" in linked:
        links = _detail_links()
        db, vendor = article._state.db, connections[article._state.db].vendor
        tags = links["detail_tags"].rows(linked.pop("detail_tags"), db, vendor)
        bylines = links["detail_bylines"].rows(linked.pop("detail_bylines"), db, vendor)
    else:
        tags = _DETAIL_TAGS.instances(pk=article.pk)
        bylines = _DETAIL_BYLINES.instances(pk=article.pk)
    set_prefetched(article, "tags", tags)
    for byline in bylines:
        Byline.article.field.set_cached_value(byline, article)
    set_prefetched(article, "bylines", bylines)


# The first ``Article.page_stamp``. SQLite keeps the integers 0 and 1 in a row's
# header alone and 2–127 in one byte: a raise from 1 to 2 changes the row's size, and
# SQLite then writes the whole ~20 KB row again with its overflow pages, where a raise
# that keeps the size writes the one page holding the value. From 2, the first 125
# raises keep the size: the import's neighbour raises at 20,000 articles went from
# 1.5 to 0.9–1.0 s of the writer's CPU (docs/benchmarks.md).
PAGE_STAMP_START = 2


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEW_1 = "review1", _("待初审")
        REVIEW_2 = "review2", _("待复审")
        REVIEW_3 = "review3", _("待终审")
        PUBLISHED = "published", _("已发布")
        UNPUBLISHED = "unpublished", _("已撤下")

    kicker = models.CharField(
        _("引题"),
        max_length=200,
        blank=True,
        help_text=_("印在标题上方的短句，可不填。"),
    )
    title = models.CharField(_("标题"), max_length=200)
    subtitle = models.CharField(
        _("副题"), max_length=200, blank=True, help_text=_("印在标题下方，可不填。")
    )
    # Never looked up (an article's address is its id): no index to keep up.
    slug = models.SlugField(
        _("网址名"),
        max_length=120,
        allow_unicode=True,
        blank=True,
        db_index=False,
        help_text=_("留空则由标题生成；文章网址以编号为准，改标题不会使旧链接失效。"),
    )
    summary = models.TextField(
        _("摘要"),
        blank=True,
        help_text=_("一两句话，用于列表、分享和搜索结果；留空则取正文开头。"),
    )
    body = models.TextField(
        _("正文"),
        blank=True,
        help_text=_("小标题请用“标题”格式，不要用加粗段落代替。"),
    )
    body_text = models.TextField(_("正文纯文本"), blank=True, editable=False)
    source = models.CharField(
        _("来源"),
        max_length=100,
        blank=True,
        help_text=_("例如：烟台日报、胶东在线。"),
    )
    source_url = models.URLField(
        _("原文链接"), blank=True, help_text=_("转载其他媒体的稿件时填写原文网址。")
    )
    channel = models.ForeignKey(
        Channel,
        verbose_name=_("栏目"),
        on_delete=models.PROTECT,
        related_name="articles",
        db_index=False,  # article_channel_pub_idx starts with it
    )
    tags = models.ManyToManyField(
        Tag, verbose_name=_("标签"), blank=True, related_name="articles"
    )
    cover = models.ForeignKey(
        Image,
        verbose_name=_("封面图"),
        null=True,
        blank=True,
        # Deleting a cover would change the article without a publication: an
        # image an article uses cannot be deleted (news.images.image_uses).
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("发布时间"),
        null=True,
        blank=True,
        validators=[validate_article_time],
        help_text=_(
            "北京时间。留空则在终审发布时取当时的时间；已有的时间（导入或填写的）"
            "发布时保持不变。设为将来的时间即为定时发布：到点自动出现在网站上。"
        ),
    )
    revised_at = models.DateTimeField(
        _("更新时间"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("已发布的文章再次发布修改稿的时间；显示在文章页上。"),
    )
    expires_at = models.DateTimeField(
        _("下线时间"),
        null=True,
        blank=True,
        validators=[validate_article_time],
        help_text=_("到点后自动从网站隐藏；留空则一直显示。"),
    )
    is_featured = models.BooleanField(_("头条推荐"), default=False)
    related_articles = models.ManyToManyField(
        "self",
        verbose_name=_("相关新闻（编辑指定）"),
        blank=True,
        symmetrical=False,
        related_name="+",
    )
    responsible_editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任编辑"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    view_count = models.PositiveIntegerField(_("浏览次数"), default=0, editable=False)
    # Identifies an imported page so that re-importing it updates instead of duplicating.
    import_key = models.CharField(
        _("导入标识"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    # Part of the page cache's key (news.pagecache): raised with one UPDATE when what
    # the page shows around the article changes for readers (a neighbour published
    # or withdrawn, its channel, tags or people renamed), never by a draft.
    page_stamp = models.PositiveIntegerField(
        _("页面版本"), default=PAGE_STAMP_START, editable=False
    )
    # Draft over live: while the row is (or was) on the site, editors work on a
    # draft kept as a revision; the row changes only when 终审 publishes it.
    live_revision = models.ForeignKey(
        "Revision",
        verbose_name=_("线上版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    draft_revision = models.ForeignKey(
        "Revision",
        verbose_name=_("草稿（未发布的修改）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    draft_status = models.CharField(
        _("草稿状态"),
        max_length=16,
        choices=Status.choices,
        blank=True,
        editable=False,
        help_text=_("已发布文章的修改稿所处的审稿环节。"),
    )
    # 定时发布 of a draft over a live article: 终审 approved it to replace the live
    # version at this time (``publish_scheduled`` does it); the draft is frozen
    # until then (news.workflow).
    draft_go_live_at = models.DateTimeField(
        _("修改稿定时发布时间"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("终审已批准修改稿在此时间替换线上版本；到时前线上版本不变。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        permissions = [
            ("submit_article", _("可以提交文章送审")),
            ("review_article", _("可以初审、复审文章")),
            ("publish_article", _("可以终审、发布和撤下文章")),
        ]
        indexes = [
            # Cover the published() filter and the newest-first order, so list pages
            # and their counts read the index, not the table.
            models.Index(
                fields=["status", "-published_at", "expires_at"], name="article_pub_idx"
            ),
            models.Index(
                fields=["channel", "status", "-published_at", "expires_at"],
                name="article_channel_pub_idx",
            ),
            # The home page's 头条/要闻 and 焦点图: the newest marked or illustrated
            # articles, found without walking past the others.
            models.Index(
                fields=["status", "-published_at", "expires_at"],
                condition=Q(is_featured=True),
                name="article_featured_idx",
            ),
            models.Index(
                fields=["status", "-published_at", "expires_at"],
                condition=Q(cover__isnull=False),
                name="article_cover_idx",
            ),
            # The few articles past their 下线时间: search hides them without reading
            # every published row (news.search.SearchResults._visibility).
            models.Index(
                fields=["expires_at"],
                condition=Q(expires_at__isnull=False),
                name="article_expires_idx",
            ),
            # The few drafts scheduled to go live: ``publish_scheduled`` finds the
            # due ones every minute without reading the table.
            models.Index(
                fields=["draft_go_live_at"],
                condition=Q(draft_go_live_at__isnull=False),
                name="article_go_live_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(expires_at__gt=models.F("published_at")),
                name="article_expires_after_published",
                violation_error_message=_("下线时间必须晚于发布时间。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.fill_derived_fields()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {
                "body_text",
                "updated_at",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return id_url("news:article-detail", "pk", self.pk)

    def fill_derived_fields(self, *, body_text: str | None = None) -> None:
        """Clean body, its plain text, and the slug and summary when left empty.

        ``body_text``: the caller knows that the body is already what cleaning
        would leave and that this is its plain text (the importer's pages of plain
        paragraphs, ``news.bulk.prepare_page``), so neither is worked out again."""
        if body_text is None:
            self.body = resolve_body_images(sanitize_html(self.body))
            body_text = html_to_text(self.body)
        self.body_text = body_text
        if not self.slug:
            self.slug = unicode_slug(self.title, 120)
        if not self.summary:
            self.summary = (
                self.body_text.split("\n", 1)[0][:120] if self.body_text else ""
            )

    @property
    def is_published(self) -> bool:
        """One-row twin of ``ArticleQuerySet.published``."""
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )

    @property
    def has_draft(self) -> bool:
        """Unpublished changes are waiting on top of the live version."""
        return self.draft_revision_id is not None

    @property
    def edits_make_draft(self) -> bool:
        """Whether an edit goes to a draft revision instead of the row.

        The row is what readers see once it is published (scheduled too); from then
        on, and while a draft exists, the row changes only when 终审 publishes.
        """
        return self.status == self.Status.PUBLISHED or self.has_draft

    @property
    def has_scheduled_draft(self) -> bool:
        """终审 approved the draft to replace the live version at
        ``draft_go_live_at`` (frozen until then)."""
        return self.draft_go_live_at is not None

    @property
    def editorial_status(self) -> str:
        """The state of the editors' work: the draft's state over a live article."""
        return self.draft_status if self.has_draft else self.status

    def get_editorial_status_display(self) -> str:
        label = self.Status(self.editorial_status).label
        if self.has_draft and self.status == self.Status.PUBLISHED:
            if self.has_scheduled_draft:
                return _("已发布 · 修改稿定时发布（%(at)s）") % {
                    "at": timezone.localtime(self.draft_go_live_at).strftime(
                        "%Y-%m-%d %H:%M"
                    )
                }
            if self.draft_status == self.Status.DRAFT:
                return _("已发布 · 有未送审的修改稿")
            return _("已发布 · 修改稿%(state)s") % {"state": label}
        return label

    @property
    def is_reprint(self) -> bool:
        """Published by another outlet first (转载)."""
        return bool(self.source_url) or self.source not in {"", "烟台日报", "品质烟台"}

    def byline_groups(self) -> list[tuple[str, list[Byline]]]:
        """Bylines grouped by consecutive role label: ``[("YMG全媒体记者", [逄苗]), …]``."""
        groups: list[tuple[str, list[Byline]]] = []
        for byline in self.bylines.all():
            label = byline.label
            if groups and groups[-1][0] == label:
                groups[-1][1].append(byline)
            else:
                groups.append((label, [byline]))
        return groups


class Byline(models.Model):
    class Role(models.TextChoices):
        REPORTER = "记者", _("记者")
        CORRESPONDENT = "通讯员", _("通讯员")
        INTERN = "实习生", _("实习生")
        PHOTOGRAPHER = "摄影", _("摄影")
        AUTHOR = "作者", _("作者")
        EDITOR = "编辑", _("编辑")
        RESPONSIBLE_EDITOR = "责任编辑", _("责任编辑")

    article = models.ForeignKey(
        Article,
        verbose_name=_("文章"),
        on_delete=models.CASCADE,
        related_name="bylines",
        db_index=False,  # byline_unique_role starts with it
    )
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="bylines"
    )
    role = models.CharField(_("角色"), max_length=8, choices=Role.choices)
    prefix = models.CharField(
        _("单位前缀"),
        max_length=30,
        blank=True,
        help_text=_("印在角色前的单位，例如“YMG全媒体”记者、“本报”记者。"),
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("署名")
        verbose_name_plural = _("署名")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "person", "role"], name="byline_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.person.name}"

    @property
    def label(self) -> str:
        return f"{self.prefix}{self.role}"


class ArticleEvent(models.Model):
    """One workflow transition of an article: the timeline on its admin page."""

    #: The actions that put an article on the site or took it off: the record that
    #: it was ever published (``ArticleQuerySet.ever_published``), kept with it.
    PUBLICATIONS = ("publish", "schedule", "unpublish")

    article = models.ForeignKey(
        Article, verbose_name=_("文章"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16)
    comment = models.TextField(_("意见"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")

    def __str__(self) -> str:
        return f"{self.article_id} {self.from_status}→{self.to_status}"

    def get_to_status_display(self) -> str:
        return Article.Status(self.to_status).label

    def get_from_status_display(self) -> str:
        return Article.Status(self.from_status).label if self.from_status else ""


class Revision(models.Model):
    """A full snapshot of an article after one save; history is never rewritten."""

    article = models.ForeignKey(
        Article,
        verbose_name=_("文章"),
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    version = models.PositiveIntegerField(_("版本"))
    snapshot = models.JSONField(_("内容快照"))
    summary = models.CharField(_("说明"), max_length=200, blank=True)
    is_live = models.BooleanField(
        _("线上版本"), default=False, help_text=_("发布时的内容；清理旧版本时保留。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("保存人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("保存时间"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("历史版本")
        verbose_name_plural = _("历史版本")

    def __str__(self) -> str:
        return f"{self.article_id} v{self.version}"

    @property
    def status_label(self) -> str:
        status = self.snapshot.get("status")
        return Article.Status(status).label if status else ""


class AuditLog(models.Model):
    """Who did what to which object, and when: read-only in the admin."""

    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        EDIT = "edit", _("修改")
        SUBMIT = "submit", _("送审")
        APPROVE = "approve", _("审核通过")
        REJECT = "reject", _("退回")
        PUBLISH = "publish", _("发布")
        SCHEDULE = "schedule", _("定时发布")
        CANCEL_SCHEDULE = "cancel_schedule", _("取消定时")
        UNPUBLISH = "unpublish", _("撤下")
        RESTORE = "restore", _("恢复版本")
        DELETE = "delete", _("删除")
        IMPORT = "import", _("导入")
        UPLOAD = "upload", _("上传图片")
        SHARE = "share", _("分享预览")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=50)
    object_id = models.CharField(_("对象编号"), max_length=50, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200)
    summary = models.TextField(_("变更摘要"), blank=True)
    # What the action took away, kept as data: a deleted article that was once
    # published keeps its last published content here (``articles_delete``).
    snapshot = models.JSONField(
        _("删除前的内容"),
        null=True,
        blank=True,
        help_text=_("删除发布过的文章时，保留其最后发布的内容。"),
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"


class SensitiveWord(models.Model):
    """A wrong or sensitive wording (错敏字) and its correction."""

    wrong = models.CharField(_("错误写法"), max_length=50, unique=True)
    correct = models.CharField(
        _("正确写法"), max_length=50, blank=True, help_text=_("敏感词可留空。")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["wrong"]
        verbose_name = _("错敏字")
        verbose_name_plural = _("错敏字词表")

    def __str__(self) -> str:
        return f"{self.wrong} → {self.correct}"


#: What lets a staff member make a share link (``news.admin_workflow``), and keeps
#: the links they made working.
SHARE_PERMISSION = ("news", "change_article")


class PreviewLinkQuerySet(models.QuerySet):
    def valid(self) -> PreviewLinkQuerySet:
        """Links that open their preview: not revoked, not expired, and made by an
        account that could make them now — active, staff, holding the change
        permission (its own, a group's, or a superuser's). Deactivating the
        creator or taking the permission away stops their links at once."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Permission

        user = get_user_model()
        perm = Permission.objects.filter(
            content_type__app_label=SHARE_PERMISSION[0], codename=SHARE_PERMISSION[1]
        )
        may_share = (
            Q(created_by__is_superuser=True)
            | models.Exists(
                user.user_permissions.through.objects.filter(
                    user=models.OuterRef("created_by"), permission__in=perm
                )
            )
            | models.Exists(
                user.groups.through.objects.filter(
                    user=models.OuterRef("created_by"), group__permissions__in=perm
                )
            )
        )
        return self.filter(
            may_share,
            is_revoked=False,
            expires_at__gt=timezone.now(),
            created_by__is_active=True,
            created_by__is_staff=True,
        )


class PreviewLink(models.Model):
    """A shareable preview of one article for people without an account."""

    article = models.ForeignKey(
        Article,
        verbose_name=_("文章"),
        on_delete=models.CASCADE,
        related_name="preview_links",
    )
    token = models.CharField(_("令牌"), max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("失效时间"))
    is_revoked = models.BooleanField(_("已撤销"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("预览链接")
        verbose_name_plural = _("预览链接")

    def __str__(self) -> str:
        return f"{self.article_id} {self.token[:8]}"

    @property
    def is_valid(self) -> bool:
        """One link's ``PreviewLinkQuerySet.valid``."""
        creator = self.created_by
        return (
            not self.is_revoked
            and self.expires_at > timezone.now()
            and creator is not None
            and creator.is_active
            and creator.is_staff
            and creator.has_perm(".".join(SHARE_PERMISSION))
        )


class ArticleSearch(models.Model):
    """The search-index row of a published article: its words, cut by rjieba.

    Written only by ``news/search.py``; the engine-specific parts (an FTS5 table on
    SQLite, a tsvector column with a GIN index on PostgreSQL) are made by migration
    ``0003_article_search_index``.
    """

    article = models.OneToOneField(
        Article,
        verbose_name=_("文章"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.TextField(_("标题分词"), default="")
    body = models.TextField(_("正文分词"), default="")

    class Meta:
        db_table = "news_article_search"
        verbose_name = _("搜索索引")
        verbose_name_plural = _("搜索索引")

    def __str__(self) -> str:
        return str(self.article_id)


class ArticleFigures(models.Model):
    """The confirmed figure marks of one article, and a digest of them.

    Derived data that ``news`` stores and ``quality`` computes: written only through
    ``news.extensions.figure_marks_store`` in the transaction of the observation,
    figure or confirmation change that causes it, so a rolled-back change leaves the
    marks as they were and every app server reads the same marks. The article page
    reads the row with the article (``for_detail_row``); no row: no figures.
    """

    article = models.OneToOneField(
        Article,
        verbose_name=_("文章"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="figures",
    )
    marks = models.JSONField(_("数据标注"), default=list)
    digest = models.CharField(_("标注摘要"), max_length=32)

    class Meta:
        verbose_name = _("文章数据标注")
        verbose_name_plural = _("文章数据标注")

    def __str__(self) -> str:
        return str(self.article_id)


# --- the site's official footer ---------------------------------------------------

ICP_RE = (
    r"^[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新]"
    r"ICP备\d{6,10}号(-\d{1,3})?$"
)
POLICE_RE = (
    r"^[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新]"
    r"公网安备 ?(\d{14})号$"
)
SITE_CODE_RE = r"^(\d{10}|bm\d{8})$"
# The record page of a 党政机关网站标识 (the 开办单位 mark), on CONAC's site.
CONAC_URL_RE = r"^https?://([a-z0-9-]+\.)*conac\.cn/[^\s<>\"]*$"
# The “我为政府网站找错” entry of the State Council's 政府网站 platform (on gov.cn).
ERROR_REPORT_URL_RE = r"^https?://([a-z0-9-]+\.)*gov\.cn/[^\s<>\"]*$"
# A page of this site ("/news/12/", not "//host") or a full http(s) address.
NOTICE_URL_RE = r"^(https?://[^\s<>\"/]+(/[^\s<>\"]*)?|/(?!/)[^\s<>\"]*)$"
PHONE_RE = r"^[0-9()（）+\- 转]{5,40}$"
ICP_REGISTRY_URL = "https://beian.miit.gov.cn/"
POLICE_REGISTRY_URL = "https://beian.mps.gov.cn/#/query/webSearch?code="


class SiteSettingsQuerySet(models.QuerySet):
    def current(self) -> SiteSettings | None:
        """The one row of the site's settings, None until staff have saved it."""
        return self.filter(pk=SiteSettings.SINGLETON_ID).first()


class SiteSettings(models.Model):
    """站点设置: what the footer of every public page shows, as 《政府网站发展指引》
    asks of a government site (主办、承办单位, 联系方式, ICP and 公安 record numbers,
    政府网站标识码, 党政机关网站标识, 我为政府网站找错, 版权/隐私声明). One row only (``SINGLETON_ID``, a check constraint); a field
    left empty is left out of the footer."""

    SINGLETON_ID = 1

    host_organisation = models.CharField(
        _("主办单位"),
        max_length=100,
        blank=True,
        help_text=_("例如：烟台市市场监督管理局。演示站点请如实填写或留空。"),
    )
    operator_organisation = models.CharField(
        _("承办单位"), max_length=100, blank=True, help_text=_("可不填。")
    )
    contact_phone = models.CharField(
        _("联系电话"),
        max_length=40,
        blank=True,
        validators=[
            RegexValidator(
                PHONE_RE,
                _("电话号码只能含数字、空格、括号、“+”“-”和“转”，例如 0535-1234567。"),
            )
        ],
    )
    contact_email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通讯地址"), max_length=200, blank=True)
    icp_number = models.CharField(
        _("ICP备案号"),
        max_length=40,
        blank=True,
        validators=[
            RegexValidator(
                ICP_RE,
                _("ICP备案号的格式应为“鲁ICP备12345678号”或“鲁ICP备12345678号-1”。"),
            )
        ],
        help_text=_("页脚链接到工业和信息化部政务服务平台（beian.miit.gov.cn）。"),
    )
    police_number = models.CharField(
        _("公安备案号"),
        max_length=40,
        blank=True,
        validators=[
            RegexValidator(
                POLICE_RE,
                _("公安备案号的格式应为“鲁公网安备37060202000123号”（14位数字）。"),
            )
        ],
        help_text=_("页脚链接到全国互联网安全管理服务平台上该备案号的查询页。"),
    )
    site_code = models.CharField(
        _("政府网站标识码"),
        max_length=10,
        blank=True,
        validators=[
            RegexValidator(
                SITE_CODE_RE, _("政府网站标识码为10位数字（部门网站为“bm”加8位数字）。")
            )
        ],
    )
    conac_url = models.CharField(
        _("党政机关网站标识链接"),
        max_length=300,
        blank=True,
        validators=[
            RegexValidator(
                CONAC_URL_RE,
                _(
                    "党政机关网站标识的链接应为机构编制部门提供的查询页地址，"
                    "以“http://”或“https://”开头、在 conac.cn 网站上。"
                ),
            )
        ],
        help_text=_(
            "机构编制部门颁发党政机关网站标识（开办单位标识）后提供的本网站信息查询页"
            "地址，例如 https://bszs.conac.cn/sitename?method=show&id=……。"
            "填写后页脚显示“党政机关网站标识”链接；未取得标识的网站请留空。"
        ),
    )
    error_report_url = models.CharField(
        _("“我为政府网站找错”链接"),
        max_length=300,
        blank=True,
        validators=[
            RegexValidator(
                ERROR_REPORT_URL_RE,
                _(
                    "“我为政府网站找错”的链接应为国务院办公厅政府网站找错平台上的地址，"
                    "以“http://”或“https://”开头、在 gov.cn 网站上。"
                ),
            )
        ],
        help_text=_(
            "全国政府网站“我为政府网站找错”平台上本网站的入口地址，例如 "
            "https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3706000001"
            "（site_code 为本网站的政府网站标识码）。填写后页脚显示"
            "“我为政府网站找错”链接；未纳入全国政府网站管理的网站请留空。"
        ),
    )
    copyright_url = models.CharField(
        _("版权声明页面"),
        max_length=300,
        blank=True,
        validators=[
            RegexValidator(
                NOTICE_URL_RE,
                _(
                    "版权声明的地址应为本站路径（以“/”开头，如 /news/12/）"
                    "或以“http://”“https://”开头的网址。"
                ),
            )
        ],
        help_text=_(
            "版权声明所在的网页，可填本站路径（如 /news/12/）或完整网址。"
            "填写后页脚显示“版权声明”链接。"
        ),
    )
    privacy_url = models.CharField(
        _("隐私声明页面"),
        max_length=300,
        blank=True,
        validators=[
            RegexValidator(
                NOTICE_URL_RE,
                _(
                    "隐私声明的地址应为本站路径（以“/”开头，如 /news/13/）"
                    "或以“http://”“https://”开头的网址。"
                ),
            )
        ],
        help_text=_(
            "隐私声明所在的网页，可填本站路径（如 /news/13/）或完整网址。"
            "填写后页脚显示“隐私声明”链接。"
        ),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = SiteSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("站点设置")
        verbose_name_plural = _("站点设置")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="site_settings_singleton"),
        ]

    def __str__(self) -> str:
        return str(_("站点设置"))

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)

    @property
    def police_registry_url(self) -> str:
        """The national registry's page of this site's 公安 record ('' without one)."""
        match = re.match(POLICE_RE, self.police_number)
        return f"{POLICE_REGISTRY_URL}{match.group(1)}" if match else ""

    @property
    def icp_registry_url(self) -> str:
        return ICP_REGISTRY_URL if self.icp_number else ""

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_phone or self.contact_email or self.address)


class ArticleDailyViews(models.Model):
    """How often one article was read on one day (Beijing time): what 阅读排行
    ranks by (``Article.objects.most_read``). Written only by
    ``news.services.article_count_view``, with ``F()``; a reading without JavaScript
    sends no beacon and is not counted."""

    article = models.ForeignKey(
        Article, verbose_name=_("文章"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("日期"))
    count = models.PositiveIntegerField(_("浏览次数"), default=0)

    class Meta:
        verbose_name = _("每日浏览次数")
        verbose_name_plural = _("每日浏览次数")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "day"], name="article_daily_views_once"
            ),
        ]
        indexes = [
            # The ranking reads the last days' rows from the index alone.
            models.Index(fields=["day", "article", "count"], name="daily_views_day_idx")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}: {self.count}"


class NotificationSetting(models.Model):
    """One staff user's choice of the 三审 mails (``news.notify``); no row: on.

    Each user sets their own on 我的通知 (``news.admin_notify``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_setting",
    )
    workflow_email = models.BooleanField(
        _("接收三审流程邮件"),
        default=True,
        help_text=_(
            "稿件待您审核或发布、您送审的稿件被退回或已发布时，发邮件到您的邮箱。"
        ),
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("署名中的我"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notification_settings",
        help_text=_(
            "人员库中的您（同名的人请看括号里的备注）。署有您名字的稿件发布或定时"
            "发布时，也发邮件告诉您。"
        ),
    )

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return str(self.user)

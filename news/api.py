"""REST endpoints of the news app (registered in ``yantai/api_urls.py``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.http import quote_etag
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from api.conditional import (
    PreconditionFailed,
    check_if_match,
    content_etag,
    language_etag,
    version_etag,
)
from api.views import ApiViewMixin, ModelPermissions, validation_detail
from yantai.text import stored

from . import workflow
from .extensions import figures_digest
from .filters import ArticleFilter, ChannelFilter, PersonFilter, TagFilter
from .models import Article, Channel, Person, Tag
from .revisions import working_copy
from .serializers import (
    ArticleSerializer,
    ChannelSerializer,
    DraftDetailSerializer,
    DraftSerializer,
    PersonSerializer,
    TagSerializer,
)
from .services import ArticleConflict, article_create, article_update


def live_etag(article: Article) -> str:
    """The ETag of what readers see of ``article``: of the values its page's cache key
    is made of (``news.pagecache.page_key``) — its live row's ``updated_at``, its
    ``page_stamp`` (raised when the names it shows of its channel, tags, people,
    责任编辑 or cover change) and the digest of its confirmed figures — so that it
    changes with any of them, and not with an editor's draft."""
    stamp = int(article.updated_at.timestamp() * 1_000_000)
    figures = figures_digest(article)
    return quote_etag(f"{article.pk}-live-{stamp}-{article.page_stamp}-{figures}")


def draft_etag(article: Article, data) -> str:
    """The ETag of a draft's detail ``data``: its version tag with a digest of the
    data in it, as its 无障碍检查 findings change with the decorative flags of the
    library images in its body, which write no version (``api.conditional.
    content_etag``; If-Match compares the version only)."""
    return content_etag(version_etag(article), data)


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description=_(
        "该条目当前的 ETag（先 GET 取得）。缺少时返回 428，已过期时返回 412。"
    ),
)


@extend_schema_view(
    list=extend_schema(
        summary=_("文章列表"), description=_("已发布的文章，新的在前。")
    ),
    retrieve=extend_schema(summary=_("文章详情"), description=_("一篇已发布的文章。")),
)
class ArticleViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Published articles only: drafts, scheduled and expired articles are 404."""

    verbose_name = _("文章")
    api_description = _(
        "已发布的文章（草稿、定时和已下线的文章不出现）。可按栏目、标签、署名人员、"
        "发布时间和全文检索筛选；?format=csv 导出表格。"
    )

    serializer_class = ArticleSerializer
    filterset_class = ArticleFilter
    ordering_fields = ("published_at", "id", "title")
    ordering = ("-published_at", "-id")

    def get_queryset(self):
        return Article.objects.published().for_detail()

    def retrieve(self, request, *args, **kwargs):
        article = self.get_object()
        # Of the live row only: editors' drafts (which bump ``version``) leave it.
        # No Last-Modified: the figures and the names shown change without a write
        # of the row, so its updated_at would answer If-Modified-Since wrongly.
        self.response_etag = live_etag(article)
        return Response(self.get_serializer(article).data)


@extend_schema_view(
    list=extend_schema(summary=_("栏目列表")),
    retrieve=extend_schema(summary=_("栏目详情")),
)
class ChannelViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """News channels (栏目)."""

    verbose_name = _("栏目")
    api_description = _("新闻栏目。")

    queryset = Channel.objects.all()
    serializer_class = ChannelSerializer
    filterset_class = ChannelFilter
    ordering_fields = ("order", "id", "name")
    ordering = ("order", "id")


@extend_schema_view(
    list=extend_schema(summary=_("标签列表")),
    retrieve=extend_schema(summary=_("标签详情")),
)
class TagViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Tags (标签)."""

    verbose_name = _("标签")
    api_description = _("文章标签。")

    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    filterset_class = TagFilter
    ordering_fields = ("name", "id")
    ordering = ("name", "id")


@extend_schema_view(
    list=extend_schema(summary=_("人员列表"), description=_("署名中出现的人。")),
    retrieve=extend_schema(summary=_("人员详情")),
)
class PersonViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """People named in bylines."""

    verbose_name = _("人员")
    api_description = _("署名中出现的人（记者、通讯员、摄影等）。")

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ("name", "id")
    ordering = ("name", "id")


class SubmitSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text=_("送审说明。")
    )


def written_etag(code: int) -> OpenApiParameter:
    """The ``ETag`` response header of a draft's write (its ``code`` response)."""
    return OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        response=[code],
        description=_("写入后稿件的 ETag：下次修改或送审时放在 If-Match 请求头中。"),
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("稿件列表"), description=_("未发布的稿件（需登录）。")
    ),
    retrieve=extend_schema(
        summary=_("稿件详情"), description=_("响应头 ETag 用于修改时的 If-Match。")
    ),
    create=extend_schema(
        summary=_("新建草稿"),
        description=_(
            "新建一篇草稿（需要新建稿件的权限）。响应头 ETag 用于之后修改时的 If-Match。"
        ),
        parameters=[written_etag(201)],
    ),
    partial_update=extend_schema(
        summary=_("修改草稿"),
        description=_(
            "修改稿件的部分字段，需在 If-Match 中给出当前 ETag（缺少为 428，过期为 412）。"
            "已发布的文章只改其修改稿，读者看到的不变。"
        ),
        parameters=[IF_MATCH, written_etag(200)],
    ),
    update=extend_schema(
        summary=_("修改草稿（全部字段）"),
        description=_(
            "修改稿件的全部可写字段，需在 If-Match 中给出当前 ETag（缺少为 428，"
            "过期为 412）。已发布的文章只改其修改稿，读者看到的不变。"
        ),
        parameters=[IF_MATCH, written_etag(200)],
    ),
)
class DraftViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Unpublished articles for editors: create, edit (with If-Match), submit.
    Never kept by a browser's or a shared cache (``private, no-store``).

    The same rules as the admin: model permissions, the workflow's ``can_edit`` and
    transitions only through ``news.workflow`` — an 编辑 cannot publish.
    """

    cache_control = "private, no-store"

    verbose_name = _("稿件")
    api_description = _(
        "未发布的稿件（需登录并有相应权限）：新建、修改（需 If-Match）、送审。"
        "状态只能通过送审等流程操作改变。"
    )

    serializer_class = DraftSerializer
    permission_classes = [permissions.IsAuthenticated, ModelPermissions]
    filterset_class = None
    ordering_fields = ("updated_at", "id")
    ordering = ("-updated_at", "-id")

    def get_queryset(self):
        articles = Article.objects.select_related(
            "channel", "draft_revision"
        ).prefetch_related("tags")
        if self.action == "list":
            # Work not yet on the site: drafts, work under review, withdrawn
            # articles, and the drafts over live articles.
            return articles.exclude(
                status=Article.Status.PUBLISHED, draft_revision__isnull=True
            )
        # One article by id: any, so that a live article can be edited (its edit
        # becomes a draft over the live version).
        return articles

    def get_serializer_class(self):
        # A draft's 无障碍检查 findings in its detail (and after a write), not the list.
        return DraftSerializer if self.action == "list" else DraftDetailSerializer

    def get_object(self):
        return working_copy(super().get_object())

    def retrieve(self, request, *args, **kwargs):
        article = self.get_object()
        # No Last-Modified: a draft over a live article writes no row (its
        # ``version``, which the ETag is of, changes; ``updated_at`` does not).
        data = self.get_serializer(article).data
        self.response_etag = draft_etag(article, data)
        return Response(data)

    def written(self, article: Article, code: int = status.HTTP_200_OK) -> Response:
        """The answer to a write: the draft as it is now, read again, with its new
        ETag (for the next If-Match)."""
        article = working_copy(Article.objects.get(pk=article.pk))
        data = self.get_serializer(article).data
        response = Response(data, status=code)
        response["ETag"] = language_etag(draft_etag(article, data))
        return response

    def create(self, request, *args, **kwargs):
        if not workflow.can_edit(request.user):
            raise PermissionDenied(_("您没有新建稿件的权限。"))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            article = article_create(
                by=request.user,
                values=serializer.validated_data,
                summary=stored(_("通过接口新建")),
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise ValidationError(validation_detail(exc)) from None
        return self.written(article, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        article = self.get_object()
        if not workflow.can_edit(request.user, article):
            raise PermissionDenied(
                _("您不能修改处于“%(status)s”状态的稿件。")
                % {"status": article.get_editorial_status_display()}
            )
        check_if_match(request, version_etag(article))
        serializer = self.get_serializer(article, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            # Of concurrent writers holding the same ETag, exactly one gets past
            # the service's version check (the row is locked while it runs).
            article_update(
                article=article,
                by=request.user,
                values=serializer.validated_data,
                summary=stored(_("通过接口修改")),
                expected_version=article.version,
            )
        except ArticleConflict:
            raise PreconditionFailed() from None
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise ValidationError(validation_detail(exc)) from None
        return self.written(article)

    @extend_schema(
        summary=_("送审"),
        description=_("把草稿送交初审（需要“提交送审”权限）。"),
        request=SubmitSerializer,
        responses=DraftDetailSerializer,
        parameters=[IF_MATCH, written_etag(200)],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send the draft to 初审 through ``news.workflow.article_submit``."""
        article = self.get_object()
        check_if_match(request, version_etag(article))
        body = SubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            article = workflow.article_submit(
                article=article,
                by=request.user,
                comment=body.validated_data.get("comment", ""),
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise ValidationError({"status": exc.messages}) from None
        return self.written(article)

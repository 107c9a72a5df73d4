"""REST serializers of the news app: what API clients read and write."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import RejectUnknownFieldsMixin, SafeSlugRelatedField
from api.views import validation_detail

from .accessibility import check_body
from .extensions import figure_marks
from .models import Article, Byline, Channel, Image, Person, Tag


def slug_field(help_text) -> serializers.CharField:
    """A read-only slug. Slugs here may be Chinese; a ``SlugField`` would put the
    ASCII-only pattern ``^[-\\w]+$`` (ECMA regex) in the schema and break it."""
    return serializers.CharField(read_only=True, help_text=help_text)


def url_text_field(**kwargs) -> serializers.CharField:
    """A URL that may be empty: ``format: uri`` would forbid the empty string."""
    return serializers.CharField(max_length=200, allow_blank=True, **kwargs)


def absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


def page_url(request, obj) -> str:
    """The absolute address of ``obj``'s Chinese page, in either language of the
    API: a page's address is its identity (``/news/<id>/``), not a label, and
    ``reverse`` in English would give the ``/en/`` one."""
    with translation.override(settings.LANGUAGE_CODE):
        return absolute(request, obj.get_absolute_url())


class ChannelSerializer(serializers.ModelSerializer):
    slug = slug_field(_("出现在栏目网址中的名称。"))
    url = serializers.SerializerMethodField(help_text=_("栏目页面的网址。"))

    class Meta:
        model = Channel
        fields = ("id", "name", "slug", "description", "order", "url")
        extra_kwargs = {
            "id": {"help_text": _("栏目编号。")},
            "name": {"help_text": _("栏目名称。")},
            "description": {"help_text": _("栏目说明。")},
        }

    def get_url(self, obj: Channel) -> str:
        return page_url(self.context.get("request"), obj)


class ChannelRefSerializer(serializers.ModelSerializer):
    slug = slug_field(_("出现在栏目网址中的名称。"))

    class Meta:
        model = Channel
        fields = ("id", "name", "slug")
        extra_kwargs = {
            "id": {"help_text": _("栏目编号。")},
            "name": {"help_text": _("栏目名称。")},
        }


class TagSerializer(serializers.ModelSerializer):
    slug = slug_field(_("出现在标签网址中的名称。"))
    url = serializers.SerializerMethodField(help_text=_("标签页面的网址。"))

    class Meta:
        model = Tag
        fields = ("id", "name", "slug", "url")
        extra_kwargs = {
            "id": {"help_text": _("标签编号。")},
            "name": {"help_text": _("标签名称。")},
            "slug": {"help_text": _("出现在标签网址中的名称。")},
        }

    def get_url(self, obj: Tag) -> str:
        return page_url(self.context.get("request"), obj)


class PersonSerializer(serializers.ModelSerializer):
    slug = slug_field(_("出现在人员网址中的名称。"))
    url = serializers.SerializerMethodField(help_text=_("此人署名文章列表页的网址。"))

    class Meta:
        model = Person
        fields = ("id", "name", "slug", "note", "url")
        extra_kwargs = {
            "id": {"help_text": _("人员编号。")},
            "name": {"help_text": _("姓名。")},
            "slug": {"help_text": _("出现在人员网址中的名称。")},
        }

    def get_url(self, obj: Person) -> str:
        return page_url(self.context.get("request"), obj)


class BylineSerializer(serializers.ModelSerializer):
    person = serializers.SerializerMethodField(help_text=_("署名的人。"))
    label = serializers.CharField(
        read_only=True, help_text=_("印在姓名前的完整署名，例如“YMG全媒体记者”。")
    )

    class Meta:
        model = Byline
        fields = ("person", "role", "prefix", "label", "order")
        extra_kwargs = {
            "role": {"help_text": _("角色：记者、通讯员、摄影等。")},
            "order": {"help_text": _("印刷顺序，从 0 开始。")},
        }

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer", "description": _("人员编号。")},
                "name": {"type": "string", "description": _("姓名。")},
                "slug": {"type": "string", "description": _("人员网址名。")},
            },
            "required": ["id", "name", "slug"],
        }
    )
    def get_person(self, obj: Byline) -> dict:
        person = obj.person
        return {"id": person.pk, "name": person.name, "slug": person.slug}


RENDITION_SCHEMA = {
    "type": "object",
    "properties": {
        "width": {"type": "integer", "description": _("宽度（像素）。")},
        "height": {"type": "integer", "description": _("高度（像素）。")},
        "format": {"type": "string", "description": _("格式：webp、jpeg 或 png。")},
        "url": {"type": "string", "description": _("缩略图网址。")},
    },
}


class CoverSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("原图网址。"))
    renditions = serializers.SerializerMethodField(
        help_text=_("不同宽度的缩略图（WebP 及 JPEG/PNG 备用）。")
    )

    class Meta:
        model = Image
        fields = (
            "title",
            "alt_text",
            "is_decorative",
            "caption",
            "credit",
            "width",
            "height",
            "url",
            "renditions",
        )
        extra_kwargs = {
            "title": {"help_text": _("图片标题。")},
            "is_decorative": {"help_text": _("纯装饰图片（无替代文字）。")},
            "alt_text": {"help_text": _("替代文字，供看不见图片的读者使用。")},
            "credit": {"help_text": _("供图或摄影者。")},
            "caption": {"help_text": _("图片说明。")},
            "width": {"help_text": _("原图宽度（像素）。")},
            "height": {"help_text": _("原图高度（像素）。")},
        }

    def get_url(self, obj: Image) -> str:
        return absolute(self.context.get("request"), obj.file.url) if obj.file else ""

    @extend_schema_field({"type": "array", "items": RENDITION_SCHEMA})
    def get_renditions(self, obj: Image) -> list[dict]:
        request = self.context.get("request")
        return [
            {
                "width": r.get("width"),
                "height": r.get("height"),
                "format": r.get("format"),
                "url": absolute(request, default_storage.url(r["name"])),
            }
            for r in obj.renditions or []
            if isinstance(r, dict) and r.get("name")
        ]


class ArticleSerializer(serializers.ModelSerializer):
    """A published article as the public reads it."""

    api_description = _("一篇已发布的文章，即读者看到的样子。")

    channel = ChannelRefSerializer(read_only=True, help_text=_("所属栏目。"))
    tags = serializers.SerializerMethodField(help_text=_("标签。"))
    bylines = BylineSerializer(
        many=True, read_only=True, help_text=_("署名，按印刷顺序。")
    )
    cover = CoverSerializer(read_only=True, allow_null=True, help_text=_("封面图。"))
    source_url = url_text_field(read_only=True, help_text=_("转载稿件的原文网址。"))
    url = serializers.SerializerMethodField(help_text=_("文章页面的网址。"))
    figures = serializers.SerializerMethodField(
        help_text=_("文中经核实的数据：原句、数字和它所属的指标。")
    )

    class Meta:
        model = Article
        fields = (
            "id",
            "url",
            "kicker",
            "title",
            "subtitle",
            "summary",
            "body",
            "body_text",
            "source",
            "source_url",
            "channel",
            "tags",
            "bylines",
            "cover",
            "figures",
            "published_at",
            "updated_at",
        )
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": _("文章编号，文章网址以它为准。")},
            "title": {"help_text": _("标题。")},
            "body": {"help_text": _("正文 HTML（已按白名单清理）。")},
            "body_text": {"help_text": _("正文纯文本。")},
            "published_at": {"help_text": _("发布时间（带时区）。")},
            "updated_at": {"help_text": _("最后修改时间（带时区）。")},
        }

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": _("标签名称。")},
                    "slug": {"type": "string", "description": _("标签网址名。")},
                },
                "required": ["name", "slug"],
            },
        }
    )
    def get_tags(self, obj: Article) -> list[dict]:
        return [{"name": t.name, "slug": t.slug} for t in obj.tags.all()]

    def get_url(self, obj: Article) -> str:
        return page_url(self.context.get("request"), obj)

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "quote": {"type": "string", "description": _("数字所在的原句。")},
                    "text": {
                        "type": "string",
                        "description": _("原文写法，例如“六百余项”。"),
                    },
                    "value": {
                        "type": "string",
                        "format": "decimal",
                        "description": _("数值。"),
                    },
                    "indicator": {"type": "string", "description": _("指标名称。")},
                    "indicator_code": {
                        "type": "string",
                        "description": _(
                            "指标代码，可用于 /api/v1/observations/?indicator=。"
                        ),
                    },
                    "region": {"type": "string", "description": _("地区名称。")},
                    "url": {
                        "type": "string",
                        "format": "uri",
                        "description": _("指标页面的网址。"),
                    },
                },
                "required": [
                    "quote",
                    "text",
                    "value",
                    "indicator",
                    "indicator_code",
                    "region",
                    "url",
                ],
            },
        }
    )
    def get_figures(self, obj: Article) -> list[dict]:
        """The confirmed figures of public indicators, in text order (the marks the
        article page links; stored with the article, read with it: no query)."""
        request = self.context.get("request")
        return [
            {
                "quote": mark["quote"],
                "text": mark["number"],
                "value": mark["value"],
                "indicator": mark["indicator"],
                "indicator_code": mark["indicator_code"],
                "region": mark["region"],
                "url": absolute(request, mark["url"]),
            }
            for mark in figure_marks(obj)
        ]


class DraftSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """An article draft as editors write it through the API.

    ``status`` is read-only: the state only changes through the workflow actions
    (``submit``), which apply the same rules as the admin — an 编辑 cannot publish.
    """

    api_description = _(
        "编辑通过接口读写的稿件。status 只读：状态只能通过送审等流程操作改变。"
    )

    channel = SafeSlugRelatedField(
        slug_field="slug",
        queryset=Channel.objects.all(),
        help_text=_("栏目网址名，例如“质量强市”。"),
    )
    tags = SafeSlugRelatedField(
        slug_field="slug",
        queryset=Tag.objects.all(),
        many=True,
        required=False,
        help_text=_("标签网址名的列表。"),
    )
    status = serializers.CharField(
        source="editorial_status",
        read_only=True,
        help_text=_(
            "流程状态（已发布文章有修改稿时为修改稿的状态）；只能通过送审等操作改变。"
        ),
    )
    live_status = serializers.CharField(
        source="status",
        read_only=True,
        help_text=_(
            "线上版本的状态：published 表示读者正看到线上版本，修改只进入草稿，"
            "终审发布后才替换线上版本。"
        ),
    )
    go_live_at = serializers.DateTimeField(
        source="draft_go_live_at",
        read_only=True,
        allow_null=True,
        help_text=_(
            "终审已批准修改稿定时替换线上版本的时间（带时区）；null 表示没有定时。"
            "定时期间修改稿不能修改，须先在后台取消定时。"
        ),
    )
    source_url = url_text_field(
        required=False,
        validators=[URLValidator()],
        help_text=_("转载其他媒体的稿件时填写原文网址。"),
    )

    class Meta:
        model = Article
        fields = (
            "id",
            "kicker",
            "title",
            "subtitle",
            "summary",
            "body",
            "source",
            "source_url",
            "channel",
            "tags",
            "published_at",
            "expires_at",
            "status",
            "live_status",
            "go_live_at",
            "version",
            "updated_at",
        )
        read_only_fields = (
            "id",
            "status",
            "live_status",
            "go_live_at",
            "version",
            "updated_at",
        )
        extra_kwargs = {
            "id": {"help_text": _("文章编号。")},
            "title": {"help_text": _("标题。")},
            "body": {"help_text": _("正文 HTML；保存时按白名单清理。")},
            "published_at": {
                "help_text": _("发布时间（带时区）；留空则在终审发布时取当时的时间。")
            },
            "expires_at": {"help_text": _("下线时间（带时区）；留空则一直显示。")},
            "version": {"help_text": _("版本号，每次修改加一。")},
            "updated_at": {"help_text": _("最后修改时间。")},
        }

    def validate(self, attrs):
        # The same one-row validation as the admin (model clean + constraints).
        instance = self.instance or Article()
        tags = attrs.pop("tags", None)
        for name, value in attrs.items():
            setattr(instance, name, value)
        try:
            instance.full_clean(exclude=["import_key", "version"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(validation_detail(exc)) from None
        if tags is not None:
            attrs["tags"] = tags
        return attrs


ACCESSIBILITY_SCHEMA = {
    "type": "object",
    "properties": {
        "rule": {
            "type": "string",
            "description": _(
                "规则代码：image-alt、image-alt-filename、heading-order、"
                "heading-empty、heading-duplicate、link-vague、link-url、"
                "link-empty、table-header 或 bold-paragraph。"
            ),
        },
        "message": {"type": "string", "description": _("问题与修改建议。")},
        "where": {
            "type": "string",
            "description": _("位置：标题、图片、链接、表格或段落的文字。"),
        },
    },
}


class DraftDetailSerializer(DraftSerializer):
    """One draft, with its 无障碍检查 findings (``news.accessibility``): for staff
    only, and not in the list (a check per listed draft is work nobody asked for)."""

    accessibility = serializers.SerializerMethodField(
        help_text=_("正文的无障碍检查结果（不影响保存和发布），按正文顺序排列。")
    )

    class Meta(DraftSerializer.Meta):
        fields = (*DraftSerializer.Meta.fields, "accessibility")
        read_only_fields = (*DraftSerializer.Meta.read_only_fields, "accessibility")

    @extend_schema_field({"type": "array", "items": ACCESSIBILITY_SCHEMA})
    def get_accessibility(self, obj: Article) -> list[dict]:
        return [
            {"rule": f.rule, "message": f.message, "where": f.where}
            for f in check_body(obj.body)
        ]

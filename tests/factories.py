"""factory_boy factories for the test suite."""

import io
from datetime import timedelta
from pathlib import Path

import factory
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage

from news.models import Article, Byline, Channel, Person, Tag


def png_file(name: str = "test.png", size: tuple[int, int] = (64, 48), fmt="PNG"):
    """A real image file made with Pillow."""
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return SimpleUploadedFile(
        name, buffer.getvalue(), content_type=f"image/{fmt.lower()}"
    )


# Every test user's password.
PASSWORD = "pw-for-tests-only"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"栏目{n}")
    slug = factory.LazyAttribute(lambda o: o.name)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"标签{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"记者{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"烟台市质量提升工作第{n}篇报道")
    summary = "烟台市持续推进质量强市建设。"
    body = "<h2>小标题</h2><p>烟台市共参与制修订604项国家标准。</p>"
    channel = factory.SubFactory(ChannelFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))


class BylineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Byline

    article = factory.SubFactory(ArticleFactory)
    person = factory.SubFactory(PersonFactory)
    role = Byline.Role.REPORTER


def delete_articles(articles) -> int:
    """Delete ``articles`` (objects or a QuerySet) the one sanctioned way: with
    ``news.services.articles_delete`` by a superuser, audited, the last published
    content kept. A plain ``delete()`` of an article that was ever published is
    refused (``news.services.article_delete_guard``), in tests as anywhere."""
    from news.services import articles_delete

    root = UserFactory(username="article-deleter", is_staff=True, is_superuser=True)
    return articles_delete(articles=articles, by=root)


def ensure_editorial_groups():
    """The 编辑 / 审核 / 终审发布 groups, made by a data migration: a
    ``TransactionTestCase`` (live-server tests too) flushes them between tests."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name="编辑").exists():
        migration = importlib.import_module(
            "news.migrations.0004_editorial_groups_and_words"
        )
        migration.forwards(apps, None)


def staff_in_group(username: str, group: str | None):
    """A staff user in one of the editorial groups (编辑 / 审核 / 终审发布)."""
    from django.contrib.auth.models import Group

    user = UserFactory(username=username, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


# The parser's sample pages (several outlets' layouts, bylines), as real input.
SAMPLE_PAGES = sorted(
    (Path(__file__).resolve().parent / "news" / "pages").glob("*.txt")
)


def published_sample_pages(pages: list[Path] = SAMPLE_PAGES) -> None:
    """The sample pages (or ``pages``) imported and published by the account
    "publisher"."""
    from django.core.management import call_command

    UserFactory(username="publisher", is_superuser=True)
    call_command(
        "import_article",
        "--publish",
        "--as",
        "publisher",
        *map(str, pages),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


class Terminal(io.StringIO):
    """What a command sees as stderr when run in a terminal (its progress bar is
    shown)."""

    def isatty(self) -> bool:
        return True

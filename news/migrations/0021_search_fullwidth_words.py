"""Search: the index rows whose words the full-width fold changes, cut again.

``news.search`` now folds full-width forms (U+FF01–U+FF5E) and the ideographic space
to ASCII before it cuts words (``search.fold``), so that "GB/T 32150" finds an
article with "ＧＢ／Ｔ ３２１５０" and the other way round. Rows written before hold
the old words: one word a full-width letter (ＧＢ → ｇ ｂ), and a tag's or byline
name's whole word as typed (ｃｎａｓ２０２４). The published articles whose words
change are cut again, and only those: articles whose texts hold a full-width
letter, "_" or sign the segmenter keeps in a word (＋＃＆－; digits, ％ and ． were
folded before), or with a tag or byline name holding one of those or a full-width
digit. The other full-width forms (，（）：) are punctuation before and after, and are
in nearly every article. Articles without an index row are left to whatever writes
it (``index_article``, ``rebuild_search_index``).

How, and why not another way: the texts, tags, byline names and people's names are
read through this migration's historical models, the words worked out by
``news.search.document_words`` (no database: the words the index is written with
now, which is what it must hold), and each row written by an UPDATE; the triggers of
migrations 0003 (SQLite's FTS5 table) and 0016 (PostgreSQL's ``document``) do the
rest. ``search.index_article`` and ``search.rebuild_index`` are not called: they query
the current ``Article`` and ``Byline`` models, whose fields may be ahead of this
migration's schema when later migrations run in the same ``migrate``.
``rebuild_search_index`` (``call_command``) would be safe by that measure, but writes
every row again (15 s at 20,000 articles on SQLite, docs/benchmarks.md) where a
handful change. On an empty or an unaffected database: two queries, nothing written,
the segmenter not loaded. After the commit the index token is replaced
(``search.index_changed``): the search counts cached and the title-word heads each
process keeps for 相关新闻 (``news.related``) are of the old words.

Going back writes nothing: the folded words find what the old ones did and more.
"""

from django.db import migrations, transaction
from django.db.models import Q

# Full-width characters whose fold changes the words of a text (letters, "_", and
# the signs the segmenter keeps inside a word), or a tag's or name's whole word.
TEXT_FORMS = "[Ａ-Ｚａ-ｚ＿＋＃＆－]"
NAME_FORMS = "[０-９Ａ-Ｚａ-ｚ＿＋＃＆－]"
TEXT_FIELDS = ("title", "kicker", "subtitle", "summary", "body_text")
BATCH_SIZE = 500


def reindex_fullwidth(apps, using: str) -> int:
    """Cut again the index rows of published articles whose words the fold changes
    (database ``using``); return how many. Replaces the index token at commit."""
    Article = apps.get_model("news", "Article")
    ArticleSearch = apps.get_model("news", "ArticleSearch")
    indexed = Article.objects.using(using).filter(
        status="published",
        pk__in=ArticleSearch.objects.using(using).values("article_id"),
    )
    by_text = Q(
        *[(f"{field}__regex", TEXT_FORMS) for field in TEXT_FIELDS], _connector=Q.OR
    )
    by_name = Q(tags__name__regex=NAME_FORMS) | Q(
        bylines__person__name__regex=NAME_FORMS
    )
    ids = set(indexed.filter(by_text).values_list("pk", flat=True))
    ids.update(indexed.filter(by_name).values_list("pk", flat=True))
    if not ids:
        return 0

    from news import search

    Person = apps.get_model("news", "Person")
    for name in Person.objects.using(using).values_list("name", flat=True):
        search.learn_name(name)
    ids = sorted(ids)
    for i in range(0, len(ids), BATCH_SIZE):
        batch = ids[i : i + BATCH_SIZE]
        for pk, texts in _texts(apps, using, batch):
            title, body = search.document_words(**texts)
            ArticleSearch.objects.using(using).filter(article_id=pk).update(
                title=title, body=body
            )
    transaction.on_commit(search.index_changed, using=using)
    return len(ids)


def _texts(apps, using: str, ids: list[int]):
    """(id, ``document_words``' arguments) of articles ``ids``: their tags by name,
    their byline names in byline order, as ``news.search`` gives them."""
    Article = apps.get_model("news", "Article")
    Byline = apps.get_model("news", "Byline")
    tags: dict[int, list[str]] = {pk: [] for pk in ids}
    for pk, name in (
        Article.tags.through.objects.using(using)
        .filter(article_id__in=ids)
        .order_by("tag__name", "tag_id")
        .values_list("article_id", "tag__name")
    ):
        tags[pk].append(name)
    names: dict[int, list[str]] = {pk: [] for pk in ids}
    for pk, name in (
        Byline.objects.using(using)
        .filter(article_id__in=ids)
        .order_by("order", "id")
        .values_list("article_id", "person__name")
    ):
        names[pk].append(name)
    rows = Article.objects.using(using).filter(pk__in=ids).order_by("pk")
    for pk, *values in rows.values_list("pk", *TEXT_FIELDS):
        texts = dict(zip(TEXT_FIELDS, values, strict=True))
        yield pk, {**texts, "tag_names": tags[pk], "names": names[pk]}


def forwards(apps, schema_editor):
    reindex_fullwidth(apps, schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("news", "0020_unused_indexes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

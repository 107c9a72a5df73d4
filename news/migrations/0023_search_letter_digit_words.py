"""Search: the index rows holding a letter beside a digit, cut again.

``news.search.tokens`` now gives a run of letters and digits with its parts before
it (iso9001 → iso 9001 iso9001, GB/T32150's t32150 → t 32150 t32150), and a query
asks for the parts side by side, so that ISO9001 and ISO 9001 find each other.
Rows written before hold the run alone: a query now asks for its parts and would
miss them. The published articles whose texts, tags or byline names hold an ASCII
letter beside a digit (either width: the texts are folded first) are cut again, and
only those, as migration 0021 does (its ``_texts``: the historical models, the
words of ``news.search.document_words``, an UPDATE a row; the triggers of 0003 and
0016 do the rest; the index token replaced at commit). On an empty or an unaffected
database: two queries, nothing written.

Going back writes nothing: the old code's queries still find the rows' whole runs.
"""

import importlib

from django.db import migrations, transaction
from django.db.models import Q

_fullwidth = importlib.import_module("news.migrations.0021_search_fullwidth_words")

LETTER = "[A-Za-zＡ-Ｚａ-ｚ]"
DIGIT = "[0-9０-９]"
FORMS = f"{LETTER}{DIGIT}|{DIGIT}{LETTER}"
TEXT_FIELDS = _fullwidth.TEXT_FIELDS
BATCH_SIZE = 500


def reindex_letter_digit(apps, using: str) -> int:
    """Cut again the index rows of published articles holding a letter beside a
    digit (database ``using``); return how many. Replaces the index token at
    commit."""
    Article = apps.get_model("news", "Article")
    ArticleSearch = apps.get_model("news", "ArticleSearch")
    indexed = Article.objects.using(using).filter(
        status="published",
        pk__in=ArticleSearch.objects.using(using).values("article_id"),
    )
    by_text = Q(*[(f"{field}__regex", FORMS) for field in TEXT_FIELDS], _connector=Q.OR)
    by_name = Q(tags__name__regex=FORMS) | Q(bylines__person__name__regex=FORMS)
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
        for pk, texts in _fullwidth._texts(apps, using, batch):
            title, body = search.document_words(**texts)
            ArticleSearch.objects.using(using).filter(article_id=pk).update(
                title=title, body=body
            )
    transaction.on_commit(search.index_changed, using=using)
    return len(ids)


def forwards(apps, schema_editor):
    reindex_letter_digit(apps, schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("news", "0022_auditlog_snapshot")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

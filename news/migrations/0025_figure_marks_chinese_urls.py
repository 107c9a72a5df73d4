"""Figure marks written in an English request stored the indicator's English
address (``/en/quality/…``): ``quality.figure_links`` built it in the active
language until the marks were made to store the Chinese address, which the article
page turns into the page's language when it renders (``quality_tags``). Each mark
whose ``url`` starts with ``/en/quality/`` gets its Chinese address back, and the
row its digest anew (the page cache's key and the fast path's check read it), as
``news.extensions.marks_digest`` makes it; nothing else changes.

Self-contained: the digest's recipe is copied here, as migrations must not import
code that may change.
"""

import hashlib
import json

from django.db import migrations

ENGLISH = "/en/quality/"


def marks_digest(marks):
    text = json.dumps(marks, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def chinese_addresses(apps, schema_editor):
    ArticleFigures = apps.get_model("news", "ArticleFigures")
    rows = ArticleFigures.objects.using(schema_editor.connection.alias)
    for row in rows.filter(marks__icontains=ENGLISH).iterator():
        changed = False
        for mark in row.marks:
            url = mark.get("url") if isinstance(mark, dict) else None
            if isinstance(url, str) and url.startswith(ENGLISH):
                mark["url"] = url.removeprefix("/en")
                changed = True
        if changed:
            row.digest = marks_digest(row.marks)
            row.save(update_fields=["marks", "digest"])


class Migration(migrations.Migration):
    dependencies = [("news", "0024_alter_article_cover")]

    operations = [migrations.RunPython(chinese_addresses, migrations.RunPython.noop)]

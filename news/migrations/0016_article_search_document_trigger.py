"""PostgreSQL: the search index's ``document`` written by a trigger, or given.

``document`` (migration 0003) was generated from ``title`` and ``body`` by the server:
``to_tsvector``'s parser took 1.1 ms a row, the largest part of the bulk import's
serial path on PostgreSQL at 20,000 articles. It is now an ordinary column that a
``BEFORE INSERT OR UPDATE`` trigger fills with the same expression — on every UPDATE,
and on an INSERT that gives none (every write of the ORM) — so that the bulk import
can give it ready, worked out by its worker processes (``news.search.tsvector_text``,
held to the server's by tests/news/test_search_tsvector.py). The values stay as they
were; the GIN index stays.

A no-op on SQLite, whose FTS5 table is kept by triggers already.
"""

from django.db import migrations

EXPRESSION = (
    "setweight(to_tsvector('simple', {row}.title), 'A')"
    " || setweight(to_tsvector('simple', {row}.body), 'B')"
)

POSTGRESQL = [
    (
        "ALTER TABLE news_article_search ALTER COLUMN document DROP EXPRESSION",
        "ALTER TABLE news_article_search DROP COLUMN document;"
        " ALTER TABLE news_article_search ADD COLUMN document tsvector"
        f" GENERATED ALWAYS AS ({EXPRESSION.format(row='news_article_search')})"
        " STORED;"
        " CREATE INDEX news_article_search_document_gin"
        " ON news_article_search USING gin (document)",
    ),
    (
        "CREATE FUNCTION news_article_search_document() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP = 'UPDATE' OR NEW.document IS NULL THEN"
        f" NEW.document := {EXPRESSION.format(row='NEW')};"
        " END IF; RETURN NEW; END $$",
        "DROP FUNCTION news_article_search_document()",
    ),
    (
        "CREATE TRIGGER news_article_search_document"
        " BEFORE INSERT OR UPDATE ON news_article_search"
        " FOR EACH ROW EXECUTE FUNCTION news_article_search_document()",
        "DROP TRIGGER news_article_search_document ON news_article_search",
    ),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql, _reverse in POSTGRESQL:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for _sql, reverse in reversed(POSTGRESQL):
            schema_editor.execute(reverse)


class Migration(migrations.Migration):
    dependencies = [("news", "0015_article_search_title_document")]

    operations = [migrations.RunPython(forwards, backwards)]

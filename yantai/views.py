"""Site-wide views."""

from uuid import uuid4

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.utils.module_loading import import_string
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from yantai import mailtransport
from yantai.caching import RedisCache


def database_problem() -> str | None:
    """``None`` if the database answers and takes a write, else what is wrong.

    The write is a row in ``django_migrations`` (a table every install has) inside a
    transaction that is rolled back: it fails on a read-only file or server
    (``attempt to write a readonly database``, a standby) and leaves nothing behind.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unreachable"
    try:
        with transaction.atomic(using=connection.alias):
            MigrationRecorder(connection).migration_qs.create(
                app="healthz", name="write probe"
            )
            transaction.set_rollback(True, using=connection.alias)
    except DatabaseError:
        return "read-only"
    return None


def shared_cache_problem() -> str | None:
    """``None`` if the cache every worker shares stores and returns a probe key."""
    key = f"healthz:{uuid4().hex}"
    try:
        shared = caches["shared"]
        shared.set(key, "ok", 30)
        found = shared.get(key)
        shared.delete(key)
    except Exception:  # OSError (file), DatabaseError (table), a cache server's own
        return "unreachable"
    if found == "ok":
        return None
    if isinstance(shared, RedisCache) and shared.breaker.down:
        return "unreachable"
    return "not storing"


def _shared_cache_is_redis() -> bool:
    backend = import_string(settings.CACHES["shared"]["BACKEND"])
    return issubclass(backend, RedisCache)


def _mail_queue_problem() -> str | None:
    try:
        return mailtransport.queue_problem()
    except DatabaseError:  # its table missing: migrate has not run
        return "unreadable"


@never_cache
def healthz(request):
    """200 when the database answers and can be written and the shared cache works;
    503 naming what does not (a load balancer takes the instance out).

    What every app server shares is named but answers 200 (``"status":
    "degraded"``), so that a monitor sees it and a load balancer does not take
    them all out at once: a Redis out of reach (the site serves without it,
    ``yantai.caching.RedisCache``), and a mail queue that does not drain
    (``yantai.mailtransport.queue_problem``: 三审 mail waiting or given up)."""
    database = database_problem()
    problems = {
        name: problem
        for name, problem in (
            ("database", database),
            ("shared_cache", shared_cache_problem()),
            # Read only from a database that answers (else it is the problem).
            ("mail_queue", None if database else _mail_queue_problem()),
        )
        if problem
    }
    shared = {"mail_queue"}
    if problems.get("shared_cache") == "unreachable" and _shared_cache_is_redis():
        shared.add("shared_cache")
    if problems and problems.keys() <= shared:
        return JsonResponse({"status": "degraded", **problems})
    if problems:
        return JsonResponse({"status": "error", **problems}, status=503)
    return JsonResponse({"status": "ok"})


@require_GET
@cache_control(public=True, max_age=24 * 3600)
def favicon(request):
    """``/favicon.ico``, where browsers and crawlers look for it without a link: the
    static file under its current (hashed) name; pages link it from ``base.html``."""
    return HttpResponseRedirect(static("img/favicon.ico"))

"""Settings for 品质烟台.

One module, driven by environment variables. Every value has a local default so that
``./run`` works with nothing set; production changes only the environment (see
``.env.example``).
"""

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import html_tags
from js_asset import static_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


def env_whole(name: str, default: int, unit: tuple[str, str]) -> int:
    """A whole number (0 or more) of ``unit`` (Chinese, English) from the environment."""
    value = os.environ.get(name, "").strip() or str(default)
    if not value.isdigit():
        raise ImproperlyConfigured(
            f"{name} 必须是不小于 0 的整数{unit[0]}，而不是 {value!r}。"
            f" / {name} must be a whole number of {unit[1]} (0 or more), not {value!r}."
        )
    return int(value)


def env_seconds(name: str, default: int) -> int:
    return env_whole(name, default, ("秒数", "seconds"))


DEBUG = env_bool("DJANGO_DEBUG")

# The repository's fallback key is for DEBUG only. With DEBUG off the key must come
# from the environment, or the server refuses to start: ``./run`` makes a random key
# once, keeps it in var/secret_key (mode 600, git-ignored) and exports it.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "未设置 DJANGO_SECRET_KEY：DJANGO_DEBUG=0 时必须在环境变量中提供密钥"
            "（./run 会自动生成并保存在 var/secret_key；生产环境见 .env.example）。"
            " / DJANGO_SECRET_KEY is not set: with DJANGO_DEBUG=0 a secret key must"
            " come from the environment (./run generates one and keeps it in"
            " var/secret_key; for production see .env.example)."
        )
    SECRET_KEY = "django-insecure-local-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Absolute origin used in feeds, sitemaps, canonical links and QR codes when a request
# is not at hand (management commands).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The refresh listener of each nginx host in front (deploy/nginx/yantai.conf, e.g.
# http://10.0.0.11:8081): after a publication, correction or withdrawal the app asks
# each for the pages it made stale, under SITE_URL's host and scheme, and nginx
# replaces its copies at once (news/frontcache.py). Unset: copies last s-maxage.
FRONTEND_CACHE_URLS = env_list("FRONTEND_CACHE_URLS")
# Caches in front that take HTTP PURGE (Varnish with deploy/varnish/yantai.vcl, a CDN
# or proxy that purges a URL so: Fastly, Squid): each gets ``PURGE <path>`` of the
# same pages, after nginx has its fresh copies (a CDN in front of nginx would
# otherwise fetch nginx's old one again). Unset: their copies last s-maxage.
FRONTEND_CACHE_PURGE_URLS = env_list("FRONTEND_CACHE_PURGE_URLS")
# One header sent with every purge, as "Name: value" (a CDN's key, e.g. Fastly-Key).
FRONTEND_CACHE_PURGE_HEADER = os.environ.get("FRONTEND_CACHE_PURGE_HEADER", "").strip()
# A CDN that purges only through its cloud's signed API (news/cdn.py): "aliyun" (阿里云
# CDN) or "tencent" (腾讯云 CDN), called after nginx has its fresh copies. The key from
# the environment, under the names the vendors' own tools read; the endpoint only to
# call another than the public API (a government cloud's own).
FRONTEND_CACHE_CDN = os.environ.get("FRONTEND_CACHE_CDN", "").strip().lower()
FRONTEND_CACHE_CDN_ENDPOINT = os.environ.get("FRONTEND_CACHE_CDN_ENDPOINT", "").strip()
_CDN_KEYS = {
    "aliyun": ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
    "tencent": ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"),
}
if FRONTEND_CACHE_CDN and FRONTEND_CACHE_CDN not in _CDN_KEYS:
    raise ImproperlyConfigured(
        "FRONTEND_CACHE_CDN 只能是 aliyun（阿里云 CDN）或 tencent（腾讯云 CDN），"
        f"而不是 {FRONTEND_CACHE_CDN!r} / FRONTEND_CACHE_CDN must be aliyun (Alibaba"
        f" Cloud CDN) or tencent (Tencent Cloud CDN), not {FRONTEND_CACHE_CDN!r}"
    )
_id_name, _secret_name = _CDN_KEYS.get(FRONTEND_CACHE_CDN, ("", ""))
FRONTEND_CACHE_CDN_KEY_ID = os.environ.get(_id_name, "").strip()
FRONTEND_CACHE_CDN_SECRET = os.environ.get(_secret_name, "").strip()
if FRONTEND_CACHE_CDN and not (FRONTEND_CACHE_CDN_KEY_ID and FRONTEND_CACHE_CDN_SECRET):
    raise ImproperlyConfigured(
        f"FRONTEND_CACHE_CDN={FRONTEND_CACHE_CDN} 需要在环境变量 {_id_name} 和"
        f" {_secret_name} 中给出可以刷新 CDN 的访问密钥 / FRONTEND_CACHE_CDN="
        f"{FRONTEND_CACHE_CDN} needs the key allowed to purge the CDN in {_id_name}"
        f" and {_secret_name}"
    )
for _name, _wanted in (
    ("FRONTEND_CACHE_URLS", FRONTEND_CACHE_URLS),
    ("FRONTEND_CACHE_PURGE_URLS", FRONTEND_CACHE_PURGE_URLS),
    ("FRONTEND_CACHE_CDN", FRONTEND_CACHE_CDN),
):
    if _wanted and not os.environ.get("SITE_URL", "").strip():
        # Refreshed under another host than readers use, the copies would stay.
        raise ImproperlyConfigured(
            f"设置了 {_name} 就必须设置 SITE_URL（读者访问的网址，例如"
            " https://quality.example.gov.cn）：刷新按它的主机名和协议进行。"
            f" / {_name} needs SITE_URL (the address readers use, e.g."
            " https://quality.example.gov.cn): refreshes go by its host and scheme."
        )
for _name, _urls in (
    ("FRONTEND_CACHE_URLS", FRONTEND_CACHE_URLS),
    ("FRONTEND_CACHE_PURGE_URLS", FRONTEND_CACHE_PURGE_URLS),
):
    for _url in _urls:
        if not _url.startswith(("http://", "https://")):
            raise ImproperlyConfigured(
                f"{_name} 的每一项都必须以 http:// 或 https:// 开头，例如"
                f" http://10.0.0.11:8081：{_url!r} / each {_name} entry must"
                f" start with http:// or https://, e.g. http://10.0.0.11:8081: {_url!r}"
            )
if FRONTEND_CACHE_CDN_ENDPOINT and not re.fullmatch(
    r"https?://[^/?#\s]+/?", FRONTEND_CACHE_CDN_ENDPOINT
):
    raise ImproperlyConfigured(
        "FRONTEND_CACHE_CDN_ENDPOINT 应为 http:// 或 https:// 加主机名（可带端口），例如"
        f" https://cdn.example.gov.cn：{FRONTEND_CACHE_CDN_ENDPOINT!r} /"
        " FRONTEND_CACHE_CDN_ENDPOINT must be http:// or https:// and a host (and"
        f" port), e.g. https://cdn.example.gov.cn: {FRONTEND_CACHE_CDN_ENDPOINT!r}"
    )
if FRONTEND_CACHE_PURGE_HEADER and not re.fullmatch(
    r"[A-Za-z0-9-]+:[^\r\n]*\S[^\r\n]*", FRONTEND_CACHE_PURGE_HEADER
):
    raise ImproperlyConfigured(
        "FRONTEND_CACHE_PURGE_HEADER 的格式应为“名称: 值”，例如 Fastly-Key: 密钥"
        ' / FRONTEND_CACHE_PURGE_HEADER must read "Name: value", e.g.'
        " Fastly-Key: <key>"
    )

INSTALLED_APPS = [
    # django.contrib.admin, its modules imported when first needed (yantai.admin_app).
    "yantai.admin_app.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_prose_editor",
    "news",
    "quality",
    "import_export",
    # django-mailer: the mail queue (its models named in Chinese, yantai.mailqueue).
    "yantai.mailqueue.MailerConfig",
    "api",
    # django-axes (login lockout) with Chinese names in the admin (yantai.lockout).
    "yantai.lockout.AxesConfig",
]

MIDDLEWARE = [
    # First, so that it sees every header the others set: keeps the public article
    # pages for the fast path in front of Django (yantai/fastpath.py).
    "yantai.fastpath.FastPathMiddleware",
    # Reads a body Django answered without reading, so that gunicorn closes the
    # connection cleanly and nginx passes on the answer, not a 502.
    "yantai.middleware.DrainRequestBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Cache-Control, ETag and 304 for the public pages (yantai/httpcache.py): above the
    # middlewares that set cookies, so that it sees them.
    "yantai.httpcache.CacheHeadersMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below: django-csp's middleware,
    # the unchanged policy built once) and Permissions-Policy.
    "yantai.security.CSPMiddleware",
    "yantai.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # RateLimit-Policy / RateLimit on the API responses a throttle counted (and on
    # a 503 the middlewares below make of them).
    "api.throttling.RateLimitHeadersMiddleware",
    # The public pages' language comes from the URL only (/en/…), never a header.
    "yantai.httpcache.LocaleMiddleware",
    # 400 for NUL or lone surrogates in the path or query: never part of a query.
    "yantai.middleware.UnstorableTextMiddleware",
    # 503 with a message when SQLite stays locked past its busy timeout (a bulk
    # import holds the one write lock): the request's transaction rolled back.
    "yantai.middleware.DatabaseBusyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # No session cookie: anonymous without loading the session (no Vary: Cookie).
    "yantai.httpcache.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An admin bulk action posted with a value that is no id: the admin's message,
    # not Django's ValueError (a 500).
    "yantai.middleware.AdminActionIdsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yantai.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
            # {% extends %} without walking base.html's whole tree on every render.
            "builtins": ["news.templatetags.fast_extends"],
        },
    },
]

WSGI_APPLICATION = "yantai.wsgi.application"

# Database: the embedded SQLite file unless DATABASE_URL says otherwise (an empty
# DATABASE_URL, as `DATABASE_URL= ./run` leaves it, counts as unset).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL")
        or f"sqlite:///{os.environ.get('SQLITE_PATH', BASE_DIR / 'db.sqlite3')}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers at once (2+ gunicorn workers, a management command, the admin):
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock when the
    # transaction starts, so a writer waits (up to the busy timeout) instead of failing
    # with "database is locked" when it upgrades a read lock mid-transaction.
    # Our subclass of Django's backend keeps the planner's statistics up to date.
    DATABASES["default"]["ENGINE"] = "yantai.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA cache_size=-20000;"
        ),
    }
    # Persistent connections keep the per-connection PRAGMAs and page cache warm.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg prepares a statement of yantai.database.hot_cursor() (the fast path's
    # check, the article page's compiled queries) after this many runs on one
    # connection, so that PostgreSQL stops planning it; Django's own cursors bind on
    # the client and are never prepared. Empty turns it off (a pooler that cannot
    # keep prepared statements: PgBouncer before 1.21 in transaction mode).
    threshold = os.environ.get("PG_PREPARE_THRESHOLD", "2").strip()
    if threshold and not threshold.isdigit():
        raise ImproperlyConfigured(
            f"PG_PREPARE_THRESHOLD 必须是不小于 0 的整数或留空，而不是 {threshold!r}。"
            " / PG_PREPARE_THRESHOLD must be a whole number (0 or more) or empty,"
            f" not {threshold!r}."
        )
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        int(threshold) if threshold else None
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# 三审 separation of duties: the person who submits approves neither 初审 nor 复审,
# and 初审 and 复审 are two different people (news.workflow.duty_conflict).
EDITORIAL_SEPARATION_OF_DUTIES = env_bool("EDITORIAL_SEPARATION_OF_DUTIES", True)
# Mail: the 三审 notifications (news/notify.py), queued in the database by
# django-mailer and sent by its send_mail command (deploy/systemd/yantai-mail.*) to
# a mail server from the environment. None set: printed to the console in DEBUG,
# not sent otherwise.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "").strip()
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS（STARTTLS，通常端口 587）和 EMAIL_USE_SSL（通常端口 465）"
        "只能设置其中一个 / set only one of EMAIL_USE_TLS (STARTTLS, usually port"
        " 587) and EMAIL_USE_SSL (usually port 465)"
    )
_email_port = os.environ.get("EMAIL_PORT", "").strip()
if _email_port and not (_email_port.isdigit() and 0 < int(_email_port) < 65536):
    raise ImproperlyConfigured(
        f"EMAIL_PORT 必须是端口号（1–65535），例如 465 或 587，而不是 {_email_port!r}"
        f" / EMAIL_PORT must be a port number (1-65535), e.g. 465 or 587, not"
        f" {_email_port!r}"
    )
EMAIL_PORT = int(
    _email_port or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
)
# How long send_mail waits for a mail server that does not answer (no editor
# waits: the request only queues the mail).
_email_timeout = os.environ.get("EMAIL_TIMEOUT", "").strip() or "10"
if not (_email_timeout.isdigit() and int(_email_timeout) > 0):
    raise ImproperlyConfigured(
        f"EMAIL_TIMEOUT 必须是正整数秒数，例如 10，而不是 {_email_timeout!r}"
        f" / EMAIL_TIMEOUT must be a whole number of seconds, e.g. 10, not"
        f" {_email_timeout!r}"
    )
EMAIL_TIMEOUT = int(_email_timeout)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or (
    "webmaster@localhost"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every mail is queued (mailer.Message) in the transaction that causes it; send_mail
# hands the queue to MAILER_EMAIL_BACKEND, the real transport.
EMAIL_BACKEND = "mailer.backend.DbBackend"
if EMAIL_HOST:
    MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif DEBUG:
    MAILER_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    # No server: nothing is sent and nothing leaves the queue (yantai.mailtransport).
    MAILER_EMAIL_BACKEND = "yantai.mailtransport.KeepQueuedBackend"
MAILER_ERROR_HANDLER = "yantai.mailtransport.handle_delivery_exception"
# retry_deferred (every 10 minutes) tries a deferred mail this many times, about a
# day; then the mail stays in 待发邮件, and /healthz says "undeliverable".
MAILER_EMAIL_MAX_RETRIES = env_whole("MAILER_EMAIL_MAX_RETRIES", 144, ("次", "tries"))
# /healthz says "delayed" when a mail has waited longer than this.
MAIL_QUEUE_ALERT_MINUTES = env_whole(
    "MAIL_QUEUE_ALERT_MINUTES", 30, ("分钟", "minutes")
)
# send_mail's lock file (two runs at once would send a message twice on SQLite, which
# has no row locks): somewhere the sender may write, not its working directory.
MAILER_LOCK_PATH = os.environ.get("MAILER_LOCK_PATH", "").strip() or str(
    BASE_DIR / "var" / "send_mail"
)
# How long a rendered article page may be served (news.pagecache); 0 turns it off.
ARTICLE_PAGE_CACHE_SECONDS = int(os.environ.get("ARTICLE_PAGE_CACHE_SECONDS", "120"))
# An anonymous reader's cached article page is served again in front of Django's
# request cycle while its live row is unchanged (yantai.fastpath); 0 turns it off.
PAGE_FAST_PATH = env_bool("PAGE_FAST_PATH", True)
# The view beacon (news.views.article_view_beacon): one reader (client address and
# browser) adds one view per article per VIEW_COUNT_PERIOD_SECONDS, and a client may
# send VIEW_BEACON_RATE beacons (429 beyond), so 阅读排行 cannot be pushed.
VIEW_COUNT_PERIOD_SECONDS = int(os.environ.get("VIEW_COUNT_PERIOD_SECONDS", "1800"))
VIEW_BEACON_RATE = os.environ.get("VIEW_BEACON_RATE", "60/min")


# How long a bulk import (import_article, import_observations) waits for another one
# of its kind to commit before it is refused with a message, writing nothing
# (yantai.locks); the admin's 批量导入 waits less, well inside the app server's worker
# timeout (GUNICORN_TIMEOUT, 120 s).
BULK_IMPORT_WAIT_SECONDS = env_seconds("BULK_IMPORT_WAIT_SECONDS", 120)
BULK_IMPORT_ADMIN_WAIT_SECONDS = env_seconds("BULK_IMPORT_ADMIN_WAIT_SECONDS", 10)
# The largest file the admin's 批量导入 of observations takes, in MB (100,000 rows of
# CSV are ~18 MB); a larger one is refused on the form. deploy/nginx lets 110 MB
# through to that page. The import_observations command has no limit (it streams).
BULK_IMPORT_UPLOAD_MAX_MB = env_whole("BULK_IMPORT_UPLOAD_MAX_MB", 100, ("MB", "MB"))


# Cache-Control of the public pages for anonymous readers (yantai.httpcache): how long
# a browser (max-age) and a shared cache such as nginx or a CDN (s-maxage) may serve a
# page without asking, and how long past that a shared cache may serve it while it
# fetches a fresh copy (stale-while-revalidate). Seconds.
HTTP_CACHE_MAX_AGE = env_seconds("HTTP_CACHE_MAX_AGE", 60)
HTTP_CACHE_S_MAXAGE = env_seconds("HTTP_CACHE_S_MAXAGE", 300)
HTTP_CACHE_STALE_WHILE_REVALIDATE = env_seconds(
    "HTTP_CACHE_STALE_WHILE_REVALIDATE", 600
)
# An anonymous 404 of a public URL (a withdrawn article) is storable this long, so
# that a shared cache revalidating its copy of the page replaces it: nginx serves a
# stale copy for all of stale-while-revalidate when the answer cannot be stored.
HTTP_CACHE_NOT_FOUND_SECONDS = env_seconds("HTTP_CACHE_NOT_FOUND_SECONDS", 60)


# Redis (optional): REDIS_URL puts the ``pages``, ``shared`` and ``default`` caches in
# one Redis, so that every worker of every app server sees the same rendered pages,
# lists, notices and throttle counters. Each alias has its own key prefix
# (REDIS_KEY_PREFIX + "." + alias), and ``cache.clear()`` deletes that prefix's keys
# only (yantai.caching.RedisCache), so several sites or test runs may share a server.
# Unset, the caches stay on this host's disk (the embedded default).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "yantai").strip() or "yantai"
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        "REDIS_URL 必须以 redis://、rediss:// 或 unix:// 开头，例如"
        " redis://127.0.0.1:6379/0。 / REDIS_URL must start with redis://, rediss://"
        " or unix://, e.g. redis://127.0.0.1:6379/0."
    )


def _redis_cache(alias: str, timeout: int | None) -> dict:
    return {
        "BACKEND": "yantai.caching.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"{REDIS_KEY_PREFIX}.{alias}",
        "TIMEOUT": timeout,
        # A Redis that does not answer fails the request within a second (and
        # /healthz reports it) rather than holding the worker.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


def _shared_cache(kind: str) -> dict:
    if kind == "redis":
        if not REDIS_URL:
            raise ImproperlyConfigured(
                "SHARED_CACHE=redis 需要设置 REDIS_URL。"
                " / SHARED_CACHE=redis needs REDIS_URL."
            )
        return _redis_cache("shared", 3600)
    if kind == "database":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "yantai_shared_cache",
            "TIMEOUT": 3600,
        }
    if kind == "file":
        return {
            "BACKEND": "yantai.caching.FileBasedCache",
            "LOCATION": os.environ.get(
                "SHARED_CACHE_DIR", str(BASE_DIR / "var" / "shared")
            ),
            "TIMEOUT": 3600,
            # Django lists the directory before writing to decide whether to cull
            # (~1 ms with 500 files, ~7 ms with 1,000); ours does on one write in
            # 100. Culling (a third of the files, at random) forgets some clients'
            # counters, which errs lenient.
            "OPTIONS": {"MAX_ENTRIES": 500},
        }
    raise ImproperlyConfigured(
        f"SHARED_CACHE must be 'file', 'database' or 'redis', not {kind!r}"
    )


CACHES = {
    # ``django.core.cache.cache``: short-lived values (lists, QR codes). Per process
    # on one host; with REDIS_URL in Redis, so that a value deleted when the data
    # changes is gone for every worker of every app server, not only this process.
    "default": _redis_cache("default", 300)
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "yantai",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    # Rendered article pages (news.pagecache): on disk, shared by every worker; with
    # REDIS_URL in Redis, shared by every app server.
    "pages": _redis_cache("pages", ARTICLE_PAGE_CACHE_SECONDS or None)
    if REDIS_URL
    else {
        "BACKEND": "yantai.caching.FileBasedCache",
        "LOCATION": os.environ.get("PAGE_CACHE_DIR", str(BASE_DIR / "var" / "pages")),
        "TIMEOUT": ARTICLE_PAGE_CACHE_SECONDS or None,
        # Pages stored as plain pickles (~22 KB a page against ~8 KB compressed): a
        # fifth less time for each cached hit (yantai.caching.FileBasedCache).
        "OPTIONS": {
            "MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_ENTRIES", "50000")),
            "COMPRESS": False,
        },
    },
    # State every worker process must see alike: who has an article open (正在编辑)
    # and the API's throttle counters. On disk by default, shared by the workers of
    # one host; in Redis when REDIS_URL is set (SHARED_CACHE=redis, the default
    # then); SHARED_CACHE=database keeps it in the database, for several hosts
    # without Redis (its table is made by ``manage.py createcachetable``, which
    # ./run calls).
    "shared": _shared_cache(
        os.environ.get("SHARED_CACHE", "redis" if REDIS_URL else "file")
    ),
    # No cache holds the figure marks of article pages: they must be right, so they
    # live in the database (news.models.ArticleFigures), written with their cause.
}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", True)
# Where uploads (images, generated reports) are kept: MEDIA_ROOT on this host's disk
# (a shared volume with several app servers), or MEDIA_STORAGE=s3 for S3-compatible
# object storage (AWS S3, MinIO, 阿里云 OSS, 腾讯云 COS …) through django-storages,
# every app server writing to the one bucket (docs/deployment.md). The bucket must
# let anyone read its objects: media URLs are plain, not signed, so that cached pages
# keep working links.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "file").strip().lower() or "file"
if MEDIA_STORAGE == "file":
    MEDIA_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    MEDIA_ORIGIN = ""
elif MEDIA_STORAGE == "s3":
    _bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not _bucket:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 需要设置 AWS_STORAGE_BUCKET_NAME（存储桶名称）。"
            " / MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (the bucket's name)."
        )
    _s3 = {
        "bucket_name": _bucket,
        # Under a prefix, so that the bucket may hold other things.
        "location": os.environ.get("AWS_LOCATION", "media").strip("/"),
        "querystring_auth": False,  # plain URLs: cached pages must keep working
        "file_overwrite": False,  # a second upload of a name gets a name of its own
        "default_acl": None,  # the bucket's policy decides who reads
        # Every stored name is new (a random stem per upload), so browsers and CDNs
        # may keep a file as long as nginx lets them keep /media/ (a week).
        "object_parameters": {"CacheControl": "public, max-age=604800"},
    }
    for _option, _variable in (
        (
            "endpoint_url",
            "AWS_S3_ENDPOINT_URL",
        ),  # e.g. https://oss-cn-qingdao.aliyuncs.com
        ("region_name", "AWS_S3_REGION_NAME"),
        (
            "custom_domain",
            "AWS_S3_CUSTOM_DOMAIN",
        ),  # the bucket's CDN, e.g. img.example.cn
        ("addressing_style", "AWS_S3_ADDRESSING_STYLE"),  # path | virtual
        ("url_protocol", "AWS_S3_URL_PROTOCOL"),  # https: (default) | http:
    ):
        if os.environ.get(_variable, "").strip():
            _s3[_option] = os.environ[_variable].strip()
    # The keys: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment,
    # read by boto3 itself (or an instance role).
    MEDIA_BACKEND = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3}
    if "custom_domain" in _s3:
        MEDIA_ORIGIN = f"{_s3.get('url_protocol', 'https:')}//{_s3['custom_domain']}"
    elif "endpoint_url" in _s3:
        _endpoint = urlsplit(_s3["endpoint_url"])
        MEDIA_ORIGIN = f"{_endpoint.scheme}://{_endpoint.netloc}"
        if _s3.get("addressing_style") == "virtual":
            MEDIA_ORIGIN = f"{_endpoint.scheme}://{_bucket}.{_endpoint.netloc}"
    else:
        MEDIA_ORIGIN = "https://*.amazonaws.com"
else:
    raise ImproperlyConfigured(
        f"MEDIA_STORAGE 只能是 file 或 s3，不能是 {MEDIA_STORAGE!r}。"
        f" / MEDIA_STORAGE must be 'file' or 's3', not {MEDIA_STORAGE!r}."
    )

STORAGES = {
    "default": MEDIA_BACKEND,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("DJANGO_MANIFEST_STATIC", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploads above this size are streamed to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Most frames an uploaded GIF/WebP/APNG may have, counted from the file's structure
# before anything is decoded (news.images); pixels over all frames are capped too.
IMAGE_MAX_FRAMES = int(os.environ.get("IMAGE_MAX_FRAMES", "300"))

LOGIN_URL = "admin:login"

# Login lockout (django-axes): every password check goes through AxesStandaloneBackend
# first. Failures are counted per account AND per client address, each on its own
# (["username", "ip_address"]), so one account guessed from many addresses and one
# address trying many accounts are both stopped. A lock lifts AXES_COOLOFF_TIME after
# the last failure, or at once when a superuser deletes the account's or the address's
# rows under 登录保护 → 登录失败记录 in the admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "yantai.lockout.lockout_response"
# yantai.lockout registers the admin pages with Chinese labels instead.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Client address: REMOTE_ADDR, or behind DJANGO_NUM_PROXIES trusted proxies the Nth
# X-Forwarded-For entry from the right, as the API's throttles read it
# (REST_FRAMEWORK["NUM_PROXIES"]). django-ipware counts the proxies before the
# nearest one, hence N - 1; not strict, so a forged X-Forwarded-For prefix sent by
# the client is ignored rather than making every client look like the proxy.
NUM_PROXIES = int(os.environ.get("DJANGO_NUM_PROXIES", "0"))
AXES_IPWARE_PROXY_COUNT = NUM_PROXIES - 1 if NUM_PROXIES else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if NUM_PROXIES else ("REMOTE_ADDR",)
)
IPWARE_STRICT = False

# The body editor's own extension (news/forms.py): translatable labels for the menu
# buttons that django-prose-editor labels in fixed English. It adds no markup.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("js/editor-labels.js")],
        "extensions": {"EditorLabels": html_tags([])},
    }
]

# Security headers; HTTPS-only settings switch on with DJANGO_SECURE=1 (behind TLS).
SECURE = env_bool("DJANGO_SECURE")
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = int(
    os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if SECURE else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", SECURE)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", SECURE)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
# Health probes of the load balancer or monitor may ask over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp) on every response: scripts, styles, images,
# fonts and fetches from this origin only; no inline script or style unless it
# carries the request's nonce (``nonce="{{ request.csp_nonce }}"``; the nonce is
# in the header only on responses that used it). Public pages use none: they are
# cached whole (news.pagecache), and a cached nonce would not match the next
# response's header. DJANGO_CSP_REPORT_URI, if set, receives violation reports.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # Uploaded images from the bucket (or its CDN) when they are kept there.
        "img-src": [SELF, "data:", "blob:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        **({"upgrade-insecure-requests": True} if SECURE else {}),
        **(
            {"report-uri": os.environ["DJANGO_CSP_REPORT_URI"]}
            if os.environ.get("DJANGO_CSP_REPORT_URI")
            else {}
        ),
    },
}

# Permissions-Policy (yantai.security): browser features no page of ours uses.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- REST framework -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    # Unknown or malformed query parameters are a 400 naming the parameter.
    "DEFAULT_FILTER_BACKENDS": ["api.filters.StrictFilterBackend"],
    # No BasicAuthentication: a bogus Basic header would cost a password hash each.
    # The token class comes first so that any other Authorization scheme is refused
    # (401) before anything else runs.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    # JSON bodies with text no column can hold are a 400 before any serializer.
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "api.renderers.CSVRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.StrictContentNegotiation",
    # The browsable API in Chinese: viewset names and descriptions from the viewsets.
    "VIEW_NAME_FUNCTION": "api.views.view_name",
    "VIEW_DESCRIPTION_FUNCTION": "api.views.view_description",
    # A database outage is a JSON 503 with Retry-After, not the HTML 500 page.
    "EXCEPTION_HANDLER": "api.views.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.ApiAnonRateThrottle",
        "api.throttling.ApiUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "300/min"),
        "user": os.environ.get("API_THROTTLE_USER", "1200/min"),
    },
    # Clients are keyed on REMOTE_ADDR, or on the address the nearest of this many
    # trusted proxies saw; never on the whole (client-controlled) X-Forwarded-For.
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    # Lazy, like every text of the schema: Chinese, or English for ?lang=en and
    # Accept-Language: en (yantai.httpcache.LocaleMiddleware).
    "TITLE": _("品质烟台 API"),
    # Conventions every endpoint shares (see README).
    "DESCRIPTION": _(
        "烟台市质量发展新闻与数据的公开接口。\n\n"
        "留空的筛选参数（如 `?status=`）等于不筛选，与 HTML 表单（包括可浏览接口的"
        "筛选表单）提交空字段的习惯一致；未知、重复或格式不对的参数是 400，并指明参数。"
        "分页与排序参数（page、page_size、limit、offset、ordering）不能留空。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.describe_format_parameter",
        "api.schema.describe_responses",
        "api.schema.document_errors",
    ],
    # Separate request components (e.g. DraftRequest): read-only fields are not part of
    # request bodies, so clients and schema-driven test tools send valid writes.
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" or "kind" field; fixed names keep the enum
    # components stable when another serializer uses the same choices.
    "ENUM_NAME_OVERRIDES": {
        "RegistryLevelEnum": "quality.models.registries.Level",
        "HonourStatusEnum": "quality.models.registries.Award.Status",
        "StandardKindEnum": "quality.models.registries.Standard.Kind",
        "StandardStatusEnum": "quality.models.registries.Standard.Status",
        # Observation and ObservationWriteRequest share this "status": without a
        # name of its own it became "StatusAcaEnum" (drf_spectacular.W001).
        "ObservationStatusEnum": "quality.models.data.Observation.Status",
    },
}

# CORS: read-only GETs from any origin for the public API only.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
# Response headers a cross-origin script may read besides the CORS-safelisted ones:
# the rate (api.throttling), the validators for a conditional request
# (api.conditional) and a CSV download's file name (api.renderers).
CORS_EXPOSE_HEADERS = [
    "RateLimit",
    "RateLimit-Policy",
    "Retry-After",
    "ETag",
    "Last-Modified",
    "Content-Disposition",
]

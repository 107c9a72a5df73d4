"""Settings of the Wagtail peer: Wagtail's project template (``wagtail start``) less the
apps an import and a page view do not use (forms, redirects, embeds, documents, images,
snippets; wagtail.users stays, wagtail.admin needs its UserProfile), DEBUG off, and the
database search backend the template configures.

The SQLite file is ``WAGTAIL_PEER_DB``; its PRAGMAs are the ones our own settings use
(WAL, synchronous=NORMAL, a 20 MB page cache), so that both sides write to the same
kind of database. ``WAGTAIL_PEER_DATABASE_URL`` (``postgres://…``) puts it on
PostgreSQL instead.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "wagtail-peer-bench-" + "x" * 40)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "wagtail_peer.peer",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "wagtail_peer.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "wagtail_peer.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("WAGTAIL_PEER_DB", BASE_DIR / "db.sqlite3"),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA cache_size=-20000;"
            ),
        },
    }
}
if os.environ.get("WAGTAIL_PEER_DATABASE_URL"):
    # PostgreSQL instead (bench/wagtail_import.py --database-url): the same server
    # and settings ours uses there, persistent connections included (generous: a
    # Wagtail site left at Django's default reconnects on every request).
    _url = urlsplit(os.environ["WAGTAIL_PEER_DATABASE_URL"])
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _url.path.lstrip("/"),
            "USER": unquote(_url.username or ""),
            "PASSWORD": unquote(_url.password or ""),
            "HOST": _url.hostname or "",
            "PORT": str(_url.port or ""),
            "CONN_MAX_AGE": 60,
        }
    }

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

WAGTAIL_SITE_NAME = "品质烟台 (Wagtail peer)"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1"
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        # Wagtail's documented switch for bulk work (then `manage.py update_index`):
        # bench/wagtail_import.py --index-after turns it off for the import.
        "AUTO_UPDATE": os.environ.get("WAGTAIL_PEER_SEARCH_AUTO_UPDATE", "1") == "1",
    }
}

"""Test settings: the project's settings with fast password hashing and temp media."""

import os
import tempfile

# yantai.settings refuses to start with DEBUG off and no key; the tests bring their own
# (``./run test`` exports var/secret_key's; subprocesses inherit either).
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-" + "not-a-secret-" * 4)
# With REDIS_URL (CI's PostgreSQL pass) the caches are in Redis: under a prefix of this
# run's own (inherited by subprocesses), so that runs sharing a server do not clear
# or read each other's keys.
os.environ.setdefault("REDIS_KEY_PREFIX", f"yantai-test-{os.getpid()}")

from yantai.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="yantai-test-media-")
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = tempfile.mkdtemp(prefix="yantai-test-static-")
# send_mail's lock file: this run's own, whatever the checkout's var/ holds.
MAILER_LOCK_PATH = os.path.join(
    tempfile.mkdtemp(prefix="yantai-test-mail-"), "send_mail"
)
CACHES = {
    **CACHES,  # noqa: F405
    "pages": {
        **CACHES["pages"],  # noqa: F405
        "LOCATION": tempfile.mkdtemp(prefix="yantai-test-pages-"),
    }
    if CACHES["pages"]["BACKEND"].endswith("FileBasedCache")  # noqa: F405
    else CACHES["pages"],  # noqa: F405
    "shared": {
        **CACHES["shared"],  # noqa: F405
        "LOCATION": os.environ.setdefault(
            "SHARED_CACHE_DIR", tempfile.mkdtemp(prefix="yantai-test-shared-")
        ),
    }
    if CACHES["shared"]["BACKEND"].endswith("FileBasedCache")  # noqa: F405
    else CACHES["shared"],  # noqa: F405
}

# Most tests walk one article through 三审 with one reviewer; the separation-of-duties
# rule (on by default in yantai.settings) is switched on by the tests of that rule,
# the permission matrix and the browser walk-through (override_settings).
EDITORIAL_SEPARATION_OF_DUTIES = False

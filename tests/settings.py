"""Test settings: the project's settings with fast password hashing and temp media."""

import tempfile

from yantai.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="yantai-test-media-")
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = tempfile.mkdtemp(prefix="yantai-test-static-")
CACHES = {
    **CACHES,  # noqa: F405
    "figures": {
        **CACHES["figures"],  # noqa: F405
        "LOCATION": tempfile.mkdtemp(prefix="yantai-test-figures-"),
    },
    "pages": {
        **CACHES["pages"],  # noqa: F405
        "LOCATION": tempfile.mkdtemp(prefix="yantai-test-pages-"),
    },
}

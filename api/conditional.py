"""HTTP conditional requests: ETag/Last-Modified with 304 on GET, If-Match on writes.

Reads: every successful GET gets an ``ETag`` (a hash of the body, or the row's version
tag where the view provides one; in English with the language in it, as every
language's body may differ: ``language_etag``) and ``Last-Modified`` where the view sets
``response_last_modified`` (none does today: not exact for the article detail nor a
draft, news/api.py); a matching ``If-None-Match`` / ``If-Modified-Since`` gets 304.
The schema documents the ``ETag`` (``api.schema.AutoSchema``).

A row whose body may change without a write of the row (a draft's 无障碍检查 findings
follow the decorative flags of the library images in it) gets its version tag with a
digest of the body's data in it (``content_etag``), so that a 304 never confirms a
stale body.

Writes: a write to a versioned row must carry ``If-Match`` with the row's current ETag
(missing → 428, stale → 412); only its version part counts, in any language and with
any digest (``check_if_match``). The version is then claimed with a conditional
``UPDATE … SET version = version + 1 WHERE pk = … AND version = N``: of many
concurrent writers holding the same ETag exactly one updates a row, the others get 412.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_etags, quote_etag
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = _("修改前请先读取该条目，并在 If-Match 请求头中带上它的 ETag。")
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("该条目已被他人修改（ETag 已过期），请重新读取后再修改。")
    default_code = "precondition_failed"


def version_etag(obj: models.Model) -> str:
    """The quoted ETag of a versioned row: its version and last-modified time.

    ``updated_at`` is in it too, so a save that does not bump ``version`` (the admin)
    still changes the tag.
    """
    updated = getattr(obj, "updated_at", None)
    stamp = int(updated.timestamp() * 1_000_000) if updated else 0
    return quote_etag(f"{obj.pk}-{obj.version}-{stamp}")


def language_etag(etag: str, language: str | None = None) -> str:
    """``etag`` (quoted) of the body in ``language`` (the active one by default):
    as it is in Chinese, the default; with the language code in it otherwise
    (``"12-3-…-en"``), so that a 304 never confirms one language's body to a
    client of the other."""
    language = language or translation.get_language()
    if not language or language == settings.LANGUAGE_CODE:
        return etag
    return f"{etag[:-1]}-{language}{etag[-1]}"


# The digest ``content_etag`` puts in a version tag: "-c" and hex digits.
CONTENT_DIGEST_CHARS = 16
_CONTENT_DIGEST = re.compile(rf"-c[0-9a-f]{{{CONTENT_DIGEST_CHARS}}}$")


def content_etag(etag: str, data) -> str:
    """``etag`` (a row's version tag, quoted) with a digest of ``data`` (what the
    response's body is rendered from) in it: ``"12-3-…-c0123456789abcdef"``.

    For a row whose body changes without a write of the row, so without a new
    version: the tag changes with the body, and ``check_if_match`` still compares
    the version part only.
    """
    encoded = json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()
    digest = hashlib.sha256(encoded).hexdigest()[:CONTENT_DIGEST_CHARS]
    return f"{etag[:-1]}-c{digest}{etag[-1]}"


def _version_part(etag: str) -> str:
    """The version tag in ``etag`` (quoted, as a client sent it): without the
    language ``language_etag`` put in it nor the digest of ``content_etag``."""
    inner = etag[1:-1]
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE and inner.endswith(f"-{code}"):
            inner = inner[: -len(code) - 1]
            break
    return f'"{_CONTENT_DIGEST.sub("", inner)}"'


def check_if_match(request, current_etag: str) -> None:
    """Raise 428 without ``If-Match``, 412 when it does not name ``current_etag``,
    the row's version tag (in any language: ``language_etag``, and with any digest
    of its body: ``content_etag``; the version is the same)."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    etags = parse_etags(header)
    if "*" in etags:
        return
    # Weak comparison is not allowed for If-Match (RFC 9110 13.1.1): a weak tag
    # (W/"…") names no version.
    versions = {_version_part(tag) for tag in etags if tag.startswith('"')}
    if current_etag not in versions:
        raise PreconditionFailed()


def version_claim(*, model: type[models.Model], pk, version: int) -> int:
    """Bump the row's version from ``version``; raise 412 if someone else did first.

    Call inside ``transaction.atomic()`` before saving the row's other changes, so the
    claim and the changes commit or roll back together.
    """
    updated = model._default_manager.filter(pk=pk, version=version).update(
        version=models.F("version") + 1
    )
    if updated != 1:
        raise PreconditionFailed()
    return version + 1


class ConditionalGetMixin:
    """ETag on every 200 GET of a viewset; 304 when the client already has it.

    A view's handler may set ``self.response_etag`` / ``self.response_last_modified``
    (a single row's); otherwise the ETag is a hash of the rendered body.
    """

    # Cache-Control of every response of the view (None: none set here).
    cache_control: str | None = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.cache_control is not None:
            response["Cache-Control"] = self.cache_control
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        etag = getattr(self, "response_etag", None)
        last_modified: datetime | None = getattr(self, "response_last_modified", None)
        if etag is None:
            response.render()
            digest = hashlib.sha256(response.content).hexdigest()[:32]
            etag = quote_etag(digest)
        etag = language_etag(etag)
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        conditional = get_conditional_response(
            request._request,
            etag=etag,
            last_modified=int(last_modified.timestamp()) if last_modified else None,
            response=response,
        )
        return conditional

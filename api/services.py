"""Writes of the api app."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .models import ApiToken, token_hash


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it and its secret (shown once, never stored).

    The secret reads ``<prefix>.<random>``: the prefix finds the row, the SHA-256 of
    the whole secret is compared with the stored hash.
    """
    prefix = secrets.token_hex(6)
    secret = f"{prefix}.{secrets.token_urlsafe(32)}"
    token = ApiToken(user=user, name=name, prefix=prefix, key_hash=token_hash(secret))
    token.full_clean()
    token.save()
    return token, secret


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke ``token``: it stops authenticating at once."""
    token.is_revoked = True
    token.save(update_fields=["is_revoked"])
    return token

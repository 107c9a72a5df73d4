"""Helpers shared by the API tests."""

from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.test import APITestCase

from api.services import api_token_create
from tests.factories import UserFactory


def user_with_perms(username: str, *perms: str):
    """A user holding ``perms`` ("app_label.codename")."""
    user = UserFactory(username=username)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def token_for(user, name: str = "测试") -> str:
    """The secret of a new API token of ``user``."""
    return api_token_create(user=user, name=name)[1]


class ApiTestCase(APITestCase):
    """API tests start with empty throttle counters and caches."""

    def setUp(self):
        super().setUp()
        cache.clear()

    def auth(self, secret: str) -> None:
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

"""A method an endpoint does not have is 405 with ``Allow``, for every client.

The permission check ran first: a token without the delete permission got 403
"您没有执行该操作的权限。" for ``DELETE /api/v1/honours/1/`` — as if a permission
would help — an anonymous client 401, and only a superuser learnt that nobody can
delete through the API (405)."""

from tests.api import ApiTestCase, token_for, user_with_perms
from tests.factories import ArticleFactory, UserFactory
from tests.quality.factories import AwardFactory, ObservationFactory


class MethodNotAllowedTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.award = AwardFactory()
        cls.observation = ObservationFactory()
        cls.article = ArticleFactory()
        cls.staff = user_with_perms(
            "staff", "quality.add_award", "quality.add_observation"
        )
        cls.admin = UserFactory(username="admin", is_superuser=True, is_staff=True)

    def calls(self):
        return (
            ("delete", f"/api/v1/honours/{self.award.pk}/", "GET"),
            ("put", f"/api/v1/observations/{self.observation.pk}/", "GET"),
            ("patch", f"/api/v1/observations/{self.observation.pk}/", "GET"),
            ("delete", f"/api/v1/articles/{self.article.pk}/", "GET"),
            ("post", "/api/v1/articles/", "GET"),
            ("delete", "/api/v1/honours/", "POST"),
        )

    def test_405_for_anonymous_staff_and_superuser(self):
        for who, secret in (
            ("anonymous", None),
            ("staff", token_for(self.staff)),
            ("superuser", token_for(self.admin)),
        ):
            if secret:
                self.auth(secret)
            for method, path, allowed in self.calls():
                with self.subTest(who=who, method=method, path=path):
                    response = getattr(self.client, method)(path, {}, format="json")
                    self.assertEqual(response.status_code, 405, response.content)
                    self.assertIn(allowed, response["Allow"])
                    self.assertIn("不被允许", response.json()["detail"])

"""Every error of the API is a JSON body with a Chinese message, whatever went
wrong: an id that does not exist, a body the parser cannot read, a body too big."""

import re

from tests.api import ApiTestCase, token_for, user_with_perms
from tests.factories import ArticleFactory
from tests.quality.factories import ObservationFactory

CHINESE = re.compile(r"[\u4e00-\u9fff]")


class NotFoundTests(ApiTestCase):
    """A detail URL of an id that does not exist: 404 with a Chinese ``detail``
    (Django's "No Observation matches the given query." reached the client)."""

    def test_every_detail_404_is_in_chinese(self):
        ArticleFactory()
        ObservationFactory()
        self.auth(token_for(user_with_perms("editor", "news.view_article")))
        for path in (
            "/api/v1/articles/999/",
            "/api/v1/observations/999/",
            "/api/v1/drafts/999/",
            "/api/v1/standards/999/",
            "/api/v1/regions/999/",
        ):
            with self.subTest(path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 404)
                detail = response.json()["detail"]
                self.assertRegex(detail, CHINESE)
                self.assertNotIn("matches the given query", detail)

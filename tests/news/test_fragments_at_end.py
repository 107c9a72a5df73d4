"""pagecache.fragments_rendered_at_end: in a long run of commits (a bulk import)
every commit is public at once, and the shared fragments are rendered once, at the
end, not after each commit."""

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.test import TransactionTestCase
from django.utils import translation

from news import pagecache
from tests.factories import ArticleFactory


class FragmentsRenderedAtEndTests(TransactionTestCase):
    def setUp(self):
        for alias in ("pages", "shared"):
            caches[alias].clear()
            self.addCleanup(caches[alias].clear)
        self.shared = caches[pagecache.SHARED_ALIAS]

    def token(self) -> str | None:
        return self.shared.get(pagecache.TOKEN_KEY)

    def fragment_tokens(self) -> set:
        """The token each stored fragment was rendered under, in every language."""
        keys = []
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                keys += [pagecache._fragment_key(name) for name in pagecache.FRAGMENTS]
        found = self.shared.get_many(keys)
        return (
            {entry[0] for entry in found.values()} if len(found) == len(keys) else set()
        )

    def publish(self, title: str) -> None:
        with transaction.atomic():
            ArticleFactory(title=title)
            pagecache.public_changed()

    def latest(self) -> str:
        return pagecache.fill(pagecache.marker("latest").encode()).body.decode()

    def test_each_commit_is_public_and_the_fragments_are_rendered_at_the_end(self):
        self.publish("开始前")
        self.assertEqual(self.fragment_tokens(), {self.token()})  # rendered eagerly
        with pagecache.fragments_rendered_at_end():
            before = self.token()
            self.publish("第一批")
            first = self.token()
            self.assertNotEqual(first, before)  # readers see the batch at once
            self.assertNotIn(first, self.fragment_tokens())  # nothing rendered
            self.assertIn("第一批", self.latest())  # a reader renders what it needs
            self.publish("第二批")
            self.assertNotEqual(self.token(), first)
        self.assertEqual(self.fragment_tokens(), {self.token()})  # once, at the end
        self.assertIn("第二批", self.latest())

    def test_a_run_that_changes_nothing_keeps_the_token(self):
        self.publish("开始前")
        before = self.token()
        with pagecache.fragments_rendered_at_end():
            pass
        self.assertEqual(self.token(), before)
        self.assertEqual(self.fragment_tokens(), {before})

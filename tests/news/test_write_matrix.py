"""Permission × state matrix over every write path of an article.

Roles 编辑 / 审核 / 终审发布 / 数据编辑 / superuser, every editorial state (草稿 …
已撤下, live with and without a draft over it, 定时发布) and every way of writing an
article: the admin's change form, its workflow buttons, bulk actions, 恢复版本 and
从网页文本导入, the ``import_article`` command (with and without ``--publish``) and
the API's drafts. For each cell the outcome is derived from the group's
permissions and the state (``may``, the rules of ``news.workflow``), never typed in:

- a refusal is a refusal: 403/400 or an error message, and nothing of the article
  (row, draft, tags, bylines, revisions, timeline, audit log) was written;
- an allowed write is reported as done and wrote something;
- the live version (what readers see: the published row, its tags and bylines and
  whether it is on the site) changes only by publishing or withdrawing, done by a
  holder of ``news.publish_article``; every other path leaves it as it was.

Each state is an article of the seed page brought there with the real services by
real staff of each group (``setUpTestData``); each cell runs in a savepoint that is
rolled back, so every cell starts from the same freshly built article.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.test import Client, TestCase, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from news.admin_workflow import byline_initial
from news.models import Article, AuditLog, Revision
from news.parsing import parse_page_text
from news.revisions import CONTENT_KEYS, working_copy, working_snapshot
from news.services import article_import, article_update, page_import_key
from news.workflow import (
    article_approve,
    article_publish,
    article_submit,
    article_unpublish,
)
from tests.api import token_for
from tests.factories import (
    ArticleFactory,
    ChannelFactory,
    TagFactory,
    UserFactory,
    staff_in_group,
)
from tests.news.test_bulk_publish import confirm_data
from tests.news.test_concurrency import change_form_data

S = Article.Status
REVIEW = (S.REVIEW_1, S.REVIEW_2, S.REVIEW_3)
SEED = (
    Path(settings.BASE_DIR) / "news" / "fixtures" / "pages" / "000_b5b21bbd38acca12.txt"
)
SEED_TEXT = SEED.read_text(encoding="utf-8")
# The same page (same title and time: the same article) with a corrected body.
CHANGED_TEXT = SEED_TEXT.replace("质检中心", "检验检测中心", 1)

# What each role's group is meant to hold (news.* permissions); ``GroupTests``
# checks that the groups made by the migrations hold exactly this.
ROLES: dict[str, frozenset[str]] = {
    "编辑": frozenset({"view", "add", "change", "submit"}),
    "审核": frozenset({"view", "add", "change", "submit", "review"}),
    "终审发布": frozenset(
        {"view", "add", "change", "submit", "review", "publish", "delete"}
    ),
    "数据编辑": frozenset({"view"}),
    "超级用户": frozenset(
        {"view", "add", "change", "submit", "review", "publish", "delete"}
    ),
}
PERMISSIONS = {
    "view": "news.view_article",
    "add": "news.add_article",
    "change": "news.change_article",
    "submit": "news.submit_article",
    "review": "news.review_article",
    "publish": "news.publish_article",
    "delete": "news.delete_article",
}
USERNAMES = {
    "编辑": "editor",
    "审核": "reviewer",
    "终审发布": "publisher",
    "数据编辑": "data",
    "超级用户": "root",
}


@dataclass(frozen=True)
class State:
    name: str
    row: str  # Article.status: the row (the live version when published)
    draft: str | None = None  # Article.draft_status; None: no draft over the row
    future: bool = False  # published_at in the future: 定时发布

    @property
    def work(self) -> str:
        """``Article.editorial_status``."""
        return self.draft or self.row


STATES = (
    State("草稿", S.DRAFT),
    State("待初审", S.REVIEW_1),
    State("待复审", S.REVIEW_2),
    State("待终审", S.REVIEW_3),
    State("已撤下", S.UNPUBLISHED),
    State("线上", S.PUBLISHED),
    State("线上+修改稿草稿", S.PUBLISHED, S.DRAFT),
    State("线上+修改稿待初审", S.PUBLISHED, S.REVIEW_1),
    State("线上+修改稿待复审", S.PUBLISHED, S.REVIEW_2),
    State("线上+修改稿待终审", S.PUBLISHED, S.REVIEW_3),
    State("定时发布", S.PUBLISHED, future=True),
    # Withdrawing keeps the draft over the article.
    State("已撤下+修改稿草稿", S.UNPUBLISHED, S.DRAFT),
    State("已撤下+修改稿待终审", S.UNPUBLISHED, S.REVIEW_3),
)


def may_edit(perms: frozenset[str], state: State) -> bool:
    """``news.workflow.can_edit``: work under review is for its reviewers and 终审."""
    if "change" not in perms:
        return False
    return "publish" in perms or state.work not in REVIEW or "review" in perms


def may(action: str, perms: frozenset[str], state: State) -> bool:
    """Whether a holder of ``perms`` may do ``action`` to an article in ``state``."""
    work = state.work
    if action in ("edit", "import"):
        return may_edit(perms, state)
    if action == "import-form":  # the admin's import page needs add and change
        return "add" in perms and may_edit(perms, state)
    if action == "import-publish":
        return "publish" in perms and may_edit(perms, state)
    if action == "submit":
        return work in (S.DRAFT, S.UNPUBLISHED) and "submit" in perms
    if action == "approve":
        return work in (S.REVIEW_1, S.REVIEW_2) and "review" in perms
    if action == "reject":
        return (work in (S.REVIEW_1, S.REVIEW_2) and "review" in perms) or (
            work == S.REVIEW_3 and "publish" in perms
        )
    if action == "publish":
        return work in (S.REVIEW_3, S.UNPUBLISHED) and "publish" in perms
    if action == "unpublish":
        return state.row == S.PUBLISHED and "publish" in perms
    if action == "discard":
        return state.draft is not None and (
            "publish" in perms or (state.draft == S.DRAFT and "change" in perms)
        )
    raise ValueError(action)


LIVE_ACTIONS = ("publish", "unpublish", "import-publish")


@dataclass(frozen=True)
class WritePath:
    name: str
    family: str  # one test method per family of paths
    action: str  # what ``may`` is asked
    via: str  # the ``WriteMatrixTests`` method that takes it: (role, pk, *args) → done?
    args: tuple = ()

    @property
    def live(self) -> bool:
        """Whether the path is meant to change what readers see."""
        return self.action in LIVE_ACTIONS


TRANSITIONS = ("submit", "approve", "reject", "publish", "unpublish", "discard")
BULK_ACTIONS = {
    "submit_selected": "submit",
    "approve_selected": "approve",
    "publish_selected": "publish",
    "unpublish_selected": "unpublish",
    "move_to_channel": "edit",
}
PATHS = (
    WritePath("后台修改表单", "change-form", "edit", "via_change_form"),
    *(
        WritePath(f"按钮 {a}", "transition", a, "via_transition", (a,))
        for a in TRANSITIONS
    ),
    *(
        WritePath(f"批量 {name}", "bulk", a, "via_bulk", (name,))
        for name, a in BULK_ACTIONS.items()
    ),
    WritePath("恢复历史版本", "restore", "edit", "via_restore"),
    WritePath("后台网页文本导入", "import-form", "import-form", "via_import_form"),
    WritePath("import_article", "command", "import", "via_command"),
    WritePath(
        "import_article --publish",
        "command",
        "import-publish",
        "via_command",
        ("--publish",),
    ),
    WritePath("接口 PATCH", "api", "edit", "via_api_patch"),
    WritePath("接口送审", "api", "submit", "via_api_submit"),
)


@contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint that is always rolled back: what happens inside is undone."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def work_of(pk: int) -> dict:
    """The editors' working copy of the article: its draft, else its row."""
    return working_snapshot(Article.objects.select_related("draft_revision").get(pk=pk))


def changed_keys(old: dict, new: dict) -> set[str]:
    return {key for key in CONTENT_KEYS if old.get(key) != new.get(key)}


# What readers see of a published row (with its tags, bylines and visibility).
LIVE_FIELDS = (
    "kicker",
    "title",
    "subtitle",
    "slug",
    "summary",
    "body",
    "source",
    "source_url",
    "channel_id",
    "cover_id",
    "published_at",
    "revised_at",
    "expires_at",
    "is_featured",
    "responsible_editor_id",
    "updated_at",
)


def observe(pk: int) -> tuple[tuple, tuple]:
    """(everything a write could touch, what readers see) of the article.

    The first holds the row with its workflow fields, the draft (its revision),
    tags and bylines, and how many revisions, timeline events and audit entries
    there are; the second the live version: nothing unless the row is published.
    """
    row = Article.objects.annotate(
        n_revisions=Count("revisions", distinct=True),
        n_events=Count("events", distinct=True),
    ).get(pk=pk)
    tags = tuple(row.tags.order_by("name").values_list("name", flat=True))
    bylines = tuple(row.bylines.values_list("person_id", "role", "prefix", "order"))
    on_site = Article.objects.published().filter(pk=pk).exists()
    everything = (
        row.version,
        row.status,
        row.draft_status,
        row.draft_revision_id,
        row.live_revision_id,
        *(getattr(row, name) for name in LIVE_FIELDS),
        tags,
        bylines,
        row.n_revisions,
        row.n_events,
        AuditLog.objects.filter(object_id=str(pk)).count(),
    )
    if row.status != S.PUBLISHED:
        return everything, ("不在网站上", on_site)
    live = (
        row.is_published,
        on_site,
        *(getattr(row, name) for name in LIVE_FIELDS),
        tags,
        bylines,
    )
    return everything, live


def fingerprint(pk: int) -> tuple:
    return observe(pk)[0]


def live_fingerprint(pk: int) -> tuple:
    return observe(pk)[1]


@override_settings(EDITORIAL_SEPARATION_OF_DUTIES=True)
class WriteMatrixTests(TestCase):
    """Every (role, state, write path): allowed exactly as the rules say, and only
    publishing and withdrawing change what readers see."""

    @classmethod
    def setUpClass(cls):
        # Before setUpTestData (called by TestCase.setUpClass) builds the states.
        folder = Path(cls.enterClassContext(tempfile.TemporaryDirectory()))
        cls.page_file = folder / "page.txt"
        cls.page_file.write_text(CHANGED_TEXT, encoding="utf-8")
        cls.page = parse_page_text(SEED_TEXT)
        assert parse_page_text(CHANGED_TEXT).title == cls.page.title
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量强市", slug="质量强市")
        cls.other_channel = ChannelFactory(name="品牌建设", slug="品牌建设")
        cls.tag = TagFactory(name="标准化")
        cls.users = {
            role: UserFactory(username="root", is_staff=True, is_superuser=True)
            if role == "超级用户"
            else staff_in_group(USERNAMES[role], role)
            for role in ROLES
        }
        cls.tokens = {role: token_for(user) for role, user in cls.users.items()}
        # The staff who bring each article into its state (never a role under test,
        # so that separation of duties never stands in a tested role's way).
        cls.author = staff_in_group("author", "编辑")
        cls.first_reviewer = staff_in_group("first-reviewer", "审核")
        cls.second_reviewer = staff_in_group("second-reviewer", "审核")
        cls.chief = staff_in_group("chief", "终审发布")
        cls.import_key = page_import_key(cls.page)
        cls.articles = {state: cls.build(state) for state in STATES}

    def setUp(self):
        self.form_data = {}  # per state: the change form as shown
        self.report = None  # the messages of the last admin POST
        self.clients, self.api = {}, {}
        for role, user in self.users.items():
            self.clients[role] = Client()
            self.clients[role].force_login(user)
            self.api[role] = APIClient()
            self.api[role].credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[role]}")

    # --- states ---------------------------------------------------------------------

    @classmethod
    def review(cls, article: Article, until: str) -> None:
        """Walk the editors' work from 草稿 to ``until``, each step by its own person."""
        steps = (
            lambda: article_submit(article=article, by=cls.author),
            lambda: article_approve(article=article, by=cls.first_reviewer),
            lambda: article_approve(article=article, by=cls.second_reviewer),
        )
        for step in steps[: (S.DRAFT, *REVIEW).index(until)]:
            step()

    @classmethod
    def build(cls, state: State) -> int:
        """The seed page imported and brought into ``state`` through the services."""
        article = article_import(page=cls.page, channel=cls.channel).article
        # A second version, so that restoring the first one changes something.
        article_update(article=article, by=cls.author, values={"tags": [cls.tag]})
        cls.review(
            article, state.row if state.row in (S.DRAFT, *REVIEW) else S.REVIEW_3
        )
        if state.row in (S.PUBLISHED, S.UNPUBLISHED):
            # To the second, as the admin's 定时发布 field gives it.
            tomorrow = timezone.now().replace(microsecond=0) + timedelta(days=1)
            at = tomorrow if state.future else None
            article_publish(article=article, by=cls.chief, at=at)
        if state.draft:
            article_update(
                article=article, by=cls.author, values={"title": "修改稿的标题"}
            )
            cls.review(article, state.draft)
        if state.row == S.UNPUBLISHED:
            article_unpublish(article=article, by=cls.chief, comment="撤稿")
        # One article per state, all of the same page: the page's key (which makes a
        # re-import update its article) is given to one of them at a time.
        Article.objects.filter(pk=article.pk).update(import_key=None)
        return article.pk

    def test_states_are_what_they_are_named(self):
        """Row state, draft state and visibility of each state's article."""
        for state in STATES:
            article = Article.objects.get(pk=self.articles[state])
            self.assertEqual(
                (article.status, article.draft_status or None, article.is_published),
                (state.row, state.draft, state.row == S.PUBLISHED and not state.future),
                state.name,
            )
        self.assertFalse(Article.objects.filter(import_key=self.import_key).exists())

    # --- write paths: each returns whether it reports the write as done ---------------

    def post(self, role: str, url: str, data: dict | None = None):
        """POST as ``role``, without the unread messages of earlier cells."""
        client = self.clients[role]
        client.cookies.pop("messages", None)
        return client.post(url, data or {})

    def reported(self, response) -> bool:
        """Done (a success message) or refused (an error or warning message)."""
        reported = [(m.level, str(m)) for m in get_messages(response.wsgi_request)]
        self.report = reported
        levels = {level for level, _ in reported}
        if messages.SUCCESS in levels:
            return True
        self.assertTrue(
            {messages.ERROR, messages.WARNING} & levels,
            f"neither done nor refused: {reported}",
        )
        return False

    def via_change_form(self, role: str, pk: int) -> bool:
        url = f"/admin/news/article/{pk}/change/"
        # What the browser of someone who may edit it posts back, bylines included;
        # workflow fields smuggled in are ignored.
        if pk not in self.form_data:  # one GET per state: every cell starts from it
            article = Article.objects.get(pk=pk)
            data = change_form_data(self.clients["超级用户"], article)
            rows = byline_initial(working_copy(article))
            data["bylines-TOTAL_FORMS"] = str(len(rows))
            for i, row in enumerate(rows):
                for name, value in row.items():
                    data[f"bylines-{i}-{name}"] = value
            self.form_data[pk] = data
        data = dict(self.form_data[pk])
        data.update(
            title="后台改的标题", status=S.PUBLISHED, draft_status="", version=99
        )
        before = work_of(pk)
        response = self.clients[role].post(url, data)
        if response.status_code == 403:
            return False
        self.assertEqual(
            response.status_code,
            302,
            response.context and response.context["adminform"].form.errors,
        )
        self.assertEqual(changed_keys(before, work_of(pk)), {"title"})
        return True

    def via_transition(self, role: str, pk: int, action: str) -> bool:
        data = {"action": action}
        if action == "reject":
            data["comment"] = "数据需核实"
        response = self.post(role, f"/admin/news/article/{pk}/transition/", data)
        self.assertEqual(response.status_code, 302)
        return self.reported(response)

    def via_bulk(self, role: str, pk: int, action: str) -> bool:
        response = self.post(
            role,
            "/admin/news/article/",
            {
                "action": action,
                "_selected_action": [pk],
                "index": "0",
                "channel": self.other_channel.pk,
            },
        )
        if response.status_code == 200 and "action_form" not in response.context:
            # 终审发布所选文章's confirmation page (test_bulk_publish.py), confirmed.
            self.assertEqual(action, "publish_selected")
            response = self.post(role, "/admin/news/article/", confirm_data(response))
        if response.status_code == 200:
            # No bulk action at all for this role: the list is shown, nothing done.
            form = response.context["action_form"]
            offered = [c[0] for c in form.fields["action"].choices] if form else []
            self.assertNotIn(action, offered)
            self.assertFalse(list(get_messages(response.wsgi_request)))
            return False
        self.assertEqual(response.status_code, 302)
        return self.reported(response)

    def via_restore(self, role: str, pk: int) -> bool:
        first = Revision.objects.filter(article_id=pk).order_by("id").first()
        response = self.post(
            role, f"/admin/news/article/{pk}/revisions/{first.pk}/restore/"
        )
        self.assertEqual(response.status_code, 302)
        return self.reported(response)

    def as_imported(self, pk: int) -> None:
        """Make ``pk`` the article of the seed page (see ``build``)."""
        Article.objects.filter(pk=pk).update(import_key=self.import_key)

    def via_import_form(self, role: str, pk: int) -> bool:
        self.as_imported(pk)
        response = self.clients[role].post(
            "/admin/news/article/import/",
            {"text": CHANGED_TEXT, "channel": self.channel.pk},
        )
        if response.status_code == 403:
            return False
        if response.status_code == 200:
            self.assertTrue(response.context["form"].non_field_errors())
            return False
        self.assertEqual(response["Location"], f"/admin/news/article/{pk}/change/")
        return True

    def via_command(self, role: str, pk: int, *flags: str) -> bool:
        self.as_imported(pk)
        err = StringIO()
        try:
            call_command(
                "import_article",
                "--as",
                USERNAMES[role],
                "--channel",
                self.channel.slug,
                *flags,
                str(self.page_file),
                stdout=StringIO(),
                stderr=err,
            )
        except CommandError as error:
            # “没有‘终审发布’权限” before reading, or “您不能修改……” for the file.
            self.assertRegex(f"{error} {err.getvalue()}", "权限|不能修改")
            return False
        return True

    def via_api_patch(self, role: str, pk: int) -> bool:
        client, url = self.api[role], f"/api/v1/drafts/{pk}/"
        read = client.get(url)
        etag = read["ETag"]
        before = work_of(pk)
        # A status smuggled in (other than the one read) is a 400 naming it (it is
        # read-only), and writes nothing.
        other = S.PUBLISHED if read.json()["status"] != S.PUBLISHED else S.REVIEW_3
        smuggled = client.patch(
            url,
            {"title": "接口改的标题", "status": other},
            format="json",
            HTTP_IF_MATCH=etag,
        )
        if smuggled.status_code == 403:
            return False
        self.assertEqual(smuggled.status_code, 400, smuggled.content)
        self.assertIn("status", smuggled.json())
        self.assertEqual(work_of(pk), before)
        response = client.patch(
            url, {"title": "接口改的标题"}, format="json", HTTP_IF_MATCH=etag
        )
        if response.status_code == 403:
            return False
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(changed_keys(before, work_of(pk)), {"title"})
        return True

    def via_api_submit(self, role: str, pk: int) -> bool:
        client, url = self.api[role], f"/api/v1/drafts/{pk}/"
        etag = client.get(url)["ETag"]
        response = client.post(
            f"{url}submit/", {"comment": "请审"}, format="json", HTTP_IF_MATCH=etag
        )
        if response.status_code in (400, 403):
            return False
        self.assertEqual(response.status_code, 200, response.content)
        return True

    # --- the matrix -------------------------------------------------------------------

    def check_cell(self, role: str, state: State, path: WritePath, pk: int) -> None:
        perms = ROLES[role]
        self.report = None
        allowed = may(path.action, perms, state)
        before, live_before = observe(pk)
        done = getattr(self, path.via)(role, pk, *path.args)
        after, live_after = observe(pk)
        self.assertEqual(done, allowed, self.report)
        if allowed:
            self.assertNotEqual(after, before, "reported done but wrote nothing")
        else:
            self.assertEqual(after, before, "refused but something was written")
        live_changed = live_after != live_before
        # import_article --publish over a live article with editors' draft pending
        # publishes nothing: the draft has not been through 终审.
        # Nor does it put back an article 终审 took off the site (已撤下).
        live = path.live and not (
            path.action == "import-publish"
            and (
                (state.row == S.PUBLISHED and state.draft is not None)
                or state.row == S.UNPUBLISHED
            )
        )
        # The key invariant, independent of ``may``: only publishing or withdrawing
        # by a holder of news.publish_article changes what readers see.
        if live_changed:
            self.assertTrue(live and "publish" in perms, "the live version changed")
        self.assertEqual(live_changed, allowed and live)
        if allowed and not live and state.row == S.PUBLISHED:
            # Work on an article on the site is done in the draft over it; only
            # discarding drops that draft.
            has_draft = Article.objects.get(pk=pk).draft_revision_id is not None
            self.assertEqual(has_draft, path.action != "discard")

    def run_matrix(self, family: str) -> None:
        paths = [p for p in PATHS if p.family == family]
        cells = 0
        for state in STATES:
            for role in ROLES:
                for path in paths:
                    with (
                        self.subTest(state=state.name, role=role, path=path.name),
                        rolled_back(),
                    ):
                        cells += 1
                        self.check_cell(role, state, path, self.articles[state])
        self.assertEqual(cells, len(STATES) * len(ROLES) * len(paths))

    def test_admin_change_form(self):
        self.run_matrix("change-form")

    def test_admin_transition_buttons(self):
        self.run_matrix("transition")

    def test_admin_bulk_actions(self):
        self.run_matrix("bulk")

    def test_admin_restore(self):
        self.run_matrix("restore")

    def test_admin_import_form(self):
        self.run_matrix("import-form")

    def test_import_command(self):
        self.run_matrix("command")

    def test_api_drafts(self):
        self.run_matrix("api")


class GroupTests(TestCase):
    """The matrix's roles hold what the groups made by the migrations hold."""

    def test_role_permissions_are_the_groups(self):
        for role, perms in ROLES.items():
            user = (
                UserFactory(username="root", is_superuser=True)
                if role == "超级用户"
                else staff_in_group(USERNAMES[role], role)
            )
            with self.subTest(role=role):
                held = {
                    name for name, perm in PERMISSIONS.items() if user.has_perm(perm)
                }
                self.assertEqual(held, perms)


SUBMITTER = "送审人不能审核自己送审的稿件"
FIRST_REVIEWER = "初审和复审须由不同的人完成"


@override_settings(EDITORIAL_SEPARATION_OF_DUTIES=True)
class SeparationOfDutiesTests(TestCase):
    """The submitter approves neither 初审 nor 复审, the 初审 reviewer not 复审 —
    by the button, the service or the bulk action; a third reviewer can."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.author = staff_in_group("author", "编辑")
        # All three could approve by their group; only the duties tell them apart.
        cls.a = staff_in_group("reviewer-a", "审核")
        cls.b = staff_in_group("reviewer-b", "审核")
        cls.c = staff_in_group("reviewer-c", "审核")

    def client_of(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def assertCannotApprove(self, user, pk: int, why: str) -> None:
        """No way of approving is open to ``user``, and none writes anything."""
        before = fingerprint(pk)
        with self.assertRaisesMessage(PermissionDenied, why):
            article_approve(article=Article.objects.get(pk=pk), by=user)
        page = self.client_of(user).get(f"/admin/news/article/{pk}/change/")
        self.assertNotIn("approve", page.context["workflow_actions"])
        self.assertIn("reject", page.context["workflow_actions"])
        self.assertIn(why, page.context["duty_note"])
        self.assertNotContains(page, 'value="approve"')
        button = self.client_of(user).post(
            f"/admin/news/article/{pk}/transition/", {"action": "approve"}
        )
        bulk = self.client_of(user).post(
            "/admin/news/article/",
            {"action": "approve_selected", "_selected_action": [pk], "index": "0"},
        )
        for response in (button, bulk):
            reported = [(m.level, str(m)) for m in get_messages(response.wsgi_request)]
            self.assertEqual(len(reported), 1, reported)
            self.assertEqual(reported[0][0], messages.ERROR)
            self.assertIn(why, reported[0][1])
        self.assertEqual(fingerprint(pk), before)

    def test_three_people_for_two_reviews(self):
        for name in ("草稿", "线上+修改稿"):
            with self.subTest(name), rolled_back():
                article = ArticleFactory(channel=self.channel, status=S.DRAFT)
                if name == "线上+修改稿":
                    Article.objects.filter(pk=article.pk).update(status=S.PUBLISHED)
                    article_update(
                        article=article, by=self.author, values={"title": "修改稿"}
                    )
                    self.assertEqual(article.draft_status, S.DRAFT)
                live = live_fingerprint(article.pk)
                article_submit(article=article, by=self.a)

                self.assertCannotApprove(self.a, article.pk, SUBMITTER)
                response = self.client_of(self.b).post(
                    f"/admin/news/article/{article.pk}/transition/",
                    {"action": "approve"},
                )
                self.assertEqual(response.status_code, 302)
                article.refresh_from_db()
                self.assertEqual(article.editorial_status, S.REVIEW_2)

                self.assertCannotApprove(self.a, article.pk, SUBMITTER)
                self.assertCannotApprove(self.b, article.pk, FIRST_REVIEWER)
                response = self.client_of(self.c).post(
                    "/admin/news/article/",
                    {
                        "action": "approve_selected",
                        "_selected_action": [article.pk],
                        "index": "0",
                    },
                )
                reported = [
                    (m.level, str(m)) for m in get_messages(response.wsgi_request)
                ]
                self.assertEqual([level for level, _ in reported], [messages.SUCCESS])
                article.refresh_from_db()
                self.assertEqual(article.editorial_status, S.REVIEW_3)
                self.assertEqual(
                    list(
                        article.events.order_by("id").values_list(
                            "action", "by__username"
                        )
                    )[-3:],
                    [
                        ("submit", "reviewer-a"),
                        ("approve", "reviewer-b"),
                        ("approve", "reviewer-c"),
                    ],
                )
                # None of it reached readers.
                self.assertEqual(live_fingerprint(article.pk), live)

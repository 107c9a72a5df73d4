"""The editorial workflow part of ``ArticleAdmin``: buttons, history, diff, locks.

Kept beside ``admin.py`` as a mixin so that the workflow (this module) and the
editing widgets (``admin.py``) can change independently. Everything here parses the
request, calls a service from ``workflow.py`` / ``revisions.py`` and renders.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.widgets import (
    AdminDateWidget,
    AdminSplitDateTime,
    AdminTimeWidget,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yantai.text import join_list, join_sentences, plain_id

from . import workflow
from .accessibility import check_bodies, check_body
from .accessibility import findings_text as accessibility_text
from .admin_presence import presence_visit
from .models import Article, AuditLog, Byline, Channel, PreviewLink, Revision
from .preview import preview_link_create, preview_link_url
from .revisions import (
    CONTENT_KEYS,
    article_snapshot,
    changes_since,
    revision_create,
    revision_diff,
    snapshot_diff,
    working_copy,
)
from .services import (
    article_create,
    article_delete_refusal,
    article_update,
    articles_delete,
    audit_record,
)

PROTECTED_FIELDS = ("status", "version", "responsible_editor")
CONTENT_FIELDS = set(CONTENT_KEYS) - {"bylines"}


def byline_initial(article: Article | None) -> list[dict]:
    """The byline rows of ``article``'s working copy, as formset initial data."""
    if article is None or article.pk is None:
        return []
    return [
        {
            "person": b.person_id,
            "role": b.role,
            "prefix": b.prefix,
            "order": b.order,
        }
        for b in article.bylines.all()
        if b.person_id
    ]


def formset_bylines(formset) -> list[dict]:
    """The bylines a validated byline formset describes, in printed order."""
    rows = []
    for form in formset.forms:
        if formset.can_delete and formset._should_delete_form(form):
            continue
        # Unchanged rows shown from initial data are not cleaned (empty_permitted).
        data = form.cleaned_data if form.has_changed() else form.initial
        if not data or not data.get("person") or not data.get("role"):
            continue
        rows.append(
            {
                "person": data["person"],
                "role": data["role"],
                "prefix": data.get("prefix") or "",
                "order": data.get("order") or 0,
            }
        )
    return rows


def _published_barriers(articles, *, named: bool) -> list[str]:
    """For each of the bodies just published, the warning of its 无障碍检查
    findings ("" without any; advice: it was published all the same), ``named`` by
    its title when several were published at once; one check for all of them."""
    warnings = []
    for article, barriers in zip(
        articles, check_bodies([a.body for a in articles]), strict=True
    ):
        found = {"n": len(barriers), "list": accessibility_text(barriers)}
        if not barriers:
            warnings.append("")
        elif named:
            warnings.append(
                _(
                    "“%(title)s”：无障碍检查发现 %(n)d 处问题，文章已照常发布，"
                    "请尽快修改：%(list)s"
                )
                % {"title": article.title, **found}
            )
        else:
            warnings.append(
                _("无障碍检查发现 %(n)d 处问题，文章已照常发布，请尽快修改：%(list)s")
                % found
            )
    return warnings


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return join_sentences(error.messages)
    return str(error) or _("没有权限。")


class ArticleWorkflowForm(forms.ModelForm):
    """The change form carries the version it was opened at (optimistic locking)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    overwrite = forms.BooleanField(
        label=gettext_lazy("仍用我的内容覆盖"),
        required=False,
        help_text=gettext_lazy(
            "别人在您打开后修改了这篇文章。勾选后保存将以您的内容为准；"
            "对方的版本仍保存在历史版本中，不会丢失。"
        ),
    )

    class Meta:
        model = Article
        # ModelAdmin.get_form() passes the real field list from the fieldsets.
        fields = ("title",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
        self.base_version = self.instance.version
        for name in ("published_at", "expires_at"):
            if name in self.fields:
                # Seconds are shown and kept: saving an unchanged form changes nothing.
                self.fields[name].widget = SecondsSplitDateTime()

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        expected = cleaned.get("expected_version")
        # Locks the row until the admin's transaction ends, so nobody saves between
        # this check and our conditional UPDATE (SQLite serialises writers anyway).
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current is None:
            return cleaned
        if self.instance.has_scheduled_draft:
            # Refused here too (the service refuses it anyway): the form comes
            # back with the reason instead of a refusal page.
            raise forms.ValidationError(
                workflow.scheduled_refusal(self.instance), code="scheduled"
            )
        if expected is None:
            # The form always carries the version it was opened at; without it (a
            # hand-made or truncated POST) another editor's save could not be seen.
            raise forms.ValidationError(
                _(
                    "页面缺少版本信息，无法确认是否有人同时修改过：请刷新页面后重新保存。"
                ),
                code="no_version",
            )
        self.base_version = current
        if current == expected or cleaned.get("overwrite"):
            return cleaned
        changes = [
            c
            for c in changes_since(article=self.instance, version=expected)
            if c.field in self.fields or c.field in ("bylines", "tags")
        ]
        if not changes:
            # Only workflow fields (status…) moved on; the form cannot overwrite them.
            return cleaned
        lines = [
            _("“%(field)s”已被 %(who)s 于 %(when)s 修改")
            % {
                "field": c.label,
                "who": c.by,
                "when": date_format(timezone.localtime(c.at), "Y-m-d H:i:s"),
            }
            for c in changes
        ]
        raise ValidationError(
            _(
                "保存被拒绝：您打开这篇文章之后，别人已经修改并保存了它。%(changes)s。"
                "您填写的内容仍在下面的表单中；请核对后重新修改，"
                "或勾选“仍用我的内容覆盖”后保存。"
            )
            % {"changes": "；".join(lines)},
            code="conflict",
        )


class SecondsSplitDateTime(AdminSplitDateTime):
    """The admin's date + time widget, with seconds in the time box."""

    def __init__(self, attrs=None):
        widgets = [AdminDateWidget, AdminTimeWidget(format="%H:%M:%S")]
        forms.MultiWidget.__init__(self, widgets, attrs)


class WorkflowActionForm(ActionForm):
    channel = forms.ModelChoiceField(
        label=gettext_lazy("目标栏目"), queryset=Channel.objects.all(), required=False
    )


class ArticleWorkflowAdminMixin:
    """Mixed into ``ArticleAdmin``."""

    form = ArticleWorkflowForm
    action_form = WorkflowActionForm
    actions = (
        "delete_selected",
        "submit_selected",
        "approve_selected",
        "publish_selected",
        "unpublish_selected",
        "move_to_channel",
    )
    change_form_template = "admin/news/article/change_form.html"

    # --- permissions ------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or workflow.can_edit(request.user, obj)

    def has_submit_permission(self, request):
        return request.user.has_perm(workflow.PERM_SUBMIT)

    def has_review_permission(self, request):
        return request.user.has_perm(workflow.PERM_REVIEW)

    def has_publish_permission(self, request):
        return request.user.has_perm(workflow.PERM_PUBLISH)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        protected = ["status", "version"]
        if not request.user.has_perm(workflow.PERM_PUBLISH):
            protected.append("responsible_editor")
        return fields + [f for f in protected if f not in fields]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        extra = ["expected_version"]
        if obj is not None and request.method == "POST":
            extra.append("overwrite")
        if obj is not None:
            fieldsets.append((_("版本"), {"fields": extra}))
        return fieldsets

    # --- saving -----------------------------------------------------------------
    # The form and its byline formset only parse input; the one write is a service
    # call (``news.services.article_create`` / ``article_update``), which decides
    # whether the row or the draft over the live version changes.

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        return working_copy(article) if article is not None else None

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if inline.model is Byline:
            # Bylines are shown from the working copy (the draft over a live article)
            # and written by the service, never saved by the formset itself.
            kwargs["queryset"] = Byline.objects.none()
            kwargs["initial"] = byline_initial(obj)
        return kwargs

    def save_model(self, request, obj, form, change):
        pass  # written in save_related(), with the bylines, by one service call

    def save_related(self, request, form, formsets, change):
        values = {
            name: form.cleaned_data[name]
            for name in form.fields
            if name in CONTENT_FIELDS and name in form.cleaned_data
        }
        for formset in formsets:
            if formset.model is Byline:
                values["bylines"] = formset_bylines(formset)
            # construct_change_message() reads what a formset saved: nothing here.
            formset.new_objects, formset.changed_objects = [], []
            formset.deleted_objects = []
        try:
            if change:
                result = article_update(
                    article=form.instance, by=request.user, values=values
                )
                article = result.article
            else:
                article = article_create(by=request.user, values=values)
        except ValidationError as error:
            # Validated by the form already; a race lost in between is shown, not 500.
            raise PermissionDenied(_error_text(error)) from error
        # The admin goes on with form.instance (its log entry, its message, the
        # redirect): make it the working copy as stored, the draft if there is one.
        article = working_copy(
            Article.objects.select_related("draft_revision").get(pk=article.pk)
        )
        form.instance.__dict__.update(
            {k: v for k, v in article.__dict__.items() if k != "_state"}
        )
        form.instance._state.adding = False
        if change and result.drafted and result.changed:
            messages.info(
                request,
                _(
                    "修改已保存为草稿（未发布的修改），线上版本不变；"
                    "送审并经终审发布后才会替换线上版本。"
                ),
            )
        elif change and not result.changed:
            messages.info(request, _("内容未变，没有保存新版本。"))
        if findings := check_body(article.body):
            # Advice, not a refusal: editors may have reasons (and publishing
            # goes on too, see docs/architecture.md).
            messages.warning(
                request,
                _(
                    "无障碍检查发现 %(n)d 处问题（不影响保存，发布前请尽量修改）："
                    "%(list)s"
                )
                % {"n": len(findings), "list": accessibility_text(findings)},
            )

    # --- deleting -----------------------------------------------------------------
    # An article that was ever published is withdrawn, not deleted, except by a
    # superuser (``news.services.articles_delete``): refused before the
    # confirmation page, with the reason, and again by the service itself.

    def delete_view(self, request, object_id, extra_context=None):
        article = self.get_object(request, object_id)
        if article is not None and self.has_delete_permission(request, article):
            why = article_delete_refusal(by=request.user, articles=[article])
            if why:
                messages.error(request, why)
                return self._back(article)
        return super().delete_view(request, object_id, extra_context)

    @admin.action(
        description=django_delete_selected.short_description, permissions=["delete"]
    )
    def delete_selected(self, request, queryset):
        why = article_delete_refusal(by=request.user, articles=queryset)
        if why:
            messages.error(request, why)
            return None
        return django_delete_selected(self, request, queryset)

    def delete_model(self, request, obj):
        articles_delete(articles=[obj], by=request.user)

    def delete_queryset(self, request, queryset):
        articles_delete(articles=queryset, by=request.user)

    # --- change page ------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if article is not None and self.has_view_or_change_permission(request, article):
            if request.method == "GET" and not article.revisions.exists():
                # Articles made before revisions existed (or by scripts) get a
                # baseline, so a later conflict can name exactly what changed.
                revision_create(  # lazy: stored in Chinese
                    article=article, by=None, summary=gettext_lazy("初始版本")
                )
            extra_context.update(self.workflow_context(request, article))
        return super().change_view(request, object_id, form_url, extra_context)

    def workflow_context(self, request, article: Article) -> dict:
        others = self.editing_now(request, article)
        links = (
            [
                {
                    "link": link,
                    "url": request.build_absolute_uri(preview_link_url(link)),
                }
                for link in article.preview_links.valid()
            ]
            if request.user.has_perm("news.change_article")
            else []
        )
        draft_diffs = []
        # 无障碍检查 of what the form shows; of the live version too when a draft
        # is over it (the two may differ, and readers see the live one).
        accessibility_checks = [{"label": "", "findings": check_body(article.body)}]
        if article.has_draft:
            row = Article.objects.get(pk=article.pk)
            draft_diffs = [
                d
                for d in snapshot_diff(
                    old=article_snapshot(row), new=article.draft_revision.snapshot
                )
                if d.name != "status"  # the draft's review state is shown above
            ]
            accessibility_checks = [
                {**accessibility_checks[0], "label": _("草稿：")},
                {"label": _("线上版本："), "findings": check_body(row.body)},
            ]
        return {
            "workflow_actions": workflow.allowed_actions(request.user, article),
            "duty_note": workflow.duty_conflict(request.user, article)
            if request.user.has_perm(workflow.PERM_REVIEW)
            else "",
            "draft_diffs": draft_diffs,
            "workflow_events": article.events.select_related("by"),
            "wordcheck_findings": workflow.wordcheck_article(article),
            "accessibility_checks": accessibility_checks,
            "editing_others": others,
            "preview_links": links,
            "can_share": request.user.has_perm("news.change_article"),
        }

    def editing_now(self, request, article: Article) -> list[str]:
        """Names of other staff who have this article's form open now."""
        return presence_visit(
            article_pk=article.pk,
            user=request.user,
            record=self.has_change_permission(request, article),
        )

    # --- extra views ------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/transition/",
                view(self.transition_view),
                name="news_article_transition",
            ),
            path(
                "<path:object_id>/diff/",
                view(self.diff_view),
                name="news_article_diff",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                view(self.restore_view),
                name="news_article_restore",
            ),
            path(
                "<path:object_id>/share/",
                view(self.share_view),
                name="news_article_share",
            ),
            *super().get_urls(),
        ]

    def _article_for(self, request, object_id) -> Article:
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def _back(self, article):
        return redirect(reverse("admin:news_article_change", args=[article.pk]))

    def transition_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_for(request, object_id)
        action = request.POST.get("action", "")
        comment = request.POST.get("comment", "")
        services = {
            "submit": workflow.article_submit,
            "approve": workflow.article_approve,
            "reject": workflow.article_reject,
            "publish": workflow.article_publish,
            "unpublish": workflow.article_unpublish,
            "discard": workflow.article_discard,
            "cancel_schedule": workflow.article_cancel_schedule,
        }
        if action not in services:
            messages.error(request, _("未知的操作。"))
            return self._back(article)
        kwargs = {"article": article, "by": request.user, "comment": comment}
        # The version the page showed: whoever changed the work since, the action
        # (a publication above all) is refused rather than applied to unseen work.
        version = request.POST.get("expected_version", "")
        if version:
            kwargs["expected_version"] = plain_id(version)
            if kwargs["expected_version"] is None:
                messages.error(
                    request,
                    _(
                        "页面的版本信息无效，无法确认是否有人修改过：没有执行任何操作，"
                        "请刷新页面后重试。"
                    ),
                )
                return self._back(article)
        if action == "publish":
            kwargs["override_reason"] = request.POST.get("override_reason", "")
            at = request.POST.get("publish_at", "").strip()
            if at:
                field = forms.DateTimeField()
                try:
                    kwargs["at"] = field.clean(at.replace("T", " "))
                except ValidationError as error:
                    messages.error(request, _error_text(error))
                    return self._back(article)
        try:
            done = services[action](**kwargs)
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, _error_text(error))
        else:
            gone = getattr(done, "gone_on_publish", [])
            article = working_copy(Article.objects.get(pk=article.pk))
            messages.success(
                request,
                _("“%(title)s”已放弃修改稿，线上版本不变。") % {"title": article.title}
                if action == "discard"
                else _("“%(title)s”已取消定时发布，修改稿回到待终审，线上版本不变。")
                % {"title": article.title}
                if action == "cancel_schedule"
                else _("“%(title)s”已转为“%(status)s”。")
                % {
                    "title": article.title,
                    "status": article.get_editorial_status_display(),
                },
            )
            findings = workflow.wordcheck_article(article)
            if action == "submit" and findings:
                # Submitting goes on (reviewers see the list too); publishing will not.
                messages.warning(
                    request,
                    _("错敏字检查发现 %(n)d 处问题，发布前须修改：%(list)s")
                    % {"n": len(findings), "list": workflow.findings_text(findings)},
                )
            if action == "publish" and (
                warning := _published_barriers([article], named=False)[0]
            ):
                messages.warning(request, warning)
            if gone:
                messages.warning(request, workflow.gone_warning(article.title, gone))
        return self._back(article)

    def history_view(self, request, object_id, extra_context=None):
        article = self._article_for(request, object_id)
        revisions = article.revisions.select_related("created_by")
        context = {
            **self.admin_site.each_context(request),
            "title": _("“%(title)s”的历史版本") % {"title": article.title},
            "opts": self.model._meta,
            "original": article,
            "object": article,
            "revisions": revisions,
            "draft_revision_id": article.draft_revision_id,
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/news/article/history.html", context)

    def diff_view(self, request, object_id):
        article = self._article_for(request, object_id)
        try:
            old = article.revisions.get(pk=int(request.GET.get("a", "")))
            new = article.revisions.get(pk=int(request.GET.get("b", "")))
        except (ValueError, Revision.DoesNotExist) as error:
            raise Http404 from error
        if old.created_at > new.created_at:
            old, new = new, old
        context = {
            **self.admin_site.each_context(request),
            "title": _("版本对比：第 %(a)d 版 → 第 %(b)d 版")
            % {"a": old.version, "b": new.version},
            "opts": self.model._meta,
            "original": article,
            "old": old,
            "new": new,
            "diffs": revision_diff(old=old, new=new),
        }
        return TemplateResponse(request, "admin/news/article/diff.html", context)

    def restore_view(self, request, object_id, revision_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_for(request, object_id)
        revision = get_object_or_404(Revision, pk=revision_id, article=article)
        try:
            result = workflow.revision_restore(revision=revision, by=request.user)
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, _error_text(error))
        else:
            if result.tags_missing:
                messages.warning(
                    request,
                    _(
                        "第 %(v)d 版的标签 %(tags)s 已不存在（改名或删除），未能恢复，"
                        "请在表单中重新选择。"
                    )
                    % {"v": revision.version, "tags": join_list(result.tags_missing)},
                )
            article = Article.objects.get(pk=article.pk)
            messages.success(
                request,
                _("已把第 %(v)d 版恢复为草稿（未发布的修改），线上版本不变。")
                % {"v": revision.version}
                if article.has_draft
                else _("已恢复第 %(v)d 版，文章已转为草稿。") % {"v": revision.version},
            )
        return self._back(article)

    def share_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_for(request, object_id)
        if not request.user.has_perm("news.change_article"):
            raise PermissionDenied
        revoke = request.POST.get("revoke")
        if revoke:
            # The id comes from the page's form; anything else (a hand-made POST)
            # is the same "no such link" as an id of another article's link.
            try:
                link = PreviewLink.objects.get(pk=int(revoke), article=article)
            except (ValueError, PreviewLink.DoesNotExist):
                messages.error(request, _("没有这个预览链接，可能已被删除。"))
                return self._back(article)
            link.is_revoked = True
            link.save(update_fields=["is_revoked"])
            audit_record(
                user=request.user,
                action=AuditLog.Action.SHARE,
                obj=article,
                summary=gettext_lazy("撤销预览链接"),  # stored in Chinese
            )
            messages.success(request, _("预览链接已撤销。"))
            return self._back(article)
        try:
            days = max(1, min(int(request.POST.get("days", "3")), 30))
        except ValueError:
            days = 3
        link = preview_link_create(
            article=article, by=request.user, valid_for=timedelta(days=days)
        )
        messages.success(
            request,
            _("已生成预览链接（%(days)d 天内有效）：%(url)s")
            % {"days": days, "url": request.build_absolute_uri(preview_link_url(link))},
        )
        return self._back(article)

    # --- bulk actions -----------------------------------------------------------

    def _bulk(self, request, queryset, service, verb, **kwargs):
        done = 0
        for article in queryset:
            try:
                service(article=article, by=request.user, **kwargs)
            except (PermissionDenied, ValidationError) as error:
                messages.error(
                    request,
                    _("“%(title)s”未能%(verb)s：%(why)s")
                    % {"title": article.title, "verb": verb, "why": _error_text(error)},
                )
            else:
                done += 1
                messages.success(
                    request,
                    _("“%(title)s”已%(verb)s。")
                    % {"title": article.title, "verb": verb},
                )
        return done

    @admin.action(description=gettext_lazy("送审所选文章"), permissions=["submit"])
    def submit_selected(self, request, queryset):
        self._bulk(request, queryset, workflow.article_submit, _("送审"))

    @admin.action(
        description=gettext_lazy("审核通过所选文章（初审/复审）"),
        permissions=["review"],
    )
    def approve_selected(self, request, queryset):
        self._bulk(request, queryset, workflow.article_approve, _("审核通过"))

    @admin.action(description=gettext_lazy("终审发布所选文章"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        """A confirmation page first (as 删除所选 has), carrying each article's
        version; confirming publishes them all, or none if any changed since."""
        if request.POST.get("post"):
            return self._publish_confirmed(request, queryset)
        candidates = workflow.publish_candidates(by=request.user, articles=queryset)
        publishable = [c for c in candidates if not c.refusal]
        refused = [c for c in candidates if c.refusal]
        if not publishable:
            for c in refused:
                messages.error(
                    request,
                    _("“%(title)s”未能%(verb)s：%(why)s")
                    % {"title": c.article.title, "verb": _("发布"), "why": c.refusal},
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("终审发布所选文章"),
            "opts": self.model._meta,
            "publishable": publishable,
            "refused": refused,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/news/article/publish_selected_confirmation.html", context
        )

    def _publish_confirmed(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        versions = {}
        for pk in selected:
            article_id = plain_id(pk)
            version = plain_id(request.POST.get(f"version_{pk}", ""))
            if article_id is None or version is None:
                messages.error(
                    request,
                    _(
                        "确认页缺少版本信息，无法确认所选文章是否有人修改过："
                        "没有发布任何文章，请重新选择文章后再发布。"
                    ),
                )
                return None
            versions[article_id] = version
        # The articles and versions the page showed (not ``queryset``: one deleted
        # since is named by the service rather than left out).
        try:
            published = workflow.articles_publish(by=request.user, versions=versions)
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, _error_text(error))
            return None
        works = [working_copy(article) for article in published]
        for work, warning in zip(
            works, _published_barriers(works, named=True), strict=True
        ):
            verb = _("发布")
            if work.draft_go_live_at is not None:  # a draft over a live article
                verb = _("定时于 %(at)s 发布") % {
                    "at": workflow.minute_text(work.draft_go_live_at)
                }
            messages.success(
                request,
                _("“%(title)s”已%(verb)s。") % {"title": work.title, "verb": verb},
            )
            if warning:  # as a single publication warns, naming the article
                messages.warning(request, warning)
        for article, work in zip(published, works, strict=True):
            if article.gone_on_publish:
                messages.warning(
                    request, workflow.gone_warning(work.title, article.gone_on_publish)
                )
        return None

    @admin.action(description=gettext_lazy("撤下所选文章"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, workflow.article_unpublish, _("撤下"))

    @admin.action(description=gettext_lazy("移动到栏目"), permissions=["change"])
    def move_to_channel(self, request, queryset):
        channel_id = request.POST.get("channel")
        channel = Channel.objects.filter(pk=channel_id).first() if channel_id else None
        if channel is None:
            messages.error(request, _("请先在“目标栏目”中选择要移动到的栏目。"))
            return
        self._bulk(
            request,
            queryset,
            workflow.article_move_to_channel,
            _("移动到“%(channel)s”") % {"channel": channel.name},
            channel=channel,
        )

"""The "提取数据" review page: an article's figures proposed, confirmed or rejected.

Imported by ``quality/admin.py`` so that the model admin registers with the site.
The page lives under the proposals' admin: /admin/quality/figureproposal/extract/<id>/.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from news.models import Article

from .figure_review import (
    PREFER_EXISTING,
    PREFER_NEW,
    FigureConflict,
    figure_proposal_confirm,
    figure_proposal_reject,
    figure_proposals_extract,
    proposal_sentence,
)
from .models import FigureProposal, Indicator, Region

# What a reviewer needs: to write observations and to decide proposals.
REVIEW_PERMISSIONS = (
    "quality.add_observation",
    "quality.add_figureproposal",
    "quality.change_figureproposal",
)
# Confirming with the new value preferred takes the flag off a saved observation.
PREFER_NEW_PERMISSION = "quality.change_observation"
DEFAULT_REGION_CODE = "370600"  # 烟台市: most figures in our articles are the city's


PREFER_NEW_REFUSED = gettext_lazy(
    "您没有“修改观测值”权限，不能把本文数值设为首选（会取消原首选值）。"
)


class DecisionForm(forms.Form):
    """One staff decision about one proposal of the article."""

    proposal = forms.ModelChoiceField(queryset=FigureProposal.objects.none())
    action = forms.ChoiceField(choices=[("confirm", "confirm"), ("reject", "reject")])
    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.select_related("unit"), required=False
    )
    region = forms.ModelChoiceField(queryset=Region.objects.all(), required=False)
    prefer = forms.ChoiceField(
        choices=[
            ("", ""),
            (PREFER_NEW, PREFER_NEW),
            (PREFER_EXISTING, PREFER_EXISTING),
        ],
        required=False,
    )

    def __init__(self, *args, article: Article, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = FigureProposal.objects.filter(
            article=article
        ).select_related("article")
        self.fields["proposal"].error_messages["invalid_choice"] = _(
            "这条数据不属于本文章。"
        )


@admin.register(FigureProposal)
class FigureProposalAdmin(admin.ModelAdmin):
    list_display = ("raw_text", "subject", "status", "indicator", "article_link")
    list_filter = ("status",)
    search_fields = ("quote", "subject", "article__title")
    list_select_related = ("indicator", "article")
    readonly_fields = (
        "article",
        "quote",
        "start",
        "end",
        "raw_text",
        "value",
        "comparator",
        "lower",
        "upper",
        "unit",
        "subject",
        "period_start",
        "period_end",
        "indicator",
        "status",
        "observation",
        "decided_by",
        "decided_at",
        "created_at",
    )

    def has_add_permission(self, request):
        return False  # proposals come from the extractor only

    @admin.display(description=gettext_lazy("文章"))
    def article_link(self, obj):
        url = reverse("admin:quality_figureproposal_extract", args=[obj.article_id])
        return format_html('<a href="{}">{}</a>', url, obj.article.title)

    def get_urls(self):
        return [
            path(
                "extract/<int:article_id>/",
                self.admin_site.admin_view(self.extract_view),
                name="quality_figureproposal_extract",
            ),
            *super().get_urls(),
        ]

    def has_review_permission(self, request, article: Article | None = None) -> bool:
        """Whether the user may decide the figures of ``article``.

        The page shows the article's text, drafts included, so the user must also be
        allowed to read the article (the 数据编辑 group reads, never changes, it).
        """
        if not request.user.has_perms(REVIEW_PERMISSIONS):
            return False
        article_admin = self.admin_site.get_model_admin(Article)
        return article_admin.has_view_or_change_permission(request, article)

    def extract_view(self, request, article_id: int):
        """List the article's proposed figures; on POST, propose its new figures
        (``action=extract``) or apply one decision. A GET writes nothing: a link
        or an image elsewhere must not make a signed-in reviewer's browser write
        (CSRF protection covers POST only)."""
        if not self.has_review_permission(request):
            raise PermissionDenied
        article = get_object_or_404(Article, pk=article_id)
        if not self.has_review_permission(request, article):
            raise PermissionDenied
        here = reverse("admin:quality_figureproposal_extract", args=[article.pk])
        conflict = None
        if request.method == "POST" and request.POST.get("action") == "extract":
            created = figure_proposals_extract(article=article)
            if created:
                messages.info(
                    request,
                    _("新提取到 %(n)d 条数据。") % {"n": len(created)},
                )
            else:
                messages.info(request, _("正文中没有新的数据。"))
            return redirect(here)
        if request.method == "POST":
            form = DecisionForm(request.POST, article=article)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
                return redirect(here)
            data = form.cleaned_data
            proposal = data["proposal"]
            if data["prefer"] == PREFER_NEW and not request.user.has_perm(
                PREFER_NEW_PERMISSION
            ):
                messages.error(request, PREFER_NEW_REFUSED)
                return redirect(here)
            try:
                if data["action"] == "reject":
                    figure_proposal_reject(proposal=proposal, by=request.user)
                    messages.success(
                        request,
                        _("已驳回“%(text)s”，以后不再提取。")
                        % {"text": proposal.raw_text},
                    )
                else:
                    observation = figure_proposal_confirm(
                        proposal=proposal,
                        indicator=data["indicator"],
                        region=data["region"],
                        by=request.user,
                        prefer=data["prefer"] or None,
                    )
                    messages.success(
                        request,
                        _("已确认：%(observation)s") % {"observation": observation},
                    )
                return redirect(here)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
                return redirect(here)
            except FigureConflict as error:
                messages.warning(request, str(error))
                conflict = {
                    "proposal": proposal,
                    "indicator": data["indicator"],
                    "region": data["region"],
                    "existing": error.existing,
                }
        proposals = list(FigureProposal.objects.for_article(article))
        for proposal in proposals:
            # The whole sentence, with the number the extractor read highlighted.
            sentence = proposal_sentence(article.body_text, proposal)
            clause_at = max(sentence.find(proposal.quote), 0)
            offset = sentence.find(proposal.raw_text, clause_at)
            if offset < 0:
                proposal.parts = (sentence, "", "")
            else:
                end = offset + len(proposal.raw_text)
                proposal.parts = (
                    sentence[:offset],
                    proposal.raw_text,
                    sentence[end:],
                )
        regions = list(Region.objects.all())
        default_region = next(
            (r for r in regions if r.code == DEFAULT_REGION_CODE),
            regions[0] if regions else None,
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("提取数据：%(title)s") % {"title": article.title},
            "article": article,
            "proposals": proposals,
            "indicators": list(Indicator.objects.select_related("unit")),
            "regions": regions,
            "default_region": default_region,
            "conflict": conflict,
            "can_prefer_new": request.user.has_perm(PREFER_NEW_PERMISSION),
        }
        return TemplateResponse(
            request, "admin/quality/figureproposal/extract.html", context
        )

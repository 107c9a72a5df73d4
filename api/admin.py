from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import ApiToken
from .services import api_token_create, api_token_revoke


def may_act_as(actor, owner) -> bool:
    """Whether ``actor`` may hand out a token acting as ``owner``: a token carries
    every permission of its owner, so only to an owner with no permission the
    actor lacks (a superuser to anyone)."""
    if actor.is_superuser:
        return True
    if owner.is_superuser:
        return False
    return owner.get_all_permissions() <= actor.get_all_permissions()


class ApiTokenForm(forms.ModelForm):
    actor = None  # the signed-in user, set by ApiTokenAdmin.get_form

    def clean_user(self):
        owner = self.cleaned_data["user"]
        if self.actor is not None and not may_act_as(self.actor, owner):
            raise forms.ValidationError(
                _("您不能为拥有您所没有的权限的用户创建令牌。"), code="privilege"
            )
        return owner


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "prefix",
        "is_revoked",
        "created_at",
        "last_used_at",
    )
    list_filter = ("is_revoked",)
    search_fields = ("name", "prefix", "user__username")
    autocomplete_fields = ("user",)
    actions = ("revoke_selected",)
    form = ApiTokenForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "is_revoked", "created_at", "last_used_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # A revoked token stays revoked; the owner never changes.
        fields = ["user", "prefix", "created_at", "last_used_at"]
        if obj.is_revoked:
            fields.append("is_revoked")
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, secret = api_token_create(user=obj.user, name=obj.name)
        obj.pk = token.pk
        obj.prefix = token.prefix
        obj.key_hash = token.key_hash
        obj.created_at = token.created_at
        messages.warning(
            request,
            _("令牌已创建，请立即复制保存，它只显示这一次：%(secret)s")
            % {"secret": secret},
        )

    @admin.action(description=_("吊销所选令牌"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        count = 0
        for token in queryset.filter(is_revoked=False):
            api_token_revoke(token=token)
            count += 1
        self.message_user(request, _("已吊销 %(n)d 个令牌。") % {"n": count})

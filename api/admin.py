from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import ApiToken
from .services import api_token_create, api_token_revoke


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

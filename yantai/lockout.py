"""Login lockout (django-axes): its app config, admin pages and lockout page in Chinese.

django-axes ships English names only. Its app is installed through ``AxesConfig``
below, which names the app and its models in Chinese and registers admin pages whose
columns, filters and actions are Chinese too (``AXES_ENABLE_ADMIN = False`` keeps
axes' own English ones out). Only ``_meta.verbose_name(_plural)`` is set, never
``original_attrs`` or a field, so the migration state of axes is unchanged.

Unlocking is deleting: a superuser deletes an account's or an address's rows under
登录保护 → 登录失败记录, and the next login is counted from zero.
"""

from __future__ import annotations

import math

from axes.apps import AppConfig
from django.conf import settings
from django.contrib import admin
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from news.admin_dates import BoundedDateHierarchyMixin


class AxesConfig(AppConfig):
    verbose_name = _("登录保护")

    def ready(self):
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        names = {
            AccessAttempt: (_("登录失败记录"), _("登录失败记录")),
            AccessLog: (_("登录记录"), _("登录记录")),
            AccessFailureLog: (_("登录失败日志"), _("登录失败日志")),
        }
        for model, (singular, plural) in names.items():
            model._meta.verbose_name = singular
            model._meta.verbose_name_plural = plural
        admin.site.register(AccessAttempt, AccessAttemptAdmin)
        admin.site.register(AccessLog, AccessLogAdmin)
        admin.site.register(AccessFailureLog, AccessFailureLogAdmin)


def lockout_response(request, original_response=None, credentials=None):
    """The 429 page of a locked-out login: in Chinese, saying how long to wait."""
    from axes.helpers import get_cool_off  # needs the app registry

    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else None
    response = render(
        request,
        "axes/lockout.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


# --- admin ------------------------------------------------------------------------


class LockedOutFilter(admin.SimpleListFilter):
    title = _("是否已锁定")
    parameter_name = "locked_out"

    def lookups(self, request, model_admin):
        return (("yes", _("已锁定")), ("no", _("未锁定")))

    def queryset(self, request, queryset):
        limit = settings.AXES_FAILURE_LIMIT
        locked = Q(account_failures__gte=limit) | Q(address_failures__gte=limit)
        if self.value() == "yes":
            return queryset.filter(locked)
        if self.value() == "no":
            return queryset.exclude(locked)
        return queryset


def _failures_within_cool_off(field: str):
    """Failures of the row's account (or address) that still count, as axes sums them."""
    from axes.models import AccessAttempt

    recent = AccessAttempt.objects.filter(**{field: OuterRef(field)})
    if settings.AXES_COOLOFF_TIME:
        recent = recent.filter(
            attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
        )
    total = recent.order_by().values(field).annotate(n=Sum("failures_since_start"))
    return Coalesce(Subquery(total.values("n")[:1]), 0)


class ReadOnlyLogAdmin(BoundedDateHierarchyMixin, admin.ModelAdmin):
    """Rows are written by logins only; columns are methods so their names are ours.

    Staff may view (and a superuser delete) rows; nobody adds or edits one.
    """

    search_fields = ["ip_address", "username", "user_agent", "path_info"]
    date_hierarchy = "attempt_time"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("时间"), ordering="attempt_time")
    def time(self, obj):
        return obj.attempt_time

    @admin.display(description=_("用户名"), ordering="username")
    def account(self, obj):
        return obj.username

    @admin.display(description=_("客户端地址"), ordering="ip_address")
    def address(self, obj):
        return obj.ip_address

    @admin.display(description=_("浏览器标识"))
    def agent(self, obj):
        return obj.user_agent

    @admin.display(description=_("路径"))
    def path(self, obj):
        return obj.path_info


class AccessAttemptAdmin(ReadOnlyLogAdmin):
    """Failures counted toward a lockout. Deleting rows unlocks."""

    list_display = ["time", "account", "address", "failures", "status", "agent"]
    list_filter = [LockedOutFilter]
    fields = ["account", "address", "failures", "status", "time", "agent", "path"]
    readonly_fields = fields

    @admin.display(description=_("失败次数"), ordering="failures_since_start")
    def failures(self, obj):
        return obj.failures_since_start

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                account_failures=_failures_within_cool_off("username"),
                address_failures=_failures_within_cool_off("ip_address"),
            )
        )

    @admin.display(description=_("状态"))
    def status(self, obj):
        """Locked if the account's or the address's failures reach the limit."""
        limit = settings.AXES_FAILURE_LIMIT
        account = getattr(obj, "account_failures", 0) >= limit
        address = getattr(obj, "address_failures", 0) >= limit
        if account and address:
            return _("账号和地址均已锁定（删除其记录即解锁）")
        if account:
            return _("账号已锁定（删除该账号的记录即解锁）")
        if address:
            return _("地址已锁定（删除该地址的记录即解锁）")
        return _("未锁定")


class AccessLogAdmin(ReadOnlyLogAdmin):
    list_display = ["time", "logout", "account", "address", "agent"]
    fields = ["account", "address", "time", "logout", "agent", "path"]
    readonly_fields = fields

    @admin.display(description=_("退出时间"), ordering="logout_time")
    def logout(self, obj):
        return obj.logout_time


class AccessFailureLogAdmin(ReadOnlyLogAdmin):
    list_display = ["time", "account", "address", "locked", "agent"]
    fields = ["account", "address", "locked", "time", "agent", "path"]
    readonly_fields = fields

    @admin.display(description=_("已锁定"), boolean=True)
    def locked(self, obj):
        return obj.locked_out

"""The mail queue (django-mailer): its app config and admin pages, in Chinese, for
superusers only.

Every mail is queued in the database in the transaction that causes it
(``EMAIL_BACKEND = "mailer.backend.DbBackend"``; the 三审 mails, news/notify.py) and
sent by ``manage.py send_mail`` (deploy/systemd/yantai-mail.timer). django-mailer
ships English names and admin pages any user with its model permissions may open,
with an action that sends the selected mails inside the request. Its app is
installed through ``MailerConfig`` below, which names the app and its models in
Chinese and replaces those admin pages by read-only ones in Chinese that only
superusers see: the messages are other people's mail. Only
``_meta.verbose_name(_plural)`` is set, never ``original_attrs`` or a field, so
the migration state of mailer is unchanged.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from mailer.apps import MailerConfig as BaseMailerConfig

from news.admin_dates import BoundedDateHierarchyMixin


class MailerConfig(BaseMailerConfig):
    verbose_name = _("邮件队列")

    def ready(self):
        super().ready()
        from mailer.models import DontSendEntry, Message, MessageLog

        names = {
            Message: (_("待发邮件"), _("待发邮件")),
            MessageLog: (_("邮件发送记录"), _("邮件发送记录")),
            DontSendEntry: (_("停发地址"), _("停发地址")),
        }
        for model, (singular, plural) in names.items():
            model._meta.verbose_name = singular
            model._meta.verbose_name_plural = plural


def admin_register() -> None:
    """Our admin pages in place of those ``mailer.admin`` registers on import (the
    admin's autodiscover imports it: ``yantai.admin_app.autodiscover``)."""
    from mailer.models import DontSendEntry, Message, MessageLog

    pages = {Message: MessageAdmin, MessageLog: MessageLogAdmin}
    # django-mailer's 停发地址 apply only to mail queued by its send_mail(): the
    # queue is written through its DbBackend, which does not read them, and each
    # user switches the 三审 mails off on 我的通知. A page that changes nothing
    # would mislead.
    if admin.site.is_registered(DontSendEntry):
        admin.site.unregister(DontSendEntry)
    for model, page in pages.items():
        if admin.site.is_registered(model):
            if isinstance(admin.site.get_model_admin(model), page):
                continue
            admin.site.unregister(model)
        admin.site.register(model, page)


class SuperuserOnlyAdmin(BoundedDateHierarchyMixin, admin.ModelAdmin):
    """Seen by superusers only, whatever permissions a group grants; nothing is
    added or edited here (the queue is written by the code that sends mail)."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class EmailColumns:
    """The columns read from the stored mail (a pickled ``EmailMessage``)."""

    @admin.display(description=_("收件人"))
    def recipients(self, obj):
        return ", ".join(obj.to_addresses or [])

    @admin.display(description=_("邮件主题"))
    def subject(self, obj):
        return obj.subject or ""

    @admin.display(description=_("正文"))
    def body(self, obj):
        email = obj.email
        return getattr(email, "body", "")


class MessageAdmin(EmailColumns, SuperuserOnlyAdmin):
    list_display = ("id", "recipients", "subject", "added", "state", "retries")
    fields = ("recipients", "subject", "added", "state", "retries", "body")
    readonly_fields = fields
    date_hierarchy = "when_added"

    @admin.display(description=_("加入队列时间"), ordering="when_added")
    def added(self, obj):
        return obj.when_added

    @admin.display(description=_("状态"), ordering="priority")
    def state(self, obj):
        from mailer.models import PRIORITY_DEFERRED

        if obj.priority == PRIORITY_DEFERRED:
            return _("发送失败，等待重试")
        return _("待发送")

    @admin.display(description=_("重试次数"), ordering="retry_count")
    def retries(self, obj):
        return obj.retry_count


class MessageLogAdmin(EmailColumns, SuperuserOnlyAdmin):
    list_display = ("id", "recipients", "subject", "attempted", "outcome", "error")
    fields = ("recipients", "subject", "attempted", "outcome", "error", "body")
    readonly_fields = fields
    date_hierarchy = "when_attempted"

    @admin.display(description=_("发送时间"), ordering="when_attempted")
    def attempted(self, obj):
        return obj.when_attempted

    @admin.display(description=_("结果"), ordering="result")
    def outcome(self, obj):
        from mailer.models import RESULT_FAILURE, RESULT_SUCCESS

        return {RESULT_SUCCESS: _("已发出"), RESULT_FAILURE: _("失败")}.get(
            obj.result, _("未发送")
        )

    @admin.display(description=_("错误信息"))
    def error(self, obj):
        return obj.log_message

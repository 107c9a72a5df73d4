"""我的通知: each staff user switches their own 三审 mails (``news.notify``) on or off,
and says which person of the bylines they are (the mails of publications that
name that person reach them too).

One page for the signed-in user only (no user in its address or form: nobody can
change another's setting), at ``/admin/my-notifications/``, linked from the user
links at the top of every admin page. ``admin_site.admin_view`` lets active staff
in (CSRF-checked); anyone else is sent to the admin login.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .models import NotificationSetting, Person
from .services import notification_setting_save


class NotificationSettingForm(forms.ModelForm):
    class Meta:
        model = NotificationSetting
        fields = ["workflow_email", "person"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        person.queryset = Person.objects.order_by("name", "note", "pk")
        person.empty_label = _("（不是署名中的人）")
        person.error_messages["invalid_choice"] = _(
            "所选的人员不存在（可能刚被删除），请重新选择。"
        )


def my_notifications_view(request):
    setting = NotificationSetting.objects.filter(user=request.user).first()
    if setting is None:
        setting = NotificationSetting(user=request.user)
    # An unticked box posts nothing: an empty POST is still the form sent.
    posted = request.method == "POST"
    form = NotificationSettingForm(request.POST if posted else None, instance=setting)
    if posted and form.is_valid():
        notification_setting_save(
            user=request.user,
            workflow_email=form.cleaned_data["workflow_email"],
            person=form.cleaned_data["person"],
        )
        messages.success(request, _("通知设置已保存。"))
        return redirect("my-notifications")
    context = {
        **admin.site.each_context(request),
        "title": _("我的通知"),
        "form": form,
        "email": request.user.email,
    }
    return TemplateResponse(request, "admin/my_notifications.html", context)

"""我的通知: each staff user's choice of the 三审 mails."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('news', '0027_site_settings_error_report'),
    ]

    operations = [
        migrations.CreateModel(
            name='NotificationSetting',
            fields=[
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='notification_setting', serialize=False, to=settings.AUTH_USER_MODEL, verbose_name='用户')),
                ('workflow_email', models.BooleanField(default=True, help_text='稿件待您审核或发布、您送审的稿件被退回或已发布时，发邮件到您的邮箱。', verbose_name='接收三审流程邮件')),
            ],
            options={
                'verbose_name': '通知设置',
                'verbose_name_plural': '通知设置',
            },
        ),
    ]

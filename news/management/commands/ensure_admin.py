"""Create the first administrator with a random password, printed once."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "若还没有超级管理员，则创建用户 admin 并打印一次随机密码。"

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(options["username"], email="", password=password)
        self.stdout.write(
            f"已创建管理员账号：{options['username']}  密码：{password}\n"
            "（只显示这一次，请妥善保存；登录后可在后台修改。）"
        )

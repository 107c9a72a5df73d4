"""MEDIA_STORAGE=s3: uploads in S3-compatible object storage, every app server
writing to one bucket (issue #14 §3; docs/deployment.md).

The settings cases run ``yantai.settings`` in a subprocess with a clean environment;
the storage cases talk over HTTP to a real S3-compatible server (tests/s3_server.py)
through django-storages and boto3, as the site does in production.
"""

from __future__ import annotations

import json
import urllib.request

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import ProtectedError
from django.test import SimpleTestCase, TestCase, override_settings

from news.images import image_create, images_delete
from tests.factories import ArticleFactory, UserFactory
from tests.news.test_images import encode, photo, upload
from tests.s3_server import BUCKET, KEYS, object_names, s3_server
from tests.test_deploy_settings import clean_env, python

SHOW = (
    "import json, yantai.settings as s; print(json.dumps({'default':"
    " s.STORAGES['default'], 'img': s.CONTENT_SECURITY_POLICY['DIRECTIVES']"
    "['img-src']}))"
)


def settings_with(**variables: str):
    return python(SHOW, clean_env(DJANGO_DEBUG="1", **variables))


class SettingsTests(SimpleTestCase):
    def test_files_on_this_host_by_default(self):
        result = settings_with()
        self.assertEqual(result.returncode, 0, result.stderr)
        shown = json.loads(result.stdout)
        self.assertEqual(
            shown["default"]["BACKEND"], "django.core.files.storage.FileSystemStorage"
        )
        self.assertEqual(shown["img"], ["'self'", "data:", "blob:"])

    def test_s3_with_an_endpoint_and_the_bucket_s_origin_allowed_for_images(self):
        result = settings_with(
            MEDIA_STORAGE="s3",
            AWS_STORAGE_BUCKET_NAME="yantai-media",
            AWS_S3_ENDPOINT_URL="https://oss-cn-qingdao.aliyuncs.com",
            AWS_S3_ADDRESSING_STYLE="virtual",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        shown = json.loads(result.stdout)
        self.assertEqual(shown["default"]["BACKEND"], "storages.backends.s3.S3Storage")
        options = shown["default"]["OPTIONS"]
        self.assertEqual(options["bucket_name"], "yantai-media")
        self.assertEqual(options["location"], "media")
        self.assertFalse(options["querystring_auth"])  # plain URLs in cached pages
        self.assertFalse(options["file_overwrite"])
        self.assertEqual(
            shown["img"][-1], "https://yantai-media.oss-cn-qingdao.aliyuncs.com"
        )

    def test_s3_behind_its_cdn(self):
        result = settings_with(
            MEDIA_STORAGE="s3",
            AWS_STORAGE_BUCKET_NAME="yantai-media",
            AWS_S3_CUSTOM_DOMAIN="img.example.gov.cn",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(
            json.loads(result.stdout)["img"][-1], "https://img.example.gov.cn"
        )

    def test_s3_without_a_bucket_or_an_unknown_storage_is_refused_clearly(self):
        result = settings_with(MEDIA_STORAGE="s3")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(
            "MEDIA_STORAGE=s3 需要设置 AWS_STORAGE_BUCKET_NAME", result.stderr
        )
        result = settings_with(MEDIA_STORAGE="ftp")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("MEDIA_STORAGE 只能是 file 或 s3", result.stderr)


class S3MediaTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = s3_server()
        cls.endpoint = cls.server.__enter__()
        options = {
            "bucket_name": BUCKET,
            "endpoint_url": cls.endpoint,
            "region_name": "us-east-1",
            "access_key": KEYS["AWS_ACCESS_KEY_ID"],
            "secret_key": KEYS["AWS_SECRET_ACCESS_KEY"],
            # What yantai/settings.py sets for MEDIA_STORAGE=s3:
            "location": "media",
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
            "object_parameters": {"CacheControl": "public, max-age=604800"},
        }
        cls.storage = override_settings(
            STORAGES={
                **settings.STORAGES,
                "default": {
                    "BACKEND": "storages.backends.s3.S3Storage",
                    "OPTIONS": options,
                },
            }
        )
        cls.storage.enable()

    @classmethod
    def tearDownClass(cls):
        cls.storage.disable()
        cls.server.__exit__(None, None, None)
        super().tearDownClass()

    def setUp(self):
        self.user = UserFactory(username="uploader")

    def test_an_upload_lands_in_the_bucket_and_pages_link_it_there(self):
        before = object_names(self.endpoint)
        image = image_create(
            file=upload("现场.jpg", encode(photo(), "JPEG", quality=90)),
            title="检验检测中心",
            alt_text="实验室里的检测设备",
            by=self.user,
        )
        stored = object_names(self.endpoint) - before
        names = {image.file.name, *(r["name"] for r in image.renditions)}
        self.assertEqual(stored, {f"media/{name}" for name in names})
        # Plain URLs into the bucket, no signature to expire in a cached page.
        url = image.file.url
        self.assertTrue(url.startswith(f"{self.endpoint}/{BUCKET}/media/images/"), url)
        self.assertNotIn("Signature", url)
        with urllib.request.urlopen(url, timeout=30) as response:
            self.assertEqual(response.headers["Content-Type"], "image/jpeg")
            self.assertEqual(
                response.headers["Cache-Control"], "public, max-age=604800"
            )
            self.assertEqual(response.read()[:3], b"\xff\xd8\xff")

        article = ArticleFactory(cover=image)
        page = self.client.get(article.get_absolute_url()).content.decode()
        webp = next(r for r in image.renditions if r["format"] == "webp")
        self.assertIn(default_storage.url(webp["name"]), page)
        self.assertIn(f'<meta property="og:image" content="{url}">', page)
        api = self.client.get(f"/api/v1/articles/{article.pk}/").json()
        self.assertIn(f"{self.endpoint}/{BUCKET}/media/", json.dumps(api))

    def test_a_refused_upload_leaves_nothing_in_the_bucket(self):
        before = object_names(self.endpoint)
        with self.assertRaises(ValidationError):
            image_create(
                file=upload("坏.jpg", b"\xff\xd8\xff" + b"\x00" * 100),
                title="坏图",
                alt_text="说明",
                by=self.user,
            )
        self.assertEqual(object_names(self.endpoint), before)

    def test_a_deleted_image_leaves_the_bucket_and_one_in_use_stays(self):
        before = object_names(self.endpoint)
        used, unused = (
            image_create(
                file=upload(f"{title}.jpg", encode(photo((400, 300)), "JPEG")),
                title=title,
                alt_text="说明",
                by=self.user,
            )
            for title in ("封面", "废图")
        )
        ArticleFactory(cover=used)
        uploaded = object_names(self.endpoint) - before

        def keys(image):
            names = {image.file.name, *(r["name"] for r in image.renditions)}
            return {f"media/{name}" for name in names}

        self.assertEqual(uploaded, keys(used) | keys(unused))
        with (
            self.assertRaises(ProtectedError),
            self.captureOnCommitCallbacks(execute=True),
        ):
            images_delete(images=[used], by=self.user)
        self.assertEqual(object_names(self.endpoint) - before, uploaded)
        with self.captureOnCommitCallbacks(execute=True):
            images_delete(images=[unused], by=self.user)
        self.assertEqual(object_names(self.endpoint) - before, keys(used))

    def test_a_report_is_written_to_the_bucket_and_linked_there(self):
        from io import StringIO

        from news import demo as news_demo
        from quality import demo

        news_demo.load()
        demo.load()
        out = StringIO()
        call_command(
            "build_report", year=str(demo.REPORT_YEAR), formats=["html"], stdout=out
        )
        url = out.getvalue().split()[0]
        self.assertTrue(url.startswith(f"{self.endpoint}/{BUCKET}/media/"), url)
        with urllib.request.urlopen(url, timeout=30) as response:
            self.assertIn(demo.REPORT_TITLE, response.read().decode())

    def test_the_backup_command_refuses_media_it_cannot_copy(self):
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "对象存储"):
            call_command("backup", "/tmp/yantai-backup-s3-test")

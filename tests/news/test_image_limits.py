"""Uploads bounded by their real cost: frames on their own, pixels over all frames.

Frames are counted from the file's structure before anything is decoded: a GIF of
400,000 1×1 frames (9.2 MB) used to pass the pixel rule, take 30 s and grow a worker by
525 MB.
"""

import io
import time

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import TestCase, override_settings
from PIL import Image as PILImage
from rest_framework import serializers as drf_serializers

from news.forms import ImageForm
from news.images import image_create
from news.models import AuditLog, Image
from tests.factories import UserFactory
from tests.news.test_images import encode, media_files
from yantai.api_urls import router

# A GIF written byte by byte: a black-and-white global palette, then frames of a
# graphic control extension (8 bytes), an image descriptor (10), the LZW code size and
# one data sub-block (5) holding clear, the pixel's index, end: 23 bytes a frame.
# Frames alternate black and white so that re-encoding keeps every one.
GIF_HEADER = (
    b"GIF89a" + b"\x01\x00\x01\x00" + b"\x80\x00\x00" + b"\x00" * 3 + b"\xff" * 3
)
GIF_FRAMES = tuple(
    b"!\xf9\x04\x04\x0a\x00\x00\x00"
    + b",\x00\x00\x00\x00\x01\x00\x01\x00\x00"
    + b"\x02\x02"
    + pixel
    + b"\x01\x00"
    for pixel in (b"\x44", b"\x4c")
)


def tiny_frames_gif(frames: int) -> bytes:
    pairs, odd = divmod(frames, 2)
    body = (GIF_FRAMES[0] + GIF_FRAMES[1]) * pairs + GIF_FRAMES[0] * odd
    return GIF_HEADER + body + b";"


def animation(fmt: str, frames: int, size=(2, 2)) -> bytes:
    """An animation of ``frames`` distinct frames, encoded by Pillow."""
    colours = [(i * 7 % 256, i * 13 % 256, i * 29 % 256) for i in range(frames)]
    images = [PILImage.new("RGB", size, colour) for colour in colours]
    return encode(images[0], fmt, save_all=True, append_images=images[1:], duration=40)


class FrameLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="uploader")

    def create(self, name, data):
        return image_create(
            file=SimpleUploadedFile(name, data),
            title="动图",
            alt_text="说明",
            by=self.user,
        )

    def assertRefused(self, name, data, message):
        before = media_files()
        with self.assertRaises(ValidationError) as caught:
            self.create(name, data)
        self.assertEqual(caught.exception.messages, [message])
        self.assertEqual(Image.objects.count(), 0)
        self.assertFalse(AuditLog.objects.exists())
        self.assertEqual(media_files(), before)

    def test_gif_of_400000_frames_is_refused_quickly(self):
        data = tiny_frames_gif(400_000)
        self.assertEqual(len(data), 9_200_020)
        started = time.perf_counter()
        self.assertRefused("bomb.gif", data, "动图帧数过多（超过 300 帧），最多 300 帧")
        # Before: 30 s and 525 MB. The walk stops at frame 301 and decodes nothing.
        self.assertLess(time.perf_counter() - started, 1.0)

    def test_gif_of_301_frames_is_refused(self):
        self.assertRefused(
            "301.gif", tiny_frames_gif(301), "动图帧数过多（超过 300 帧），最多 300 帧"
        )

    def test_gif_of_300_frames_is_stored(self):
        image = self.create("300.gif", tiny_frames_gif(300))
        stored = PILImage.open(default_storage.open(image.file.name))
        self.assertEqual(stored.n_frames, 300)
        self.assertEqual((image.width, image.height), (1, 1))

    def test_gif_frame_beyond_the_logical_screen_counts_at_its_real_size(self):
        """Pillow widens the canvas to a frame larger than the 1×1 screen: the pixel
        rule must use that size, not the header's (4 × 5000 × 5000 = 100,000,000)."""
        big = encode(PILImage.new("P", (5000, 5000)), "GIF")
        start = big.index(b",\x00\x00\x00\x00\x88\x13\x88\x13")
        big_frame = big[start:-1]  # image descriptor to the end, without the trailer
        data = GIF_HEADER + GIF_FRAMES[0] + big_frame * 3 + b";"
        self.assertLess(len(data), 200_000)
        self.assertRefused("wide.gif", data, "像素过多：100,000,000，上限 30,000,000")

    def test_gif_frames_beyond_the_screen_count_in_the_memory_estimate(self):
        """Under the pixel cap (3 × 3000 × 3000 = 27,000,000) but over the memory
        estimate of a GIF animation of that canvas, not of the 1×1 screen."""
        big = encode(PILImage.new("P", (3000, 3000)), "GIF")
        start = big.index(b",\x00\x00\x00\x00\xb8\x0b\xb8\x0b")
        data = GIF_HEADER + GIF_FRAMES[0] + big[start:-1] * 2 + b";"
        self.assertRefused(
            "wide.gif",
            data,
            "像素过多：27,000,000，GIF 动图处理时占用内存较多，上限 26,600,000",
        )

    def test_apng_of_301_frames_is_refused_with_its_count(self):
        data = animation("PNG", 301)
        self.assertEqual(PILImage.open(io.BytesIO(data)).n_frames, 301)
        self.assertRefused("anim.png", data, "动图帧数过多（301 帧），最多 300 帧")

    def test_apng_of_300_frames_is_stored(self):
        image = self.create("anim.png", animation("PNG", 300))
        self.assertEqual(
            PILImage.open(default_storage.open(image.file.name)).n_frames, 300
        )

    def test_animated_webp_of_301_frames_is_refused(self):
        data = animation("WEBP", 301)
        self.assertEqual(PILImage.open(io.BytesIO(data)).n_frames, 301)
        self.assertRefused(
            "anim.webp", data, "动图帧数过多（超过 300 帧），最多 300 帧"
        )

    def test_animated_webp_of_300_frames_is_stored(self):
        image = self.create("anim.webp", animation("WEBP", 300))
        self.assertEqual(
            PILImage.open(default_storage.open(image.file.name)).n_frames, 300
        )

    @override_settings(IMAGE_MAX_FRAMES=10)
    def test_the_limit_is_a_setting(self):
        self.assertRefused(
            "11.gif", tiny_frames_gif(11), "动图帧数过多（超过 10 帧），最多 10 帧"
        )
        self.assertRefused(
            "11.png", animation("PNG", 11), "动图帧数过多（11 帧），最多 10 帧"
        )
        self.create("10.gif", tiny_frames_gif(10))


class CostLimitTests(TestCase):
    """Formats that cost more memory per pixel have a lower pixel limit, named in the
    message (news.images._cost_per_pixel; docs/benchmarks.md)."""

    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="uploader")

    def assertRefused(self, name, data, message):
        before = media_files()
        with self.assertRaises(ValidationError) as caught:
            image_create(
                file=SimpleUploadedFile(name, data), title="图", alt_text="说明"
            )
        self.assertEqual(caught.exception.messages, [message])
        self.assertEqual(Image.objects.count(), 0)
        self.assertEqual(media_files(), before)

    def test_webp_over_its_limit(self):
        """A 1600×1600 WebP decodes and re-encodes at up to ~55 bytes a pixel."""
        data = encode(PILImage.new("RGB", (1600, 1600), "red"), "WEBP")
        self.assertRefused(
            "big.webp",
            data,
            "像素过多：2,560,000，WebP 图片处理时占用内存较多，上限 1,900,000",
        )

    def test_progressive_jpeg_over_its_limit(self):
        """libjpeg keeps every coefficient of a progressive file: 6 more bytes a
        pixel for 4:4:4 RGB."""
        data = encode(
            PILImage.new("RGB", (3500, 3500), "red"),
            "JPEG",
            progressive=True,
            subsampling=0,
        )
        self.assertRefused(
            "big.jpg",
            data,
            "像素过多：12,250,000，渐进式 JPEG 图片处理时占用内存较多，上限 12,000,000",
        )

    def test_animated_png_over_its_limit(self):
        """The APNG writer keeps every frame in RGBA: 2 frames of 2500×2500."""
        frames = [PILImage.new("RGBA", (2500, 2500), c) for c in ("red", "blue")]
        data = encode(frames[0], "PNG", save_all=True, append_images=frames[1:])
        self.assertRefused(
            "anim.png",
            data,
            "像素过多：12,500,000，PNG 动图处理时占用内存较多，上限 9,300,000",
        )

    def test_long_image_costs_its_full_size_renditions(self):
        """Under 2 × 1,280 px wide the renditions are resampled from the full-size
        image (an intermediate and a result as large as it): 1080×20000 was 313 MB."""
        data = encode(PILImage.new("RGB", (1080, 20000), "red"), "JPEG")
        self.assertRefused(
            "long.jpg",
            data,
            "像素过多：21,600,000，JPEG 图片处理时占用内存较多，上限 8,500,000",
        )

    def test_long_image_gets_jpeg_renditions_only(self):
        """WebP cannot hold 1080×7000 cheaply (~20 bytes a pixel to encode): the
        renditions of a long image are JPEG alone, so its one srcset has every
        width."""
        data = encode(PILImage.new("RGB", (1080, 7000), "red"), "JPEG")
        image = image_create(
            file=SimpleUploadedFile("long.jpg", data), title="长图", alt_text="说明"
        )
        self.assertEqual(
            [(r["width"], r["format"]) for r in image.renditions],
            [(320, "jpeg"), (640, "jpeg"), (960, "jpeg"), (1080, "jpeg")],
        )

    def test_side_longer_than_a_jpeg_can_hold(self):
        """Its JPEG renditions could not be written: a clear refusal, not 图片文件不完整."""
        data = encode(PILImage.new("1", (1, 70_000)), "PNG")
        self.assertRefused(
            "thread.png", data, "图片边长过大：70,000 像素，上限 65,535 像素"
        )

    def test_baseline_jpeg_keeps_the_general_limit(self):
        data = encode(PILImage.new("RGB", (3500, 3500), "red"), "JPEG")
        image = image_create(
            file=SimpleUploadedFile("big.jpg", data), title="图", alt_text="说明"
        )
        self.assertEqual((image.width, image.height), (3500, 3500))


class MultiPictureTests(TestCase):
    def test_multi_picture_jpeg_is_stored_as_its_first_picture(self):
        """Phones add a gain map or depth image (MPF); Pillow opens such a JPEG as
        MPO, which used to be a KeyError (a 500)."""
        first = PILImage.new("RGB", (100, 80), "red")
        second = PILImage.new("RGB", (100, 80), "blue")
        data = encode(first, "MPO", save_all=True, append_images=[second])
        self.assertEqual(PILImage.open(io.BytesIO(data)).format, "MPO")
        image = image_create(
            file=SimpleUploadedFile("phone.jpg", data), title="图", alt_text="说明"
        )
        stored = PILImage.open(default_storage.open(image.file.name))
        self.assertEqual(stored.format, "JPEG")
        self.assertEqual(getattr(stored, "n_frames", 1), 1)
        self.assertGreater(stored.convert("RGB").getpixel((50, 40))[0], 200)


class FrameLimitAdminTests(TestCase):
    """The admin's upload form (the only upload path) shows the same message."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(username="root", is_staff=True, is_superuser=True)

    def test_the_form_names_the_limits(self):
        self.client.force_login(self.admin)
        self.assertContains(
            self.client.get("/admin/news/image/add/"),
            "不超过 10 MB、3000 万像素（动图按各帧合计，处理时更占内存的格式上限更低）、300 帧。",
        )

    def test_frame_bomb_shows_the_message_on_the_field(self):
        self.client.force_login(self.admin)
        before = media_files()
        response = self.client.post(
            "/admin/news/image/add/",
            {
                "title": "动图",
                "alt_text": "说明",
                "caption": "",
                "credit": "",
                "file": SimpleUploadedFile("bomb.gif", tiny_frames_gif(400_000)),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["adminform"].form.errors["file"],
            ["动图帧数过多（超过 300 帧），最多 300 帧"],
        )
        self.assertEqual(Image.objects.count(), 0)
        self.assertFalse(AuditLog.objects.exists())
        self.assertEqual(media_files(), before)


class UploadPathTests(TestCase):
    """Every way a file gets into the site goes through ``process_image_upload``."""

    def test_the_image_file_is_the_only_file_field_that_takes_uploads(self):
        file_fields = [
            f"{model._meta.label}.{field.name}"
            for model in apps.get_models()
            for field in model._meta.get_fields()
            if isinstance(field, models.FileField) and field.editable
        ]
        self.assertEqual(file_fields, ["news.Image.file"])
        # The generated report files are written by the generator only: no model
        # form (admin) can take an upload into them.
        generated = [
            f"{model._meta.label}.{field.name}"
            for model in apps.get_models()
            for field in model._meta.get_fields()
            if isinstance(field, models.FileField) and not field.editable
        ]
        self.assertEqual(
            sorted(generated),
            [
                "quality.ReportVersion.docx_file",
                "quality.ReportVersion.html_file",
                "quality.ReportVersion.pdf_file",
            ],
        )

    def test_the_admin_uploads_through_the_validating_form(self):
        self.assertIs(admin.site._registry[Image].form, ImageForm)
        inlines_of_images = [
            inline
            for model_admin in admin.site._registry.values()
            for inline in model_admin.inlines
            if inline.model is Image
        ]
        self.assertEqual(inlines_of_images, [])

    def test_the_api_takes_no_file(self):
        for prefix, viewset, _basename in router.registry:
            serializer = viewset.serializer_class
            with self.subTest(prefix):
                writable_files = [
                    name
                    for name, field in serializer().fields.items()
                    if not field.read_only
                    and isinstance(field, drf_serializers.FileField)
                ]
                self.assertEqual(writable_files, [])

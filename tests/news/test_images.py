"""Image uploads: validation by content, re-encoding, renditions and serving."""

import io
import os
import re
import struct
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import TestCase
from PIL import Image as PILImage
from PIL import ImageCms, ImageFile, ImageOps

from news.images import image_create
from news.models import AuditLog, Image
from tests.factories import ArticleFactory, UserFactory

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def encode(image: PILImage.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def photo(size=(1500, 1000)) -> PILImage.Image:
    """A small photo-like image: a gradient, so JPEG has something to encode."""
    return PILImage.linear_gradient("L").resize(size).convert("RGB")


def display_p3_profile() -> bytes:
    """An ICC profile with Display P3's primaries (an iPhone's photos carry one):
    Pillow's built-in sRGB profile with its colourants moved to P3's."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    colourants = {
        b"rXYZ": (0.51512, 0.24120, -0.00105),
        b"gXYZ": (0.29198, 0.69225, 0.04189),
        b"bXYZ": (0.15710, 0.06657, 0.78407),
    }
    (count,) = struct.unpack_from(">I", data, 128)
    for i in range(count):
        tag, offset, _size = struct.unpack_from(">4sII", data, 132 + 12 * i)
        if tag in colourants:
            xyz = (round(v * 65536) for v in colourants[tag])
            struct.pack_into(">3i", data, offset + 8, *xyz)
    return bytes(data)


def as_displayed(image: PILImage.Image) -> PILImage.Image:
    """``image`` as a browser shows it: in sRGB, after its own ICC profile if any."""
    icc = image.info.get("icc_profile")
    if not icc:
        return image
    return ImageCms.profileToProfile(
        image,
        ImageCms.ImageCmsProfile(io.BytesIO(icc)),
        ImageCms.createProfile("sRGB"),
        outputMode=image.mode,
    )


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {
        str(Path(dirpath, f).relative_to(root))
        for dirpath, _, files in os.walk(root)
        for f in files
    }


class ImageRefusalTests(TestCase):
    """Every bad upload is refused with its own message, and nothing is stored."""

    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="uploader")

    def assertRefused(self, file, message):
        before = media_files()
        with self.assertRaises(ValidationError) as caught:
            image_create(file=file, title="测试图片", alt_text="说明", by=self.user)
        self.assertEqual(caught.exception.messages, [message])
        self.assertEqual(Image.objects.count(), 0)
        self.assertEqual(media_files(), before)

    def test_pixel_bomb_is_refused_from_the_header(self):
        """A 10,000×10,000 PNG compresses to a few KB; it must never be decoded."""
        data = encode(PILImage.new("1", (10_000, 10_000)), "PNG")
        self.assertLess(len(data), 500_000)
        self.assertRefused(
            upload("bomb.png", data), "像素过多：100,000,000，上限 30,000,000"
        )

    def test_pixels_just_over_the_cap_are_refused(self):
        """Between the cap and Pillow's own error threshold (a warning there)."""
        data = encode(PILImage.new("L", (6000, 5001)), "PNG")
        self.assertRefused(
            upload("wide.png", data), "像素过多：30,006,000，上限 30,000,000"
        )

    def test_frames_count_towards_the_pixel_cap(self):
        frames = [PILImage.new("L", (2000, 2000), i * 10) for i in range(8)]
        data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
        self.assertRefused(
            upload("anim.gif", data), "像素过多：32,000,000，上限 30,000,000"
        )

    def test_truncated_jpeg(self):
        data = encode(photo(), "JPEG")
        self.assertRefused(
            upload("cut.jpg", data[: len(data) // 2]), "图片文件不完整或已损坏"
        )

    def test_truncated_jpeg_after_a_library_turned_on_truncated_loading(self):
        """Importing WeasyPrint (the report's PDF) sets Pillow's process-wide
        LOAD_TRUNCATED_IMAGES; an upload must still be refused."""
        self.addCleanup(setattr, ImageFile, "LOAD_TRUNCATED_IMAGES", False)
        ImageFile.LOAD_TRUNCATED_IMAGES = True
        data = encode(photo(), "JPEG")
        self.assertRefused(
            upload("cut.jpg", data[: len(data) // 2]), "图片文件不完整或已损坏"
        )
        self.assertTrue(ImageFile.LOAD_TRUNCATED_IMAGES)  # left as it was found

    def test_truncated_header(self):
        data = encode(photo(), "PNG")
        self.assertRefused(upload("cut.png", data[:20]), "图片文件不完整或已损坏")

    def test_tiff_renamed_jpg(self):
        data = encode(photo((40, 30)), "TIFF")
        self.assertRefused(
            upload("photo.jpg", data), "文件内容是 TIFF 图片，不是 JPEG/PNG/WebP/GIF"
        )

    def test_bmp_renamed_png(self):
        data = encode(photo((40, 30)), "BMP")
        self.assertRefused(
            upload("photo.png", data), "文件内容是 BMP 图片，不是 JPEG/PNG/WebP/GIF"
        )

    def test_tga_renamed_jpg_is_not_opened(self):
        """TGA has no signature; its decoder is never tried."""
        data = encode(photo((40, 30)), "TGA")
        self.assertRefused(
            upload("photo.jpg", data), "无法识别文件内容：不是 JPEG/PNG/WebP/GIF 图片"
        )

    def test_png_named_jpg(self):
        data = encode(photo((40, 30)), "PNG")
        self.assertRefused(
            upload("photo.jpg", data), "扩展名 .jpg 与文件内容（PNG）不符"
        )

    def test_unsupported_extension(self):
        data = encode(photo((40, 30)), "PNG")
        self.assertRefused(
            upload("photo.bmp", data),
            "不支持扩展名 .bmp，只接受 .jpg、.jpeg、.png、.webp、.gif",
        )

    def test_svg_with_script(self):
        svg = (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
            b"<script>alert(document.cookie)</script></svg>"
        )
        self.assertRefused(upload("logo.svg", svg), "不支持 SVG 图片")
        self.assertRefused(
            upload("logo.png", b"<?xml version='1.0'?>\n" + svg), "不支持 SVG 图片"
        )

    def test_oversize_file(self):
        data = b"\xff\xd8\xff\xe0" + os.urandom(int(12.3 * 1024 * 1024))
        self.assertRefused(upload("huge.jpg", data), "文件过大：12.3 MB，上限 10 MB")

    def test_empty_file(self):
        self.assertRefused(upload("empty.jpg", b""), "文件是空的")

    def test_alt_text_required_unless_decorative(self):
        before = media_files()
        data = encode(photo((40, 30)), "PNG")
        with self.assertRaises(ValidationError) as caught:
            image_create(file=upload("a.png", data), title="无替代文字", by=self.user)
        self.assertIn("请填写替代文字，或勾选“装饰性”。", caught.exception.messages)
        self.assertEqual(Image.objects.count(), 0)
        self.assertEqual(media_files(), before)


class ImageCreateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="photographer")

    def create(self, name, data, **kwargs):
        kwargs.setdefault("alt_text", "烟台港码头")
        return image_create(
            file=upload(name, data), title="烟台港", by=self.user, **kwargs
        )

    def test_appended_script_does_not_survive(self):
        """Accepted, but re-encoded: the stored bytes end where the image ends."""
        data = encode(photo(), "JPEG") + b"<script>alert(1)</script>"
        image = self.create("port.jpg", data)
        stored = default_storage.open(image.file.name).read()
        self.assertNotIn(b"<script>", stored)
        self.assertTrue(stored.startswith(b"\xff\xd8\xff"))
        self.assertTrue(stored.endswith(b"\xff\xd9"))
        for rendition in image.renditions:
            self.assertNotIn(
                b"<script>", default_storage.open(rendition["name"]).read()
            )

    def test_gps_and_other_exif_are_stripped(self):
        exif = PILImage.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0xA431] = "SERIAL-1234567"  # BodySerialNumber
        gps = exif.get_ifd(GPS_IFD)
        gps[1] = "N"
        gps[2] = (37.0, 32.0, 10.5)
        gps[3] = "E"
        gps[4] = (121.0, 26.0, 3.2)
        data = encode(photo(), "JPEG", exif=exif.tobytes())
        self.assertIn(GPS_IFD, PILImage.open(io.BytesIO(data)).getexif())

        image = self.create("gps.jpg", data)

        stored = default_storage.open(image.file.name).read()
        reopened = PILImage.open(io.BytesIO(stored))
        self.assertEqual(dict(reopened.getexif()), {})
        self.assertNotIn(b"SERIAL-1234567", stored)
        self.assertNotIn(b"PhoneMaker", stored)

    def test_exif_orientation_is_applied(self):
        """Orientation 6 (camera held upright): what the site serves is upright.

        The original keeps its pixels as shot with an EXIF block that holds only
        the orientation (turning a 40-megapixel image would need a second copy in
        memory); the renditions are turned.
        """
        landscape = PILImage.new("RGB", (400, 200), (255, 0, 0))
        landscape.paste((0, 0, 255), (0, 0, 200, 200))  # left half blue
        exif = PILImage.Exif()
        exif[ORIENTATION] = 6
        exif[0x010F] = "PhoneMaker"  # Make: dropped
        image = self.create("turn.jpg", encode(landscape, "JPEG", exif=exif.tobytes()))

        self.assertEqual((image.width, image.height), (200, 400))
        stored = PILImage.open(default_storage.open(image.file.name))
        self.assertEqual(stored.size, (400, 200))
        self.assertEqual(dict(stored.getexif()), {ORIENTATION: 6})
        self.assertEqual(ImageOps.exif_transpose(stored).size, (200, 400))
        self.assertEqual(
            {(r["width"], r["height"]) for r in image.renditions}, {(200, 400)}
        )
        for r in image.renditions:
            rendition = PILImage.open(default_storage.open(r["name"])).convert("RGB")
            self.assertEqual(rendition.size, (200, 400))
            self.assertEqual(dict(rendition.getexif()), {})
            # Rotated 90° clockwise: the blue left half is now on top.
            top, bottom = rendition.getpixel((100, 50)), rendition.getpixel((100, 350))
            self.assertGreater(top[2], 200)
            self.assertGreater(bottom[0], 200)

    def test_every_orientation_gives_upright_renditions(self):
        """Renditions match Pillow's own exif_transpose for orientations 2–8."""
        shot = PILImage.new("RGB", (1600, 800), (255, 0, 0))
        shot.paste((0, 0, 255), (0, 0, 800, 400))  # top-left quarter blue
        for orientation in range(2, 9):
            with self.subTest(orientation=orientation):
                exif = PILImage.Exif()
                exif[ORIENTATION] = orientation
                data = encode(shot, "JPEG", exif=exif.tobytes())
                expected = ImageOps.exif_transpose(PILImage.open(io.BytesIO(data)))
                image = self.create(f"o{orientation}.jpg", data)
                self.assertEqual((image.width, image.height), expected.size)
                widest = max(
                    (r for r in image.renditions if r["format"] == "jpeg"),
                    key=lambda r: r["width"],
                )
                rendition = PILImage.open(default_storage.open(widest["name"]))
                scale = rendition.width / expected.width
                for x, y in ((0.1, 0.1), (0.9, 0.1), (0.1, 0.9), (0.9, 0.9)):
                    got = rendition.getpixel(
                        (int(x * rendition.width), int(y * rendition.height))
                    )
                    want = expected.getpixel(
                        (int(x * expected.width), int(y * expected.height))
                    )
                    self.assertEqual(
                        (got[2] > 128, got[0] > 128), (want[2] > 128, want[0] > 128)
                    )
                self.assertAlmostEqual(
                    rendition.height, round(expected.height * scale), delta=1
                )

    def test_renditions_are_stored_and_recorded(self):
        image = self.create("wide.jpg", encode(photo((1500, 1000)), "JPEG"))

        self.assertEqual((image.width, image.height), (1500, 1000))
        self.assertTrue(image.file.name.endswith(".jpg"))
        self.assertNotIn("wide", image.file.name)  # uploader's name is not kept
        self.assertEqual(
            [(r["width"], r["height"], r["format"]) for r in image.renditions],
            [
                (320, 213, "webp"),
                (320, 213, "jpeg"),
                (640, 427, "webp"),
                (640, 427, "jpeg"),
                (960, 640, "webp"),
                (960, 640, "jpeg"),
                (1280, 853, "webp"),
                (1280, 853, "jpeg"),
            ],
        )
        for r in image.renditions:
            with default_storage.open(r["name"]) as f:
                stored = PILImage.open(f)
                self.assertEqual(stored.format, r["format"].upper())
                self.assertEqual(stored.size, (r["width"], r["height"]))
        image.refresh_from_db()
        self.assertEqual(len(image.renditions), 8)
        self.assertEqual(image.uploaded_by, self.user)

    def test_narrow_transparent_png_gets_png_fallback_at_its_own_width(self):
        data = encode(PILImage.new("RGBA", (700, 350), (0, 128, 0, 100)), "PNG")
        image = self.create("logo.png", data)
        self.assertEqual(
            [(r["width"], r["format"]) for r in image.renditions],
            [
                (320, "webp"),
                (320, "png"),
                (640, "webp"),
                (640, "png"),
                (700, "webp"),
                (700, "png"),
            ],
        )

    def test_16_bit_grey_png_keeps_its_greys_in_the_renditions(self):
        """A scanner's 16-bit greyscale PNG: mid grey stays mid grey, small or wide
        (converting 16-bit values to RGB clips every one above 255 to white)."""
        for size in ((400, 300), (3000, 200)):
            with self.subTest(size=size):
                grey = PILImage.new("I;16", size, 40000)  # 61 % grey
                dark_half = PILImage.new("I;16", (size[0] // 2, size[1]), 10000)
                grey.paste(dark_half, (0, 0))
                image = self.create("scan.png", encode(grey, "PNG"))
                stored = PILImage.open(default_storage.open(image.file.name))
                self.assertEqual(stored.getpixel((size[0] - 1, 0)), 40000)
                for r in image.renditions:
                    rendition = PILImage.open(default_storage.open(r["name"]))
                    rendition = rendition.convert("L")
                    dark = rendition.getpixel((rendition.width // 4, 2))
                    light = rendition.getpixel((rendition.width * 3 // 4, 2))
                    self.assertAlmostEqual(dark, 10000 // 256, delta=3)
                    self.assertAlmostEqual(light, 40000 // 256, delta=3)

    def test_renditions_show_the_colours_of_a_wide_gamut_photo(self):
        """A Display P3 photo (every recent iPhone's): the renditions the site serves
        show its colours, not its numbers read as sRGB (duller, shifted)."""
        p3 = display_p3_profile()
        srgb = ImageCms.createProfile("sRGB")
        for fmt, name, mode, colour in (
            ("JPEG", "p3.jpg", "RGB", (40, 160, 90)),
            ("PNG", "p3.png", "RGBA", (40, 160, 90, 200)),
        ):
            with self.subTest(fmt=fmt):
                shot = PILImage.new(mode, (800, 600), colour)
                expected = ImageCms.profileToProfile(
                    shot,
                    ImageCms.ImageCmsProfile(io.BytesIO(p3)),
                    srgb,
                    outputMode=mode,
                ).getpixel((0, 0))
                self.assertGreater(abs(expected[0] - colour[0]), 30)
                image = self.create(name, encode(shot, fmt, icc_profile=p3))
                stored = PILImage.open(default_storage.open(image.file.name))
                self.assertEqual(stored.info.get("icc_profile"), p3)
                for r in image.renditions:
                    rendition = as_displayed(
                        PILImage.open(default_storage.open(r["name"])).convert(mode)
                    )
                    got = rendition.getpixel((10, 10))
                    for channel, want in zip(got, expected, strict=True):
                        self.assertAlmostEqual(channel, want, delta=6, msg=r)

    def test_animated_gif_keeps_its_frames(self):
        colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
        frames = [PILImage.new("RGB", (100, 80), c) for c in colours]
        data = encode(
            frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100
        )
        self.assertEqual(PILImage.open(io.BytesIO(data)).n_frames, 3)
        image = self.create("anim.gif", data, alt_text="", is_decorative=True)
        stored = PILImage.open(default_storage.open(image.file.name))
        self.assertEqual(stored.n_frames, 3)
        self.assertEqual(image.alt_text, "")

    def test_webp_upload(self):
        image = self.create("p.webp", encode(photo((500, 300)), "WEBP"))
        self.assertTrue(image.file.name.endswith(".webp"))

    def test_database_failure_leaves_no_file(self):
        """A row that cannot be saved removes the files already written."""
        before = media_files()
        data = encode(photo((400, 300)), "JPEG")
        with self.assertRaises(ValidationError):
            image_create(
                file=upload("x.jpg", data), title="x" * 300, alt_text="a", by=self.user
            )
        self.assertEqual(Image.objects.count(), 0)
        self.assertEqual(media_files(), before)


class ImageMemoryTests(TestCase):
    def test_largest_allowed_upload_stays_under_150_mb(self):
        """A 5477×5477 JPEG (29,997,529 pixels) is processed in a fresh process."""
        from bench.image_upload_memory import measure

        result = measure(5477, 5477)
        self.assertEqual((result["width"], result["height"]), (5477, 5477))
        self.assertLess(result["upload_peak_mb"], 150)


class ImageAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(username="root", is_staff=True, is_superuser=True)

    def setUp(self):
        self.client.force_login(self.admin)

    def post(self, file, follow=False, **fields):
        data = {"title": "港口", "alt_text": "烟台港码头", "caption": "", "credit": ""}
        data.update(fields)
        data["file"] = file
        return self.client.post("/admin/news/image/add/", data, follow=follow)

    def test_bomb_upload_shows_the_message_on_the_field(self):
        before = media_files()
        data = encode(PILImage.new("1", (10_000, 10_000)), "PNG")
        response = self.post(upload("bomb.png", data))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["adminform"].form.errors["file"],
            ["像素过多：100,000,000，上限 30,000,000"],
        )
        self.assertContains(response, "像素过多：100,000,000，上限 30,000,000")
        self.assertEqual(Image.objects.count(), 0)
        self.assertEqual(media_files(), before)
        self.assertFalse(
            AuditLog.objects.filter(action=AuditLog.Action.UPLOAD).exists()
        )

    def test_png_named_jpg_shows_the_message(self):
        response = self.post(upload("a.jpg", encode(photo((40, 30)), "PNG")))
        self.assertContains(response, "扩展名 .jpg 与文件内容（PNG）不符")
        self.assertEqual(Image.objects.count(), 0)

    def test_missing_alt_text_is_a_field_error(self):
        before = media_files()
        response = self.post(
            upload("a.jpg", encode(photo((40, 30)), "JPEG")), alt_text=""
        )
        self.assertEqual(
            response.context["adminform"].form.errors["alt_text"],
            ["请填写替代文字，或勾选“装饰性”（纯装饰、不传达信息的图片）。"],
        )
        self.assertEqual(Image.objects.count(), 0)
        self.assertEqual(media_files(), before)

    def test_animated_upload_is_stored_with_a_first_frame_warning(self):
        frames = [PILImage.new("RGB", (120, 80), c) for c in ("red", "blue")]
        data = encode(
            frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100
        )
        self.assertEqual(PILImage.open(io.BytesIO(data)).n_frames, 2)
        response = self.post(upload("anim.gif", data), title="烟花", follow=True)
        image = Image.objects.get()
        self.assertEqual(
            PILImage.open(default_storage.open(image.file.name)).n_frames, 2
        )
        shown = [(m.level_tag, m.message) for m in response.context["messages"]]
        self.assertIn(
            (
                "warning",
                "“烟花”是动图（2 帧）：原图保留了全部帧，"
                "但网站上只显示第一帧，不会播放动画。",
            ),
            shown,
        )
        self.assertNotIn("error", [level for level, _message in shown])
        # A still image gets no such warning.
        response = self.post(
            upload("still.gif", encode(frames[0], "GIF")), title="静图", follow=True
        )
        self.assertEqual(Image.objects.count(), 2)
        shown = [m.level_tag for m in response.context["messages"]]
        self.assertNotIn("warning", shown)

    def test_an_upload_in_english_is_audited_in_chinese(self):
        data = encode(photo((1000, 600)), "JPEG")
        response = self.client.post(
            "/admin/news/image/add/",
            {"title": "港口", "alt_text": "烟台港码头", "file": upload("a.jpg", data)},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertTrue(
            any(
                "was added successfully" in str(m) for m in response.context["messages"]
            )
        )
        log = AuditLog.objects.get(action=AuditLog.Action.UPLOAD)
        self.assertEqual((log.object_type, log.summary), ("图片", "1000×600，8 个尺寸"))

    def test_good_upload_is_stored_with_renditions(self):
        data = encode(photo((1000, 600)), "JPEG") + b"<script>x</script>"
        response = self.post(upload("good.jpg", data), credit="YMG全媒体记者 唐克 摄")
        self.assertEqual(response.status_code, 302)
        image = Image.objects.get()
        self.assertEqual(image.uploaded_by, self.admin)
        self.assertEqual(image.credit, "YMG全媒体记者 唐克 摄")
        self.assertEqual(len(image.renditions), 8)  # 320, 640, 960, 1000 × 2
        self.assertNotIn(b"<script>", default_storage.open(image.file.name).read())
        log = AuditLog.objects.get(action=AuditLog.Action.UPLOAD)
        self.assertEqual(
            (log.user, log.object_id, log.object_repr),
            (self.admin, str(image.pk), "港口"),
        )
        self.assertEqual(log.summary, "1000×600，8 个尺寸")
        # The change form edits the metadata only; the file stays.
        url = f"/admin/news/image/{image.pk}/change/"
        page = self.client.get(url)
        self.assertContains(page, default_storage.url(image.renditions[0]["name"]))
        response = self.client.post(
            url, {"title": "新标题", "alt_text": "码头", "caption": "", "credit": ""}
        )
        self.assertEqual(response.status_code, 302)
        image.refresh_from_db()
        self.assertEqual(image.title, "新标题")


class PictureTagTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.image = image_create(
            file=upload("cover.jpg", encode(photo((1400, 700)), "JPEG")),
            title="封面",
            alt_text="烟台山灯塔",
            caption="烟台山",
            credit="张三 摄",
        )

    def render(self, source, **context):
        return Template("{% load news_tags %}" + source).render(Context(context))

    def test_picture_has_srcset_sizes_dimensions_and_lazy_loading(self):
        html = self.render('{% picture image sizes="50vw" %}', image=self.image)
        webp = re.search(
            r'<source type="image/webp" srcset="([^"]+)" sizes="50vw">', html
        )
        self.assertIsNotNone(webp)
        self.assertEqual(
            [part.rsplit(" ", 1)[1] for part in webp.group(1).split(", ")],
            ["320w", "640w", "960w", "1280w"],
        )
        self.assertIn('<source type="image/jpeg"', html)
        self.assertIn('alt="烟台山灯塔"', html)
        self.assertIn('width="1400" height="700"', html)
        self.assertIn('loading="lazy"', html)
        self.assertIn(default_storage.url(self.image.renditions[-1]["name"]), html)

    def test_decorative_image_has_empty_alt(self):
        self.image.is_decorative = True
        html = self.render("{% picture image %}", image=self.image)
        self.assertIn('alt=""', html)

    def test_article_page_uses_the_picture_for_its_cover(self):
        article = ArticleFactory(cover=self.image)
        response = self.client.get(article.get_absolute_url())
        self.assertContains(response, '<source type="image/webp"')
        self.assertContains(response, 'width="1400" height="700"')
        self.assertContains(response, "烟台山 张三 摄")

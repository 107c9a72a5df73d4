"""Library images inside article bodies: the picker and the responsive picture."""

import io
import re

from django.test import TestCase
from PIL import Image as PILImage

from news.images import image_create
from news.models import Article, Image
from tests.factories import ArticleFactory, UserFactory, png_file, staff_in_group


def library_image(title="烟台港", **fields) -> Image:
    buffer = io.BytesIO()
    PILImage.linear_gradient("L").resize((1400, 900)).convert("RGB").save(
        buffer, "JPEG"
    )
    upload = png_file("photo.jpg")
    upload.file = io.BytesIO(buffer.getvalue())
    upload.size = len(buffer.getvalue())
    fields.setdefault("alt_text", "烟台港集装箱码头")
    return image_create(file=upload, title=title, **fields)


def figure(image_id, alt="", caption="图片说明") -> str:
    return (
        f'<figure><img src="/media/x.jpg" alt="{alt}" data-file="{image_id}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


class BodyImageTests(TestCase):
    def test_library_image_becomes_a_responsive_picture(self):
        image = library_image(credit="YMG全媒体记者 唐克 摄")
        article = ArticleFactory(body="<p>正文</p>" + figure(image.pk))
        body = Article.objects.get(pk=article.pk).body
        webp = [r for r in image.renditions if r["format"] == "webp"]
        jpeg = [r for r in image.renditions if r["format"] == "jpeg"]
        self.assertEqual([r["width"] for r in webp], [320, 640, 960, 1280])
        self.assertIn('<source type="image/webp" srcset="', body)
        for rendition in webp + jpeg:
            self.assertIn(f"/media/{rendition['name']} {rendition['width']}w", body)
        img = re.search(r"<img [^>]*>", body).group(0)
        self.assertIn(f'src="/media/{jpeg[-1]["name"]}"', img)
        self.assertIn('alt="烟台港集装箱码头"', img)
        self.assertIn('width="1400" height="900"', img)
        self.assertIn('loading="lazy"', img)
        self.assertIn(f'data-file="{image.pk}"', img)
        self.assertIn("<figcaption>图片说明</figcaption></figure>", body)

    def test_saving_again_gives_the_same_body(self):
        image = library_image()
        article = ArticleFactory(body=figure(image.pk))
        first = Article.objects.get(pk=article.pk).body
        article.refresh_from_db()
        article.save()
        self.assertEqual(Article.objects.get(pk=article.pk).body, first)
        self.assertEqual(first.count("<picture>"), 1)

    def test_alt_text_of_the_editor_wins_and_decorative_images_have_none(self):
        image = library_image()
        decorative = library_image(title="花边", alt_text="", is_decorative=True)
        article = ArticleFactory(
            body=figure(image.pk, alt="码头上的吊机 &amp; 货轮")
            + figure(decorative.pk, alt="不该出现")
        )
        body = Article.objects.get(pk=article.pk).body
        self.assertIn('alt="码头上的吊机 &amp; 货轮"', body)
        self.assertNotIn("不该出现", body)
        self.assertEqual(body.count('alt=""'), 1)

    def test_body_keeps_its_alt_when_the_library_alt_changes(self):
        # The picker fills in the library's alt at insertion; from then on the alt
        # is the article's (an editor may have tailored it). Editing the library's
        # alt changes no body, live or at a later save.
        image = library_image()
        article = ArticleFactory(
            body=figure(image.pk, alt="烟台港集装箱码头") + figure(image.pk, alt="")
        )
        self.client.force_login(
            UserFactory(username="root", is_staff=True, is_superuser=True)
        )
        response = self.client.post(
            f"/admin/news/image/{image.pk}/change/",
            {"title": image.title, "alt_text": "烟台港的新码头", "caption": ""},
        )
        self.assertEqual(response.status_code, 302)
        image.refresh_from_db()
        self.assertEqual(image.alt_text, "烟台港的新码头")
        body = Article.objects.get(pk=article.pk).body
        self.assertEqual(body.count('alt="烟台港集装箱码头"'), 2)
        article.refresh_from_db()
        article.save()
        body = Article.objects.get(pk=article.pk).body
        # The alt written in the body stays, and so does the one an empty alt
        # took from the library at the first save.
        self.assertEqual(body.count('alt="烟台港集装箱码头"'), 2)
        self.assertNotIn("烟台港的新码头", body)

    def test_unknown_or_malformed_library_ids_are_left_alone(self):
        article = ArticleFactory(
            body='<figure><img src="/media/a.jpg" alt="甲" data-file="999999"></figure>'
            '<p><img src="/media/b.jpg" alt="乙" data-file="1 onerror=alert(1)"></p>'
        )
        body = Article.objects.get(pk=article.pk).body
        self.assertNotIn("<picture>", body)
        self.assertIn('<img src="/media/a.jpg" alt="甲" data-file="999999">', body)
        self.assertNotIn("onerror=alert", body.replace('"1 onerror=alert(1)"', ""))

    def test_public_page_shows_the_picture(self):
        image = library_image()
        article = ArticleFactory(body="<p>正文</p>" + figure(image.pk))
        response = self.client.get(article.get_absolute_url())
        self.assertContains(response, '<source type="image/webp"')
        self.assertContains(response, f'data-file="{image.pk}"')


class ImagePickerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.port = library_image(title="烟台港")
        cls.apple = library_image(
            title="烟台苹果",
            alt_text="红富士苹果",
            caption="栖霞苹果",
            credit="摄影 王",
        )

    def test_permission_matrix(self):
        url = "/admin/news/image/picker/?CKEditorFuncNum=1"
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
        self.client.force_login(staff_in_group("nobody", None))
        self.assertEqual(self.client.get(url).status_code, 403)
        for username, group in (("editor", "编辑"), ("publisher", "终审发布")):
            self.client.force_login(staff_in_group(username, group))
            response = self.client.get(url)
            self.assertContains(response, "插入此图")
            self.assertContains(response, "烟台港")
        self.client.force_login(
            UserFactory(username="root", is_superuser=True, is_staff=True)
        )
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_search_and_what_a_choice_carries(self):
        self.client.force_login(staff_in_group("editor", "编辑"))
        response = self.client.get(
            "/admin/news/image/picker/", {"CKEditorFuncNum": "3", "q": "苹果"}
        )
        self.assertNotContains(response, "烟台港")
        self.assertContains(response, f'data-id="{self.apple.pk}"')
        self.assertContains(response, 'data-caption="栖霞苹果 摄影 王"')
        self.assertContains(response, 'data-alt="红富士苹果"')
        self.assertContains(response, 'name="CKEditorFuncNum" value="3"')

    def test_hostile_query_is_a_normal_page(self):
        self.client.force_login(staff_in_group("editor", "编辑"))
        for query in ('"<script>', "%", "x" * 10_000, "' OR 1=1 --"):
            response = self.client.get("/admin/news/image/picker/", {"q": query})
            self.assertContains(response, "图片库里没有符合条件的图片")
            self.assertNotContains(response, "<script>alert")


class ImplausibleLibraryIdTests(TestCase):
    """A data-file that cannot be an image's id (more than 18 digits: int() refuses
    more than 4,300; digits that are not ASCII) is an unknown image: the ``<img>``
    stays as the editor wrote it, the save goes on (it raised ValueError: a 500)."""

    HUGE = "9" * 5000
    IDS = (HUGE, "9" * 19, "１２", "٣", "²")

    def body(self, pk, alt="甲"):
        return (
            f'<p>正文</p><p><img src="/media/a.jpg" alt="{alt}" data-file="{pk}"></p>'
        )

    def test_model_save_keeps_the_image_as_written(self):
        image = library_image()
        for pk in (*self.IDS, f"{'０' * 3}{image.pk}"):
            with self.subTest(pk=pk[:20]):
                article = ArticleFactory(body=self.body(pk))
                body = Article.objects.get(pk=article.pk).body
                self.assertNotIn("<picture>", body)
                self.assertIn(f'data-file="{pk}"', body)

    def test_admin_save(self):
        from tests.news.test_accessibility_admin import SaveWarningTests

        editor = staff_in_group("editor", "编辑")
        article = ArticleFactory(status=Article.Status.DRAFT)
        self.client.force_login(editor)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/change/",
            SaveWarningTests.form_data(None, article, body=self.body(self.HUGE)),
        )
        self.assertEqual(response.status_code, 302)
        body = Article.objects.get(pk=article.pk).body
        self.assertIn(f'data-file="{self.HUGE}"', body)
        self.assertNotIn("<picture>", body)
        # The page opens again, and so does the article's restore of a revision
        # whose body holds it (read by body_library_images).
        page = self.client.get(f"/admin/news/article/{article.pk}/change/")
        self.assertEqual(page.status_code, 200)

    def test_api_patch(self):
        from tests.api import user_with_perms

        editor = user_with_perms("writer", "news.view_article", "news.change_article")
        article = ArticleFactory(status=Article.Status.DRAFT)
        self.client.force_login(editor)
        url = f"/api/v1/drafts/{article.pk}/"
        read = self.client.get(url)
        response = self.client.patch(
            url,
            {"body": self.body(self.HUGE, alt="")},
            content_type="application/json",
            HTTP_IF_MATCH=read["ETag"],
        )
        self.assertEqual(response.status_code, 200, response.content[:500])
        self.assertIn(f'data-file="{self.HUGE}"', response.json()["body"])
        self.assertEqual(
            [f["rule"] for f in response.json()["accessibility"]], ["image-alt"]
        )
        self.assertIn(
            f'data-file="{self.HUGE}"', Article.objects.get(pk=article.pk).body
        )

    def test_a_revision_holding_one_is_no_missing_image(self):
        from news.revisions import snapshot_images_missing

        self.assertEqual(
            snapshot_images_missing({"body": self.body(self.HUGE) + self.body("٣")}),
            [],
        )
        self.assertEqual(
            snapshot_images_missing({"body": self.body("999999", alt="")}),
            ["正文中的图片（编号 999999）"],
        )

"""The report's files: PDF (WeasyPrint) and Word (python-docx), from built content.

The PDF is the report's HTML document (``quality/reports/document.html``) laid out
by WeasyPrint: CSS paged media for the cover, the table of contents
(``target-counter``), running headers and footers; charts stay SVG, so vectors;
Noto CJK (Debian's fonts-noto-cjk, found through fontconfig) is embedded as a subset.

The Word file is written from the same ``ReportContent``: real headings (标题 1),
tables, and each chart as a PNG. The PNG is drawn here with Pillow from the same
series the SVG is drawn from: WeasyPrint no longer writes raster images (since
v53) and the project has no SVG rasteriser (cairosvg would be one more dependency
on top of cairo); Word needs a bitmap it can show everywhere.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import ImageFile

from yantai.html import html_to_text

from .chart_svg import COLOURS, nice_ceiling
from .reports import Block, ReportContent

FONT_FAMILY = "Noto Sans CJK SC"
FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.otf",
)


_INLINE_SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def _svg_as_image(match: re.Match) -> str:
    # WeasyPrint draws an SVG image as vectors just as it draws inline SVG, but its
    # XML parser reads the image faster than the HTML parser and the cascade handle
    # the same elements inline (docs/benchmarks.md).
    data = base64.b64encode(match.group(0).encode("utf-8")).decode("ascii")
    return f'<img alt="" src="data:image/svg+xml;base64,{data}">'


def pdf_bytes(document: str) -> bytes:
    """The PDF of the report's HTML ``document``."""
    loads_truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    from weasyprint import HTML

    # Importing WeasyPrint turns on Pillow's loading of truncated images for the
    # whole process; our report draws no bitmap, and uploads must stay strict.
    ImageFile.LOAD_TRUNCATED_IMAGES = loads_truncated
    document = _INLINE_SVG.sub(_svg_as_image, document)
    return HTML(string=document, base_url=str(settings.BASE_DIR)).write_pdf()


@lru_cache(maxsize=1)
def _font_path() -> str | None:
    for path in FONT_FILES:
        try:
            with open(path, "rb"):
                return path
        except OSError:
            continue
    fc_match = shutil.which("fc-match")
    if fc_match:
        found = subprocess.run(
            [fc_match, "-f", "%{file}", f"{FONT_FAMILY}:lang=zh"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        return found or None
    return None


def _font(size: int):
    from PIL import ImageFont

    path = _font_path()
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size, index=2 if path.endswith(".ttc") else 0)


def chart_png(block: Block, scale: int = 2) -> bytes:
    """``block``'s chart as a PNG: a line over the periods, or bars by region."""
    from PIL import Image, ImageDraw

    width, height = 800 * scale, 420 * scale
    left, right, top, bottom = 70 * scale, 24 * scale, 50 * scale, 80 * scale
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    title_font, font = _font(18 * scale), _font(12 * scale)
    draw.text((left, 12 * scale), block.title, fill="#222", font=title_font)
    figures = block.figures
    labels = [f.region if block.by_region else f.period for f in figures]
    top_value = nice_ceiling(max((f.value for f in figures), default=0))
    plot_w, plot_h = width - left - right, height - top - bottom
    y0 = height - bottom

    def y_of(value: float) -> float:
        return y0 - plot_h * value / top_value

    for step in range(6):
        value = top_value * step / 5
        y = y_of(value)
        draw.line(
            [(left, y), (width - right, y)], fill="#999" if step == 0 else "#e5e5e5"
        )
        text = f"{value:g}"
        draw.text((left - 8 * scale, y), text, fill="#555", font=font, anchor="rm")
    slot = plot_w / max(len(figures), 1)
    colour = COLOURS[0]
    points = []
    for index, figure in enumerate(figures):
        x = left + slot * (index + 0.5)
        y = y_of(figure.value)
        points.append((x, y))
        draw.text(
            (x, y0 + 16 * scale), labels[index], fill="#222", font=font, anchor="mm"
        )
        if block.by_region:
            bar = min(60 * scale, slot * 0.6)
            draw.rectangle([x - bar / 2, y, x + bar / 2, y0], fill=colour)
        draw.text((x, y - 12 * scale), figure.text, fill="#222", font=font, anchor="mb")
    if not block.by_region:
        if len(points) > 1:
            draw.line(points, fill=colour, width=3 * scale)
        for x, y in points:
            r = 4 * scale
            draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
    unit = _("单位：%(unit)s") % {"unit": block.unit}
    draw.text((left, height - 30 * scale), unit, fill="#555", font=font)
    out = io.BytesIO()
    # Fast zlib: a chart of flat colours compresses well at level 1 already, and
    # the default level spent most of the Word file's time here.
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _set_east_asian_font(style, name: str) -> None:
    from docx.oxml.ns import qn

    style.font.name = name
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def docx_bytes(content: ReportContent) -> bytes:
    """The Word file of ``content``: headings, tables and charts staff can edit."""
    from docx import Document
    from docx.shared import Cm, Pt

    report = content.report
    document = Document()
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        _set_east_asian_font(document.styles[name], FONT_FAMILY)
    document.core_properties.title = report.title
    document.core_properties.author = report.publisher
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.publisher)
    day = report.last_day
    document.add_paragraph(
        _("数据截至%(day)s") % {"day": f"{day.year}年{day.month}月{day.day}日"}
    )
    document.add_page_break()

    for chapter in content.chapters:
        document.add_heading(chapter.title, level=1)
        for line in html_to_text(chapter.intro).splitlines():
            if line.strip():
                document.add_paragraph(line.strip())
        for block in chapter.blocks:
            if block.kind == "headline":
                figure = block.figures[0]
                paragraph = document.add_paragraph()
                paragraph.add_run(block.title).bold = True
                paragraph.add_run(f"：{figure.period}，")
                paragraph.add_run(figure.text).bold = True
                if figure.is_provisional:
                    paragraph.add_run(_("（初步数）"))
                if figure.change:
                    paragraph.add_run(_("，同比%(change)s") % {"change": figure.change})
                paragraph.add_run(f"[{figure.note}]").font.superscript = True
            else:
                if block.svg:
                    document.add_picture(io.BytesIO(chart_png(block)), width=Cm(16))
                    document.add_paragraph(_("图：%(name)s") % {"name": block.title})
                document.add_paragraph(
                    f"{block.title}（"
                    + _("单位：%(unit)s") % {"unit": block.unit}
                    + "）"
                ).runs[0].bold = True
                head = [_("期间")]
                if block.by_region:
                    head.append(_("地区"))
                head += [_("数值"), _("同比"), _("来源")]
                table = document.add_table(rows=1, cols=len(head))
                table.style = "Table Grid"
                for cell, text in zip(table.rows[0].cells, head, strict=True):
                    cell.text = text
                    cell.paragraphs[0].runs[0].bold = True
                for figure in block.figures:
                    values = [figure.period]
                    if block.by_region:
                        values.append(figure.region)
                    text = figure.text
                    if figure.is_provisional:
                        text += _("（初步数）")
                    values += [text, figure.change or "—", f"[{figure.note}]"]
                    for cell, value in zip(table.add_row().cells, values, strict=True):
                        cell.text = value
            for footnote in block.footnotes:
                run = document.add_paragraph().add_run(_("注：") + footnote)
                run.font.size = Pt(9)
    if content.report.closing_notes:
        document.add_heading(_("说明"), level=1)
        for line in html_to_text(content.report.closing_notes).splitlines():
            if line.strip():
                document.add_paragraph(line.strip())
    document.add_heading(_("资料来源"), level=1)
    for note in content.notes:
        document.add_paragraph(f"[{note.number}] {note.text}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

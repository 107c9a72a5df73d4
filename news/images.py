"""Image uploads: validation by real content, re-encoding and renditions.

Django's own ``ImageField`` is not enough for uploads from the internet: it opens any
format Pillow knows (TIFF, TGA, PCX …), trusts the file name, accepts a 10,000×10,000
PNG of a few hundred KB whose decoding then costs ~450 MB, and stores whatever bytes
follow the image (a script appended to a JPEG). Here:

- only the JPEG, PNG, WebP and GIF decoders are ever opened, and the detected format
  must match the extension;
- size, frames (``IMAGE_MAX_FRAMES``, counted from the GIF block structure, the APNG
  ``acTL`` chunk or the WebP ``ANMF`` chunks), pixel count (width × height × frames)
  and the memory processing will take (``_cost_per_pixel``: a progressive JPEG or a
  WebP costs far more a pixel than a baseline JPEG) are checked from the file's
  structure, before anything is decoded, so a bomb costs no memory;
- the image is fully decoded and re-encoded: nothing appended survives and EXIF/XMP
  (GPS, camera serials …) are dropped, except the Orientation tag: the original keeps
  its pixels as shot with that one tag (turning them would double the memory of a
  40-megapixel upload), and the renditions the site serves are turned upright;
- renditions (several widths, WebP plus a JPEG/PNG fallback) are made in the same
  pass, while the decoded image is in memory, converted to sRGB when the original
  carries an RGB ICC profile (the original keeps its profile).

Every refusal is a ``ValidationError`` whose message names the problem or the limit.
"""

from __future__ import annotations

import io
import re
import struct
import uuid
import warnings
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.encoding import filepath_to_uri
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageCms, ImageFile, UnidentifiedImageError

from yantai.text import join_list, stored_language

from .models import Article, AuditLog, Image, Revision
from .services import audit_record

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 30_000_000
# Memory an upload may cost beyond its own bytes, estimated from the header by
# ``_cost_per_pixel`` (bench/image_upload_memory.py measures the worst accepted file of
# each kind: at most 150 MB and 5 s). A baseline RGB JPEG of MAX_PIXELS costs exactly
# this; formats that cost more per pixel get a lower pixel limit.
MAX_DECODE_BYTES = 4 * MAX_PIXELS
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
EXTENSION_FORMATS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".webp": "WEBP",
    ".gif": "GIF",
}
FORMAT_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
FORMAT_LABELS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
RENDITION_WIDTHS = (320, 640, 960, 1280)
# Longest side a JPEG can have (and so the JPEG renditions); WebP stops at 16,383.
MAX_SIDE = 65_535
WEBP_MAX_SIDE = 16_383
# libwebp's encoder takes ~20 bytes a pixel: a long image's 1,280 px rendition can
# be 1280 × 20,000, so WebP renditions stop at this size (docs/benchmarks.md).
WEBP_RENDITION_MAX_PIXELS = 2_000_000
ORIENTATION_TAG = 0x0112
# ImageOps.exif_transpose's table: EXIF Orientation → the turn that makes it upright.
_ORIENTATION_TRANSPOSE = {
    2: PILImage.Transpose.FLIP_LEFT_RIGHT,
    3: PILImage.Transpose.ROTATE_180,
    4: PILImage.Transpose.FLIP_TOP_BOTTOM,
    5: PILImage.Transpose.TRANSPOSE,
    6: PILImage.Transpose.ROTATE_270,
    7: PILImage.Transpose.TRANSVERSE,
    8: PILImage.Transpose.ROTATE_90,
}
_SWAPS_AXES = {
    PILImage.Transpose.TRANSPOSE,
    PILImage.Transpose.ROTATE_270,
    PILImage.Transpose.TRANSVERSE,
    PILImage.Transpose.ROTATE_90,
}

# Pillow's own guard, in the same unit as ours: it warns above MAX_IMAGE_PIXELS and
# raises above twice that, from the header, inside Image.open(). Our explicit check
# below also counts frames; this one also protects any other Pillow use in the process.
PILImage.MAX_IMAGE_PIXELS = MAX_PIXELS
# Truncated files must fail, never be padded with grey. Set again around each
# decoding (``_reencode``): another library may turn it on for the whole process
# (importing WeasyPrint, for the annual report's PDF, does).
ImageFile.LOAD_TRUNCATED_IMAGES = False

# Magic numbers of formats people upload by mistake (or on purpose), so that the
# refusal can say what the file really is. Only used for the message: these files are
# never handed to a decoder.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "JPEG"),
    (0, b"\x89PNG\r\n\x1a\n", "PNG"),
    (0, b"GIF87a", "GIF"),
    (0, b"GIF89a", "GIF"),
    (8, b"WEBP", "WebP"),
    (0, b"II*\x00", "TIFF"),
    (0, b"MM\x00*", "TIFF"),
    (0, b"BM", "BMP"),
    (0, b"8BPS", "PSD"),
    (0, b"\x00\x00\x01\x00", "ICO"),
    (0, b"qoif", "QOI"),
    (0, b"DDS ", "DDS"),
    (0, b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
    (0, b"\xff\x4f\xff\x51", "JPEG 2000"),
    (0, b"%PDF", "PDF"),
)
_FTYP_BRANDS = {
    b"heic": "HEIC",
    b"heix": "HEIC",
    b"mif1": "HEIF",
    b"avif": "AVIF",
    b"avis": "AVIF",
}
_PIXELS_IN_MESSAGE = re.compile(r"\((\d+) pixels\)")
# What survives re-encoding from ``Image.info``: colour and animation, no metadata.
_KEEP_INFO = {"icc_profile", "transparency", "duration", "loop", "background"}


@dataclass
class Rendition:
    width: int
    height: int
    format: str  # "webp", "jpeg" or "png"
    content: bytes


@dataclass
class ProcessedImage:
    """A validated upload, re-encoded, with its renditions, ready to be stored."""

    content: bytes
    format: str
    width: int
    height: int
    frames: int
    renditions: list[Rendition] = field(default_factory=list)

    @property
    def extension(self) -> str:
        return FORMAT_EXTENSIONS[self.format]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _sniff(head: bytes) -> str | None:
    """The format name the first bytes announce, or None."""
    for offset, magic, name in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if name == "WebP" and not head.startswith(b"RIFF"):
                continue
            return name
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "HEIF/MP4")
    if (
        head[:1] == b"\x0a"
        and head[1:2] in b"\x00\x02\x03\x04\x05"
        and head[2:3] == b"\x01"
    ):
        return "PCX"
    return None


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<") and b"<svg" in text


def _pixel_error(pixels: int | None) -> ValidationError:
    if pixels is None:
        return ValidationError(
            _("像素过多，上限 %(limit)s") % {"limit": f"{MAX_PIXELS:,}"},
            code="too_many_pixels",
        )
    return ValidationError(
        _("像素过多：%(pixels)s，上限 %(limit)s")
        % {"pixels": f"{pixels:,}", "limit": f"{MAX_PIXELS:,}"},
        code="too_many_pixels",
    )


def _frame_error(frames: int | None, limit: int) -> ValidationError:
    """``frames`` is None when counting stopped at the first frame over the limit."""
    if frames is None:
        message = _("动图帧数过多（超过 %(limit)s 帧），最多 %(limit)s 帧")
    else:
        message = _("动图帧数过多（%(frames)s 帧），最多 %(limit)s 帧")
    return ValidationError(
        message % {"frames": frames, "limit": limit}, code="too_many_frames"
    )


_GIF_BLOCK = re.compile(rb"[!,;]")
_GIF_BLOCK_KINDS = frozenset(b"!,;")


def _gif_structure(data: bytes, stop: int) -> tuple[int, int, int] | None:
    """Frames and canvas of a GIF, from its block structure, nothing decompressed.

    Walks the blocks as Pillow's reader does (bytes between blocks are skipped, the
    trailer or the end of the data stops it): each image descriptor (0x2C) is a
    frame; extensions and LZW data are skipped sub-block by sub-block. Pillow widens
    the canvas to a frame that reaches beyond the logical screen, so the canvas here
    is the largest extent of any frame. Counting stops at ``stop`` frames: a file of
    400,000 frames costs no more to refuse than one just over the limit.
    """
    size = len(data)
    if size < 13:
        return None  # Pillow reports the truncated header.
    width, height, flags = struct.unpack_from("<HHB", data, 6)
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = 0
    while pos < size:
        kind = data[pos]
        if kind not in _GIF_BLOCK_KINDS:
            match = _GIF_BLOCK.search(data, pos)
            if match is None:
                break
            pos = match.start()
            kind = data[pos]
        if kind == 0x3B:  # trailer
            break
        if kind == 0x21:  # extension: label, then sub-blocks
            pos += 2
        else:  # image descriptor: x, y, w, h, flags, [palette], LZW code size
            if pos + 10 > size:
                break
            x, y, w, h, flags = struct.unpack_from("<HHHHB", data, pos + 1)
            frames += 1
            if frames >= stop:
                break
            if x + w > width:
                width = x + w
            if y + h > height:
                height = y + h
            pos += 11 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
        while pos < size:  # sub-blocks up to the empty one
            length = data[pos]
            pos += length + 1
            if not length:
                break
    return frames, width, height


def _png_structure(data: bytes) -> tuple[int, int, int]:
    """Frames (APNG ``acTL``) and size (``IHDR``) from the chunk headers before IDAT.

    Pillow takes the number of frames from ``acTL`` and refuses frames (``fcTL``)
    outside the ``IHDR`` size, so these two bound what it will decode.
    """
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    frames = 1
    pos = 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        if kind in (b"IDAT", b"IEND"):
            break
        if kind == b"acTL":
            frames = max(frames, int.from_bytes(data[pos + 8 : pos + 12], "big"))
        pos += length + 12
    return frames, width, height


def _webp_structure(data: bytes, stop: int) -> tuple[int, int, int] | None:
    """Frames (``ANMF`` chunks, counted up to ``stop``) and canvas (``VP8X``).

    A simple (``VP8 ``/``VP8L``) WebP has one frame; Pillow checks its size from the
    header. libwebp refuses frames outside the canvas.
    """
    if data[12:16] != b"VP8X" or len(data) < 30:
        return None
    width = int.from_bytes(data[24:27], "little") + 1
    height = int.from_bytes(data[27:30], "little") + 1
    frames = 0
    pos = 12
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        if data[pos : pos + 4] == b"ANMF":
            frames += 1
            if frames >= stop:
                break
        pos += 8 + length + (length & 1)
    return max(frames, 1), width, height


def _check_structure(data: bytes) -> tuple[int, int] | None:
    """Refuse too many frames or pixels, counted from the file's structure.

    Runs before Pillow opens the file: nothing is decoded or decompressed, so a GIF
    of 400,000 tiny frames costs a walk over its bytes, not 30 s and 500 MB. Returns
    the canvas size found (None for a JPEG or a simple WebP).
    """
    limit = settings.IMAGE_MAX_FRAMES
    exact = False
    if data[:6] in (b"GIF87a", b"GIF89a"):
        structure = _gif_structure(data, stop=limit + 1)
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        structure, exact = _png_structure(data), True
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        structure = _webp_structure(data, stop=limit + 1)
    else:
        structure = None
    if structure is None:
        return None
    frames, width, height = structure
    if frames > limit:
        raise _frame_error(frames if exact else None, limit)
    if width * height * max(frames, 1) > MAX_PIXELS:
        raise _pixel_error(width * height * max(frames, 1))
    return width, height


def _costly_error(pixels: int, limit: int, kind: str) -> ValidationError:
    return ValidationError(
        _("像素过多：%(pixels)s，%(kind)s处理时占用内存较多，上限 %(limit)s")
        % {"pixels": f"{pixels:,}", "limit": f"{limit:,}", "kind": kind},
        code="too_costly",
    )


# Bytes per pixel of the decoded image, by Pillow mode (4 for any other mode).
_MODE_BYTES = {"1": 1, "L": 1, "P": 1, "LA": 2, "PA": 2, "La": 2, "I;16": 2, "RGB": 3}


def _cost_per_pixel(image: PILImage.Image, fmt: str, frames: int) -> tuple[float, str]:
    """Peak memory per pixel (over all frames) that processing ``image`` costs,
    and the name of its kind for the message.

    From the header only (mode, progressive flag, frame count), with factors measured
    by bench/image_upload_memory.py (docs/benchmarks.md): the decoded frame, the
    copies re-encoding and the renditions make of it, and what the encoders keep.
    """
    mode_bytes = _MODE_BYTES.get(image.mode, 4)
    label = FORMAT_LABELS[fmt]
    if fmt == "JPEG":
        # The decoded image, plus the re-encoded file and encoder buffers.
        cost = mode_bytes + 1
        if image.mode not in ("L", "RGB"):
            cost += 3  # converted to RGB to be saved as JPEG
            label = f"{image.mode} {label}"
        if image.info.get("progressive"):
            # libjpeg keeps every DCT coefficient (2 bytes a sample) of the file.
            cost += 2 * len(image.getbands())
            return cost, _("渐进式 %(format)s 图片") % {"format": label}
        return cost, _("%(format)s 图片") % {"format": label}
    if fmt == "WEBP":
        # libwebp's decoder keeps two RGBA canvases besides Pillow's copy, and its
        # encoder several more planes, and the renditions are WebP too: up to ~55
        # bytes a pixel measured for a still (with a 1,280 px rendition nearly as
        # large as the original).
        still, per_frame_kept = 56, 1.5
    elif fmt == "GIF":
        # Frame 0 is palette-indexed; the renditions work on an RGB(A) copy, and
        # later frames are decoded in RGB(A). The GIF writer keeps every frame.
        still, per_frame_kept = 9, 1.5
    else:  # PNG
        # Box-reducing RGBA premultiplies a full copy; the APNG writer keeps every
        # frame in RGBA, besides the canvas and the previous frame.
        still, per_frame_kept = 3 * mode_bytes, 5.5
    if frames == 1:
        return still, _("%(format)s 图片") % {"format": label}
    return per_frame_kept + still / frames, _("%(format)s 动图") % {"format": label}


def _rendition_cost(image: PILImage.Image, width: int, height: int) -> float:
    """Extra bytes a pixel of the first frame when its renditions are resampled from
    the full-size image: under 2 × 1,280 px of upright width there is no box-reduced
    copy (``_rendition_base``), and the widest rendition needs an intermediate and a
    result each up to the size of the original (4 bytes a pixel in Pillow)."""
    upright = height if _orientation(image) in (5, 6, 7, 8) else width
    if upright >= 2 * RENDITION_WIDTHS[-1]:
        return 0.0
    return 10 * min(1.0, RENDITION_WIDTHS[-1] / upright) ** 2


def _corrupt_error() -> ValidationError:
    return ValidationError(_("图片文件不完整或已损坏"), code="corrupt")


def _read_all(file) -> bytes:
    file.seek(0)
    data = file.read(MAX_BYTES + 1)
    file.seek(0)
    return data


def process_image_upload(file) -> ProcessedImage:
    """Validate the uploaded ``file`` by its content and re-encode it.

    Raises ``ValidationError`` with a message naming the problem; returns the
    re-encoded image with its renditions otherwise.
    """
    name = getattr(file, "name", "") or ""
    extension = PurePath(name).suffix.lower()
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            _("文件过大：%(size)s，上限 10 MB") % {"size": _megabytes(size)},
            code="too_large",
        )
    data = _read_all(file)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("文件过大：超过 10 MB，上限 10 MB"), code="too_large")
    if not data:
        raise ValidationError(_("文件是空的"), code="empty")
    head = data[:1024]
    if extension in {".svg", ".svgz"} or _looks_like_svg(head):
        raise ValidationError(_("不支持 SVG 图片"), code="svg")
    if extension not in EXTENSION_FORMATS:
        raise ValidationError(
            _("不支持扩展名 %(ext)s，只接受 .jpg、.jpeg、.png、.webp、.gif")
            % {"ext": extension or _("（无扩展名）")},
            code="extension",
        )

    canvas = _check_structure(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            image = PILImage.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as e:
        match = _PIXELS_IN_MESSAGE.search(str(e))
        raise _pixel_error(int(match.group(1)) if match else None) from e
    except UnidentifiedImageError as e:
        sniffed = _sniff(head)
        if sniffed in FORMAT_LABELS.values():
            # Right signature, but its decoder could not read the header.
            raise _corrupt_error() from e
        if sniffed:
            raise ValidationError(
                _("文件内容是 %(format)s 图片，不是 JPEG/PNG/WebP/GIF")
                % {"format": sniffed},
                code="format",
            ) from e
        raise ValidationError(
            _("无法识别文件内容：不是 JPEG/PNG/WebP/GIF 图片"), code="format"
        ) from e
    except (OSError, SyntaxError, ValueError) as e:
        raise _corrupt_error() from e

    with image:
        detected = image.format
        # A JPEG with a Multi-Picture index (phones add an HDR gain map or a depth
        # image) opens as MPO: the first picture is the photo; the others are
        # dropped with the rest of the metadata.
        multi_picture = detected == "MPO"
        if multi_picture:
            detected = "JPEG"
        if EXTENSION_FORMATS[extension] != detected:
            raise ValidationError(
                _("扩展名 %(ext)s 与文件内容（%(format)s）不符")
                % {"ext": extension, "format": FORMAT_LABELS[detected]},
                code="extension_mismatch",
            )
        try:
            frames = 1 if multi_picture else getattr(image, "n_frames", 1)
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            raise _corrupt_error() from e
        if frames > settings.IMAGE_MAX_FRAMES:
            # Only if Pillow counts more than the structure walk did (it should not).
            raise _frame_error(frames, settings.IMAGE_MAX_FRAMES)
        width, height = image.size
        if canvas:
            # A GIF frame beyond the logical screen widens Pillow's canvas later.
            width, height = max(width, canvas[0]), max(height, canvas[1])
        pixels = width * height * frames
        if pixels > MAX_PIXELS:
            raise _pixel_error(pixels)
        cost, kind = _cost_per_pixel(image, detected, frames)
        cost += _rendition_cost(image, width, height) / frames
        if pixels * cost > MAX_DECODE_BYTES:
            limit = int(MAX_DECODE_BYTES / cost) // 100_000 * 100_000
            raise _costly_error(pixels, limit, kind)
        if width < 1 or height < 1:
            raise _corrupt_error()
        if max(width, height) > MAX_SIDE:
            raise ValidationError(
                _("图片边长过大：%(side)s 像素，上限 %(limit)s 像素")
                % {"side": f"{max(width, height):,}", "limit": f"{MAX_SIDE:,}"},
                code="too_long",
            )
        loads_truncated = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            return _reencode(image, detected, frames)
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            raise _corrupt_error() from e
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = loads_truncated


def _reencode(image: PILImage.Image, fmt: str, frames: int) -> ProcessedImage:
    """Decode every frame and write a clean file plus renditions."""
    out = io.BytesIO()
    # Keyword arguments that override anything Pillow would copy from ``info``.
    clean = {"exif": b"", "xmp": b""}
    transpose = None
    if frames > 1:
        # Animated GIF/WebP: saving with save_all decodes every frame, so truncation
        # fails here too. Orientation does not apply (no EXIF in animations).
        image.info = {k: v for k, v in image.info.items() if k in _KEEP_INFO}
        image.save(out, fmt, save_all=True, **clean)
        image.seek(0)
        image.load()
        still = image.convert("RGBA")
    else:
        image.load()
        orientation = _orientation(image)
        transpose = _ORIENTATION_TRANSPOSE.get(orientation)
        if transpose is not None:
            # The original keeps its pixels as shot and an EXIF block holding only
            # the orientation: turning 40 megapixels in memory needs a second full
            # copy (~160 MB). The renditions, which the site serves, are turned.
            kept = PILImage.Exif()
            kept[ORIENTATION_TAG] = orientation
            clean["exif"] = kept.tobytes()
        still = image
        still.info = {k: v for k, v in still.info.items() if k in _KEEP_INFO}
        if fmt == "JPEG" and still.mode not in ("RGB", "L"):
            still = still.convert("RGB")
        options: dict = {"icc_profile": still.info.get("icc_profile")}
        if fmt in ("JPEG", "WEBP"):
            options |= {"quality": 88}
        still.save(out, fmt, **clean, **options)
    width, height = still.size
    if transpose in _SWAPS_AXES:
        width, height = height, width
    icc_profile = still.info.get("icc_profile")
    base = _rendition_base(still, transpose)
    if base is not still:
        # Free the full-size pixels (up to 160 MB) before the renditions are made.
        still.close()
        image.close()
    return ProcessedImage(
        content=out.getvalue(),
        format=fmt,
        width=width,
        height=height,
        frames=frames,
        renditions=_renditions(base, transpose, width, height, icc_profile),
    )


def _rendition_base(
    image: PILImage.Image, transpose: PILImage.Transpose | None
) -> PILImage.Image:
    """A copy of ``image`` just large enough to make every rendition from.

    Box-reduced by an integer factor so that it is still at least as wide (upright)
    as the widest rendition; the renditions are then resampled from it, not from
    the full-size image, which the caller can release.
    """
    upright_width = image.height if transpose in _SWAPS_AXES else image.width
    largest = RENDITION_WIDTHS[-1]
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        # Palette and bilevel images cannot be box-reduced or resampled smoothly:
        # shrink them with NEAREST to twice the widest rendition first, so that the
        # conversion to RGB does not copy the full-size image at four bytes a pixel.
        alpha = _has_alpha(image)
        base = image
        if upright_width > 2 * largest:
            scale = 2 * largest / upright_width
            base = image.resize(
                (
                    max(1, round(image.width * scale)),
                    max(1, round(image.height * scale)),
                ),
                PILImage.Resampling.NEAREST,
            )
        if base.mode.startswith("I;16"):
            # 16-bit grey (a scanner's PNG): convert() would clip every value above
            # 255 to white. Scaled to 8 bits first, on the shrunk copy; then resampled
            # as grey like any L image (no RGB copy of its full size: 5 bytes a pixel
            # at the peak, under the 6 _cost_per_pixel counts).
            base = base.point(lambda value: value / 256).convert("L")
            if not alpha:
                return base
        return base.convert("RGBA" if alpha else "RGB")
    factor = upright_width // largest
    return image.reduce(factor) if factor > 1 else image


def _orientation(image: PILImage.Image) -> int:
    """The EXIF Orientation of ``image`` (1, upright, when absent or unreadable)."""
    try:
        orientation = image.getexif().get(ORIENTATION_TAG, 1)
    except (OSError, SyntaxError, ValueError, TypeError):
        return 1
    return orientation if orientation in _ORIENTATION_TRANSPOSE else 1


def _has_alpha(image: PILImage.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _renditions(
    image: PILImage.Image,
    transpose: PILImage.Transpose | None,
    upright_width: int,
    upright_height: int,
    icc_profile: bytes | None = None,
) -> list[Rendition]:
    """Narrower copies for ``srcset``: WebP plus a JPEG (or PNG, if transparent).

    ``image`` is ``_rendition_base``'s copy of a picture that is ``upright_width`` ×
    ``upright_height`` once ``transpose`` has turned it; each copy is turned upright
    once it is small, and converted to sRGB from the original's RGB ICC profile (a
    phone's Display P3, Adobe RGB): the renditions carry no profile, and browsers
    read an untagged image as sRGB.
    """
    swap = transpose in _SWAPS_AXES
    widths = [w for w in RENDITION_WIDTHS if w <= upright_width]
    if upright_width < RENDITION_WIDTHS[-1] and upright_width not in widths:
        widths.append(upright_width)

    def stored_axes(width: int, height: int) -> tuple[int, int]:
        return (height, width) if swap else (width, height)

    alpha = _has_alpha(image)
    fallback = "PNG" if alpha else "JPEG"
    # A long image (长图) whose widest rendition is taller than WebP allows, or
    # larger than its encoder should take, gets the fallback format alone, so that
    # its one srcset has every width.
    tallest = max(1, round(upright_height * max(widths) / upright_width))
    webp = (
        tallest <= WEBP_MAX_SIDE and max(widths) * tallest <= WEBP_RENDITION_MAX_PIXELS
    )
    formats = ("WEBP", fallback) if webp else (fallback,)
    to_srgb = _srgb_transform(icc_profile, "RGBA" if alpha else "RGB")
    result = []
    for width in widths:
        height = max(1, round(upright_height * width / upright_width))
        size = stored_axes(width, height)
        if size == image.size:
            resized = image
        else:
            resized = image.resize(size, PILImage.Resampling.LANCZOS, reducing_gap=1.0)
        if resized.mode != ("RGBA" if alpha else "RGB"):
            # (Converting to its own mode would copy a full-size rendition.)
            resized = resized.convert("RGBA" if alpha else "RGB")
        if transpose is not None:
            resized = resized.transpose(transpose)
        if to_srgb is not None:
            if resized is image:  # (never change the caller's image)
                resized = resized.copy()
            ImageCms.applyTransform(resized, to_srgb, inPlace=True)
        for fmt in formats:
            buffer = io.BytesIO()
            options = {"quality": 82} if fmt in ("WEBP", "JPEG") else {"optimize": True}
            resized.save(buffer, fmt, **options)
            result.append(Rendition(width, height, fmt.lower(), buffer.getvalue()))
    return result


_SRGB = ImageCms.createProfile("sRGB")


def _srgb_transform(
    icc_profile: bytes | None, mode: str
) -> ImageCms.ImageCmsTransform | None:
    """The conversion of ``mode`` pixels from ``icc_profile`` to sRGB; None without
    a profile, or with one that is not an RGB profile (a grey or CMYK one: those
    pixels were converted to RGB without it) or that LittleCMS cannot read."""
    if not icc_profile:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if profile.profile.xcolor_space.strip() != "RGB":
            return None
        return ImageCms.buildTransform(profile, _SRGB, mode, mode)
    except (ImageCms.PyCMSError, OSError, TypeError, ValueError):
        return None


def _storage_names(processed: ProcessedImage, upload_to: str) -> tuple[str, str]:
    """A fresh base name: the uploader's file name may carry personal data."""
    folder = timezone.localdate().strftime(upload_to)
    stem = uuid.uuid4().hex[:16]
    return folder.rstrip("/") + "/" + stem, processed.extension


@transaction.atomic
def image_create(
    *,
    file,
    title: str,
    alt_text: str = "",
    is_decorative: bool = False,
    caption: str = "",
    credit: str = "",
    by=None,
) -> Image:
    """Validate, re-encode and store an uploaded image with its renditions.

    ``file`` is an uploaded file, or the ``ProcessedImage`` a form already made of it
    (so an admin upload is decoded once). The upload is recorded in the audit log.
    On any failure no row, no log entry and no file remain.
    """
    processed = file if isinstance(file, ProcessedImage) else process_image_upload(file)
    image = Image(
        title=title,
        alt_text="" if is_decorative else alt_text,
        is_decorative=is_decorative,
        caption=caption,
        credit=credit,
        width=processed.width,
        height=processed.height,
        uploaded_by=by,
    )
    # Everything but the file is checked before anything is written to storage.
    image.full_clean(exclude=["file"])
    upload_to = Image._meta.get_field("file").upload_to
    base, extension = _storage_names(processed, upload_to)
    written: list[str] = []
    try:
        name = default_storage.save(base + extension, ContentFile(processed.content))
        written.append(name)
        image.file.name = name
        renditions = []
        for r in processed.renditions:
            r_name = default_storage.save(
                f"{base}-{r.width}.{'jpg' if r.format == 'jpeg' else r.format}",
                ContentFile(r.content),
            )
            written.append(r_name)
            renditions.append(
                {
                    "width": r.width,
                    "height": r.height,
                    "format": r.format,
                    "name": r_name,
                }
            )
        image.renditions = renditions
        image.full_clean()
        with transaction.atomic():
            image.save()
            with stored_language():  # 操作日志: Chinese whoever uploads
                summary = _("%(width)d×%(height)d，%(count)d 个尺寸") % {
                    "width": image.width,
                    "height": image.height,
                    "count": len(renditions),
                }
            audit_record(
                user=by, action=AuditLog.Action.UPLOAD, obj=image, summary=summary
            )
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return image


# --- deleting ----------------------------------------------------------------------
#
# An image an article uses cannot be deleted: deleting it would change the article
# (on the site too) without any publication. Used means: the cover of any article
# (``Article.cover`` is PROTECT), inside any article's body (a library ``<picture>``
# carries ``data-file="ID"``; an address from 各尺寸地址 pasted into the body carries
# a file's name), or the cover or body of a pending draft (``draft_revision``). Older
# revisions do not count: they are history, shown with “已删除的图片” where one is
# gone; restoring one whose cover or body images were deleted since is refused
# (``revisions.snapshot_images_missing``).

# Images looked for by one query: each adds a few LIKE terms, and SQLite refuses an
# expression more than 1,000 deep.
USAGE_CHUNK = 20
USAGE_TITLES = 10

# The images ``images_delete`` has just checked, so the pre_delete guard
# (``image_delete_guard``) does not look for their uses a second time.
_checked: ContextVar[frozenset[int]] = ContextVar(
    "news_images_checked", default=frozenset()
)


@dataclass
class ImageUse:
    """One article using one image, and where (封面图, 正文, the draft's …)."""

    image: Image
    article_id: int
    article_title: str
    places: list[str] = field(default_factory=list)


def image_references(image: Image) -> list[str]:
    """What in an article body refers to ``image``: its library id as the body's
    ``<picture>`` marks it, and the names of its file and renditions (in any URL of
    them, local or S3, also as a URL writes a name)."""
    refs = {f'data-file="{image.pk}"'}
    for name in (image.file.name, *(r["name"] for r in image.renditions or [])):
        if name:
            refs.update((name, filepath_to_uri(name)))
    return sorted(refs)


def image_uses(images) -> list[ImageUse]:
    """Every article using one of ``images``, by image then article."""
    images = [i for i in images if i.pk is not None]
    uses: dict[tuple[int, int], ImageUse] = {}

    def use(image: Image, article_id: int, title: str, place: str) -> None:
        found = uses.setdefault(
            (image.pk, article_id), ImageUse(image, article_id, title)
        )
        if place not in found.places:
            found.places.append(place)

    drafts = Revision.objects.filter(
        pk__in=Article.objects.filter(draft_revision__isnull=False).values(
            "draft_revision"
        )
    ).annotate(draft_body=KT("snapshot__body"))
    for start in range(0, len(images), USAGE_CHUNK):
        chunk = {i.pk: i for i in images[start : start + USAGE_CHUNK]}
        refs = {pk: image_references(i) for pk, i in chunk.items()}
        in_body, in_draft = Q(), Q()
        for ref in {r for rs in refs.values() for r in rs}:
            in_body |= Q(body__contains=ref)
            in_draft |= Q(draft_body__contains=ref)
        rows = Article.objects.filter(Q(cover__in=list(chunk)) | in_body)
        for pk, title, cover_id, body in rows.values_list(
            "pk", "title", "cover_id", "body"
        ):
            if cover_id in chunk:
                use(chunk[cover_id], pk, title, _("封面图"))
            for image_pk, image_refs in refs.items():
                if any(r in body for r in image_refs):
                    use(chunk[image_pk], pk, title, _("正文"))
        found = drafts.filter(Q(snapshot__cover__in=list(chunk)) | in_draft)
        for pk, title, snapshot in found.values_list(
            "article_id", "article__title", "snapshot"
        ):
            if snapshot.get("cover") in chunk:
                use(chunk[snapshot["cover"]], pk, title, _("修改稿的封面图"))
            body = snapshot.get("body") or ""
            for image_pk, image_refs in refs.items():
                if any(r in body for r in image_refs):
                    use(chunk[image_pk], pk, title, _("修改稿的正文"))
    return sorted(uses.values(), key=lambda u: (u.image.pk, u.article_id))


def image_uses_text(uses: list[ImageUse]) -> str:
    """Why the images of ``uses`` cannot be deleted, in one message."""
    by_image: dict[int, list[ImageUse]] = {}
    for u in uses:
        by_image.setdefault(u.image.pk, []).append(u)
    parts = []
    for image_uses_ in by_image.values():
        shown = join_list(
            _("“%(title)s”（%(places)s）")
            % {"title": u.article_title, "places": join_list(u.places)}
            for u in image_uses_[:USAGE_TITLES]
        )
        if len(image_uses_) > USAGE_TITLES:
            shown += "…"
        parts.append(
            _("图片“%(image)s”正被以下文章使用，不能删除：%(articles)s。")
            % {"image": image_uses_[0].image.title, "articles": shown}
        )
    parts.append(
        _(
            "请先在这些文章中换掉或去掉图片（已发布的文章，修改稿经终审发布后才会换下）。"
            "没有删除任何图片。"
        )
    )
    return "".join(parts)


def _refuse_if_used(images) -> None:
    uses = image_uses(images)
    if uses:
        raise ProtectedError(
            image_uses_text(uses),
            set(Article.objects.filter(pk__in={u.article_id for u in uses})),
        )


@transaction.atomic
def images_delete(*, images, by=None) -> int:
    """Delete ``images`` (objects or a QuerySet), all or none; returns how many.

    Refused with ``ProtectedError`` (its message names the articles, nothing is
    deleted) when an article uses one of them (``image_uses``). Each deletion is
    recorded in the audit log; the files go when the deletion commits
    (``image_files_delete_on_commit``).
    """
    images = list(
        Image.objects.select_for_update().filter(pk__in=[i.pk for i in images])
    )
    _refuse_if_used(images)
    for image in images:
        audit_record(user=by, action=AuditLog.Action.DELETE, obj=image)
    reset = _checked.set(frozenset(i.pk for i in images))
    try:
        deleted, _rows = Image.objects.filter(pk__in=[i.pk for i in images]).delete()
    finally:
        _checked.reset(reset)
    return deleted


def image_delete_guard(image: Image) -> None:
    """Refuse the deletion of an image an article uses, by whatever path (the ORM
    of a script or shell too): connected to ``pre_delete`` (``news.signals``)."""
    if image.pk not in _checked.get():
        _refuse_if_used([image])


def image_files_delete_on_commit(image: Image) -> None:
    """Remove the original and renditions of a deleted ``image`` from storage when
    the deletion commits (a rolled-back deletion keeps them): ``post_delete``."""
    names = [
        name
        for name in (image.file.name, *(r["name"] for r in image.renditions or []))
        if name
    ]

    def remove() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove, robust=True)

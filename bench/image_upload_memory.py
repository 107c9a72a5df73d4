"""Peak memory and time of validating + processing the worst uploads still accepted.

    .venv/bin/python bench/image_upload_memory.py [WIDTH HEIGHT [ORIENTATION]]
    .venv/bin/python bench/image_upload_memory.py --worst [CASE ...]
    .venv/bin/python bench/image_upload_memory.py --frame-bomb

The first form writes a JPEG of WIDTH×HEIGHT (default 6324×6324 = 39,992,976 pixels,
just under the 40,000,000 cap) and processes it.

``--worst`` builds, for each accepted format, the worst files that are still accepted
(the most pixels, the most frames, as close to the 10 MB cap as the content allows,
noise so that nothing compresses away) and processes each one. Every file is made in
one child process and processed in another, fresh one, which reports its peak resident
memory (ru_maxrss) before and after ``process_image_upload`` (validation, re-encoding
and every rendition: all the decoding an upload does) and the wall time it took.
Prints one Markdown table row per file.

``--frame-bomb`` measures the refusal of the GIF of issue #13: 400,000 frames of 1×1
(9.2 MB), which used to take 30 s and 525 MB.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MAKE = """
import io, sys
from PIL import Image
w, h, orientation, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
im = Image.linear_gradient("L").resize((w, h)).convert("RGB")
exif = Image.Exif()
if orientation != 1:
    exif[0x0112] = orientation
im.save(path, "JPEG", quality=80, exif=exif.tobytes())
"""

# Builds one worst case. The picture is noise over a band of rows and a gradient
# elsewhere; the band is sized (from a trial encode) so that the file comes as close
# to MAX_BYTES as possible without going over.
MAKE_WORST = r"""
import io, json, os, sys
from PIL import Image
case, path = json.loads(sys.argv[1]), sys.argv[2]
MAX_BYTES = 10 * 1024 * 1024
w, h, frames, mode = case["width"], case["height"], case["frames"], case["mode"]
fmt, options = case["format"], case.get("options", {})


def picture(noise_rows, seed):
    grey = Image.linear_gradient("L").resize((w, h))
    if mode == "P":
        im = Image.frombytes("P", (w, h), grey.tobytes())
        im.putpalette(bytes(i for i in range(256) for _ in range(3)))
    else:
        im = Image.merge(mode, [grey] * len(mode))
    if noise_rows:
        raw = os.urandom(w * noise_rows * len(im.getbands()))
        top = (h - noise_rows) * (seed % 7) // 7
        im.paste(Image.frombytes(im.mode, (w, noise_rows), raw), (0, top))
    return im


def encode(noise_rows):
    images = [picture(noise_rows, seed) for seed in range(frames)]
    out = io.BytesIO()
    if frames > 1:
        images[0].save(out, fmt, save_all=True, append_images=images[1:],
                       duration=40, **options)
    else:
        exif = Image.Exif()
        if case.get("orientation", 1) != 1:
            exif[0x0112] = case["orientation"]
        images[0].save(out, fmt, exif=exif.tobytes(), **options)
    return out.getvalue()


# Bytes per noise row from two trials (1 row, a tenth of the rows), then corrected
# in proportion until the file fits.
trial_rows = max(2, h // 10)
low, high = len(encode(1)), len(encode(trial_rows))
per_row = max(1.0, (high - low) / (trial_rows - 1))
rows = max(1, min(h, int(1 + (MAX_BYTES - low) / per_row)))
while True:
    data = encode(rows)
    if len(data) <= MAX_BYTES or rows == 1:
        break
    rows = max(1, int(rows * MAX_BYTES / len(data) * 0.99))
open(path, "wb").write(data)
"""

FRAME_BOMB = """
import json, os, resource, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from news.images import process_image_upload
frame = (b"!\\xf9\\x04\\x04\\x0a\\x00\\x00\\x00" + b",\\x00\\x00\\x00\\x00\\x01\\x00\\x01\\x00\\x00"
         + b"\\x02\\x02\\x44\\x01\\x00")
data = b"GIF89a\\x01\\x00\\x01\\x00\\x80\\x00\\x00" + b"\\x00" * 3 + b"\\xff" * 3 + frame * 400_000 + b";"
upload = SimpleUploadedFile("bomb.gif", data)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
try:
    process_image_upload(upload)
    message = None
except ValidationError as e:
    message = e.messages[0]
seconds = time.perf_counter() - t
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"file_bytes": len(data), "refused_with": message,
                  "seconds": round(seconds, 4),
                  "upload_peak_mb": round((after - before) / 1024, 1)},
                 ensure_ascii=False))
"""

MEASURE = """
import json, os, resource, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from news.images import process_image_upload
path, name = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
upload = SimpleUploadedFile(name, data)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t, cpu = time.perf_counter(), time.process_time()
processed = process_image_upload(upload)
seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "file_bytes": len(data), "width": processed.width, "height": processed.height,
    "frames": processed.frames, "renditions": len(processed.renditions),
    "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
    "peak_rss_before_mb": round(before / 1024, 1), "peak_rss_after_mb": round(after / 1024, 1),
    "upload_peak_mb": round((after - before) / 1024, 1),
}))
"""

# The worst accepted file of each kind: the most pixels its kind may have (MAX_PIXELS,
# or the lower limit news.images._cost_per_pixel gives formats that cost more per
# pixel), at the most frames (IMAGE_MAX_FRAMES) or at two large frames, square or in
# the shape that costs most (an upright width under 2 × 1,280 px: the renditions are
# made from the full-size image), noise up to 10 MB.


def _case(fmt, mode, width, height, frames=1, **extra):
    return {
        "format": fmt,
        "mode": mode,
        "width": width,
        "height": height,
        "frames": frames,
        **extra,
    }


WEBP_OPTIONS = {"options": {"quality": 90, "method": 0}}
WORST_CASES = {
    "jpeg": _case("JPEG", "RGB", 5477, 5477),
    "jpeg-wide-rotated": _case("JPEG", "RGB", 2559, 11723, orientation=6),
    "jpeg-long": _case("JPEG", "RGB", 1280, 6696),
    "jpeg-long-rotated": _case("JPEG", "RGB", 6696, 1280, orientation=6),
    "jpeg-1300-wide": _case("JPEG", "RGB", 1300, 6740),
    "png-long-rgba": _case("PNG", "RGBA", 1300, 4254),
    "jpeg-progressive-444": _case(
        "JPEG",
        "RGB",
        3464,
        3464,
        options={"progressive": True, "subsampling": 0, "quality": 95},
    ),
    "jpeg-cmyk": _case("JPEG", "CMYK", 3872, 3872),
    "png-rgba": _case("PNG", "RGBA", 3162, 3162),
    "png-tall-rgba": _case("PNG", "RGBA", 2559, 3233),
    "webp-rgba": _case("WEBP", "RGBA", 1360, 1360, **WEBP_OPTIONS),
    "webp-tall-rgba": _case("WEBP", "RGBA", 1300, 1405, **WEBP_OPTIONS),
    "gif": _case("GIF", "P", 3646, 3646),
    "gif-tall": _case("GIF", "P", 2559, 4076),
    "gif-300-frames": _case("GIF", "P", 316, 316, 300),
    "gif-2-frames": _case("GIF", "P", 3162, 3162, 2),
    "apng-300-frames": _case("PNG", "RGBA", 267, 267, 300),
    "apng-2-frames": _case("PNG", "RGBA", 2122, 2122, 2),
    "webp-300-frames": _case("WEBP", "RGBA", 316, 316, 300, **WEBP_OPTIONS),
    "webp-2-frames": _case("WEBP", "RGBA", 1325, 1325, 2, **WEBP_OPTIONS),
}
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}


def _run_measure(path: str, name: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, path, name],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if out.returncode:
        raise RuntimeError(f"{name}: {out.stderr.strip().splitlines()[-1]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(width: int = 6324, height: int = 6324, orientation: int = 1) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.jpg")
        subprocess.run(
            [
                sys.executable,
                "-c",
                MAKE,
                str(width),
                str(height),
                str(orientation),
                path,
            ],
            check=True,
        )
        return _run_measure(path, "big.jpg")


def measure_worst(name: str) -> dict:
    """Build the worst ``name`` case in one child and process it in a fresh one."""
    case = WORST_CASES[name]
    with tempfile.TemporaryDirectory() as tmp:
        filename = name + EXTENSIONS[case["format"]]
        path = os.path.join(tmp, filename)
        subprocess.run(
            [sys.executable, "-c", MAKE_WORST, json.dumps(case), path],
            check=True,
            cwd=ROOT,
        )
        return {"case": name, **_run_measure(path, filename)}


def table_row(result: dict) -> str:
    pixels = result["width"] * result["height"] * result["frames"]
    return (
        f"| {result['case']} | {result['width']}×{result['height']}"
        f" × {result['frames']} = {pixels:,} px | {result['file_bytes'] / 2**20:.1f} MB"
        f" | {result['upload_peak_mb']:.0f} MB | {result['peak_rss_after_mb']:.0f} MB"
        f" | {result['seconds']:.1f} s | {result['cpu_seconds']:.1f} s |"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--frame-bomb"]:
        subprocess.run(
            [sys.executable, "-c", FRAME_BOMB],
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    elif sys.argv[1:2] == ["--worst"]:
        print("| file | pixels | bytes | peak RSS growth | peak RSS | wall | CPU |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for name in sys.argv[2:] or WORST_CASES:
            try:
                print(table_row(measure_worst(name)), flush=True)
            except RuntimeError as e:  # refused, or the project did not load
                print(f"| {name} | {e} |", flush=True)
    else:
        args = [int(a) for a in sys.argv[1:]]
        print(json.dumps(measure(*args), indent=2))

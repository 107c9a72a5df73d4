"""Peak memory of validating + re-encoding the largest allowed upload.

    .venv/bin/python bench/image_upload_memory.py [WIDTH HEIGHT [ORIENTATION]]

Writes a JPEG of WIDTH×HEIGHT (default 6324×6324 = 39,992,976 pixels, just under the
40,000,000 cap) in a child process, then processes it in a fresh child that reports
its peak resident memory before and after ``process_image_upload`` (ru_maxrss).
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

MEASURE = """
import json, os, resource, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from news.images import process_image_upload
path = sys.argv[1]
data = open(path, "rb").read()
upload = SimpleUploadedFile("big.jpg", data, content_type="image/jpeg")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
processed = process_image_upload(upload)
seconds = time.perf_counter() - t
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "file_bytes": len(data), "width": processed.width, "height": processed.height,
    "renditions": len(processed.renditions), "seconds": round(seconds, 2),
    "peak_rss_before_mb": round(before / 1024, 1), "peak_rss_after_mb": round(after / 1024, 1),
    "upload_peak_mb": round((after - before) / 1024, 1),
}))
"""


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
        out = subprocess.run(
            [sys.executable, "-c", MEASURE, path],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    print(json.dumps(measure(*args), indent=2))

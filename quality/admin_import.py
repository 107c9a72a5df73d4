"""The admin's bulk import of observations (``quality.bulk_import``): one upload,
all rows or none, every row error in a table.

Hooked into ``ObservationAdmin`` (``bulk-import/``, the 批量导入 button of the
changelist). The file the admin's 导出 writes comes back through it: a row with an
``id`` updates that observation (status, note, preferred flag); the same file again
changes nothing and says so. django-import-export's import (preview, then confirm)
stays beside it; its export is unchanged.
"""

from __future__ import annotations

import zipfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .bulk_import import (
    MAX_ERRORS,
    SUFFIXES,
    observations_import,
    wrong_kind_message,
)


class BulkImportForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        help_text=_(
            "CSV（UTF-8、GBK 或 UTF-16 编码）、XLSX 或 XLS，第一行为列名（与“导出”的列相同，"
            "也可写中文名，如 指标、地区、期间、数值、原文写法）。"
            "有 id 的行修改该观测值的状态、备注或首选值，没有 id 的行新增。任何一行"
            "有错则整个文件不写入。"
        ),
    )
    dry_run = forms.BooleanField(label=_("只校验，不写入"), required=False)

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(SUFFIXES):
            raise forms.ValidationError(wrong_kind_message())
        return check_upload_size(file)


# An XLSX is a zip of XML: the XML of a spreadsheet is about five times the CSV of
# the same rows (100,000 rows: 18 MB of CSV, 88 MB of XML, 4.4 MB zipped).
UNPACKED_PER_UPLOADED = 5


def check_upload_size(file):
    """``file`` if it is within ``BULK_IMPORT_UPLOAD_MAX_MB``, else a form error
    saying so: the same limit on every admin upload of a data file (this page and
    import-export's import pages, ``quality.admin.ImportExportAdmin``).

    A zip (XLSX) must also unpack to no more than ``UNPACKED_PER_UPLOADED`` times
    that: a zip bomb (deflate packs a repeated byte 1,000 to 1) within the upload
    limit would otherwise be inflated by openpyxl into the worker's memory."""
    limit = settings.BULK_IMPORT_UPLOAD_MAX_MB
    if file is not None and file.size > limit * 1024 * 1024:
        raise forms.ValidationError(
            _(
                "文件有 %(size).1f MB，超过了批量导入允许的 %(limit)d MB，未写入"
                "任何数据。请拆分后分次导入，或请管理员用命令 import_observations "
                "导入。"
            ),
            params={"size": file.size / 1024 / 1024, "limit": limit},
            code="too_large",
        )
    unpacked = file and unpacked_size(file)
    if unpacked and unpacked > limit * UNPACKED_PER_UPLOADED * 1024 * 1024:
        raise forms.ValidationError(
            _(
                "文件解压后有 %(size).1f MB，超过了批量导入允许的 %(limit)d MB，"
                "未写入任何数据。请拆分后分次导入，或请管理员用命令 "
                "import_observations 导入。"
            ),
            params={
                "size": unpacked / 1024 / 1024,
                "limit": limit * UNPACKED_PER_UPLOADED,
            },
            code="too_large_unpacked",
        )
    return file


def unpacked_size(file) -> int | None:
    """The bytes the members of the zip ``file`` unpack to, as its directory says
    (Python's zipfile, which openpyxl reads with, never inflates a member past
    that); ``None`` for a file that is no zip, left to the importer to read."""
    file.seek(0)
    try:
        if file.read(4) != b"PK\x03\x04":
            return None
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        file.seek(0)


def observation_bulk_import_view(model_admin, request):
    """Upload a file; import it or show its row errors (nothing written)."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    result = None
    if request.method == "POST":
        form = BulkImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = observations_import(
                upload.file,
                name=upload.name,
                by=request.user,
                dry_run=form.cleaned_data["dry_run"],
                # Refused with a message well inside the app server's worker timeout.
                lock_timeout=settings.BULK_IMPORT_ADMIN_WAIT_SECONDS,
            )
            if result.ok and not result.dry_run:
                values = {
                    "name": upload.name,
                    "read": result.read,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "periods": result.periods_created,
                }
                if result.changed:
                    message = gettext(
                        "已从“%(name)s”导入观测值：新增 %(created)d 条、更新 "
                        "%(updated)d 条、未变 %(unchanged)d 条（新建统计期间 "
                        "%(periods)d 个）。"
                    )
                    level = messages.SUCCESS
                else:
                    message = gettext(
                        "“%(name)s”的 %(read)d 行与已有数据相同，没有写入任何数据。"
                    )
                    level = messages.INFO
                model_admin.message_user(request, message % values, level)
                return redirect(reverse("admin:quality_observation_changelist"))
    else:
        form = BulkImportForm()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("批量导入观测值"),
        "opts": model_admin.opts,
        "form": form,
        "result": result,
        "max_errors": MAX_ERRORS,
    }
    return TemplateResponse(
        request, "admin/quality/observation/bulk_import.html", context
    )

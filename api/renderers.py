"""CSV for list endpoints (``?format=csv`` or ``Accept: text/csv``)."""

from __future__ import annotations

import io
import json

from django.urls import NoReverseMatch, reverse
from rest_framework.renderers import BaseRenderer

from yantai.csvsafe import write_csv


def _flatten(prefix: str, value, row: dict) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, row)
    elif isinstance(value, list):
        row[prefix] = json.dumps(value, ensure_ascii=False) if value else ""
    else:
        row[prefix] = "" if value is None else value


class CSVRenderer(BaseRenderer):
    """One row per item of ``results`` (or of a bare list); nested objects become
    dotted columns, lists JSON. Anything else (an error body) becomes key/value rows.

    Cells that a spreadsheet would run as formulas are guarded by the site's one CSV
    writer (``yantai.csvsafe``: ``'`` before ``= + - @``…; numbers stay numbers).
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        self._name_download(renderer_context or {})
        if data is None:
            return b""
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            items = data["results"]
        elif isinstance(data, list):
            items = data
        else:
            items = [data]
        rows: list[dict] = []
        for item in items:
            row: dict = {}
            _flatten("", item if isinstance(item, dict) else {"value": item}, row)
            rows.append(row)
        header: list[str] = []
        for row in rows:
            header.extend(k for k in row if k not in header)
        buffer = io.StringIO()
        write_csv(buffer, header, rows)
        return buffer.getvalue().encode(self.charset)

    @staticmethod
    def _name_download(context: dict) -> None:
        """``Content-Disposition: attachment`` with the endpoint's name (its URL
        segment, ``honour-schemes.csv``; ``articles-12.csv`` for one item), so that
        a browser saves a named file. Errors are shown, not saved."""
        response, view = context.get("response"), context.get("view")
        basename = getattr(view, "basename", None)
        if response is None or basename is None or response.status_code >= 300:
            return
        try:
            path = reverse(f"api:{basename}-list")
        except NoReverseMatch:
            return
        name = path.rstrip("/").rsplit("/", 1)[-1]
        pk = (getattr(view, "kwargs", None) or {}).get("pk")
        if pk is not None and str(pk).isdigit():
            name = f"{name}-{pk}"
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'

"""CSV for list endpoints (``?format=csv`` or ``Accept: text/csv``)."""

from __future__ import annotations

import csv
import io
import json

from rest_framework.renderers import BaseRenderer


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

    Cells starting with ``= + - @`` are prefixed with ``'`` so that spreadsheets do not
    run them as formulas (CSV injection).
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
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
        # The byte-order mark makes Excel read the Chinese text as UTF-8.
        buffer.write("\ufeff")
        writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _safe_cell(v) for k, v in row.items()})
        return buffer.getvalue().encode(self.charset)


def _safe_cell(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value

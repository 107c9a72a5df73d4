"""Spreadsheet-safe cells for every CSV (and XLSX) the site hands to people.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, after
trimming, TAB or CR) as a formula: ``=HYPERLINK("http://x","y")`` in an article title
becomes a live link, ``=cmd|…`` worse (CSV injection). Following OWASP's "CSV
Injection" guidance, such a cell is written with a leading single quote, which
spreadsheets show as text and do not evaluate. The full-width forms ``＝ ＋ － ＠``
are guarded too: some spreadsheet input paths (and IMEs) fold them to ASCII.

Numbers stay numbers: ints, floats and Decimals pass through, and so does a string
that is a plain number (``"-3.5"``, ``"+2"``, ``"1e-3"``; the API serialises decimals
as strings), so a negative figure is still a number cell, not text.

Every download and export goes through here: the indicator CSV
(``quality.views.indicator_csv``), the API's CSV renderer (``api.renderers``) and the
admin's CSV/XLSX export (``quality.admin``) and the resources' own export
(``quality.resources``: ``manage.py export``). Importing strips the quote again
(:func:`unguard_cell`), so an exported file imports back unchanged.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

#: First characters that make a spreadsheet evaluate a cell.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")

# A plain decimal number, optionally signed, optionally with an exponent.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet shows it without running it as a formula."""
    if not isinstance(value, str) or len(value) < 2 or value[0] not in FORMULA_TRIGGERS:
        # A lone "=" (the comparator column) or "-" (no data) is not a formula.
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def unguard_cell(value: Any) -> Any:
    """Undo :func:`safe_cell` on an imported cell (``'=x`` → ``=x``)."""
    if (
        isinstance(value, str)
        and len(value) > 2
        and value[0] == "'"
        and value[1] in FORMULA_TRIGGERS
        and not _NUMBER.fullmatch(value[1:])
    ):
        return value[1:]
    return value


def safe_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: safe_cell(value) for key, value in row.items()}


def write_csv(
    stream,
    fieldnames: list[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    bom: bool = True,
) -> None:
    """Write ``rows`` (dicts) to ``stream`` as CSV with a header row, every cell
    guarded, the header's too (the API's error bodies name the request's unknown
    parameters in it). The byte-order mark (on by default) makes Excel read UTF-8
    Chinese."""
    if bom:
        stream.write("\ufeff")
    writer = csv.DictWriter(stream, fieldnames=fieldnames, lineterminator="\r\n")
    writer.writer.writerow([safe_cell(name) for name in fieldnames])
    for row in rows:
        writer.writerow(safe_row(row))


def safe_dataset(dataset):
    """A copy of a tablib ``Dataset`` with every cell guarded (admin exports)."""
    guarded = dataset.__class__(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        guarded.append([safe_cell(cell) for cell in row])
    return guarded

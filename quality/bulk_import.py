"""Bulk import of observations from a CSV or XLSX file: 100,000 rows in seconds.

:func:`observations_import` is the one service. It reads the file row by row (the
``csv`` module, or openpyxl in read-only mode), checks each row against the rules of
``observation_create`` and of the model (field by field with the model's own fields,
the check constraints in Python, codes resolved from dictionaries loaded once, a
new row's quote against its article's text with ``Observation.check_quote``) and
writes in ONE transaction, a batch at a time (one prepared INSERT per batch). Any row error: the whole
transaction is rolled back, nothing is written, and the errors come back as
(row number, column, message in Chinese).

It streams: a batch is validated, checked against the database (existing
observations of its cells: duplicates and preferred flags) and inserted before the
next one is read, so memory does not grow with the file — rows of earlier batches
are in the database already (in the open transaction), which is how a duplicate of
an earlier row of the same file is found. Rows that pass keep being inserted after a
first error so that every error is found; the rollback removes them.

A file exported from the admin (``quality.columns.EXCHANGE_FIELDS``, ``id`` first)
comes back unchanged. A row is either a saved observation or a new one:

- a row with an ``id`` is that saved observation: its columns that never change
  (``Observation.VALUE_FIELDS``) must be as saved — a different value or source is an
  error (a correction adds an observation: 更正 in the admin); an unknown ``id`` is an
  error; what the row may change is the status, the note and the preferred flag
  (with the ``change_observation`` permission);
- a row without ``id`` whose unchanging columns equal a saved observation's is that
  observation too, so importing the same file again changes nothing; otherwise it is
  a new observation (``observation_create``'s rules);
- for a saved observation an empty ``status`` or ``is_preferred`` (or no ``note``
  column) keeps what is saved;
- ``is_preferred`` empty on a new row: preferred only when its cell has no preferred
  value yet; ``true`` moves the flag to it; ``false`` not preferred —
  ``observation_create``'s rule, applied in file order;
- a 已修订 value is never preferred (the model's check constraint): a new 已修订 row
  with an empty flag is not preferred, one marked preferred is an error, and so is a
  row that marks a saved preferred value 已修订 (unless an earlier row moved the flag
  away: a correction by file) or prefers a saved 已修订 one;
- two rows of the file for one observation (the same ``id``, or the same unchanging
  columns) are an error.

The counts say what happened: created, updated, unchanged (a saved observation's
row that changed nothing, its preferred flag compared at the end of the import). An
import that changes nothing is rolled back whole: no audit entry, nothing written.

Two bulk imports at once: the second waits for the first to commit
(``yantai.locks.bulk_write``), then reads what the first wrote.
"""

from __future__ import annotations

import csv
import functools
import io
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, models, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from api.counts import bump_count_generation
from news.models import Article, AuditLog
from news.services import audit_record
from yantai.csvsafe import unguard_cell
from yantai.locks import BulkWriteBusy, bulk_write, is_busy
from yantai.text import (
    echoed,
    file_encoding,
    join_list,
    join_sentences,
    spreadsheet_date,
    stored_language,
)

from . import columns
from .cells import NO_DATA, read_number
from .figure_links import figure_marks_batch, figures_changed
from .frontcache import observations_changed
from .models import Indicator, Observation, Period, Region
from .services import period_from_code
from .stamps import dataset_changed, indicators_changed

BATCH_SIZE = 2000
#: The bulk-write lock of this import (``yantai.locks``).
LOCK = "quality.observations_import"
PERM_CHANGE = "quality.change_observation"
#: The errors kept for display; the rest are only counted.
MAX_ERRORS = 200
REQUIRED = ("indicator", "region", "period", "value", "raw_text")
# The stored columns checked with the model's own field (to_python and validators).
_PLAIN = tuple(
    name
    for name in columns.WRITE_FIELDS
    if name not in ("indicator", "region", "period", "article", "is_preferred")
)
_BOOLEANS = {
    **dict.fromkeys(("1", "true", "t", "yes", "y", "是"), True),
    **dict.fromkeys(("0", "false", "f", "no", "n", "否"), False),
}
_KEY = tuple(
    Observation._meta.get_field(name).attname for name in Observation.VALUE_FIELDS
)
_ARTICLE = _KEY.index("article_id")
# Headers only the public downloads have (``quality.views``): not an import file.
_DOWNLOAD_ONLY = frozenset(columns.DOWNLOAD_FIELDS) - frozenset(columns.EXCHANGE_FIELDS)


@dataclass(frozen=True)
class _Row:
    number: int
    observation: Observation
    #: The ``id`` column: the saved observation the row is.
    id: int | None
    #: Columns left empty or out: a saved observation keeps its own.
    keep: frozenset[str]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    name: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    periods_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    dry_run: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def changed(self) -> bool:
        """Whether the import changed anything (rows created or updated)."""
        return bool(self.created or self.updated or self.periods_created)

    def clear_counts(self) -> None:
        self.created = self.updated = self.unchanged = self.periods_created = 0

    @property
    def more_errors(self) -> int:
        """The errors found but not kept in :attr:`errors`."""
        return self.error_count - len(self.errors)

    def add_error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, message))


class _Rollback(Exception):
    pass


class _Unreadable(Exception):
    pass


class _TooLarge(Exception):
    pass


#: The rows read for the header: a title row (and a blank one) may come first.
HEADER_SEARCH_ROWS = 10

#: The files an import of observations reads (``_rows``).
SUFFIXES = (".csv", ".xlsx", ".xls")


def wrong_kind_message() -> str:
    return _("只能导入 .csv、.xlsx 或 .xls 文件。")


#: An ``.xls`` is read whole (the format is no stream): at 22 MB (65,535 rows of
#: 16 columns) the command peaked at 300 MB; beyond this, CSV or XLSX (streamed).
XLS_MAX_BYTES = 16 * 1024 * 1024


def _constraint_message(name: str) -> str:
    for constraint in Observation._meta.constraints:
        if constraint.name == name:
            return str(constraint.violation_error_message)
    raise LookupError(name)


def _rows(file, name: str) -> Iterator[tuple[int, list]]:
    """(row number as a spreadsheet shows it, cells), the header first (row 1)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        # UTF-8, the GBK that Excel's "CSV (逗号分隔)" saves on a Chinese Windows,
        # or the UTF-16 of its "Unicode 文本".
        encoding = file_encoding(file)
        if encoding is None:
            raise UnicodeError
        text = io.TextIOWrapper(file, encoding=encoding, newline="")
        # Excel's "Unicode 文本" (UTF-16) separates cells by TAB, not comma.
        first = text.readline()
        text.seek(0)
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        for number, cells in enumerate(csv.reader(text, delimiter=delimiter), start=1):
            yield number, cells
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(file, read_only=True, data_only=True)
        except Exception as error:  # not a zip, not a workbook …
            raise _Unreadable from error
        try:
            for number, cells in enumerate(
                book.active.iter_rows(values_only=True), start=1
            ):
                yield number, list(cells)
        finally:
            book.close()
    elif suffix == ".xls":
        yield from _xls_rows(file)
    else:
        raise ValueError(suffix)


def _xls_rows(file) -> Iterator[tuple[int, list]]:
    """The first sheet of an Excel 97–2003 workbook (``.xls``: what offices' older
    Excel and WPS still save), its cells as openpyxl gives an ``.xlsx``'s: whole
    numbers as ``int`` (a region code 370600, not 370600.0), dates as ``datetime``,
    TRUE/FALSE as ``bool``, an error cell as its text (#N/A), an empty one None.
    The format holds at most 65,536 rows, read whole (xlrd)."""
    import xlrd

    if file.seek(0, io.SEEK_END) > XLS_MAX_BYTES:
        raise _TooLarge
    file.seek(0)
    try:
        book = xlrd.open_workbook(file_contents=file.read(), on_demand=True)
        sheet = book.sheet_by_index(0)
    except Exception as error:  # not an .xls, a damaged one …
        raise _Unreadable from error
    # The file's bytes (twice: the file and its workbook stream) and the shared
    # strings, which the sheet's cells now hold.
    book.release_resources()
    for number in range(sheet.nrows):
        cells = []
        for kind, value in zip(
            sheet.row_types(number), sheet.row_values(number), strict=True
        ):
            if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                value = None
            elif kind == xlrd.XL_CELL_NUMBER and value.is_integer():
                value = int(value)
            elif kind == xlrd.XL_CELL_DATE:
                value = xlrd.xldate_as_datetime(value, book.datemode)
            elif kind == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            elif kind == xlrd.XL_CELL_ERROR:
                value = xlrd.error_text_from_code.get(value, "#ERROR")
            cells.append(value)
        yield number + 1, cells


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Checker:
    """Checks one row at a time; the dictionaries of codes are loaded once."""

    def __init__(self, result: ImportResult):
        self.result = result
        self.indicators = dict(Indicator.objects.values_list("code", "id"))
        self.units = dict(Indicator.objects.values_list("id", "unit__symbol"))
        self.regions = dict(Region.objects.values_list("code", "id"))
        self.periods = {
            code: (pk, end_on)
            for code, pk, end_on in Period.objects.values_list("code", "id", "end_on")
        }
        self.bad_periods: dict[str, str] = {}
        self.labels = (_("指标代码"), _("行政区划代码"))  # translated once, not a row
        self.fields = {name: Observation._meta.get_field(name) for name in _PLAIN}
        self.source_message = _constraint_message("observation_exactly_one_source")
        self.bounds_message = _constraint_message("observation_bounds_around_value")
        self.comparator_message = _constraint_message(
            "observation_bounds_match_comparator"
        )
        self.revised_message = _constraint_message(
            "observation_revised_never_preferred"
        )

    def code(self, table: dict, value, label: str, row: int, column: str):
        if _blank(value):
            self.result.add_error(row, column, _("此列必填。"))
            return None
        code = str(value).strip()
        found = table.get(code)
        if found is None:
            self.result.add_error(
                row,
                column,
                _("没有%(label)s“%(value)s”。")
                % {"label": label, "value": echoed(code)},
            )
        return found

    def period(self, value, row: int):
        if _blank(value):
            self.result.add_error(row, "period", _("此列必填。"))
            return None
        if isinstance(value, datetime):
            # Excel makes a typed "2021-12" the date 2021-12-01: a month, or a day?
            self.result.add_error(
                row,
                "period",
                _(
                    "期间被 Excel 存成了日期 %(date)s，看不出是月份还是时点：请把该列"
                    "设为“文本”格式，填 2021-12（月份）或 @2021-12-01（时点）。"
                )
                % {"date": value.date().isoformat()},
            )
            return None
        code = str(value).strip()
        if code in self.periods:
            return self.periods[code]
        if code not in self.bad_periods:
            try:
                # Created in the import's transaction: rolled back with it.
                with transaction.atomic():
                    period = period_from_code(code)
            except ValidationError as error:
                self.bad_periods[code] = join_sentences(error.messages)
            else:
                self.periods[code] = (period.pk, period.end_on)
                self.periods[period.code] = (period.pk, period.end_on)
                self.result.periods_created += 1
                return self.periods[code]
        self.result.add_error(row, "period", self.bad_periods[code])
        return None

    def row(self, number: int, cells: dict) -> _Row | None:
        """The observation of one row (not saved), or None after noting its errors."""
        before = self.result.error_count
        given_id = None
        raw_id = cells.get("id")
        if not _blank(raw_id):
            try:
                given_id = int(Decimal(str(raw_id).strip()))
                if given_id < 1 or given_id != Decimal(str(raw_id).strip()):
                    raise ValueError
            except (InvalidOperation, ValueError):
                self.result.add_error(
                    number, "id", _("id 应是已有观测值的编号（正整数），或留空。")
                )
        # What a saved observation keeps when its row leaves it out.
        keep = frozenset(
            name
            for name in ("status", "note")
            if name not in cells or (name == "status" and _blank(cells[name]))
        )
        indicator_id = self.code(
            self.indicators, cells.get("indicator"), self.labels[0], number, "indicator"
        )
        region_id = self.code(
            self.regions, cells.get("region"), self.labels[1], number, "region"
        )
        period = self.period(cells.get("period"), number)
        values = {}
        unit = self.units.get(indicator_id)
        for name, model_field in self.fields.items():
            raw = cells.get(name)
            is_number = isinstance(model_field, models.DecimalField)
            is_date = type(model_field) is models.DateField
            if is_number:
                # The one reading of a number cell (quality.cells): "1，700",
                # "1 700", "97%", "一千七百", "1.7万", "—" …, or why not.
                try:
                    raw = read_number(raw, unit=unit, required=not model_field.blank)
                except ValidationError as error:
                    self.result.add_error(number, name, join_sentences(error.messages))
                    continue
            elif is_date and isinstance(raw, str):
                # As a spreadsheet on a Chinese system saves them: "2021/3/1",
                # "2021年3月1日"; "—" is no date.
                raw = spreadsheet_date(raw)
                if raw.strip() in NO_DATA:
                    raw = ""
            elif (
                is_date
                and isinstance(raw, int | float | Decimal)
                and not isinstance(raw, bool)
            ):
                self.result.add_error(
                    number,
                    name,
                    _(
                        "这里应是日期，却是数字 %(number)s（Excel 的日期序号，"
                        "单元格的日期格式丢了）：请把该列设为日期格式，或填 "
                        "2021-03-01 这样的日期。"
                    )
                    % {"number": raw},
                )
                continue
            if _blank(raw):
                if model_field.blank:  # nothing to check: stored empty
                    values[name] = None if model_field.null else ""
                    continue
                if is_number:
                    self.result.add_error(number, name, _("此列必填。"))
                    continue
                raw = None if model_field.null else ""
            elif isinstance(raw, float):
                raw = Decimal(repr(raw))
            elif isinstance(raw, datetime) and isinstance(
                model_field, models.DateField
            ):
                raw = raw.date()
            if name == "comparator" and raw == "":
                raw = Observation.Comparator.EQ
            if name == "status" and raw == "":
                raw = Observation.Status.PROVISIONAL
            try:
                values[name] = model_field.clean(raw, None)
            except ValidationError as error:
                self.result.add_error(number, name, join_sentences(error.messages))
            except (InvalidOperation, TypeError, ValueError):
                self.result.add_error(number, name, _("无法识别的值。"))
        article_id = None
        raw_article = cells.get("article")
        if not _blank(raw_article):
            try:
                article_id = int(Decimal(str(raw_article).strip()))
            except (InvalidOperation, ValueError):
                self.result.add_error(
                    number, "article", _("来源文章应填文章编号（数字）。")
                )
        preferred = None
        raw_preferred = cells.get("is_preferred")
        if not _blank(raw_preferred):
            word = str(raw_preferred).strip().lower()
            preferred = _BOOLEANS.get(word)
            if preferred is None:
                self.result.add_error(
                    number,
                    "is_preferred",
                    _(
                        "首选值填 1 或 0（true 或 false）；留空则该单元格尚无首选值时设为首选。"
                    ),
                )
        if self.result.error_count > before:
            return None
        observation = Observation(
            indicator_id=indicator_id,
            region_id=region_id,
            period_id=period[0],
            period_end_on=period[1],
            article_id=article_id,
            is_preferred=preferred,
            **values,
        )
        self.constraints(number, observation)
        if self.result.error_count > before:
            return None
        return _Row(number, observation, given_id, keep)

    def constraints(self, number: int, o: Observation) -> None:
        """The model's check constraints, in Python (the database checks them too)."""
        external = o.source_publisher != "" and o.source_title != ""
        bare = (
            o.source_publisher == ""
            and o.source_title == ""
            and o.source_url == ""
            and o.source_on is None
        )
        if not (
            (o.article_id is not None and bare) or (o.article_id is None and external)
        ):
            self.result.add_error(number, "article", self.source_message)
        lower, upper, value = o.lower, o.upper, o.value
        if (lower is not None and lower > value) or (
            upper is not None and upper < value
        ):
            self.result.add_error(number, "lower/upper", self.bounds_message)
            return
        c = o.comparator
        if c == "=":
            fits = lower is None and upper is None
        elif c == "~":
            fits = True
        elif c in (">", ">="):
            fits = (lower is None or lower == value) and (
                upper is None or upper > value
            )
        else:
            fits = (upper is None or upper == value) and (
                lower is None or lower < value
            )
        if not fits:
            self.result.add_error(number, "comparator", self.comparator_message)
        # An empty flag is no flag; an empty status keeps a saved row's (_Writer).
        if o.status == Observation.Status.REVISED and o.is_preferred:
            self.result.add_error(number, "status/is_preferred", self.revised_message)


class _Writer:
    """Checks a batch against the database and writes it (inside the transaction)."""

    def __init__(self, result: ImportResult, *, can_change: bool):
        self.result = result
        self.can_change = can_change
        self.revised_message = _constraint_message(
            "observation_revised_never_preferred"
        )
        # The file rows this import inserted, in order (8 bytes a row): names the
        # row a duplicate repeats. Rows get growing keys above ``last_pk``.
        self.numbers = array("q")
        self.last_pk = Observation.objects.aggregate(last=Max("pk"))["last"] or 0
        # Saved observations the file's rows are: id → file row.
        self.matched: dict[int, int] = {}
        # Saved observations whose status or note this import changed.
        self.content_changed: set[int] = set()
        # Saved observations whose preferred flag this import wrote: flag before
        # the import, flag now (a later row may move it back).
        self.flag_before: dict[int, bool] = {}
        self.flag_now: dict[int, bool] = {}
        fields = [f for f in Observation._meta.concrete_fields if not f.primary_key]
        self.attnames = [f.attname for f in fields]
        ops = connection.ops
        self.insert_prefix = "INSERT INTO {} ({}) VALUES ".format(
            ops.quote_name(Observation._meta.db_table),
            ", ".join(ops.quote_name(f.column) for f in fields),
        )
        self.placeholders = "({})".format(", ".join(["%s"] * len(fields)))
        self.insert_sql = self.insert_prefix + self.placeholders
        adapt = {
            models.DecimalField: lambda v: ops.adapt_decimalfield_value(v, 20, 4),
            models.DateField: ops.adapt_datefield_value,
        }
        self.adapters = [
            (i, adapt[type(f)])
            for i, f in enumerate(fields)
            if type(f) in adapt and f.attname != "period_end_on"
        ]
        self.indicator_ids: set[int] = set()
        self.article_ids: set[int] = set()

    def file_row(self, pk: int) -> int | None:
        if pk <= self.last_pk:
            return None
        index = Observation.objects.filter(pk__gt=self.last_pk, pk__lt=pk).count()
        return self.numbers[index] if index < len(self.numbers) else None

    def counts(self) -> None:
        """Updated and unchanged rows: a flag compared as it ends, not as it went."""
        flags = {
            pk
            for pk, before in self.flag_before.items()
            if pk in self.matched and self.flag_now[pk] != before
        }
        self.result.updated = len(self.content_changed | flags)
        self.result.unchanged = len(self.matched) - self.result.updated

    @property
    def flags_changed(self) -> bool:
        return any(self.flag_now[pk] != b for pk, b in self.flag_before.items())

    def _saved(self, rows: list[_Row]):
        """The saved observations a batch may touch: those its ids name (locked
        against a concurrent edit) and those of its cells."""
        fields = (*_KEY, "status", "note", "is_preferred", "pk")
        ids = {row.id for row in rows if row.id is not None}
        by_id = {}
        if ids:
            for values in (
                Observation.objects.select_for_update()
                .filter(pk__in=ids)
                .values_list(*fields)
            ):
                by_id[values[-1]] = values
        cells = Observation.objects.filter(
            indicator_id__in={r.observation.indicator_id for r in rows},
            region_id__in={r.observation.region_id for r in rows},
            period_id__in={r.observation.period_id for r in rows},
        ).values_list(*fields)
        return by_id, cells

    def batch(self, rows: list[_Row]) -> None:
        if not rows:
            return
        add_error = self.result.add_error
        article_ids = {
            r.observation.article_id
            for r in rows
            if r.observation.article_id is not None
        }
        known = set(
            Article.objects.filter(pk__in=article_ids).values_list("pk", flat=True)
        )
        # The title and live text of the articles a row quotes: a new observation's
        # quote must be in one of them (``Observation.check_quote``).
        texts = {
            pk: (title, body)
            for pk, title, body in Article.objects.filter(
                pk__in={
                    r.observation.article_id
                    for r in rows
                    if r.observation.article_id is not None and r.observation.quote
                }
            ).values_list("pk", "title", "body_text")
        }
        by_id, cells = self._saved(rows)
        width = len(_KEY)
        saved: dict[tuple, int] = {}
        # pk → (status, note, is_preferred, indicator id, article id) as saved.
        state: dict[int, tuple] = {}
        preferred: dict[tuple, object] = {}  # cell → a saved pk or a new row
        for values in (*by_id.values(), *cells):
            pk = values[-1]
            key = values[:width]
            saved.setdefault(key, pk)
            state[pk] = (*values[width:-1], key[0], values[_ARTICLE])
            if values[-2]:
                preferred[key[:3]] = pk
        seen: dict[tuple, int] = {}
        desired: dict[int, bool] = {}  # saved pk → its flag after this batch
        updates: list[Observation] = []
        kept: list[tuple[int, Observation]] = []

        def unflag(current) -> None:
            if isinstance(current, Observation):
                current.is_preferred = False
            else:
                desired[current] = False

        for row in rows:
            number, o = row.number, row.observation
            if o.article_id is not None and o.article_id not in known:
                add_error(
                    number,
                    "article",
                    _("没有编号为 %(id)s 的来源文章。") % {"id": o.article_id},
                )
                continue
            key = tuple(getattr(o, name) for name in _KEY)
            pk = None
            if row.id is not None:
                found = by_id.get(row.id)
                if found is None or row.id > self.last_pk:
                    add_error(
                        number, "id", _("没有编号为 %(id)d 的观测值。") % {"id": row.id}
                    )
                    continue
                if found[:3] != key[:3]:
                    add_error(
                        number,
                        "id",
                        _(
                            "编号 %(id)d 的观测值属于另一个指标、地区或期间，与本行"
                            "不符；请核对 id 列。"
                        )
                        % {"id": row.id},
                    )
                    continue
                if found[:width] != key:
                    changed = [
                        name
                        for name, was, now in zip(
                            Observation.VALUE_FIELDS, found, key, strict=False
                        )
                        if was != now
                    ]
                    add_error(
                        number,
                        "/".join(changed),
                        _(
                            "已有观测值（编号 %(id)s）不能改写%(fields)s，请在后台用"
                            "“更正”新增一条。"
                        )
                        % {
                            "id": row.id,
                            "fields": _("（%(fields)s）")
                            % {
                                "fields": join_list(
                                    Observation._meta.get_field(n).verbose_name
                                    for n in changed
                                )
                            },
                        },
                    )
                    continue
                pk = row.id
            elif key in seen:
                add_error(number, "", _("与第 %(row)d 行重复。") % {"row": seen[key]})
                continue
            elif key in saved:
                earlier = self.file_row(saved[key])
                if earlier is not None:
                    add_error(number, "", _("与第 %(row)d 行重复。") % {"row": earlier})
                    continue
                pk = saved[key]
            cell = key[:3]
            current = preferred.get(cell)
            if pk is None:  # a new observation
                try:
                    o.check_quote(texts.get(o.article_id))
                except ValidationError as error:
                    add_error(number, "quote", join_sentences(error.messages))
                    continue
                seen[key] = number
                wanted = (
                    current is None and o.status != Observation.Status.REVISED
                    if o.is_preferred is None
                    else o.is_preferred
                )
                saved_current = isinstance(current, int) and current <= self.last_pk
                if wanted and saved_current and not self.can_change:
                    # Taking the flag off a saved observation changes it.
                    add_error(
                        number,
                        "is_preferred",
                        _(
                            "您没有“修改观测值”权限，不能取消已有观测值（编号 %(id)d）"
                            "的首选标记。"
                        )
                        % {"id": current},
                    )
                    continue
                if wanted and current is not None:
                    unflag(current)
                if wanted:
                    preferred[cell] = o
                o.is_preferred = wanted
                kept.append((number, o))
                continue
            if pk in self.matched:
                add_error(
                    number,
                    "id" if row.id is not None else "",
                    _("与第 %(row)d 行是同一条观测值（编号 %(id)d）。")
                    % {"row": self.matched[pk], "id": pk},
                )
                continue
            self.matched[pk] = number
            seen[key] = number
            status, note, _flag, indicator_id, article_id = state[pk]
            new_status = status if "status" in row.keep else o.status
            new_note = note if "note" in row.keep else o.note
            is_current = current == pk
            wanted = is_current if o.is_preferred is None else o.is_preferred
            content = (new_status, new_note) != (status, note)
            if not (content or wanted != is_current):
                continue
            if not self.can_change:
                add_error(
                    number,
                    "id",
                    _("您没有“修改观测值”权限，不能修改已有的观测值（编号 %(id)d）。")
                    % {"id": pk},
                )
                continue
            if wanted and new_status == Observation.Status.REVISED:
                # The cell's preferred value marked 已修订 (its new value comes by
                # 更正, or a row before this one takes the flag), or a 已修订 one
                # made preferred.
                add_error(
                    number,
                    "status" if is_current else "is_preferred",
                    self.revised_message,
                )
                continue
            if wanted and not is_current:
                if current is not None:
                    unflag(current)
                preferred[cell] = pk
                desired[pk] = True
            elif is_current and not wanted:
                del preferred[cell]
                desired[pk] = False
            if content:
                updates.append(Observation(pk=pk, status=new_status, note=new_note))
                self.content_changed.add(pk)
            self.indicator_ids.add(indicator_id)
            if article_id is not None:
                self.article_ids.add(article_id)
        # Flags off, statuses and notes, flags on: at no statement has a cell two
        # preferred values or a 已修订 one (PostgreSQL checks row by row).
        self._write_flags(desired, state, False)
        if updates:
            self.update(updates)
        self._write_flags(desired, state, True)
        self.insert([o for _n, o in kept])
        for number, o in kept:
            self.numbers.append(number)
            self.indicator_ids.add(o.indicator_id)
            if o.article_id is not None:
                self.article_ids.add(o.article_id)
        self.result.created += len(kept)

    def _write_flags(
        self, desired: dict[int, bool], state: dict[int, tuple], flag: bool
    ) -> None:
        """Saved rows' flags turned to ``flag`` (off before on: one preferred value
        per cell at every statement)."""
        pks = [
            pk
            for pk, wanted in desired.items()
            if wanted == flag and bool(state[pk][2]) != flag
        ]
        if not pks:
            return
        Observation.objects.filter(pk__in=pks).update(is_preferred=flag)
        for pk in pks:
            indicator_id, article_id = state[pk][3:]
            self.indicator_ids.add(indicator_id)
            if article_id is not None:
                self.article_ids.add(article_id)
            if pk <= self.last_pk:
                self.flag_before.setdefault(pk, not flag)
                self.flag_now[pk] = flag

    def update(self, observations: list[Observation]) -> None:
        """Status and note of saved rows: one prepared UPDATE run over the batch
        (``bulk_update``'s CASE over the batch's ids costs the square of its size)."""
        ops = connection.ops
        sql = "UPDATE {} SET {} = %s, {} = %s WHERE {} = %s".format(
            *map(ops.quote_name, (Observation._meta.db_table, "status", "note", "id"))
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(o.status, o.note, o.pk) for o in observations])

    def insert(self, observations: list[Observation]) -> None:
        """One prepared INSERT run over the batch (``executemany``): what
        ``bulk_create`` writes, without compiling SQL for every 40 rows (half the
        import's time). Values were cleaned by the model's fields already."""
        if not observations:
            return
        now = timezone.now()
        params = []
        for o in observations:
            o.created_at = now
            row = [getattr(o, name) for name in self.attnames]
            for i, adapt in self.adapters:
                if row[i] is not None:
                    row[i] = adapt(row[i])
            params.append(row)
        end = self.attnames.index("period_end_on")
        created_at = self.attnames.index("created_at")
        stamp = connection.ops.adapt_datetimefield_value(now)
        dates = {}
        for row in params:
            day = row[end]
            row[end] = dates.get(day) or dates.setdefault(
                day, connection.ops.adapt_datefield_value(day)
            )
            row[created_at] = stamp
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.executemany(self.insert_sql, params)
                return
            # PostgreSQL: a multi-row VALUES a round trip (executemany sends a
            # statement a row: a third of the import's time).
            chunk = 65535 // len(self.attnames)
            for start in range(0, len(params), chunk):
                rows = params[start : start + chunk]
                values = ", ".join([self.placeholders] * len(rows))
                cursor.execute(
                    self.insert_prefix + values, [v for row in rows for v in row]
                )


def observations_import(
    file,
    *,
    name: str,
    by=None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int], None] | None = None,
    lock_timeout: float | None = None,
) -> ImportResult:
    """Import the observations of ``file`` (a binary file object; ``name`` says
    whether it is ``.csv``, ``.xlsx`` or ``.xls``): all of them, or none when any row
    fails.

    ``on_progress(n)`` is called after each batch with the rows read in it.
    ``dry_run`` checks everything (periods and preferred flags included) and writes
    nothing. One audit entry names the file and the counts; an import that would
    change nothing writes nothing, not even that. ``by`` needs the
    ``change_observation`` permission for the rows that change a saved observation.
    ``lock_timeout``: how long to wait for another bulk import of observations
    (seconds; ``settings.BULK_IMPORT_WAIT_SECONDS`` by default), after which the
    import is refused with one error and writes nothing.
    """
    started = time.monotonic()
    result = ImportResult(name=name, dry_run=dry_run)
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        result.add_error(0, "", wrong_kind_message())
        return result
    can_change = by is None or by.has_perm(PERM_CHANGE)
    try:
        with bulk_write(LOCK, timeout=lock_timeout), figure_marks_batch():
            writer = _import_rows(
                file, name, result, batch_size, on_progress, can_change
            )
            writer.counts()
            if not result.ok or dry_run:
                raise _Rollback
            if not (result.changed or writer.flags_changed):
                raise _Rollback  # the same file again: not even an audit entry
            if writer.indicator_ids:
                figures_changed(
                    article_ids=tuple(writer.article_ids),
                    indicator_ids=tuple(writer.indicator_ids),
                )
                # Written without save signals: nginx's and the CDNs' copies of
                # these indicators' pages, in one batch at commit.
                observations_changed(writer.indicator_ids)
            with stored_language():  # 操作日志: Chinese whoever imports
                summary = _(
                    "批量导入观测值：文件“%(name)s”，%(read)d 行，新增 %(created)d 条，"
                    "更新 %(updated)d 条，未变 %(unchanged)d 条，新建统计期间 "
                    "%(periods)d 个。"
                ) % {
                    "name": name,
                    "read": result.read,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "periods": result.periods_created,
                }
            audit_record(
                user=by,
                action=AuditLog.Action.IMPORT,
                object_type=Observation._meta.verbose_name,  # lazy: stored in Chinese
                object_repr=name,
                summary=summary,
            )
            transaction.on_commit(lambda: bump_count_generation("observations"))
            transaction.on_commit(dataset_changed)
            written = tuple(writer.indicator_ids)
            transaction.on_commit(lambda: indicators_changed(written))
    except _Rollback:
        if not result.ok:
            result.clear_counts()
    except UnicodeError:
        result.clear_counts()
        result.add_error(
            0,
            "",
            _(
                "CSV 文件须是 UTF-8（可带 BOM）、GBK 或 UTF-16（Excel 的“Unicode "
                "文本”）编码的中文文本。"
            ),
        )
    except csv.Error as error:
        result.clear_counts()
        result.add_error(0, "", _("CSV 格式有误：%(error)s") % {"error": error})
    except _TooLarge:
        result.clear_counts()
        result.add_error(
            0,
            "",
            _(
                "XLS 文件超过 %(mb)d MB（这种旧格式须整个读入内存）：请在 Excel 或 "
                "WPS 里另存为 CSV 或 XLSX 再导入。"
            )
            % {"mb": XLS_MAX_BYTES // (1024 * 1024)},
        )
    except _Unreadable:
        result.clear_counts()
        result.add_error(
            0, "", _("无法读取该 %(kind)s 文件。") % {"kind": suffix[1:].upper()}
        )
    except BulkWriteBusy as error:
        result.clear_counts()
        result.add_error(0, "", str(error))
    except OperationalError as error:
        if not is_busy(error):
            raise
        result.clear_counts()
        result.add_error(0, "", BulkWriteBusy().args[0])
    result.seconds = time.monotonic() - started
    return result


@functools.cache
def _header_names() -> dict[str, str]:
    """A header cell → its column: the column's name, or its field's label in
    Chinese or English ("指标", "Indicator"), as staff type a header of their own."""
    names = {name: name for name in columns.EXCHANGE_FIELDS}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for name in columns.EXCHANGE_FIELDS:
                label = str(Observation._meta.get_field(name).verbose_name)
                names.setdefault(label.casefold(), name)
    return names


def _column_of(cell) -> str:
    text = str(cell).strip() if cell is not None else ""
    return _header_names().get(text.casefold(), text)


def _no_header_message(rows: int) -> str:
    return _(
        "前 %(rows)d 行里没有列名行：列名行须含 indicator、region、period、value、"
        "raw_text（或 指标、地区、期间、数值、原文写法）等列。"
    ) % {"rows": rows}


def _import_rows(file, name, result, batch_size, on_progress, can_change) -> _Writer:
    checker = _Checker(result)
    writer = _Writer(result, can_change=can_change)
    header: list[str] | None = None
    header_row = skipped = 0
    batch: list[_Row] = []
    read_in_batch = 0
    for number, cells in _rows(file, name):
        if header is None:
            candidate = [_column_of(c) for c in cells]
            if not set(candidate) & set(columns.EXCHANGE_FIELDS):
                # A title row (often merged) or a blank one above the header, as
                # Chinese statistical tables have.
                if number < HEADER_SEARCH_ROWS:
                    skipped = number
                    continue
                result.add_error(0, "", _no_header_message(number))
                return writer
            header = candidate
            header_row = number
            if _DOWNLOAD_ONLY & set(header):
                # A public download: no id, the source as one readable column, the
                # region as its name. Say so once rather than once a cell.
                result.add_error(
                    header_row,
                    "",
                    _(
                        "这是网站公开下载的数据文件（没有 id，来源只有名称），不能"
                        "导入；请用后台观测值列表“导出”的文件，或按其列名填写。"
                    ),
                )
                return writer
            for column in REQUIRED:
                if column not in header:
                    result.add_error(
                        header_row,
                        column,
                        _("缺少必填列“%(column)s”。") % {"column": column},
                    )
            unknown = [c for c in header if c and c not in columns.EXCHANGE_FIELDS]
            for column in unknown:
                result.add_error(
                    header_row, column, _("未知的列“%(column)s”。") % {"column": column}
                )
            # Two headers of one column ("value" and "数值"): which one is meant?
            for column in sorted({c for c in header if c and header.count(c) > 1}):
                result.add_error(
                    header_row,
                    column,
                    _("列“%(column)s”出现了不止一次。") % {"column": column},
                )
            if not result.ok:
                return writer
            continue
        if all(_blank(c) for c in cells):
            continue  # an empty line at the end of a spreadsheet
        result.read += 1
        read_in_batch += 1
        row = {
            column: unguard_cell(value)
            for column, value in zip(header, cells, strict=False)
            if column
        }
        checked = checker.row(number, row)
        if checked is not None:
            batch.append(checked)
        if len(batch) >= batch_size:
            writer.batch(batch)
            batch = []
            if on_progress is not None:
                on_progress(read_in_batch)
            read_in_batch = 0
    if header is None:
        if skipped:
            result.add_error(0, "", _no_header_message(skipped))
        else:
            result.add_error(0, "", _("文件是空的。"))
        return writer
    writer.batch(batch)
    if on_progress is not None and read_in_batch:
        on_progress(read_in_batch)
    return writer

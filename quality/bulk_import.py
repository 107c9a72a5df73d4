"""Bulk import of observations from a CSV or XLSX file: 100,000 rows in seconds.

:func:`observations_import` is the one service. It reads the file row by row (the
``csv`` module, or openpyxl in read-only mode), checks each row against the rules of
``observation_create`` and of the model (field by field with the model's own fields,
the check constraints in Python, codes resolved from dictionaries loaded once) and
writes in ONE transaction, a batch at a time (one prepared INSERT per batch). Any row error: the whole
transaction is rolled back, nothing is written, and the errors come back as
(row number, column, message in Chinese).

It streams: a batch is validated, checked against the database (existing
observations of its cells: duplicates and preferred flags) and inserted before the
next one is read, so memory does not grow with the file — rows of earlier batches
are in the database already (in the open transaction), which is how a duplicate of
an earlier row of the same file is found. Rows that pass keep being inserted after a
first error so that every error is found; the rollback removes them.

A row is a new observation (the columns of ``quality.columns.WRITE_FIELDS``):

- ``is_preferred`` empty: preferred only when its cell has no preferred value yet;
  ``true`` moves the flag to it; ``false`` not preferred — ``observation_create``'s
  rule, applied in file order;
- a duplicate — the same values in every column that never changes
  (``Observation.VALUE_FIELDS``) as another row of the file or a saved observation —
  is an error;
- a row with an ``id`` is refused: saved observations are changed in the admin, one
  by one (a correction adds a row).
"""

from __future__ import annotations

import csv
import io
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from api.pagination import bump_count_generation
from news.models import Article, AuditLog
from news.services import audit_record
from yantai.csvsafe import unguard_cell

from . import columns
from .figure_links import figure_marks_batch, figures_changed
from .models import Indicator, Observation, Period, Region
from .services import period_from_code

BATCH_SIZE = 2000
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
    periods_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    dry_run: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

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


def _constraint_message(name: str) -> str:
    for constraint in Observation._meta.constraints:
        if constraint.name == name:
            return str(constraint.violation_error_message)
    raise LookupError(name)


def _rows(file, name: str) -> Iterator[tuple[int, list]]:
    """(row number as a spreadsheet shows it, cells), the header first (row 1)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
        for number, cells in enumerate(csv.reader(text), start=1):
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
    else:
        raise ValueError(suffix)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Checker:
    """Checks one row at a time; the dictionaries of codes are loaded once."""

    def __init__(self, result: ImportResult):
        self.result = result
        self.indicators = dict(Indicator.objects.values_list("code", "id"))
        self.regions = dict(Region.objects.values_list("code", "id"))
        self.periods = {
            code: (pk, end_on)
            for code, pk, end_on in Period.objects.values_list("code", "id", "end_on")
        }
        self.bad_periods: dict[str, str] = {}
        self.fields = {name: Observation._meta.get_field(name) for name in _PLAIN}
        self.source_message = _constraint_message("observation_exactly_one_source")
        self.bounds_message = _constraint_message("observation_bounds_around_value")
        self.comparator_message = _constraint_message(
            "observation_bounds_match_comparator"
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
                _("没有%(label)s“%(value)s”。") % {"label": label, "value": code},
            )
        return found

    def period(self, value, row: int):
        if _blank(value):
            self.result.add_error(row, "period", _("此列必填。"))
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
                self.bad_periods[code] = "；".join(error.messages)
            else:
                self.periods[code] = (period.pk, period.end_on)
                self.periods[period.code] = (period.pk, period.end_on)
                self.result.periods_created += 1
                return self.periods[code]
        self.result.add_error(row, "period", self.bad_periods[code])
        return None

    def row(self, number: int, cells: dict) -> Observation | None:
        """The observation of one row (not saved), or None after noting its errors."""
        before = self.result.error_count
        if not _blank(cells.get("id")):
            self.result.add_error(
                number,
                "id",
                _(
                    "批量导入只新增观测值，请清空“id”列；已有观测值请在后台逐条修改"
                    "或“更正”。"
                ),
            )
        indicator_id = self.code(
            self.indicators, cells.get("indicator"), _("指标代码"), number, "indicator"
        )
        region_id = self.code(
            self.regions, cells.get("region"), _("行政区划代码"), number, "region"
        )
        period = self.period(cells.get("period"), number)
        values = {}
        for name, model_field in self.fields.items():
            raw = cells.get(name)
            if isinstance(raw, str):
                raw = raw.strip() if name in ("value", "lower", "upper") else raw
            if _blank(raw):
                if model_field.blank:  # nothing to check: stored empty
                    values[name] = None if model_field.null else ""
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
                self.result.add_error(number, name, "；".join(error.messages))
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
        return observation

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


class _Writer:
    """Checks a batch against the database and inserts it (inside the transaction)."""

    def __init__(self, result: ImportResult):
        self.result = result
        # The file rows this import inserted, in order (8 bytes a row): names the
        # row a duplicate repeats. Rows get growing keys above ``last_pk``.
        self.numbers = array("q")
        self.last_pk = Observation.objects.aggregate(last=Max("pk"))["last"] or 0
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

    def batch(self, rows: list[tuple[int, Observation]]) -> None:
        if not rows:
            return
        article_ids = {o.article_id for _n, o in rows if o.article_id is not None}
        known = set(
            Article.objects.filter(pk__in=article_ids).values_list("pk", flat=True)
        )
        saved: dict[tuple, int] = {}
        preferred: dict[tuple, object] = {}  # cell → a saved pk or a file row
        for values in Observation.objects.filter(
            indicator_id__in={o.indicator_id for _n, o in rows},
            region_id__in={o.region_id for _n, o in rows},
            period_id__in={o.period_id for _n, o in rows},
        ).values_list(*_KEY, "is_preferred", "pk"):
            saved.setdefault(values[:-2], values[-1])
            if values[-2]:
                preferred[values[:3]] = values[-1]
        seen: dict[tuple, int] = {}
        unflag: list[int] = []
        kept: list[tuple[int, Observation]] = []
        for number, o in rows:
            if o.article_id is not None and o.article_id not in known:
                self.result.add_error(
                    number,
                    "article",
                    _("没有编号为 %(id)s 的来源文章。") % {"id": o.article_id},
                )
                continue
            key = tuple(getattr(o, name) for name in _KEY)
            if key in seen:
                self.result.add_error(
                    number, "", _("与第 %(row)d 行重复。") % {"row": seen[key]}
                )
                continue
            if key in saved:
                earlier = self.file_row(saved[key])
                if earlier is not None:
                    message = _("与第 %(row)d 行重复。") % {"row": earlier}
                else:
                    message = _("与已有的观测值（编号 %(id)d）重复。") % {
                        "id": saved[key]
                    }
                self.result.add_error(number, "", message)
                continue
            seen[key] = number
            cell = key[:3]
            current = preferred.get(cell)
            wanted = current is None if o.is_preferred is None else o.is_preferred
            if wanted and current is not None:
                if isinstance(current, Observation):
                    current.is_preferred = False
                else:
                    unflag.append(current)
            if wanted:
                preferred[cell] = o
            o.is_preferred = wanted
            kept.append((number, o))
        if unflag:
            Observation.objects.filter(pk__in=unflag).update(is_preferred=False)
        self.insert([o for _n, o in kept])
        for number, o in kept:
            self.numbers.append(number)
            self.indicator_ids.add(o.indicator_id)
            if o.article_id is not None:
                self.article_ids.add(o.article_id)
        self.result.created += len(kept)

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
) -> ImportResult:
    """Import the observations of ``file`` (a binary file object; ``name`` says
    whether it is ``.csv`` or ``.xlsx``): all of them, or none when any row fails.

    ``on_progress(n)`` is called after each batch with the rows read in it.
    ``dry_run`` checks everything (periods and preferred flags included) and writes
    nothing. One audit entry names the file and the counts.
    """
    started = time.monotonic()
    result = ImportResult(name=name, dry_run=dry_run)
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        result.add_error(0, "", _("只能导入 .csv 或 .xlsx 文件。"))
        return result
    try:
        with figure_marks_batch():
            writer = _import_rows(file, name, result, batch_size, on_progress)
            if not result.ok or dry_run:
                raise _Rollback
            if writer.indicator_ids:
                figures_changed(
                    article_ids=tuple(writer.article_ids),
                    indicator_ids=tuple(writer.indicator_ids),
                )
            audit_record(
                user=by,
                action=AuditLog.Action.IMPORT,
                object_type=str(Observation._meta.verbose_name),
                object_repr=name,
                summary=_(
                    "批量导入观测值：文件“%(name)s”，%(read)d 行，新增 %(created)d 条，"
                    "新建统计期间 %(periods)d 个。"
                )
                % {
                    "name": name,
                    "read": result.read,
                    "created": result.created,
                    "periods": result.periods_created,
                },
            )
            transaction.on_commit(lambda: bump_count_generation("observations"))
    except _Rollback:
        if not result.ok:
            result.created = result.periods_created = 0
    except UnicodeDecodeError:
        result.created = result.periods_created = 0
        result.add_error(0, "", _("CSV 文件须是 UTF-8 编码（可带 BOM）。"))
    except csv.Error as error:
        result.created = result.periods_created = 0
        result.add_error(0, "", _("CSV 格式有误：%(error)s") % {"error": error})
    except _Unreadable:
        result.created = result.periods_created = 0
        result.add_error(0, "", _("无法读取该 XLSX 文件。"))
    result.seconds = time.monotonic() - started
    return result


def _import_rows(file, name, result, batch_size, on_progress) -> _Writer:
    checker = _Checker(result)
    writer = _Writer(result)
    header: list[str] | None = None
    batch: list[tuple[int, Observation]] = []
    read_in_batch = 0
    for number, cells in _rows(file, name):
        if header is None:
            header = [str(c).strip() if c is not None else "" for c in cells]
            for column in REQUIRED:
                if column not in header:
                    result.add_error(
                        1, column, _("缺少必填列“%(column)s”。") % {"column": column}
                    )
            unknown = [c for c in header if c and c not in columns.EXCHANGE_FIELDS]
            for column in unknown:
                result.add_error(
                    1, column, _("未知的列“%(column)s”。") % {"column": column}
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
        observation = checker.row(number, row)
        if observation is not None:
            batch.append((number, observation))
        if len(batch) >= batch_size:
            writer.batch(batch)
            batch = []
            if on_progress is not None:
                on_progress(read_in_batch)
            read_in_batch = 0
    if header is None:
        result.add_error(0, "", _("文件是空的。"))
        return writer
    writer.batch(batch)
    if on_progress is not None and read_in_batch:
        on_progress(read_in_batch)
    return writer

"""Public data pages under /quality/: dashboard, indicators, registries, downloads."""

from __future__ import annotations

import csv
import hashlib
import operator
import tempfile
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from functools import reduce

from django.core.cache import caches
from django.db.models import Count, Max, Q, Sum, Value
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView, TemplateView
from openpyxl import Workbook

from news.models import Article
from news.views import channel_menu, page_query
from yantai.csvsafe import safe_cell, safe_row, write_csv

from . import chart_svg, columns, filters
from .formatting import format_number, format_value, period_label, source_text
from .models import (
    Award,
    Indicator,
    InspectionCentre,
    MeasurementStandard,
    Observation,
    Period,
    Region,
    SamplingCampaign,
    Scheme,
    Standard,
)
from .models.registries import Level
from .series import (
    HOME_REGION,
    build_series,
    figure_text,
    indicator_title,
    period_text,
    unit_text,
    updated_on,
)
from .stamps import dataset_stamp, indicator_stamps


def preferred_series(indicator_codes) -> dict[str, list[Observation]]:
    """Each indicator's preferred values for the city, oldest first, in one query."""
    series: dict[str, list[Observation]] = defaultdict(list)
    rows = (
        Observation.objects.preferred()
        .filter(indicator__code__in=list(indicator_codes), region__code=HOME_REGION)
        .select_related("indicator__unit", "period", "region")
        .order_by("period_end_on", "id")
    )
    for observation in rows:
        series[observation.indicator.code].append(observation)
    return series


def latest_preferred(indicator_codes) -> dict[str, Observation]:
    """The latest preferred value of each indicator for the city, in one query."""
    return {
        code: values[-1] for code, values in preferred_series(indicator_codes).items()
    }


def observation_row(observation: Observation, request=None) -> dict:
    """One observation as a flat row, shared by the CSV and JSON downloads: the
    headers of ``columns.DOWNLOAD_FIELDS``, in that order."""
    return {name: write(observation, request) for name, write in _DOWNLOAD_WRITERS}


def _number_or_blank(value) -> str:
    return "" if value is None else format_number(value)


def _source_url(observation: Observation, request) -> str:
    link = observation.source_link
    return request.build_absolute_uri(link) if request is not None and link else link


def _download_writer(name: str):
    """How the downloads write the column headed ``name``."""
    special = {
        "indicator": lambda o, r: o.indicator.code,
        "indicator_name": lambda o, r: o.indicator.name,
        "unit": lambda o, r: o.indicator.unit.symbol,
        "region_code": lambda o, r: o.region.code,
        "region": lambda o, r: o.region.name,
        "period": lambda o, r: o.period.code,
        "period_label": lambda o, r: o.period.label,
        "value": lambda o, r: format_number(o.value),
        "lower": lambda o, r: _number_or_blank(o.lower),
        "upper": lambda o, r: _number_or_blank(o.upper),
        "source": lambda o, r: o.source_label,
        "source_url": _source_url,
        "quote": lambda o, r: o.public_quote,
    }
    return special.get(name, lambda o, r: getattr(o, name))


_DOWNLOAD_WRITERS = tuple(
    (name, _download_writer(name)) for name in columns.DOWNLOAD_FIELDS
)


# A registry page's heading, which its menu entry repeats: the plural of a list
# (Standards), not the model's singular name (Standard) that the same Chinese is.
STANDARDS_TITLE = pgettext_lazy("registry page", "标准")
CENTRES_TITLE = pgettext_lazy("registry page", "质检中心")
MEASUREMENT_STANDARDS_TITLE = pgettext_lazy("registry page", "社会公用计量标准")

# The registries of the menu: (name, URL name, label, its entries).
REGISTRIES = (
    ("honours", "quality:honour-list", _("荣誉与品牌"),
     lambda: Award.objects.filter(scheme__kind=Scheme.Kind.HONOUR)),
    ("certifications", "quality:certification-list", _("认证证书"),
     lambda: Award.objects.filter(scheme__kind=Scheme.Kind.CERTIFICATION)),
    ("standards", "quality:standard-list", STANDARDS_TITLE, Standard.objects.all),
    ("inspection-centres", "quality:inspection-centre-list", CENTRES_TITLE,
     InspectionCentre.objects.all),
    ("measurement-standards", "quality:measurement-standard-list", _("计量标准"),
     MeasurementStandard.objects.all),
    ("sampling", "quality:sampling-list", _("抽检抽样"), SamplingCampaign.objects.all),
)  # fmt: skip


def registries_with_entries() -> set[str]:
    """The names of the registries that hold at least one entry, in one query: a
    UNION of one-row probes, each the row of its table's first id (a LIMIT 1
    subquery: compound statements allow no LIMIT of their own on SQLite)."""
    probes = []
    for name, _url, _label, entries in REGISTRIES:
        first = entries().order_by().values("pk")[:1]
        model = first.model
        probes.append(
            model.objects.filter(pk__in=first)
            .order_by()
            .annotate(registry=Value(name))
            .values_list("registry")
        )
    return {name for (name,) in probes[0].union(*probes[1:], all=True)}


class QualityMixin:
    """Shared context of the quality pages: the site's channel menu and the data
    menu, which lists a registry only once it holds entries."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["channels"] = channel_menu()
        filled = registries_with_entries()
        context["registries_filled"] = filled
        context["registry_menu"] = [
            {"name": name, "url": reverse(url), "label": label}
            for name, url, label, _entries in REGISTRIES
            if name in filled
        ]
        return context


class DashboardView(QualityMixin, TemplateView):
    template_name = "quality/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicators = list(Indicator.objects.public().for_listing())
        headline = [i for i in indicators if i.is_headline]
        series = preferred_series(i.code for i in indicators)
        latest = {code: values[-1] for code, values in series.items()}
        cards = [(i, latest.get(i.code)) for i in headline]
        trends = [
            {
                "id": f"trend-chart-{i.pk}",
                "indicator": i,
                "observations": series[i.code],
                "data": {
                    "type": "line",
                    "unit": unit_text(i.unit.symbol),
                    "categories": [period_text(o.period) for o in series[i.code]],
                    "series": [
                        {
                            "name": indicator_title(i),
                            "data": [float(o.value) for o in series[i.code]],
                            "labels": [figure_text(o) for o in series[i.code]],
                        }
                    ],
                },
            }
            for i in headline
            if len(series.get(i.code, ())) >= 2
        ]
        by_topic: dict = defaultdict(list)
        for indicator in indicators:
            if indicator.code in latest:
                by_topic[indicator.topic].append((indicator, latest[indicator.code]))
        charts = []
        for topic, pairs in by_topic.items():
            units = {i.unit.symbol for i, _o in pairs}
            if len(pairs) >= 2 and len(units) == 1:
                charts.append(
                    {
                        "id": f"topic-chart-{topic.pk}",
                        "title": topic.name,
                        "pairs": pairs,
                        "data": {
                            "type": "bar",
                            "unit": unit_text(units.pop()),
                            "categories": [indicator_title(i) for i, _o in pairs],
                            "series": [
                                {
                                    "name": gettext(topic.name),
                                    "data": [float(o.value) for _i, o in pairs],
                                    "labels": [figure_text(o) for _i, o in pairs],
                                }
                            ],
                        },
                    }
                )
        context.update(cards=cards, indicators=indicators, charts=charts, trends=trends)
        return context


class IndicatorDetailView(QualityMixin, TemplateView):
    template_name = "quality/indicator_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicator, observations = _indicator_observations(self.kwargs["code"])
        series = build_series(indicator, observations)
        preferred = [row.observation for row in series.rows]
        # The figure the page leads with (title, description): the city's latest.
        home = [o for o in preferred if o.region.code == HOME_REGION]
        context.update(
            indicator=indicator,
            series=series,
            preferred=preferred,
            # Other wordings of the same figures (a headline's 六百余项 beside the
            # body's 604项): listed with their sources, never charted.
            other_wordings=[o for o in observations if not o.is_preferred],
            latest=(home or preferred or [None])[-1],
            chart=series.chart(),
            updated=updated_on(observations),
        )
        return context


def _public_indicator(code: str) -> Indicator:
    return get_object_or_404(
        Indicator.objects.public().select_related("topic", "unit"), code=code
    )


def _indicator_observations(
    code: str | Indicator,
) -> tuple[Indicator, list[Observation]]:
    """A public indicator (by its code, or read already) and all its observations,
    with what their rows print."""
    indicator = code if isinstance(code, Indicator) else _public_indicator(code)
    observations = list(Observation.objects.filter(indicator=indicator).for_listing())
    for observation in observations:
        observation.indicator = indicator  # spare a join per row in templates
    return indicator, observations


def _indicator_rows(request, code: str | Indicator) -> tuple[Indicator, list[dict]]:
    indicator, observations = _indicator_observations(code)
    return indicator, [observation_row(o, request) for o in observations]


def indicator_csv(request, code: str) -> HttpResponse:
    """Every observation of an indicator as UTF-8 CSV (with BOM, for Excel)."""
    indicator, rows = _indicator_rows(request, code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{indicator.code}.csv"'
    write_csv(response, FIELDNAMES, rows)
    return response


FIELDNAMES = list(columns.DOWNLOAD_FIELDS)
#: The whole-dataset download: every observation's columns and its indicator's 口径.
DATASET_FIELDS = [*FIELDNAMES, "scope"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Download columns that are numbers: number cells in XLSX, not text.
NUMBER_FIELDS = frozenset({"value", "lower", "upper"})


def indicator_json(request, code: str) -> JsonResponse:
    """An indicator with its definition and every observation, as JSON."""
    indicator, rows = _indicator_rows(request, code)
    payload = {
        "code": indicator.code,
        "name": indicator.name,
        "name_en": indicator.name_en,
        "unit": indicator.unit.symbol,
        "nature": indicator.nature,
        "definition": indicator.definition,
        "scope": indicator.scope,
        "observations": rows,
    }
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'inline; filename="{indicator.code}.json"'
    return response


def indicator_xlsx(request, code: str) -> FileResponse:
    """Every observation of an indicator as an Excel workbook: the same columns as
    the CSV, the figures as number cells, every text cell formula-guarded. With an
    ETag and Last-Modified of its data (``indicator_validators``): a client that has
    the current file gets 304, without a value read or the workbook built."""
    indicator = _public_indicator(code)
    validators = indicator_validators(request, indicator, "xlsx")
    if answer := not_modified(request, validators):
        return answer
    indicator, rows = _indicator_rows(request, indicator)
    response = _xlsx_response(
        f"{indicator.code}.xlsx",
        FIELDNAMES,
        rows,
        [_indicator_sheet_row(indicator)],
    )
    return _with_validators(response, validators)


def indicator_svg(request, code: str) -> HttpResponse:
    """The indicator's chart as an SVG file (``quality.chart_svg``)."""
    indicator, observations = _indicator_observations(code)
    series = build_series(indicator, observations)
    if not series.rows:
        raise Http404(_("暂无数据。"))
    svg = chart_svg.render(series, updated_on(observations), _("品质烟台"))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{indicator.code}.svg"'
    return response


# The observation's columns the whole-dataset rows are written from.
_DATASET_VALUES = (
    "indicator_id",
    "region_id",
    "period_id",
    "value",
    "comparator",
    "lower",
    "upper",
    "raw_text",
    "status",
    "is_preferred",
    "article_id",
    "source_publisher",
    "source_title",
    "source_url",
    "quote",
)
DATASET_CHUNK = 2000  # rows fetched from the cursor, and written, at a time


def dataset_rows(request):
    """Every observation of the public indicators as a download row (the headers of
    ``DATASET_FIELDS``: ``observation_row`` plus the indicator's 口径), in a stable
    order, streamed.

    The observations are read as tuples from one cursor (a server-side cursor on
    PostgreSQL); what they refer to — indicators, regions, periods and the articles
    cited — is read once beforehand into dicts, far fewer rows than the
    observations. Building a model instance per row and per relation cost 3/4 of
    the time (cProfile at 100,000 rows). ``tests/quality/test_public_pages.py``
    checks that each row equals ``observation_row`` of the same observation.
    """
    indicators = {
        i.pk: i for i in Indicator.objects.public().select_related("unit").order_by()
    }
    regions = {
        pk: (code, name)
        for pk, code, name in Region.objects.order_by().values_list(
            "pk", "code", "name"
        )
    }
    periods = {
        pk: (code, period_label(kind, start_on, end_on))
        for pk, code, kind, start_on, end_on in Period.objects.order_by().values_list(
            "pk", "code", "kind", "start_on", "end_on"
        )
    }
    observations = (
        Observation.objects.filter(indicator__is_public=True)
        .order_by(
            "indicator__topic__order",
            "indicator__order",
            "indicator__code",
            "period_end_on",
            "region__code",
            "id",
        )
        .values_list(*_DATASET_VALUES)
    )
    articles = {
        article.pk: (
            source_text(article.source, article.title),
            request.build_absolute_uri(article.get_absolute_url()),
        )
        # Public articles only: a draft's, a withdrawn or an expired one's title
        # and sentences are not for readers (its values then give the source
        # written on them, and no quote).
        for article in Article.objects.published()
        .filter(
            pk__in=Observation.objects.filter(
                indicator__is_public=True, article__isnull=False
            ).values("article_id")
        )
        .only("pk", "source", "title")
    }
    for (
        indicator_id,
        region_id,
        period_id,
        value,
        comparator,
        lower,
        upper,
        raw_text,
        status,
        is_preferred,
        article_id,
        publisher,
        title,
        url,
        quote,
    ) in observations.iterator(chunk_size=DATASET_CHUNK):
        indicator = indicators[indicator_id]
        unit = indicator.unit.symbol
        region_code, region_name = regions[region_id]
        period_code, label = periods[period_id]
        if article_id in articles:
            source, url = articles[article_id]
        else:
            source = source_text(publisher, title)
            if article_id is not None:
                # Not public (``Observation.public_quote``): nor its sentence.
                quote = ""
        yield {
            "indicator": indicator.code,
            "indicator_name": indicator.name,
            "unit": unit,
            "region_code": region_code,
            "region": region_name,
            "period": period_code,
            "period_label": label,
            "value": format_number(value),
            "comparator": comparator,
            "lower": _number_or_blank(lower),
            "upper": _number_or_blank(upper),
            "display": format_value(value, comparator, unit, indicator.decimals),
            "raw_text": raw_text,
            "status": status,
            "is_preferred": is_preferred,
            "source": source,
            "source_url": url,
            "quote": quote,
            "scope": indicator.scope,
        }


class _Buffer:
    """Collects what csv.writer writes, to be sent in chunks."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, value):
        self.parts.append(value)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


#: The dataset downloads' layout: raise it when their columns or cells change, so
#: that a file kept under the old one is not validated as current.
DATASET_FORMAT = 1
#: How long the first moment an ETag was served is kept (its Last-Modified).
VALIDATOR_SECONDS = 30 * 24 * 3600


def dataset_validators(request, kind: str) -> tuple[str, float]:
    """The ETag and Last-Modified (epoch seconds) of the whole-dataset download
    ``kind`` ("csv", "xlsx"), without reading a row of it.

    The ETag is a digest of what the rows are made of: the stamp of the data's rows
    (``quality.stamps``: any observation, indicator, region, period, unit or topic
    saved or deleted), the cited articles public now (their number, ids and latest
    write, in one query: a publication, correction or withdrawal, and an article
    becoming due or expiring, change it), the file's format, the language and the
    site's address (the rows' links are absolute). Last-Modified is when that ETag
    was first served (kept in the ``shared`` cache), so it moves on with every
    change; within one second, only the ETag tells.
    """
    observations = Observation.objects.filter(indicator__is_public=True)
    return _validators(request, [DATASET_NAME, kind, dataset_stamp()], observations)


def indicator_validators(request, indicator: Indicator, kind: str):
    """The ETag and Last-Modified of an indicator's download ``kind``, as the
    dataset's (``dataset_validators``) without reading a value: its stamps
    (``quality.stamps``: its values and its definition, and the names of regions,
    periods, units and topics) and the articles its values cite public now (one
    query)."""
    observations = Observation.objects.filter(indicator=indicator)
    parts = [indicator.code, kind, *indicator_stamps(indicator.pk)]
    return _validators(request, parts, observations)


def _validators(request, parts: list, observations) -> tuple[str, float]:
    articles = (
        Article.objects.published()
        .filter(pk__in=observations.filter(article__isnull=False).values("article_id"))
        .aggregate(n=Count("pk"), ids=Sum("pk"), latest=Max("updated_at"))
    )
    parts += [
        DATASET_FORMAT,
        get_language(),
        request.build_absolute_uri("/"),
        articles["n"],
        articles["ids"],
        articles["latest"] and articles["latest"].timestamp(),
    ]
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    etag = f'"{digest}"'
    shared = caches["shared"]
    key = f"quality:dataset-first-served:{digest}"
    shared.add(key, time.time(), VALIDATOR_SECONDS)
    first = shared.get(key) or time.time()
    return etag, first


def _with_validators(response, validators: tuple[str, float]):
    """``response`` with the download's ETag and Last-Modified: a matching
    conditional GET is answered 304 by ``yantai.httpcache.CacheHeadersMiddleware``
    (Django's ConditionalGetMiddleware) before a chunk of the body is made."""
    etag, modified = validators
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    return response


def not_modified(request, validators: tuple[str, float]) -> HttpResponse | None:
    """The 304 (or 412) of a conditional GET that ``validators`` (ETag,
    Last-Modified) answer, carrying them, or None: for a download whose body costs
    more than its validators (a workbook), answered before it is built.
    ``CacheHeadersMiddleware`` gives the 304 the Cache-Control its 200 would get."""
    etag, modified = validators
    answer = get_conditional_response(request, etag=etag, last_modified=int(modified))
    return answer and _with_validators(answer, validators)


def dataset_csv(request) -> StreamingHttpResponse:
    """All public indicators' observations with their sources, as one CSV, streamed
    in chunks of rows from a server-side cursor: memory does not grow with the
    table. With an ETag and Last-Modified of the data's state (``dataset_validators``):
    a client that has the current file gets 304, and no row is read."""

    def chunks():
        buffer = _Buffer()
        writer = csv.DictWriter(
            buffer, fieldnames=DATASET_FIELDS, lineterminator="\r\n"
        )
        buffer.write("\ufeff")
        writer.writeheader()
        for n, row in enumerate(dataset_rows(request), start=1):
            writer.writerow(safe_row(row))
            if n % DATASET_CHUNK == 0:
                yield buffer.take()
        yield buffer.take()

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{DATASET_NAME}.csv"'
    return _with_validators(response, dataset_validators(request, "csv"))


DATASET_NAME = "yantai-quality-data"


def dataset_xlsx(request) -> FileResponse:
    """The whole dataset as an Excel workbook: 数据 (every observation) and 指标
    (each indicator's definition and 口径). openpyxl's write-only mode writes rows
    to a temporary file as they come, so memory does not grow with the table."""
    validators = dataset_validators(request, "xlsx")
    if answer := not_modified(request, validators):
        return answer  # the client's file is current: no row read, nothing built
    indicators = Indicator.objects.public().for_listing()
    response = _xlsx_response(
        f"{DATASET_NAME}.xlsx",
        DATASET_FIELDS,
        dataset_rows(request),
        (_indicator_sheet_row(i) for i in indicators),
    )
    return _with_validators(response, validators)


INDICATOR_SHEET_FIELDS = [
    "indicator",
    "indicator_name",
    "indicator_name_en",
    "topic",
    "unit",
    "nature",
    "definition",
    "scope",
]


def _indicator_sheet_row(indicator: Indicator) -> list:
    return [
        indicator.code,
        indicator.name,
        indicator.name_en,
        indicator.topic.name,
        indicator.unit.symbol,
        indicator.get_nature_display(),
        indicator.definition,
        indicator.scope,
    ]


def _xlsx_response(filename, fieldnames, rows, indicator_rows) -> FileResponse:
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(str(_("数据")))
    data.append(fieldnames)
    for row in rows:
        data.append([_xlsx_cell(name, row[name]) for name in fieldnames])
    sheet = workbook.create_sheet(str(_("指标")))
    sheet.append(INDICATOR_SHEET_FIELDS)
    for values in indicator_rows:
        sheet.append([_xlsx_cell("", value) for value in values])
    # Closed by FileResponse once sent (a with-block would close it before).
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE
    )


def _xlsx_cell(name: str, value):
    """A number column as a number cell; any other cell as guarded text, so that a
    leading ``=`` is never stored as a formula (openpyxl would write one)."""
    if name in NUMBER_FIELDS and value not in ("", None):
        return Decimal(value)
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, (date, int, Decimal)):
        return value
    return safe_cell(str(value))


class RegistryListView(QualityMixin, ListView):
    """A searchable, filterable registry list with its coverage of reported counts."""

    paginate_by = 50
    filterset_class = None
    title = ""
    registry = ""  # its name in REGISTRIES

    def base_queryset(self):
        raise NotImplementedError

    def get_filterset(self):
        return self.filterset_class(
            self.request.GET or None, queryset=self.base_queryset()
        )

    def get_queryset(self):
        self.filterset = self.get_filterset()
        if self.filterset.is_bound and not self.filterset.is_valid():
            # django-filter would drop the field it rejects and list everything:
            # list nothing, and the form says what is wrong.
            return self.base_queryset().none()
        return self.filterset.qs

    def coverage(self) -> list[dict]:
        """Rows of (label, reported observation, registered count)."""
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # 上一页/下一页 keep the filter: the query string without its page.
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            filterset=self.filterset,
            querystring=params.urlencode(),
            page_query=page_query(context["page_obj"]),
            title=self.title,
            coverage=self.coverage(),
            # Nothing registered yet: the page says so instead of an empty table.
            registry_empty=self.registry not in context["registries_filled"],
        )
        return context


def _coverage_rows(pairs, counts, latest=None) -> list[dict]:
    """``pairs`` of (key, label, indicator code) → rows with the reported value."""
    if latest is None:
        latest = latest_preferred(code for _k, _l, code in pairs if code)
    rows = []
    for key, label, code in pairs:
        reported = latest.get(code)
        registered = counts.get(key, 0)
        rows.append(
            {
                "label": label,
                "reported": reported,
                "registered": registered,
                "short": reported is not None and reported.value > registered,
            }
        )
    return rows


class AwardListView(RegistryListView):
    template_name = "quality/award_list.html"
    filterset_class = filters.AwardFilter
    kind = Scheme.Kind.HONOUR

    @property
    def registry(self):
        return "honours" if self.kind == Scheme.Kind.HONOUR else "certifications"

    @property
    def title(self):
        return _("荣誉与品牌") if self.kind == Scheme.Kind.HONOUR else _("认证证书")

    def base_queryset(self):
        return Award.objects.filter(scheme__kind=self.kind).for_listing()

    def get_filterset(self):
        """The 项目 choices are this page's kind of scheme, set before the form is
        built: a certification scheme is neither offered on the honours page nor
        accepted there (and the other way round)."""
        filterset = super().get_filterset()
        filterset.filters["scheme"].queryset = Scheme.objects.filter(kind=self.kind)
        return filterset

    def coverage(self):
        """Per scheme, the awards in force on the date of the reported figure
        (today when nothing is reported): a withdrawn or expired 名牌 is not one
        of the 181 the report counts."""
        schemes = list(
            Scheme.objects.filter(kind=self.kind).select_related("indicator")
        )
        pairs = [
            (s.pk, s.name, s.indicator.code if s.indicator else None) for s in schemes
        ]
        latest = latest_preferred(code for _k, _l, code in pairs if code)
        schemes_by_day = defaultdict(list)
        for pk, _label, code in pairs:
            reported = latest.get(code)
            day = reported.period.end_on if reported else timezone.localdate()
            schemes_by_day[day].append(pk)
        counts = {}
        if schemes_by_day:
            in_force = reduce(
                operator.or_,
                (
                    Award.objects.filter(scheme__in=pks).valid_on(day)
                    for day, pks in schemes_by_day.items()
                ),
            )
            counts = dict(
                in_force.order_by().values_list("scheme").annotate(n=Count("id"))
            )
        return _coverage_rows(pairs, counts, latest)


# (label, which standards, reported indicator). Local standards are told apart by
# the code's prefix: DB37/… are Shandong's (省地方标准, what the report counts),
# DB3706/… are Yantai's own municipal ones.
STANDARD_COVERAGE = {
    "national": (
        Standard.Kind.NATIONAL.label,
        Q(kind=Standard.Kind.NATIONAL),
        "standards_national",
    ),
    "industry": (
        Standard.Kind.INDUSTRY.label,
        Q(kind=Standard.Kind.INDUSTRY),
        "standards_industry",
    ),
    "provincial_local": (
        _("省地方标准"),
        Q(kind=Standard.Kind.LOCAL, code__startswith="DB37/"),
        "standards_provincial_local",
    ),
}


class StandardListView(RegistryListView):
    template_name = "quality/standard_list.html"
    filterset_class = filters.StandardFilter
    title = STANDARDS_TITLE
    registry = "standards"

    def base_queryset(self):
        return Standard.objects.for_listing()

    def coverage(self):
        counts = Standard.objects.aggregate(
            **{
                key: Count("id", filter=which)
                for key, (_label, which, _code) in STANDARD_COVERAGE.items()
            }
        )
        return _coverage_rows(
            [
                (key, label, code)
                for key, (label, _which, code) in STANDARD_COVERAGE.items()
            ],
            counts,
        )


CENTRE_INDICATORS = {
    Level.NATIONAL: "inspection_centres_national",
    Level.PROVINCIAL: "inspection_centres_provincial",
}


class InspectionCentreListView(RegistryListView):
    template_name = "quality/inspection_centre_list.html"
    filterset_class = filters.InspectionCentreFilter
    title = CENTRES_TITLE
    registry = "inspection-centres"

    def base_queryset(self):
        return InspectionCentre.objects.for_listing()

    def coverage(self):
        counts = dict(
            InspectionCentre.objects.order_by()
            .values_list("level")
            .annotate(n=Count("id"))
        )
        return _coverage_rows(
            [(k, Level(k).label, c) for k, c in CENTRE_INDICATORS.items()], counts
        )


class SamplingCampaignListView(RegistryListView):
    template_name = "quality/sampling_list.html"
    filterset_class = filters.SamplingCampaignFilter
    title = _("抽检抽样")
    registry = "sampling"

    def base_queryset(self):
        return SamplingCampaign.objects.for_listing()


class MeasurementStandardListView(RegistryListView):
    template_name = "quality/measurement_standard_list.html"
    filterset_class = filters.MeasurementStandardPageFilter
    title = MEASUREMENT_STANDARDS_TITLE
    registry = "measurement-standards"

    def base_queryset(self):
        return MeasurementStandard.objects.for_listing()

    def coverage(self):
        counts = {
            Level.MUNICIPAL: MeasurementStandard.objects.filter(
                level=Level.MUNICIPAL
            ).count()
        }
        return _coverage_rows(
            [(Level.MUNICIPAL, _("市级"), "measurement_standards")], counts
        )

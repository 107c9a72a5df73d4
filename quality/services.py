"""Writes to the quality data: observations, corrections, periods, awards, standards.

The figure marks of articles follow an observation in its own transaction
(``quality.figure_links``); a write of several rows rewrites each article once.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from news.models import Article

from .figure_links import figure_marks_batch
from .models import (
    Award,
    Indicator,
    Observation,
    Organisation,
    Period,
    Region,
    Scheme,
    Standard,
)


def period_get_or_create(
    *, kind: str, end_on: date, start_on: date | None = None
) -> Period:
    """The one Period row for these dates, created (validated) when missing."""
    probe = Period(kind=kind, start_on=start_on, end_on=end_on)
    code = probe.compute_code()
    existing = Period.objects.filter(code=code).first()
    if existing is not None:
        return existing
    probe.full_clean(exclude=["code"])
    probe.save()
    return probe


# A year as Chinese tables print it: "2021", "２０２１", "二〇二一" (digit by digit).
_YEAR = r"(\d{4}|[〇零一二三四五六七八九]{4})\s*年"
_YEAR_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PERIOD_WORDS = (
    (re.compile(rf"{_YEAR}度?"), lambda y: y),
    (re.compile(rf"{_YEAR}\s*(\d{{1,2}})\s*月份?"), "{}-{:0>2}".format),
    (re.compile(r"(\d{4})[-/](\d{1,2})"), "{}-{:0>2}".format),
    (
        re.compile(rf"{_YEAR}\s*第?([一二三四1-4])季度"),
        lambda y, q: f"{y}Q{_QUARTERS[q]}",
    ),
    (
        re.compile(rf"{_YEAR}\s*([上下])半年"),
        lambda y, h: f"{y}H{1 if h == '上' else 2}",
    ),
)


def period_code_from_text(text: str) -> str:
    """A period as a Chinese statistical table writes it, as its code: "2021年",
    "2021年度" and "二〇二一年" → ``2021``, "2021年3月" and "2021-3" → ``2021-03``,
    "2021年第一季度" → ``2021Q1``, "2021年上半年" → ``2021H1``; any other text
    unchanged (``Period.bounds_from_code`` then says whether it is a code)."""
    text = text.strip()
    for pattern, code in _PERIOD_WORDS:
        if match := pattern.fullmatch(text):
            year, *rest = match.groups()
            return code(year.translate(_YEAR_DIGITS), *rest)
    return text


def period_from_code(code: str) -> Period:
    """The Period written as ``2020H1``, ``@2020-12-31`` … (created when missing),
    or as a Chinese table writes it (``period_code_from_text``: "2021年度")."""
    try:
        kind, start_on, end_on = Period.bounds_from_code(period_code_from_text(code))
    except ValueError:
        raise ValidationError(
            _(
                "无法识别的期间代码“%(code)s”，应形如 @2020-12-31、2020、2020H1、"
                "2020Q1、2020-06 或 2019-01-01..2020-12-31。"
            ),
            params={"code": code},
            code="period_code",
        ) from None
    return period_get_or_create(kind=kind, start_on=start_on, end_on=end_on)


@transaction.atomic
def observation_create(
    *,
    indicator: Indicator,
    region: Region,
    period: Period | str,
    value: Decimal,
    comparator: str = "=",
    lower: Decimal | None = None,
    upper: Decimal | None = None,
    raw_text: str,
    article: Article | None = None,
    quote: str = "",
    source_publisher: str = "",
    source_title: str = "",
    source_on: date | None = None,
    source_url: str = "",
    status: str = Observation.Status.PROVISIONAL,
    note: str = "",
    is_preferred: bool | None = None,
    may_unflag: bool = True,
) -> Observation:
    """Add one observation of a cell, validated.

    ``is_preferred=None`` makes it preferred only when the cell has no preferred value
    yet; ``True`` moves the preferred flag to it (the others stay, unflagged). A
    已修订 value is never preferred: ``None`` leaves it unflagged, ``True`` is refused.
    Moving the flag changes a saved observation: with ``may_unflag=False`` (a caller
    without the ``change_observation`` permission) it raises ``PermissionDenied``.
    ``period`` may be its code (``2020H1``): a missing Period row is then created in
    this transaction, so an observation that fails validation leaves none behind.
    """
    revised = status == Observation.Status.REVISED
    if revised and is_preferred:
        raise ValidationError({"is_preferred": Observation.REVISED_NOT_PREFERRED})
    if isinstance(period, str):
        try:
            period = period_from_code(period)
        except ValidationError as error:
            raise ValidationError({"period": error.messages}) from None
    cell = Observation.objects.select_for_update().filter(
        indicator=indicator, region=region, period=period
    )
    has_preferred = cell.filter(is_preferred=True).exists()
    preferred = (
        (not has_preferred and not revised) if is_preferred is None else is_preferred
    )
    observation = Observation(
        indicator=indicator,
        region=region,
        period=period,
        value=Decimal(value),
        comparator=comparator,
        lower=lower,
        upper=upper,
        raw_text=raw_text,
        article=article,
        quote=quote,
        source_publisher=source_publisher,
        source_title=source_title,
        source_on=source_on,
        source_url=source_url,
        status=status,
        note=note,
        is_preferred=False,
    )
    observation.full_clean()
    if preferred and has_preferred:
        if not may_unflag:
            raise PermissionDenied(
                _("您没有“修改观测值”权限，不能取消同一期间已有首选值的首选标记。")
            )
        cell.filter(is_preferred=True).update(is_preferred=False)
    observation.is_preferred = preferred
    observation.save()
    return observation


@figure_marks_batch()
def observation_correct(
    *, observation: Observation, reason: str, **changes
) -> Observation:
    """Correct ``observation`` by adding a new one; the old row is kept, unflagged.

    ``changes`` are the fields that differ (value, comparator, lower, upper, raw_text,
    the source …). The new row becomes the preferred value of the cell, the old one is
    marked 已修订 and keeps its source and quote.
    """
    if not reason.strip():
        raise ValidationError({"note": _("请说明更正的原因。")})
    fields = {name: getattr(observation, name) for name in Observation.VALUE_FIELDS}
    fields.update(changes)
    fields.setdefault("status", Observation.Status.CONFIRMED)
    corrected = observation_create(**fields, note=reason.strip(), is_preferred=True)
    Observation.objects.filter(pk=observation.pk).update(
        status=Observation.Status.REVISED
    )
    observation.refresh_from_db()
    return corrected


@transaction.atomic
def observation_set_preferred(*, observation: Observation) -> Observation:
    """Make ``observation`` the preferred value of its cell (the others lose the flag).

    A 已修订 value (as saved, read under lock) is refused: nothing changes.
    """
    status = (
        Observation.objects.select_for_update()
        .values_list("status", flat=True)
        .get(pk=observation.pk)
    )
    if status == Observation.Status.REVISED:
        raise ValidationError(
            Observation.REVISED_NOT_PREFERRED, code="revised_not_preferred"
        )
    Observation.objects.select_for_update().filter(
        indicator_id=observation.indicator_id,
        region_id=observation.region_id,
        period_id=observation.period_id,
        is_preferred=True,
    ).exclude(pk=observation.pk).update(is_preferred=False)
    if not observation.is_preferred:
        observation.is_preferred = True
        observation.save(update_fields=["is_preferred"])
    return observation


@transaction.atomic
def award_create(
    *,
    scheme: Scheme,
    organisation: Organisation,
    subject: str = "",
    number: str = "",
    year: int | None = None,
    issued_on: date | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
    status: str = Award.Status.ACTIVE,
    renews: Award | None = None,
    kind: str | None = None,
    source_publisher: str = "",
    source_title: str = "",
    source_on: date | None = None,
    source_url: str = "",
    quote: str = "",
) -> Award:
    """Record a certificate or an honour granted under ``scheme``, validated as in
    the admin (validity dates in order, certificate number unique in the scheme).

    ``kind`` (a ``Scheme.Kind``) restricts the scheme: the honours endpoint passes
    ``HONOUR`` so that a certification cannot be filed as an honour.
    """
    if kind is not None and scheme.kind != kind:
        raise ValidationError(
            {
                "scheme": ValidationError(
                    _(
                        "项目“%(name)s”属于“%(actual)s”类，这里只能选择“%(expected)s”"
                        "类项目。"
                    ),
                    code="scheme_kind",
                    params={
                        "name": scheme.name,
                        "actual": scheme.get_kind_display(),
                        "expected": Scheme.Kind(kind).label,
                    },
                )
            }
        )
    award = Award(
        scheme=scheme,
        organisation=organisation,
        subject=subject,
        number=number,
        year=year,
        issued_on=issued_on,
        valid_from=valid_from,
        valid_to=valid_to,
        status=status,
        renews=renews,
        source_publisher=source_publisher,
        source_title=source_title,
        source_on=source_on,
        source_url=source_url,
        quote=quote,
    )
    award.full_clean()
    award.save()
    return award


@transaction.atomic
def standard_create(
    *,
    code: str,
    title: str,
    kind: str,
    status: str = Standard.Status.CURRENT,
    issued_on: date | None = None,
    effective_on: date | None = None,
    replaced_by: Standard | None = None,
    source_publisher: str = "",
    source_title: str = "",
    source_on: date | None = None,
    source_url: str = "",
    quote: str = "",
) -> Standard:
    """Register a standard, validated as in the admin (the code must match the
    pattern of its kind, e.g. GB/T 19001-2016 for a national standard; issued on
    or before it takes effect; code unique)."""
    standard = Standard(
        code=code,
        title=title,
        kind=kind,
        status=status,
        issued_on=issued_on,
        effective_on=effective_on,
        replaced_by=replaced_by,
        source_publisher=source_publisher,
        source_title=source_title,
        source_on=source_on,
        source_url=source_url,
        quote=quote,
    )
    standard.full_clean()
    standard.save()
    return standard

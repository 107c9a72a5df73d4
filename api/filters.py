"""Strict filtering for every list endpoint.

django-filter and DRF ignore what they do not know (``?chanel=x`` silently returns
everything) and let some values through to the database that crash it (date-times
that overflow when converted to UTC, integers beyond 64 bits on SQLite). Here:

- ``StrictFilterBackend`` answers 400, naming the parameter, for unknown or repeated
  query parameters and for bad pagination values, its fields' own messages
  repeating at most 20 characters of a value (``echoed_errors``);
- ``StrictOrderingFilter`` answers 400 for an ordering field outside the allow-list;
- ``DateTimeFilter``, ``IdListFilter`` and ``BooleanFilter`` are the safe building
  blocks for FilterSets.
"""

from __future__ import annotations

import re
from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters as drf_filters
from rest_framework.exceptions import ValidationError

from yantai.text import echoed, join_list

MAX_INT = 2**63 - 1
MAX_LIST_ITEMS = 100
FORMAT_PARAM = "format"
# Numbers the paginator accepts: positive, and short enough never to overflow.
POSITIVE_INT = re.compile(r"^[1-9][0-9]{0,8}$")
NON_NEGATIVE_INT = re.compile(r"^(0|[1-9][0-9]{0,17})$")
PAGINATION_PARAMS = {
    "page": POSITIVE_INT,
    "page_size": POSITIVE_INT,
    "limit": POSITIVE_INT,
    "offset": NON_NEGATIVE_INT,
}


class SafeIsoDateTimeField(filter_fields.IsoDateTimeField):
    """An ISO 8601 date-time that the database can store.

    ``9999-12-31T23:59:59-12:00`` parses, but is year 10000 in UTC; converting it for
    the query raises OverflowError (a 500) — here it is a validation error.
    """

    def to_python(self, value):
        try:
            value = super().to_python(value)
            if value is not None and value.tzinfo is not None:
                value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(
                _("日期时间超出可表示的范围。"), code="overflow"
            ) from None
        return value


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """ISO 8601 date-time filter that never crashes the database."""

    field_class = SafeIsoDateTimeField


class SafeDateField(forms.DateField):
    """A date (YYYY-MM-DD) that Python and the database can both handle."""

    input_formats = ["%Y-%m-%d"]


class SafeDateFilter(django_filters.DateFilter):
    """``YYYY-MM-DD`` only; dates are never converted to UTC, so no overflow."""

    field_class = SafeDateField


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or ``1``/``0``, any case); anything else is invalid.

    Django's NullBooleanField reads every other value as "unknown", which
    django-filter treats as no filter at all: ``?is_preferred=yes`` answered every
    row with 200.
    """

    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(
                _("只能是 true 或 false。"), code="invalid"
            ) from None


class BooleanFilter(django_filters.BooleanFilter):
    """A yes/no filter: ``true`` or ``false``, anything else a 400."""

    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # The default widget (NullBooleanSelect) maps every unknown value to None
        # before the field sees it; a text input hands the field the value as sent.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class IdListField(filter_fields.BaseCSVField, forms.IntegerField):
    """Comma-separated ids: each a 64-bit positive integer, at most 100 of them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_INT)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        if value is not None and len(value) > MAX_LIST_ITEMS:
            raise forms.ValidationError(
                _("最多 %(max)d 个值。"),
                code="too_many",
                params={"max": MAX_LIST_ITEMS},
            )
        if value is not None and any(v in self.empty_values for v in value):
            raise forms.ValidationError(_("列表中有空值。"), code="empty_item")
        return super().clean(value)


class IdListFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    """``?id__in=1,2,3``: 400 for non-numbers, 20-digit numbers and long lists."""

    base_field_class = IdListField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", _("以英文逗号分隔的编号，最多 100 个。"))
        super().__init__(*args, **kwargs)


# The parameters of Django's own messages that hold the value a client sent:
# "Select a valid choice. %(value)s is not one of the available choices."
# (ChoiceField, TypedChoiceField, MultipleChoiceField, ModelMultipleChoiceField),
# "“%(pk)s” is not a valid value." (ModelMultipleChoiceField).
ECHOED_PARAMS = ("value", "pk")


def echoed_errors(form):
    """``form.errors``, each message repeating at most the start of the value a
    client sent (``yantai.text.echoed``), in whatever language it is read in.

    A message of a Django form field is its text and its ``params``, put together
    when read: the value of ``params`` is cut here, not the text, which stays
    Django's (and its translations)."""
    for errors in form.errors.values():
        for error in errors.as_data():
            for key in ECHOED_PARAMS:
                if error.params and key in error.params:
                    error.params[key] = echoed(error.params[key])
    return form.errors


def _multiple(filter_) -> bool:
    return isinstance(
        filter_,
        django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter,
    )


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, but unknown, repeated or malformed query parameters are a 400."""

    def allowed_params(self, view, filterset) -> dict[str, object]:
        """Query parameter → the filter reading it (None: not a FilterSet filter)."""
        allowed: dict[str, object] = dict.fromkeys(PAGINATION_PARAMS)
        allowed[FORMAT_PARAM] = None
        for backend in getattr(view, "filter_backends", ()):
            param = getattr(backend, "ordering_param", None)
            if param:
                allowed[param] = None
        if filterset is not None:
            allowed.update(type(filterset).base_filters)
        return allowed

    def get_filterset(self, request, queryset, view):
        """The view's FilterSet holding only the filters the request names.

        django-filter copies every filter, then builds, copies and cleans a form field
        for each, on every request (~2 ms for the 12 filters of observations), though
        a filter whose parameter is absent changes nothing. Every filter here reads
        one parameter of its own name (``allowed_params``). The FilterSet copies its
        filters from ``base_filters``: the instance's own, set before ``__init__``,
        hold the requested ones only (the class keeps all, for the schema).
        """
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        kwargs = self.get_filterset_kwargs(request, queryset, view)
        filterset = filterset_class.__new__(filterset_class)
        filterset.base_filters = {
            name: filter_
            for name, filter_ in filterset_class.base_filters.items()
            if name in request.query_params
        }
        filterset.__init__(**kwargs)
        return filterset

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        allowed = self.allowed_params(view, filterset)
        errors: dict[str, list[str]] = {}
        for name, values in request.query_params.lists():
            if name not in allowed:
                # A name of any length: the answer repeats its start (the others
                # are names from ``allowed``).
                errors[echoed(name)] = [
                    _("未知的查询参数“%(name)s”。可用参数：%(allowed)s。")
                    % {"name": echoed(name), "allowed": join_list(sorted(allowed))}
                ]
            elif len(values) > 1 and not _multiple(allowed[name]):
                errors[name] = [_("参数“%(name)s”只能出现一次。") % {"name": name}]
            elif name in PAGINATION_PARAMS and not PAGINATION_PARAMS[name].match(
                values[0]
            ):
                errors[name] = [
                    _("参数“%(name)s”必须是不太大的正整数。") % {"name": name}
                ]
        if errors:
            raise ValidationError(errors)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(
                {
                    name: [f"{name}: {message}" for message in messages]
                    for name, messages in echoed_errors(filterset.form).items()
                }
            )
        if (
            type(filterset).filter_queryset
            is not django_filters.FilterSet.filter_queryset
        ):
            # A FilterSet with its own loop: a filter's Django ValidationError is
            # a 400 with non_field_errors (api.views.exception_handler).
            return filterset.qs
        # django-filter's own loop (FilterSet.filter_queryset), which does not say
        # which filter refused its value with Django's ValidationError (a filter
        # method, a lookup on a typed column): here the error names its parameter,
        # as the form's errors above do.
        queryset = filterset.queryset.all()
        for name, value in filterset.form.cleaned_data.items():
            try:
                queryset = filterset.filters[name].filter(queryset, value)
            except DjangoValidationError as exc:
                raise ValidationError(
                    {name: [f"{name}: {message}" for message in exc.messages]}
                ) from None
        return queryset


def _descending(key) -> bool:
    if isinstance(key, str):
        return key.startswith("-")
    return getattr(key, "descending", False)


def with_tie_break(ordering: list) -> list:
    """``ordering`` ending with the id, so that rows of equal keys keep one order
    from page to page (LIMIT/OFFSET over ties is in no defined order).

    The id goes the way of the last key: the indexes end with the id ascending
    (``obs_value``: value, id), and ``-value, -id`` reads one backwards where
    ``-value, id`` would sort every row. A key may be an expression (``Level.rank()``,
    ascending unless ``.desc()``)."""
    names = [k.lstrip("-") for k in ordering if isinstance(k, str)]
    if not ordering or any(name in ("id", "pk") for name in names):
        return ordering
    return [*ordering, "-id" if _descending(ordering[-1]) else "id"]


class StrictOrderingFilter(drf_filters.OrderingFilter):
    """Ordering from the view's ``ordering_fields`` allow-list; anything else is 400.
    Ties are broken by the id (``with_tie_break``)."""

    ordering_description = _(
        "排序字段，多个用英文逗号分隔，前加“-”表示倒序。可用：见参数说明。"
    )

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params is None:
            return self.get_default_ordering(view)
        fields = [param.strip() for param in params.split(",")]
        valid = {name for name, _label in self.get_valid_fields(queryset, view)}
        bad = [f for f in fields if f.lstrip("-") not in valid or not f]
        if bad:
            raise ValidationError(
                {
                    self.ordering_param: [
                        _("不能按“%(bad)s”排序。可用：%(valid)s。")
                        % {"bad": echoed(bad[0]), "valid": join_list(sorted(valid))}
                    ]
                }
            )
        return with_tie_break([self.ordering_key(view, f) for f in fields])

    @staticmethod
    def ordering_key(view, field: str):
        """What ``field`` (``-`` for descending) orders by: a public name may be
        served by another column (the view's ``ordering_aliases``: name → column)
        or by an expression (a value of ``ordering_aliases`` that is one, e.g.
        ``Level.rank()``: 国家级, 省级, 市级 rather than the codes' alphabet)."""
        descending = field.startswith("-")
        name = field.lstrip("-")
        key = getattr(view, "ordering_aliases", {}).get(name, name)
        if isinstance(key, str):
            return f"-{key}" if descending else key
        return key.desc() if descending else key.asc()

    def get_default_ordering(self, view):
        ordering = super().get_default_ordering(view)
        if ordering is None:
            return None
        return with_tie_break([self.ordering_key(view, f) for f in ordering])

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", ())
        for parameter in parameters:
            parameter["description"] = str(
                _("排序字段，多个用英文逗号分隔，前加“-”表示倒序。可用：%(fields)s。")
                % {"fields": join_list(fields)}
            )
        return parameters

"""Admin date filters that refuse dates the database or the time zone cannot hold.

Django's changelist passes a hand-typed ``?published_at__gte=0001-01-01`` or
``?published_at__year=9999`` straight to the query; converting such a date to UTC
(or computing the end of year 9999) raises ``OverflowError``/``ValueError``, a 500.
Here such a date is an ``IncorrectLookupParameters``, which the changelist answers
as it does any bad filter: with its "?e=1" page.
"""

from datetime import date

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db import models

# A day away from datetime's limits, so that neither a time-zone shift nor "the day /
# month / year after" leaves the representable range.
FIRST_YEAR = date.min.year + 1
LAST_YEAR = date.max.year - 1


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise IncorrectLookupParameters(
            f"year {year} outside {FIRST_YEAR}..{LAST_YEAR}"
        )


class BoundedDateFieldListFilter(admin.DateFieldListFilter):
    """``DateFieldListFilter`` whose parameters must be dates within the bounds."""

    def queryset(self, request, queryset):
        for name, value in self.used_parameters.items():
            if name.endswith("__isnull"):
                continue  # a yes/no, not a date
            for one in value if isinstance(value, list) else [value]:
                try:
                    parsed = self.field.to_python(one)
                except ValidationError as error:
                    raise IncorrectLookupParameters(error) from error
                if parsed is not None:
                    _check_year(parsed.year)
        return super().queryset(request, queryset)


# Every date and date-time field in every list_filter, in every app's admin.
admin.FieldListFilter.register(
    lambda f: isinstance(f, models.DateField),
    BoundedDateFieldListFilter,
    take_priority=True,
)


class BoundedDateHierarchyMixin:
    """For a ModelAdmin with ``date_hierarchy``: its year within the bounds."""

    def get_changelist_instance(self, request):
        if self.date_hierarchy:
            year = request.GET.get(f"{self.date_hierarchy}__year")
            if year is not None:
                try:
                    _check_year(int(year))
                except ValueError as error:
                    raise IncorrectLookupParameters(error) from error
        return super().get_changelist_instance(request)

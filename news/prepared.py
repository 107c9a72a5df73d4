"""A QuerySet compiled once and run again with new values: for the reads of the
article page, where compiling the statement cost more than running it.

Django compiles a QuerySet's SQL anew on every evaluation; for the article page's
row (four joins) and its tags and bylines that was most of the time the three
queries took (bench/cold_page.py). ``PreparedQuery`` builds the QuerySet once per
database with *sample values* for what changes between runs (an id, the moment),
compiles it, remembers where those values sit among the statement's parameters,
and afterwards only executes the statement and turns its rows into instances as
the ORM does (the same converters, ``from_db``'s instances — see ``instance_maker``
— and ``select_related`` population).
The QuerySet stays the definition: the SQL is never written by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache, cached_property

from django.db import NotSupportedError, connections
from django.db.models import Expression, TextField
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import get_related_populators
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

from yantai.database import hot_cursor

# Sample values: unlikely to be anything else in a statement's parameters.
SAMPLE_ID = -7_031_952_418
SAMPLE_MOMENT = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


def instance_maker(model, names: tuple) -> Callable:
    """``make(alias, values)``: the instance ``model.from_db(alias, names, values)``
    gives, without ``Model.__init__``'s walk of every field when that walk only sets
    attributes (a row of Article's 27 fields: 9.0 against 1.3 µs): the values put in
    the instance's ``__dict__`` (the fields not in ``names`` deferred, as
    ``from_db`` leaves them) and its state marked as ``from_db`` marks it.

    Django's ``from_db`` whenever anything listens to the model's ``pre_init`` or
    ``post_init`` (which only ``__init__`` sends; an ``ImageField`` with width and
    height fields does), or a name's class attribute is not Django's plain
    deferred-field descriptor (a descriptor that transforms what is set). Checked
    on each call: a receiver may be connected at any time."""
    if (
        pre_init.has_listeners(model)
        or post_init.has_listeners(model)
        or not _plain_attributes(model, names)
    ):
        return lambda alias, values: model.from_db(alias, names, values)
    new = model.__new__

    def make(alias: str, values) -> object:
        instance = new(model)
        instance.__dict__.update(zip(names, values, strict=True))
        state = instance._state = ModelState()
        state.adding = False
        state.db = alias
        return instance

    return make


_PLAIN = (DeferredAttribute, ForeignKeyDeferredAttribute)


@cache
def _plain_attributes(model, names: tuple) -> bool:
    """Each of ``names`` is a concrete field's attname whose class attribute is
    Django's ``DeferredAttribute`` (or its foreign-key variant, which only drops a
    cached related object on set): setting it is storing it in ``__dict__``."""
    fields = {field.attname for field in model._meta.concrete_fields}
    for name in names:
        if name not in fields:
            return False
        attribute = next(
            (klass.__dict__[name] for klass in model.__mro__ if name in klass.__dict__),
            None,
        )
        if type(attribute) not in _PLAIN:  # exactly: FileDescriptor is a subclass
            return False
    return True


class PreparedQuery:
    """``build(**samples)`` → a QuerySet of model instances; run it with
    ``instances(**values)``, where each value replaces its sample.

    A value is an ``int`` (an id) or an aware ``datetime``; each must occur among
    the compiled statement's parameters (checked when it is compiled).
    """

    def __init__(self, build: Callable, **samples):
        self.build = build
        self.samples = samples
        self._compiled: dict[str, tuple] = {}

    def _compile(self, alias: str) -> tuple:
        connection = connections[alias]
        adapt = connection.ops.adapt_datetimefield_value
        queryset = self.build(**self.samples).using(alias)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = []
        for position, param in enumerate(params):
            for name, sample in self.samples.items():
                if isinstance(sample, datetime):
                    if param in (sample, adapt(sample)):
                        slots.append((position, name, adapt))
                elif param == sample:
                    slots.append((position, name, None))
        missing = set(self.samples) - {name for _, name, _ in slots}
        if missing:
            raise ValueError(f"not among the statement's parameters: {missing}")
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        # The converters of each column, as ``results_iter`` looks them up on every
        # run (a backend's and a field's for each selected column): they depend on
        # the columns only.
        columns = [column[0] for column in select[: compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise ValueError("composite fields are not supported")
        converters = tuple(compiler.get_converters(columns).items())
        rows = (
            klass_info["model"],
            tuple(column[0].target.attname for column in select[start:end]),
            start,
            end,
            get_related_populators(klass_info, select, alias),
            tuple(compiler.annotation_col_map.items()),
        )
        compiled = (sql, tuple(params), slots, converters, rows)
        self._compiled[alias] = compiled
        return compiled

    def instances(self, using: str = "default", **values) -> list:
        """The instances the QuerySet would give with ``values`` for its samples."""
        compiled = self._compiled.get(using) or self._compile(using)
        sql, params, slots, converters, rows = compiled
        model, names, start, end, populators, annotations = rows
        params = list(params)
        for position, name, adapt in slots:
            value = values[name]
            params[position] = adapt(value) if adapt else value
        connection = connections[using]
        make = instance_maker(model, names)
        # On PostgreSQL a prepared statement: planning cost more than running it.
        with hot_cursor(using) as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        found = []
        for row in fetched:
            if converters:  # as SQLCompiler.apply_converters
                row = list(row)
                for position, (functions, expression) in converters:
                    value = row[position]
                    for convert in functions:
                        value = convert(value, expression, connection)
                    row[position] = value
            instance = make(using, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in annotations:  # as the ORM's ModelIterable
                setattr(instance, name, row[position])
            found.append(instance)
        return found


def set_prefetched(instance, name: str, objects: list) -> None:
    """Give ``instance`` the related ``objects`` of its relation ``name`` as
    ``prefetch_related`` does: ``instance.<name>.all()`` then makes no query."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


# Fields whose values a JSON list carries as the ORM reads them: ints and text,
# none of them converted by Django or a backend on the way from the database.
_JSON_READY = frozenset(
    (
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "CharField",
        "SlugField",
        "TextField",
        "ForeignKey",
    )
)


class LinkedRows(Expression):
    """The rows of ``model``'s to-many ``relation`` (a many-to-many field, or the
    reverse of another model's foreign key) linked to each row of the outer query,
    as one JSON text in that row: a list of each linked row's values, in the
    related model's ``Meta.ordering``. Each row holds the related model's concrete
    fields (in ``_meta`` order) and then those of its foreign key ``also`` (an
    object the page reads with it, as ``select_related`` gives it); ``None`` or
    ``'[]'`` when there are none. ``rows()`` turns the text into instances.

    The article page reads its tags and bylines so, in its row's statement:
    each of the two queries it replaces cost ~0.2 ms of the process's CPU on
    PostgreSQL and ~0.1 on SQLite (the ORM's cursor, execution and instances),
    several times the index lookup it ran (bench/cold_page.py).

    Only int and text fields (``_JSON_READY``): JSON carries no datetime, decimal
    or bytes as the ORM reads them, so another field is refused when the statement
    is compiled. PostgreSQL and SQLite only (``json_agg``, ``json_group_array``).
    """

    output_field = TextField()

    def __init__(self, model, relation: str, also: str = ""):
        super().__init__()
        self.outer, self.relation, self.also = model, relation, also

    @cached_property
    def _shape(self) -> tuple:
        """What the statement and ``rows()`` need of the relation, worked out once:
        the related model; the join to the outer row's id, as ``(link table, its
        outer column, its column of the related row)`` for a many-to-many field,
        else the related model's column holding the outer row's id; ``also``'s
        foreign key (or None); each part's model with its attnames; and the
        ordering, as ``(field, descending)``."""
        field = self.outer._meta.get_field(self.relation)
        model = field.related_model
        if field.many_to_many and field.concrete:
            through = field.remote_field.through._meta.db_table
            join = (through, field.m2m_column_name(), field.m2m_reverse_name())
        elif field.one_to_many:
            join = field.field.column
        else:
            raise NotSupportedError(f"LinkedRows: {self.relation} is not to-many")
        also = model._meta.get_field(self.also) if self.also else None
        parts = tuple(
            (part, tuple(f.attname for f in part._meta.concrete_fields))
            for part in (model, *([also.related_model] if also else []))
        )
        order = []
        for name in model._meta.ordering:
            by = model._meta.get_field(name.lstrip("-"))
            # SQLite's rows are sorted in Python, as its BINARY collation sorts:
            # None does not sort there, and another collation sorts otherwise.
            if by.null or getattr(by, "db_collation", None):
                raise NotSupportedError(f"LinkedRows: cannot sort by {name} in Python")
            order.append((by, name.startswith("-")))
        return model, join, also, parts, tuple(order)

    def as_sql(self, compiler, connection):
        model, join, also, parts, order = self._shape
        quote = connection.ops.quote_name
        columns = []
        for number, (part, _names) in enumerate(parts):
            for field in part._meta.concrete_fields:
                if field.get_internal_type() not in _JSON_READY:
                    raise NotSupportedError(
                        f"LinkedRows: {part.__name__}.{field.name} is not int or text"
                    )
                columns.append(f"r{number}.{quote(field.column)}")
        source = f"{quote(model._meta.db_table)} r0"
        if also:
            source += (
                f" JOIN {quote(also.related_model._meta.db_table)} r1"
                f" ON r1.{quote(also.target_field.column)} = r0.{quote(also.column)}"
            )
        outer = (
            f"{compiler.quote_name_unless_alias(compiler.query.base_table)}"
            f".{quote(compiler.query.model._meta.pk.column)}"
        )
        if isinstance(join, tuple):
            table, outer_column, model_column = join
            source += (
                f" JOIN {quote(table)} l ON l.{quote(model_column)}"
                f" = r0.{quote(model._meta.pk.column)}"
            )
            where = f"l.{quote(outer_column)} = {outer}"
        else:
            where = f"r0.{quote(join)} = {outer}"
        listed = ", ".join(columns)
        if connection.vendor == "postgresql":
            ordering = ", ".join(
                f"r0.{quote(by.column)}" + (" DESC" if descending else "")
                for by, descending in order
            )
            return (
                f"(SELECT json_agg(json_build_array({listed}) ORDER BY {ordering})"
                f"::text FROM {source} WHERE {where})",
                [],
            )
        if connection.vendor == "sqlite":
            # No ORDER BY inside an aggregate before SQLite 3.44: rows() sorts.
            return (
                f"(SELECT json_group_array(json_array({listed})) FROM {source} WHERE {where})",
                [],
            )
        raise NotSupportedError(f"LinkedRows: not on {connection.vendor}")

    def rows(self, text: str | None, alias: str, vendor: str) -> list:
        """The instances of ``text`` (this expression's value), each with its
        ``also`` object cached as ``select_related`` caches it."""
        _model, _join, also, parts, order = self._shape
        values = json.loads(text) if text else []
        if vendor != "postgresql":  # sorted as the database would (see as_sql)
            names = parts[0][1]
            for by, descending in reversed(order):
                position = names.index(by.attname)
                values.sort(key=lambda row: row[position], reverse=descending)
        makers = []
        start = 0
        for part, names in parts:
            makers.append((instance_maker(part, names), start, start + len(names)))
            start += len(names)
        found = []
        for row in values:
            (make, start, end), *rest = makers
            instance = make(alias, row[start:end])
            for make, start, end in rest:
                also.set_cached_value(instance, make(alias, row[start:end]))
            found.append(instance)
        return found

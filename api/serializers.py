"""Serializer base shared by the apps' API serializers."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from rest_framework import serializers

from yantai.text import echoed, join_list


class RejectUnknownFieldsMixin:
    """A write serializer that answers 400 for a field it does not know.

    DRF drops unknown keys of a request body silently, so a misspelt ``expires_at``
    would be lost without a word. Known read-only fields (``status``, ``version``)
    may still be sent back as they were read; with another value (or in a new
    record's body, where nothing was read) they are a 400 too: DRF would drop them
    as silently, and a draft sent with ``"status": "published"`` would be created
    as a draft without a word.
    """

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                # A name of any length: the answer repeats its start (as an
                # unknown query parameter's, api.filters.StrictFilterBackend).
                raise serializers.ValidationError(
                    {
                        echoed(name): [
                            _("未知字段；可写字段：%(allowed)s。")
                            % {"allowed": join_list(self.writable_field_names())}
                        ]
                        for name in unknown[:20]
                    }
                )
            changed = self.read_only_changes(data)
            if changed:
                raise serializers.ValidationError(
                    {
                        name: [
                            _(
                                "只读字段，不能修改（可原样传回读到的值）；"
                                "可写字段：%(allowed)s。"
                            )
                            % {"allowed": join_list(self.writable_field_names())}
                        ]
                        for name in changed
                    }
                )
        return super().to_internal_value(data)

    def read_only_changes(self, data) -> list[str]:
        """The read-only fields ``data`` sends with a value other than the one the
        record has (any, for a new record)."""
        sent = [n for n in data if n in self.fields and self.fields[n].read_only]
        if not sent:
            return []
        if self.instance is None or not hasattr(self.instance, "pk"):
            return sorted(sent)
        current = self.to_representation(self.instance)
        return sorted(name for name in sent if not _same(data[name], current.get(name)))

    def writable_field_names(self) -> list[str]:
        return [name for name, field in self.fields.items() if not field.read_only]


def _same(sent, read) -> bool:
    """A value sent back is the one read (a form field's, as its text)."""
    return sent == read or (isinstance(sent, str) and sent == str(read))


class DescribedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose fields without ``help_text`` are described by the
    model field's Chinese ``verbose_name``, so every schema property has a
    description."""

    def get_fields(self):
        fields = super().get_fields()
        model = self.Meta.model
        for name, field in fields.items():
            if field.help_text:
                continue
            source = field.source if field.source not in ("*", None) else name
            try:
                model_field = model._meta.get_field(source.split(".")[0])
            except FieldDoesNotExist:  # a computed field
                continue
            label = getattr(model_field, "verbose_name", None)
            if label:
                field.help_text = str(label)
        return fields


class EchoedInputMixin:
    """A DRF field whose own messages repeat at most the start of the value a client
    sent (``yantai.text.echoed``): ``{input}`` of a choice ("“{input}” 不是合法选项。"),
    ``{value}`` of a code ("属性 slug 为 {value} 的对象不存在。"), ``{pk_value}`` of an
    id ("无效主键 “{pk_value}” － 对象不存在。"), a custom ``error_messages`` text
    too. DRF puts the whole value in, 5,000 characters or a list of them. The value
    is cut, not the text: DRF's wording and its translations stay."""

    ECHOED = ("input", "value", "pk_value")

    def fail(self, key, **kwargs):
        for name in self.ECHOED:
            if name in kwargs:
                kwargs[name] = echoed(kwargs[name])
        super().fail(key, **kwargs)


class ChoiceField(EchoedInputMixin, serializers.ChoiceField):
    """DRF's ChoiceField, a refused value repeated by its start only."""


class SafeSlugRelatedField(EchoedInputMixin, serializers.SlugRelatedField):
    """A SlugRelatedField that never sends a value the database rejects, and repeats
    the start of one it does not find.

    PostgreSQL raises DataError (a 500) for NUL bytes in a lookup; DRF only catches
    DoesNotExist/TypeError/ValueError. NULs and over-long values are "does not exist".
    """

    max_length = 200

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > self.max_length:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


class IdRelatedField(EchoedInputMixin, serializers.PrimaryKeyRelatedField):
    """A PrimaryKeyRelatedField taking whole numbers only, and repeating the start
    of one it does not find.

    DRF hands a JSON number to the database as it came, and the database's
    ``int()`` cut ``1.5`` to row 1: a client's wrong id silently named another row.
    ``1.0`` is 1, as DRF's IntegerField reads it.
    """

    def to_internal_value(self, data):
        if isinstance(data, bool) or (
            isinstance(data, float) and not data.is_integer()
        ):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, float):
            data = int(data)
        return super().to_internal_value(data)

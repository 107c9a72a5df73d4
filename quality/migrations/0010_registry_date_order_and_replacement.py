"""A standard is not replaced by itself; a 社会公用计量标准's 考核日期 is not after its
有效期至 (database checks beside the models' ``clean()``).

Rows that break them are dealt with first, losing nothing:

- a standard recorded as replaced by itself says nothing true about a replacement:
  its 被替代为 is emptied (no other value is touched);
- a measurement standard whose dates are out of order cannot be repaired without
  guessing which date is wrong, so the migration stops and names each such row
  (id, name, certificate number, both dates): correct them in the admin of the
  version still running, then migrate again. Nothing is written before it stops.
"""

from django.db import migrations, models


def repair(apps, schema_editor):
    alias = schema_editor.connection.alias
    Standard = apps.get_model("quality", "Standard")
    MeasurementStandard = apps.get_model("quality", "MeasurementStandard")
    out_of_order = list(
        MeasurementStandard.objects.using(alias)
        .filter(
            approved_on__isnull=False,
            valid_to__isnull=False,
            approved_on__gt=models.F("valid_to"),
        )
        .order_by("pk")
        .values_list("pk", "name", "certificate_number", "approved_on", "valid_to")
    )
    if out_of_order:
        rows = "; ".join(
            f"id {pk} {name} ({number}): 考核日期 {approved}, 有效期至 {valid_to}"
            for pk, name, number, approved, valid_to in out_of_order
        )
        raise RuntimeError(
            "社会公用计量标准的考核日期晚于有效期至，请先在管理后台修正后再迁移 / "
            f"measurement standards dated out of order, correct them first: {rows}"
        )
    Standard.objects.using(alias).filter(replaced_by=models.F("pk")).update(
        replaced_by=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0009_observation_revised_never_preferred"),
    ]

    operations = [
        migrations.RunPython(repair, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="measurementstandard",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("approved_on__isnull", True),
                    ("valid_to__isnull", True),
                    ("approved_on__lte", models.F("valid_to")),
                    _connector="OR",
                ),
                name="measurement_standard_approved_before_valid_to",
                violation_error_message="有效期至不能早于考核日期。",
            ),
        ),
        migrations.AddConstraint(
            model_name="standard",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("replaced_by__isnull", True),
                    models.Q(("replaced_by", models.F("id")), _negated=True),
                    _connector="OR",
                ),
                name="standard_not_replaced_by_itself",
                violation_error_message="标准不能被自己替代。",
            ),
        ),
    ]

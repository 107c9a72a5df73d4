"""Observation.period_end_on: a copy of the period's end date, with the API's indexes."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_end_dates(apps, schema_editor):
    Observation = apps.get_model("quality", "Observation")
    Period = apps.get_model("quality", "Period")
    Observation.objects.update(
        period_end_on=Subquery(
            Period.objects.filter(pk=OuterRef("period_id")).values("end_on")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0002_figure_proposal"),
    ]

    operations = [
        migrations.AddField(
            model_name="observation",
            name="period_end_on",
            field=models.DateField(editable=False, null=True, verbose_name="期间止日"),
        ),
        migrations.RunPython(copy_end_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="observation",
            name="period_end_on",
            field=models.DateField(editable=False, verbose_name="期间止日"),
        ),
        migrations.AlterModelOptions(
            name="observation",
            options={
                "ordering": ["indicator", "period_end_on", "id"],
                "verbose_name": "观测值",
                "verbose_name_plural": "观测值",
            },
        ),
        migrations.AddIndex(
            model_name="observation",
            index=models.Index(fields=["period_end_on", "id"], name="obs_period_end"),
        ),
        migrations.AddIndex(
            model_name="observation",
            index=models.Index(
                fields=["indicator", "period_end_on", "id"], name="obs_indicator_end"
            ),
        ),
        migrations.AddIndex(
            model_name="observation",
            index=models.Index(
                fields=["region", "period_end_on", "id"], name="obs_region_end"
            ),
        ),
        migrations.AddIndex(
            model_name="observation",
            index=models.Index(fields=["value", "id"], name="obs_value"),
        ),
        migrations.AddIndex(
            model_name="observation",
            index=models.Index(
                fields=["region", "indicator"], name="obs_region_indicator"
            ),
        ),
    ]

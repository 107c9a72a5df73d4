"""A 已修订 observation is never preferred: the rows written before the rule, repaired,
then the check constraint.

Such a row is the value public pages show for its cell, although the bureau (or an
editor) marked it superseded: a preferred value whose status was set to 已修订 without
a 更正, a 已修订 value made preferred again (by hand, to undo a correction, or as the
first value of an empty cell), or an import doing either. Which one it was is not
recorded, so the repair keeps to what holds for all of them:

- the row loses the flag (it stays, 已修订, in the cell's trail), and its staff note
  says so;
- if the cell has another value that is not 已修订 and states the same figure (value,
  comparator and bounds: another wording or source of it), the newest of those takes
  the flag, a 确认 one before a 初步 one (初步 would add 初步数 to the figure) — the
  public pages show the same figure as before;
- otherwise the cell is left without a preferred value. A different number in it is
  never promoted: it may be the very correction an editor turned away from by making
  the old value preferred again, or an older figure nobody chose, and the public
  pages would show a number no editor picked. Editors give such a cell its value by
  “更正”; the 已修订 row's note says so.

The figure marks of the articles citing the indicators repaired are rewritten with
today's code (as in 0006), only when a row was repaired.
"""

from django.db import migrations, models

NOTE = "（数据迁移 0009：已修订的数值不能作首选值，已取消首选。{heir}）"
HEIR = "本单元格改以编号 {pk} 的同一数值为首选值。"
NO_HEIR = "本单元格暂无首选值，请用“更正”给出现行值。"


def unprefer_revised(apps, schema_editor):
    Observation = apps.get_model("quality", "Observation")
    repaired = set()
    for old in Observation.objects.filter(status="revised", is_preferred=True).order_by(
        "pk"
    ):
        same_figure = (
            Observation.objects.filter(
                indicator_id=old.indicator_id,
                region_id=old.region_id,
                period_id=old.period_id,
                value=old.value,
                comparator=old.comparator,
                lower=old.lower,
                upper=old.upper,
            )
            .exclude(status="revised")
            .order_by("-created_at", "-pk")
        )
        heir = (
            same_figure.filter(status="confirmed").first() or same_figure.first()
        )
        note = NOTE.format(heir=HEIR.format(pk=heir.pk) if heir else NO_HEIR)
        Observation.objects.filter(pk=old.pk).update(
            is_preferred=False,
            note=f"{old.note}\n{note}" if old.note else note,
        )
        if heir is not None:
            Observation.objects.filter(pk=heir.pk).update(is_preferred=True)
        repaired.add(old.indicator_id)
    if repaired:
        from quality.figure_links import figures_changed

        figures_changed(indicator_ids=tuple(sorted(repaired)))


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0020_unused_indexes"),
        ("quality", "0008_report_files_not_editable"),
    ]

    operations = [
        migrations.RunPython(unprefer_revised, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="observation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("is_preferred", True), ("status", "revised"), _negated=True
                ),
                name="observation_revised_never_preferred",
                violation_error_message=(
                    "已修订的数值不能设为首选值；首选值有误请用“更正”新增一条，"
                    "更正有误时请对现行值再次“更正”。"
                ),
            ),
        ),
    ]

"""Loops of 续期自 (a certificate renewing another) and of 被替代为 (a standard
replaced by another) saved before the models refused them (``leads_back``, the
certificates' in 628ae11, the standards' in 2fe5819; 0010 emptied only a standard
replaced by itself). No database check can see a loop, so such rows stayed until
someone edited one of them, and then the edit was refused.

Each loop (A → B → A, or longer) is broken at one link, the one the dates say is
false; no other value is touched:

- 续期自 points to the older certificate: in a loop, the oldest one's 续期自 is false
  (it renews a newer certificate). The oldest is the one with the earliest 颁发日期
  (else 有效期起) when every certificate of the loop has one, else the first entered
  (lowest id);
- 被替代为 points to the newer standard: in a loop, the newest one's 被替代为 is false.
  The newest is the one with the latest 发布日期 (else 实施日期) when every standard
  of the loop has one, else the last entered (highest id).

Nothing is lost: each emptied link is kept in an 操作日志 entry of the row (no user;
the loop, the field and its old value, also in the entry's ``snapshot``) and printed
by ``migrate``; an editor who knows better sets it again in the admin (the admin
refuses a loop). Rows without loops are not written; run again, it finds none.
"""

from django.db import migrations

MIGRATION = "quality.0011_break_renewal_and_replacement_loops"

AWARD_SUMMARY = (
    "数据迁移 0011：“续期自”绕成了环（编号 {loop}），证书不能续期自己。"
    "清空了本证书的“续期自”（原为编号 {was}）：它是环中最早的证书（{why}），"
    "不会续期比它新的证书。如有误，请在管理后台重新选择。"
)
STANDARD_SUMMARY = (
    "数据迁移 0011：“被替代为”绕成了环（编号 {loop}），标准不能被自己替代。"
    "清空了本标准的“被替代为”（原为编号 {was}）：它是环中最新的标准（{why}），"
    "不会被比它旧的标准替代。如有误，请在管理后台重新选择。"
)


def loops(links: dict[int, int]) -> list[list[int]]:
    """Every loop of ``links`` (row id → the id it points to) once, as its ids in
    link order from the smallest; by that id."""
    found, done = [], set()
    for start in sorted(links):
        path, at = [], {}
        row = start
        while row in links and row not in done and row not in at:
            at[row] = len(path)
            path.append(row)
            row = links[row]
        if row in at:
            cycle = path[at[row] :]
            first = cycle.index(min(cycle))
            found.append(cycle[first:] + cycle[:first])
        done.update(path)
    return sorted(found)


def pick(rows: dict, loop: list[int], dated, newest: bool) -> tuple[int, str]:
    """The row of ``loop`` whose link is false, and why: the oldest (``newest``:
    the newest) by ``dated(row)`` when every row has a date, else by id."""
    days = {pk: dated(rows[pk]) for pk in loop}
    if all(days.values()):
        order = sorted(loop, key=lambda pk: (days[pk], pk))
        row = order[-1] if newest else order[0]
        return row, f"按日期：{days[row].isoformat()}"
    row = max(loop) if newest else min(loop)
    return row, "环中有的没有日期，按录入顺序"


def break_kind(
    apps, alias, *, model, field, verbose, dated, newest, summary, kind, label
):
    Model = apps.get_model("quality", model)
    AuditLog = apps.get_model("news", "AuditLog")
    attname = f"{field}_id"
    links = dict(
        Model.objects.using(alias)
        .filter(**{f"{field}__isnull": False})
        .values_list("pk", attname)
    )
    for loop in loops(links):
        rows = Model.objects.using(alias).in_bulk(loop)
        pk, why = pick(rows, loop, dated, newest)
        row, was = rows[pk], links[pk]
        Model.objects.using(alias).filter(pk=pk).update(**{field: None})
        shown = " → ".join(str(i) for i in [*loop, loop[0]])
        AuditLog.objects.using(alias).create(
            user=None,
            action="edit",
            object_type=kind,
            object_id=str(pk),
            object_repr=label(row)[:200],
            summary=summary.format(loop=shown, was=was, why=why),
            snapshot={"migration": MIGRATION, "field": field, "was": was, "loop": loop},
        )
        # On the line of migrate's "Applying …", before its " OK".
        print(
            f"\n    {kind} 编号 {pk} 的“{verbose}”（原为编号 {was}）已清空，断开环 "
            f"{shown} / {model.lower()} {pk}: {field} {was} emptied (loop {shown})",
            end="",
        )


def award_label(award) -> str:
    label = f"{award.organisation.name} · {award.scheme.name}"
    return f"{label}（{award.subject}）" if award.subject else label


def break_loops(apps, schema_editor):
    alias = schema_editor.connection.alias
    break_kind(
        apps,
        alias,
        model="Award",
        field="renews",
        verbose="续期自",
        dated=lambda a: a.issued_on or a.valid_from,
        newest=False,
        summary=AWARD_SUMMARY,
        kind="证书/荣誉",
        label=award_label,
    )
    break_kind(
        apps,
        alias,
        model="Standard",
        field="replaced_by",
        verbose="被替代为",
        dated=lambda s: s.issued_on or s.effective_on,
        newest=True,
        summary=STANDARD_SUMMARY,
        kind="标准",
        label=lambda s: f"{s.code} {s.title}",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0022_auditlog_snapshot"),
        ("quality", "0010_registry_date_order_and_replacement"),
    ]

    operations = [
        migrations.RunPython(break_loops, migrations.RunPython.noop),
    ]

"""The recycle bin (回收站): deleting moves a row and everything that belongs to it into the bin,
from where it can be restored exactly, with its original ids.

What belongs to a row is declared in the models: children whose foreign key has
``on_delete="CASCADE"`` go with it; rows that merely point at it through a nullable key are
cleared and pointed back on restore. Any other reference blocks the delete with a message.
"""

from __future__ import annotations

import json
from typing import Any

from peewee import Model

from db.audit import current_user, log_change
from db.connection import database
from db.errors import ClerkError
from db.models import ALL_MODELS, RecycleBin, raw_row

_MODELS = {m._meta.table_name: m for m in ALL_MODELS}

TABLE_LABELS = {
    "area": "区域", "household": "户", "resident": "居民", "key_person": "重点人员",
    "measure": "管控措施", "temperature_reading": "体温记录", "nucleic_test": "核酸检测",
    "pushed_batch": "推送批次", "pushed_row": "推送人员", "team": "服务队", "staff": "人员",
    "points_adjustment": "积分调整", "shift_slot": "班次", "unavailability": "不可值班",
    "service_record": "服务记录", "checkpoint": "卡口", "shift": "班", "assignment": "排班",
    "gate_passage": "出入登记", "donor": "捐赠方", "donation": "捐赠", "item": "物资",
    "donation_item": "捐赠物资", "distribution": "发放", "expense": "支出",
    "setting": "设置", "recipient": "收件人", "demo": "演示数据",
}


class DeleteBlocked(ClerkError):
    """A row cannot be deleted because other rows still need it; ``str()`` says which."""


def _rows(model: type[Model], ids: list[int]) -> list[dict[str, Any]]:
    fields = model._meta.sorted_fields
    names = [f.column_name for f in fields]
    cursor = database.execute(model.select(*fields).where(model._meta.primary_key.in_(ids)))
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _collect(
    model: type[Model],
    ids: list[int],
    groups: list[dict[str, Any]],
    cleared: list[dict[str, Any]],
) -> None:
    for fk, child in model._meta.backrefs.items():
        query = child.select(child._meta.primary_key, fk).where(fk.in_(ids))
        pairs = list(query.tuples())
        if not pairs:
            continue
        child_ids = [pk for pk, _parent in pairs]
        if fk.on_delete == "CASCADE":
            groups.append({"table": child._meta.table_name, "rows": _rows(child, child_ids)})
            _collect(child, child_ids, groups, cleared)
        elif fk.null:
            cleared.append(
                {"table": child._meta.table_name, "column": fk.column_name,
                 "pairs": [[pk, parent] for pk, parent in pairs]}
            )
        else:
            label = TABLE_LABELS.get(child._meta.table_name, child._meta.table_name)
            raise DeleteBlocked(f"还有{len(pairs)}条{label}记录引用它，不能删除")


def delete(instance: Model, label: str) -> RecycleBin:
    """Move ``instance`` and what belongs to it to the recycle bin, in one transaction."""
    model = type(instance)
    with database.atomic():
        groups = [{"table": model._meta.table_name, "rows": _rows(model, [instance.id])}]
        cleared: list[dict[str, Any]] = []
        _collect(model, [instance.id], groups, cleared)
        for entry in cleared:
            child = _MODELS[entry["table"]]
            column = child._meta.columns[entry["column"]]
            child.update({column: None}).where(
                child._meta.primary_key.in_([pk for pk, _ in entry["pairs"]])
            ).execute()
        for group in reversed(groups):
            child = _MODELS[group["table"]]
            child.delete().where(
                child._meta.primary_key.in_([r["id"] for r in group["rows"]])
            ).execute()
        payload = {"groups": groups, "cleared": cleared}
        entry = RecycleBin.create(
            who=current_user(),
            table=model._meta.table_name,
            row_id=instance.id,
            label=label,
            payload=json.dumps(payload, ensure_ascii=False),
        )
        log_change("删除", model, instance.id, groups[0]["rows"][0], None)
    return entry


class RestoreConflict(ClerkError):
    """The bin entry cannot go back (e.g. the same ID number was entered again meanwhile)."""


def restore(entry_id: int) -> Model:
    """Put a recycle-bin entry back exactly as it was, and remove it from the bin."""
    import sqlite3

    entry = RecycleBin.get_by_id(entry_id)
    payload = entry.rows()
    model = _MODELS[entry.table]
    try:
        with database.atomic():
            for group in payload["groups"]:
                rows = group["rows"]
                columns = list(rows[0])
                sql = 'INSERT INTO "{}" ({}) VALUES ({})'.format(
                    group["table"],
                    ", ".join(f'"{c}"' for c in columns),
                    ", ".join("?" for _ in columns),
                )
                database.cursor().executemany(sql, [[r[c] for c in columns] for r in rows])
            for item in payload["cleared"]:
                sql = 'UPDATE "{}" SET "{}" = ? WHERE id = ?'.format(item["table"], item["column"])
                database.cursor().executemany(sql, [[parent, pk] for pk, parent in item["pairs"]])
            RecycleBin.delete().where(RecycleBin.id == entry.id).execute()
            log_change("恢复", model, entry.row_id, None, raw_row(model, entry.row_id))
    except sqlite3.IntegrityError as exc:
        raise RestoreConflict(
            f"无法恢复“{entry.label}”：与现有记录冲突（{exc}），请先处理重复的记录"
        ) from None
    return model.get_by_id(entry.row_id)


def entries(limit: int = 500) -> list[RecycleBin]:
    """The newest entries in the bin."""
    return list(RecycleBin.select().order_by(RecycleBin.id.desc()).limit(limit))

"""The audit log as a clerk reads it: who (操作人), whose record (姓名、收据号、卡口…), and what
changed in the words of the forms (体温 36.5→36.1), never a column name like ``pass_card``.

Every column of every audited table has a Chinese label here (a test checks it, so a new table
must add its own); search keys and other derived columns are left out of the text; a foreign
key is shown as whom it points to (所属户 3号楼2单元→5号楼1单元) where that row still exists.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from peewee import BooleanField, ForeignKeyField, Model

from db import names
from db.audit import audit_rows
from db.models import ALL_MODELS, BATCH_IDS, AuditLog, in_ranges
from db.recycle import TABLE_LABELS
from db.settings import DEFAULTS

# column -> label, for every table unless TABLE_COLUMNS says otherwise
COLUMNS: dict[str, str] = {
    "name": "名称", "address": "地址", "phone": "电话", "notes": "备注", "note": "备注",
    "unit": "单位", "date": "日期", "id_number": "身份证号码", "sex": "性别",
    "category": "类别", "kind": "类型", "reason": "原因", "result": "结果", "at": "时间",
    "amount": "金额", "purpose": "用途", "handled_by": "经办人", "directed": "定向",
    "recorded_at": "录入时间", "reverses_id": "冲销的记录", "origin": "来源地",
    "arrival_date": "抵达日期", "start_date": "开始日期", "end_date": "结束日期",
    "quantity": "数量", "value": "折合金额", "item_id": "物资", "staff_id": "人员",
    "area_id": "区域", "household_id": "所属户", "resident_id": "居民", "person_id": "人员",
    "measure_id": "管控措施", "checkpoint_id": "卡口", "slot_id": "班次", "shift_id": "班",
    "team_id": "服务队", "donor_id": "捐赠方", "donation_id": "捐赠", "batch_id": "推送批次",
    "parent_id": "上级区域", "home_area_id": "所在社区", "post_kind": "岗位类型",
    "round_id": "检测轮次", "point_id": "采样点", "created_at": "建立时间",
    "request_id": "求助", "distribution_id": "发放记录", "service_id": "服务记录",
    "volunteer_id": "志愿者",
}
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "setting": {"key": "设置项", "value": "值"},
    "area": {"level": "层级", "path": "位置", "leader": "负责人", "sort": "排序"},
    "household": {"number": "户号", "unit": "单元", "door": "门牌号", "pass_card": "出入卡号"},
    "resident": {"name": "姓名", "birth_date": "出生日期", "relation": "与户主关系",
                 "kind": "居住类型", "status": "状态", "name_rev": "", "name_key": "",
                 "name_key_alt": "", "id_tail": "", "updated_at": "",
                 "away_from": "外出起", "away_to": "外出止", "immobile": "行动不便"},
    "key_person": {"source": "发现途径", "transport": "交通方式", "transport_no": "车次/航班",
                   "found_on": "发现日期"},
    "measure": {"kind": "措施", "place": "地点", "planned_end": "计划解除日期",
                "released_on": "解除日期", "release_recorded_at": "解除录入时间",
                "release_reason": "解除原因", "previous_end": "原计划解除日期",
                "change_reason": "变更原因", "town_cadre": "镇干部",
                "town_cadre_phone": "镇干部电话", "community_cadre": "社区干部",
                "community_cadre_phone": "社区干部电话", "grid_worker": "网格员",
                "grid_worker_phone": "网格员电话", "police": "民警", "police_phone": "民警电话",
                "doctor": "医生", "doctor_phone": "医生电话"},
    "temperature_reading": {"half": "时段", "value": "体温"},
    "nucleic_test": {"result": "检测结果"},
    "pushed_batch": {"received_at": "接收时间", "deadline": "核查截止", "file_name": "文件",
                     "sheet_name": "工作表", "header_row": "表头行", "columns": "",
                     "source": "", "sheets": ""},
    "pushed_row": {"name": "姓名", "sheet_row": "表格行", "cells": "", "result": "核查结果",
                   "verified_by": "核查人", "verified_at": "核查时间", "category": "",
                   "sheet": "工作表"},
    "team": {"leader_name": "队长"},
    "staff": {"name": "姓名", "name_key": "", "political_status": "政治面貌", "skills": "特长",
              "can_lead": "可任带班", "max_per_week": "每周最多班数", "is_volunteer": "志愿者",
              "party_points": "积分", "active": "在岗"},
    "points_adjustment": {"delta": "积分变化"},
    "shift_slot": {"start": "开始", "end": "结束", "sort": "排序", "is_night": "夜班",
                   "extra_staff": "加派人数"},
    "service_record": {"hours": "时长（小时）", "what": "服务内容"},
    "checkpoint": {"person": "负责人", "traffic": "通行类型", "staff_per_shift": "每班人数",
                   "needs_leader": "需要带班", "active_from": "启用日期",
                   "active_to": "停用日期"},
    "shift": {"headcount": "人数", "hours": "时长", "ends_at": "结束时间"},
    "assignment": {"is_leader": "带班", "pinned": "锁定", "manual": "手动安排"},
    "gate_passage": {"name": "姓名", "plate": "车牌", "direction": "方向", "temperature": "体温",
                     "health_code": "健康码", "origin_reason": "来源地/事由",
                     "is_local": "本地人员", "outcome": "处理", "on_duty": "值守人"},
    "donor": {"contact": "联系人", "anonymous": "匿名"},
    "donation": {"receipt_no": "收据号", "is_money": "捐款", "channel": "方式"},
    "item": {"spec": "规格", "unit": "单位", "low_threshold": "库存预警"},
    "donation_item": {"batch_no": "批号", "expiry": "有效期"},
    "distribution": {"recipient_kind": "发放对象类型", "recipient": "发放对象",
                     "received_by": "领取人"},
    "expense": {"payee": "收款方"},
    "recipient": {"unit": "上级单位", "name": "姓名", "address": "邮箱地址"},
    "export": {"报表": "报表", "范围": "范围", "文件": "文件"},
    "demo": {"size": "规模", "seed": "随机种子"},
    "sample": {"how": "核销方式", "source": "来源"},
    "help_request": {"taken_at": "登记时间", "needs": "需求类别", "details": "需求内容",
                     "urgent": "紧急", "caller": "来电人", "callback_phone": "回拨电话",
                     "status": "状态", "assigned_at": "派单时间", "delivered_at": "送达时间",
                     "cancelled_at": "取消时间", "cancel_reason": "取消原因",
                     "purchase_amount": "代购金额", "paid": "已付款", "hours": "服务时长（小时）"},
}


def label(table: str, column: str) -> str:
    """The form's word for a column ("" for a derived one, left out of the text)."""
    own = TABLE_COLUMNS.get(table, {})
    if column in own:
        return own[column]
    return COLUMNS.get(column, column)


_MODELS: dict[str, type[Model]] = {m._meta.table_name: m for m in ALL_MODELS}
_TARGETS: dict[tuple[str, str], str] = {
    (m._meta.table_name, f.column_name): f.rel_model._meta.table_name
    for m in ALL_MODELS for f in m._meta.sorted_fields if isinstance(f, ForeignKeyField)}
_BOOLEANS = {(m._meta.table_name, f.column_name)
             for m in ALL_MODELS for f in m._meta.sorted_fields if isinstance(f, BooleanField)}


class _Names:
    """Who or what a row is, as a clerk names it; each row looked up once, and the rows a whole
    period of history needs read table by table beforehand (:meth:`prefetch`)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, int], str] = {}
        self.rows: dict[tuple[str, int], dict[str, Any] | None] = {}

    @staticmethod
    def _as_columns(model: type[Model], found: dict[str, Any]) -> dict[str, Any]:
        return {f.column_name: found[f.name] for f in model._meta.sorted_fields}

    def row(self, table: str, row_id: int) -> dict[str, Any] | None:
        if (table, row_id) in self.rows:
            return self.rows[(table, row_id)]
        model = _MODELS.get(table)
        if model is None:
            return None
        found = model.select().where(model._meta.primary_key == row_id).dicts().first()
        return None if found is None else self._as_columns(model, found)

    def prefetch(self, wanted: set[tuple[str, int]], depth: int = 4) -> None:
        """Read the rows ``wanted`` (and, ``depth`` levels on, the rows they point to) with one
        query per table and 900 ids, instead of one query per row."""
        for _level in range(depth):
            by_table: dict[str, set[int]] = {}
            for table, row_id in wanted:
                if table in _MODELS and (table, row_id) not in self.rows:
                    by_table.setdefault(table, set()).add(row_id)
            if not by_table:
                return
            wanted = set()
            for table, ids in by_table.items():
                model = _MODELS[table]
                listed = sorted(ids)
                for start in range(0, len(listed), 900):
                    chunk = listed[start:start + 900]
                    for found in model.select().where(
                            model._meta.primary_key.in_(chunk)).dicts():
                        row = self._as_columns(model, found)
                        self.rows[(table, row["id"])] = row
                        wanted |= _references(table, row)
                    for row_id in chunk:
                        self.rows.setdefault((table, row_id), None)

    def of(self, table: str, row_id: object, values: dict[str, Any] | None = None) -> str:
        if not isinstance(row_id, int):
            return ""
        key = (table, row_id)
        if key not in self.cache:
            self.cache[key] = ""  # a loop of references ends here
            row = values or self.row(table, row_id)
            self.cache[key] = self._name(table, row) if row else f"（已删除，编号{row_id}）"
        return self.cache[key]

    def _ref(self, table: str, row: dict[str, Any], column: str) -> str:
        return self.of(_TARGETS.get((table, column), ""), row.get(column))

    def _name(self, table: str, row: dict[str, Any]) -> str:
        text = _NAMERS.get(table)
        if text is not None:
            return text(self, row)
        return str(row.get("name") or row.get("receipt_no") or "")


def _references(table: str, row: dict[str, Any]) -> set[tuple[str, int]]:
    """The rows a row points to (its foreign keys that are set)."""
    return {(_TARGETS[(table, k)], v) for k, v in row.items()
            if (table, k) in _TARGETS and isinstance(v, int)}


_NAMERS: dict[str, Any] = {
    "household": lambda n, r: names.household(r.get("number"), r.get("address")),
    "resident": lambda n, r: names.person(r.get("name")),
    "staff": lambda n, r: names.person(r.get("name")),
    "checkpoint": lambda n, r: names.post(r.get("name")),
    "key_person": lambda n, r: n._ref("key_person", r, "resident_id"),
    "measure": lambda n, r: names.measure(n._ref("measure", r, "person_id"), r.get("kind")),
    "temperature_reading": lambda n, r: n._ref("temperature_reading", r, "measure_id"),
    "nucleic_test": lambda n, r: n._ref("nucleic_test", r, "person_id"),
    "pushed_batch": lambda n, r: names.pushed_batch(r.get("id", ""), r.get("file_name")),
    "points_adjustment": lambda n, r: n._ref("points_adjustment", r, "staff_id"),
    "unavailability": lambda n, r: n._ref("unavailability", r, "staff_id"),
    "service_record": lambda n, r: n._ref("service_record", r, "staff_id"),
    "shift": lambda n, r: names.shift(n._ref("shift", r, "checkpoint_id"), r.get("date"),
                                      n._ref("shift", r, "slot_id")),
    "assignment": lambda n, r: names.assignment(n._ref("assignment", r, "staff_id"),
                                                n._ref("assignment", r, "shift_id")),
    "gate_passage": lambda n, r: names.gate_passage(n._ref("gate_passage", r, "checkpoint_id"),
                                                    r.get("name"), r.get("plate")),
    "donation": lambda n, r: names.donation(r.get("receipt_no")),
    "donation_item": lambda n, r: names.donation_item(n._ref("donation_item", r, "donation_id"),
                                                      n._ref("donation_item", r, "item_id")),
    "distribution": lambda n, r: names.distribution(n._ref("distribution", r, "item_id"),
                                                    r.get("recipient")),
    "expense": lambda n, r: names.expense(r.get("purpose"), r.get("amount")),
    "item": lambda n, r: names.item(r.get("name"), r.get("spec")),
    "shift_slot": lambda n, r: names.slot(r.get("name"), r.get("start"), r.get("end")),
    "recipient": lambda n, r: names.recipient(r.get("unit"), r.get("name")),
}


def _value(names: _Names, table: str, column: str, value: object) -> str:
    if value is None or value == "":
        return "空"
    if isinstance(value, bool) or (table, column) in _BOOLEANS:
        return "是" if value else "否"
    target = _TARGETS.get((table, column))
    if target and isinstance(value, int):
        return names.of(target, value) or str(value)
    return str(value)


def _loaded(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        row = json.loads(text)
    except ValueError:
        return {}
    return row if isinstance(row, dict) else {"内容": row}


@dataclass(frozen=True)
class HistoryLine:
    """One entry of the audit log in the clerk's words."""

    at: dt.datetime
    who: str
    action: str
    what: str  # 居民 / 捐赠 / 设置 …
    whose: str  # 张三 / 收据2022-0003 / 东门卡口 …
    change: str  # 体温 36.5→36.1；备注 空→复测正常


def _setting_change(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, str]:
    key = next(iter(after or before), "")
    name = DEFAULTS[key][1].split("（")[0] if key in DEFAULTS else key
    return name, f"{name} {before.get(key) or '空'}→{after.get(key) or '空'}"


def read(entry: AuditLog, names: _Names | None = None, blob: Any = None) -> HistoryLine:
    """An audit entry as a line of history; ``blob`` may shorten long stored values."""
    names = names or _Names()
    before, after = _loaded(entry.before), _loaded(entry.after)
    if blob is not None:
        before, after = blob(before), blob(after)
    table = entry.table
    what = TABLE_LABELS.get(table, "导出" if table == "export" else table)
    if BATCH_IDS in after:  # one entry for the many rows an import wrote (db.models.log_batch)
        change = "；".join(f"{k} {v}" for k, v in after.items() if k not in (BATCH_IDS, "条数"))
        change += f"；{BATCH_IDS} {after[BATCH_IDS]}"
        return HistoryLine(entry.at, entry.who, entry.action, what, f"{after.get('条数', '')}条",
                           change.lstrip("；"))
    if table == "setting":
        whose, change = _setting_change(before, after)
        return HistoryLine(entry.at, entry.who, entry.action, what, whose, change)
    if table == "export":
        whose = str(after.get("报表", ""))
    else:
        stored = {**before, **after, "id": entry.row_id} if before or after else None
        whose = names.of(table, entry.row_id, stored)
    if before and after:
        parts = [f"{label(table, k)} {_value(names, table, k, before.get(k))}→"
                 f"{_value(names, table, k, after.get(k))}"
                 for k in after if before.get(k) != after.get(k) and label(table, k)]
    else:
        row = after or before
        parts = [f"{label(table, k)} {_value(names, table, k, v)}" for k, v in row.items()
                 if v not in (None, "") and k != "id" and label(table, k)]
    return HistoryLine(entry.at, entry.who, entry.action, what, whose, "；".join(parts))


def history(start: dt.date | None = None, end: dt.date | None = None,
            limit: int = 100_000, blob: Any = None) -> list[HistoryLine]:
    """The logged changes of a period, newest first, in the clerk's words."""
    entries = audit_rows(start, end, limit)
    names = _Names()
    wanted: set[tuple[str, int]] = set()
    for entry in entries:
        stored = {**_loaded(entry.before), **_loaded(entry.after)}
        if stored:
            wanted |= _references(entry.table, stored)
        elif entry.row_id:
            wanted.add((entry.table, entry.row_id))
    names.prefetch(wanted)
    return [read(entry, names, blob) for entry in entries]


def row_history(table: str, row_id: int) -> list[HistoryLine]:
    """Every entry about one row, oldest first: its own, and the bulk entry of the import that
    wrote it among many (who checked this person off, and when)."""
    own = AuditLog.table == table
    entries = list(AuditLog.select().where(own & (AuditLog.row_id == row_id)))
    entries += [e for e in AuditLog.select().where(
        own & (AuditLog.row_id < row_id) & AuditLog.after.contains(f'"{BATCH_IDS}": '))
        if in_ranges(str(_loaded(e.after).get(BATCH_IDS, "")), row_id)]
    names = _Names()
    return [read(e, names) for e in sorted(entries, key=lambda e: e.id)]

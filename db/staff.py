"""Staff and volunteers (值守人员与志愿者), teams, checkpoints, unavailability, service records and
party members' points — and the all-or-nothing import of a staff list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from db.connection import database
from db.imports import Change, Problem, sorted_column_check
from db.models import (
    STAFF_CATEGORIES,
    Area,
    Checkpoint,
    PointsAdjustment,
    ServiceRecord,
    ShiftSlot,
    Staff,
    Team,
    Unavailability,
)
from db.pinyin import name_keys
from db.validate import Invalid, check_id, check_phone, normalize_text

VOLUNTEER_CATEGORIES = ("党员志愿者", "退役军人", "大学生", "其他")


@dataclass
class StaffInput:
    name: object
    category: str
    phone: object = ""
    id_number: object = ""
    unit: str = ""
    team: str = ""
    political_status: str = ""
    skills: str = ""
    can_lead: bool = False
    max_per_week: object = 6
    home_area: Area | None = None
    notes: str = ""


def _team(name: str) -> Team | None:
    name = normalize_text(name)
    if not name:
        return None
    return Team.get_or_none(Team.name == name) or Team.create(name=name)


def staff_values(data: StaffInput) -> dict[str, object]:
    """Check a person's fields; return column values or raise Invalid naming the field."""
    name = "".join(normalize_text(data.name).split())
    if not name:
        raise Invalid("姓名不能为空")
    if data.category not in STAFF_CATEGORIES:
        raise Invalid(f"人员类别应为：{'/'.join(STAFF_CATEGORIES)}")
    number = None
    sex = ""
    if normalize_text(data.id_number):
        info = check_id(data.id_number)
        number, sex = info.number, info.sex
    phone = check_phone(data.phone) if normalize_text(data.phone) else ""
    try:
        most = int(normalize_text(data.max_per_week) or 6)
    except ValueError:
        raise Invalid("每周最多班次应为整数") from None
    if not 0 <= most <= 21:
        raise Invalid("每周最多班次应在0—21之间")
    return {"name": name, "name_key": name_keys(name)[0], "id_number": number, "sex": sex,
            "phone": phone, "category": data.category,
            "political_status": normalize_text(data.political_status),
            "unit": normalize_text(data.unit), "skills": normalize_text(data.skills),
            "can_lead": bool(data.can_lead), "max_per_week": most,
            "is_volunteer": data.category in VOLUNTEER_CATEGORIES,
            "home_area": data.home_area, "notes": normalize_text(data.notes)}


def add_staff(data: StaffInput) -> Staff:
    values = staff_values(data)
    if values["id_number"] and Staff.select().where(
            Staff.id_number == values["id_number"]).exists():
        raise Invalid("该身份证号码的人员已在名单中")
    with database.atomic():
        return Staff.create(team=_team(data.team), **values)


def update_staff(staff_id: int, data: StaffInput) -> Staff:
    values = staff_values(data)
    clash = Staff.get_or_none((Staff.id_number == values["id_number"]) & (Staff.id != staff_id)
                              ) if values["id_number"] else None
    if clash is not None:
        raise Invalid(f"该身份证号码已属于 {clash.name}")
    with database.atomic():
        person = Staff.get_by_id(staff_id)
        for key, value in values.items():
            setattr(person, key, value)
        person.team = _team(data.team)
        person.save()
    return person


def set_active(staff_id: int, active: bool) -> Staff:
    person = Staff.get_by_id(staff_id)
    person.active = active
    person.save()
    return person


def add_unavailability(staff_id: int, start: dt.date | None, end: dt.date | None,
                       slot: ShiftSlot | None = None, reason: str = "") -> Unavailability:
    """When someone cannot serve: dates (a range), a slot (e.g. no night shifts), or both."""
    if start is None and end is None and slot is None:
        raise Invalid("请填写不可值班的日期，或选择班次")
    if start and end and end < start:
        raise Invalid("结束日期不能早于开始日期")
    return Unavailability.create(staff=staff_id, start_date=start, end_date=end or start,
                                 slot=slot, reason=normalize_text(reason))


# A service record about standing at a checkpoint, on a day the person was rostered there,
# is that same shift: its hours come from the roster, never twice.
GUARD_WORK = "%值守%"


def add_service(staff_id: int, day: dt.date, hours: object, what: str) -> ServiceRecord:
    """A volunteer's service outside the roster (物资配送, 入户摸排 …), with its hours."""
    text = normalize_text(hours)
    try:
        value = Decimal(text).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise Invalid(f"服务时长“{text}”不是数字") from None
    if not 0 < value <= 24:
        raise Invalid("服务时长应在0—24小时之间")
    what = normalize_text(what)
    if not what:
        raise Invalid("请填写服务内容")
    if "值守" in what and database.execute_sql(
            "SELECT 1 FROM assignment a JOIN shift h ON h.id = a.shift_id "
            "WHERE a.staff_id = ? AND h.date = ?", [staff_id, day.isoformat()]).fetchone():
        raise Invalid(f"{day:%Y-%m-%d}已排该人卡口值守班次，值守时长按排班自动计入，不必另记")
    return ServiceRecord.create(staff=staff_id, date=day, hours=value, what=what)


def volunteer_hours(until: dt.datetime, day: dt.date | None = None) -> dict[int, float]:
    """Hours each volunteer served, as of the moment ``until``: rostered shifts that had
    ended by then, at the length stored with each shift, plus service records that are not
    one of those shifts; a shift at a checkpoint out of service that day was not stood. With
    ``day``, only that day's service: shifts ending within it
    (a night shift counts on the day it ends) and records dated on it.
    Staff who are not volunteers (民警, 下沉干部 …) never count."""
    moment = until.isoformat(sep=" ")
    if day is None:
        shifts, records = "h.ends_at <= ?", "r.date <= ?"
        params = [moment, (until - dt.timedelta(seconds=1)).date().isoformat()]
    else:
        shifts, records = "h.ends_at > ? AND h.ends_at <= ?", "r.date = ?"
        start = dt.datetime.combine(day, dt.time()).isoformat(sep=" ")
        params = [start, moment, day.isoformat()]
    rows = database.execute_sql(
        "SELECT staff_id, total(hours) FROM ("
        "SELECT a.staff_id, h.hours FROM assignment a JOIN shift h ON h.id = a.shift_id "
        "JOIN staff s ON s.id = a.staff_id JOIN checkpoint c ON c.id = h.checkpoint_id "
        f"WHERE s.is_volunteer AND {shifts} AND (c.active_from IS NULL OR c.active_from <= "
        "h.date) AND (c.active_to IS NULL OR c.active_to >= h.date) "
        "UNION ALL SELECT r.staff_id, r.hours FROM service_record r JOIN staff s "
        f"ON s.id = r.staff_id WHERE s.is_volunteer AND {records} AND NOT (r.what LIKE ? "
        "AND EXISTS (SELECT 1 FROM assignment a JOIN shift h ON h.id = a.shift_id "
        "WHERE a.staff_id = r.staff_id AND h.date = r.date))) GROUP BY staff_id",
        [*params, GUARD_WORK]).fetchall()
    return {staff_id: round(hours, 2) for staff_id, hours in rows if hours}


def adjust_points(staff_id: int, delta: object, reason: str) -> Staff:
    """党员积分: change by ``delta`` with a reason (kept)."""
    try:
        change = int(normalize_text(delta))
    except ValueError:
        raise Invalid("积分变化应为整数（可为负数）") from None
    if not normalize_text(reason):
        raise Invalid("调整积分须填写原因")
    with database.atomic():
        person = Staff.get_by_id(staff_id)
        PointsAdjustment.create(staff=person, delta=change, reason=normalize_text(reason))
        person.party_points += change
        person.save()
    return person


@dataclass
class CheckpointInput:
    name: object
    kind: str = "村"
    traffic: str = "人车"
    staff_per_shift: object = ""
    needs_leader: bool = True
    address: str = ""
    unit: str = ""
    person: str = ""
    phone: object = ""
    area: Area | None = None
    active_from: dt.date | None = None
    active_to: dt.date | None = None


def checkpoint_values(data: CheckpointInput) -> dict[str, object]:
    name = normalize_text(data.name)
    if not name:
        raise Invalid("卡口名称不能为空")
    if data.kind not in ("村", "社区"):
        raise Invalid("卡口类型应为村或社区")
    if data.traffic not in ("人行", "车行", "人车"):
        raise Invalid("通行类型应为人行、车行或人车")
    text = normalize_text(data.staff_per_shift)
    per = int(text) if text.isdigit() else (4 if data.kind == "村" else 2)
    if not 1 <= per <= 12:
        raise Invalid("每班人数应在1—12之间")
    if data.active_from and data.active_to and data.active_to < data.active_from:
        raise Invalid("停用日期不能早于启用日期")
    return {"name": name, "kind": data.kind, "traffic": data.traffic, "staff_per_shift": per,
            "needs_leader": bool(data.needs_leader), "address": normalize_text(data.address),
            "unit": normalize_text(data.unit), "person": normalize_text(data.person),
            "phone": check_phone(data.phone) if normalize_text(data.phone) else "",
            "area": data.area, "active_from": data.active_from, "active_to": data.active_to}


def add_checkpoint(data: CheckpointInput) -> Checkpoint:
    values = checkpoint_values(data)
    if Checkpoint.select().where(Checkpoint.name == values["name"]).exists():
        raise Invalid(f"卡口“{values['name']}”已存在")
    return Checkpoint.create(**values)


def update_checkpoint(checkpoint_id: int, data: CheckpointInput) -> Checkpoint:
    values = checkpoint_values(data)
    clash = Checkpoint.get_or_none((Checkpoint.name == values["name"])
                                   & (Checkpoint.id != checkpoint_id))
    if clash is not None:
        raise Invalid(f"卡口“{values['name']}”已存在")
    cp = Checkpoint.get_by_id(checkpoint_id)
    for key, value in values.items():
        setattr(cp, key, value)
    cp.save()
    return cp


# --- import ------------------------------------------------------------------------------------


@dataclass
class StaffRecord:
    row: int
    values: dict[str, object] = field(default_factory=dict)
    sheet: str = ""  # the worksheet the row is on


STAFF_LABELS = {"name": "姓名", "phone": "联系电话", "category": "人员类别", "unit": "工作单位",
                "team": "所属服务队", "political_status": "政治面貌", "skills": "特长",
                "can_lead": "能否带班", "max_per_week": "每周最多班次", "notes": "备注"}


@dataclass
class StaffImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Change] = field(default_factory=list)
    conflicts_applied: bool = False
    sheets: str = ""  # which worksheets were read and which skipped (exports.reader.Sheets)

    def text(self) -> str:
        line = (f"导入完成：新增 {self.added} 人，更新 {self.updated} 人，未变 {self.unchanged} 人；"
                f"拒绝 {len(self.rejected)} 行，警告 {len(self.warnings)} 条")
        if self.conflicts:
            line += (f"；姓名冲突 {len(self.conflicts)} 处"
                     + ("（已按确认修改）" if self.conflicts_applied else "（未修改）"))
        return line + (f"\n{self.sheets}" if self.sheets else "")

    def detail_lines(self) -> list[str]:
        verb = "已修改" if self.conflicts_applied else "未修改"
        return ([f"冲突（{verb}）：{c.text()}" for c in self.conflicts]
                + [f"修改：{c.text()}" for c in self.changes])

    def problems(self) -> list[Problem]:
        verb = "已修改" if self.conflicts_applied else "未修改，确认后才会修改"
        return sorted(self.rejected + self.warnings
                      + [Problem(c.row, f"姓名冲突：{c.old} → {c.new}（{verb}）", c.sheet)
                         for c in self.conflicts]
                      + [Problem(c.row, f"修改{c.field}：{c.old} → {c.new}", c.sheet)
                         for c in self.changes], key=lambda p: (p.sheet, p.row))


def _yes(value: object) -> bool:
    return normalize_text(value) in ("是", "能", "可以", "1", "Y", "y", "√", "带班")


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def import_staff(records: Sequence[StaffRecord], dry_run: bool = False,
                 accept_changes: bool = False, sheet: str = "人员名单") -> StaffImportSummary:
    """Import a staff list: a known ID number or (name and phone) updates, else adds; all or
    nothing (rejected rows aside).

    Only the columns a row fills change a known person; each change is listed. A 姓名 differing
    from the one stored under the same ID is a conflict, applied only with ``accept_changes``;
    names or phones disagreeing on over a fifth of at least ten ID matches stop the import
    (:class:`db.imports.ImportStopped`)."""
    summary = StaffImportSummary()
    rows: list[tuple[StaffRecord, StaffInput, dict[str, object]]] = []
    for record in records:
        v = record.values
        category = normalize_text(v.get("category")) or "其他"
        if category not in STAFF_CATEGORIES:
            summary.warnings.append(Problem(record.row, f"人员类别“{category}”无法识别，已记为其他",
                                            record.sheet))
            category = "其他"
        data = StaffInput(v.get("name"), category, v.get("phone"), v.get("id_number"),
                          normalize_text(v.get("unit")), normalize_text(v.get("team")),
                          normalize_text(v.get("political_status")),
                          normalize_text(v.get("skills")), _yes(v.get("can_lead")),
                          v.get("max_per_week") or 6, notes=normalize_text(v.get("notes")))
        try:
            rows.append((record, data, staff_values(data)))
        except Invalid as exc:
            summary.rejected.append(Problem(record.row, str(exc), record.sheet))
    plans: list[tuple[StaffRecord, StaffInput, dict[str, object], Staff | None]] = []
    by_id = 0
    disagree = {"姓名": 0, "联系电话": 0}
    for record, data, values in rows:
        known = None
        if values["id_number"]:
            known = Staff.get_or_none(Staff.id_number == values["id_number"])
            if known is not None:
                by_id += 1
                disagree["姓名"] += known.name != values["name"]
                disagree["联系电话"] += bool(known.phone and values["phone"]
                                             and known.phone != values["phone"])
        if known is None and values["phone"]:
            known = Staff.get_or_none((Staff.name == values["name"])
                                      & (Staff.phone == values["phone"]))
        plans.append((record, data, values, known))
    sorted_column_check(sheet, by_id, disagree)
    with database.atomic():  # a dry run compares without writing: it works on a read-only file
        for record, data, values, known in plans:
            if known is None:
                if not dry_run:
                    add_staff(data)
                summary.added += 1
            elif _update_known(known, record, data, values, summary, accept_changes, sheet,
                               save=not dry_run):
                summary.updated += 1
            else:
                summary.unchanged += 1
        summary.conflicts_applied = accept_changes and bool(summary.conflicts) and not dry_run
    return summary


def _update_known(known: Staff, record: StaffRecord, data: StaffInput, values: dict[str, object],
                  summary: StaffImportSummary, accept_changes: bool, sheet: str,
                  save: bool = True) -> bool:
    """Apply the columns this row fills to a matched person (saved unless ``save`` is False, a
    dry run); True when something changed."""
    given = {key for key, value in record.values.items() if normalize_text(value)}
    changed = False
    for key, label in STAFF_LABELS.items():
        if key not in given:
            continue
        old = known.team.name if key == "team" and known.team_id else getattr(known, key)
        new = data.team if key == "team" else values[key]
        if key == "team" and not known.team_id:
            old = ""
        if _shown(old) == _shown(new):
            continue
        change = Change(record.sheet or sheet, record.row, known.id_number or "", known.name, label,
                        _shown(old), _shown(new))
        if key == "name":
            summary.conflicts.append(change)
            if not accept_changes:
                continue
            known.name_key = values["name_key"]
        else:
            summary.changes.append(change)
        if key == "team":
            known.team = _team(data.team)
        else:
            setattr(known, key, new)
            if key == "category":
                known.is_volunteer = values["is_volunteer"]
        changed = True
    if values["id_number"] and not known.id_number:
        known.id_number, known.sex = values["id_number"], values["sex"]
        changed = True
    if changed and save:
        known.save()
    return changed


def staff_list(limit: int = 3000) -> list[Staff]:
    """Everyone on the staff list, active first, by category."""
    return list(Staff.select().order_by(Staff.active.desc(), Staff.category, Staff.id).limit(limit))

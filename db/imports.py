"""Bringing the villages' resident lists into the register (导入居民): validate every row, group
people into households, and write the whole file in one transaction or not at all.

Rows are rejected with the sheet's own row number and a Chinese reason; a few things are only
warned about (sex that contradicts the ID, a phone that is not a valid number). Re-importing the
same file adds no one: a known ID number is updated when something changed, else left alone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from db.areas import get_or_add_path
from db.audit import current_user
from db.database import database
from db.pinyin import name_keys
from db.residents import HEAD, check_name
from db.search_index import bulk_insert
from db.validate import Invalid, check_id, check_phone, normalize_text

Progress = Callable[[str, float], None]
KIND_WORDS = {"常住": "常住", "户籍": "常住", "本地": "常住", "外来": "外来", "流动": "外来",
              "暂住": "外来", "返乡": "返乡", "返回": "返乡"}
UPDATABLE = ("name", "phone", "relation", "kind", "notes")


@dataclass
class ResidentRecord:
    """One row of a residents sheet, as read (values not yet checked)."""

    row: int
    name: object = None
    id_number: object = None
    phone: object = None
    sex: object = None
    relation: object = None
    kind: object = None
    household_no: object = None
    community: object = None
    compound: object = None
    grid: object = None
    building: object = None
    unit: object = None
    door: object = None
    address: object = None
    notes: object = None
    sheet: str = ""  # the worksheet the row is on


@dataclass
class Problem:
    row: int
    reason: str
    sheet: str = ""


def mark_sheet(problems: list[Problem], since: int, sheet: str) -> None:
    """Name the worksheet on the problems found from ``since`` on (one record's)."""
    for problem in problems[since:]:
        problem.sheet = sheet


def where(sheet: str, row: int) -> str:
    """第3行, or 工作表“二组”第3行 when the file had several sheets."""
    return f"工作表“{sheet}”第{row}行" if sheet else f"第{row}行"


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    households: int = 0
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    sheets: str = ""  # which worksheets were read and which skipped (exports.reader.Sheets)

    def as_dict(self) -> dict[str, object]:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "households": self.households,
            "rejected": [asdict(p) for p in self.rejected],
            "warnings": [asdict(p) for p in self.warnings],
            "sheets": self.sheets,
        }

    def text(self) -> str:
        head = "试运行（未写入）：" if self.dry_run else "导入完成："
        return (f"{head}新增 {self.added} 人，更新 {self.updated} 人，未变 {self.unchanged} 人，"
                f"新建 {self.households} 户；拒绝 {len(self.rejected)} 行，"
                f"警告 {len(self.warnings)} 条" + (f"\n{self.sheets}" if self.sheets else ""))


@dataclass
class _Person:
    record: ResidentRecord
    values: dict[str, object]
    household_key: str
    household_fields: dict[str, object]
    area_path: tuple[str, ...]


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(value)


def _check_row(record: ResidentRecord, summary: ImportSummary) -> _Person | None:
    try:
        name = check_name(record.name)
    except Invalid as exc:
        summary.rejected.append(Problem(record.row, str(exc)))
        return None
    try:
        info = check_id(record.id_number)
    except Invalid as exc:
        summary.rejected.append(Problem(record.row, str(exc)))
        return None
    for warning in info.warnings:
        summary.warnings.append(Problem(record.row, warning))
    sex = _text(record.sex)
    if sex and sex not in (info.sex, info.sex + "性"):
        summary.warnings.append(
            Problem(record.row, f"性别“{sex}”与身份证号码不符，已按身份证号码记为{info.sex}"))
    phone = _text(record.phone)
    if phone:
        try:
            phone = check_phone(record.phone)
        except Invalid:
            summary.warnings.append(Problem(record.row, f"电话“{phone}”不是有效号码，已按原样保存"))
    kind_text = _text(record.kind)
    kind = next((v for k, v in KIND_WORDS.items() if k in kind_text), "常住") if kind_text else ""
    if kind_text and not any(k in kind_text for k in KIND_WORDS):
        summary.warnings.append(
            Problem(record.row, f"人员类别“{kind_text}”无法识别，已记为常住"))
    if len(_text(record.notes)) > 500:
        summary.warnings.append(Problem(record.row, "备注超过500字，已截断"))
    key, alt = name_keys(name)
    values: dict[str, object] = {
        "name": name, "name_rev": name[::-1], "name_key": key, "name_key_alt": alt, "id_number": info.number,
        "id_tail": info.number[::-1], "sex": info.sex, "birth_date": info.birth_date.isoformat(),
        "phone": phone, "relation": _text(record.relation), "kind": kind,
        "notes": _text(record.notes)[:500],
    }
    parts = [_text(p) for p in (record.compound, record.building, record.unit, record.door)]
    address = _text(record.address) or "".join(parts)
    number = _text(record.household_no)
    area_path = tuple(_text(p) for p in (record.community, record.compound, record.grid,
                                          record.building))
    household_key = f"no:{number}" if number else (
        f"addr:{'/'.join(area_path)}|{address}" if address else f"one:{info.number}")
    return _Person(record, values, household_key,
                   {"number": number or None, "address": address, "unit": parts[2],
                    "door": parts[3]}, area_path)


def _chunks(items: Sequence[str], size: int = 900) -> list[Sequence[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _area_for(path: tuple[str, ...], cache: dict[tuple[str, ...], int | None]) -> int | None:
    """The deepest area named by (community, compound, grid, building), levels not skipped."""
    names: list[str] = []
    for name in path:
        if not name:
            break
        names.append(name)
    key = tuple(names)
    if key not in cache:
        area = get_or_add_path(names) if names else None
        cache[key] = area.id if area else None
    return cache[key]


def import_residents(
    records: Sequence[ResidentRecord], dry_run: bool = False, progress: Progress | None = None,
) -> ImportSummary:
    """Import checked rows in one transaction (nothing is written on ``dry_run``)."""
    report = progress or (lambda _stage, _fraction: None)
    summary = ImportSummary(dry_run=dry_run)
    people: list[_Person] = []
    first_row: dict[str, ResidentRecord] = {}
    sheet_order = {r.sheet: n for n, r in reversed(list(enumerate(records)))}
    for n, record in enumerate(records):
        marks = len(summary.rejected), len(summary.warnings)
        person = _check_row(record, summary)
        if person is not None:
            number = str(person.values["id_number"])
            if number in first_row:
                first = first_row[number]
                place = where("" if first.sheet == record.sheet else first.sheet, first.row)
                summary.rejected.append(Problem(record.row, f"身份证号码与{place}重复，本行未导入"))
            else:
                first_row[number] = record
                people.append(person)
        mark_sheet(summary.rejected, marks[0], record.sheet)
        mark_sheet(summary.warnings, marks[1], record.sheet)
        if n % 5000 == 0:
            report("检查", n / max(len(records), 1))
    summary.rejected.sort(key=lambda p: (sheet_order.get(p.sheet, 0), p.row))
    summary.warnings.sort(key=lambda p: (sheet_order.get(p.sheet, 0), p.row))
    report("比对", 0.0)
    existing: dict[str, tuple] = {}
    for chunk in _chunks(list(first_row)):
        cursor = database.execute_sql(
            "SELECT id_number, id, name, phone, relation, kind, notes FROM resident "
            f"WHERE id_number IN ({','.join('?' * len(chunk))})", list(chunk))
        for row in cursor.fetchall():
            existing[row[0]] = row[1:]
    new_people = [p for p in people if p.values["id_number"] not in existing]
    updates: list[tuple[int, dict[str, object], dict[str, object]]] = []
    for person in people:
        known = existing.get(str(person.values["id_number"]))
        if known is None:
            continue
        rid, *old = known
        before = dict(zip(UPDATABLE, old, strict=True))
        after = dict(before)
        for key in UPDATABLE:
            if person.values[key]:
                after[key] = person.values[key]
        if after != before:
            updates.append((rid, before, after))
        else:
            summary.unchanged += 1
    summary.added = len(new_people)
    summary.updated = len(updates)
    households: dict[str, list[_Person]] = {}
    for person in new_people:
        households.setdefault(person.household_key, []).append(person)
    by_number = dict(database.execute_sql(
        "SELECT number, id FROM household WHERE number IS NOT NULL").fetchall())
    by_address = {(a, area): i for i, a, area in database.execute_sql(
        "SELECT id, address, area_id FROM household WHERE address != ''").fetchall()}
    if dry_run:
        summary.households = sum(
            1 for key, members in households.items()
            if not (key.startswith("no:") and key[3:] in by_number))
        return summary
    with database.atomic(), bulk_insert(database):
        _write(households, updates, by_number, by_address, summary, report)
    report("完成", 1.0)
    return summary


def _write(households, updates, by_number, by_address, summary, report) -> None:
    now = dt.datetime.now().isoformat(sep=" ", timespec="seconds")
    who = current_user()
    area_cache: dict[tuple[str, ...], int | None] = {}
    next_household = (database.execute_sql("SELECT max(id) FROM household").fetchone()[0] or 0) + 1
    next_resident = (database.execute_sql("SELECT max(id) FROM resident").fetchone()[0] or 0) + 1
    new_households, new_residents, audits = [], [], []
    for members in households.values():
        first = members[0]
        area_id = _area_for(first.area_path, area_cache)
        fields = first.household_fields
        household_id = by_number.get(fields["number"]) if fields["number"] else None
        if household_id is None and not fields["number"] and fields["address"]:
            household_id = by_address.get((fields["address"], area_id))
        if household_id is None:
            household_id = next_household
            next_household += 1
            row = {"id": household_id, "number": fields["number"], "address": fields["address"],
                   "area_id": area_id, "unit": fields["unit"], "door": fields["door"],
                   "pass_card": "", "notes": ""}
            new_households.append(row)
            audits.append((now, who, "导入", "household", household_id, None,
                           json.dumps(row, ensure_ascii=False)))
            has_head = False
        else:
            has_head = database.execute_sql(
                "SELECT 1 FROM resident WHERE household_id = ? AND relation = ?",
                [household_id, HEAD]).fetchone() is not None
        for person in members:
            values = dict(person.values)
            if not values["kind"]:
                values["kind"] = "常住"
            if not has_head and not values["relation"] and len(members) == 1:
                values["relation"] = HEAD
            row = {"id": next_resident, "household_id": household_id, **values,
                   "status": "在册", "updated_at": now}
            next_resident += 1
            new_residents.append(row)
            audits.append((now, who, "导入", "resident", row["id"], None,
                           json.dumps(row, ensure_ascii=False)))
    summary.households = len(new_households)
    report("写入", 0.3)
    if new_households:
        columns = list(new_households[0])
        database.cursor().executemany(
            f"INSERT INTO household ({','.join(columns)}) VALUES ({','.join('?' * len(columns))})",
            [[h[c] for c in columns] for h in new_households])
    if new_residents:
        columns = list(new_residents[0])
        database.cursor().executemany(
            f"INSERT INTO resident ({','.join(columns)}) VALUES ({','.join('?' * len(columns))})",
            [[r[c] for c in columns] for r in new_residents])
    report("写入", 0.7)
    for rid, before, after in updates:
        changed = {k: v for k, v in after.items() if before[k] != v}
        if "name" in changed:
            changed["name_key"], changed["name_key_alt"] = name_keys(str(changed["name"]))
            changed["name_rev"] = str(changed["name"])[::-1]
        sets = ", ".join(f"{k} = ?" for k in changed)
        database.execute_sql(f"UPDATE resident SET {sets}, updated_at = ? WHERE id = ?",
                             [*changed.values(), now, rid])
        audits.append((now, who, "导入", "resident", rid, json.dumps(before, ensure_ascii=False),
                       json.dumps(after, ensure_ascii=False)))
    database.cursor().executemany(
        'INSERT INTO audit_log (at, who, action, "table", row_id, before, after) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)", audits)


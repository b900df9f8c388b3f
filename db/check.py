"""``eprc check``: SQLite's integrity check plus a data-quality summary of the register."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from db import names, recycle
from db.connection import database
from db.imports import IMPORT_ENTRY, SORTED_MIN_MATCHED, SORTED_SHARE
from db.models import Household
from db.pushed import wrongly_created
from db.residents import delete_resident
from db.validate import Invalid, check_id


@dataclass
class CheckReport:
    integrity: str
    problems: list[str] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.problems


ORPHAN_QUERIES = {
    "居民所属户不存在": "SELECT count(*) FROM resident r WHERE r.household_id IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM household h WHERE h.id = r.household_id)",
    "户所属区域不存在": "SELECT count(*) FROM household h WHERE h.area_id IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM area a WHERE a.id = h.area_id)",
    "重点人员对应居民不存在": "SELECT count(*) FROM key_person k "
    "WHERE NOT EXISTS (SELECT 1 FROM resident r WHERE r.id = k.resident_id)",
    "排班对应人员不存在": "SELECT count(*) FROM assignment a "
    "WHERE NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = a.staff_id)",
}


def _count(sql: str) -> int:
    return database.execute_sql(sql).fetchone()[0]


def renaming_imports() -> list[str]:
    """Past imports that changed the 姓名 of over a fifth of the (at least ten) residents they
    matched in one file: an Excel column sorted on its own, from before imports refused it.

    Each line names the import and the audit entries whose 修改前 values undo it."""
    groups: list[tuple[str, str, int | None, int, list[int]]] = []
    key: tuple[str, str] | None = None
    updated, renames = 0, []

    def close(matched: int | None) -> None:
        nonlocal key, updated, renames
        if key is not None and (updated or matched is not None):
            groups.append((*key, matched, updated, renames))
        key, updated, renames = None, 0, []

    cursor = database.execute_sql(
        'SELECT id, at, who, "table", before, after FROM audit_log WHERE action = \'导入\' '
        'AND ("table" = ? OR ("table" = \'resident\' AND before IS NOT NULL)) ORDER BY id',
        [IMPORT_ENTRY])
    for entry_id, at, who, table, before, after in cursor:
        if key is not None and key != (str(at), who):
            close(None)  # an import written before imports logged themselves
        key = (str(at), who)
        if table == IMPORT_ENTRY:  # the last entry of its import, written after its rows
            close(json.loads(after).get("匹配"))
            continue
        updated += 1
        if json.loads(before).get("name") != json.loads(after).get("name"):
            renames.append(entry_id)
    close(None)
    lines = []
    for at, who, matched, updated, renamed in groups:
        base = matched if matched is not None else updated
        if base >= SORTED_MIN_MATCHED and len(renamed) / base > SORTED_SHARE:
            lines.append(
                f"{at} {who} 的导入改了 {len(renamed)}/{base} 名居民的姓名（疑似姓名列被单独"
                f"排序）；撤销：按操作记录 {'、'.join(f'#{i}' for i in renamed)} 的“修改前”恢复姓名")
    return lines


def wrongly_created_lines() -> list[str]:
    """Residents a pushed-list result that does not mean 在辖区 added to the register."""
    people = wrongly_created()
    if not people:
        return []
    names = "、".join(f"{r.name}（{r.notes}）" for r in people[:20])
    more = f"等{len(people)}人" if len(people) > 20 else f"共{len(people)}人"
    return [f"由不表示“在辖区”的核查结果（如“不在辖区居住”）误建的居民：{names}{more}；"
            "eprc check --repair 可将其移入回收站（可恢复）"]


def run_check() -> CheckReport:
    """Check the open file; never changes it."""
    rows = database.execute_sql("PRAGMA integrity_check").fetchall()
    integrity = "ok" if rows == [("ok",)] else "; ".join(r[0] for r in rows[:5])
    report = CheckReport(integrity)
    for label, sql in ORPHAN_QUERIES.items():
        n = _count(sql)
        if n:
            report.problems.append(f"{label}：{n}条")
    invalid = 0
    for (number,) in database.execute_sql("SELECT id_number FROM resident"):
        try:
            check_id(number)
        except Invalid:
            invalid += 1
    if invalid:
        report.problems.append(f"身份证号码无效：{invalid}条")
    report.problems += renaming_imports()
    report.problems += wrongly_created_lines()
    fk = database.execute_sql("PRAGMA foreign_key_check").fetchall()
    if fk:
        report.problems.append(f"外键不一致：{len(fk)}处")
    report.summary = {
        "居民": _count("SELECT count(*) FROM resident"),
        "户": _count("SELECT count(*) FROM household"),
        "无成员的户": _count("SELECT count(*) FROM household h WHERE NOT EXISTS "
                        "(SELECT 1 FROM resident r WHERE r.household_id = h.id)"),
        "无户主的户": _count("SELECT count(*) FROM household h WHERE EXISTS (SELECT 1 FROM "
                        "resident r WHERE r.household_id = h.id) AND NOT EXISTS (SELECT 1 FROM "
                        "resident r WHERE r.household_id = h.id AND r.relation = '户主')"),
        "无电话的成年居民": _count("SELECT count(*) FROM resident WHERE phone = '' AND "
                            "birth_date <= date('now', '-18 years')"),
        "重点人员": _count("SELECT count(*) FROM key_person"),
        "卡口": _count("SELECT count(*) FROM checkpoint"),
        "人员（含志愿者）": _count("SELECT count(*) FROM staff"),
        "捐赠": _count("SELECT count(*) FROM donation"),
        "回收站": _count("SELECT count(*) FROM recycle_bin"),
    }
    return report


def repair() -> list[str]:
    """Fix what is safe to fix (the caller backs the file up first); returns what was done.

    Residents a wrong pushed-list outcome created go to the recycle bin, dangling links are
    cleared (the rows themselves are kept), households left with no members go to the recycle
    bin, and the search indexes are rebuilt. Invalid ID numbers are reported by the check but
    never "fixed": only the clerk can correct them.
    """
    done: list[str] = []
    with database.atomic():
        wrong = wrongly_created()
        for resident in wrong:
            delete_resident(resident.id)
        if wrong:
            done.append(f"{len(wrong)}名由误判的核查结果建档的居民已移入回收站："
                        + "、".join(r.name for r in wrong))
        cursor = database.execute_sql(
            "UPDATE resident SET household_id = NULL WHERE household_id IS NOT NULL AND NOT "
            "EXISTS (SELECT 1 FROM household h WHERE h.id = resident.household_id)")
        if cursor.rowcount:
            done.append(f"清除了{cursor.rowcount}名居民指向不存在的户的关联")
        cursor = database.execute_sql(
            "UPDATE household SET area_id = NULL WHERE area_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM area a WHERE a.id = household.area_id)")
        if cursor.rowcount:
            done.append(f"清除了{cursor.rowcount}户指向不存在的区域的关联")
        empty = [h for (h,) in database.execute_sql(
            "SELECT id FROM household h WHERE NOT EXISTS (SELECT 1 FROM resident r "
            "WHERE r.household_id = h.id)").fetchall()]
        for household_id in empty:
            household = Household.get_by_id(household_id)
            named = names.household(household.number, household.address) or household_id
            recycle.delete(household, f"空户 {named}")
        if empty:
            done.append(f"{len(empty)}个无成员的户已移入回收站")
        database.execute_sql("INSERT INTO resident_digits(resident_digits) VALUES ('rebuild')")
        database.execute_sql("INSERT INTO household_words(household_words) VALUES ('rebuild')")
        done.append("已重建搜索索引")
    database.execute_sql("PRAGMA optimize")
    return done

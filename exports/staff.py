"""Reading a staff/volunteer list from xlsx (same header rules and error report as residents)."""

from __future__ import annotations

from pathlib import Path

from db.staff import StaffImportSummary, StaffRecord, import_staff
from exports.reader import read_tables
from exports.residents import check_problems_target, sheet_problems, write_problems

SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码"),
    "phone": ("电话", "联系电话", "联系方式", "手机号码", "手机号", "手机"),
    "category": ("人员类别", "类别", "身份"),
    "unit": ("工作单位", "单位", "所在单位"),
    "team": ("所属服务队", "服务队", "队伍", "所属队伍"),
    "political_status": ("政治面貌",),
    "skills": ("特长", "技能", "专长"),
    "can_lead": ("能否带班", "可带班", "带班"),
    "max_per_week": ("每周最多班次", "每周班次上限"),
    "notes": ("备注",),
}
IGNORED = ("序号", "性别", "年龄", "累计服务时长（小时）", "服务网格/卡口")


def import_staff_file(path: Path, dry_run: bool = False, errors_out: Path | None = None,
                      accept_changes: bool = False) -> StaffImportSummary:
    """Read every sheet of a staff list and import it (``accept_changes`` applies 姓名
    conflicts); with ``errors_out`` the rejected, warned, conflicting and changed rows are
    written there, a path checked before anything is imported."""
    if errors_out is not None:
        check_problems_target(errors_out, path)
    sheets = read_tables(path, SYNONYMS, ("name",), ignored=IGNORED)
    several = len(sheets.tables) > 1
    records = [StaffRecord(number, {name: table.value(values, name) for name in table.fields},
                           table.sheet_name if several else "")
               for table in sheets.tables for number, values in table.rows]
    summary = import_staff(records, dry_run, accept_changes,
                           "人员名单" if several else sheets.tables[0].sheet_name)
    summary.warnings[:0] = sheet_problems(sheets)
    summary.sheets = sheets.describe()
    problems = summary.problems()
    if errors_out is not None and problems:
        write_problems(errors_out, sheets.tables, problems)
    return summary

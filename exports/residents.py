"""居民信息登记表: reading the villages' resident sheets and writing the register (FORMATS.md §1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from db import clock
from db.areas import area_places
from db.imports import ImportSummary, Problem, ResidentRecord, import_residents, where
from db.models import Area
from db.residents import register_rows
from db.settings import township
from db.staff import StaffImportSummary
from db.validate import age_on
from exports.office import date_line, signoff, unit_line
from exports.reader import Sheets, Table, read_tables
from exports.sheet import Column, Report, SheetWriter, new_workbook, save_workbook

SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "居民姓名", "人员姓名"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "证件号码", "身份证",
                  "证件号"),
    "phone": ("电话", "联系电话", "联系方式", "手机号码", "手机号", "手机", "电话号码"),
    "sex": ("性别",),
    "relation": ("与户主关系", "关系", "与户主的关系"),
    "kind": ("人员类别", "类别", "居住类型", "人员类型", "户籍类型"),
    "household_no": ("户号", "户编号", "户编码"),
    "community": ("社区", "村", "社区（村）", "所属社区", "村（社区）", "所属村（社区）"),
    "compound": ("小区", "小区名称", "小区（村民组）", "村民组", "组", "小区/村民组"),
    "grid": ("所属网格", "网格", "网格名称"),
    "building": ("楼栋", "楼号", "栋", "楼栋号"),
    "unit": ("单元", "单元号"),
    "door": ("门牌号", "房号", "室号", "门牌"),
    "address": ("住址", "现住址", "家庭住址", "地址", "居住地址", "详细地址"),
    "notes": ("备注",),
}
IGNORED = ("序号", "年龄", "出生日期", "出生年月", "民族")

Progress = Callable[[str, float], None]


def read_residents(path: Path, progress: Progress | None = None) -> tuple[Sheets, list[ResidentRecord]]:
    """Read every residents sheet of a workbook (one per 村民组 is common); each table lists its
    unknown columns in ``unknown``. Records carry their sheet's name when there are several."""
    sheets = read_tables(path, SYNONYMS, ("id_number", "name"),
                         progress=(lambda f: progress("读取", f)) if progress else None,
                         ignored=IGNORED)
    several = len(sheets.tables) > 1
    records = []
    for table in sheets.tables:
        sheet = table.sheet_name if several else ""
        fields = list(table.fields.items())  # rows are as wide as the header row at least
        records += [ResidentRecord(number, sheet=sheet, **{name: values[i] for name, i in fields})
                    for number, values in table.rows]
    return sheets, records


def sheet_problems(sheets: Sheets) -> list[Problem]:
    """Warnings on each sheet's header row: unknown columns, and cells the checks left out."""
    several = len(sheets.tables) > 1
    problems = []
    for table in sheets.tables:
        sheet = table.sheet_name if several else ""
        problems += [Problem(table.header_row, f"未识别的列“{c}”，未导入", sheet) for c in table.unknown]
        problems += [Problem(table.header_row, note, sheet) for note in table.notes]
    return problems


def import_residents_file(
    path: Path, dry_run: bool = False, errors_out: Path | None = None,
    progress: Progress | None = None, *, accept_changes: bool = False,
    create_areas: bool = False, area: Area | None = None,
    read: tuple[Sheets, list[ResidentRecord]] | None = None,
) -> ImportSummary:
    """Read a village sheet and import it; unknown columns become warnings on the header row.

    With ``errors_out`` the rejected, warned, conflicting, moved and changed rows (if any) are
    written there as well; that path is checked before anything is imported. ``read`` is the
    sheet already read (a preview reads it once). The flags are
    :func:`db.imports.import_residents`'s.
    """
    if errors_out is not None:
        check_problems_target(errors_out, path)
    sheets, records = read or read_residents(path, progress)
    single = sheets.tables[0].sheet_name if len(sheets.tables) == 1 else ""
    summary = import_residents(records, dry_run=dry_run, progress=progress,
                               accept_changes=accept_changes, create_areas=create_areas,
                               area=area, sheet=single, source=path.name)
    summary.warnings[:0] = sheet_problems(sheets)
    summary.sheets = sheets.describe()
    problems = summary.problems()
    if errors_out is not None and problems:
        write_problems(errors_out, sheets.tables, problems)
    return summary


def check_problems_target(errors_out: Path, source: Path) -> None:
    """Refuse a problems sheet that would replace the input, a database or a foreign file, or
    that cannot be written, before the import starts."""
    from exports.output import check_output, check_writable

    check_output(errors_out, "problems", source.name, inputs=[source])
    check_writable(errors_out.parent)


def problem_lines(summary: ImportSummary | StaffImportSummary) -> list[str]:
    """One line per rejected or warned row: 工作表“二组”第5行 拒绝：…"""
    return ([f"{where(p.sheet, p.row)} 拒绝：{p.reason}" for p in summary.rejected]
            + [f"{where(p.sheet, p.row)} 警告：{p.reason}" for p in summary.warnings])


def write_problems(path: Path, tables: Sequence[Table], problems: Sequence[Problem]) -> Path:
    """The rejected and warned rows in their original columns, plus 原行号 and 问题: one sheet per
    worksheet that had problems (one sheet, 导入问题, when the file had one)."""
    several = len(tables) > 1
    wb = new_workbook()
    for table in tables:
        sheet = table.sheet_name if several else ""
        by_row: dict[int, list[str]] = {}
        for problem in problems:  # a change names the sheet even when the file has one
            if problem.sheet in (sheet, table.sheet_name):
                by_row.setdefault(problem.row, []).append(problem.reason)
        if not by_row:
            continue
        columns = [Column(h or f"第{n + 1}列", max(8, min(24, len(h) * 2 + 2)))
                   for n, h in enumerate(table.headers)]
        columns += [Column("原行号", 8, "int"), Column("问题", 40)]
        scope = f"，工作表“{sheet}”" if sheet else ""
        report = Report(title=f"导入问题清单（{table.file_name}{scope}）", columns=columns,
                        landscape=True)
        writer = SheetWriter(wb, sheet or "导入问题", report)
        writer.begin()
        for number, values in table.rows:
            if number in by_row:
                cells = [v for v in values[:len(table.headers)]]
                cells += [None] * (len(table.headers) - len(cells))
                writer.add_row([*cells, number, "；".join(by_row[number])])
        writer.end()
    return save_workbook(wb, path, "problems", tables[0].file_name if tables else "")


# widths kept to what fits A4 landscape at >= 8 pt (16 columns, 社区（村） included); 户号
# holds a 15-digit number on one line in 宋体
REGISTER_COLUMNS = (
    Column("序号", 6, "int"), Column("户号", 17), Column("姓名", 10), Column("性别", 6),
    Column("身份证号码", 21), Column("年龄", 6, "int"), Column("与户主关系", 10),
    Column("联系电话", 14), Column("社区（村）", 12), Column("小区（村民组）", 13),
    Column("楼栋", 6), Column("单元", 6), Column("门牌号", 10), Column("所属网格", 12),
    Column("人员类别（常住/外来/返乡）", 12), Column("备注", 9),
)


def export_register(path: Path, area: Area | None = None, today: dt.date | None = None,
                    progress: Progress | None = None) -> int:
    """Write 居民信息登记表 (households together, head first); return the number of residents."""
    today = today or clock.today()
    places = area_places()
    total, cursor = register_rows(area.id if area is not None else None)
    scope = f"（{area.name}）" if area is not None else ""
    report = Report(
        title=f"{township()}居民信息登记表{scope}", columns=REGISTER_COLUMNS,
        unit_line=unit_line(), date_line=date_line(today), signoff=signoff(),
    )
    wb = new_workbook()
    writer = SheetWriter(wb, "居民信息登记表", report)
    writer.begin()
    place_cache: dict[int | None, tuple[str, str, str, str]] = {}
    for n, row in enumerate(cursor, start=1):
        number, name, sex, idn, birth, relation, phone, area_id, unit, door, address, kind, \
            notes = row
        if area_id not in place_cache:
            place_cache[area_id] = places(area_id)
        community, compound, grid, building = place_cache[area_id]
        writer.add_row([n, number or "", name, sex, idn,
                        age_on(dt.date.fromisoformat(str(birth)), today), relation, phone,
                        community, compound, building, unit, door or ("" if compound else address), grid,
                        kind, notes])
        if progress and n % 5000 == 0:
            progress("写出", n / max(total, 1))
    writer.end()
    save_workbook(wb, path, "residents", str(area.id) if area else "")
    return total

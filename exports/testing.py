"""The sheets of a testing round (全员核酸): coverage by community and grid, the call list of the
untested for each grid worker (internal: full phone, ID masked) and the door-to-door list of
the 行动不便 for the mobile teams, grouped by building and door. All A4."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from db import clock
from db.models import Area, SamplingRound
from db.settings import township
from db.testing import (
    EXEMPT_RULES,
    REASONS,
    MissingPerson,
    coverage,
    get_round,
    grid_worker,
    infant_age,
    missing,
    scope_names,
)
from exports.office import date_line, signoff, unit_line
from exports.sheet import Column, Report, SheetWriter, cn_date, new_workbook, save_workbook

COVERAGE_COLUMNS = (
    Column("序号", 6, "int"), Column("社区（村）", 16), Column("网格", 22),
    Column("应检人数", 10, "int"), Column("已检人数", 10, "int"), Column("未检人数", 10, "int"),
    Column("完成率（%）", 10, "number"),
)
UNTESTED_COLUMNS = (
    Column("序号", 5, "int"), Column("姓名", 9), Column("身份证号码", 21), Column("联系电话", 14),
    Column("楼栋", 8), Column("单元/门牌", 11), Column("行动不便", 6), Column("未检原因", 11),
    Column("回访情况", 16),
)
DOOR_COLUMNS = (
    Column("序号", 5, "int"), Column("单元/门牌", 12), Column("姓名", 9), Column("身份证号码", 21),
    Column("联系电话", 14), Column("已采样", 7), Column("采样人签字", 12), Column("备注", 14),
)
PERSONAL = "含个人信息，仅供网格员联系使用，不得外传、不得张贴"


def _period(found: SamplingRound) -> str:
    if found.start_date == found.end_date:
        return cn_date(found.start_date)
    return f"{cn_date(found.start_date)}—{found.end_date.month}月{found.end_date.day}日"


def _scope(found: SamplingRound) -> str:
    names = scope_names(found.id)
    return "、".join(names) if names else "全镇"


def export_coverage(path: Path, round_id: int) -> int:
    """全员核酸检测完成情况统计表: each community, then its grids; returns the rows written."""
    found = get_round(round_id)
    numbers = coverage(round_id)
    exempt = "、".join(f"{rule}{numbers.exempt[rule]}人" for rule in EXEMPT_RULES)
    age = infant_age()
    report = Report(
        title=f"{township()}{found.name}全员核酸检测完成情况统计表",
        columns=COVERAGE_COLUMNS, unit_line=unit_line(),
        date_line=date_line(clock.today(), "统计日期"), signoff=signoff(), landscape=False,
        intro=(f"检测时间：{_period(found)}　范围：{_scope(found)}",),
        footnotes=(f"注：应检＝范围内在册人员减免检人员（{exempt}）；已采样者一律计入应检和已检。",
                   f"婴幼儿指未满{age}周岁者。" if age else "本轮婴幼儿不免检。"))
    wb = new_workbook()
    writer = SheetWriter(wb, "完成情况", report)
    writer.begin()
    rows = 0
    for area in numbers.by_area():
        community, _, grid = area.name.partition("/")
        rate = round(area.rate * 100, 1)
        if area.level == 1:
            writer.add_total([None, community, "小计", area.expected, area.tested, area.missing,
                              rate])
        else:
            writer.add_row([None, community, grid, area.expected, area.tested, area.missing,
                            rate], red=frozenset({5}) if area.missing else frozenset())
        rows += 1
    writer.add_total([None, "合计", "", numbers.expected, numbers.tested, numbers.missing,
                      round(numbers.rate * 100, 1)])
    writer.end()
    save_workbook(wb, path, "coverage", str(round_id))
    return rows


@dataclass(frozen=True)
class Listing:
    """A per-grid list of people: its report key and title, columns, what the intro counts,
    footnotes, how its rows are written, and the sheet and line when nobody is listed."""

    report: str
    title: str
    columns: tuple[Column, ...]
    counted: str
    footnotes: tuple[str, ...]
    rows: Callable[[SheetWriter, list[MissingPerson]], None]
    empty_sheet: str
    empty_line: str


def _by_grid(people: list[MissingPerson]) -> dict[int | None, list[MissingPerson]]:
    grids: dict[int | None, list[MissingPerson]] = defaultdict(list)
    for person in people:
        grids[person.grid_id].append(person)
    return grids


def _sheet_name(people: list[MissingPerson]) -> str:
    first = people[0]
    return f"{first.community}{first.grid}" if first.grid != first.community else first.community


def _per_grid(path: Path, found: SamplingRound, area: Area | None, people: list[MissingPerson],
              listing: Listing) -> int:
    """A list of people, one sheet per grid headed by its grid worker (or one sheet saying
    nobody is listed); returns the number of people listed."""
    wb = new_workbook()
    grids = _by_grid(people)
    for grid_id, members in grids.items():
        worker, phone = grid_worker(grid_id)
        report = Report(
            title=f"{found.name}{listing.title}（{members[0].community} {members[0].grid}）",
            columns=listing.columns, unit_line=unit_line(),
            date_line=date_line(clock.today(), "导出日期"), landscape=False, font_size=10,
            intro=(f"网格员：{worker or '　　　'}　联系电话：{phone or '　　　'}　"
                   f"{listing.counted} {len(members)} 人",),
            footnotes=listing.footnotes)
        writer = SheetWriter(wb, _sheet_name(members), report)
        writer.begin()
        listing.rows(writer, members)
        writer.end()
    if not grids:
        writer = SheetWriter(wb, listing.empty_sheet, Report(f"{found.name}{listing.title}",
                                                             [Column("说明", 40)], landscape=False))
        writer.begin()
        writer.add_row([listing.empty_line])
        writer.end()
    save_workbook(wb, path, listing.report, f"{found.id}:{area.id if area else ''}")
    return len(people)


def _untested_rows(writer: SheetWriter, members: list[MissingPerson]) -> None:
    for n, m in enumerate(members, start=1):
        writer.add_row([n, m.name, m.id_masked, m.phone, m.building, m.door or m.address,
                        "是" if m.immobile else "", m.reason, m.note])


def _door_rows(writer: SheetWriter, members: list[MissingPerson]) -> None:
    """Grouped by building (a merged row each), those already sampled ticked."""
    building = None
    for n, m in enumerate(members, start=1):
        if m.building != building:
            building = m.building
            writer.add_merged_row([(building or "（未分楼栋）", len(DOOR_COLUMNS))], bold=True)
        writer.add_row([n, m.door or m.address, m.name, m.id_masked, m.phone,
                        "√" if m.reason == "已采样" else "", "", m.note])


UNTESTED = Listing(
    "untested", "未检人员名单", UNTESTED_COLUMNS, "未检",
    (f"注：{PERSONAL}。", f"未检原因：{'、'.join(REASONS)}（其他请写明）。"), _untested_rows,
    "未检人员", "本轮应检人员均已采样")
DOOR = Listing(
    "door", "上门采样名单", DOOR_COLUMNS, "行动不便",
    (f"注：{PERSONAL}；采样后请在“已采样”栏打“√”并签字。",), _door_rows,
    "上门采样", "范围内没有标记为行动不便的应检人员")


def export_untested(path: Path, round_id: int, area: Area | None = None) -> int:
    """未检人员名单, one sheet per grid with its grid worker (full phone, ID masked: a call list,
    never posted); returns the number of people listed."""
    found = get_round(round_id)
    return _per_grid(path, found, area, missing(round_id, area.id if area else None), UNTESTED)


def export_door(path: Path, round_id: int, area: Area | None = None) -> int:
    """上门采样名单 of the 行动不便, one sheet per grid, grouped by building and door, with those
    already sampled ticked; returns the number of people listed."""
    found = get_round(round_id)
    people = missing(round_id, area.id if area else None, immobile_only=True, include_tested=True)
    return _per_grid(path, found, area, people, DOOR)

"""Checkpoint sheets (FORMATS.md §5–§7): 卡口值守排班表 to post at the gate (a sheet per
checkpoint, or one for all; a sampling point's sheet is its 采样点值守排班表, on its own
slots), 出入登记表 of a day (checkpoints only), and 志愿者花名册 with hours served."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from db import clock, roster
from db.gate import passages
from db.roster import slots_for
from db.settings import township
from db.staff import volunteer_hours
from db.validate import Invalid, age_on, check_id
from exports.office import date_line, signoff, unit_line
from exports.sheet import (
    Column,
    Report,
    SheetWriter,
    cn_date,
    cn_month_day,
    new_workbook,
    save_workbook,
    text_lines,
    width_for,
)

WEEKDAYS = "一二三四五六日"
DUTY_RULES = "值守要求：佩戴口罩、逐人测温、逐车登记，发热人员不得进入。"
SAMPLING_RULES = "值守要求：佩戴口罩，引导群众间隔一米有序排队、扫码登记，维护采样秩序。"
LEADS = "（带班）"
LEADER_NOTE = "注：标“（带班）”者为带班领导，其下为联系电话。"




def sheet_title(name: str, post_kind: str) -> str:
    """A post's roster title: 某某值守排班表 for a checkpoint; a sampling point's always reads
    采样点值守排班表 (文化广场采样点值守排班表, 文化广场 → 文化广场采样点值守排班表)."""
    if post_kind == "采样点" and not name.endswith("采样点"):
        name += "采样点"
    return f"{name}值守排班表"


def pack_names(names: list[str], width: float, size: float) -> str:
    """Names joined with 、, a new line before any name that would not fit whole (with the 、
    after it) on this one: a name is never broken across lines."""
    lines: list[str] = []
    for name in names:
        if lines and text_lines(f"{lines[-1]}、{name}、", width, size) == 1:
            lines[-1] = f"{lines[-1]}、{name}"
        else:
            lines.append(name)
    return "、\n".join(lines)


def shift_text(people: list[roster.Person], width: float, size: float) -> str:
    """A shift's cell: its leader as 姓名（带班） with the phone on the line below (the leaders
    are in the grid, not in a list under it), then the others' names."""
    leaders = [f"{name}{LEADS}\n{phone}".strip() for name, phone, lead in people if lead]
    others = pack_names([name for name, _phone, lead in people if not lead], width, size)
    return "\n".join([*leaders, others] if others else leaders)


def export_roster(path: Path, start: dt.date, end: dt.date, checkpoint_id: int | None = None,
                  one_sheet: bool = False) -> int:
    """卡口值守排班表 for a period; a sheet per checkpoint, or one sheet for all. Returns the
    number of checkpoints. A sampling point (采样点) is listed on its own slots; its sheet is
    titled 采样点值守排班表, and a sheet of sampling points only says so in its title.

    Dated the day it is made (制表日期); each day's column is wide enough for the longest name
    (with （带班）) or phone, and a cell starts a new line before a name rather than break it."""
    if end < start:
        raise ValueError("结束日期不能早于开始日期")
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    checkpoints = roster.checkpoints(checkpoint_id)
    cells = roster.assigned_names(start, end)
    period = f"（{cn_date(start)}—{cn_month_day(end)}）"
    made = date_line(clock.today(), "制表日期")
    size = 12 if one_sheet else 13
    entries = {text for people in cells.values() for name, phone, lead in people
               for text in ((f"{name}{LEADS}", phone) if lead else (f"{name}、",))}
    day_width = max([16.0] + [width_for(e, size) for e in entries])
    day_columns = [Column(f"星期{WEEKDAYS[d.weekday()]}", day_width, group=cn_month_day(d))
                   for d in days]
    wb = new_workbook()

    def text(cp: int, day: dt.date, slot: int) -> str:
        return shift_text(cells.get((cp, day.isoformat(), slot), []), day_width, size)

    kinds = {cp.post_kind for cp in checkpoints}
    posts = "采样点" if kinds == {"采样点"} else "卡口" if kinds <= {"卡口"} else "卡口及采样点"
    if one_sheet:
        report = Report(title=f"{township()}疫情防控{posts}值守排班表{period}",
                        columns=[Column(f"{posts}名称", 16), Column("班次", 13), *day_columns],
                        unit_line=unit_line(), date_line=made, font_size=size, landscape=True,
                        row_height=48, footnotes=(LEADER_NOTE, *(
                            [DUTY_RULES] if "卡口" in kinds else []), *(
                            [SAMPLING_RULES] if "采样点" in kinds else [])),
                        signoff=signoff())
        writer = SheetWriter(wb, "排班表", report)
        writer.begin()
        for cp in checkpoints:
            for slot in slots_for(cp):
                writer.add_row([cp.name, slot.name, *[text(cp.id, d, slot.id) for d in days]])
        writer.end()
    for cp in [] if one_sheet else checkpoints:
        sampling = cp.post_kind == "采样点"
        report = Report(title=f"{sheet_title(cp.name, cp.post_kind)}{period}",
                        columns=[Column("班次", 13), *day_columns],
                        unit_line=unit_line(), date_line=made, font_size=size, landscape=True,
                        row_height=60, signoff=signoff(),
                        footnotes=(f"{cp.post_kind}负责人：{cp.person}　联系电话：{cp.phone}",
                                   LEADER_NOTE, SAMPLING_RULES if sampling else DUTY_RULES))
        writer = SheetWriter(wb, cp.name, report)
        writer.begin()
        for slot in slots_for(cp):
            writer.add_row([slot.name, *[text(cp.id, d, slot.id) for d in days]])
        writer.end()
    if not checkpoints:
        writer = SheetWriter(wb, "排班表", Report("没有卡口", [Column("说明", 40)]))
        writer.begin()
        writer.end()
    save_workbook(wb, path, "roster", str(checkpoint_id or ""))
    return len(checkpoints)


PASSAGE_COLUMNS = (
    Column("序号", 5, "int"), Column("时间", 16, "datetime"), Column("姓名", 9),
    Column("身份证号码", 20), Column("联系电话", 13), Column("车牌号", 10), Column("进/出", 6),
    Column("体温（℃）", 8, "number"), Column("健康码", 7), Column("来自何地/事由", 20),
    Column("是否本辖区住户", 8), Column("处置（放行/劝返）", 10), Column("值守人员", 10),
    Column("备注", 12),
)


def export_passages(path: Path, checkpoint_id: int, day: dt.date) -> int:
    """出入登记表 of one checkpoint and day."""
    rows = passages(checkpoint_id, day)  # first: a sampling point is refused before any sheet
    cp = roster.checkpoint(checkpoint_id)
    report = Report(title=f"{cp.name}人员车辆出入登记表（{cn_date(day)}）",
                    columns=PASSAGE_COLUMNS, unit_line=unit_line(), date_line=date_line(day),
                    signoff=signoff(), font_size=10,
                    footnotes=("注：体温≥发热标准或健康码为黄码、红码者一律劝返并报告。",))
    wb = new_workbook()
    writer = SheetWriter(wb, "出入登记", report)
    writer.begin()
    for n, p in enumerate(rows, start=1):
        writer.add_row([n, p.at, p.name, p.id_number, p.phone, p.plate, p.direction,
                        p.temperature, p.health_code, p.origin_reason,
                        "是" if p.is_local else "否", p.outcome, p.on_duty, p.notes],
                       red=frozenset({11}) if p.outcome == "劝返" else frozenset())
    writer.end()
    save_workbook(wb, path, "passages", str(checkpoint_id))
    return len(rows)


VOLUNTEER_COLUMNS = (
    Column("序号", 5, "int"), Column("姓名", 9), Column("性别", 5), Column("年龄", 5, "int"),
    Column("政治面貌", 9), Column("身份证号码", 20), Column("联系电话", 13), Column("工作单位", 16),
    Column("人员类别", 10), Column("所属服务队", 14), Column("服务网格/卡口", 20),
    Column("累计服务时长（小时）", 10, "number"), Column("备注", 12),
)


def export_volunteers(path: Path, day: dt.date | None = None) -> int:
    """志愿者花名册 with hours served (worked by the end of ``day``, or by now)."""
    day = day or clock.today()
    report = Report(title=f"{township()}疫情防控志愿者花名册", columns=VOLUNTEER_COLUMNS,
                    unit_line=unit_line(), date_line=date_line(day), signoff=signoff(),
                    font_size=10)
    wb = new_workbook()
    writer = SheetWriter(wb, "志愿者花名册", report)
    writer.begin()
    hours = volunteer_hours(min(clock.now(), clock.day_end(day)))
    places = roster.usual_checkpoints()
    people = roster.active_volunteers()
    for n, s in enumerate(people, start=1):
        try:
            age = age_on(check_id(s.id_number).birth_date, day) if s.id_number else None
        except Invalid:
            age = None
        writer.add_row([n, s.name, s.sex, age, s.political_status, s.id_number or "", s.phone,
                        s.unit, s.category, s.team.name if s.team else "",
                        places.get(s.id, ""), round(hours.get(s.id, 0.0), 1), s.notes])
    writer.end()
    save_workbook(wb, path, "volunteers")
    return len(people)

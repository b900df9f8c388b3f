"""Key-person sheets (FORMATS.md §2, §3, §12): 重点人员管控台账, 居家隔离/健康监测人员台账,
体温监测登记表 (days × 上午/下午, fevers in red), and the door notices (告知书), one A4 page per
household with ID and phone masked.

The full ledgers keep the district's 24 columns for e-mail; fitted to one A4 width they would
print at under half size, so each has a 打印版 with the columns a reader needs, two lines a cell
where two facts belong together."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from db import clock
from db import keypersons as kp
from db.areas import grid_name
from db.keypersons import RESPONSIBLE
from db.models import Measure
from db.residents import household_members, mask_id, mask_phone
from db.settings import fever_threshold, township
from db.validate import age_on
from exports.book import Book, Style
from exports.office import date_line, signoff, unit_line
from exports.sheet import (
    FONT_NAME,
    Column,
    Report,
    SheetWriter,
    cn_date,
    cn_month_day,
    new_workbook,
    safe_sheet_name,
    safe_text,
    save_workbook,
)

LEDGER_COLUMNS = (
    Column("序号", 5, "int"), Column("姓名", 9), Column("性别", 5), Column("年龄", 5, "int"),
    Column("身份证号码", 20), Column("联系电话", 13), Column("现住址", 22), Column("所属网格", 10),
    Column("人员类别", 10), Column("来源地", 16), Column("抵达日期", 11, "date"),
    Column("发现途径", 10), Column("管控措施", 11), Column("隔离地点", 14),
    Column("开始日期", 11, "date"), Column("计划解除日期", 11, "date"),
    Column("实际解除日期", 11, "date"), Column("镇（街道）包保人", 16),
    Column("社区（村）包保人", 16), Column("网格员", 16), Column("民警", 16), Column("医生", 16),
    Column("核酸检测情况", 16), Column("备注", 14),
)
HOME_KINDS = ("居家隔离", "居家健康监测")
PRINT_COLUMNS = (
    Column("序号", 5, "int"), Column("姓名\n性别 年龄", 9), Column("身份证号码\n联系电话", 20),
    Column("现住址\n所属网格", 22), Column("人员类别\n来源地", 16),
    Column("管控措施\n隔离地点", 14), Column("开始日期\n计划解除日期", 12),
    Column("包保责任人及联系电话", 28), Column("核酸检测\n最近一次", 12), Column("备注", 14),
)
SHORT_ROLES = {"town_cadre": "镇", "community_cadre": "村", "grid_worker": "网格",
               "police": "民警", "doctor": "医生"}


def _place(measure: Measure) -> tuple[str, str]:
    household = measure.person.resident.household
    if household is None:
        return "", ""
    return household.address, grid_name(household.area)


def _ledger_title(kind: str | None) -> str:
    return f"{township()}{kind}人员台账" if kind in HOME_KINDS else f"{township()}疫情防控重点人员管控台账"


def export_ledger(path: Path, day: dt.date | None = None, kind: str | None = None,
                  everything: bool = False) -> int:
    """重点人员管控台账 (or, for a home measure kind, 居家隔离/健康监测人员台账 without 隔离地点).

    Lists the measures in force on ``day`` (and those released that day); ``everything`` lists
    every measure ever started. Returns the number of rows."""
    day = day or clock.today()
    home = kind in HOME_KINDS
    columns = [c for c in LEDGER_COLUMNS if not (home and c.title == "隔离地点")]
    title = _ledger_title(kind)
    report = Report(title=title, columns=columns, unit_line=unit_line(),
                    date_line=date_line(day), signoff=signoff(), font_size=10,
                    footnotes=("注：1.管控措施：集中隔离、居家隔离、居家健康监测；"
                               "2.包保人栏填写姓名及联系电话。",))
    wb = new_workbook()
    writer = SheetWriter(wb, title, report)
    writer.begin()
    tests = kp.latest_tests()
    measures = kp.ledger_measures(day, kind, everything)
    for n, m in enumerate(measures, start=1):
        person = m.person
        resident = person.resident
        address, grid = _place(m)
        responsible = [f"{getattr(m, k)} {getattr(m, k + '_phone')}".strip() for k, _ in
                       RESPONSIBLE]
        values = [n, resident.name, resident.sex, age_on(resident.birth_date, day),
                  resident.id_number, resident.phone, address, grid, person.category,
                  person.origin, person.arrival_date, person.source, m.kind, m.place,
                  m.start_date, m.planned_end, m.released_on, *responsible,
                  tests.get(person.id, ""), person.notes or m.release_reason]
        if home:
            del values[13]
        writer.add_row(values)
    writer.end()
    save_workbook(wb, path, "ledger", kind or "")
    return len(measures)


def export_ledger_print(path: Path, day: dt.date | None = None, kind: str | None = None) -> int:
    """重点人员管控台账（打印版）: the measures in force on ``day`` (or of one home measure kind),
    in ten columns that print at a readable size on A4 landscape. Returns the number of rows."""
    day = day or clock.today()
    title = f"{_ledger_title(kind)}（打印版）"
    report = Report(title=title, columns=PRINT_COLUMNS, unit_line=unit_line(),
                    date_line=date_line(day), signoff=signoff(), font_size=11, landscape=True,
                    footnotes=("注：包保责任人：镇＝镇（街道）包保人，村＝社区（村）包保人，"
                               "网格＝网格员。完整台账见电子版。",))
    wb = new_workbook()
    writer = SheetWriter(wb, title, report)
    writer.begin()
    tests = kp.latest_tests()
    measures = kp.ledger_measures(day, kind, False)
    for n, m in enumerate(measures, start=1):
        person = m.person
        resident = person.resident
        address, grid = _place(m)
        responsible = "\n".join(
            f"{SHORT_ROLES[key]}：{getattr(m, key)} {getattr(m, key + '_phone')}".strip()
            for key, _label in RESPONSIBLE if getattr(m, key))
        writer.add_row([
            n, f"{resident.name}\n{resident.sex} {age_on(resident.birth_date, day)}岁",
            f"{resident.id_number}\n{resident.phone}".strip(), f"{address}\n{grid}".strip(),
            f"{person.category}\n{person.origin}".strip(), f"{m.kind}\n{m.place}".strip(),
            f"{m.start_date:%Y-%m-%d}\n{m.planned_end:%Y-%m-%d}", responsible,
            tests.get(person.id, "").replace(" ", "\n", 1), person.notes or m.release_reason])
    writer.end()
    save_workbook(wb, path, "ledger-print", kind or "")
    return len(measures)


def export_temperatures(path: Path, start: dt.date, end: dt.date, kind: str | None = None) -> int:
    """体温监测登记表: one row per person under a measure in the period; returns the number of
    people. A period longer than a week gets a sheet a week, so the type stays readable."""
    if end < start:
        raise ValueError("结束日期不能早于开始日期")
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    measures = kp.measures_between(start, end, kind)
    readings = kp.readings_between([m.id for m in measures], start, end)
    wb = new_workbook()
    weeks = [days[n:n + 7] for n in range(0, len(days), 7)]
    for week in weeks:
        in_week = [m for m in measures if m.start_date <= week[-1]
                   and (m.released_on is None or m.released_on >= week[0])]
        name = "体温监测" if len(weeks) == 1 else f"体温监测{cn_month_day(week[0])}起"
        _temperature_sheet(wb, name, week, in_week, readings, kind)
    save_workbook(wb, path, "temperatures", kind or "")
    return len(measures)


def _temperature_sheet(wb: Book, name: str, days: list[dt.date], measures: list[Measure],
                       readings: dict[tuple[int, str, str], float], kind: str | None) -> None:
    columns = [Column("序号", 5, "int"), Column("姓名", 9), Column("住址", 24),
               Column("联系电话", 12)]
    for day in days:
        columns += [Column("上午", 7, "number", cn_month_day(day)),
                    Column("下午", 7, "number", cn_month_day(day))]
    columns.append(Column("备注", 14))
    who = kind or "重点"
    title = f"{who}人员体温监测登记表（{cn_month_day(days[0])}—{cn_month_day(days[-1])}）"
    threshold = fever_threshold()
    report = Report(title=title, columns=columns, unit_line=unit_line(),
                    date_line=date_line(days[-1]), signoff=signoff(), font_size=10,
                    row_height=30,
                    footnotes=(f"注：体温≥{threshold}℃为发热，以红色标出，须立即报告并转运就诊。",))
    writer = SheetWriter(wb, name, report)
    writer.begin()
    for n, m in enumerate(measures, start=1):
        address, _grid = _place(m)
        values: list[object] = [n, m.person.resident.name, address, m.person.resident.phone]
        red = set()
        for day in days:
            for half in ("上午", "下午"):
                value = readings.get((m.id, day.isoformat(), half))
                if value is not None and value >= threshold:
                    red.add(len(values))
                values.append(value)
        values.append(f"{m.kind} {m.start_date:%m-%d}起")
        writer.add_row(values, red=frozenset(red))
    writer.end()


RULES = {
    "居家隔离": (
        "一、隔离期间须单人单间居住，不得外出，不得接待来访人员。",
        "二、每天上午、下午各测量一次体温，并报告网格员。",
        "三、出现发热、咳嗽、乏力、腹泻等症状，立即报告，不得自行就医。",
        "四、配合完成核酸检测；生活垃圾装袋密封后交工作人员处理。",
        "五、瞒报、谎报、擅自外出等行为，将依法追究责任。",
    ),
    "居家健康监测": (
        "一、监测期间非必要不外出，确需外出须报告并全程规范佩戴口罩，不去人员密集场所。",
        "二、每天上午、下午各测量一次体温，并报告网格员。",
        "三、出现发热、咳嗽、乏力、腹泻等症状，立即报告，不得自行就医。",
        "四、瞒报、谎报等行为，将依法追究责任。",
    ),
}


def _notice_sheet(wb: Book, household_id: int, measures: list[Measure]) -> None:
    first = measures[0]
    kind = first.kind
    residents = [m.person.resident for m in measures]
    members = household_members(household_id)
    others = [r.name for r in members if r.id not in {p.id for p in residents}]
    name = "、".join(r.name for r in residents)
    ws = wb.add_sheet(safe_sheet_name(f"{len(wb.sheetnames) + 1}_{residents[0].name}",
                                      wb.sheetnames), 4)
    ws.set_widths((16, 26, 16, 26))
    ws.page(landscape=False, fit_height=1, margins=(0.6, 0.6, 0.8, 0.8),
            header_footer_margins=(0.5, 0.5), footer=None)

    def font(size: float, bold: bool = False, align: str = "") -> Style:
        return Style(FONT_NAME, size, bold, align=align)

    big, bold = font(14), font(14, bold=True)

    def line(text: str, style: Style = big, align: str = "left", height: float = 30) -> None:
        ws.write_row([(safe_text(text), wb.format(replace(style, align=align)))], height)
        ws.merge(ws.row, 1, 4)

    def pair(label1: str, value1: str, label2: str = "", value2: str = "") -> None:
        ws.write_row([(safe_text(label1), wb.format(bold)), (safe_text(value1), wb.format(big)),
                      (safe_text(label2), wb.format(bold)), (safe_text(value2), wb.format(big))],
                     30)

    line(f"{kind}告知书", font(24, bold=True), "center", 48)
    resident = residents[0]
    pair("姓名：", name, "性别：", "、".join(r.sex for r in residents))
    pair("联系电话：", mask_phone(resident.phone), "证件号码：", mask_id(resident.id_number))
    pair("居住地址：", resident.household.address if resident.household else "")
    ws.merge(ws.row, 2, 4)
    pair("同住人员：", "、".join(others) or "无")
    ws.merge(ws.row, 2, 4)
    arrival = first.person.arrival_date
    pair("来源地：", first.person.origin, "返回时间：", cn_date(arrival) if arrival else "")
    line("")
    word = "居家隔离" if kind == "居家隔离" else "居家健康监测"
    line(f"现对您实行{word}，观察期：{cn_date(first.start_date)}至{cn_date(first.planned_end)}。",
         bold, height=40)
    for rule in RULES[kind]:
        line(rule, height=40)
    line("")
    for key, label in (("town_cadre", "街道（镇）干部"), ("grid_worker", "社工（网格员）"),
                       ("doctor", "医生")):
        person = getattr(first, key)
        if person:
            line(f"{label}：{person}　　联系方式：{getattr(first, key + '_phone')}")
    line("监测对象签收：", height=40)
    area = resident.household.area if resident.household else None
    community = area
    while community is not None and community.level > 1:
        community = community.parent
    seal = f"{community.name if community else township()}（盖章）"
    line(f"{seal}　　{cn_date(first.start_date)}", align="right")
    ws.print_area(ws.row, 4)


def export_notices(path: Path, day: dt.date | None = None) -> int:
    """告知书: one A4 page per household with someone under a home measure in force on ``day``
    (started, not released, and its observation period not yet over)."""
    day = day or clock.today()
    measures = [m for m in kp.ledger_measures(day, None, False)
                if m.kind in HOME_KINDS and m.released_on is None and m.planned_end >= day]
    by_household: dict[int, list[Measure]] = {}
    for m in measures:
        household = m.person.resident.household_id
        if household is not None:
            by_household.setdefault(household, []).append(m)
    wb = new_workbook()
    for household_id, group in by_household.items():
        _notice_sheet(wb, household_id, group)
    if not by_household:
        ws = wb.add_sheet("告知书", 1)
        ws.write_row([(f"{cn_date(day)}无居家隔离或居家健康监测人员",
                       wb.format(Style(FONT_NAME, 11, wrap=False)))])
    save_workbook(wb, path, "notices")
    return len(by_household)

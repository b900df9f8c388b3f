"""Imports read values the way clerks and districts write them: 15-digit IDs (text or number),
IDs with invisible characters pasted in, dates without a year, dates typed as numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from db.areas import add_area
from db.models import PushedRow, Resident
from exports.pushed import import_pushed_file
from exports.residents import import_residents_file
from tests.factories import make_id, plain_sheet


def test_fifteen_digit_ids_are_upgraded_and_named(db_path: Path, tmp_path: Path) -> None:
    old = make_id("19650304", 12)  # born in the 1900s: has a 15-digit form
    other = make_id("19700101", 33)
    eighteen = make_id("19800101", 45)
    path = plain_sheet(tmp_path / "老身份证.xlsx", header=["姓名", "身份证号码"], rows=[
        ["张三", old[:6] + old[8:17]],  # row 2: 15 digits as text
        ["李四", int(other[:6] + other[8:17])],  # row 3: 15 digits as a number
        ["王五", int(eighteen) if eighteen[-1] != "X" else 1.1e17],  # row 4: Excel lost digits
        ["赵六", f"{eighteen[:9]}\u200b{eighteen[9:]}\u200b"],  # row 5: zero-width spaces
    ])
    summary = import_residents_file(path, area=add_area("桃园村"))  # the sheet names no 社区
    assert {r.id_number for r in Resident.select()} == {old, other, eighteen}
    warned = {p.row: p.reason for p in summary.warnings}
    assert f"已升级为18位：{old}" in warned[2] and f"已升级为18位：{other}" in warned[3]
    rejected = {p.row: p.reason for p in summary.rejected}
    assert set(rejected) == {4} and "存成了数字" in rejected[4]


def test_a_pushed_date_without_a_year_is_never_in_the_future(db_path: Path, tmp_path: Path) -> None:
    path = plain_sheet(tmp_path / "推送.xlsx", header=["姓名", "手机号", "抵达日期"], rows=[
        ["张三", "13800000000", "12月31日"],
        ["李四", "13800000001", "1.2"],
        ["王五", "13800000002", 4.1],
        ["赵六", "13800000003", "2022/13/45"],
    ])
    summary = import_pushed_file(path, received_at=dt.datetime(2023, 1, 2, 9, 0))
    arrivals = {r.sheet_row: r.arrival_date for r in PushedRow.select()}
    assert arrivals[2] == dt.date(2022, 12, 31) and arrivals[3] == dt.date(2023, 1, 2)
    warned = dict(summary.warnings)
    assert "请把日期列设为文本或日期格式" in warned[4] and arrivals[4] is None
    assert "“2022/13/45”不存在" in warned[5] and arrivals[5] is None

"""Pushed lists: batches, verification by the sheet's own row numbers, linking residents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from db import pushed
from db.models import PushedRow, Resident
from db.validate import Invalid, parse_date
from tests.factories import make_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2022-04-06", dt.date(2022, 4, 6)), ("2022.4.7", dt.date(2022, 4, 7)),
     ("2022年4月7日", dt.date(2022, 4, 7)), ("4月8日", dt.date(2022, 4, 8)),
     (44660, dt.date(2022, 4, 9)), (dt.datetime(2022, 4, 10, 8, 30), dt.date(2022, 4, 10)),
     ("2022/4/9 10:30", dt.date(2022, 4, 9)), ("20220410", dt.date(2022, 4, 10)), (None, None)],
)
def test_dates_of_every_shape(raw: object, expected: dt.date | None) -> None:
    assert parse_date(raw, dt.date(2022, 12, 31)) == expected


@pytest.mark.parametrize("raw", ["2022-02-30", "昨天", 12])
def test_unreadable_dates(raw: object) -> None:
    with pytest.raises(Invalid):
        parse_date(raw, dt.date(2022, 12, 31))


@pytest.fixture
def batch(db_path: Path) -> int:
    records = [
        pushed.PushedRecord(4, [1, "张三", "13800000001", "上海", "4月8日"], name="张三",
                            phone="13800000001", origin="上海", arrival="4月8日"),
        pushed.PushedRecord(5, [2, "李四", "13800000002", "武汉", "不详"], name="李四",
                            phone="13800000002", origin="武汉", arrival="不详"),
    ]
    sheet = pushed.PushedSheet("Sheet1", 3, ["序号", "姓名", "手机", "来源", "抵达"], records)
    summary = pushed.create_batch("推送.xlsx", [sheet], b"", dt.datetime(2022, 4, 11, 9, 0))
    assert summary.deadline == dt.datetime(2022, 4, 12, 9, 0)
    assert summary.warnings == [(5, "抵达日期：无法识别的日期“不详”，已留空")]
    return summary.batch_id


def test_verify_by_sheet_row_and_link_a_new_resident(batch: int) -> None:
    assert pushed.batch_progress(batch) == (0, 2)
    row = pushed.verify(batch, 4, "已核实在辖区（漏排）", "电话核实", make_id("19900101", 11),
                        "桃园村5号")
    resident = Resident.get(Resident.id_number == make_id("19900101", 11))
    assert row.resident_id == resident.id and resident.name == "张三"
    assert resident.household.address == "桃园村5号" and resident.kind == "返乡"
    assert row.arrival_date == dt.date(2022, 4, 8) and row.verified_by == "未设置"
    pushed.verify(batch, 5, "无法联系")
    assert pushed.batch_progress(batch) == (2, 2)
    assert [b.done for b in pushed.batches()] == [2]


def test_verify_refuses_unknown_rows_and_results(batch: int) -> None:
    with pytest.raises(Invalid, match="没有表格第9行"):
        pushed.verify(batch, 9, "无法联系")
    with pytest.raises(Invalid, match="核查结果应为"):
        pushed.verify(batch, 4, "查无此人")
    with pytest.raises(Invalid, match="没有第99批"):
        pushed.verify(99, 4, "无法联系")
    assert PushedRow.select().where(PushedRow.result != "").count() == 0


def test_in_township_links_an_existing_resident(batch: int) -> None:
    from db.residents import ResidentInput, register_resident

    known = register_resident(ResidentInput("张三", make_id("19900101", 11)), address="a")
    row = pushed.verify(batch, 4, "已核实在辖区（漏排）", id_number=make_id("19900101", 11))
    assert row.resident_id == known.id and Resident.select().count() == 1

"""Help-request sheets read back with openpyxl: the 居民求助登记台账 (period, status, households
under measures marked, A4 paper rules), the per-volunteer 配送清单 and one request's 配送单 —
callback phones in full, never an ID number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from db import clock
from db import requests as rq
from db.database import close_database, open_database
from db.keypersons import KeyPersonInput, register_key_person, start_measure
from db.models import Resident
from exports.catalog import EXPORTS, SHEET, Options
from exports.requests import export_delivery_lists, export_requests, export_slip
from tests.db.conftest import FakeClock
from tests.factories import make_id
from tests.request_desk import MORNING, Town, build_town

ID_NUMBER = make_id("19500101", 2)


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Town, FakeClock]]:
    """Four requests of MORNING's day: delivered with goods and money owed, cancelled, an
    urgent one from a household under a measure (late by 10:00), and the town's own."""
    fake = FakeClock(MORNING)
    monkeypatch.setattr(clock, "now", fake)
    open_database(tmp_path / "desk.db")
    town = build_town()
    person = register_key_person(KeyPersonInput("密接", "电话摸排", "", MORNING.date()),
                                 Resident.get_by_id(town.resident_id))
    start_measure(person.id, "居家隔离", MORNING.date())
    food = rq.take_request(rq.RequestInput("1", "大米、青菜", town.household.id,
                                           callback_phone="13912345678"))
    rq.assign(food.id, town.free.id)
    rq.add_goods(food.id, town.item_id, 2)
    fake.at = MORNING + dt.timedelta(minutes=50)
    rq.deliver(food.id, "86.4", paid=False)
    dropped = rq.take_request(rq.RequestInput("4", "奶粉", town.household.id,
                                              callback_phone="13912345678"))
    rq.cancel(dropped.id, "家属已送到")
    rq.take_request(rq.RequestInput("2", "硝苯地平", town.household.id, town.resident_id,
                                    callback_phone="13912345678"))
    fake.at = MORNING + dt.timedelta(hours=3)
    yield town, fake
    close_database()


def _texts(ws: Worksheet) -> list[str]:
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_ledger_on_a4_with_the_marks_and_full_phones(desk: tuple[Town, FakeClock],
                                                     tmp_path: Path) -> None:
    out = tmp_path / "ledger.xlsx"
    assert export_requests(out, MORNING.date(), MORNING.date()) == 4
    ws = load_workbook(out).active
    assert ws["A1"].value == "本镇居民求助登记台账（2022年4月11日）"
    assert "A1:R1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.print_title_rows == "$1:$3"
    assert (ws.page_setup.orientation, ws.page_setup.paperSize) == ("landscape", 9)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.column_dimensions["E"].width == 18
    header = [c.value for c in ws[3]]
    assert header[:5] == ["序号", "受理时间", "求助人", "管控户", "送达地址"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=4, max_row=7, values_only=True)}
    food, dropped, medicine = rows[2], rows[3], rows[4]
    assert food[5:10] == ("生活物资", "大米、青菜", None, "13912345678", "已送达")
    assert (food[13], float(food[14]), food[15], food[16]) == ("医用外科口罩×2盒", 86.4, "未付",
                                                                1.0)
    assert (dropped[9], dropped[17]) == ("已取消", "家属已送到")
    assert (medicine[3], medicine[7], medicine[9]) == ("是", "紧急", "待派单")
    assert ws.cell(7, 4).font.color.rgb == "FFC00000"  # under a measure, in red
    assert ws.cell(7, 10).font.color.rgb == "FFC00000"  # urgent and late at 10:00
    assert ws.cell(7, 9).data_type == "s"  # the phone stays text
    texts = _texts(ws)
    assert ID_NUMBER not in " ".join(texts)
    assert any("尚未付款的共86.40元" in t for t in texts)


def test_ledger_by_status(desk: tuple[Town, FakeClock], tmp_path: Path) -> None:
    out = tmp_path / "open.xlsx"
    assert export_requests(out, MORNING.date(), MORNING.date(), "未办结") == 2
    assert export_requests(tmp_path / "none.xlsx", MORNING.date() - dt.timedelta(days=3),
                           MORNING.date() - dt.timedelta(days=1)) == 0


def test_delivery_list_has_a_sheet_per_volunteer(desk: tuple[Town, FakeClock],
                                                 tmp_path: Path) -> None:
    out = tmp_path / "lists.xlsx"
    assert export_delivery_lists(out, MORNING.date()) == 2  # 王配送's open one, 李配送's done one
    wb = load_workbook(out)
    assert sorted(wb.sheetnames) == ["李配送", "王配送"]
    ws = wb["李配送"]
    assert ws["A1"].value == "志愿者配送清单（2022年4月11日）"
    assert ws["A2"].value.startswith("配送人：李配送")
    row = [c.value for c in ws[4]]
    assert row[4:7] == ["阳光小区3栋2单元301室", "生活物资；大米、青菜", "13912345678"]
    assert row[9] == "07:50"
    assert ws.page_setup.fitToWidth == 1 and ws.print_title_rows == "$1:$3"


def test_slip_has_address_needs_and_phone_never_the_id(desk: tuple[Town, FakeClock],
                                                       tmp_path: Path) -> None:
    medicine = rq.request_rows("待派单")[0]
    out = tmp_path / "slip.xlsx"
    assert export_slip(out, medicine.id) == f"求助配送单（第{medicine.id}号）【紧急】"
    ws = load_workbook(out).active
    pairs = {r[0]: r[1] for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
    assert pairs["送达地址"] == "阳光小区3栋2单元301室"
    assert pairs["回拨电话"] == "13912345678"
    assert pairs["求助人"] == "张秀梅（管控户）" and pairs["具体需要"] == "硝苯地平"
    assert ID_NUMBER not in " ".join(_texts(ws))
    assert ws.page_setup.orientation == "portrait"


def test_both_sheets_are_in_the_catalog(desk: tuple[Town, FakeClock], tmp_path: Path) -> None:
    day = MORNING.date()
    assert SHEET["requests"].write(tmp_path / "a.xlsx", Options(day, day, day)) == "已导出 4 件求助"
    assert SHEET["requests"].write(tmp_path / "b.xlsx", {"start": day, "end": day,
                                                         "status": "未办结"}) == "已导出 2 件求助"
    assert SHEET["delivery_lists"].write(tmp_path / "c.xlsx", {"day": day}) == (
        "已导出 2 件求助的配送清单")
    assert SHEET["requests"].file_name({"start": day, "end": day}) == (
        "本镇_居民求助登记台账_2022-04-11至04-11.xlsx")
    assert {"requests", "delivery_lists"} <= {s.key for s in EXPORTS}
    assert SHEET["requests"].full_ids and SHEET["requests"].command == "requests"

"""Donation sheets read back: the notice's totals equal the ledger's, names masked, receipt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db import donations as dn
from db.settings import set_setting
from exports.donations import export_distributions, export_ledger, export_notice, export_receipt

DAY = dt.date(2022, 4, 11)


@pytest.fixture
def gifts(db_path: Path) -> dict[str, int]:
    set_setting("township", "店埠镇")
    set_setting("preparer", "王华")
    set_setting("phone", "0631-5213515")
    company = dn.add_donor("恒丰食品有限公司", "企业")
    person = dn.add_donor("张三丰", "个人", phone="13800000000")
    a = dn.record_money(DAY, company, 10000, "转账")
    b = dn.record_money(DAY, person, "1234.5", "微信", True, "卡口值守人员")
    c = dn.record_goods(DAY, company, [
        dn.GoodsLine("方便面", "箱", 20, 900, "24袋/箱"),
        dn.GoodsLine("矿泉水", "箱", 10, 300, "24瓶/箱"),
        dn.GoodsLine("医用外科口罩", "盒", "2.5", 100, "50只/盒", "20220301",
                     dt.date(2024, 2, 29))])
    dn.distribute(DAY, c.items[0].item_id, 5, "卡口", "1号卡口")
    return {"money": a.id, "directed": b.id, "goods": c.id}


def test_ledger_and_its_total(gifts: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "台账.xlsx"
    rows, money_total, goods_total = export_ledger(out, None, DAY)
    assert (rows, money_total, goods_total) == (5, Decimal("11234.50"), Decimal("1300.00"))
    ws = load_workbook(out).active
    assert ws["A1"].value == "店埠镇疫情防控捐赠款物登记台账"
    header = [c.value for c in ws[3]]
    assert header[10:16] == ["数量", "单位", "金额或估值（元）", "批号", "有效期", "定向/非定向"]
    body = list(ws.iter_rows(min_row=4, max_row=10, values_only=True))
    assert [r[8] for r in body[:5]] == [None, None, "方便面", "矿泉水", "医用外科口罩"]
    assert body[1][15] == "定向" and body[1][16] == "卡口值守人员"
    # whole quantities are integers, shown without a decimal point; others keep theirs
    assert [r[10] for r in body[2:5]] == [20, 10, 2.5] and isinstance(body[2][10], int)
    assert ws["K6"].number_format == "General"
    assert body[4][13:15] == ("20220301", dt.datetime(2024, 2, 29))
    assert ws["O8"].number_format == "yyyy-mm-dd"
    # money and goods are totalled apart, never added into one figure
    money, goods = body[5], body[6]
    assert (money[0], money[7], money[12]) == ("合计", "款", 11234.5)
    assert (goods[0], goods[7], goods[12]) == ("合计", "物", 1300)
    assert 12534.5 not in [c.value for row in ws.iter_rows() for c in row]
    assert ws["M4"].number_format == "#,##0.00"


def test_notice_totals_equal_the_ledger(gifts: dict[str, int], tmp_path: Path) -> None:
    ledger = tmp_path / "l.xlsx"
    _rows, money_total, goods_total = export_ledger(ledger, None, DAY)
    out = tmp_path / "公示.xlsx"
    figures = export_notice(out, None, DAY, issue=3)
    assert sum(figures.money_in.values()) == money_total
    assert sum(figures.goods_value.values()) == goods_total
    ws = load_workbook(out).active
    assert ws["A1"].value == "店埠镇疫情防控接收社会捐赠款物情况的公示（第3期）"
    text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "截至2022年4月11日24时，我镇共接收社会捐赠款物情况如下：" in text
    assert "（一）非定向：资金10,000.00元；物资1批，折价1,300.00元" in text
    assert "（二）定向：资金1,234.50元；物资0批，折价0.00元" in text
    assert any(t.startswith("（一）非定向：资金10,000.00元；物资折价") for t in text)
    assert "张**" in text and "张三丰" not in text
    header = next(r for r in range(1, 20) if ws.cell(r, 1).value == "序号")
    rows = [ws.cell(r, 3).value for r in range(header + 1, header + 4)]
    total_row = header + 4
    assert ws.cell(total_row, 1).value == "合计"
    assert ws.cell(total_row, 3).value == float(money_total) == sum(v or 0 for v in rows)
    assert ws.cell(total_row, 5).value == float(goods_total)
    assert "特此公示。如有疑问请联系：王华　0631-5213515" in text
    assert ws.cell(ws.max_row, 1).value == "2022年4月11日"


def test_distributions_sheet(gifts: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "发放.xlsx"
    assert export_distributions(out, None, DAY) == 1
    ws = load_workbook(out).active
    assert ws["C4"].value == "方便面" and ws["E4"].value == 5 and ws["G4"].value == "卡口：1号卡口"
    assert isinstance(ws["E4"].value, int) and ws["E4"].number_format == "General"


def test_receipt_has_the_amount_in_capitals(gifts: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "收据.xlsx"
    assert export_receipt(out, gifts["money"]) == "2022-0001"
    ws = load_workbook(out).active
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, ws.max_row + 1)}
    assert ws["A1"].value == "捐赠收据　No. 2022-0001"
    assert values["金额（小写）"] == "¥10,000.00" and values["金额（大写）"] == "壹万元整"
    assert values["捐赠方"] == "恒丰食品有限公司"
    assert ws.page_setup.paperSize == 11


def test_a_reversal_receipt_says_so_in_words_and_capitals(gifts: dict[str, int],
                                                          tmp_path: Path) -> None:
    reversal = dn.reverse_donation(gifts["money"], "重复登记", DAY)
    assert dn.reversal_subject("donation", gifts["money"]) == (
        "收据2022-0001　恒丰食品有限公司　捐款 10,000.00 元（2022-04-11）")
    out = tmp_path / "冲销收据.xlsx"
    assert export_receipt(out, reversal.id) == "2022-0001-冲"
    ws = load_workbook(out).active
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, ws.max_row + 1)}
    assert ws["A1"].value == "捐赠收据（冲销）　No. 2022-0001-冲"
    assert values["金额（小写）"] == "冲销 ¥10,000.00"
    assert values["金额（大写）"] == "冲销 壹万元整"
    assert values["冲销原收据"] == "No. 2022-0001（2022年4月11日）"
    assert "重复登记" in values["冲销说明"]


def test_notice_made_during_the_day_says_the_time_it_was_made(
        gifts: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from db import clock

    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2022, 4, 11, 9, 40))
    out = tmp_path / "公示.xlsx"
    export_notice(out, None, DAY)
    text = "\n".join(str(c.value) for row in load_workbook(out).active.iter_rows()
                     for c in row if c.value)
    assert "截至2022年4月11日09时40分，我镇共接收社会捐赠款物情况如下：" in text
    assert "24时" not in text and "18时" not in text

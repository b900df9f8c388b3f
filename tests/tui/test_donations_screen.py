"""Donations as the clerk records them: a goods donation, part of it handed out, an
over-distribution refused, and the public notice exported."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from db import clock
from db import donations as dn
from db.models import Distribution, Donation
from tests.tui.conftest import notices, press, run_file_job, running, save_form, screen_text


async def test_goods_in_part_out_refusal_and_notice(db_path: Path, tmp_path: Path) -> None:
    from db.settings import set_setting

    set_setting("setup_done", "1")
    async with running(db_path, "f6") as (app, pilot):
        await save_form(pilot, {"donor": "恒丰食品有限公司", "name": "方便面", "spec": "24袋/箱",
                                "quantity": "50", "unit": "箱", "value": "2250"}, "g")
        assert any("收据编号 " in n and "-0001" in n for n in notices(pilot))
        assert "恒丰食品有限公司" in screen_text(pilot) and "方便面" in screen_text(pilot)
        await press(pilot, "2")
        assert "50.00" in screen_text(pilot)
        await press(pilot, "d")
        assert "现有库存 50.00箱" in screen_text(pilot)
        await save_form(pilot, {"quantity": "30", "recipient": "桃园村1号卡口", "received_by": "李四"})
        assert "20.00" in screen_text(pilot)
        await save_form(pilot, {"quantity": "21", "recipient": "桃园村2号卡口"}, "d")
        assert "方便面库存为20箱，本次发放21箱，差1箱，未发放" in screen_text(pilot)
        await press(pilot, "escape", "d")  # the changed form asks: 放弃修改
        assert Distribution.select().count() == 1
        await press(pilot, "x")
        app.screen.query_one("#form-what").value = "捐赠公示"
        await press(pilot, "ctrl+s")
        out = tmp_path / "公示.xlsx"
        await run_file_job(pilot, out)
        assert "已导出第1期捐赠公示" in str(app.screen.query_one("#job-summary").render())
    item_id = Donation.get().items[0].item_id
    assert dn.stock(item_id) == Decimal("20.00")
    ws = load_workbook(out).active
    assert "公示（第1期）" in ws["A1"].value


async def test_directed_money_spent_on_its_purpose_only(db_path: Path) -> None:

    from db.models import Expense
    from db.settings import set_setting

    set_setting("setup_done", "1")
    donor = dn.add_donor("爱心企业")
    dn.record_money(clock.today(), donor, 800, directed=True, purpose="卡口生活保障")
    async with running(db_path, "f6") as (app, pilot):
        await save_form(pilot, {"amount": "300", "pool": "定向", "purpose": "慰问品"}, "s")
        assert "可用：“卡口生活保障”（余800.00元）" in screen_text(pilot)
        assert Expense.select().count() == 0
        await save_form(pilot, {"purpose": "卡口生活保障：购买方便面"})
        assert "定向 500.00 元" in screen_text(pilot)  # the balance line under the list
    assert dn.directed_balances() == {"卡口生活保障": Decimal("500.00")}


async def test_reversal_dialog_names_the_entry_it_reverses(db_path: Path) -> None:

    from db.settings import set_setting

    set_setting("setup_done", "1")
    donor = dn.add_donor("恒丰食品有限公司")
    gift = dn.record_money(clock.today(), donor, 5000)
    async with running(db_path, "f6", size=(100, 30)) as (app, pilot):
        await press(pilot, "v")
        text = screen_text(pilot)
        assert f"将冲销：收据{gift.receipt_no}　恒丰食品有限公司　捐款 5,000.00" in text
        await save_form(pilot, {"reason": "重复登记"})
    reversal = Donation.get(Donation.reverses == gift.id)
    assert reversal.amount == Decimal("-5000") and "重复登记" in reversal.notes

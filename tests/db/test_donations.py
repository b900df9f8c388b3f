"""Donations: receipts in sequence, stock that never goes negative, pools kept apart, reversals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from db import donations as dn
from db.models import Distribution, Donation, Expense
from db.validate import Invalid

DAY = dt.date(2022, 4, 11)


@pytest.fixture
def company(db_path: Path) -> dn.Donor:
    return dn.add_donor("恒丰食品有限公司", "企业", "王经理", "13800000000")


def masks(company: dn.Donor, qty: int = 100, directed: bool = False) -> Donation:
    return dn.record_goods(DAY, company, [dn.GoodsLine("医用外科口罩", "盒", qty, qty * 25,
                                                      "50只/盒", "B2204", dt.date(2024, 4, 1))],
                           directed, "卡口值守" if directed else "")


def test_receipt_numbers_run_per_year(company: dn.Donor) -> None:
    a = dn.record_money(DAY, company, "10,000")
    b = masks(company)
    c = dn.record_money(dt.date(2023, 1, 2), company, 500)
    assert [a.receipt_no, b.receipt_no, c.receipt_no] == ["2022-0001", "2022-0002", "2023-0001"]
    assert a.amount == Decimal("10000.00")


def test_anonymous_donor_is_a_kind_person(db_path: Path) -> None:
    donor = dn.add_donor("", "个人", anonymous=True)
    assert donor.name == "爱心人士"
    with pytest.raises(Invalid, match="不能为空"):
        dn.add_donor("", "个人")


def test_directed_needs_a_purpose(company: dn.Donor) -> None:
    with pytest.raises(Invalid, match="指定用途"):
        dn.record_money(DAY, company, 100, directed=True)
    assert Donation.select().count() == 0


def test_over_distribution_is_refused_and_nothing_written(company: dn.Donor) -> None:
    item_id = masks(company).items[0].item_id
    dn.distribute(DAY, item_id, 60, "卡口", "桃园村1号卡口", "李四")
    assert dn.stock(item_id) == Decimal("40.00")
    with pytest.raises(Invalid, match="库存不足：2022-04-11医用外科口罩库存为40盒，本次发放41盒，差1盒"):
        dn.distribute(DAY, item_id, 41, "卡口", "桃园村2号卡口")
    assert Distribution.select().count() == 1 and dn.stock(item_id) == Decimal("40.00")


def test_money_spent_against_its_own_pool(company: dn.Donor) -> None:
    dn.record_money(DAY, company, 1000)
    dn.record_money(DAY, company, 500, directed=True, purpose="卡口生活保障")
    dn.spend(DAY, 400, True, "卡口生活保障：购买方便面")
    with pytest.raises(Invalid, match="指定用于“卡口生活保障”的定向捐款余额不足：2022-04-11余额为100.00元"):
        dn.spend(DAY, 101, True, "卡口生活保障：购买矿泉水")
    assert dn.money_balance(False) == Decimal("1000.00")
    assert dn.money_balance(True) == Decimal("100.00")


def test_directed_money_goes_only_where_the_donor_said(company: dn.Donor) -> None:
    dn.record_money(DAY, company, 300, directed=True, purpose="防疫")
    dn.record_money(DAY, company, 200, directed=True, purpose="防疫物资")
    dn.record_money(DAY, company, 900)
    with pytest.raises(Invalid, match="只能用于捐赠方指定的用途.*可用：“防疫”（余300.00元）"):
        dn.spend(DAY, 10, True, "慰问一线人员")
    dn.spend(DAY, 150, True, "防疫物资：额温枪")  # charged to the longer purpose it names
    with pytest.raises(Invalid, match="“防疫物资”的定向捐款余额不足：2022-04-11余额为50.00元"):
        dn.spend(DAY, 60, True, "防疫物资：口罩")
    assert dn.directed_balances() == {"防疫": Decimal("300.00"), "防疫物资": Decimal("50.00")}
    assert Expense.select().count() == 1  # the refused ones wrote nothing
    dn.spend(DAY, 500, False, "慰问一线人员")  # 非定向 money has no such rule


def test_reversal_keeps_history_and_stock_honest(company: dn.Donor) -> None:
    donation = masks(company, 10)
    item_id = donation.items[0].item_id
    handed = dn.distribute(DAY, item_id, 5, "居家隔离户", "阳光小区1栋101")
    with pytest.raises(Invalid, match="请先冲销发放记录"):
        dn.reverse_donation(donation.id, "登记错误")
    dn.reverse_distribution(handed.id, "未实际发放")
    reversal = dn.reverse_donation(donation.id, "登记错误")
    assert reversal.receipt_no == "2022-0001-冲" and reversal.reverses_id == donation.id
    assert Donation.select().count() == 2 and dn.stock(item_id) == 0
    with pytest.raises(Invalid, match="已冲销"):
        dn.reverse_donation(donation.id, "再来一次")


def test_totals_keep_pools_apart(company: dn.Donor) -> None:
    dn.record_money(DAY, company, 1000)
    dn.record_money(DAY, company, 300, directed=True, purpose="x")
    masks(company, 100)
    masks(company, 100, directed=True)
    item_id = Donation.get(Donation.receipt_no == "2022-0003").items[0].item_id
    dn.distribute(DAY, item_id, 50, "卡口", "1号卡口")
    t = dn.totals(DAY)
    assert t.money_in == {False: Decimal("1000.00"), True: Decimal("300.00")}
    assert t.goods_batches == {False: 1, True: 1}
    assert t.goods_value == {False: Decimal("2500.00"), True: Decimal("2500.00")}
    # 50 boxes handed out of 200 received half in each pool: 25 boxes × 25 yuan each
    assert t.goods_out_value == {False: Decimal("625.00"), True: Decimal("625.00")}
    assert t.goods_left_value(False) == Decimal("1875.00")


def test_the_latest_donations_are_the_newest_in_date_order(company: dn.Donor) -> None:
    day = dt.date(2022, 4, 1)
    made = [dn.record_money(day + dt.timedelta(days=n % 5), company, 100 + n) for n in range(12)]
    by_date = sorted(made, key=lambda d: (d.date, d.id))
    latest = dn.donation_rows(latest=4)
    assert [r.id for r in latest] == [d.id for d in by_date[-4:]]  # oldest of them first
    assert dn.count_donations() == 12 and len(dn.donation_rows()) == 12


def _row_counts(db_path: Path) -> tuple[int, ...]:
    from db.database import database

    return tuple(database.execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("donation", "donation_item", "distribution", "expense", "audit_log"))


def test_hand_out_before_the_goods_arrive_is_refused_with_date_and_shortfall(
        company: dn.Donor, db_path: Path) -> None:
    later = dn.record_goods(DAY + dt.timedelta(days=5), company,
                            [dn.GoodsLine("医用外科口罩", "盒", 100, 2500)])
    item_id = later.items[0].item_id
    before = _row_counts(db_path)
    with pytest.raises(Invalid, match="2022-04-11医用外科口罩库存为0盒，本次发放49盒，差49盒，未发放"):
        dn.distribute(DAY, item_id, 49, "卡口", "1号卡口")
    assert _row_counts(db_path) == before
    dn.distribute(DAY + dt.timedelta(days=5), item_id, 49, "卡口", "1号卡口")


def test_back_dated_hand_out_that_would_starve_a_later_one_is_refused(
        company: dn.Donor, db_path: Path) -> None:
    item_id = masks(company, 100).items[0].item_id  # 100 on DAY
    dn.distribute(DAY + dt.timedelta(days=3), item_id, 80, "卡口", "1号卡口")
    # today 20 are left, but on DAY+3 only 100 - 80 = 20 remain after a hand-out dated DAY+1
    with pytest.raises(Invalid, match="2022-04-14医用外科口罩库存为20盒，本次发放30盒，差10盒"):
        dn.distribute(DAY + dt.timedelta(days=1), item_id, 30, "卡口", "2号卡口")
    dn.distribute(DAY + dt.timedelta(days=1), item_id, 20, "卡口", "2号卡口")
    assert dn.stock(item_id) == 0


def test_back_dated_expense_is_refused_where_the_fund_was_short(
        company: dn.Donor, db_path: Path) -> None:
    dn.record_money(dt.date(2022, 9, 10), company, 10_000)
    dn.record_money(dt.date(2022, 9, 20), company, 200_000)
    before = _row_counts(db_path)
    with pytest.raises(Invalid, match="非定向捐款余额不足：2022-09-01余额为0.00元，本次支出150000.00元，"
                                      "差150000.00元，未支出"):
        dn.spend(dt.date(2022, 9, 1), 150_000, False, "购买防护服")
    with pytest.raises(Invalid, match="2022-09-15余额为10000.00元"):
        dn.spend(dt.date(2022, 9, 15), 150_000, False, "购买防护服")
    assert _row_counts(db_path) == before
    dn.spend(dt.date(2022, 9, 25), 150_000, False, "购买防护服")
    assert dn.totals(dt.date(2022, 9, 30)).money_left(False) == Decimal("60000.00")


def test_reversing_a_directed_gift_already_spent_is_refused(company: dn.Donor,
                                                            db_path: Path) -> None:
    gift = dn.record_money(DAY, company, 5000, directed=True, purpose="卡口生活保障")
    dn.record_money(DAY, company, 20_000, directed=True, purpose="防疫物资")
    dn.spend(DAY + dt.timedelta(days=1), 5000, True, "卡口生活保障：方便面")
    before = _row_counts(db_path)
    with pytest.raises(Invalid, match="指定用于“卡口生活保障”的定向捐款余额不足"):
        dn.reverse_donation(gift.id, "登记错误", DAY + dt.timedelta(days=2))
    assert _row_counts(db_path) == before
    assert dn.directed_balances() == {"卡口生活保障": Decimal("0.00"),
                                      "防疫物资": Decimal("20000.00")}


def test_reversal_cannot_predate_its_original(company: dn.Donor) -> None:
    gift = dn.record_money(DAY, company, 500)
    with pytest.raises(Invalid, match="冲销日期不能早于原收据日期2022-04-11"):
        dn.reverse_donation(gift.id, "错", DAY - dt.timedelta(days=1))

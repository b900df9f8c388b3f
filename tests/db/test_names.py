"""A record is named the same everywhere: in the audit view, the recycle bin, a chooser and a
dialog's line all take the name from db.names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from db import donations as dn
from db import names
from db.history import history
from db.models import Item, RecycleBin
from db.residents import add_household, delete_household, household_label

DAY = dt.date(2022, 4, 11)


def test_a_household_is_named_alike_in_history_the_bin_and_the_chooser(db_path: Path) -> None:
    household = add_household("和平路9号", number="H-9")
    named = names.household("H-9", "和平路9号")
    assert named == "户号H-9（和平路9号）"
    assert household_label(household).startswith(named)
    delete_household(household.id)
    assert RecycleBin.get().label == f"户 {named}"
    assert {line.whose for line in history() if line.what == "户"} == {named}
    assert names.household(None, "和平路9号") == "和平路9号"


def test_goods_and_a_donation_are_named_alike_in_history_and_the_reversal_line(
        db_path: Path) -> None:
    donor = dn.add_donor("恒丰食品有限公司")
    gift = dn.record_goods(DAY, donor, [dn.GoodsLine("方便面", "箱", 50, 2250, spec="24袋/箱")])
    item = Item.get()
    handed = dn.distribute(DAY, item.id, 10, "卡口", "桃园村1号卡口")
    assert names.item(item.name, item.spec) == "方便面 24袋/箱"
    assert names.item("口罩", "") == "口罩"
    whose = {line.what: line.whose for line in history()}
    assert whose["物资"] == "方便面 24袋/箱"
    assert whose["捐赠"] == names.donation(gift.receipt_no) == f"收据{gift.receipt_no}"
    assert whose["发放"] == "方便面 24袋/箱→桃园村1号卡口"
    assert dn.reversal_subject("donation", gift.id).startswith(f"收据{gift.receipt_no}　")
    assert "发放 方便面 24袋/箱 10箱" in dn.reversal_subject("distribution", handed.id)


def test_a_resident_is_told_apart_by_the_masked_id_number() -> None:
    assert names.resident("李梅", "412723199001010020") == "李梅 412723********0020"
    assert names.mask_id("12345") == "12345"  # not an ID number: shown as typed

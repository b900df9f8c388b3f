"""A small township for the help-request desk's tests: a household in 东风社区, delivery
volunteers free, loaded, on a gate shift and living elsewhere, and ten boxes of masks in stock.
Built at MORNING on the township's clock (the caller sets it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db import donations as dn
from db import requests as rq
from db.areas import add_area
from db.models import Assignment, Checkpoint, Household, Shift, Staff
from db.residents import ResidentInput, register_resident
from db.roster import ensure_slots
from db.staff import StaffInput, add_staff
from tests.factories import make_id

MORNING = dt.datetime(2022, 4, 11, 7, 0)


@dataclass
class Town:
    household: Household
    resident_id: int
    free: Staff  # delivery team, home community, no shift
    loaded: Staff  # like free, with one request already sent
    on_gate: Staff  # delivery team, home community, on the 08:00 shift
    elsewhere: Staff  # delivery team, other community
    other_team: Staff  # home community, not a delivery team
    item_id: int


def build_town() -> Town:
    east = add_area("东风社区")
    estate = add_area("阳光小区", east)
    west = add_area("西湖村")
    resident = register_resident(ResidentInput("张秀梅", make_id("19500101", 2), "13912345678"),
                                 address="阳光小区3栋2单元301室", area=estate)
    household = Household.get_by_id(resident.household_id)
    household.pass_card = "DF0301"
    household.save()

    def person(name: str, team: str, area, active: bool = True) -> Staff:
        staff = add_staff(StaffInput(name, "党员志愿者", f"1380000{len(name)}{ord(name[-1]) % 1000:03d}",
                                     team=team, home_area=area))
        if not active:
            staff.active = False
            staff.save()
        return staff

    free = person("李配送", "物资配送服务队", estate)
    loaded = person("王配送", "物资配送服务队", east)
    on_gate = person("赵值守", "物资配送服务队", estate)
    elsewhere = person("钱西湖", "物资配送服务队", west)
    other_team = person("孙先锋", "党员先锋服务队", east)
    person("周停用", "物资配送服务队", east, active=False)
    slots = ensure_slots()
    gate = Checkpoint.create(name="东风1号卡口", area=east)
    shift = Shift.create(checkpoint=gate, date=MORNING.date(), slot=slots[1], headcount=2)
    Assignment.create(shift=shift, staff=on_gate)
    donor = dn.add_donor("爱心超市")
    dn.record_goods(MORNING.date(), donor, [dn.GoodsLine("医用外科口罩", "盒", 10, "")])
    item_id = dn.stock_rows()[0].item_id
    earlier = rq.take_request(rq.RequestInput("1", household_id=household.id,
                                              resident_id=resident.id, callback_phone="13912345678"))
    rq.assign(earlier.id, loaded.id)
    return Town(household, resident.id, free, loaded, on_gate, elsewhere, other_team, item_id)



"""The help-request desk: taking a call, suggesting who to send, each step timed, goods through
the distribution ledger, hours credited, late requests and the daily report's section."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from db import donations as dn
from db import recycle
from db import requests as rq
from db.keypersons import KeyPersonInput, register_key_person, start_measure
from db.models import (
    AuditLog,
    HelpRequest,
    HelpRequestGoods,
    RecycleBin,
    ServiceRecord,
)
from db.settings import set_setting
from db.staff import volunteer_hours
from db.validate import Invalid
from tests.factories import make_id
from tests.request_desk import MORNING, Town, build_town


@pytest.fixture
def town(db_path: Path, fake_clock) -> Town:
    fake_clock.at = MORNING
    return build_town()


def test_the_household_is_found_every_way_a_caller_gives_it(town: Town) -> None:
    for text in ("张秀梅", "zxm", "5678", "阳光小区3栋", "DF0301"):
        hits = rq.find_households(text)
        assert [h.household_id for h in hits] == [town.household.id], text
    hit = rq.find_households("13912345678")[0]
    assert (hit.name, hit.address, hit.under_measures) == ("张秀梅", "阳光小区3栋2单元301室",
                                                           False)


def test_needs_read_from_digits_or_words_and_medicine_is_urgent(town: Town) -> None:
    assert rq.parse_needs("21") == ["生活物资", "药品"]
    assert rq.parse_needs("婴幼儿、就医") == ["就医", "婴幼儿用品"]
    with pytest.raises(Invalid, match="需求编号“7”不对"):
        rq.parse_needs("7")
    medicine = rq.take_request(rq.RequestInput("2", "降压药 硝苯地平", town.household.id,
                                               town.resident_id, callback_phone="13912345678"))
    food = rq.take_request(rq.RequestInput("1", household_id=town.household.id,
                                           callback_phone="13912345678"))
    forced = rq.take_request(rq.RequestInput("1", household_id=town.household.id, urgent=True,
                                             callback_phone="13912345678"))
    assert (medicine.urgent, food.urgent, forced.urgent) == (True, False, True)
    assert (medicine.status, medicine.taken_at, medicine.name) == ("待派单", MORNING, "张秀梅")


def test_a_request_without_a_callback_phone_or_place_is_refused_and_nothing_saved(
        town: Town) -> None:
    before = HelpRequest.select().count()
    with pytest.raises(Invalid, match="回拨电话"):
        rq.take_request(rq.RequestInput("2", household_id=town.household.id))
    with pytest.raises(Invalid, match="送达地址"):
        rq.take_request(rq.RequestInput("2", callback_phone="13912345678"))
    with pytest.raises(Invalid, match="写明具体"):
        rq.take_request(rq.RequestInput("5", household_id=town.household.id,
                                        callback_phone="13912345678"))
    assert HelpRequest.select().count() == before


def test_suggestions_are_free_delivery_volunteers_of_the_community_least_loaded_first(
        town: Town) -> None:
    request = rq.take_request(rq.RequestInput("2", household_id=town.household.id,
                                              callback_phone="13912345678"))
    names = [s.name for s in rq.suggest_volunteers(request.id)]
    # 赵值守's gate shift starts at 08:00, within two hours; 钱西湖 lives in another community
    assert names == ["李配送", "王配送"]
    assert rq.suggest_volunteers(request.id)[1].open_requests == 1


def test_whole_path_goods_from_stock_and_hours_rounded_up(town: Town, fake_clock) -> None:
    request = rq.take_request(rq.RequestInput("12", "口罩两盒、蔬菜", town.household.id,
                                              callback_phone="13912345678"))
    fake_clock.at = MORNING + dt.timedelta(minutes=5)
    rq.assign(request.id, town.free.id)
    rq.add_goods(request.id, town.item_id, 2)
    assert dn.stock(town.item_id) == Decimal("8.00")
    with pytest.raises(Invalid, match="库存不足"):
        rq.add_goods(request.id, town.item_id, 9)
    assert dn.stock(town.item_id) == Decimal("8.00")
    fake_clock.at = MORNING + dt.timedelta(minutes=5 + 61)
    done = rq.deliver(request.id, "58.5", paid=False)
    assert (done.status, done.delivered_at, done.hours) == ("已送达", fake_clock.at,
                                                           Decimal("1.5"))
    assert (done.purchase_amount, done.paid, done.team.name) == (Decimal("58.50"), False,
                                                                 "物资配送服务队")
    service = ServiceRecord.get_by_id(done.service_id)
    assert (service.staff_id, service.hours) == (town.free.id, Decimal("1.5"))
    assert volunteer_hours(fake_clock.at)[town.free.id] == 1.5
    rq.set_hours(request.id, "2")
    assert volunteer_hours(fake_clock.at)[town.free.id] == 2.0
    row = rq.request_row(request.id)
    assert (row.goods, row.volunteer, row.late) == ("医用外科口罩×2盒", "李配送", "")
    with pytest.raises(Invalid, match="已送达，不能再派单或取消"):
        rq.cancel(request.id, "不要了")


def test_cancelling_returns_the_goods_and_needs_a_reason(town: Town, fake_clock) -> None:
    request = rq.take_request(rq.RequestInput("1", household_id=town.household.id,
                                              callback_phone="13912345678"))
    rq.assign(request.id, town.free.id)
    rq.add_goods(request.id, town.item_id, 3)
    with pytest.raises(Invalid, match="原因"):
        rq.cancel(request.id, " ")
    fake_clock.at = MORNING + dt.timedelta(minutes=20)
    cancelled = rq.cancel(request.id, "家属已自行购买")
    assert (cancelled.status, cancelled.cancelled_at) == ("已取消", fake_clock.at)
    assert dn.stock(town.item_id) == Decimal("10.00")
    assert HelpRequestGoods.select().where(HelpRequestGoods.request == request.id).count() == 2
    assert rq.request_row(request.id).goods == ""


def test_every_step_is_in_the_audit_log_and_deletes_go_to_the_bin(town: Town) -> None:
    request = rq.take_request(rq.RequestInput("1", household_id=town.household.id,
                                              callback_phone="13912345678"))
    rq.assign(request.id, None, town.free.team_id)
    entries = list(AuditLog.select().where((AuditLog.table == "help_request")
                                           & (AuditLog.row_id == request.id)))
    assert [e.action for e in entries] == ["新增", "修改"]
    assert json.loads(entries[1].after)["status"] == "已派单"
    with pytest.raises(Invalid, match="不能删除"):
        rq.delete_request(request.id)
    rq.cancel(request.id, "重复登记")
    rq.delete_request(request.id)
    assert HelpRequest.get_or_none(HelpRequest.id == request.id) is None
    recycle.restore(RecycleBin.select().order_by(RecycleBin.id.desc()).first().id)
    assert HelpRequest.get_by_id(request.id).cancel_reason == "重复登记"


def test_late_urgent_after_the_set_hours_and_anything_after_a_day(town: Town,
                                                                  fake_clock) -> None:
    urgent = rq.take_request(rq.RequestInput("3", household_id=town.household.id,
                                             callback_phone="13912345678"))
    fake_clock.at = MORNING + dt.timedelta(hours=2, minutes=1)
    late = rq.request_alerts().late
    assert [r.id for r in late] == [urgent.id]
    assert "紧急求助超过2小时未送达" in late[0].late
    set_setting("request_urgent_hours", "3")
    assert rq.request_alerts().late == []
    fake_clock.at = MORNING + dt.timedelta(days=1, minutes=1)
    alerts = rq.request_alerts()
    assert alerts.open == 2 and len(alerts.late) == 2  # the food request sent at 7:00 too
    assert all("超过1天未办结" in r.late for r in alerts.late)


def test_households_under_measures_are_marked(town: Town) -> None:
    from db.models import Resident

    person = register_key_person(KeyPersonInput("密接", "电话摸排", "", MORNING.date()),
                                 Resident.get_by_id(town.resident_id))
    assert not rq.find_households("张秀梅")[0].under_measures  # found, not yet under a measure
    start_measure(person.id, "居家隔离", MORNING.date())
    assert rq.find_households("张秀梅")[0].under_measures
    request = rq.take_request(rq.RequestInput("1", household_id=town.household.id,
                                              callback_phone="13912345678"))
    assert rq.request_row(request.id).under_measures
    assert "管控户" in rq.slip_text(request.id)


def test_the_slip_has_the_phone_in_full_and_never_the_id_number(town: Town) -> None:
    request = rq.take_request(rq.RequestInput("2", "胰岛素", town.household.id, town.resident_id,
                                              caller="女儿", callback_phone="13912345678"))
    rq.assign(request.id, town.free.id)
    slip = rq.slip_text(request.id)
    assert "13912345678" in slip and "阳光小区3栋2单元301室" in slip and "胰岛素" in slip
    assert make_id("19500101", 2) not in slip and make_id("19500101", 2)[-6:] not in slip
    assert "李配送" in slip and "来电人：女儿" in slip


def test_report_section_only_when_there_were_requests(town: Town, fake_clock) -> None:
    day = MORNING.date()
    assert rq.report_section(day - dt.timedelta(days=1)) is None
    medicine = rq.take_request(rq.RequestInput("2", household_id=town.household.id,
                                               callback_phone="13912345678"))
    rq.assign(medicine.id, town.free.id)
    fake_clock.at = MORNING + dt.timedelta(minutes=40)
    rq.deliver(medicine.id, "32")
    title, pairs = rq.report_section(day)
    figures = dict(pairs)
    assert title == "居民求助办理情况"
    assert figures["当日受理求助（件）"] == 2
    assert figures["其中紧急（件）"] == 1
    assert figures["已送达（件）"] == 1
    assert figures["截至24时未办结（件）"] == 1
    assert figures["超时（件）"] == 0
    assert figures["需求分类"] == "生活物资1件、药品1件"
    assert figures["代购金额（元）"] == "32.00"
    assert all(isinstance(v, str | int) for _label, v in pairs)


def test_sent_to_a_team_the_one_who_delivered_gets_the_hours(town: Town, fake_clock) -> None:
    request = rq.take_request(rq.RequestInput("1", household_id=town.household.id,
                                              callback_phone="13912345678"))
    sent = rq.assign(request.id, None, town.free.team_id)
    assert (sent.volunteer_id, sent.team.name) == (None, "物资配送服务队")
    fake_clock.at = MORNING + dt.timedelta(hours=3)
    done = rq.deliver(request.id, "", volunteer_id=town.loaded.id, hours="2.5")
    assert (done.volunteer_id, done.hours, done.paid) == (town.loaded.id, Decimal("2.5"), False)
    assert volunteer_hours(fake_clock.at)[town.loaded.id] == 2.5
    with pytest.raises(Invalid, match="服务时长应在0—24小时之间"):
        rq.set_hours(request.id, "30")
    assert ServiceRecord.get_by_id(done.service_id).hours == Decimal("2.5")

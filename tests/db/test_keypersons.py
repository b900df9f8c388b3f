"""Key persons: register, measures by policy, follow-on, temperatures, release, the lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from db import clock
from db import keypersons as kp
from db.models import Measure, Resident
from db.residents import ResidentInput, register_resident
from db.settings import set_setting
from db.validate import Invalid
from tests.factories import make_id

TODAY = clock.today()


@pytest.fixture
def person(db_path: Path) -> kp.KeyPerson:
    resident = register_resident(ResidentInput("张三", make_id("19900101", 11), "13812345678"),
                                 address="阳光小区1栋101")
    return kp.register_key_person(kp.KeyPersonInput("密接", "大数据推送", "上海市浦东新区",
                                                    TODAY - dt.timedelta(days=1), "火车", "g123"),
                                  resident)


def test_register_as_a_new_person_creates_the_resident(db_path: Path) -> None:
    person = kp.register_key_person(
        kp.KeyPersonInput("中高风险地区返乡", origin="湖北省武汉市"), None,
        ResidentInput("李四", make_id("19850505", 21), "13900001111", kind="返乡"),
        address="桃园村三组8号")
    resident = Resident.get(Resident.name == "李四")
    assert person.resident_id == resident.id and resident.kind == "返乡"
    assert resident.household.address == "桃园村三组8号"


def test_bad_category_is_refused_and_no_resident_is_created(db_path: Path) -> None:
    with pytest.raises(Invalid, match="人员类别"):
        kp.register_key_person(kp.KeyPersonInput("路人"), None,
                               ResidentInput("王五", make_id("19800101", 31)), address="x")
    assert Resident.select().count() == 0


def test_planned_end_follows_the_policy_in_settings(person: kp.KeyPerson) -> None:
    set_setting("policy.密接", "14+7")
    measure = kp.start_measure(person.id, "集中隔离", TODAY, "隔离酒店1号楼")
    assert measure.planned_end == TODAY + dt.timedelta(days=14)
    with pytest.raises(Invalid, match="已有未解除"):
        kp.start_measure(person.id, "居家隔离", TODAY)
    with pytest.raises(Invalid, match="7\\+7"):
        set_setting("policy.密接", "两周")


def test_central_isolation_needs_a_place(person: kp.KeyPerson) -> None:
    with pytest.raises(Invalid, match="隔离地点"):
        kp.start_measure(person.id, "集中隔离", TODAY)


def test_follow_on_keeps_responsible_persons(person: kp.KeyPerson) -> None:
    responsible = kp.Responsible({"grid_worker": "网格员甲"}, {"grid_worker": "13700000000"})
    first = kp.start_measure(person.id, "集中隔离", TODAY - dt.timedelta(days=7), "酒店",
                             responsible)
    second = kp.follow_on(first.id, "居家健康监测", TODAY)
    first = Measure.get_by_id(first.id)
    assert first.released_on == TODAY and first.release_reason == ""
    assert second.kind == "居家健康监测" and second.planned_end == TODAY + dt.timedelta(days=3)
    assert (second.grid_worker, second.grid_worker_phone) == ("网格员甲", "13700000000")


def test_early_release_needs_a_reason_and_change_keeps_history(person: kp.KeyPerson) -> None:
    measure = kp.start_measure(person.id, "居家隔离", TODAY)
    with pytest.raises(Invalid, match="提前解除"):
        kp.release(measure.id, TODAY)
    changed = kp.change_end(measure.id, TODAY + dt.timedelta(days=10), "延长观察")
    assert changed.previous_end == TODAY + dt.timedelta(days=7)
    released = kp.release(measure.id, TODAY + dt.timedelta(days=1), "转院")
    assert released.released_on == TODAY + dt.timedelta(days=1)
    with pytest.raises(Invalid, match="已于"):
        kp.release(measure.id, TODAY + dt.timedelta(days=2), "x")


def test_temperatures_fever_and_lists(person: kp.KeyPerson) -> None:
    measure = kp.start_measure(person.id, "居家隔离", TODAY - dt.timedelta(days=7))
    assert [r.name for r in kp.missing_temperature(TODAY, "上午")] == ["张三"]
    result = kp.record_temperature(measure.id, TODAY, "上午", "36.6")
    assert not result.fever
    assert kp.missing_temperature(TODAY, "上午") == []
    result = kp.record_temperature(measure.id, TODAY, "上午", "37.8℃")  # a correction
    assert result.fever and result.reading.value == 37.8
    alerts = kp.fever_alerts(TODAY)
    assert [(r.name, r.value) for r in alerts] == [("张三", 37.8)]
    assert [r.name for r in kp.due_for_release(TODAY)] == ["张三"]
    assert kp.overdue(TODAY) == []
    assert [r.name for r in kp.overdue(TODAY + dt.timedelta(days=1))] == ["张三"]
    with pytest.raises(Invalid, match="超出"):
        kp.record_temperature(measure.id, TODAY, "下午", "44")
    with pytest.raises(Invalid, match="管控期"):
        kp.record_temperature(measure.id, TODAY - dt.timedelta(days=30), "下午", "36.5")
    sheet = kp.temperature_sheet(TODAY, "上午")
    assert [(r.name, r.value) for r in sheet] == [("张三", 37.8)]


def test_list_counts_are_the_lengths_of_the_lists(person: kp.KeyPerson) -> None:
    other = kp.register_key_person(
        kp.KeyPersonInput("次密接", found_on=TODAY - dt.timedelta(days=10)),
        register_resident(ResidentInput("李四", make_id("19850101", 13)), address="2号"))
    kp.start_measure(person.id, "居家隔离", TODAY - dt.timedelta(days=7))  # ends within a day
    late = kp.start_measure(other.id, "居家健康监测", TODAY - dt.timedelta(days=10),
                            planned_end=TODAY - dt.timedelta(days=2))  # overdue
    kp.record_temperature(late.id, TODAY, "上午", "38.1")
    for half in ("上午", "下午"):
        counts = kp.list_counts(TODAY, half)
        assert counts == {name: len(kp.control_list(name, TODAY, half)) for name in counts}
    assert kp.list_counts(TODAY, "上午") == {"under_control": 2, "due": 1, "overdue": 1,
                                            "missing": 1, "fever": 1}

"""Audit log and recycle bin: every change is logged; a delete can be undone exactly."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from db import recycle
from db.areas import add_area, delete_area
from db.database import database
from db.models import AuditLog, Household, KeyPerson, Measure, RecycleBin, Resident
from db.residents import (
    ResidentInput,
    delete_household,
    delete_resident,
    register_resident,
    update_resident,
)


def dump(table: str) -> list[tuple]:
    return database.execute_sql(f'SELECT * FROM "{table}" ORDER BY id').fetchall()


@pytest.fixture
def family(db_path: Path) -> Household:
    grid = add_area("第1网格", add_area("阳光小区", add_area("城关社区")))
    head = register_resident(ResidentInput("张三", "360426199101010071", "13812345678"),
                             address="阳光小区1栋101", number="H001", area=grid)
    register_resident(ResidentInput("李梅", "412723199010050020", relation="配偶"),
                      head.household)
    person = KeyPerson.create(resident=head, category="密接", origin="上海市浦东新区")
    Measure.create(person=person, kind="居家隔离", start_date=dt.date(2022, 4, 1),
                   planned_end=dt.date(2022, 4, 8))
    return head.household


def test_every_save_is_audited_with_before_and_after(family: Household) -> None:
    head = Resident.get(Resident.name == "张三")
    update_resident(head.id, ResidentInput("张叁", head.id_number, "13912345678", "户主"))
    entries = list(AuditLog.select().where((AuditLog.table == "resident")
                                           & (AuditLog.row_id == head.id)).order_by(AuditLog.id))
    assert [e.action for e in entries] == ["新增", "修改"]
    before, after = json.loads(entries[1].before), json.loads(entries[1].after)
    assert (before["name"], after["name"]) == ("张三", "张叁")
    assert (before["phone"], after["phone"]) == ("13812345678", "13912345678")
    assert entries[1].who == "未设置"  # never the computer's login


def test_deleting_a_household_takes_its_members_and_their_records_and_restores_exactly(
    family: Household,
) -> None:
    tables = ("household", "resident", "key_person", "measure")
    before = {t: dump(t) for t in tables}
    delete_household(family.id)
    assert Household.select().count() == 0
    assert Resident.select().count() == 0
    assert Measure.select().count() == 0
    entry = RecycleBin.get()
    assert entry.label.startswith("户 户号H001")
    assert AuditLog.select().where(AuditLog.action == "删除").count() == 1
    recycle.restore(entry.id)
    assert {t: dump(t) for t in tables} == before
    assert RecycleBin.select().count() == 0
    assert AuditLog.select().where(AuditLog.action == "恢复").count() == 1


def test_deleting_a_resident_keeps_the_household(family: Household) -> None:
    wife = Resident.get(Resident.name == "李梅")
    delete_resident(wife.id)
    assert [r.name for r in Resident.select()] == ["张三"]
    assert RecycleBin.get().label == "居民 李梅 412723********0020"
    recycle.restore(RecycleBin.get().id)
    assert Resident.get(Resident.name == "李梅").relation == "配偶"


def test_deleting_an_area_clears_and_restores_household_links(family: Household) -> None:
    community_id = family.area.parent.parent.id
    delete_area(community_id)
    assert Household.get_by_id(family.id).area is None
    recycle.restore(RecycleBin.get().id)
    assert Household.get_by_id(family.id).area.name == "第1网格"


def test_restore_conflict_is_reported_and_changes_nothing(family: Household) -> None:
    wife = Resident.get(Resident.name == "李梅")
    delete_resident(wife.id)
    register_resident(ResidentInput("李梅", "412723199010050020"), address="别处")
    snapshot = dump("resident")
    with pytest.raises(recycle.RestoreConflict, match="冲突"):
        recycle.restore(RecycleBin.get().id)
    assert dump("resident") == snapshot
    assert RecycleBin.select().count() == 1


def test_models_refuse_a_direct_delete(family: Household) -> None:
    with pytest.raises(TypeError):
        Resident.get().delete_instance()

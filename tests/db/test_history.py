"""The audit log in the clerk's words: who (操作人, else 填报人, else 未设置 — never the computer's
login), whose record, and what changed by the forms' labels, never a column name."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from db import donations as dn
from db import keypersons as kp
from db.audit import current_user
from db.history import history, label
from db.models import ALL_MODELS, Record
from db.residents import ResidentInput, add_household, move_resident, register_resident
from db.settings import set_setting
from tests.factories import make_id

DAY = dt.date(2022, 4, 11)
COLUMN_NAME = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:id|name|value|notes)\b")


def test_every_audited_column_has_a_chinese_label() -> None:
    missing = [f"{m._meta.table_name}.{f.column_name}" for m in ALL_MODELS
               if issubclass(m, Record) for f in m._meta.sorted_fields
               if f.column_name != "id"
               and label(m._meta.table_name, f.column_name).isascii()
               and label(m._meta.table_name, f.column_name) != ""]
    assert missing == []


def test_operator_is_the_setting_else_the_preparer_else_unset(db_path: Path) -> None:
    assert current_user() == "未设置"  # the OS user (测试员 in tests) is never taken
    set_setting("preparer", "李华")
    assert current_user() == "李华"
    set_setting("operator", "王芳")
    assert current_user() == "王芳"
    assert [line.who for line in history()[:2]] == ["王芳", "李华"]


def test_a_temperature_change_names_the_person_and_the_value(db_path: Path) -> None:
    set_setting("operator", "王芳")
    person = kp.register_key_person(
        kp.KeyPersonInput("密接", found_on=DAY),
        new_person=ResidentInput("张三", make_id("19900101", 1)), address="1号楼")
    measure = kp.start_measure(person.id, "居家隔离", DAY)
    kp.record_temperature(measure.id, DAY, "上午", "36.5")
    kp.record_temperature(measure.id, DAY, "上午", "36.1")
    line = history()[0]
    assert (line.who, line.action, line.what, line.whose) == ("王芳", "修改", "体温记录", "张三（居家隔离）")
    assert line.change == "体温 36.5→36.1"


def test_a_move_shows_households_not_ids(db_path: Path) -> None:
    home = add_household("幸福路1号", number="340122000000001")
    other = add_household("幸福路9号", number="340122000000009")
    person = register_resident(ResidentInput("李四", make_id("19800101", 3)), household=home)
    move_resident(person.id, other.id, "子")
    line = history()[0]
    assert line.whose == "李四"
    assert "所属户 户号340122000000001（幸福路1号）→户号340122000000009（幸福路9号）" in line.change
    assert "与户主关系 空→子" in line.change
    assert not COLUMN_NAME.search(line.change)


def test_new_records_are_named_by_their_own_words(db_path: Path) -> None:
    donor = dn.add_donor("某某商贸公司")
    gift = dn.record_money(DAY, donor, "5000", purpose="")
    line = history()[0]
    assert line.what == "捐赠" and line.whose == f"收据{gift.receipt_no}"
    assert "金额 5000" in line.change and "捐赠方 某某商贸公司" in line.change
    assert "定向 否" in line.change and not COLUMN_NAME.search(line.change)
    set_setting("preparer", "李华")
    setting = history()[0]
    assert (setting.what, setting.whose, setting.change) == ("设置", "填报人", "填报人 空→李华")

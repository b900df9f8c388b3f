"""At the gate (出入登记): every person or vehicle in or out, with temperature and health code;
a fever or a yellow/red code is refused (劝返) and shows on the dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db import clock
from db.config import fever_threshold
from db.keypersons import KeyPersonInput, register_key_person
from db.models import Checkpoint, GatePassage, Household, Resident
from db.residents import ResidentInput, search_residents
from db.validate import Invalid, check_phone, check_plate, check_temperature, normalize_text

HEALTH_CODES = ("绿", "黄", "红")
DEFAULT_TEMPERATURE = "36.5"  # what the entry box holds until the clerk types a reading


@dataclass
class PassageInput:
    direction: str
    temperature: object
    health_code: str = "绿"
    resident: Resident | None = None
    name: str = ""
    id_number: str = ""
    phone: str = ""
    plate: str = ""
    origin_reason: str = ""
    on_duty: str = ""
    notes: str = ""


def find_person(text: str) -> list[Resident]:
    """Residents at the gate by ID number, name, pinyin initials or pass card number (a card
    finds its household's members); more than one means the clerk must say which."""
    q = normalize_text(text)
    if not q:
        return []
    card = Household.get_or_none(Household.pass_card == q.upper())
    if card is not None:
        return list(Resident.select().where(Resident.household == card.id))
    return [Resident.get_by_id(r.id) for r in search_residents(q, limit=10)]


def gate_post(checkpoint_id: int) -> Checkpoint:
    """The checkpoint a passage is registered at; a sampling point (采样点) has no gate."""
    checkpoint = Checkpoint.get_by_id(checkpoint_id)
    if checkpoint.post_kind != "卡口":
        raise Invalid(f"“{checkpoint.name}”是{checkpoint.post_kind}，出入登记只在卡口进行")
    return checkpoint


def record_passage(checkpoint_id: int, data: PassageInput, at: dt.datetime | None = None
                   ) -> GatePassage:
    """Register one passage; the outcome follows the rules (fever or yellow/red code: 劝返)."""
    if data.direction not in ("进", "出"):
        raise Invalid("请选择进或出")
    if data.health_code not in HEALTH_CODES:
        raise Invalid("健康码应为绿、黄或红")
    checkpoint = gate_post(checkpoint_id)
    temperature = check_temperature(data.temperature)
    resident = data.resident
    name = resident.name if resident else normalize_text(data.name)
    if not name and not normalize_text(data.plate):
        raise Invalid("请选择居民或填写姓名（车辆可只填车牌）")
    plate = check_plate(data.plate) if normalize_text(data.plate) else ""
    phone = (resident.phone if resident else "") or (
        check_phone(data.phone) if normalize_text(data.phone) else "")
    refused = temperature >= fever_threshold() or data.health_code != "绿"
    if resident is None and not normalize_text(data.origin_reason):
        raise Invalid("外来人员请填写来自何地/事由")
    return GatePassage.create(
        checkpoint=checkpoint, at=at or clock.now(),
        resident=resident, name=name,
        id_number=resident.id_number if resident else normalize_text(data.id_number).upper(),
        phone=phone, plate=plate, direction=data.direction, temperature=temperature,
        health_code=data.health_code, origin_reason=normalize_text(data.origin_reason),
        is_local=resident is not None, outcome="劝返" if refused else "放行",
        on_duty=normalize_text(data.on_duty), notes=normalize_text(data.notes))


def passages(checkpoint_id: int, day: dt.date) -> list[GatePassage]:
    """A checkpoint's passages of one day (出入登记表); a sampling point has none to list."""
    gate_post(checkpoint_id)
    start = dt.datetime.combine(day, dt.time())
    return list(GatePassage.select().where(
        (GatePassage.checkpoint == checkpoint_id) & (GatePassage.at >= start)
        & (GatePassage.at < start + dt.timedelta(days=1))).order_by(GatePassage.at))


def key_person_from_passage(passage_id: int, id_number: object, address: str,
                            category: str = "中高风险地区返乡"):
    """Turn an outsider registered at the gate into a key person in one step (the resident is
    created from what the gate recorded)."""
    passage = GatePassage.get_by_id(passage_id)
    if passage.is_local and passage.resident_id:
        resident = Resident.get_by_id(passage.resident_id)
        return register_key_person(KeyPersonInput(category, "卡口发现", passage.origin_reason,
                                                  passage.at.date()), resident)
    person = ResidentInput(passage.name, id_number, passage.phone, kind="外来",
                           notes=f"{passage.checkpoint.name}登记：{passage.origin_reason}")
    return register_key_person(
        KeyPersonInput(category, "卡口发现", passage.origin_reason, passage.at.date(),
                       transport="自驾" if passage.plate else "", transport_no=passage.plate),
        None, person, address=address)

"""Key persons under control (重点人员): registering, measures (集中隔离/居家隔离/居家健康监测),
temperatures twice a day, nucleic-acid tests, release (解除), and the lists the clerk lives in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from db import clock
from db.areas import GRID_SQL, subtree_ids
from db.config import fever_threshold, get_setting
from db.connection import database
from db.models import (
    KEY_CATEGORIES,
    KEY_SOURCES,
    MEASURE_KINDS,
    TRANSPORTS,
    Area,
    KeyPerson,
    Measure,
    NucleicTest,
    Resident,
    TemperatureReading,
)
from db.residents import ResidentInput, register_resident
from db.validate import Invalid, age_on, check_phone, check_temperature, normalize_text

HALVES = ("上午", "下午")
RESPONSIBLE = (
    ("town_cadre", "街道/乡镇干部"),
    ("community_cadre", "社区/村干部"),
    ("grid_worker", "网格员"),
    ("police", "民警"),
    ("doctor", "医生"),
)
FIRST_MEASURE = {"确诊": "集中隔离", "疑似": "集中隔离", "密接": "集中隔离", "发热": "居家隔离",
                 "次密接": "居家隔离", "中高风险地区返乡": "居家健康监测", "其他": "居家健康监测"}
NEXT_MEASURE = {"集中隔离": "居家健康监测", "居家隔离": "居家健康监测"}


@dataclass
class KeyPersonInput:
    category: str
    source: str = ""
    origin: str = ""
    arrival_date: dt.date | None = None
    transport: str = ""
    transport_no: str = ""
    notes: str = ""
    found_on: dt.date | None = None


@dataclass
class Responsible:
    """The five responsible persons ("五包一"), names and phones."""

    names: dict[str, str] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)


def policy(category: str) -> tuple[int, int]:
    """(days of the first measure, days of the one after) for a category, from settings."""
    text = get_setting(f"policy.{category}")
    first, _, then = text.partition("+")
    return int(first), int(then or 0)


def _check_person(data: KeyPersonInput) -> None:
    if data.category not in KEY_CATEGORIES:
        raise Invalid(f"人员类别应为：{'/'.join(KEY_CATEGORIES)}")
    if data.source and data.source not in KEY_SOURCES:
        raise Invalid(f"发现途径应为：{'/'.join(KEY_SOURCES)}")
    if data.transport and data.transport not in TRANSPORTS:
        raise Invalid(f"交通方式应为：{'/'.join(TRANSPORTS)}")
    if data.arrival_date and data.arrival_date > clock.today() + dt.timedelta(days=1):
        raise Invalid("抵达日期不能晚于明天")


def register_key_person(
    data: KeyPersonInput,
    resident: Resident | None = None,
    new_person: ResidentInput | None = None,
    address: str = "",
    area: Area | None = None,
) -> KeyPerson:
    """Register a key person from a resident, or as a new person (the resident is created too)."""
    _check_person(data)
    with database.atomic():
        if resident is None:
            if new_person is None:
                raise Invalid("请选择居民或填写新人员信息")
            resident = register_resident(new_person, address=address, area=area)
        return KeyPerson.create(
            resident=resident, category=data.category, source=data.source,
            origin=normalize_text(data.origin), arrival_date=data.arrival_date,
            transport=data.transport, transport_no=normalize_text(data.transport_no).upper(),
            found_on=data.found_on or clock.today(), notes=normalize_text(data.notes),
        )


def open_measure(person_id: int) -> Measure | None:
    return (Measure.select().where((Measure.person == person_id) & Measure.released_on.is_null())
            .order_by(Measure.id.desc()).first())


def _responsible_fields(responsible: Responsible | None) -> dict[str, str]:
    values: dict[str, str] = {}
    if responsible is None:
        return values
    for key, label in RESPONSIBLE:
        values[key] = normalize_text(responsible.names.get(key, ""))
        phone = normalize_text(responsible.phones.get(key, ""))
        if phone:
            try:
                phone = check_phone(phone)
            except Invalid as exc:
                raise Invalid(f"{label}的电话：{exc}") from None
        values[f"{key}_phone"] = phone
    return values


def start_measure(
    person_id: int, kind: str, start: dt.date, place: str = "",
    responsible: Responsible | None = None, planned_end: dt.date | None = None,
) -> Measure:
    """Start a measure; the planned end defaults to the category's policy in settings."""
    if kind not in MEASURE_KINDS:
        raise Invalid(f"管控措施应为：{'/'.join(MEASURE_KINDS)}")
    if kind == "集中隔离" and not normalize_text(place):
        raise Invalid("集中隔离需填写隔离地点")
    person = KeyPerson.get_by_id(person_id)
    if open_measure(person_id) is not None:
        raise Invalid(f"{person.resident.name} 已有未解除的管控措施，请先解除或转下一措施")
    if planned_end is None:
        planned_end = start + dt.timedelta(days=policy(person.category)[0])
    if planned_end < start:
        raise Invalid("计划解除日期不能早于开始日期")
    return Measure.create(person=person, kind=kind, place=normalize_text(place),
                          start_date=start, planned_end=planned_end,
                          **_responsible_fields(responsible))


def release(measure_id: int, day: dt.date, reason: str = "") -> Measure:
    """解除: end a measure on ``day``; ending before the planned day needs a reason."""
    measure = Measure.get_by_id(measure_id)
    if measure.released_on is not None:
        raise Invalid(f"该措施已于{measure.released_on:%Y-%m-%d}解除")
    if day < measure.start_date:
        raise Invalid("解除日期不能早于开始日期")
    reason = normalize_text(reason)
    if day < measure.planned_end and not reason:
        raise Invalid(f"提前解除（计划{measure.planned_end:%Y-%m-%d}）须填写原因")
    measure.released_on = day
    measure.release_recorded_at = clock.now()
    measure.release_reason = reason
    measure.save()
    return measure


def follow_on(measure_id: int, kind: str, day: dt.date, place: str = "") -> Measure:
    """End one measure and start the next on the same day (集中隔离 → 居家健康监测), keeping the
    responsible persons; its length is the second number of the category's policy."""
    with database.atomic():
        current = Measure.get_by_id(measure_id)
        release(measure_id, day, "" if day >= current.planned_end else f"转为{kind}")
        days = policy(current.person.category)[1] or policy(current.person.category)[0]
        responsible = Responsible(
            {k: getattr(current, k) for k, _ in RESPONSIBLE},
            {k: getattr(current, f"{k}_phone") for k, _ in RESPONSIBLE},
        )
        return start_measure(current.person_id, kind, day, place, responsible,
                             day + dt.timedelta(days=days))


def change_end(measure_id: int, new_end: dt.date, reason: str) -> Measure:
    """Extend or shorten a measure; the previous end and the reason are kept."""
    reason = normalize_text(reason)
    if not reason:
        raise Invalid("调整解除日期须填写原因")
    measure = Measure.get_by_id(measure_id)
    if new_end < measure.start_date:
        raise Invalid("计划解除日期不能早于开始日期")
    measure.previous_end = measure.planned_end
    measure.planned_end = new_end
    measure.change_reason = reason
    measure.save()
    return measure


@dataclass(frozen=True)
class TemperatureResult:
    reading: TemperatureReading
    fever: bool


def record_temperature(measure_id: int, day: dt.date, half: str, value: object) -> TemperatureResult:
    """Record (or correct) the morning or afternoon temperature of a person under a measure."""
    if half not in HALVES:
        raise Invalid("时段应为上午或下午")
    number = check_temperature(value)
    measure = Measure.get_by_id(measure_id)
    if day < measure.start_date or (measure.released_on and day > measure.released_on):
        raise Invalid(f"{day:%Y-%m-%d}不在该措施的管控期内")
    with database.atomic():
        # The person's reading for this half-day, whichever of their measures it was entered
        # under: a measure changed at noon must not give the morning a second reading.
        reading = (TemperatureReading.select(TemperatureReading)
                   .join(Measure, on=(Measure.id == TemperatureReading.measure))
                   .where((Measure.person == measure.person_id) & (TemperatureReading.date == day)
                          & (TemperatureReading.half == half))
                   .order_by((TemperatureReading.measure == measure_id).desc(), TemperatureReading.id)
                   .first())
        if reading is None:
            reading = TemperatureReading(measure=measure_id, date=day, half=half)
        reading.value = number
        reading.save()
    return TemperatureResult(reading, number >= fever_threshold())


def add_nucleic_test(person_id: int, day: dt.date, result: str) -> NucleicTest:
    if result not in ("阴性", "阳性", "待出结果"):
        raise Invalid("核酸结果应为：阴性/阳性/待出结果")
    return NucleicTest.create(person=person_id, date=day, result=result)


# --- lists -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ControlRow:
    measure_id: int
    person_id: int
    name: str
    sex: str
    age: int
    id_number: str
    phone: str
    address: str
    grid: str
    category: str
    kind: str
    place: str
    start: dt.date
    planned_end: dt.date
    released_on: dt.date | None
    origin: str
    value: float | None = None  # a temperature, where the list is about one


_FROM = """
FROM measure m
JOIN key_person k ON k.id = m.person_id
JOIN resident r ON r.id = k.resident_id
LEFT JOIN household h ON h.id = r.household_id
LEFT JOIN area a ON a.id = h.area_id
LEFT JOIN area p ON p.id = a.parent_id
"""
_BASE = f"""
SELECT m.id, k.id, r.name, r.sex, r.birth_date, r.id_number, r.phone, h.address,
       {GRID_SQL}, k.category, m.kind, m.place,
       m.start_date, m.planned_end, m.released_on, k.origin{{extra}}""" + _FROM


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _rows(where: str, params: list[object], extra: str = "", extra_params: Sequence[object] = (),
          order: str = "m.planned_end, m.id", limit: int = 5000, offset: int = 0
          ) -> list[ControlRow]:
    sql = (_BASE.format(extra=extra)
           + f" WHERE {where} ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}")
    today = clock.today()
    out = []
    for row in database.execute_sql(sql, [*extra_params, *params]).fetchall():
        mid, pid, name, sex, birth, idn, phone, address, grid, cat, kind, place, start, end, \
            released, origin, *value = row
        out.append(ControlRow(mid, pid, name, sex, age_on(_date(birth), today), idn, phone or "",
                              address or "", grid or "", cat, kind, place, _date(start),
                              _date(end), _date(released), origin,
                              value[0] if value else None))
    return out


LISTS = {
    "under_control": "在管",
    "due": "今明到期",
    "overdue": "逾期未解除",
    "missing": "缺体温",
    "fever": "发热预警",
    "released": "已解除",
}


def _where(name: str, day: dt.date, half: str) -> tuple[str, list[object]]:
    """Which measures one of the LISTS holds (not 已解除): the SQL condition and its values."""
    today, tomorrow = day.isoformat(), (day + dt.timedelta(days=1)).isoformat()
    if name == "under_control":
        return "m.start_date <= ? AND m.released_on IS NULL", [today]
    if name == "due":  # planned to end today or tomorrow and not yet released
        return "m.released_on IS NULL AND m.planned_end BETWEEN ? AND ?", [today, tomorrow]
    if name == "overdue":  # planned end passed, not released
        return "m.released_on IS NULL AND m.planned_end < ?", [today]
    if name == "missing":  # under a measure today, no reading for this half-day yet
        return ("m.start_date <= ? AND m.released_on IS NULL AND NOT EXISTS (SELECT 1 FROM "
                "temperature_reading t WHERE t.measure_id = m.id AND t.date = ? AND t.half = ?)",
                [today, today, half])
    if name == "fever":  # a reading at or above the threshold today
        return ("m.id IN (SELECT measure_id FROM temperature_reading WHERE date = ? "
                "AND value >= ?)", [today, fever_threshold()])
    raise KeyError(name)


def list_counts(day: dt.date, half: str) -> dict[str, int]:
    """How many each list holds (已解除 not counted), in one statement: the tabs above the list."""
    names = [n for n in LISTS if n != "released"]
    parts = [_where(n, day, half) for n in names]
    sql = "SELECT " + ", ".join(f"(SELECT count(*) {_FROM} WHERE {w})" for w, _p in parts)
    row = database.execute_sql(sql, [v for _w, params in parts for v in params]).fetchone()
    return dict(zip(names, row, strict=True))


def under_control(day: dt.date, kind: str | None = None, area_id: int | None = None,
                  limit: int = 5000) -> list[ControlRow]:
    """Everyone under a measure on ``day`` (optionally one measure kind, one area)."""
    where, params = _where("under_control", day, "")
    if kind:
        where += " AND m.kind = ?"
        params.append(kind)
    if area_id is not None:
        ids = subtree_ids(area_id)
        where += f" AND h.area_id IN ({','.join('?' * len(ids))})"
        params += ids
    return _rows(where, params, limit=limit)


def due_for_release(day: dt.date) -> list[ControlRow]:
    """Planned to end today or tomorrow and not yet released."""
    return control_page("due", day, "")


def overdue(day: dt.date) -> list[ControlRow]:
    """Planned end passed, not released."""
    return control_page("overdue", day, "")


def missing_temperature(day: dt.date, half: str) -> list[ControlRow]:
    """Under a measure today with no reading for this half-day yet."""
    return control_page("missing", day, half)


def fever_alerts(day: dt.date) -> list[ControlRow]:
    """Persons with a reading at or above the fever threshold on ``day``, with their highest."""
    return control_page("fever", day, "")


def temperature_sheet(day: dt.date, half: str) -> list[ControlRow]:
    """Everyone under a measure on ``day``, with the reading already entered for the half-day."""
    return _rows(
        "m.start_date <= ? AND (m.released_on IS NULL OR m.released_on >= ?)",
        [day.isoformat(), day.isoformat()],
        extra=", (SELECT value FROM temperature_reading t WHERE t.measure_id = m.id "
              "AND t.date = ? AND t.half = ?)", extra_params=[day.isoformat(), half],
        order="h.area_id, m.id")


def temperature_round(day: dt.date, half: str) -> list[ControlRow]:
    """体温录入's round: one row per person under a measure on ``day`` and not released that
    day (a measure changed today shows only the new one), with the person's reading for the
    half-day whichever of their measures it was entered under."""
    current = ("m.start_date <= ? AND (m.released_on IS NULL OR m.released_on > ?)")
    where = (f"{current} AND m.id = (SELECT max(m2.id) FROM measure m2 WHERE "
             f"m2.person_id = m.person_id AND {current.replace('m.', 'm2.')})")
    return _rows(
        where, [day.isoformat()] * 4,
        extra=", coalesce((SELECT value FROM temperature_reading WHERE measure_id = m.id AND date = ?"
              " AND half = ?), (SELECT t.value FROM temperature_reading t JOIN measure mt"
              " ON mt.id = t.measure_id WHERE mt.person_id = m.person_id AND t.date = ?"
              " AND t.half = ? ORDER BY t.id LIMIT 1))",
        extra_params=[day.isoformat(), half] * 2, order="h.area_id, m.id", limit=1_000_000)


def released(limit: int = 5000) -> list[ControlRow]:
    """Released measures, latest first."""
    return control_page("released", clock.today(), "", limit=limit)


def _list_where(name: str, day: dt.date, half: str, kind: str, grid: str
                ) -> tuple[str, list[object]]:
    where, params = ("m.released_on IS NOT NULL", []) if name == "released" \
        else _where(name, day, half)
    if kind:
        where += " AND m.kind = ?"
        params.append(kind)
    if grid:
        where += f" AND instr({GRID_SQL}, ?) > 0"
        params.append(grid)
    return where, params


def control_page(name: str, day: dt.date, half: str, kind: str = "", grid: str = "",
                 offset: int = 0, limit: int = 5000) -> list[ControlRow]:
    """One of the LISTS by its key, optionally one measure kind and grids whose name holds
    ``grid``, from row ``offset`` on (the 重点人员 screen reads it a page at a time)."""
    where, params = _list_where(name, day, half, kind, grid)
    if name == "fever":  # with each person's highest reading of the day
        return _rows(where, params,
                     extra=", (SELECT max(value) FROM temperature_reading t "
                           "WHERE t.measure_id = m.id AND t.date = ?)",
                     extra_params=[day.isoformat()], order="m.id", limit=limit, offset=offset)
    order = "m.released_on DESC, m.id" if name == "released" else "m.planned_end, m.id"
    return _rows(where, params, order=order, limit=limit, offset=offset)


def control_count(name: str, day: dt.date, half: str, kind: str = "", grid: str = "") -> int:
    """How many rows control_page has for the same list and filters."""
    where, params = _list_where(name, day, half, kind, grid)
    return database.execute_sql(f"SELECT count(*) {_FROM} WHERE {where}", params).fetchone()[0]


def control_list(name: str, day: dt.date, half: str) -> list[ControlRow]:
    """One of the lists in LISTS by its key."""
    return control_page(name, day, half)


def ledger_measures(day: dt.date, kind: str | None, everything: bool) -> list[Measure]:
    """The measures a ledger of ``day`` lists (with their person and resident), oldest first."""
    query = (Measure.select(Measure, KeyPerson, Resident)
             .join(KeyPerson).join(Resident)
             .order_by(Measure.start_date, Measure.id))
    if kind:
        query = query.where(Measure.kind == kind)
    if not everything:
        query = query.where((Measure.start_date <= day) & (
            Measure.released_on.is_null() | (Measure.released_on >= day)))
    return list(query)


def latest_tests() -> dict[int, str]:
    """Each person's latest nucleic-acid test, as "date result"."""
    latest: dict[int, str] = {}
    for person, date, result in database.execute_sql(
            "SELECT person_id, date, result FROM nucleic_test ORDER BY date, id").fetchall():
        latest[person] = f"{str(date)[:10]} {result}"
    return latest


def measures_between(start: dt.date, end: dt.date, kind: str | None) -> list[Measure]:
    """Measures in force on any day from ``start`` to ``end``, oldest first."""
    query = (Measure.select(Measure, KeyPerson, Resident).join(KeyPerson).join(Resident)
             .where((Measure.start_date <= end)
                    & (Measure.released_on.is_null() | (Measure.released_on >= start)))
             .order_by(Measure.start_date, Measure.id))
    if kind:
        query = query.where(Measure.kind == kind)
    return list(query)


def readings_between(ids: list[int], start: dt.date, end: dt.date
                     ) -> dict[tuple[int, str, str], float]:
    """Temperatures of these measures in the period, by (measure, day, half)."""
    readings: dict[tuple[int, str, str], float] = {}
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        for mid, date, half, value in database.execute_sql(
                "SELECT measure_id, date, half, value FROM temperature_reading WHERE date "
                f"BETWEEN ? AND ? AND measure_id IN ({','.join('?' * len(chunk))})",
                [start.isoformat(), end.isoformat(), *chunk]).fetchall():
            readings[(mid, str(date)[:10], half)] = value
    return readings


def latest_case(resident_id: int) -> KeyPerson | None:
    """A resident's most recent key-person case, if any."""
    return (KeyPerson.select().where(KeyPerson.resident == resident_id)
            .order_by(KeyPerson.id.desc()).first())


def case(person_id: int) -> KeyPerson:
    return KeyPerson.get_by_id(person_id)

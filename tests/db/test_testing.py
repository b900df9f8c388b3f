"""Whole-population testing rounds on the small demo township: coverage counted again here with
plain SQL on a separate connection, exemptions each counted once, check-off never guessed and
idempotent, reasons of the missing, a positive made a key person in one step."""

from __future__ import annotations

import datetime as dt
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from db import clock, testing
from db.database import database
from db.history import history, row_history
from db.models import Area, KeyPerson, Measure, Resident, Sample
from db.settings import set_setting
from db.validate import Invalid

START = clock.today()
END = START + dt.timedelta(days=1)


def independent(path: Path, round_id: int, infant_years: int = 3) -> dict[str, int]:
    """应检/已检/exemptions by a count made here: raw SQL and Python, no eprc function."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    start, end = conn.execute("SELECT start_date, end_date FROM sampling_round WHERE id = ?",
                              [round_id]).fetchone()
    paths = [p for (p,) in conn.execute(
        "SELECT a.path FROM round_scope s JOIN area a ON a.id = s.area_id WHERE s.round_id = ?",
        [round_id])]
    cutoff = dt.date.fromisoformat(start)
    cutoff = cutoff.replace(year=cutoff.year - infant_years).isoformat()
    isolated = {r for (r,) in conn.execute(
        "SELECT k.resident_id FROM key_person k JOIN measure m ON m.person_id = k.id "
        "WHERE m.kind = '集中隔离' AND m.start_date <= ? AND (m.released_on IS NULL OR "
        "m.released_on >= ?)", [end, start])}
    sampled = {r for (r,) in conn.execute("SELECT resident_id FROM sample WHERE round_id = ?",
                                          [round_id])}
    out = {"expected": 0, "tested": 0, "集中隔离": 0, "外出": 0, "婴幼儿": 0}
    for rid, status, birth, away_from, away_to, area_path in conn.execute(
            "SELECT r.id, r.status, r.birth_date, r.away_from, r.away_to, a.path FROM resident r "
            "LEFT JOIN household h ON h.id = r.household_id LEFT JOIN area a ON a.id = h.area_id"):
        if status not in ("在册", "外出"):
            continue
        if paths and not any((area_path or "").startswith(p) for p in paths):
            continue
        if rid in sampled:
            out["expected"] += 1
            out["tested"] += 1
        elif rid in isolated:
            out["集中隔离"] += 1
        elif status == "外出" or (away_from and away_from <= start
                                 and (away_to is None or away_to >= end)):
            out["外出"] += 1
        elif infant_years and birth > cutoff:
            out["婴幼儿"] += 1
        else:
            out["expected"] += 1
    conn.close()
    return out


def residents(limit: int, offset: int = 0) -> list[Resident]:
    return list(Resident.select().where(Resident.status == "在册").order_by(Resident.id)
                .limit(limit).offset(offset))


def test_coverage_matches_an_independent_count(demo_path: Path) -> None:
    community = Area.select().where(Area.level == 1).order_by(Area.id).first()
    whole = testing.new_round("第1轮", START, END)
    part = testing.new_round("城区第1轮", START, END, scope=[community.name])
    people = residents(60)
    testing.set_away([p.id for p in people[:5]], START - dt.timedelta(days=1), None)
    testing.set_away([people[5].id], START, START)  # back on the first day: not exempt
    for person in people[10:40]:
        testing.check_off(whole.id, person.id)
        testing.check_off(part.id, person.id)
    testing.check_off(whole.id, people[0].id)  # away, but sampled: counts as tested
    for found in (whole, part):
        numbers = testing.coverage(found.id)
        expected = independent(demo_path, found.id)
        assert (numbers.expected, numbers.tested) == (expected["expected"], expected["tested"])
        assert numbers.exempt == {rule: expected[rule] for rule in testing.EXEMPT_RULES}
        assert numbers.missing == numbers.expected - numbers.tested
        assert sum(c.expected for c in numbers.communities) == numbers.expected
        assert sum(c.tested for c in numbers.communities) == numbers.tested
    whole_numbers = testing.coverage(whole.id)
    assert whole_numbers.tested == 31
    assert whole_numbers.exempt["外出"] >= 4
    assert whole_numbers.exempt["婴幼儿"] > 0
    assert testing.coverage(part.id).expected < whole_numbers.expected
    assert {c.name for c in testing.coverage(part.id).communities} == {community.name}


def test_infant_age_setting_moves_people_between_rules(demo_path: Path) -> None:
    found = testing.new_round("第1轮", START, END)
    three = testing.coverage(found.id).exempt["婴幼儿"]
    set_setting("testing_infant_age", "6")
    six = testing.coverage(found.id)
    assert six.exempt["婴幼儿"] > three
    assert six.exempt["婴幼儿"] == independent(demo_path, found.id, 6)["婴幼儿"]
    set_setting("testing_infant_age", "0")
    assert testing.coverage(found.id).exempt["婴幼儿"] == 0
    with pytest.raises(Invalid):
        set_setting("testing_infant_age", "二")


def test_isolated_are_exempt_and_counted_apart(demo_path: Path) -> None:
    found = testing.new_round("第1轮", START, END)
    numbers = testing.coverage(found.id)
    assert numbers.exempt["集中隔离"] == independent(demo_path, found.id)["集中隔离"]
    assert numbers.exempt["集中隔离"] > 0


def test_import_matches_by_id_then_name_phone_and_never_guesses(demo_path: Path) -> None:
    found = testing.new_round("第1轮", START, END)
    a, b, c = Resident.select().where(Resident.phone != "").order_by(Resident.id).limit(3)
    twin = residents(1, 10)[0]
    Resident.update(phone=c.phone, name=c.name).where(Resident.id == twin.id).execute()
    rows = [
        ("名单", 2, a.id_number.lower(), "", "", ""),
        ("名单", 3, "", b.name, b.phone, ""),
        ("名单", 4, "", c.name, c.phone, ""),  # two residents: never guessed
        ("名单", 5, "110101199003070000", a.name, a.phone, ""),  # ID unknown
        ("名单", 6, "", "", "", ""),
        ("名单", 7, a.id_number, "", "", ""),  # a second time in the same list
    ]
    dry = testing.import_samples(found.id, rows, dry_run=True)
    assert (dry.matched, dry.already) == (2, 1)
    # a long list is matched against the whole register, read ahead: the same answer
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = testing.read_register_ahead(pool, found.id).result()
    whole = testing.import_samples(found.id, rows, dry_run=True, register=ahead)
    assert len(ahead.ids) == Resident.select().count()
    assert whole.as_dict() == dry.as_dict()
    assert Sample.select().count() == 0
    first = testing.import_samples(found.id, rows, source="list.xlsx")
    assert (first.matched, first.already) == (2, 1)
    assert [u.row for u in first.unmatched] == [4, 5, 6]
    assert "不在居民库中" in first.unmatched[1].reason
    assert "多名居民" in first.unmatched[0].reason
    assert {s.resident_id for s in Sample.select()} == {a.id, b.id}
    snapshot = list(database.execute_sql("SELECT * FROM sample ORDER BY id").fetchall())
    logged = database.execute_sql("SELECT count(*) FROM audit_log").fetchone()
    again = testing.import_samples(found.id, rows, source="list.xlsx")
    assert (again.matched, again.already) == (0, 3)
    assert list(database.execute_sql("SELECT * FROM sample ORDER BY id").fetchall()) == snapshot
    assert database.execute_sql("SELECT count(*) FROM audit_log").fetchone() == logged


@pytest.mark.parametrize("writer", ["this connection", "another connection"])
def test_a_register_read_ahead_is_not_trusted_once_the_file_has_changed(
        demo_path: Path, writer: str) -> None:
    """The register is read on another thread while the list is parsed; a resident removed
    (or renumbered) before the check-off writes must not be checked off from the stale copy:
    the samples are inserted without SQLite's foreign-key look-ups."""
    found = testing.new_round("第1轮", START, END)
    a, b = residents(2)
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = testing.read_register_ahead(pool, found.id).result()
    assert ahead.ids[a.id_number] == a.id
    if writer == "this connection":
        database.execute_sql("DELETE FROM resident WHERE id = ?", [a.id])
    else:
        with sqlite3.connect(demo_path) as other:
            other.execute("PRAGMA foreign_keys = ON")
            other.execute("DELETE FROM resident WHERE id = ?", [a.id])
        other.close()
    rows = [("名单", 2, a.id_number, "", "", ""), ("名单", 3, b.id_number, "", "", "")]
    result = testing.import_samples(found.id, rows, source="list.xlsx", register=ahead)
    assert (result.matched, [u.row for u in result.unmatched]) == (1, [2])
    assert [s.resident_id for s in Sample.select()] == [b.id]
    assert database.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    assert database.execute_sql("PRAGMA foreign_keys").fetchone() == (1,)


def test_who_checked_a_person_off_and_when_is_in_the_history(demo_path: Path) -> None:
    """A list's check-off is logged as one entry for the whole file, not one per person; the
    history still names who checked each person off, when, and from which file."""
    found = testing.new_round("第1轮", START, END)
    set_setting("operator", "李文书")
    people = residents(5)
    rows = [("名单", n, r.id_number, "", "", "") for n, r in enumerate(people, 2)]
    before = database.execute_sql("SELECT count(*) FROM audit_log").fetchone()[0]
    testing.import_samples(found.id, rows, source="list.xlsx")
    entries = database.execute_sql(
        "SELECT \"table\", who FROM audit_log WHERE id > (SELECT max(id) - ? FROM audit_log) "
        "ORDER BY id", [database.execute_sql("SELECT count(*) FROM audit_log").fetchone()[0]
                        - before]).fetchall()
    assert entries == [("sample", "李文书"), (testing.IMPORT_ENTRY, "李文书")]
    start = clock.now().replace(microsecond=0)
    testing.check_off(found.id, residents(1, 20)[0].id)  # one at a point: its own entry
    for person in [people[0], people[3], residents(1, 20)[0]]:
        sample = Sample.get((Sample.round == found.id) & (Sample.resident == person.id))
        lines = row_history("sample", sample.id)
        assert [(line.who, line.action) for line in lines] == [
            ("李文书", "导入" if person in people else "新增")]
        assert lines[0].at >= start - dt.timedelta(minutes=1)
    imported = row_history("sample", Sample.get(Sample.resident == people[2].id).id)[0]
    assert "list.xlsx" in imported.change and imported.whose == "5条"
    assert imported in history()  # the audit screen and sheet show the same line
    assert row_history("sample", 10**9) == []


def test_missing_list_reasons_and_door_to_door(demo_path: Path) -> None:
    found = testing.new_round("第1轮", START, END)
    people = residents(8)
    testing.set_immobile([p.id for p in people[:3]])
    testing.check_off(found.id, people[0].id, how="上门")
    testing.record_reason(found.id, people[1].id, "卧床已上门")
    missing = testing.missing(found.id)
    assert len(missing) == testing.coverage(found.id).missing
    by_id = {m.resident_id: m for m in missing}
    assert people[0].id not in by_id
    assert by_id[people[1].id].reason == "卧床已上门"
    assert by_id[people[1].id].id_masked != people[1].id_number
    door = testing.missing(found.id, immobile_only=True, include_tested=True)
    assert {m.resident_id for m in door} >= {p.id for p in people[:3]}
    assert {m.reason for m in door if m.resident_id == people[0].id} == {"已采样"}
    numbers = testing.coverage(found.id)
    assert (numbers.door, numbers.door_tested) == (len(door), 1)
    with pytest.raises(Invalid, match="其他"):
        testing.record_reason(found.id, people[2].id, "其他")
    with pytest.raises(Invalid, match="未检原因"):
        testing.record_reason(found.id, people[2].id, "不想")
    testing.record_reason(found.id, people[1].id, "")
    assert {m.resident_id: m.reason for m in testing.missing(found.id)}[people[1].id] == ""


def test_positive_becomes_a_key_person_in_one_step(demo_path: Path) -> None:
    found = testing.new_round("第1轮", START, END)
    person = residents(1, 20)[0]
    before = KeyPerson.select().count()
    kp = testing.record_positive(found.id, person.id, day=START)
    assert KeyPerson.select().count() == before + 1
    assert (kp.category, kp.source, kp.found_on) == ("疑似", "全员核酸检测", START)
    assert "初筛阳性" in kp.notes
    measure = Measure.get(Measure.person == kp.id)
    assert measure.kind == "集中隔离"
    assert Sample.get(Sample.resident == person.id).result == "阳性"
    assert testing.coverage(found.id).positive == 1
    other = residents(1, 21)[0]
    kp2 = testing.record_positive(found.id, other.id, category="密接", measure="居家隔离",
                                  day=START)
    assert (kp2.category, Measure.get(Measure.person == kp2.id).kind) == ("密接", "居家隔离")
    with pytest.raises(Invalid):
        testing.record_positive(found.id, residents(1, 22)[0].id, measure="隔离")
    assert not Sample.select().where(Sample.resident == residents(1, 22)[0].id).exists()


def test_rounds_by_number_or_name_and_scope_errors(demo_path: Path) -> None:
    found = testing.new_round("第1轮", START, END)
    assert testing.find_round(str(found.id)).id == found.id
    assert testing.find_round("第1轮").id == found.id
    with pytest.raises(Invalid, match="没有编号或名称"):
        testing.find_round("第9轮")
    with pytest.raises(Invalid, match="已有名为"):
        testing.new_round("第1轮", START, END)
    with pytest.raises(Invalid, match="结束日期"):
        testing.new_round("第2轮", END, START)
    with pytest.raises(Invalid, match="没有名为"):
        testing.new_round("第2轮", START, END, scope=["不存在的社区"])
    assert testing.running_round(START).id == found.id
    assert testing.running_round(END + dt.timedelta(days=1)) is None


def test_sampling_points_get_their_own_slots_never_the_checkpoints(demo_path: Path) -> None:
    from db import roster
    from db.models import Shift, ShiftSlot

    point = testing.find_or_add_point("文化广场采样点")
    assert point.post_kind == "采样点" and testing.find_or_add_point("文化广场采样点").id == point.id
    checkpoint = roster.find_checkpoint(
        next(c.name for c in testing.Checkpoint.select() if c.post_kind == "卡口"))
    with pytest.raises(Invalid, match="是卡口"):
        testing.find_or_add_point(checkpoint.name)
    later = START + dt.timedelta(days=40)
    made = roster.create_shifts(later, later)
    assert made > 0
    kinds = [(s.slot.post_kind, s.slot.name) for s in Shift.select().join(ShiftSlot)
             .where(Shift.checkpoint == point.id).order_by(ShiftSlot.start)]
    assert kinds == [("采样点", "06:00-12:00"), ("采样点", "12:00-18:00")]
    with pytest.raises(Invalid, match="出入登记只在卡口"):
        from db.gate import PassageInput, record_passage

        record_passage(point.id, PassageInput("进", "36.5", name="张三", origin_reason="x"))


def test_the_dashboard_card_shows_the_running_round_and_the_grids_behind(
        demo_path: Path) -> None:
    from db.testing import testing_card

    assert testing_card(START) is None
    found = testing.new_round("第1轮", START, END)
    for person in residents(50):
        testing.check_off(found.id, person.id)
    testing.record_positive(found.id, residents(1, 60)[0].id, day=START)
    card = testing_card(START)
    numbers = testing.coverage(found.id)
    assert (card.name, card.tested, card.expected, card.positive) == (
        "第1轮", numbers.tested, numbers.expected, 1)
    grids = sorted(numbers.grids, key=lambda g: -g.missing)
    assert card.behind[0] == (grids[0].name.split("/")[-1], grids[0].missing)
    assert [n for _g, n in card.behind] == sorted((n for _g, n in card.behind), reverse=True)
    assert testing_card(END + dt.timedelta(days=1)) is None

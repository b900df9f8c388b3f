"""Whole-population testing rounds (全员核酸): who should be tested, who was, who is missing
and why, grid by grid.

A round has a name, dates, a scope (the whole township, or chosen areas) and its sampling points
(posts of kind 采样点). Who should be tested (应检) are the residents in scope who are on the
register (在册, or 外出 by status), minus those exempt by a rule, each rule counted on its own:

- 集中隔离: under a centralised-isolation measure during the round (tested there);
- 外出: status 外出, or away (外出 from/to) for the whole round;
- 婴幼儿: younger than the age set in F9 on the round's first day.

A resident sampled is never exempt: whoever was sampled counts as expected and tested. The
first rule that applies names the exemption, so each person is counted once.

Checking off is by ID number, else by name + phone when the row has no ID; a row that does not
point at exactly one resident is reported, never guessed. A resident is checked off once per
round: the same list imported again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter

from db import clock
from db.areas import find_area, full_name
from db.config import get_setting
from db.connection import database
from db.gate import find_person
from db.keypersons import KeyPersonInput, register_key_person, start_measure
from db.models import (
    DRAIN,
    KEY_CATEGORIES,
    MEASURE_KINDS,
    Area,
    Checkpoint,
    Drain,
    KeyPerson,
    MissingReason,
    Resident,
    RoundPoint,
    RoundScope,
    Sample,
    SamplingRound,
    current_user,
    insert_streamed,
    log_change,
)
from db.residents import mask_id
from db.validate import Invalid, check_phone, normalize_text, parse_date

EXEMPT_RULES = ("集中隔离", "外出", "婴幼儿")
REASONS = ("外出", "卧床已上门", "拒检", "联系不上", "已在外地检测", "其他")
SAMPLE_WAYS = ("导入", "采样点", "上门")
RESULTS = ("阴性", "阳性")
POSITIVE_CATEGORY = "疑似"  # offered as 疑似（初筛阳性）: the report's 疑似 row counts them
POSITIVE_MEASURE = "集中隔离"
POSITIVE_SOURCE = "全员核酸检测"
POSITIVE_NOTE = "初筛阳性"
IMPORT_ENTRY = "核酸名单导入"  # the audit "table" of the one entry a list import writes
NO_AREA = "（未分区域）"
Progress = Callable[[str, float], None]


# --- rounds -----------------------------------------------------------------------------------


def new_round(name: str, start: dt.date, end: dt.date, scope: Sequence[str] = (),
              points: Sequence[int] = ()) -> SamplingRound:
    """Set up a round; ``scope`` names areas as ``--area`` does (unknown or ambiguous: error),
    none meaning the whole township; ``points`` are sampling points (posts of kind 采样点)."""
    name = normalize_text(name)
    if not name:
        raise Invalid("请填写轮次名称，例如“第1轮全员核酸”")
    if name.isdigit():
        raise Invalid("轮次名称不能全是数字（数字用来指轮次编号）")
    if end < start:
        raise Invalid("结束日期不能早于开始日期")
    if SamplingRound.select().where(SamplingRound.name == name).exists():
        raise Invalid(f"已有名为“{name}”的轮次")
    areas = [find_area(text) for text in scope if normalize_text(text)]
    with database.atomic():
        found = SamplingRound.create(name=name, start_date=start, end_date=end)
        for area in {a.id: a for a in areas}.values():
            RoundScope.create(round=found, area=area)
        for point_id in points:
            add_point(found.id, point_id)
    return found


def get_round(round_id: int | None) -> SamplingRound | None:
    """The round with that number, or None."""
    if round_id is None:
        return None
    return SamplingRound.get_or_none(SamplingRound.id == round_id)


def get_resident(resident_id: int) -> Resident:
    return Resident.get_by_id(resident_id)


def grid_worker(area_id: int | None) -> tuple[str, str]:
    """(name, phone) of the grid worker of an area (its 负责人), empty when unknown."""
    area = Area.get_or_none(Area.id == area_id) if area_id else None
    return (area.leader, area.phone) if area is not None else ("", "")


def find_round(text: object) -> SamplingRound:
    """A round by its number or its exact name."""
    key = normalize_text(text)
    found = None
    if key.isdigit():
        found = SamplingRound.get_or_none(SamplingRound.id == int(key))
    if found is None and key:
        found = SamplingRound.get_or_none(SamplingRound.name == key)
    if found is None:
        raise Invalid(f"没有编号或名称为“{key}”的核酸检测轮次")
    return found


def rounds() -> list[SamplingRound]:
    """Every round, the latest first."""
    return list(SamplingRound.select().order_by(SamplingRound.start_date.desc(),
                                                SamplingRound.id.desc()))


def running_round(day: dt.date | None = None) -> SamplingRound | None:
    """The round under way on ``day`` (default today), the latest started if several."""
    day = day or clock.today()
    return (SamplingRound.select()
            .where((SamplingRound.start_date <= day) & (SamplingRound.end_date >= day))
            .order_by(SamplingRound.start_date.desc(), SamplingRound.id.desc()).first())


def scope_names(round_id: int) -> list[str]:
    """The full names of a round's areas; empty for the whole township."""
    return [full_name(s.area) for s in RoundScope.select().where(RoundScope.round == round_id)]


def new_point(name: str, area: Area | None = None, address: str = "",
              person: str = "", phone: str = "", staff_per_shift: int = 4) -> Checkpoint:
    """A sampling point: a post of kind 采样点, staffed on the sampling slots."""
    name = normalize_text(name)
    if not name:
        raise Invalid("请填写采样点名称")
    if Checkpoint.select().where(Checkpoint.name == name).exists():
        raise Invalid(f"已有名为“{name}”的卡口或采样点")
    phone = check_phone(phone) if normalize_text(phone) else ""
    return Checkpoint.create(name=name, area=area, address=normalize_text(address),
                             person=normalize_text(person), phone=phone,
                             staff_per_shift=staff_per_shift, needs_leader=False,
                             post_kind="采样点")


def find_or_add_point(name: str) -> Checkpoint:
    """The sampling point called ``name``, set up now if there is none; a checkpoint (卡口) of
    that name is refused."""
    found = Checkpoint.get_or_none(Checkpoint.name == normalize_text(name))
    if found is None:
        return new_point(name)
    if found.post_kind != "采样点":
        raise Invalid(f"“{found.name}”是卡口，不是采样点")
    return found


def add_point(round_id: int, point_id: int) -> RoundPoint:
    point = Checkpoint.get_by_id(point_id)
    if point.post_kind != "采样点":
        raise Invalid(f"“{point.name}”是卡口，不是采样点")
    existing = RoundPoint.get_or_none((RoundPoint.round == round_id) & (RoundPoint.point == point))
    return existing or RoundPoint.create(round=round_id, point=point)


def round_points(round_id: int) -> list[Checkpoint]:
    return [rp.point for rp in RoundPoint.select().where(RoundPoint.round == round_id)
            .order_by(RoundPoint.id)]


def sampling_points() -> list[Checkpoint]:
    return list(Checkpoint.select().where(Checkpoint.post_kind == "采样点").order_by(Checkpoint.id))


# --- who should be tested ---------------------------------------------------------------------


def infant_age() -> int:
    """Children younger than this many years on the round's first day are exempt (0: none)."""
    return int(get_setting("testing_infant_age"))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _population(found: SamplingRound, as_of: dt.datetime | None = None
                ) -> tuple[str, dict[str, object]]:
    """SQL of every resident in the round's scope on the register: (id, household, area path,
    sampled by ``as_of`` (default: ever), exempt rule or NULL), and its parameters."""
    start, end = found.start_date, found.end_date
    years = infant_age()
    params: dict[str, object] = {
        "moment": (as_of or dt.datetime.max).isoformat(sep=" "), "round": found.id,
        "start": start.isoformat(), "end": end.isoformat(), "iso": MEASURE_KINDS[0],
        "infant": _years_before(start, years).isoformat(), "infant_rule": years > 0}
    paths = [s.area.path for s in RoundScope.select(RoundScope, Area).join(Area)
             .where(RoundScope.round == found.id)]
    scope = ""
    if paths:
        for n, path in enumerate(paths):
            params[f"p{n}"] = f"{path}%"
        scope = " AND (" + " OR ".join(f"a.path LIKE :p{n}" for n in range(len(paths))) + ")"
    sql = (
        "SELECT r.id AS id, h.area_id AS area, coalesce(a.path, '') AS path, "
        "r.immobile AS immobile, "
        "s.id IS NOT NULL AS sampled, CASE WHEN s.id IS NOT NULL THEN NULL "
        "WHEN r.id IN (SELECT k.resident_id FROM key_person k JOIN measure m "
        "ON m.person_id = k.id WHERE m.kind = :iso AND m.start_date <= :end "
        "AND (m.released_on IS NULL OR m.released_on >= :start)) THEN '集中隔离' "
        "WHEN r.status = '外出' OR (r.away_from IS NOT NULL AND r.away_from <= :start "
        "AND (r.away_to IS NULL OR r.away_to >= :end)) THEN '外出' "
        "WHEN :infant_rule AND r.birth_date > :infant THEN '婴幼儿' END AS rule "
        "FROM resident r LEFT JOIN household h ON h.id = r.household_id "
        "LEFT JOIN area a ON a.id = h.area_id "
        "LEFT JOIN sample s ON s.round_id = :round AND s.resident_id = r.id AND s.at <= :moment "
        f"WHERE r.status IN ('在册', '外出'){scope}")
    return sql, params


class Tally:
    """Who should be tested and who was: the missing and the rate of a round, an area, a card."""

    expected: int
    tested: int

    @property
    def missing(self) -> int:
        return self.expected - self.tested

    @property
    def rate(self) -> float:
        return self.tested / self.expected if self.expected else 1.0


@dataclass
class AreaCoverage(Tally):
    area_id: int | None
    name: str  # full name, 城关社区/阳光小区/第1网格
    level: int  # 1 community, 3 grid (or the deepest level above a grid)
    expected: int = 0
    tested: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"area": self.name, "expected": self.expected, "tested": self.tested,
                "missing": self.missing}


@dataclass
class Coverage(Tally):
    round_id: int
    name: str
    expected: int = 0
    tested: int = 0
    exempt: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EXEMPT_RULES, 0))
    door: int = 0  # expected residents flagged 行动不便
    door_tested: int = 0
    positive: int = 0
    communities: list[AreaCoverage] = field(default_factory=list)
    grids: list[AreaCoverage] = field(default_factory=list)

    def by_area(self) -> list[AreaCoverage]:
        """Each community followed by its grids, in tree order."""
        out: list[AreaCoverage] = []
        for community in self.communities:
            out.append(community)
            prefix = f"{community.name}/"
            out.extend(g for g in self.grids if g.name.startswith(prefix))
        return out

    def behind(self, count: int = 5) -> list[AreaCoverage]:
        """The grids furthest behind: most missing first, then the lowest share tested."""
        return sorted((g for g in self.grids if g.missing),
                      key=lambda g: (-g.missing, g.rate, g.name))[:count]

    def as_dict(self) -> dict[str, object]:
        return {"expected": self.expected, "tested": self.tested, "missing": self.missing,
                "exempt": dict(self.exempt), "by_area": [a.as_dict() for a in self.by_area()]}


def _area_names() -> tuple[dict[int, str], dict[int, int], dict[int, int]]:
    """(full name, level, sort) of every area, by id."""
    rows = database.execute_sql("SELECT id, name, level, path, sort FROM area").fetchall()
    names = {i: n for i, n, *_ in rows}
    full = {i: "/".join(names.get(int(p), "?") for p in path.strip("/").split("/") if p)
            for i, _n, _l, path, _s in rows}
    return full, {i: lvl for i, _n, lvl, _p, _s in rows}, {i: s for i, *_r, s in rows}


def coverage(round_id: int, as_of: dt.datetime | None = None) -> Coverage:
    """The round's numbers (as of a moment, default now): 应检、已检、未检, each exemption rule,
    by community and grid."""
    found = SamplingRound.get_by_id(round_id)
    sql, params = _population(found, as_of)
    result = Coverage(found.id, found.name)
    rows = database.execute_sql(
        f"SELECT p.area, p.rule, p.sampled, p.immobile, count(*) FROM ({sql}) p "
        "GROUP BY 1, 2, 3, 4", params).fetchall()
    paths = dict(database.execute_sql("SELECT id, path FROM area").fetchall())
    full, levels, _sort = _area_names()
    communities: dict[int | None, AreaCoverage] = {}
    grids: dict[int, AreaCoverage] = {}
    for area_id, rule, sampled, immobile, n in rows:
        path = paths.get(area_id, "")
        if rule is not None:
            result.exempt[rule] += n
            continue
        result.expected += n
        result.tested += n if sampled else 0
        if immobile:
            result.door += n
            result.door_tested += n if sampled else 0
        ids = [int(p) for p in path.strip("/").split("/") if p]
        top = ids[0] if ids else None
        entry = communities.setdefault(
            top, AreaCoverage(top, full.get(top, NO_AREA) if top else NO_AREA, 1))
        entry.expected += n
        entry.tested += n if sampled else 0
        if len(ids) >= 2:
            grid = ids[2] if len(ids) >= 3 else ids[-1]
            cell = grids.setdefault(grid, AreaCoverage(grid, full[grid], levels[grid]))
            cell.expected += n
            cell.tested += n if sampled else 0
    result.positive = Sample.select().where(
        (Sample.round == round_id) & (Sample.result == "阳性")
        & (Sample.at <= (as_of or dt.datetime.max))).count()
    result.communities = sorted(communities.values(), key=lambda a: (a.area_id is None, a.name))
    result.grids = sorted(grids.values(), key=lambda a: a.name)
    return result


# --- the missing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingPerson:
    resident_id: int
    grid_id: int | None  # the grid (or the deepest area above one) the household is in
    name: str
    id_number: str
    phone: str
    community: str
    grid: str
    building: str
    address: str
    door: str
    immobile: bool
    reason: str
    note: str

    @property
    def id_masked(self) -> str:
        return mask_id(self.id_number)


def missing(round_id: int, area_id: int | None = None, immobile_only: bool = False,
            include_tested: bool = False) -> list[MissingPerson]:
    """Who is expected and not yet sampled (未检), by community, grid, building and door, with
    the reason recorded. ``immobile_only``: the 行动不便 (the door-to-door list), which with
    ``include_tested`` keeps those already sampled at home, to tick off on paper."""
    found = SamplingRound.get_by_id(round_id)
    sql, params = _population(found)
    where = ["p.rule IS NULL"]
    if not include_tested:
        where.append("NOT p.sampled")
    if immobile_only:
        where.append("r.immobile")
    if area_id is not None:
        params["under"] = f"{Area.get_by_id(area_id).path}%"
        where.append("p.path LIKE :under")
    rows = database.execute_sql(
        f"SELECT r.id, r.name, r.id_number, r.phone, p.path, coalesce(h.address, ''), "
        "coalesce(h.unit, ''), coalesce(h.door, ''), r.immobile, coalesce(mr.reason, ''), "
        f"coalesce(mr.note, ''), p.sampled FROM ({sql}) p JOIN resident r ON r.id = p.id "
        "LEFT JOIN household h ON h.id = r.household_id "
        "LEFT JOIN missing_reason mr ON mr.round_id = :round AND mr.resident_id = r.id "
        f"WHERE {' AND '.join(where)}", params).fetchall()
    names = dict(database.execute_sql("SELECT id, name FROM area").fetchall())
    out = []
    for rid, name, number, phone, path, address, unit, door, immobile, reason, note, sampled in rows:
        ids = [int(p) for p in path.strip("/").split("/") if p]
        parts = [names.get(i, "") for i in ids] + ["", "", "", ""]
        reason = "已采样" if sampled else reason
        grid_id = ids[2] if len(ids) >= 3 else (ids[-1] if ids else None)
        out.append(MissingPerson(rid, grid_id, name, number, phone, parts[0], parts[2] or parts[1],
                                 parts[3], address, " ".join(x for x in (unit, door) if x),
                                 bool(immobile), reason, note))
    out.sort(key=lambda m: (m.community, m.grid, m.building, m.door, m.address, m.name))
    return out


def record_reason(round_id: int, resident_id: int, reason: str, note: str = "") -> MissingReason:
    """The grid worker's reason why a resident was not sampled; an empty reason clears it."""
    reason = normalize_text(reason)
    existing = MissingReason.get_or_none((MissingReason.round == round_id)
                                         & (MissingReason.resident == resident_id))
    if reason and reason not in REASONS:
        raise Invalid(f"未检原因应为：{'、'.join(REASONS)}")
    if reason == "其他" and not normalize_text(note):
        raise Invalid("原因为“其他”时请写明情况")
    if existing is None:
        return MissingReason.create(round=round_id, resident=resident_id, reason=reason,
                                    note=normalize_text(note))
    existing.reason, existing.note = reason, normalize_text(note)
    existing.recorded_at = clock.now()
    existing.save()
    return existing


# --- checking people off ----------------------------------------------------------------------


def check_off(round_id: int, resident_id: int, how: str = "采样点", point_id: int | None = None,
              at: dt.datetime | None = None, source: str = "") -> tuple[Sample, bool]:
    """Check one resident off (fast entry at a point, or a mobile team at home).
    Returns the sample and whether it is new (a second check-off changes nothing)."""
    if how not in SAMPLE_WAYS:
        raise Invalid(f"采样方式应为：{'、'.join(SAMPLE_WAYS)}")
    existing = Sample.get_or_none((Sample.round == round_id) & (Sample.resident == resident_id))
    if existing is not None:
        return existing, False
    sample = Sample.create(round=round_id, resident=resident_id, at=at or clock.now(), how=how,
                           point=point_id, source=normalize_text(source) or current_user())
    return sample, True


def find_for_check_off(text: str) -> list[Resident]:
    """The resident at a sampling point: ID tail, name, pinyin initials or pass card, as at the
    gate."""
    return find_person(text)


SampleRow = tuple[str, int, str, str, str, str]
"""One row of the sampling system's list, as read: (sheet, row number, ID number, name, phone,
sampling time as "2022-04-12 06:30[:00]" or ""), values plain text. A plain tuple: a list
runs to 300,000 rows, and a tuple costs a quarter of a dataclass to make."""


@dataclass
class Unmatched:
    sheet: str
    row: int
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"sheet": self.sheet, "row": self.row, "reason": self.reason}

    def text(self) -> str:
        place = f"工作表“{self.sheet}”第{self.row}行" if self.sheet else f"第{self.row}行"
        return f"{place}：{self.reason}"


@dataclass
class ImportResult:
    matched: int = 0
    already: int = 0
    unmatched: list[Unmatched] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, object]:
        return {"matched": self.matched, "already": self.already,
                "unmatched": [u.as_dict() for u in self.unmatched]}

    def text(self) -> str:
        head = "（试运行，未写入）" if self.dry_run else ""
        return (f"{head}新核销 {self.matched} 人，此前已核销 {self.already} 人，"
                f"未匹配 {len(self.unmatched)} 行")


_X = str.maketrans("x", "X")


def _id_key(text: str) -> str:
    return "".join(text.split()).translate(_X)


@dataclass
class Register:
    """What a check-off matches rows against: residents by ID number, and who the round has
    checked off already; ``marker`` is the writing connection's :func:`_commit_marker` from
    before a read made on another thread."""

    ids: dict[str, int]
    done: set[int]
    marker: tuple[int, int] | None = None


def _commit_marker() -> tuple[int, int]:
    """Moves whenever anything is committed to the file: by another connection (SQLite's
    data_version) or by this one (its count of changed rows)."""
    version = database.execute_sql("PRAGMA data_version").fetchone()[0]
    return version, database.connection().total_changes


def read_register(round_id: int, numbers: Iterable[str] | None = None) -> Register:
    """The register for a check-off: every resident's ID number, or only ``numbers`` (looked
    up in one statement, in the index's order: half the work of probing in a list's order)."""
    if numbers is None:
        pairs = database.execute_sql("SELECT id_number, id FROM resident").fetchall()
    else:
        pairs = database.execute_sql(
            "SELECT j.value, r.id FROM json_each(?) j JOIN resident r ON r.id_number = j.value",
            [json.dumps(sorted(set(numbers)))]).fetchall()
    done = {rid for (rid,) in database.execute_sql(
        "SELECT resident_id FROM sample WHERE round_id = ?", [round_id]).fetchall()}
    return Register(dict(pairs), done)


def read_register_ahead(pool: Executor, round_id: int) -> Future[Register]:
    """Start reading the whole register on ``pool``'s thread, through that thread's own
    connection (closed after), while a long list is still being parsed. The check-off reads
    it again if anything was committed in between (see :class:`Register`)."""
    marker = _commit_marker()

    def read() -> Register:
        with database.connection_context():
            register = read_register(round_id)
        register.marker = marker
        return register

    return pool.submit(read)


def import_samples(round_id: int, rows: Iterable[SampleRow], dry_run: bool = False,
                   source: str = "", progress: Progress | None = None,
                   register: Register | None = None) -> ImportResult:
    """Check off every row of the sampling system's list in one transaction.

    By ID number; a row without one by name + phone, only when exactly one resident has both.
    A row whose ID or name + phone points at nobody (or at several) is listed as unmatched;
    a row repeating a resident of the same list, or one already checked off, is ``already``.
    ``register`` is the whole register read ahead (:func:`read_register_ahead`, for a long
    list): ``rows`` are then matched and written as they come, so a list still being read is
    written meanwhile. Without it, the rows are taken first and only their own ID numbers
    looked up.

    The matching runs inside the write transaction, which takes the file's write lock first:
    the residents matched are exactly those on file when the rows are inserted, so the insert
    skips SQLite's per-row foreign-key look-ups (a third of writing 300,000 samples). Each
    block of matched rows is written while the next is matched (:func:`insert_streamed`)."""
    if register is None:
        rows = list(rows)
    if dry_run:
        matching = _Matching(round_id, rows, register, source, ImportResult(dry_run=True))
        for _block in matching.blocks():
            pass
        return matching.result
    report = progress or (lambda _stage, _fraction: None)
    with _foreign_keys_unchecked(), database.atomic("IMMEDIATE"):
        found = SamplingRound.get_by_id(round_id)
        matching = _Matching(round_id, rows, register, source, ImportResult(), report)
        insert_streamed("sample", ("resident_id", "at", "source"), matching.blocks(),
                        action="导入", batch={"文件": source, "轮次": found.name},
                        fixed={"round_id": round_id, "how": "导入", "result": ""})
        result = matching.result
        if result.matched:  # else nothing is written: the file is left exactly as it was
            log_change("导入", IMPORT_ENTRY, found.id, None, {
                "文件": source, "轮次": found.name, "新核销": result.matched,
                "已核销": result.already, "未匹配": len(result.unmatched)})
    report("完成", 1.0)
    return result


@contextmanager
def _foreign_keys_unchecked() -> Iterator[None]:
    """Foreign keys off for one transaction of this connection (a no-op inside another
    transaction, where SQLite ignores the pragma and keeps checking); on again after."""
    outer = database.in_transaction()
    if not outer:
        database.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if not outer:
            database.execute_sql("PRAGMA foreign_keys = ON")


class _Matching:
    """The rows of a list matched to residents, block by block (see :func:`import_samples`):
    ``result`` counts them as the blocks are taken."""

    BLOCK = 50_000

    def __init__(self, round_id: int, rows: Iterable[SampleRow], register: Register | None,
                 source: str, result: ImportResult, report: Progress | None = None) -> None:
        if register is None:  # the rows are a list (see import_samples)
            register = read_register(round_id, (r[2].upper() for r in rows if r[2]))
        elif register.marker is not None and register.marker != _commit_marker():
            register = read_register(round_id)
        self.rows, self.source, self.result = rows, source, result
        self.register, self.report = register, report
        self.by_name: dict[tuple[str, str], int | None] = {}
        self.phones: set[str] = set()  # looked up for by_name
        self.now = clock.now().isoformat(sep=" ")

    def blocks(self) -> Iterator[list[tuple[object, ...]] | Drain]:
        """The new samples' rows, a block at a time, each in residents' order (the (round,
        resident) index then grows at its end instead of splitting pages all over: 40% less
        work). A block with rows to match by name + phone first yields DRAIN, then looks them
        up: the connection is otherwise the writer's."""
        source, result, now = self.source, self.result, self.now
        looked_up, done, by_name = self.register.ids, set(self.register.done), self.by_name
        unmatched = result.unmatched
        total = len(self.rows) if isinstance(self.rows, list) else 0
        rows = iter(self.rows)
        taken = 0
        while block := list(itertools.islice(rows, self.BLOCK)):
            phones = {phone for _s, _n, number, name, phone, _at in block
                      if not number and name and phone} - self.phones
            if phones:
                yield DRAIN
                by_name.update(_by_name_phone(phones))
                self.phones |= phones
            new: list[tuple[object, ...]] = []
            for sheet, number, id_number, name, phone, at in block:
                if id_number:
                    rid = looked_up.get(id_number) or looked_up.get(id_number.upper())
                    if rid is None:
                        unmatched.append(Unmatched(
                            sheet, number, f"身份证号码{mask_id(_id_key(id_number))}不在居民库中"))
                        continue
                elif name and phone:
                    rid = by_name.get((name, phone), 0)
                    if rid == 0:
                        unmatched.append(Unmatched(
                            sheet, number, f"没有身份证号码，姓名“{name}”+电话未找到居民"))
                        continue
                    if rid is None:
                        unmatched.append(Unmatched(
                            sheet, number, f"姓名“{name}”+电话对应多名居民，请补身份证号码"))
                        continue
                else:
                    unmatched.append(Unmatched(sheet, number,
                                               "没有身份证号码，也没有姓名和电话，无法核对"))
                    continue
                if rid in done:
                    result.already += 1
                    continue
                done.add(rid)
                place = f"{source}:{sheet}:{number}" if sheet else f"{source}:{number}"
                new.append((rid, at or now, place[:255]))
            result.matched += len(new)
            new.sort(key=itemgetter(0))
            taken += len(block)
            if self.report is not None and total:
                self.report("写入", min(0.5 + 0.5 * taken / total, 1.0))
            yield new


def _by_name_phone(phones: set[str]) -> dict[tuple[str, str], int | None]:
    """Residents by (name, phone) with one of ``phones``: None where several share both."""
    found: dict[tuple[str, str], int | None] = {}
    ordered = sorted(phones)
    for n in range(0, len(ordered), 900):
        chunk = ordered[n:n + 900]
        for rid, name, phone in database.execute_sql(
                "SELECT id, name, phone FROM resident WHERE phone IN "
                f"({','.join('?' * len(chunk))})", chunk).fetchall():
            key = (name, phone)
            found[key] = None if key in found else rid
    return found


# --- results ----------------------------------------------------------------------------------


def record_result(round_id: int, resident_id: int, result: str) -> Sample:
    """A sampled resident's result; 阳性 goes through :func:`record_positive`."""
    if result not in RESULTS:
        raise Invalid(f"检测结果应为：{'、'.join(RESULTS)}")
    sample = Sample.get_or_none((Sample.round == round_id) & (Sample.resident == resident_id))
    if sample is None:
        raise Invalid("该居民本轮尚未采样，不能登记结果")
    sample.result = result
    sample.save()
    return sample


def record_positive(round_id: int, resident_id: int, category: str = POSITIVE_CATEGORY,
                    measure: str = POSITIVE_MEASURE, place: str = "",
                    day: dt.date | None = None) -> KeyPerson:
    """A positive result makes the person a key person in one step: the result, the key person
    (source 全员核酸检测, default 疑似 marked 初筛阳性) and the first measure (集中隔离 by default,
    its length by the category's policy), all or nothing."""
    if category not in KEY_CATEGORIES:
        raise Invalid(f"人员类别应为：{'/'.join(KEY_CATEGORIES)}")
    if measure not in MEASURE_KINDS:
        raise Invalid(f"管控措施应为：{'/'.join(MEASURE_KINDS)}")
    found = SamplingRound.get_by_id(round_id)
    day = day or clock.today()
    resident = Resident.get_by_id(resident_id)
    with database.atomic():
        sample, _new = check_off(round_id, resident_id, how="采样点")
        sample.result = "阳性"
        sample.save()
        person = register_key_person(
            KeyPersonInput(category, POSITIVE_SOURCE, notes=f"{POSITIVE_NOTE}（{found.name}）",
                           found_on=day), resident)
        start_measure(person.id, measure, day, place=place or ("待定" if measure == "集中隔离"
                                                               else ""))
    return person


# --- residents' testing fields ----------------------------------------------------------------


def check_away(start: object, end: object) -> tuple[dt.date | None, dt.date | None]:
    """外出 from/to as typed (2022-04-11, 4.11, 4月11日…; both empty: not away)."""
    try:
        first = parse_date(start)
    except Invalid as exc:
        raise Invalid(f"外出日期：{exc}") from None
    try:
        last = parse_date(end)
    except Invalid as exc:
        raise Invalid(f"返回日期：{exc}") from None
    if first is None and last is not None:
        raise Invalid("请填写外出日期（只填返回日期无法判断何时外出）")
    if first is not None and last is not None and last < first:
        raise Invalid("返回日期不能早于外出日期")
    return first, last


def save_with_testing_fields(save: Callable[[], Resident],
                             away: tuple[dt.date | None, dt.date | None],
                             immobile: bool) -> Resident:
    """Save a resident (``save``: the form's add or edit) and their 外出 dates and 行动不便,
    all or nothing."""
    with database.atomic():
        resident = save()
        if (resident.away_from, resident.away_to, bool(resident.immobile)) != (*away, immobile):
            resident.away_from, resident.away_to = away
            resident.immobile = immobile
            resident.save()
    return resident


def set_away(resident_ids: Sequence[int], start: dt.date | None, end: dt.date | None) -> int:
    """Mark residents away (外出) from ``start`` to ``end`` (open end: not back yet); both None
    clears it. Returns how many changed."""
    if start is None and end is not None:
        raise Invalid("请填写外出开始日期")
    if start is not None and end is not None and end < start:
        raise Invalid("返回日期不能早于外出日期")
    changed = 0
    with database.atomic():
        for resident in Resident.select().where(Resident.id.in_(list(resident_ids))):
            if (resident.away_from, resident.away_to) != (start, end):
                resident.away_from, resident.away_to = start, end
                resident.save()
                changed += 1
    return changed


def set_immobile(resident_ids: Sequence[int], immobile: bool = True) -> int:
    """Flag residents 行动不便 (sampled at home by a mobile team), in bulk."""
    changed = 0
    with database.atomic():
        for resident in Resident.select().where(Resident.id.in_(list(resident_ids))):
            if bool(resident.immobile) != immobile:
                resident.immobile = immobile
                resident.save()
                changed += 1
    return changed


@dataclass
class MarkRow:
    """A row of a list marking residents: ID, 外出 from/to, 行动不便 (cells as read)."""

    sheet: str
    row: int
    id_number: object
    away_from: object
    away_to: object
    immobile: object
    has_away: bool  # the list has 外出 columns: empty cells clear the dates
    has_immobile: bool


YES = ("是", "√", "1", "Y", "YES", "TRUE", "行动不便")
NO = ("", "否", "0", "N", "NO", "FALSE", "×")


@dataclass
class MarkResult:
    changed: int = 0
    unchanged: int = 0
    problems: list[Unmatched] = field(default_factory=list)

    def text(self) -> str:
        return (f"已更新 {self.changed} 人，无变化 {self.unchanged} 人，"
                f"有问题 {len(self.problems)} 行（未作任何修改）" if self.problems else
                f"已更新 {self.changed} 人，无变化 {self.unchanged} 人")


def apply_marks(rows: Sequence[MarkRow]) -> MarkResult:
    """Mark residents 外出 and 行动不便 in bulk from a list, by ID number; all or nothing: a
    list with any row that cannot be applied changes nothing and names every such row."""
    result = MarkResult()
    plan: list[tuple[Resident, tuple[dt.date | None, dt.date | None] | None, bool | None]] = []
    for row in rows:
        place = Unmatched(row.sheet, row.row, "")
        try:
            number = normalize_text(row.id_number).replace(" ", "").upper()
            resident = Resident.get_or_none(Resident.id_number == number)
            if resident is None:
                raise Invalid(f"身份证号码{mask_id(number) if number else '（空）'}不在居民库中")
            away = check_away(row.away_from, row.away_to) if row.has_away else None
            immobile = None
            if row.has_immobile:
                word = normalize_text(row.immobile).upper()
                if word not in YES and word not in NO:
                    raise Invalid(f"“行动不便”应填“是”或“否”，填的是“{word}”")
                immobile = word in YES
        except Invalid as exc:
            place.reason = str(exc)
            result.problems.append(place)
            continue
        plan.append((resident, away, immobile))
    if result.problems:
        return result
    with database.atomic():
        for resident, away, immobile in plan:
            before = (resident.away_from, resident.away_to, bool(resident.immobile))
            after = (*(away or before[:2]), before[2] if immobile is None else immobile)
            if after == before:
                result.unchanged += 1
                continue
            resident.away_from, resident.away_to, resident.immobile = after
            resident.save()
            result.changed += 1
    return result


# --- daily report -----------------------------------------------------------------------------


def report_section(day: dt.date, as_of: dt.datetime | None = None
                   ) -> tuple[str, list[tuple[str, str | int]]] | None:
    """The daily report's section of the round running on ``day`` (numbers as of ``as_of``,
    default 24:00 of the day or now); None when no round runs that day."""
    found = running_round(day)
    if found is None:
        return None
    numbers = coverage(found.id, as_of or min(clock.now(), clock.day_end(day)))
    return (f"全员核酸检测（{found.name}）",
            [("应检", numbers.expected), ("已检", numbers.tested), ("未检", numbers.missing),
             ("上门", numbers.door_tested), ("阳性", numbers.positive)])


@dataclass(frozen=True)
class TestingCard(Tally):
    """The running round of 全员核酸 on the 首页: its coverage and the grids furthest behind."""

    name: str
    expected: int
    tested: int
    positive: int
    behind: list[tuple[str, int]]  # (grid, missing), most missing first


def testing_card(day: dt.date | None = None) -> TestingCard | None:
    """The card of the round running on ``day`` (default today); None when none is. Read
    apart from the rest of the 首页: a town's round takes a second or two to count."""
    found = running_round(day or clock.today())
    if found is None:
        return None
    numbers = coverage(found.id)
    return TestingCard(found.name, numbers.expected, numbers.tested, numbers.positive,
                       [(g.name.split("/")[-1], g.missing) for g in numbers.behind(3)])

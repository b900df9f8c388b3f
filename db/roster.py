"""Post rosters (卡口/采样点值守排班): shift slots, shifts, a planner that fills them, and a check.

Both kinds of post are staffed here: checkpoints (卡口) on the 卡口班次 that cover the whole
day, sampling points (采样点) on slots of their own (采样点班次, e.g. 06:00-12:00,12:00-18:00)
that need not. One person's shifts are compared by their times, so the rules hold across both.

The planner keeps every valid assignment it finds (pinned, manual, or from an earlier plan) and
fills only what is missing, so a re-plan after someone drops out changes only what it must. Its
rules: nobody in two places at once; no two shifts that touch (one ending as the next begins,
across midnight too, at either kind of post); unavailability and weekly maxima respected; a
leader (带班领导) on every shift that needs one; the least-loaded person first (nights
counted apart), preferring people whose home is the post's community; same input, same plan.
A shift it cannot fill is reported with why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from db import clock, recycle
from db.audit import log_change
from db.clock import shift_span
from db.config import get_setting
from db.connection import database
from db.models import (
    Area,
    Assignment,
    Checkpoint,
    Shift,
    ShiftSlot,
    Staff,
    Unavailability,
    delete_rows,
    insert_rows,
    raw_row,
)
from db.validate import Invalid, normalize_text

Progress = Callable[[str, float], None]


_SLOT = re.compile(r"(\d{1,2})(?::(\d{2}))?-(\d{1,2})(?::(\d{2}))?")


def parse_slots(text: str, whole_day: bool = True) -> list[tuple[str, str]]:
    """The day's shifts from "00:00-08:00,08:00-16:00,16:00-24:00": (start, end) each, the
    whole 24 hours covered with no gap or overlap; with ``whole_day`` False (a sampling
    point's hours) gaps are allowed, each slot within the day, in order, none overlapping.
    Invalid says which part is wrong."""
    normal = normalize_text(text)
    for dash in ("—", "–", "～", "~", "至"):
        normal = normal.replace(dash, "-")
    parts = [p.replace(" ", "") for p in re.split(r"[,，、;；]", normal) if p.strip()]
    if not parts:
        raise Invalid("请填写班次，例如 00:00-08:00,08:00-16:00,16:00-24:00")
    if len(parts) > 6:
        raise Invalid(f"班次最多6个，填写了{len(parts)}个")
    slots: list[tuple[str, str]] = []
    for part in parts:
        match = _SLOT.fullmatch(part)
        if match is None:
            raise Invalid(f"班次“{part}”应写作“08:00-16:00”")
        h1, m1, h2, m2 = match.groups()
        start, end = f"{int(h1):02d}:{m1 or '00'}", f"{int(h2):02d}:{m2 or '00'}"
        if not ("00:00" <= start < "24:00" and "00:00" <= end <= "24:00"
                and start[3:] < "60" and end[3:] < "60"):
            raise Invalid(f"班次“{part}”的时间不对（应在00:00—24:00之间）")
        slots.append((start, end))
    if not whole_day:
        for start, end in slots:
            if start >= end:
                raise Invalid(f"采样点班次“{start}-{end}”应在当天内结束（开始早于结束）")
        for (start, end), (after, _e) in zip(slots, slots[1:], strict=False):
            if after < end:
                raise Invalid(f"采样点班次“{start}-{end}”与下一班“{after}”起重叠或顺序不对；"
                              "应按时间先后填写，互不重叠")
        return slots
    for (_s, end), (start, _e) in zip(slots, slots[1:] + slots[:1], strict=True):
        if end.replace("24:00", "00:00") != start:
            raise Invalid(f"班次没有首尾相接：一班{end}结束，下一班却从{start}开始；"
                          "各班次应首尾相接、正好覆盖全天24小时")
    return slots


def _is_night(start: str, end: str) -> bool:
    return start < "06:00" or end <= "06:00" or start >= "20:00"


SLOT_SETTINGS = {"卡口": "shift_slots", "采样点": "sampling_slots"}  # post kind -> its setting


def stored_slots(kind: str = "卡口") -> list[ShiftSlot]:
    """The shift slots of one kind of post as stored (none before its first shift is made)."""
    return list(ShiftSlot.select().where(ShiftSlot.post_kind == kind)
                .order_by(ShiftSlot.sort, ShiftSlot.id))


def ensure_slots(kind: str = "卡口") -> list[ShiftSlot]:
    """The shift slots of one kind of post, created from its setting (卡口班次 e.g.
    00:00-08:00,08:00-16:00,16:00-24:00; 采样点班次 e.g. 06:00-12:00,12:00-18:00)."""
    slots = stored_slots(kind)
    if slots:
        return slots
    with database.atomic():
        parsed = parse_slots(get_setting(SLOT_SETTINGS[kind]), whole_day=kind == "卡口")
        for n, (start, end) in enumerate(parsed):
            slots.append(ShiftSlot.create(name=f"{start}-{end}", start=start, end=end, sort=n,
                                          is_night=_is_night(start, end), post_kind=kind))
    return slots


def slots_for(checkpoint: Checkpoint) -> list[ShiftSlot]:
    """The slots a post is staffed on: the 卡口班次 or the 采样点班次."""
    return ensure_slots(checkpoint.post_kind)


def _span_sql(start: str, end: str) -> tuple[float, str]:
    """(hours, SQLite modifier from a shift's date to its end) of a slot."""
    hours, ends = shift_span(dt.date(2000, 1, 1), start, end)
    return hours, f"+{int((ends - dt.datetime(2000, 1, 1)).total_seconds() // 60)} minutes"


def apply_slots(slots: list[tuple[str, str]], kind: str = "卡口") -> None:
    """Bring the stored slots in line with a changed 班次 setting. New times apply to the
    shifts of each slot that have not started yet (the 1st slot stays the 1st); a shift
    already begun or worked keeps the length and end it had. The number of slots can only
    change while no shift has been made yet, since each shift and its people belong to a slot."""
    current = stored_slots(kind)
    if not current:
        return
    if len(current) != len(slots) and (
            shifts := Shift.select().join(ShiftSlot).where(ShiftSlot.post_kind == kind).count()):
        raise Invalid(f"已有{shifts}个排班班次按现在的{len(current)}个班次排定，班次数不能改为"
                      f"{len(slots)}个；可以只改各班次的时间")
    moment = clock.now().isoformat(sep=" ")
    with database.atomic():
        for n, (start, end) in enumerate(slots):
            slot = current[n] if n < len(current) else ShiftSlot(sort=n, post_kind=kind)
            if (slot.start, slot.end) != (start, end):
                slot.name, slot.start, slot.end = f"{start}-{end}", start, end
                slot.is_night = _is_night(start, end)
                slot.save()
                hours, modifier = _span_sql(start, end)
                database.execute_sql(
                    "UPDATE shift SET hours = ?, ends_at = datetime(date, ?) WHERE slot_id = ? "
                    "AND datetime(ends_at, '-' || CAST(round(hours * 60) AS INTEGER) || "
                    "' minutes') > ?", [hours, modifier, slot.id, moment])
        for slot in current[len(slots):]:  # no shift uses them (checked above)
            log_change("删除", ShiftSlot, slot.id, raw_row(ShiftSlot, slot.id), None)
            ShiftSlot.delete().where(ShiftSlot.id == slot.id).execute()


def find_checkpoint(name: str) -> Checkpoint:
    """The checkpoint or sampling point called ``name``; an unknown name is an error."""
    found = Checkpoint.get_or_none(Checkpoint.name == normalize_text(name))
    if found is None:
        raise Invalid(f"没有名为“{name}”的卡口或采样点")
    return found


def _community(area_id: int | None, paths: dict[int, str]) -> str:
    path = paths.get(area_id or 0, "")
    return path.strip("/").split("/")[0] if path else ""


def _week(day: dt.date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso[0], iso[1]


@dataclass
class Gap:
    checkpoint: str
    date: dt.date
    slot: str
    missing: int
    reason: str

    def text(self) -> str:
        return f"{self.checkpoint} {self.date:%m-%d} {self.slot} 缺{self.missing}人：{self.reason}"


@dataclass
class PlanResult:
    shifts: int = 0
    added: int = 0
    removed: int = 0
    gaps: list[Gap] = field(default_factory=list)

    def text(self) -> str:
        head = f"共 {self.shifts} 个班次，新排 {self.added} 人次，撤下 {self.removed} 人次"
        return head + (f"；{len(self.gaps)} 个班次未排满" if self.gaps else "；全部排满")


def _open(cp: Checkpoint, day: dt.date) -> bool:
    """Whether a checkpoint is in service on ``day`` (between its 启用 and 停用 dates)."""
    return (cp.active_from is None or cp.active_from <= day) and (
        cp.active_to is None or cp.active_to >= day)


def create_shifts(start: dt.date, end: dt.date, checkpoint_id: int | None = None) -> int:
    """Make the missing shifts of posts in service in a period (each kind on its own slots);
    returns how many were made."""
    kinds = {"卡口": ensure_slots()}  # 采样点班次 are made when there is a sampling point
    query = Checkpoint.select()
    if checkpoint_id is not None:
        query = query.where(Checkpoint.id == checkpoint_id)
    existing = {(c, str(d)[:10], s) for c, d, s in database.execute_sql(
        "SELECT checkpoint_id, date, slot_id FROM shift WHERE date BETWEEN ? AND ?",
        [start.isoformat(), end.isoformat()]).fetchall()}
    rows = []
    for cp in query:
        if cp.post_kind not in kinds:
            kinds[cp.post_kind] = ensure_slots(cp.post_kind)
        day = start
        while day <= end:
            for slot in kinds[cp.post_kind]:
                if _open(cp, day) and (cp.id, day.isoformat(), slot.id) not in existing:
                    hours, ends_at = shift_span(day, slot.start, slot.end)
                    rows.append((cp.id, day.isoformat(), slot.id,
                                 cp.staff_per_shift + slot.extra_staff, hours,
                                 ends_at.isoformat(sep=" ")))
            day += dt.timedelta(days=1)
    return insert_rows("shift", ("checkpoint_id", "date", "slot_id", "headcount", "hours",
                                 "ends_at"), rows)


Span = tuple[dt.datetime, dt.datetime]  # when a shift begins and ends


def _when(value: object) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _span(ends_at: object, hours: float) -> Span:
    """A shift's time from its stored end and length."""
    ends = _when(ends_at)
    return ends - dt.timedelta(minutes=round(hours * 60)), ends


def _meet(a: Span, b: Span) -> bool:
    """Whether two shifts overlap or touch (one ends as the other begins)."""
    return a[0] <= b[1] and b[0] <= a[1]


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class _Calendar:
    """Who stands which shift when, and everything the rules need to know about a person.
    Times, not slot positions, decide what clashes, so 卡口 and 采样点 shifts compare."""

    def __init__(self, slots: list[ShiftSlot]) -> None:
        self.night = {s.id for s in slots if s.is_night}
        self.busy: dict[tuple[int, dt.date], list[Span]] = defaultdict(list)  # by start day
        self.load: dict[int, int] = defaultdict(int)
        self.nights: dict[int, int] = defaultdict(int)
        self.weekly: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)

    def _near(self, staff: int, span: Span) -> list[Span]:
        day = span[0].date()
        return [other for step in (-1, 0, 1)
                for other in self.busy.get((staff, day + dt.timedelta(days=step)), ())]

    def clash(self, staff: int, span: Span) -> bool:
        """Whether the person already stands a shift overlapping ``span``."""
        return any(_overlap(span, other) for other in self._near(staff, span))

    def free(self, staff: int, span: Span) -> bool:
        """Whether the person stands no shift overlapping or touching ``span``."""
        return not any(_meet(span, other) for other in self._near(staff, span))

    def take(self, staff: int, span: Span, day: dt.date, slot_id: int) -> None:
        self.busy[(staff, span[0].date())].append(span)
        self.load[staff] += 1
        self.weekly[(staff, _week(day))] += 1
        if slot_id in self.night:
            self.nights[staff] += 1


def _unavailable(start: dt.date, end: dt.date) -> dict[int, list[Unavailability]]:
    found: dict[int, list[Unavailability]] = defaultdict(list)
    for u in Unavailability.select().where(
            (Unavailability.start_date.is_null() | (Unavailability.start_date <= end))
            & (Unavailability.end_date.is_null() | (Unavailability.end_date >= start))):
        found[u.staff_id].append(u)
    return found


def _blocked(rules: list[Unavailability], day: dt.date, slot_id: int) -> bool:
    for u in rules:
        in_dates = (u.start_date is None or u.start_date <= day) and (
            u.end_date is None or u.end_date >= day)
        if in_dates and (u.slot_id is None or u.slot_id == slot_id):
            return True
    return False


class _Pool:
    """The people free for one slot, least loaded first; a seat prefers someone from the
    checkpoint's own community when they are as little loaded as the first in line."""

    def __init__(self, people: list[int], rank: Callable[[int], tuple], home: dict[int, str],
                 taken: set[int] | None = None) -> None:
        self.rank = rank
        self.order = sorted(people, key=rank)
        self.taken = set() if taken is None else taken
        self.by_home: dict[str, list[int]] = defaultdict(list)
        for pid in self.order:
            self.by_home[home[pid]].append(pid)
        self.cursor: dict[str, int] = defaultdict(int)
        self.head = 0

    def _first(self, people: list[int], start: int) -> tuple[int | None, int]:
        while start < len(people) and people[start] in self.taken:
            start += 1
        return (people[start] if start < len(people) else None), start

    def pick(self, home: str) -> int | None:
        first, self.head = self._first(self.order, self.head)
        if first is None:
            return None
        local, self.cursor[home] = self._first(self.by_home.get(home, []), self.cursor[home])
        chosen = local if local is not None and self.rank(local)[:2] == self.rank(first)[:2] \
            else first
        self.taken.add(chosen)
        return chosen


def plan(start: dt.date, end: dt.date, checkpoint_id: int | None = None,
         progress: Progress | None = None) -> PlanResult:
    """Fill every shift of the period (one checkpoint or all) — one transaction."""
    if end < start:
        raise Invalid("结束日期不能早于开始日期")
    if (end - start).days > 62:
        raise Invalid("一次最多排两个月")
    report = progress or (lambda _s, _f: None)
    result = PlanResult()
    with database.atomic():
        create_shifts(start, end, checkpoint_id)
        slots = {s.id: s for kind in SLOT_SETTINGS for s in stored_slots(kind)}
        cal = _Calendar(list(slots.values()))
        staff = {s.id: s for s in Staff.select().where(Staff.active)}
        paths = dict(Area.select(Area.id, Area.path).tuples())
        home = {sid: _community(s.home_area_id, paths) for sid, s in staff.items()}
        rules = _unavailable(start - dt.timedelta(days=1), end + dt.timedelta(days=1))
        checkpoints = {c.id: c for c in Checkpoint.select()}
        # every assignment touching the period (one day either side for the rest rule)
        existing = list(
            Assignment.select(Assignment, Shift).join(Shift)
            .where(Shift.date.between(start - dt.timedelta(days=7), end + dt.timedelta(days=1)))
            .order_by(Assignment.pinned.desc(), Assignment.manual.desc(), Assignment.id))
        shifts = {s.id: s for s in Shift.select().where(Shift.date.between(
            start - dt.timedelta(days=7), end + dt.timedelta(days=1)))}
        in_period = {sid for sid, s in shifts.items() if start <= s.date <= end and (
            checkpoint_id is None or s.checkpoint_id == checkpoint_id)
            and _open(checkpoints[s.checkpoint_id], s.date)}
        seats: dict[int, list[Assignment]] = defaultdict(list)
        drop: list[int] = []
        for a in existing:
            shift = shifts[a.shift_id]
            at = _span(shift.ends_at, shift.hours)
            person = staff.get(a.staff_id)
            week = cal.weekly[(a.staff_id, _week(shift.date))]
            valid = person is not None and not cal.clash(a.staff_id, at) and (
                a.pinned or (cal.free(a.staff_id, at) and week < person.max_per_week
                             and not _blocked(rules.get(a.staff_id, []), shift.date,
                                              shift.slot_id)))
            if not valid and a.shift_id in in_period and not a.pinned:
                drop.append(a.id)
                continue
            if person is not None:
                cal.take(a.staff_id, at, shift.date, shift.slot_id)
            seats[a.shift_id].append(a)
        if drop:
            delete_rows(Assignment, drop, "撤下")
        result.removed = len(drop)
        spans = {sid: _span(shifts[sid].ends_at, shifts[sid].hours) for sid in in_period}
        ordered = sorted(in_period, key=lambda sid: (spans[sid][0], shifts[sid].slot_id,
                                                      shifts[sid].checkpoint_id))
        result.shifts = len(ordered)
        groups: dict[tuple[dt.date, int], list[int]] = defaultdict(list)
        for sid in ordered:
            groups[(shifts[sid].date, shifts[sid].slot_id)].append(sid)
        new_rows: list[tuple[int, int, int]] = []
        done = 0
        for (day, slot_id), group in groups.items():
            at = spans[group[0]]
            night = slot_id in cal.night
            pool = _Pool(
                [pid for pid, person in staff.items()
                 if cal.free(pid, at) and cal.weekly[(pid, _week(day))] < person.max_per_week
                 and not _blocked(rules.get(pid, []), day, slot_id)],
                lambda pid, night=night: (cal.load[pid], cal.nights[pid] if night else 0, pid),
                home)
            leaders = _Pool([pid for pid in pool.order if staff[pid].can_lead],
                            pool.rank, home, pool.taken)
            slot_name = slots[slot_id].name
            for sid in group:
                shift = shifts[sid]
                cp = checkpoints[shift.checkpoint_id]
                cp_home = _community(cp.area_id, paths)
                taken = seats[sid]
                missing = shift.headcount - len(taken)
                has_leader = any(a.is_leader or (a.staff_id in staff and
                                                 staff[a.staff_id].can_lead) for a in taken)
                picks: list[tuple[int, int]] = []
                if cp.needs_leader and not has_leader:
                    leader = leaders.pick(cp_home) if missing > 0 else None
                    if leader is None:
                        result.gaps.append(Gap(cp.name, day, slot_name, 0,
                                               "缺带班领导：该时段没有可带班的人员有空"))
                    else:
                        picks.append((leader, 1))
                        missing -= 1
                while missing > 0:
                    pid = pool.pick(cp_home)
                    if pid is None:
                        result.gaps.append(Gap(
                            cp.name, day, slot_name, missing,
                            "该时段没有空闲人员（其余人员已在其他卡口或采样点、需轮休、不可值班或已达每周上限）"))
                        break
                    picks.append((pid, 0))
                    missing -= 1
                for pid, lead in picks:
                    cal.take(pid, spans[sid], day, slot_id)
                    new_rows.append((sid, pid, lead))
                done += 1
            report("排班", done / max(len(ordered), 1))
        insert_rows("assignment", ("shift_id", "staff_id", "is_leader", "pinned", "manual"),
                    [(*row, 0, 0) for row in new_rows], "排班")
        result.added = len(new_rows)
    report("排班", 1.0)
    return result


# --- manual changes ------------------------------------------------------------------------------


def assign(shift_id: int, staff_id: int, pinned: bool = False) -> Assignment:
    """Put a person on a shift by hand (kept by later plans); the rules are checked."""
    shift = Shift.get_by_id(shift_id)
    person = Staff.get_by_id(staff_id)
    here = _span(shift.ends_at, shift.hours)
    for other in (Shift.select().join(Assignment).where(
            (Assignment.staff == staff_id)
            & Shift.date.between(shift.date - dt.timedelta(days=1),
                                 shift.date + dt.timedelta(days=1)))):
        there = _span(other.ends_at, other.hours)
        if _overlap(here, there):
            raise Invalid(f"{person.name} 该时段已在{other.checkpoint.name}值守")
        if _meet(here, there):
            raise Invalid(f"{person.name} 相邻班次已排班（{other.checkpoint.name} "
                          f"{other.date:%m-%d} {other.slot.name}），需至少轮休一个班次")
    if _blocked(_unavailable(shift.date, shift.date).get(staff_id, []), shift.date,
                shift.slot_id):
        raise Invalid(f"{person.name} 该时段登记为不可值班")
    return Assignment.create(shift=shift, staff=person, manual=True, pinned=pinned,
                             is_leader=person.can_lead and not any(
                                 a.is_leader for a in shift.assignments))


def unassign(assignment_id: int) -> None:
    assignment = Assignment.get_by_id(assignment_id)
    recycle.delete(assignment, f"排班 {assignment.staff.name} {assignment.shift.date:%m-%d}")


def set_pinned(assignment_id: int, pinned: bool) -> Assignment:
    assignment = Assignment.get_by_id(assignment_id)
    assignment.pinned = pinned
    assignment.save()
    return assignment


def swap(first_id: int, second_id: int) -> None:
    """Exchange the people of two assignments (both become manual)."""
    with database.atomic():
        a, b = Assignment.get_by_id(first_id), Assignment.get_by_id(second_id)
        a_staff, b_staff = a.staff_id, b.staff_id
        delete_rows(Assignment, [a.id, b.id], "互换")
        try:
            assign(a.shift_id, b_staff)
            assign(b.shift_id, a_staff)
        except Invalid as exc:
            raise Invalid(f"无法互换：{exc}") from None


def find_staff(text: str, limit: int = 20) -> list[Staff]:
    """Staff by name, pinyin initials or phone."""
    q = normalize_text(text).replace(" ", "")
    if not q:
        return []
    query = Staff.select().where(Staff.active)
    if q.isascii() and q.isalpha():
        query = query.where(Staff.name_key.startswith(q.lower()))
    elif q.isdigit():
        query = query.where(Staff.phone.contains(q))
    else:
        query = query.where(Staff.name.contains(q))
    return list(query.order_by(Staff.name).limit(limit))


# --- shifts that can no longer be stood ------------------------------------------------------


@dataclass
class Withdrawal:
    """Future shifts at a checkpoint out of service, and future places of people no longer
    active or marked 不可值班 for them."""

    shifts: list[int] = field(default_factory=list)
    assignments: list[int] = field(default_factory=list)

    def text(self) -> str:
        return f"{len(self.shifts)} 个班次（卡口已停用）、{len(self.assignments)} 人次"


def future_conflicts(since: dt.date | None = None, checkpoint_id: int | None = None,
                     staff_id: int | None = None) -> Withdrawal:
    """What closing a checkpoint, a person leaving or 不可值班 dates have left on the roster
    from ``since`` (default today) on; limited to one checkpoint or one person if given."""
    since = since or clock.today()
    found = Withdrawal()
    checkpoints = {c.id: c for c in Checkpoint.select()}
    staff = {s.id: s for s in Staff.select()}
    last = database.execute_sql("SELECT max(date) FROM shift").fetchone()[0]
    rules = _unavailable(since, dt.date.fromisoformat(str(last)[:10]) if last else since)
    closed: set[int] = set()
    for shift_id, cp_id, date in database.execute_sql(
            "SELECT id, checkpoint_id, date FROM shift WHERE date >= ?",
            [since.isoformat()]).fetchall():
        day = dt.date.fromisoformat(str(date)[:10])
        if (checkpoint_id is None or cp_id == checkpoint_id) and not _open(checkpoints[cp_id], day):
            closed.add(shift_id)
    found.shifts = sorted(closed)
    for aid, shift_id, person, date, slot_id, cp_id in database.execute_sql(
            "SELECT a.id, a.shift_id, a.staff_id, h.date, h.slot_id, h.checkpoint_id "
            "FROM assignment a JOIN shift h ON h.id = a.shift_id WHERE h.date >= ?",
            [since.isoformat()]).fetchall():
        day = dt.date.fromisoformat(str(date)[:10])
        if shift_id in closed or ((staff_id is None or person == staff_id) and (
                checkpoint_id is None or cp_id == checkpoint_id) and (
                not staff[person].active or _blocked(rules.get(person, []), day, slot_id))):
            found.assignments.append(aid)
    return found


def withdraw_future(since: dt.date | None = None, checkpoint_id: int | None = None,
                    staff_id: int | None = None) -> Withdrawal:
    """Remove what :func:`future_conflicts` finds, in one transaction, each row audited."""
    with database.atomic():
        found = future_conflicts(since, checkpoint_id, staff_id)
        for model, ids in ((Assignment, found.assignments), (Shift, found.shifts)):
            for row_id in ids:
                log_change("删除", model, row_id, raw_row(model, row_id), None)
            for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
                model.delete().where(model.id.in_(chunk)).execute()
    return found


# --- checking ----------------------------------------------------------------------------------


@dataclass
class CheckResult:
    gaps: int = 0
    double_bookings: int = 0
    back_to_back: int = 0
    over_max: int = 0
    unavailable: int = 0
    inactive: int = 0
    closed: int = 0
    items: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.gaps or self.double_bookings or self.back_to_back or self.over_max
                    or self.unavailable or self.inactive or self.closed)

    def as_dict(self) -> dict[str, object]:
        return {"gaps": self.gaps, "double_bookings": self.double_bookings,
                "back_to_back": self.back_to_back, "over_max": self.over_max,
                "unavailable": self.unavailable, "inactive": self.inactive,
                "closed": self.closed, "items": self.items}

    def text(self) -> str:
        return (f"缺人 {self.gaps}，重复排班 {self.double_bookings}，连班 {self.back_to_back}，"
                f"超过上限 {self.over_max}，不可值班 {self.unavailable}，人员已停用 "
                f"{self.inactive}，卡口已停用 {self.closed}")


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def check_roster(start: dt.date, end: dt.date) -> CheckResult:
    """Every rule the planner keeps, checked on the shifts of a period: gaps and missing
    leaders, double bookings, back-to-back shifts (one shift beyond each edge of the period
    included), weekly maxima over whole weeks (Monday to Sunday, even where the period cuts
    one), people on a shift they are marked 不可值班 for, staff no longer active, and shifts
    at a checkpoint outside its 启用—停用 dates. 卡口 and 采样点 shifts are checked together:
    a person's shifts clash or follow each other by their times, whichever post they are at.

    Reads only (a read command): with no slots stored there are no shifts to check."""
    slots = [slot for kind in SLOT_SETTINGS for slot in stored_slots(kind)]
    if not slots:
        return CheckResult()
    begins = {s.id: s.start for s in slots}
    staff = {s.id: s for s in Staff.select()}
    result = CheckResult()
    checkpoints = {c.id: c for c in Checkpoint.select()}
    shifts = list(Shift.select().where(Shift.date.between(start, end)))
    slot_names = {s.id: s.name for s in slots}
    # assignments from the Monday of the first week to the Sunday of the last (and one shift
    # beyond either edge, which these whole weeks or the day beside them hold)
    first = min(_monday(start), start - dt.timedelta(days=1))
    last = max(_monday(end) + dt.timedelta(days=6), end + dt.timedelta(days=1))
    count: dict[int, int] = defaultdict(int)
    leaders: dict[int, bool] = defaultdict(bool)
    times: dict[int, list[tuple[dt.datetime, dt.datetime, dt.date, int]]] = defaultdict(list)
    weeks: dict[int, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
    in_period: list[tuple[int, int, dt.date, int, int]] = []
    for shift_id, cp_id, date, slot_id, staff_id, leader, ends_at, hours in database.execute_sql(
            "SELECT a.shift_id, h.checkpoint_id, h.date, h.slot_id, a.staff_id, a.is_leader, "
            "h.ends_at, h.hours FROM assignment a JOIN shift h ON h.id = a.shift_id "
            "WHERE h.date BETWEEN ? AND ?", [first.isoformat(), last.isoformat()]).fetchall():
        day = dt.date.fromisoformat(str(date)[:10])
        times[staff_id].append((*_span(ends_at, hours), day, slot_id))
        weeks[staff_id][_week(day)] += 1
        if start <= day <= end:
            count[shift_id] += 1
            leaders[shift_id] |= bool(leader or staff[staff_id].can_lead)
            in_period.append((shift_id, cp_id, day, slot_id, staff_id))

    def where(cp_id: int, day: dt.date, slot_id: int) -> str:
        return f"{checkpoints[cp_id].name} {day:%m-%d} {slot_names[slot_id]}"

    for shift in sorted(shifts, key=lambda s: (s.date, begins[s.slot_id], s.checkpoint_id)):
        cp = checkpoints[shift.checkpoint_id]
        place = where(cp.id, shift.date, shift.slot_id)
        if not _open(cp, shift.date):
            if count[shift.id]:
                result.closed += 1
                result.items.append(f"卡口已停用：{place} 仍排有{count[shift.id]}人")
            continue
        short = shift.headcount - count[shift.id]
        if short > 0:
            result.gaps += 1
            result.items.append(f"缺人：{place} 缺{short}人")
        if cp.needs_leader and count[shift.id] and not leaders[shift.id]:
            result.gaps += 1
            result.items.append(f"缺带班领导：{place}")
    rules = _unavailable(start, end)
    for _shift_id, cp_id, day, slot_id, staff_id in sorted(
            in_period, key=lambda r: (r[2], begins[r[3]], r[1], r[4])):
        person = staff[staff_id]
        if not person.active:
            result.inactive += 1
            result.items.append(f"人员已停用：{person.name} {where(cp_id, day, slot_id)}")
        if _blocked(rules.get(staff_id, []), day, slot_id):
            result.unavailable += 1
            result.items.append(f"不可值班：{person.name} {where(cp_id, day, slot_id)}")
    for staff_id, held in times.items():
        name = staff[staff_id].name
        held.sort()
        doubled: set[int] = set()
        pairs: set[dt.datetime] = set()
        for n, (_begin, ends, day, slot_id) in enumerate(held):
            for later, (begin2, _ends2, day2, slot2) in enumerate(held[n + 1:], start=n + 1):
                if begin2 > ends:
                    break
                if not (start <= day <= end or start <= day2 <= end):
                    continue
                if begin2 < ends and later not in doubled:  # overlapping: two places at once
                    doubled.add(later)
                    result.double_bookings += 1
                    also = "" if (day2, slot2) == (day, slot_id) else (
                        f"（与{day2:%m-%d} {slot_names[slot2]}重叠）")
                    result.items.append(
                        f"重复排班：{name} {day:%m-%d} {slot_names[slot_id]}{also}")
                elif begin2 == ends and ends not in pairs and later not in doubled:
                    pairs.add(ends)  # one ends as the next begins: no rest
                    result.back_to_back += 1
                    result.items.append(
                        f"连班：{name} {day:%m-%d} {slot_names[slot_id]}起连续两个班次")
        limit = staff[staff_id].max_per_week
        for week, n in sorted(weeks[staff_id].items()):
            monday = dt.date.fromisocalendar(week[0], week[1], 1)
            if n > limit and monday <= end and monday + dt.timedelta(days=6) >= start:
                result.over_max += 1
                result.items.append(f"超过每周上限：{name} 第{week[1]}周（{monday:%m-%d}起）"
                                    f"{n}班（上限{limit}）")
    return result


def spread(start: dt.date, end: dt.date) -> dict[str, tuple[int, int]]:
    """(min, max) shifts per person within each staff category over a period."""
    counts = dict(database.execute_sql(
        "SELECT a.staff_id, count(*) FROM assignment a JOIN shift h ON h.id = a.shift_id "
        "WHERE h.date BETWEEN ? AND ? GROUP BY a.staff_id",
        [start.isoformat(), end.isoformat()]).fetchall())
    by_category: dict[str, list[int]] = defaultdict(list)
    for sid, category in Staff.select(Staff.id, Staff.category).where(Staff.active).tuples():
        by_category[category].append(counts.get(sid, 0))
    return {c: (min(v), max(v)) for c, v in by_category.items()}


Person = tuple[str, str, bool]  # name, phone, leads the shift


def assigned_names(start: dt.date, end: dt.date) -> dict[tuple[int, str, int], list[Person]]:
    """Who is on each (checkpoint, day, slot) of the period: leaders first."""
    cells: dict[tuple[int, str, int], list[Person]] = defaultdict(list)
    for cp, day, slot, name, phone, leader in database.execute_sql(
            "SELECT h.checkpoint_id, h.date, h.slot_id, s.name, s.phone, a.is_leader "
            "FROM assignment a JOIN shift h ON h.id = a.shift_id "
            "JOIN staff s ON s.id = a.staff_id "
            "WHERE h.date BETWEEN ? AND ? ORDER BY a.is_leader DESC, a.id",
            [start.isoformat(), end.isoformat()]).fetchall():
        cells[(cp, str(day)[:10], slot)].append((name, phone or "", bool(leader)))
    return cells


def checkpoints(checkpoint_id: int | None = None) -> list[Checkpoint]:
    """Every checkpoint (or the one asked for), in the order they were set up."""
    query = Checkpoint.select().order_by(Checkpoint.id)
    if checkpoint_id is not None:
        query = query.where(Checkpoint.id == checkpoint_id)
    return list(query)


def checkpoint(checkpoint_id: int) -> Checkpoint:
    return Checkpoint.get_by_id(checkpoint_id)


def usual_checkpoints() -> dict[int, str]:
    """Each staff member's most served checkpoint."""
    places: dict[int, str] = {}
    for staff_id, name in database.execute_sql(
            "SELECT a.staff_id, c.name FROM assignment a JOIN shift h ON h.id = a.shift_id "
            "JOIN checkpoint c ON c.id = h.checkpoint_id GROUP BY a.staff_id, c.id "
            "ORDER BY count(*) DESC").fetchall():
        places.setdefault(staff_id, name)
    return places


def active_volunteers() -> list[Staff]:
    return list(Staff.select().where(Staff.is_volunteer & Staff.active)
                .order_by(Staff.team, Staff.id))


def coverage(start: dt.date, end: dt.date) -> dict[tuple[int, str], tuple[int, int]]:
    """(assigned, needed) per checkpoint and day."""
    rows = database.execute_sql(
        "SELECT h.checkpoint_id, h.date, total(h.headcount), "
        "(SELECT count(*) FROM assignment a JOIN shift x ON x.id = a.shift_id "
        " WHERE x.checkpoint_id = h.checkpoint_id AND x.date = h.date) "
        "FROM shift h WHERE h.date BETWEEN ? AND ? GROUP BY h.checkpoint_id, h.date",
        [start.isoformat(), end.isoformat()]).fetchall()
    return {(cp, str(day)[:10]): (int(have), int(need)) for cp, day, need, have in rows}


def shift_at(checkpoint_id: int, day: dt.date, slot_id: int) -> Shift | None:
    return Shift.get_or_none((Shift.checkpoint == checkpoint_id) & (Shift.date == day)
                             & (Shift.slot == slot_id))


def people_on(checkpoint_id: int, day: dt.date, slot_id: int) -> list[Assignment]:
    """Who is on one shift, leader first."""
    shift = shift_at(checkpoint_id, day, slot_id)
    if shift is None:
        return []
    return list(Assignment.select().where(Assignment.shift == shift.id)
                .order_by(Assignment.is_leader.desc(), Assignment.id))


def slot_labels() -> list[str]:
    """Every stored slot as the clerk picks it: a checkpoint slot by its name, a sampling
    point's as 采样点 06:00-12:00 (the two kinds may share times)."""
    return [*(s.name for s in stored_slots()), *(f"采样点 {s.name}" for s in stored_slots("采样点"))]


def slot_named(label: str) -> ShiftSlot | None:
    """The slot a label of :func:`slot_labels` names (None for anything else, e.g. 全天)."""
    kind, _, name = label.rpartition(" ")
    return ShiftSlot.get_or_none((ShiftSlot.name == name)
                                 & (ShiftSlot.post_kind == (kind or "卡口")))

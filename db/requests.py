"""The help-request desk (居民求助): a household calls for food, medicine, a doctor or baby
goods; the request is taken in seconds, sent to a volunteer or a team, and followed until it is
delivered or cancelled, each step timed on the township's clock.

States: 待派单 → 已派单 → 已送达, or 已取消 (with a reason) from either open state. Goods from
donated stock go out as lines of the distribution ledger (``db.donations.distribute``), so the
stock stays right and a short stock refuses; a cancelled request's goods are reversed back into
stock. The volunteer is credited a service record for 派单 → 送达, rounded up to half an hour
(what ``db.staff.volunteer_hours`` counts), editable once delivered. An urgent request not
delivered within the 紧急求助送达时限 setting, and any request open for more than a day, is late.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from db import clock, recycle
from db import donations as dn
from db.config import get_setting
from db.connection import database
from db.gate import find_person
from db.models import (
    REQUEST_NEEDS,
    REQUEST_STATUSES,
    URGENT_NEEDS,
    Area,
    Distribution,
    HelpRequest,
    HelpRequestGoods,
    Household,
    Resident,
    ServiceRecord,
    Staff,
    Team,
)
from db.residents import household_members
from db.validate import Invalid, check_phone, normalize_text

OPEN = ("待派单", "已派单")
DELIVERY_WORD = "配送"  # a delivery team is a team whose name says so (物资配送服务队)
BUSY_AHEAD = dt.timedelta(hours=2)  # a volunteer on a gate shift within this cannot leave
STALE = dt.timedelta(days=1)  # any request open longer than this is late
SERVICE_WHAT = "求助配送（第{id}号）"
HALF_HOUR = Decimal("0.5")


def _now() -> dt.datetime:
    return clock.now()


# --- finding the household ----------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdHit:
    """A household found for a caller: the person matched, where they live, and whether a
    member is under a control measure now (marked on lists and sheets)."""

    household_id: int | None
    resident_id: int
    name: str
    phone: str
    address: str
    under_measures: bool


def households_under_measures(household_ids: Iterable[int], day: dt.date) -> set[int]:
    """Which of these households have a member under a control measure on ``day``."""
    ids = sorted({i for i in household_ids if i})
    found: set[int] = set()
    for chunk in (ids[n:n + 900] for n in range(0, len(ids), 900)):
        marks = ",".join("?" * len(chunk))
        found.update(hid for (hid,) in database.execute_sql(
            "SELECT DISTINCT r.household_id FROM measure m JOIN key_person k ON k.id = m.person_id "
            f"JOIN resident r ON r.id = k.resident_id WHERE r.household_id IN ({marks}) "
            "AND m.start_date <= ? AND (m.released_on IS NULL OR m.released_on > ?)",
            [*chunk, day.isoformat(), day.isoformat()]).fetchall())
    return found


def find_households(text: str, limit: int = 20) -> list[HouseholdHit]:
    """Households by a member's name, pinyin initials, ID or phone digits, address words or the
    household's pass card (the gate's and the register's own search), one hit per household."""
    people = find_person(text)
    hits: list[Resident] = []
    seen: set[int] = set()
    for person in people:
        key = person.household_id or -person.id
        if key not in seen:
            seen.add(key)
            hits.append(person)
        if len(hits) >= limit:
            break
    homes = {h.id: h for h in Household.select().where(
        Household.id.in_([p.household_id for p in hits if p.household_id]))}
    marked = households_under_measures(homes, clock.today())
    return [HouseholdHit(p.household_id, p.id, p.name, p.phone,
                         homes[p.household_id].address if p.household_id in homes else "",
                         p.household_id in marked) for p in hits]


# --- taking a request ---------------------------------------------------------------------------


def parse_needs(text: object) -> list[str]:
    """What is needed, from digits (1 生活物资 … 5 其他, "23" for two) or the words themselves;
    in the fixed order. Invalid names what it could not read."""
    raw = normalize_text(text)
    if not raw:
        raise Invalid(f"请填写需求：{needs_hint()}")
    found: set[str] = set()
    for part in re.split(r"[,，、;；/\s]+", raw):
        if not part:
            continue
        if part.isdigit():
            for digit in part:
                if not 1 <= int(digit) <= len(REQUEST_NEEDS):
                    raise Invalid(f"需求编号“{digit}”不对：{needs_hint()}")
                found.add(REQUEST_NEEDS[int(digit) - 1])
            continue
        words = [n for n in REQUEST_NEEDS if part in n or n in part]
        if not words:
            raise Invalid(f"需求“{part}”无法识别：{needs_hint()}")
        found.update(words[:1])
    return [n for n in REQUEST_NEEDS if n in found]


def needs_hint() -> str:
    return " ".join(f"{n}{word}" for n, word in enumerate(REQUEST_NEEDS, start=1))


@dataclass
class RequestInput:
    """What the clerk takes down on the phone. ``urgent`` None: urgent when 药品 or 就医 is
    needed. Without a household, ``name`` and ``address`` say where to go."""

    needs: object
    details: str = ""
    household_id: int | None = None
    resident_id: int | None = None
    urgent: bool | None = None
    caller: str = ""
    callback_phone: object = ""
    name: str = ""
    address: str = ""


def take_request(data: RequestInput) -> HelpRequest:
    """Record a call for help (状态 待派单), timed now."""
    needs = parse_needs(data.needs)
    phone = normalize_text(data.callback_phone)
    if not phone:
        raise Invalid("请填写回拨电话（志愿者要先打电话）")
    phone = check_phone(phone)
    resident = Resident.get_or_none(Resident.id == data.resident_id) if data.resident_id else None
    household = (Household.get_or_none(Household.id == data.household_id)
                 if data.household_id else None) or (resident.household if resident else None)
    if resident is None and household is not None:
        members = household_members(household.id)
        resident = members[0] if members else None  # the head (户主) speaks for the household
    name = normalize_text(data.name) or (resident.name if resident else "")
    address = normalize_text(data.address) or (household.address if household else "")
    if not address:
        raise Invalid("请先查找居民（姓名/拼音/电话/地址/出入卡），或填写送达地址")
    if "其他" in needs and not normalize_text(data.details):
        raise Invalid("需求为“其他”时请写明具体需要什么")
    urgent = any(n in URGENT_NEEDS for n in needs) if data.urgent is None else data.urgent
    return HelpRequest.create(
        taken_at=_now(), household=household, resident=resident, name=name, address=address,
        needs="、".join(needs), details=normalize_text(data.details), urgent=urgent,
        caller=normalize_text(data.caller) or name, callback_phone=phone)


def _request(request_id: int, *states: str) -> HelpRequest:
    request = HelpRequest.get_or_none(HelpRequest.id == request_id)
    if request is None:
        raise Invalid(f"没有第{request_id}号求助")
    if states and request.status not in states:
        raise Invalid(f"第{request.id}号求助{request.status}，不能{_verb(states)}")
    return request


def _verb(states: Sequence[str]) -> str:
    return {("待派单", "已派单"): "再派单或取消", ("已派单",): "登记送达",
            ("已送达",): "修改服务时长"}.get(tuple(states), "这样操作")


# --- sending it ---------------------------------------------------------------------------------


def _community(area_id: int | None) -> int | None:
    """The 社区/村 (level 1) an area lies in."""
    if area_id is None:
        return None
    area = Area.get_or_none(Area.id == area_id)
    if area is None:
        return None
    first = area.path.strip("/").split("/")[0]
    return int(first) if first.isdigit() else area.id


@dataclass(frozen=True)
class Suggestion:
    staff_id: int
    name: str
    phone: str
    team: str
    open_requests: int  # already sent to them and not yet delivered
    delivered_today: int


def delivery_teams() -> list[Team]:
    return list(Team.select().where(Team.name.contains(DELIVERY_WORD)).order_by(Team.name))


def suggest_volunteers(request_id: int, limit: int = 10) -> list[Suggestion]:
    """Who to send: active volunteers of a delivery team living in the household's 社区/村 (any
    community when the household has none), not on a checkpoint shift now or starting within
    two hours; least loaded first (open requests, then deliveries today)."""
    request = _request(request_id)
    now = _now()
    community = _community(request.household.area_id if request.household_id else None)
    busy = {sid for (sid,) in database.execute_sql(
        "SELECT a.staff_id FROM assignment a JOIN shift h ON h.id = a.shift_id "
        "WHERE h.ends_at > ? AND datetime(h.ends_at, '-' || CAST(round(h.hours * 60) AS INTEGER) "
        "|| ' minutes') < ?",
        [now.isoformat(sep=" "), (now + BUSY_AHEAD).isoformat(sep=" ")]).fetchall()}
    teams = [t.id for t in delivery_teams()]
    if not teams:
        return []
    people = [s for s in Staff.select().where(Staff.active & Staff.is_volunteer
                                              & Staff.team.in_(teams))
              if s.id not in busy and (community is None or _community(s.home_area_id)
                                       == community)]
    if not people:
        return []
    load = dict(database.execute_sql(
        "SELECT volunteer_id, count(*) FROM help_request WHERE status = '已派单' "
        "AND volunteer_id IS NOT NULL GROUP BY volunteer_id").fetchall())
    start = dt.datetime.combine(now.date(), dt.time()).isoformat(sep=" ")
    done = dict(database.execute_sql(
        "SELECT volunteer_id, count(*) FROM help_request WHERE status = '已送达' "
        "AND delivered_at >= ? AND volunteer_id IS NOT NULL GROUP BY volunteer_id",
        [start]).fetchall())
    names = {t.id: t.name for t in Team.select().where(Team.id.in_(teams))}
    found = [Suggestion(s.id, s.name, s.phone, names.get(s.team_id, ""), load.get(s.id, 0),
                        done.get(s.id, 0)) for s in people]
    found.sort(key=lambda s: (s.open_requests, s.delivered_today, s.staff_id))
    return found[:limit]


def assign(request_id: int, volunteer_id: int | None = None,
           team_id: int | None = None) -> HelpRequest:
    """派单 to a volunteer (their team goes with them) or to a whole team; sending an open
    request again to someone else restarts its clock."""
    if volunteer_id is None and team_id is None:
        raise Invalid("请选择志愿者或服务队")
    with database.atomic():
        request = _request(request_id, *OPEN)
        volunteer = Staff.get_or_none(Staff.id == volunteer_id) if volunteer_id else None
        if volunteer_id and (volunteer is None or not volunteer.active):
            raise Invalid("该人员不在岗（已停用或不存在）")
        team = Team.get_or_none(Team.id == team_id) if team_id else None
        request.volunteer = volunteer
        request.team = team or (volunteer.team if volunteer else None)
        request.status = "已派单"
        request.assigned_at = _now()
        request.save()
    return request


def add_goods(request_id: int, item_id: int, amount: object) -> Distribution:
    """Send goods from donated stock with a request: a line of the distribution ledger, refused
    when the stock is short."""
    with database.atomic():
        request = _request(request_id, *OPEN)
        marked = bool(request.household_id and households_under_measures(
            [request.household_id], clock.today()))
        handed = dn.distribute(
            clock.today(), item_id, amount, "居家隔离户" if marked else "其他",
            f"{request.name} {request.address}".strip(),
            received_by=request.volunteer.name if request.volunteer_id else "",
            notes=f"求助第{request.id}号")
        HelpRequestGoods.create(request=request, distribution=handed)
    return handed


def credited_hours(start: dt.datetime, end: dt.datetime) -> Decimal:
    """派单 → 送达 in hours, rounded up to the next half hour (at least half an hour)."""
    halves = max(1, math.ceil((end - start).total_seconds() / 1800 - 1e-9))
    return HALF_HOUR * halves


def _hours(value: object) -> Decimal:
    text = normalize_text(value)
    try:
        hours = Decimal(text).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise Invalid(f"服务时长“{text}”不是数字") from None
    if not 0 < hours <= 24:
        raise Invalid("服务时长应在0—24小时之间")
    return hours


def amount_of(value: object) -> Decimal:
    """代购金额: empty is 0, else yuan with two decimals."""
    text = normalize_text(value).replace("元", "").replace("¥", "").replace(",", "")
    if not text:
        return Decimal("0.00")
    try:
        amount = Decimal(text).quantize(dn.CENT)
    except InvalidOperation:
        raise Invalid(f"代购金额“{text}”不是数字") from None
    if amount < 0:
        raise Invalid("代购金额不能为负数")
    return amount


def deliver(request_id: int, purchase_amount: object = "", paid: bool = False,
            volunteer_id: int | None = None, hours: object = "") -> HelpRequest:
    """已送达, timed now; 代购金额 and whether it was paid; the volunteer (who delivered, when it
    was sent to a team) is credited 派单 → 送达 rounded up to half an hour, or ``hours``."""
    with database.atomic():
        request = _request(request_id, "已派单")
        if volunteer_id:
            request.volunteer = Staff.get_by_id(volunteer_id)
        now = _now()
        request.status = "已送达"
        request.delivered_at = now
        request.purchase_amount = amount_of(purchase_amount)
        request.paid = bool(paid) and request.purchase_amount > 0
        if request.volunteer_id:
            request.hours = (_hours(hours) if normalize_text(hours)
                             else credited_hours(request.assigned_at, now))
            request.service = ServiceRecord.create(
                staff=request.volunteer_id, date=now.date(), hours=request.hours,
                what=SERVICE_WHAT.format(id=request.id))
        request.save()
    return request


def set_hours(request_id: int, hours: object) -> HelpRequest:
    """Correct the hours credited for a delivered request (its service record with it)."""
    value = _hours(hours)
    with database.atomic():
        request = _request(request_id, "已送达")
        if not request.volunteer_id:
            raise Invalid("该求助没有记录送达的志愿者，无法计时长")
        service = ServiceRecord.get_or_none(ServiceRecord.id == request.service_id)
        if service is None:
            service = ServiceRecord.create(staff=request.volunteer_id,
                                           date=request.delivered_at.date(), hours=value,
                                           what=SERVICE_WHAT.format(id=request.id))
        else:
            service.hours = value
            service.save()
        request.hours, request.service = value, service
        request.save()
    return request


def set_payment(request_id: int, purchase_amount: object, paid: bool) -> HelpRequest:
    """代购金额 and 已付/未付, at any time (the money is often settled later)."""
    request = _request(request_id)
    request.purchase_amount = amount_of(purchase_amount)
    request.paid = bool(paid) and request.purchase_amount > 0
    request.save()
    return request


def cancel(request_id: int, reason: str) -> HelpRequest:
    """已取消 with a reason, timed now; goods already taken from stock go back (reversed)."""
    reason = normalize_text(reason)
    if not reason:
        raise Invalid("取消求助须填写原因")
    with database.atomic():
        request = _request(request_id, *OPEN)
        for line in HelpRequestGoods.select().where(HelpRequestGoods.request == request):
            back = dn.reverse_distribution(line.distribution_id,
                                           f"第{request.id}号求助取消：{reason}")
            HelpRequestGoods.create(request=request, distribution=back)
        request.status = "已取消"
        request.cancelled_at = _now()
        request.cancel_reason = reason
        request.save()
    return request


def delete_request(request_id: int) -> None:
    """A request entered by mistake goes to the recycle bin; one sent out is cancelled instead
    (its steps and goods stay on the record)."""
    request = _request(request_id)
    if request.status in ("已派单", "已送达"):
        raise Invalid(f"第{request.id}号求助{request.status}，不能删除；派错了请取消并写明原因")
    recycle.delete(request, f"求助 第{request.id}号 {request.name} {request.needs}")


# --- lists ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    id: int
    taken_at: dt.datetime
    name: str
    address: str
    needs: str
    details: str
    urgent: bool
    caller: str
    callback_phone: str
    status: str
    volunteer: str
    volunteer_phone: str
    team: str
    volunteer_id: int | None
    assigned_at: dt.datetime | None
    delivered_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancel_reason: str
    purchase_amount: Decimal
    paid: bool
    hours: Decimal | None
    goods: str
    under_measures: bool
    late: str  # why it is late, "" when it is not

    @property
    def done_at(self) -> dt.datetime | None:
        return self.delivered_at or self.cancelled_at


def urgent_limit() -> dt.timedelta:
    return dt.timedelta(hours=int(get_setting("request_urgent_hours")))


def lateness(urgent: bool, status: str, taken_at: dt.datetime, now: dt.datetime,
             limit: dt.timedelta) -> str:
    """Why an open request is late now ("" when it is not)."""
    if status not in OPEN:
        return ""
    waited = now - taken_at
    if waited > STALE:
        return f"超过1天未办结（已{waited.days}天{waited.seconds // 3600}小时）"
    if urgent and waited > limit:
        return f"紧急求助超过{limit.seconds // 3600}小时未送达（已{_span(waited)}）"
    return ""


def _span(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}小时{minutes % 60}分" if minutes >= 60 else f"{minutes}分钟"


def request_rows(status: str | None = None, query: str = "", start: dt.date | None = None,
                 end: dt.date | None = None, volunteer_id: int | None = None,
                 limit: int | None = None, now: dt.datetime | None = None) -> list[RequestRow]:
    """Requests newest first: by status (a state, or 未办结 for both open ones: the work queue,
    late ones first, then urgent ones, oldest first), words of the name, address, phone, needs
    or volunteer, the day taken, and the volunteer."""
    if status and status not in (*REQUEST_STATUSES, "未办结"):
        raise Invalid(f"状态应为：{'/'.join((*REQUEST_STATUSES, '未办结'))}")
    where, params = ["1=1"], []
    if status == "未办结":
        where.append("q.status IN ('待派单', '已派单')")
    elif status:
        where.append("q.status = ?")
        params.append(status)
    if start:
        where.append("q.taken_at >= ?")
        params.append(dt.datetime.combine(start, dt.time()).isoformat(sep=" "))
    if end:
        where.append("q.taken_at < ?")
        params.append(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()).isoformat(sep=" "))
    if volunteer_id:
        where.append("q.volunteer_id = ?")
        params.append(volunteer_id)
    for word in normalize_text(query).split():
        where.append("(instr(q.name, ?) OR instr(q.address, ?) OR instr(q.callback_phone, ?) "
                     "OR instr(q.needs, ?) OR instr(q.details, ?) OR instr(coalesce(s.name, ''), ?)"
                     " OR q.id = ?)")
        params += [word] * 6 + [int(word) if word.isdigit() else -1]
    sql = ("SELECT q.id, q.taken_at, q.name, q.address, q.needs, q.details, q.urgent, q.caller, "
           "q.callback_phone, q.status, coalesce(s.name, ''), coalesce(s.phone, ''), "
           "coalesce(t.name, ''), q.assigned_at, q.delivered_at, q.cancelled_at, q.cancel_reason, "
           "q.purchase_amount, q.paid, q.hours, q.household_id, q.volunteer_id FROM help_request q "
           "LEFT JOIN staff s ON s.id = q.volunteer_id LEFT JOIN team t ON t.id = q.team_id "
           f"WHERE {' AND '.join(where)} ORDER BY q.taken_at DESC, q.id DESC"
           + (f" LIMIT {int(limit)}" if limit else ""))
    raw = database.execute_sql(sql, params).fetchall()
    goods = _goods_text([r[0] for r in raw])
    now, limit_span = now or _now(), urgent_limit()
    marked = households_under_measures([r[20] for r in raw if r[20]], now.date())
    rows = []
    for (rid, taken, name, address, needs, details, urgent, caller, phone, state, volunteer,
         v_phone, team, assigned, delivered, cancelled, reason, amount, paid, hours,
         household, volunteer_id) in raw:
        taken_at = _moment(taken)
        rows.append(RequestRow(
            rid, taken_at, name, address, needs, details, bool(urgent), caller, phone, state,
            volunteer, v_phone, team, volunteer_id, _moment(assigned), _moment(delivered),
            _moment(cancelled),
            reason, Decimal(str(amount)).quantize(dn.CENT), bool(paid),
            None if hours is None else Decimal(str(hours)).quantize(Decimal("0.1")),
            goods.get(rid, ""), household in marked,
            lateness(bool(urgent), state, taken_at, now, limit_span)))
    if status == "未办结":
        rows.sort(key=lambda r: (not r.late, not r.urgent, r.taken_at, r.id))
    return rows


def _moment(value: object) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def _goods_text(ids: list[int]) -> dict[int, str]:
    """What each request took from stock, net of reversals: 口罩×2盒；…"""
    out: dict[int, dict[tuple[str, str], Decimal]] = {}
    for chunk in (ids[n:n + 900] for n in range(0, len(ids), 900)):
        marks = ",".join("?" * len(chunk))
        for rid, name, unit, qty in database.execute_sql(
                "SELECT g.request_id, i.name, i.unit, d.quantity FROM help_request_goods g "
                "JOIN distribution d ON d.id = g.distribution_id JOIN item i ON i.id = d.item_id "
                f"WHERE g.request_id IN ({marks}) ORDER BY g.id", chunk).fetchall():
            lines = out.setdefault(rid, {})
            lines[(name, unit)] = lines.get((name, unit), Decimal(0)) + Decimal(str(qty))
    return {rid: "；".join(f"{name}×{dn._fmt(qty)}{unit}" for (name, unit), qty in lines.items()
                          if qty) for rid, lines in out.items()}


def request_row(request_id: int) -> RequestRow:
    found = [r for r in request_rows(query=str(request_id)) if r.id == request_id]
    if not found:
        raise Invalid(f"没有第{request_id}号求助")
    return found[0]


@dataclass(frozen=True)
class RequestAlerts:
    """What the dashboard says about requests: how many are open, and the late ones."""

    open: int
    late: list[RequestRow]


def request_alerts(now: dt.datetime | None = None) -> RequestAlerts:
    """Open requests as of ``now`` (the clock's by default); the late ones urgent first, then
    oldest first."""
    rows = request_rows("未办结", now=now)
    return RequestAlerts(len(rows), [r for r in rows if r.late])


def slip_text(request_id: int) -> str:
    """The delivery slip (配送单) a volunteer takes: where, what, and the callback phone in full
    (they must call first); never an ID number."""
    return slip_for(request_row(request_id))


def slip_for(row: RequestRow) -> str:
    """:func:`slip_text` of a row already read."""
    lines = [f"求助配送单  第{row.id}号{'（紧急）' if row.urgent else ''}",
             f"受理时间：{row.taken_at:%Y-%m-%d %H:%M}",
             f"求助人：{row.name}{'（管控户）' if row.under_measures else ''}",
             f"送达地址：{row.address}",
             f"需求：{row.needs}" + (f"；{row.details}" if row.details else ""),
             f"回拨电话：{row.callback_phone}（出发前先打电话）"]
    if row.caller and row.caller != row.name:
        lines.append(f"来电人：{row.caller}")
    if row.goods:
        lines.append(f"随单物资：{row.goods}")
    if row.volunteer or row.team:
        lines.append(f"配送：{row.volunteer or row.team} {row.volunteer_phone}".rstrip())
    if row.under_measures:
        lines.append("该户有管控人员：物品放门口，不进门，不接触。")
    return "\n".join(lines)


# --- the daily report ---------------------------------------------------------------------------


def report_section(day: dt.date) -> tuple[str, list[tuple[str, str | int]]] | None:
    """The daily report's section on help requests taken on ``day`` (title without its number,
    label/value pairs), as things stood at the end of that day; None when none were taken."""
    start = dt.datetime.combine(day, dt.time())
    end = clock.day_end(day)
    rows = database.execute_sql(
        "SELECT urgent, status, taken_at, delivered_at, cancelled_at, purchase_amount, needs "
        "FROM help_request WHERE taken_at >= ? AND taken_at < ?",
        [start.isoformat(sep=" "), end.isoformat(sep=" ")]).fetchall()
    if not rows:
        return None
    limit = urgent_limit()
    delivered = cancelled = open_ = late = 0
    money = Decimal(0)
    for urgent, _status, taken, done, dropped, amount, _needs in rows:
        done_at, dropped_at = _moment(done), _moment(dropped)
        if done_at and done_at < end:
            delivered += 1
            money += Decimal(str(amount))
            if urgent and done_at - _moment(taken) > limit:
                late += 1
        elif dropped_at and dropped_at < end:
            cancelled += 1
        else:
            open_ += 1
            if lateness(bool(urgent), "待派单", _moment(taken), end, limit):
                late += 1
    kinds = "、".join(f"{need}{count}件" for need in REQUEST_NEEDS if (count := sum(
        need in r[6].split("、") for r in rows)))
    return ("居民求助办理情况", [
        ("当日受理求助（件）", len(rows)),
        ("其中紧急（件）", sum(bool(r[0]) for r in rows)),
        ("需求分类", kinds),
        ("已送达（件）", delivered),
        ("已取消（件）", cancelled),
        ("截至24时未办结（件）", open_),
        ("超时（件）", late),
        ("代购金额（元）", f"{money.quantize(dn.CENT):,.2f}"),
    ])

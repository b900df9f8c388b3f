"""Donations of money and goods (捐赠款物): donors, receipts numbered per year, stock that never
goes negative, money spent against money received, 定向 and 非定向 kept apart, and corrections
by reversing entries, never by rewriting history.

Chronology holds: no entry may make a stock or a fund negative on any date, so a back-dated
hand-out, expense or reversal is checked against every day from its date on and refused with
the first day it would go short. A reversal (冲销) counts in figures from the later of its date
and the day it was recorded, so a figure published for a past period never changes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from peewee import Case, fn

from db import clock, names
from db.connection import database
from db.models import (
    DONOR_KINDS,
    MONEY_CHANNELS,
    RECIPIENT_KINDS,
    Distribution,
    Donation,
    DonationItem,
    Donor,
    Expense,
    Item,
)
from db.validate import Invalid, check_phone, normalize_text

ANONYMOUS = "爱心人士"
CENT = Decimal("0.01")


def _positive(value: object, label: str, strip: str = "") -> Decimal:
    text = normalize_text(value).replace(",", "")
    for ch in strip:
        text = text.replace(ch, "")
    try:
        number = Decimal(text).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise Invalid(f"{label}“{text}”不是数字") from None
    if number <= 0:
        raise Invalid(f"{label}必须大于0")
    return number


def money(value: object, label: str = "金额") -> Decimal:
    """A positive amount of yuan with two decimals (10,000 / ¥500 / 500元 accepted)."""
    return _positive(value, label, "元¥")


def quantity(value: object, label: str = "数量") -> Decimal:
    return _positive(value, label)


def add_donor(name: str, kind: str = "企业", contact: str = "", phone: str = "",
              anonymous: bool = False) -> Donor:
    """A donor; an anonymous one is recorded as 爱心人士."""
    if kind not in DONOR_KINDS:
        raise Invalid(f"捐赠方类型应为：{'/'.join(DONOR_KINDS)}")
    name = ANONYMOUS if anonymous else normalize_text(name)
    if not name:
        raise Invalid("捐赠方名称不能为空（匿名请勾选匿名）")
    phone = check_phone(phone) if normalize_text(phone) else ""
    existing = Donor.get_or_none((Donor.name == name) & (Donor.kind == kind)
                                 & (Donor.phone == phone) & (Donor.anonymous == anonymous))
    if existing is not None and not anonymous:
        return existing
    return Donor.create(name=name, kind=kind, contact=normalize_text(contact), phone=phone,
                        anonymous=anonymous)


def find_receipt(receipt_no: str) -> int:
    """The donation whose receipt is numbered ``receipt_no``; an unknown number is an error."""
    donation = Donation.get_or_none(Donation.receipt_no == receipt_no.strip())
    if donation is None:
        raise Invalid(f"没有收据编号为“{receipt_no}”的捐赠")
    return donation.id


def next_receipt_no(year: int) -> str:
    """The next receipt number of a year: 2022-0001, 2022-0002, …"""
    last = database.execute_sql(
        "SELECT max(CAST(substr(receipt_no, 6, 4) AS INTEGER)) FROM donation "
        "WHERE receipt_no GLOB ? AND length(receipt_no) = 9", [f"{year}-*"]).fetchone()[0]
    return f"{year}-{(last or 0) + 1:04d}"


def record_money(day: dt.date, donor: Donor, amount: object, channel: str = "转账",
                 directed: bool = False, purpose: str = "", handled_by: str = "",
                 notes: str = "") -> Donation:
    """A gift of money, with its receipt number."""
    if channel not in MONEY_CHANNELS:
        raise Invalid(f"收款方式应为：{'/'.join(MONEY_CHANNELS)}")
    if directed and not normalize_text(purpose):
        raise Invalid("定向捐赠须填写指定用途")
    value = money(amount)
    with database.atomic():
        return Donation.create(date=day, donor=donor, receipt_no=next_receipt_no(day.year),
                               is_money=True, amount=value, channel=channel, directed=directed,
                               purpose=normalize_text(purpose),
                               handled_by=normalize_text(handled_by), notes=normalize_text(notes))


@dataclass
class GoodsLine:
    name: str
    unit: str
    quantity: object
    value: object = 0
    spec: str = ""
    batch_no: str = ""
    expiry: dt.date | None = None


def item_for(name: str, spec: str, unit: str) -> Item:
    name, spec, unit = normalize_text(name), normalize_text(spec), normalize_text(unit)
    if not name or not unit:
        raise Invalid("物资名称和单位不能为空")
    item = Item.get_or_none((Item.name == name) & (Item.spec == spec) & (Item.unit == unit))
    return item or Item.create(name=name, spec=spec, unit=unit)


def record_goods(day: dt.date, donor: Donor, lines: Sequence[GoodsLine], directed: bool = False,
                 purpose: str = "", handled_by: str = "", notes: str = "") -> Donation:
    """A gift of goods (one or more items), valued at an estimate, with its receipt number."""
    if not lines:
        raise Invalid("请至少填写一种物资")
    if directed and not normalize_text(purpose):
        raise Invalid("定向捐赠须填写指定用途")
    with database.atomic():
        donation = Donation.create(
            date=day, donor=donor, receipt_no=next_receipt_no(day.year), is_money=False,
            amount=0, directed=directed, purpose=normalize_text(purpose),
            handled_by=normalize_text(handled_by), notes=normalize_text(notes))
        for line in lines:
            value = Decimal(0) if not normalize_text(line.value) else money(line.value, "估值")
            DonationItem.create(donation=donation, item=item_for(line.name, line.spec, line.unit),
                                quantity=quantity(line.quantity), value=value,
                                batch_no=normalize_text(line.batch_no), expiry=line.expiry)
        return donation


def effective(alias: str = "") -> str:
    """SQL for the day an entry counts in figures: its date, or for a reversal recorded later
    than its date, the day it was recorded."""
    a = f"{alias}." if alias else ""
    return (f"(CASE WHEN {a}reverses_id IS NULL OR {a}recorded_at IS NULL THEN {a}date "
            f"ELSE max({a}date, substr({a}recorded_at, 1, 10)) END)")


def _first_short(changes: list[tuple[object, float]], day: dt.date, out: Decimal
                 ) -> tuple[dt.date, Decimal] | None:
    """The first date from ``day`` on where a balance, given its dated changes, would fall
    below ``out`` taken on ``day``; with what it held at the end of that date."""
    start = day.isoformat()
    by_day: dict[str, Decimal] = defaultdict(Decimal)
    for date, change in changes:
        by_day[str(date)[:10]] += Decimal(str(change))
    balance = Decimal(0)
    for date in sorted(set(by_day) | {start}):
        balance += by_day.get(date, Decimal(0))
        if date >= start and balance < out:
            return dt.date.fromisoformat(date), balance.quantize(CENT)
    return None


def _item_changes(item_id: int) -> list[tuple[str, float]]:
    return database.execute_sql(
        "SELECT d.date, l.quantity FROM donation_item l JOIN donation d ON d.id = l.donation_id "
        "WHERE l.item_id = ? UNION ALL SELECT date, -quantity FROM distribution WHERE item_id = ?",
        [item_id, item_id]).fetchall()


def _check_stock(item: Item, day: dt.date, number: Decimal, what: str, refused: str) -> None:
    short = _first_short(_item_changes(item.id), day, number)
    if short is not None:
        when, left = short
        raise Invalid(f"库存不足：{when:%Y-%m-%d}{item.name}库存为{_fmt(left)}{item.unit}，"
                      f"{what}{_fmt(number)}{item.unit}，差{_fmt(number - left)}{item.unit}，"
                      f"{refused}")


def _money_changes(directed: bool, purpose: str | None) -> list[tuple[str, float]]:
    """Dated changes of a money pool, or of one 定向 purpose within it."""
    gifts = database.execute_sql(
        "SELECT date, amount, purpose FROM donation WHERE is_money AND directed = ?",
        [int(directed)]).fetchall()
    spent = database.execute_sql("SELECT date, amount, purpose FROM expense WHERE directed = ?",
                                 [int(directed)]).fetchall()
    if purpose is None:
        return [(d, a) for d, a, _p in gifts] + [(d, -a) for d, a, _p in spent]
    purposes = {p for _d, _a, p in gifts}
    return ([(d, a) for d, a, p in gifts if p == purpose]
            + [(d, -a) for d, a, p in spent if _designation(p, purposes) == purpose])


def _check_money(directed: bool, purpose: str | None, day: dt.date, value: Decimal,
                 what: str, refused: str) -> None:
    short = _first_short(_money_changes(directed, purpose), day, value)
    if short is not None:
        when, left = short
        pool = f"指定用于“{purpose}”的定向" if purpose else ("定向" if directed else "非定向")
        raise Invalid(f"{pool}捐款余额不足：{when:%Y-%m-%d}余额为{left}元，{what}{value}元，"
                      f"差{value - left}元，{refused}")


def stock(item_id: int) -> Decimal:
    """Received minus handed out (reversals included)."""
    received = database.execute_sql(
        "SELECT total(quantity) FROM donation_item WHERE item_id = ?", [item_id]).fetchone()[0]
    handed = database.execute_sql(
        "SELECT total(quantity) FROM distribution WHERE item_id = ?", [item_id]).fetchone()[0]
    return Decimal(str(received - handed)).quantize(CENT)


def _fmt(number: Decimal) -> str:
    return f"{number.normalize():f}"


def distribute(day: dt.date, item_id: int, amount: object, recipient_kind: str, recipient: str,
               received_by: str = "", handled_by: str = "", notes: str = "") -> Distribution:
    """Hand goods out; refused when it would make the stock negative on its day or any later
    day (goods not yet received cannot be handed out)."""
    if recipient_kind not in RECIPIENT_KINDS:
        raise Invalid(f"发放对象类型应为：{'/'.join(RECIPIENT_KINDS)}")
    if not normalize_text(recipient):
        raise Invalid("请填写发放对象")
    number = quantity(amount)
    with database.atomic():
        item = Item.get_by_id(item_id)
        _check_stock(item, day, number, "本次发放", "未发放")
        return Distribution.create(date=day, item=item, quantity=number,
                                   recipient_kind=recipient_kind,
                                   recipient=normalize_text(recipient),
                                   received_by=normalize_text(received_by),
                                   handled_by=normalize_text(handled_by),
                                   notes=normalize_text(notes))


def money_balance(directed: bool) -> Decimal:
    """Money received minus money spent, for 定向 or 非定向 donations."""
    received = database.execute_sql(
        "SELECT total(amount) FROM donation WHERE is_money AND directed = ?",
        [int(directed)]).fetchone()[0]
    spent = database.execute_sql(
        "SELECT total(amount) FROM expense WHERE directed = ?", [int(directed)]).fetchone()[0]
    return Decimal(str(received - spent)).quantize(CENT)


def _designation(text: str, purposes: Iterable[str]) -> str | None:
    """The donor-named purpose an expense is charged to: the longest one its text starts
    with ("卡口生活保障：购买方便面" is charged to "卡口生活保障")."""
    found = [p for p in purposes if p and text.startswith(p)]
    return max(found, key=len) if found else None


def directed_balances() -> dict[str, Decimal]:
    """What is left of 定向 money for each purpose donors named: given minus spent on it."""
    left = {purpose: Decimal(str(total)) for purpose, total in database.execute_sql(
        "SELECT purpose, total(amount) FROM donation WHERE is_money AND directed "
        "GROUP BY purpose ORDER BY purpose").fetchall()}
    for text, amount in database.execute_sql(
            "SELECT purpose, amount FROM expense WHERE directed").fetchall():
        key = _designation(text, left)
        if key is not None:
            left[key] -= Decimal(str(amount))
    return {purpose: value.quantize(CENT) for purpose, value in left.items()}


def spend(day: dt.date, amount: object, directed: bool, purpose: str, payee: str = "",
          handled_by: str = "") -> Expense:
    """Money paid out of donations; refused beyond the balance of its pool. 定向 money goes
    only to a purpose a donor named (the 用途 starts with it), within what was given for it."""
    purpose = normalize_text(purpose)
    if not purpose:
        raise Invalid("请填写支出用途")
    value = money(amount)
    with database.atomic():
        if directed:
            left = directed_balances()
            key = _designation(purpose, left)
            if key is None:
                named = "、".join(f"“{p}”（余{b}元）" for p, b in left.items() if b > 0)
                example = next((p for p, b in left.items() if b > 0), "")
                raise Invalid(
                    "定向捐款只能用于捐赠方指定的用途，用途请以指定用途开头"
                    + (f"，如“{example}：购买……”；可用：{named}" if named
                       else "；目前没有定向捐款余额"))
            _check_money(True, key, day, value, "本次支出", "未支出")
        _check_money(directed, None, day, value, "本次支出", "未支出")
        return Expense.create(date=day, amount=value, directed=directed, purpose=purpose,
                              payee=normalize_text(payee), handled_by=normalize_text(handled_by))


def reverse_donation(donation_id: int, reason: str, day: dt.date | None = None) -> Donation:
    """冲销: a reversing entry for a wrongly recorded donation, shown as such; the original stays."""
    reason = normalize_text(reason)
    if not reason:
        raise Invalid("冲销须填写原因")
    with database.atomic():
        original = Donation.get_by_id(donation_id)
        if original.reverses_id is not None:
            raise Invalid("冲销记录不能再冲销")
        if Donation.select().where(Donation.reverses == original).exists():
            raise Invalid(f"{names.donation(original.receipt_no)}已冲销")
        day = day or clock.today()
        if day < original.date:
            raise Invalid(f"冲销日期不能早于原收据日期{original.date:%Y-%m-%d}")
        lines = list(original.items)
        for line in lines:
            _check_stock(line.item, day, line.quantity, "冲销",
                         "未冲销（已发放的，请先冲销发放记录）")
        if original.is_money:
            if original.directed:
                _check_money(True, original.purpose, day, original.amount, "冲销", "未冲销")
            _check_money(original.directed, None, day, original.amount, "冲销", "未冲销")
        reversal = Donation.create(
            date=day, donor=original.donor_id,
            receipt_no=f"{original.receipt_no}-冲", is_money=original.is_money,
            amount=-original.amount, channel=original.channel, directed=original.directed,
            purpose=original.purpose, handled_by=original.handled_by,
            notes=f"冲销{original.receipt_no}：{reason}", reverses=original)
        for line in lines:
            DonationItem.create(donation=reversal, item=line.item_id, quantity=-line.quantity,
                                value=-line.value, batch_no=line.batch_no, expiry=line.expiry)
        return reversal


def reverse_distribution(distribution_id: int, reason: str,
                         day: dt.date | None = None) -> Distribution:
    """冲销 a hand-out recorded by mistake: the goods come back into stock."""
    reason = normalize_text(reason)
    if not reason:
        raise Invalid("冲销须填写原因")
    with database.atomic():
        original = Distribution.get_by_id(distribution_id)
        if original.reverses_id is not None or Distribution.select().where(
                Distribution.reverses == original).exists():
            raise Invalid("该发放记录已冲销或本身是冲销记录")
        day = day or clock.today()
        if day < original.date:
            raise Invalid(f"冲销日期不能早于原发放日期{original.date:%Y-%m-%d}")
        return Distribution.create(
            date=day, item=original.item_id, quantity=-original.quantity,
            recipient_kind=original.recipient_kind, recipient=original.recipient,
            received_by=original.received_by, handled_by=original.handled_by,
            notes=f"冲销{original.date:%Y-%m-%d}发放：{reason}", reverses=original)


# --- lists and totals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DonationRow:
    id: int
    date: dt.date
    receipt_no: str
    donor: str
    donor_kind: str
    contact: str
    phone: str
    is_money: bool
    amount: Decimal
    goods: str  # 口罩 50只/盒 ×100盒；…
    goods_value: Decimal
    directed: bool
    purpose: str
    handled_by: str
    notes: str
    reversal: bool


def count_donations() -> int:
    """Every donation on file, reversals included."""
    return Donation.select().count()


def donation_rows(start: dt.date | None = None, end: dt.date | None = None,
                  latest: int | None = None) -> list[DonationRow]:
    """Donations in a period (all when no dates), oldest first, reversals included (in the
    period they count in, see :func:`effective`); with ``latest``, only that many of the most
    recent."""
    query = Donation.select(Donation, Donor).join(Donor)
    counts_on = Case(None, [(Donation.reverses.is_null(False) & Donation.recorded_at.is_null(False),
                             fn.max(Donation.date, fn.substr(Donation.recorded_at, 1, 10)))],
                     Donation.date)
    if start:
        query = query.where(counts_on >= start.isoformat())
    if end:
        query = query.where(counts_on <= end.isoformat())
    if latest is None:
        donations = list(query.order_by(Donation.date, Donation.id))
    else:
        donations = list(query.order_by(Donation.date.desc(), Donation.id.desc()).limit(latest))
        donations.reverse()
    lines: dict[int, list[DonationItem]] = {}
    ids = [d.id for d in donations]
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        for line in DonationItem.select(DonationItem, Item).join(Item).where(
                DonationItem.donation.in_(chunk)):
            lines.setdefault(line.donation_id, []).append(line)
    rows = []
    for d in donations:
        goods = lines.get(d.id, [])
        rows.append(DonationRow(
            d.id, d.date, d.receipt_no, d.donor.name, d.donor.kind, d.donor.contact,
            d.donor.phone, d.is_money, d.amount if d.is_money else Decimal(0),
            "；".join(f"{names.item(g.item.name, g.item.spec)}×{_fmt(g.quantity)}{g.item.unit}"
                     for g in goods),
            sum((g.value for g in goods), Decimal(0)), d.directed, d.purpose, d.handled_by,
            d.notes, d.reverses_id is not None))
    return rows


@dataclass(frozen=True)
class StockRow:
    item_id: int
    name: str
    spec: str
    unit: str
    received: Decimal
    handed_out: Decimal
    left: Decimal
    low_threshold: Decimal

    @property
    def low(self) -> bool:
        return self.left <= self.low_threshold


def stock_rows() -> list[StockRow]:
    cursor = database.execute_sql(
        "SELECT i.id, i.name, i.spec, i.unit, i.low_threshold, "
        "(SELECT total(quantity) FROM donation_item WHERE item_id = i.id), "
        "(SELECT total(quantity) FROM distribution WHERE item_id = i.id) FROM item i "
        "ORDER BY i.name, i.spec")
    rows = []
    for item_id, name, spec, unit, low, received, handed in cursor.fetchall():
        r, h = Decimal(str(received)).quantize(CENT), Decimal(str(handed)).quantize(CENT)
        rows.append(StockRow(item_id, name, spec, unit, r, h, r - h,
                             Decimal(str(low)).quantize(CENT)))
    return rows


def set_low_threshold(item_id: int, value: object) -> Item:
    item = Item.get_by_id(item_id)
    text = normalize_text(value)
    try:
        item.low_threshold = Decimal(text or "0").quantize(CENT)
    except InvalidOperation:
        raise Invalid(f"预警数量“{text}”不是数字") from None
    item.save()
    return item


@dataclass(frozen=True)
class Totals:
    """Figures of a donation notice up to a moment, 定向 and 非定向 apart."""

    money_in: dict[bool, Decimal]
    goods_batches: dict[bool, int]
    goods_value: dict[bool, Decimal]
    money_out: dict[bool, Decimal]
    goods_out_value: dict[bool, Decimal]

    def money_left(self, directed: bool) -> Decimal:
        return self.money_in[directed] - self.money_out[directed]

    def goods_left_value(self, directed: bool) -> Decimal:
        return self.goods_value[directed] - self.goods_out_value[directed]


def totals(until: dt.date) -> Totals:
    """Money and goods in and out up to and including ``until``, as published that day: a
    reversal recorded later counts from the day it was recorded, never in an earlier period.

    Goods handed out are valued at their item's average received value per unit; an item
    given both 定向 and 非定向 is counted against each in proportion to what was received.
    """
    day = until.isoformat()

    def by_pool(sql: str) -> dict[bool, Decimal]:
        found = {bool(pool): Decimal(str(v)).quantize(CENT)
                 for pool, v in database.execute_sql(sql, [day]).fetchall()}
        return {True: found.get(True, Decimal(0)), False: found.get(False, Decimal(0))}

    money_in = by_pool(f"SELECT directed, total(amount) FROM donation WHERE is_money AND "
                       f"{effective()} <= ? GROUP BY directed")
    goods_value = by_pool(
        "SELECT d.directed, total(l.value) FROM donation_item l JOIN donation d "
        f"ON d.id = l.donation_id WHERE {effective('d')} <= ? GROUP BY d.directed")
    money_out = by_pool(f"SELECT directed, total(amount) FROM expense WHERE {effective()} <= ? "
                        "GROUP BY directed")
    batches = {True: 0, False: 0}
    for pool, count in database.execute_sql(
            "SELECT directed, total(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END) "
            f"FROM donation WHERE NOT is_money AND {effective()} <= ? GROUP BY directed",
            [day]).fetchall():
        batches[bool(pool)] = int(count)
    out = {True: Decimal(0), False: Decimal(0)}
    for item_id, handed in database.execute_sql(
            f"SELECT item_id, total(quantity) FROM distribution WHERE {effective()} <= ? "
            "GROUP BY item_id", [day]).fetchall():
        received = database.execute_sql(
            "SELECT d.directed, total(l.quantity), total(l.value) FROM donation_item l "
            f"JOIN donation d ON d.id = l.donation_id WHERE l.item_id = ? AND {effective('d')} "
            "<= ? GROUP BY d.directed", [item_id, day]).fetchall()
        all_qty = sum(q for _p, q, _v in received)
        for pool, qty, value in received:
            if all_qty > 0 and qty > 0:
                share = Decimal(str(handed)) * Decimal(str(qty)) / Decimal(str(all_qty))
                out[bool(pool)] += share * Decimal(str(value)) / Decimal(str(qty))
    out = {k: v.quantize(CENT) for k, v in out.items()}
    return Totals(money_in, batches, goods_value, money_out, out)


def donation_row(donation_id: int) -> DonationRow:
    """One donation as the ledger lists it (a reversal included, whatever day it counts on)."""
    found = database.execute_sql(f"SELECT {effective()} FROM donation WHERE id = ?",
                                 [donation_id]).fetchone()
    if found is None:
        raise Invalid("没有这条捐赠登记")
    day = dt.date.fromisoformat(str(found[0])[:10])
    return next(r for r in donation_rows(day, day) if r.id == donation_id)


def reversal_subject(kind: str, entry_id: int) -> str:
    """The entry a 冲销 would reverse, in one line for the dialog: which receipt or hand-out,
    from or to whom, how much, when. ``kind`` is "donation" or "distribution"."""
    if kind == "donation":
        row = donation_row(entry_id)
        what = f"捐款 {row.amount:,.2f} 元" if row.is_money else f"物资 {row.goods}"
        return f"{names.donation(row.receipt_no)}　{row.donor}　{what}（{row.date:%Y-%m-%d}）"
    found = Distribution.get_or_none(Distribution.id == entry_id)
    if found is None:
        raise Invalid("没有这条发放记录")
    item = found.item
    quantity = f"{found.quantity.normalize():f}" if isinstance(found.quantity, Decimal) \
        else str(found.quantity)
    return (f"{found.date:%Y-%m-%d} 发放 {names.item(item.name, item.spec)} {quantity}{item.unit}"
            f" → {found.recipient}")

def donation_lines(start: dt.date | None, end: dt.date) -> dict[int, list[tuple]]:
    """Each donation's goods in the period: name, spec, quantity, unit, value, batch, expiry."""
    sql = ("SELECT l.donation_id, i.name, i.spec, l.quantity, i.unit, l.value, l.batch_no, "
           "l.expiry FROM donation_item l "
           "JOIN item i ON i.id = l.item_id JOIN donation d ON d.id = l.donation_id "
           "WHERE d.date <= ?" + (" AND d.date >= ?" if start else "") + " ORDER BY l.id")
    params = [end.isoformat()] + ([start.isoformat()] if start else [])
    found: dict[int, list[tuple]] = {}
    for did, name, spec, qty, unit, value, batch_no, expiry in database.execute_sql(
            sql, params).fetchall():
        found.setdefault(did, []).append((
            name, spec, Decimal(str(qty)), unit, Decimal(str(value)).quantize(CENT),
            batch_no or "", dt.date.fromisoformat(str(expiry)[:10]) if expiry else None))
    return found


def distributions_between(start: dt.date | None, end: dt.date) -> list[Distribution]:
    """Goods handed out in the period (from the start when ``start`` is None), in date order."""
    query = (Distribution.select(Distribution, Item).join(Item)
             .where(Distribution.date <= end).order_by(Distribution.date, Distribution.id))
    if start:
        query = query.where(Distribution.date >= start)
    return list(query)


def donation(donation_id: int) -> Donation:
    return Donation.get_by_id(donation_id)


def item(item_id: int) -> Item:
    return Item.get_by_id(item_id)


def recent_distributions(item_id: int | None, limit: int = 2000) -> list[Distribution]:
    """The latest goods handed out (of one item, or of all), newest first."""
    query = (Distribution.select(Distribution, Item).join(Item)
             .order_by(Distribution.date.desc(), Distribution.id.desc()).limit(limit))
    if item_id is not None:
        query = query.where(Distribution.item == item_id)
    return list(query)

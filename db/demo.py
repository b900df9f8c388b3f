"""Demo townships: a ``small`` one to try eprc and a ``town`` one at full scale for benchmarks.

Everything is generated from one seed (same seed, same file): realistic Chinese names, valid ID
numbers, addresses by community and building, key persons in every state, checkpoints with
shifts, staff and volunteers, donations of money and goods. Rows are written with executemany in
one transaction, as an import would, so even ``town`` (400,000 residents) takes minutes at most.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from stdnum.cn.ric import calc_check_digit

from db import clock, roster
from db.audit import log_change
from db.database import DatabaseError, close_file, database, open_database
from db.models import ALL_MODELS, Area, Resident, Setting
from db.pinyin import id_tail, name_keys, name_search
from db.search_index import bulk_insert
from db.settings import set_setting

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class DemoSize:
    units: int  # communities and villages
    residents: int
    key_persons: int
    checkpoints: int
    shift_days: int
    staff: int
    donations: int
    passages: int


SIZES = {
    "small": DemoSize(4, 2000, 60, 6, 14, 150, 40, 300),
    "town": DemoSize(30, 400_000, 10_000, 200, 60, 2000, 5000, 20_000),
}

TOWNSHIP = "清溪镇"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
    "覃武戴莫孔向汤单解仇区朴查翟乐盖"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥建国文辉力明永健世广志义兴良海山"
    "仁波宁贵福生龙元全胜学祥才发成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍"
    "功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建"
    "家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘小新雨欣怡梓涵子轩一诺宇浩然佳琪嘉"
)
HOME_CODES = ("340122",) * 8 + ("340121", "340102", "340104")
AWAY_CODES = ("310101", "420102", "330102", "440305", "110105", "320106", "510107")
RISK_ORIGINS = (
    "上海市浦东新区", "湖北省武汉市武昌区", "浙江省杭州市上城区", "广东省深圳市南山区",
    "北京市朝阳区", "江苏省南京市鼓楼区", "四川省成都市锦江区",
)
COMMUNITY_NAMES = "城关 新华 阳光 东门 西苑 南湖 北街 文昌 龙山 凤凰 锦绣 明珠 和平 幸福 青年".split()
VILLAGE_NAMES = "桃园 李庄 杨湾 石桥 柳塘 大郢 小河 王圩 陈岗 高塘 马集 花园 新河 梅林 松林".split()
CHINESE_NUMBERS = "一 二 三 四 五 六 七 八 九 十 十一 十二".split()
COMPOUND_WORDS = "花园 家园 苑 小区 新村 公寓".split()
ITEMS = (
    ("医用外科口罩", "50只/盒", "盒", 25.0, True),
    ("N95口罩", "20只/盒", "盒", 60.0, True),
    ("84消毒液", "500ml/瓶", "瓶", 8.0, True),
    ("方便面", "24袋/箱", "箱", 45.0, False),
    ("苹果", "", "公斤", 6.0, False),
    ("矿泉水", "24瓶/箱", "箱", 30.0, False),
    ("雨伞", "", "把", 20.0, False),
    ("防护服", "", "套", 35.0, True),
)
COMPANIES = (
    "安徽华信建设有限公司", "清溪镇农业合作社", "合肥顺达物流有限公司", "皖中医药连锁有限公司",
    "清溪超市", "恒丰食品有限公司", "东方纺织厂", "新星电子科技有限公司", "青年企业家协会",
)


class _Ids:
    """Unique, valid 18-digit ID numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, birth: dt.date, male: bool, codes: Sequence[str] = HOME_CODES) -> str:
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if male else 0)
            body = f"{self.rng.choice(codes)}{birth:%Y%m%d}{seq:03d}"
            number = body + calc_check_digit(body + "0")
            if number not in self.used:
                self.used.add(number)
                return number


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _birth(rng: random.Random, low: int, high: int, today: dt.date) -> dt.date:
    return today - dt.timedelta(days=rng.randrange(low * 365, high * 365))


def _insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """executemany into ``table``; columns not given get the model's defaults."""
    model = next(m for m in ALL_MODELS if m._meta.table_name == table)
    extra = [f for f in model._meta.sorted_fields
             if f.column_name not in columns and f.default is not None and not f.primary_key]
    defaults = [f.db_value(f.default() if callable(f.default) else f.default) for f in extra]
    names = [*columns, *(f.column_name for f in extra)]
    sql = 'INSERT INTO "{}" ({}) VALUES ({})'.format(
        table, ", ".join(f'"{c}"' for c in names), ", ".join("?" for _ in names)
    )
    database.cursor().executemany(sql, ([*row, *defaults] for row in rows))


def _build_areas(rng: random.Random, size: DemoSize) -> list[tuple[int, str, bool]]:
    """Create the area tree; return the leaves as (area id, address prefix, is building)."""
    leaves: list[tuple[int, str, bool]] = []
    next_id = 1
    rows = []

    def add(name: str, level: int, parent: int | None, path: str) -> tuple[int, str]:
        nonlocal next_id
        area_id = next_id
        next_id += 1
        my_path = f"{path}{area_id}/"
        leader = _name(rng)
        rows.append((area_id, name, level, parent, my_path, leader, _phone(rng), area_id))
        return area_id, my_path

    per_unit = max(1, size.residents // size.units)
    for u in range(size.units):
        village = u % 2 == 1
        names = VILLAGE_NAMES if village else COMMUNITY_NAMES
        base = names[(u // 2) % len(names)] + (str(u // (2 * len(names)) + 1) if u >= 2 * len(
            names) else "")
        unit_name = base + ("村" if village else "社区")
        unit_id, unit_path = add(unit_name, 1, None, "/")
        groups = max(2, min(12, per_unit // 1500))
        for g in range(groups):
            if village:
                group_name = f"第{CHINESE_NUMBERS[g]}村民组"
            else:
                group_name = rng.choice(names) + rng.choice(COMPOUND_WORDS) + (
                    f"{g + 1}期" if g else "")
                while any(r[1] == group_name and r[3] == unit_id for r in rows):
                    group_name = group_name + "二"
            group_id, group_path = add(group_name, 2, unit_id, unit_path)
            for n in range(2):
                grid_no = (u * 100 + g * 2 + n) + 1
                grid_id, grid_path = add(f"第{grid_no}网格", 3, group_id, group_path)
                if village:
                    leaves.append((grid_id, f"{unit_name}{group_name}", False))
                    continue
                for b in range(rng.randrange(3, 7)):
                    building_id, _ = add(f"{b + 1}栋", 4, grid_id, grid_path)
                    leaves.append((building_id, f"{unit_name}{group_name}{b + 1}栋", True))
    _insert("area", ["id", "name", "level", "parent_id", "path", "leader", "phone", "sort"], rows)
    return leaves


def _build_residents(
    rng: random.Random, size: DemoSize, leaves: list[tuple[int, str, bool]], ids: _Ids,
    today: dt.date, progress: Progress,
) -> list[tuple[int, str, str, int]]:
    """Households and residents; return residents as (id, name, id_number, household_id)."""
    households = []
    residents = []
    people: list[tuple[int, str, str, int]] = []
    rid = 0
    hid = 0
    house_no: dict[int, int] = {}
    now = clock.now().isoformat(sep=" ", timespec="seconds")
    while rid < size.residents:
        hid += 1
        leaf, prefix, building = leaves[rng.randrange(len(leaves))]
        house_no[leaf] = house_no.get(leaf, 0) + 1
        n = house_no[leaf]
        unit = f"{n % 6 + 1}单元" if building else ""
        door = f"{n // 6 % 30 + 1:d}{n % 4 + 1:02d}室" if building else f"{n}号"
        number = f"340122{leaf:05d}{n:04d}"
        households.append((hid, number, prefix + unit + door, leaf, unit, door,
                           f"QX{hid:06d}" if rng.random() < 0.3 else "", ""))
        kind = rng.choices(("常住", "外来", "返乡"), (85, 10, 5))[0]
        members = rng.choices((1, 2, 3, 4, 5), (12, 30, 28, 20, 10))[0]
        head_male = rng.random() < 0.7
        head_birth = _birth(rng, 25, 85, today)
        plan = [("户主", head_male, head_birth)]
        if members >= 2:
            plan.append(("配偶", not head_male, head_birth + dt.timedelta(days=rng.randrange(
                -1500, 1500))))
        for _ in range(members - len(plan)):
            child_birth = head_birth + dt.timedelta(days=rng.randrange(20 * 365, 35 * 365))
            if child_birth >= today:
                child_birth = today - dt.timedelta(days=rng.randrange(30, 3000))
            male = rng.random() < 0.5
            plan.append(("子" if male else "女", male, child_birth))
        surname = None
        for relation, male, birth in plan:
            if rid >= size.residents:
                break
            rid += 1
            name = _name(rng)
            if relation in ("子", "女") and surname:
                name = surname + name[1:]
            if relation == "户主":
                surname = name[0]
            codes = AWAY_CODES if kind == "外来" else HOME_CODES
            number = ids.make(birth, male, codes)
            keys = name_search(name)
            age = today.year - birth.year
            phone = _phone(rng) if age >= 14 and rng.random() < 0.92 else ""
            status = rng.choices(("在册", "外出"), (96, 4))[0]
            residents.append((rid, hid, name, keys["name_rev"], keys["name_key"],
                              keys["name_key_alt"], number, id_tail(number),
                              "男" if male else "女", birth.isoformat(), phone, relation, kind,
                              status, "", now))
            people.append((rid, name, number, hid))
        if len(residents) >= 20000:
            _flush_residents(households, residents)
            progress("居民", rid / size.residents)
    _flush_residents(households, residents)
    return people


def _flush_residents(households: list, residents: list) -> None:
    _insert("household", ["id", "number", "address", "area_id", "unit", "door", "pass_card",
                          "notes"], households)
    _insert("resident", [
        "id", "household_id", "name", "name_rev", "name_key", "name_key_alt", "id_number", "id_tail", "sex",
        "birth_date", "phone", "relation", "kind", "status", "notes", "updated_at"], residents)
    households.clear()
    residents.clear()


def _build_key_persons(
    rng: random.Random, size: DemoSize, people: list[tuple[int, str, str, int]], today: dt.date
) -> None:
    chosen = rng.sample(people, size.key_persons)
    persons, measures, temps, tests = [], [], [], []
    mid = 0
    for pid, (rid, *_rest) in enumerate(chosen, start=1):
        category = rng.choices(
            ("确诊", "疑似", "发热", "密接", "次密接", "中高风险地区返乡", "其他"),
            (1, 2, 5, 15, 15, 55, 7))[0]
        source = rng.choice(("大数据推送", "上门摸排", "电话摸排", "卡口发现", "自行报备"))
        found = today - dt.timedelta(days=rng.randrange(0, 40))
        arrival = found - dt.timedelta(days=rng.randrange(0, 3))
        transport = rng.choice(("自驾", "飞机", "火车", "客车", "网约车"))
        transport_no = {"飞机": f"MU{rng.randrange(1000, 9999)}",
                        "火车": f"G{rng.randrange(100, 9999)}",
                        "自驾": f"皖A{rng.randrange(10000, 99999)}"}.get(transport, "")
        persons.append((pid, rid, category, source, rng.choice(RISK_ORIGINS),
                        arrival.isoformat(), transport, transport_no, found.isoformat(), ""))
        kind = rng.choices(("集中隔离", "居家隔离", "居家健康监测"), (30, 30, 40))[0]
        days = {"集中隔离": 7, "居家隔离": 7, "居家健康监测": 7}[kind]
        start = found
        planned = start + dt.timedelta(days=days)
        released = None
        reason = ""
        if planned < today and rng.random() < 0.85:
            released = planned.isoformat()
        elif planned > today and rng.random() < 0.03:
            released = today.isoformat()
            reason = "核酸阳性转院治疗"
        mid += 1
        place = f"清溪镇隔离酒店{rng.randrange(1, 4)}号楼" if kind == "集中隔离" else ""
        measures.append((mid, pid, kind, place, start.isoformat(), planned.isoformat(), released,
                         reason, _name(rng), _phone(rng), _name(rng), _phone(rng), _name(rng),
                         _phone(rng), _name(rng), _phone(rng), _name(rng), _phone(rng)))
        end = dt.date.fromisoformat(released) if released else min(today, planned)
        day = max(start, end - dt.timedelta(days=6))
        while day <= end:
            for half in ("上午", "下午"):
                if day == today and half == "下午":
                    continue
                if day == today and rng.random() < 0.2:
                    continue
                value = round(rng.gauss(36.5, 0.25), 1)
                if rng.random() < 0.003:
                    value = round(rng.uniform(37.3, 38.6), 1)
                temps.append((mid, day.isoformat(), half, max(35.5, value)))
            day += dt.timedelta(days=1)
        tests.append((pid, start.isoformat(), "阴性"))
    _insert("key_person", ["id", "resident_id", "category", "source", "origin", "arrival_date",
                           "transport", "transport_no", "found_on", "notes"], persons)
    _insert("measure", ["id", "person_id", "kind", "place", "start_date", "planned_end",
                        "released_on", "release_reason", "town_cadre", "town_cadre_phone",
                        "community_cadre", "community_cadre_phone", "grid_worker",
                        "grid_worker_phone", "police", "police_phone", "doctor",
                        "doctor_phone"], measures)
    _insert("temperature_reading", ["measure_id", "date", "half", "value"], temps)
    _insert("nucleic_test", ["person_id", "date", "result"], tests)


def _build_pushed(
    rng: random.Random, people: list[tuple[int, str, str, int]], today: dt.date
) -> None:
    columns = ["序号", "姓名", "手机号", "来源地", "抵达时间", "核查结果", "备注"]
    received = dt.datetime.combine(today, dt.time(9, 30))
    database.execute_sql(
        'INSERT INTO "pushed_batch" (id, received_at, deadline, file_name, sheet_name, '
        "header_row, columns, source, sheets) VALUES (1, ?, ?, ?, 'Sheet1', 2, ?, '', ?)",
        [received.isoformat(sep=" "), (received + dt.timedelta(hours=24)).isoformat(sep=" "),
         f"大数据推送人员清单{today:%m%d}.xlsx", json.dumps(columns, ensure_ascii=False),
         json.dumps([{"name": "Sheet1", "header_row": 2, "columns": columns}], ensure_ascii=False)],
    )
    rows = []
    sample = rng.sample(people, 20)
    results = {"已核实在辖区（漏排）": "在辖区", "前期已排查": "前期已排查", "不在辖区居住": "不在辖区",
               "无法联系": "无法联系"}
    for n, (rid, name, _idn, _hid) in enumerate(sample, start=1):
        phone = _phone(rng)
        origin = rng.choice(RISK_ORIGINS)
        arrival = (today - dt.timedelta(days=rng.randrange(1, 5))).isoformat()
        done = n <= 12
        result = rng.choice(list(results)) if done else ""
        rows.append((1, n + 2, json.dumps([n, name, phone, origin, arrival, "", ""],
                                          ensure_ascii=False),
                     name, phone, origin, arrival, result,
                     "电话核实" if done else "", "demo" if done else "",
                     received.isoformat(sep=" ") if done else None,
                     rid if results.get(result) == "在辖区" else None, results.get(result, ""),
                     "Sheet1"))
    _insert("pushed_row", ["batch_id", "sheet_row", "cells", "name", "phone", "origin",
                           "arrival_date", "result", "note", "verified_by", "verified_at",
                           "resident_id", "category", "sheet"], rows)


def _build_staff_and_shifts(
    rng: random.Random, size: DemoSize, leaves: list[tuple[int, str, bool]], ids: _Ids,
    today: dt.date,
) -> None:
    teams = ["党员先锋服务队", "青年突击队", "巾帼志愿服务队", "退役军人服务队", "物资配送服务队"]
    _insert("team", ["id", "name", "leader_name", "notes"],
            [(i, t, _name(rng), "") for i, t in enumerate(teams, start=1)])
    categories = ("下沉干部", "网格员", "民警", "医护", "物业", "党员志愿者", "退役军人",
                  "大学生", "其他")
    weights = (22, 14, 6, 6, 6, 18, 10, 10, 8)
    staff = []
    for sid in range(1, size.staff + 1):
        category = rng.choices(categories, weights)[0]
        male = rng.random() < 0.6
        birth = _birth(rng, 19, 60, today)
        name = _name(rng)
        volunteer = category in ("党员志愿者", "退役军人", "大学生", "其他")
        can_lead = category in ("下沉干部", "民警")
        political = rng.choice(("中共党员", "群众", "共青团员")) if category != "党员志愿者" \
            else "中共党员"
        team = rng.randrange(1, len(teams) + 1) if volunteer else None
        area = rng.choice(leaves)[0]
        staff.append((sid, name, name_keys(name)[0], ids.make(birth, male), "男" if male else "女",
                      _phone(rng), category, political, "清溪镇人民政府" if category == "下沉干部"
                      else "", team, area, "", int(can_lead), 6, int(volunteer),
                      rng.randrange(0, 50) if political == "中共党员" else 0, 1, ""))
    _insert("staff", ["id", "name", "name_key", "id_number", "sex", "phone", "category",
                      "political_status", "unit", "team_id", "home_area_id", "skills",
                      "can_lead", "max_per_week", "is_volunteer", "party_points", "active",
                      "notes"], staff)
    slots = [("00:00-08:00", "00:00", "08:00", 1, 1), ("08:00-16:00", "08:00", "16:00", 2, 0),
             ("16:00-24:00", "16:00", "24:00", 3, 0)]
    _insert("shift_slot", ["id", "name", "start", "end", "sort", "is_night", "extra_staff"],
            [(i, *s, 0) for i, s in enumerate(slots, start=1)])
    checkpoints = []
    for cid in range(1, size.checkpoints + 1):
        village = cid % 2 == 1
        leaf = leaves[(cid * 7919) % len(leaves)]
        checkpoints.append((cid, f"{leaf[1][:6]}{cid}号卡口", leaf[1], leaf[0], "清溪镇人民政府",
                            _name(rng), _phone(rng), "村" if village else "社区",
                            rng.choice(("人行", "车行", "人车")), 4 if village else 2, 1,
                            (today - dt.timedelta(days=size.shift_days // 2)).isoformat(), None))
    _insert("checkpoint", ["id", "name", "address", "area_id", "unit", "person", "phone", "kind",
                           "traffic", "staff_per_shift", "needs_leader", "active_from",
                           "active_to"], checkpoints)
    first = today - dt.timedelta(days=size.shift_days // 2)
    roster.plan(first, first + dt.timedelta(days=size.shift_days - 1))
    services = []
    for s in staff:
        if s[14]:
            for _ in range(rng.randrange(1, 6)):
                services.append((s[0], (today - dt.timedelta(days=rng.randrange(0, 30)))
                                 .isoformat(), rng.choice((2, 3, 4, 8)),
                                 rng.choice(("物资配送", "核酸检测秩序维护", "入户摸排", "卡口值守"))))
    _insert("service_record", ["staff_id", "date", "hours", "what"], services)


def _build_passages(
    rng: random.Random, size: DemoSize, people: list[tuple[int, str, str, int]], today: dt.date
) -> None:
    rows = []
    for _ in range(size.passages):
        checkpoint = rng.randrange(1, size.checkpoints + 1)
        at = dt.datetime.combine(today - dt.timedelta(days=rng.randrange(0, 3)),
                                 dt.time(rng.randrange(0, 24), rng.randrange(0, 60)))
        local = rng.random() < 0.8
        code = rng.choices(("绿", "黄", "红"), (97, 2, 1))[0]
        temperature = round(rng.gauss(36.4, 0.3), 1)
        if rng.random() < 0.01:
            temperature = round(rng.uniform(37.3, 38.5), 1)
        refused = temperature >= 37.3 or code != "绿"
        if local:
            rid, name, idn, _hid = rng.choice(people)
            origin = ""
        else:
            rid, name, idn = None, _name(rng), ""
            origin = rng.choice(("送货", "探亲", "务工")) + "，来自" + rng.choice(RISK_ORIGINS[:3])
        plate = f"皖A{rng.randrange(10000, 99999)}" if rng.random() < 0.3 else ""
        rows.append((checkpoint, at.isoformat(sep=" "), rid, name, idn, _phone(rng), plate,
                     rng.choice(("进", "出")), temperature, code, origin, int(local),
                     "劝返" if refused else "放行", "", ""))
    _insert("gate_passage", ["checkpoint_id", "at", "resident_id", "name", "id_number", "phone",
                             "plate", "direction", "temperature", "health_code", "origin_reason",
                             "is_local", "outcome", "on_duty", "notes"], rows)


def _build_donations(rng: random.Random, size: DemoSize, today: dt.date) -> None:
    donors = [(i, name, "企业", _name(rng), _phone(rng), 0)
              for i, name in enumerate(COMPANIES, start=1)]
    n_people = max(10, size.donations // 5)
    for i in range(len(donors) + 1, len(donors) + n_people + 1):
        anonymous = rng.random() < 0.1
        donors.append((i, "爱心人士" if anonymous else _name(rng), "个人", "",
                       "" if anonymous else _phone(rng), int(anonymous)))
    _insert("donor", ["id", "name", "kind", "contact", "phone", "anonymous"], donors)
    _insert("item", ["id", "name", "spec", "unit", "low_threshold"],
            [(i, name, spec, unit, 10) for i, (name, spec, unit, _v, _b) in
             enumerate(ITEMS, start=1)])
    donations, lines = [], []
    received = [0.0] * (len(ITEMS) + 1)
    first = today - dt.timedelta(days=60)
    for did in range(1, size.donations + 1):
        day = first + dt.timedelta(days=(did * 60) // size.donations)
        donor = rng.choice(donors)
        money = rng.random() < 0.55
        directed = rng.random() < 0.25
        amount = float(rng.choice((200, 500, 1000, 2000, 5000, 10000, 50000))) if money else 0.0
        donations.append((did, day.isoformat(), donor[0], f"{day.year}-{did:04d}", int(money),
                          amount, rng.choice(("现金", "转账", "微信", "支付宝")) if money else "",
                          int(directed), "卡口值守人员生活保障" if directed else "", _name(rng), ""))
        if not money:
            item = rng.randrange(1, len(ITEMS) + 1)
            quantity = float(rng.choice((10, 20, 50, 100, 200)))
            received[item] += quantity
            expiry = (day + dt.timedelta(days=700)).isoformat() if ITEMS[item - 1][4] else None
            lines.append((did, item, quantity, quantity * ITEMS[item - 1][3],
                          f"B{rng.randrange(100000, 999999)}" if expiry else "", expiry))
    _insert("donation", ["id", "date", "donor_id", "receipt_no", "is_money", "amount", "channel",
                         "directed", "purpose", "handled_by", "notes"], donations)
    _insert("donation_item", ["donation_id", "item_id", "quantity", "value", "batch_no",
                              "expiry"], lines)
    # hand-outs only of what had arrived by their date (stock never negative on any day):
    # each takes a random day of the last 30, or the first day enough had come in
    arrivals: dict[int, list[tuple[str, float]]] = {i: [] for i in range(1, len(ITEMS) + 1)}
    for (_did, day_text, *_rest), line in zip(
            (d for d in donations if not d[4]), lines, strict=True):
        arrivals[line[1]].append((day_text, line[2]))
    handed = []
    for item in range(1, len(ITEMS) + 1):
        left = received[item]
        quantities = []
        for _ in range(3 + size.donations // 200):
            quantity = float(int(left * rng.uniform(0.05, 0.25)))
            if quantity <= 0:
                break
            left -= quantity
            quantities.append(quantity)
        wanted = sorted(today - dt.timedelta(days=rng.randrange(0, 30)) for _ in quantities)
        out = 0.0
        for quantity, day in zip(quantities, wanted, strict=True):
            out += quantity
            came, enough = 0.0, today
            for arrived, amount in sorted(arrivals[item]):
                came += amount
                if came >= out:
                    enough = dt.date.fromisoformat(arrived)
                    break
            handed.append((
                max(day, enough).isoformat(), item, quantity,
                rng.choice(("卡口", "社区/村", "居家隔离户", "服务队")),
                rng.choice(COMMUNITY_NAMES) + "社区", _name(rng), _name(rng), ""))
    _insert("distribution", ["date", "item_id", "quantity", "recipient_kind", "recipient",
                             "received_by", "handled_by", "notes"], handed)


def build_demo(
    path: Path, size: str = "small", seed: int = 2022, progress: Progress | None = None,
    today: dt.date | None = None,
) -> None:
    """Create a demo township in a new file at ``path`` (refuses to touch an existing one)."""
    if size not in SIZES:
        raise DatabaseError(f"演示规模只能是 {' / '.join(SIZES)}")
    report = progress or (lambda _stage, _fraction: None)
    spec = SIZES[size]
    rng = random.Random(seed)
    today = today or clock.today()
    existed = path.exists()
    db = open_database(path)
    if any(model.select().exists() for model in (Setting, Area, Resident)):
        raise DatabaseError(f"“{path}”已有数据，演示数据只能写入新文件")
    try:
        with db.atomic():
            for key, value in (("township", TOWNSHIP), ("preparer", "王华"), ("checker", "韩翔宇"),
                               ("phone", "0551-67612345"), ("setup_done", "1")):
                set_setting(key, value)
            report("区域", 0.0)
            leaves = _build_areas(rng, spec)
            ids = _Ids(rng)
            with bulk_insert(db):
                people = _build_residents(rng, spec, leaves, ids, today, report)
            report("重点人员", 0.0)
            _build_key_persons(rng, spec, people, today)
            _build_pushed(rng, people, today)
            report("卡口与排班", 0.0)
            _build_staff_and_shifts(rng, spec, leaves, ids, today)
            _build_passages(rng, spec, people, today)
            report("捐赠", 0.0)
            _build_donations(rng, spec, today)
            log_change("导入", "demo", None, None, {"size": size, "seed": seed})
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute_sql("ANALYZE")
        report("完成", 1.0)
    except BaseException:
        close_file()  # SQLite removes its journal as the last connection closes
        if not existed:
            path.unlink(missing_ok=True)
        raise

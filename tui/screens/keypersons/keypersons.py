"""重点人员: the lists the clerk lives in (under control, due, overdue, missing temperatures,
fevers, released), and registering, measures, release and tests on the chosen person.

体温录入 and the export chooser are imported when first asked for, not on the section's first
opening (about 50 ms of imports on a slow PC)."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from db import clock
from db import keypersons as kp
from db.models import KEY_CATEGORIES, KEY_SOURCES, MEASURE_KINDS, TRANSPORTS, KeyPerson
from db.residents import ResidentInput, find_resident
from db.validate import Invalid, parse_date
from tui.dialogs.form import Field, FormDialog
from tui.markup import escape
from tui.screens import SectionScreen, keys
from tui.widgets.column_table import Col, ColumnTable, OffsetPages

PAGE = 200  # rows in the table at a time; the cursor running off either end turns the page
# 姓名, 措施, 计划解除, 电话 and 体温 are what a clerk calls and acts on; the rest give way at 80
# columns to the detail line under the table
COLUMNS = (Col("姓名", 8), Col("性别", 4, 3), Col("年龄", 4, 2), Col("类别", 8, 2),
           Col("措施", 12, grow=True), Col("开始", 5, 3), Col("计划解除", 8), Col("网格", 10, 1),
           Col("电话", 11), Col("体温", 4))


def _cells(r: kp.ControlRow) -> tuple[object, ...]:
    return (r.name, r.sex, str(r.age), r.category, r.kind + (f"（{r.place}）" if r.place else ""),
            f"{r.start:%m-%d}", f"{r.planned_end:%m-%d}", r.grid, r.phone,
            "" if r.value is None else Text(f"{r.value:.1f}", style="red"))


def _day(text: str, label: str, required: bool = True) -> dt.date | None:
    try:
        day = parse_date(text)
    except Invalid as exc:
        raise Invalid(f"{label}：{exc}") from None
    if day is None and required:
        raise Invalid(f"请填写{label}")
    return day


def measure_form(person: KeyPerson) -> FormDialog:
    """The form that starts a person's first measure, prefilled from the category's policy."""
    first = kp.FIRST_MEASURE.get(person.category, MEASURE_KINDS[0])
    days = kp.policy(person.category)[0]
    today = clock.today()
    fields = [Field("kind", "管控措施", first, options=MEASURE_KINDS),
              Field("place", "隔离地点（集中隔离）"),
              Field("start", "开始日期", today.isoformat()),
              Field("end", "计划解除日期", placeholder=f"留空按设置：{days}天")]
    for key, label in kp.RESPONSIBLE:
        fields += [Field(key, label), Field(f"{key}_phone", f"{label}电话")]

    def submit(v: dict[str, str]) -> object:
        responsible = kp.Responsible({k: v[k] for k, _ in kp.RESPONSIBLE},
                                     {k: v[f"{k}_phone"] for k, _ in kp.RESPONSIBLE})
        return kp.start_measure(person.id, v["kind"], _day(v["start"], "开始日期"),
                                v["place"], responsible,
                                _day(v["end"], "计划解除日期", required=False))

    return FormDialog(f"{person.resident.name}：开始管控措施", fields, submit,
                      note=f"{person.category}，按设置首个措施 {days} 天")


class KeyPersonsScreen(SectionScreen):
    TITLE = "重点人员"
    BINDINGS = keys(
        "1 show('under_control') 在管 hidden",
        "2 show('due') 到期 hidden",
        "3 show('overdue') 逾期 hidden",
        "4 show('missing') 缺体温 hidden",
        "5 show('fever') 发热 hidden",
        "6 show('released') 已解除 hidden",
        "n register 登记",
        "m measure 措施",
        "r release 解除",
        "t temperatures 体温录入",
        "c test 核酸 hidden",
        "x export 导出",
        "f filter 筛选",
    )

    def __init__(self) -> None:
        super().__init__()
        self.current = "under_control"
        self.total = 0  # rows in the list (the table shows one page)
        self.kind = ""  # measure kind filter
        self.grid = ""  # grid name filter

    def compose_main(self) -> ComposeResult:
        yield Static(id="kp-tabs")
        yield from ColumnTable(COLUMNS, _cells, pages=self._pages(), id="kp-table").with_detail()
        yield Static(id="kp-status")

    def reload(self) -> None:
        today = clock.today()
        half = clock.current_half()
        counts = kp.list_counts(today, half)
        tabs = []
        for n, (key, label) in enumerate(kp.LISTS.items(), start=1):
            count = f" {counts[key]}" if key in counts else ""
            text = f"{n} {label}{count}"
            if key in ("overdue", "fever") and counts[key]:
                text = f"[red]{text}[/red]"
            tabs.append(f"[reverse]{text}[/reverse]" if key == self.current else text)
        self.query_one("#kp-tabs", Static).update("　".join(tabs))
        table = self.query_one(ColumnTable)
        pages = table.pages
        at = pages.start + table.cursor_row if isinstance(pages, OffsetPages) else 0
        table.pages = pages = self._pages()
        self.total = pages.count()
        at = max(0, min(at, self.total - 1))
        table.set_rows(pages.at(at // PAGE * PAGE), at % PAGE)
        self.show_status()

    def _pages(self) -> OffsetPages[kp.ControlRow]:
        today, half = clock.today(), clock.current_half()
        args = (self.current, today, half, self.kind, self.grid)
        return OffsetPages(lambda offset, limit: kp.control_page(*args, offset, limit),
                           lambda: kp.control_count(*args), PAGE)

    def show_status(self) -> None:
        table = self.query_one(ColumnTable)
        first = table.pages.start if isinstance(table.pages, OffsetPages) else 0
        shown = "、".join(x for x in (self.kind, self.grid) if x)
        page = (f"（第 {first + 1}—{first + table.row_count} 人）" if self.total > PAGE else "")
        self.query_one("#kp-status", Static).update(
            f"{kp.LISTS[self.current]}{f'（{escape(shown)}）' if shown else ''}：{self.total} 人{page}　"
            "数字键 1—6 切换名单　f 按措施/网格筛选　c 核酸　Enter 调整解除日期")

    def on_column_table_turned(self, event: ColumnTable.Turned) -> None:
        self.show_status()

    def action_filter(self) -> None:
        fields = [Field("kind", "管控措施", self.kind or "全部", options=("全部", *MEASURE_KINDS)),
                  Field("grid", "网格（名称中的字）", self.grid)]

        def submit(v: dict[str, str]) -> dict[str, str]:
            return v

        def apply(v: dict[str, str] | None) -> None:
            if v is not None:
                self.kind = "" if v["kind"] == "全部" else v["kind"]
                self.grid = v["grid"]
                self.reload()

        self.app.push_screen(FormDialog("筛选名单", fields, submit), apply)

    def action_show(self, name: str) -> None:
        self.current = name
        table = self.query_one(ColumnTable)
        table.pages = None
        table.move_cursor(row=0)
        self.reload()

    @property
    def rows(self) -> list[kp.ControlRow]:
        """The page of the list on the table now."""
        return self.query_one(ColumnTable).items

    def selected(self) -> kp.ControlRow | None:
        return self.query_one(ColumnTable).selected()

    def _after(self, result: object) -> None:
        if result is not None:
            self.reload()

    # --- register ------------------------------------------------------------------------------

    def action_register(self) -> None:
        fields = [
            Field("id_number", "身份证号码", placeholder="已登记的居民只填此项即可"),
            Field("name", "姓名（新人员）"),
            Field("phone", "联系电话（新人员）"),
            Field("address", "住址（新人员）"),
            Field("category", "人员类别", options=KEY_CATEGORIES),
            Field("source", "发现途径", options=KEY_SOURCES),
            Field("origin", "来源地", placeholder="省-市-县"),
            Field("arrival", "抵达日期", placeholder="2022-04-11"),
            Field("transport", "交通方式", options=TRANSPORTS),
            Field("transport_no", "航班/车次/车牌"),
            Field("notes", "备注"),
        ]

        def submit(v: dict[str, str]) -> KeyPerson:
            from db.validate import check_id

            number = check_id(v["id_number"]).number
            resident = find_resident(number)
            new = None
            if resident is None:
                if not v["name"]:
                    raise Invalid("该身份证号码未登记，请填写姓名、电话、住址以新建居民")
                new = ResidentInput(v["name"], number, v["phone"], kind="返乡")
            data = kp.KeyPersonInput(
                category=v["category"], source=v["source"], origin=v["origin"],
                arrival_date=_day(v["arrival"], "抵达日期", required=False),
                transport=v["transport"], transport_no=v["transport_no"], notes=v["notes"])
            return kp.register_key_person(data, resident, new, address=v["address"])

        def registered(person: KeyPerson | None) -> None:
            if person is not None:
                self.notify(f"已登记 {person.resident.name}（{person.category}），请开始管控措施")
                self.app.push_screen(measure_form(person), self._after)

        self.app.push_screen(FormDialog("登记重点人员", fields, submit), registered)

    # --- measures ------------------------------------------------------------------------------

    def action_measure(self) -> None:
        row = self.selected()
        if row is None:
            return
        person = kp.case(row.person_id)
        current = kp.open_measure(person.id)
        if current is None:
            self.app.push_screen(measure_form(person), self._after)
            return
        following = kp.NEXT_MEASURE.get(current.kind, "居家健康监测")
        fields = [Field("kind", "转为", following, options=MEASURE_KINDS),
                  Field("day", "转换日期", clock.today().isoformat()),
                  Field("place", "隔离地点（集中隔离）")]

        def submit(v: dict[str, str]) -> object:
            return kp.follow_on(current.id, v["kind"], _day(v["day"], "转换日期"), v["place"])

        self.app.push_screen(FormDialog(
            f"{row.name}：{current.kind}转下一措施", fields, submit,
            note=f"当前{current.kind}，计划{current.planned_end:%Y-%m-%d}解除；"
                 "转换后责任人沿用"), self._after)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = self.selected()
        if row is None or row.released_on is not None:
            return
        fields = [Field("end", "新的计划解除日期", row.planned_end.isoformat()),
                  Field("reason", "调整原因")]

        def submit(v: dict[str, str]) -> object:
            return kp.change_end(row.measure_id, _day(v["end"], "计划解除日期"), v["reason"])

        self.app.push_screen(FormDialog(f"{row.name}：调整计划解除日期", fields, submit),
                             self._after)

    def action_release(self) -> None:
        row = self.selected()
        if row is None or row.released_on is not None:
            return
        fields = [Field("day", "解除日期", clock.today().isoformat()),
                  Field("reason", "原因（提前解除必填）")]

        def submit(v: dict[str, str]) -> object:
            return kp.release(row.measure_id, _day(v["day"], "解除日期"), v["reason"])

        def done(result: object) -> None:
            if result is not None:
                self.notify(f"{row.name} 已解除{row.kind}")
                self.reload()

        self.app.push_screen(FormDialog(
            f"解除：{row.name}（{row.kind}，计划{row.planned_end:%Y-%m-%d}）", fields, submit),
            done)

    def action_test(self) -> None:
        row = self.selected()
        if row is None:
            return
        fields = [Field("day", "采样日期", clock.today().isoformat()),
                  Field("result", "结果", options=("阴性", "待出结果", "阳性"))]

        def submit(v: dict[str, str]) -> object:
            return kp.add_nucleic_test(row.person_id, _day(v["day"], "采样日期"), v["result"])

        self.app.push_screen(FormDialog(f"{row.name}：核酸检测", fields, submit), self._after)

    def action_temperatures(self) -> None:
        from tui.screens.keypersons.temperatures import TemperatureScreen

        self.app.push_screen(TemperatureScreen(), self._after)

    # --- exports -------------------------------------------------------------------------------

    def action_export(self) -> None:
        from tui.exporting import choose_export

        today = clock.today()
        choose_export(self, "导出重点人员报表", ["ledger", "home", "monitor", "temperatures",
                                               "notices"],
                      {"day": today, "start": today - dt.timedelta(days=6), "end": today})

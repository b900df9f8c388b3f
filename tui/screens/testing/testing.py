"""核酸检测 (F12): whole-population testing rounds — the rounds, coverage by area with the grids
furthest behind, who is missing (with the grid worker's reason), the door-to-door list, fast
check-off at a sampling point, the sampling system's list imported, a positive made a key
person in one step."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Select, Static

from db import clock
from db import testing as ts
from db.models import KEY_CATEGORIES, MEASURE_KINDS, Resident, SamplingRound
from db.residents import mask_id
from db.validate import Invalid, parse_date
from tui.dialogs.file_job import FileJobDialog, JobResult, Progress
from tui.dialogs.form import Field, FieldKeys, FormDialog
from tui.exporting import export_job
from tui.keys import after_typed
from tui.markup import escape
from tui.screens import SECTIONS_CSS, Framed, SectionScreen, keys
from tui.widgets.plain_table import PlainTable

VIEWS = {"rounds": "1 轮次", "coverage": "2 覆盖情况", "missing": "3 未检人员", "door": "4 上门采样"}
SHOWN = 1000  # people listed on screen; the exported lists have every one
POSITIVE_LABEL = "疑似（初筛阳性）"  # stored as 疑似, source 全员核酸检测, marked 初筛阳性
CATEGORY_CHOICES = [POSITIVE_LABEL, *[c for c in KEY_CATEGORIES if c != ts.POSITIVE_CATEGORY]]


def _day(text: str, label: str) -> dt.date:
    day = parse_date(text)
    if day is None:
        raise Invalid(f"请填写{label}")
    return day


def _names(text: str) -> list[str]:
    return [p.strip() for p in text.replace("，", ",").replace("、", ",").split(",") if p.strip()]


def _one_resident(text: str) -> Resident:
    found = ts.find_for_check_off(text)
    if not found:
        raise Invalid(f"没有找到“{text}”：请输入身份证号、姓名、拼音首字母或临时出入卡号")
    if len(found) > 1:
        raise Invalid(f"“{text}”匹配{len(found)}人，请输入更多（如身份证号后4位）")
    return found[0]


class TestingScreen(SectionScreen):
    TITLE = "核酸检测"
    BINDINGS = keys(
        "1 view('rounds') 轮次 hidden",
        "2 view('coverage') 覆盖 hidden",
        "3 view('missing') 未检 hidden",
        "4 view('door') 上门 hidden",
        "c check_off 核销",
        "i import_list 导入名单",
        "r reason 未检原因",
        "p positive 阳性",
        "x export 导出",
        "n new_round 新建轮次",
        "m immobile 行动不便 hidden",
        "b marks 批量标记 hidden",
    )

    def __init__(self) -> None:
        super().__init__()
        self.view = "coverage"
        running = ts.running_round() or (ts.rounds() or [None])[0]
        self.round_id: int | None = running.id if running else None
        self.keys: list[int] = []

    def compose_main(self) -> ComposeResult:
        yield Static(id="ts-summary")
        yield Static(id="ts-tabs")
        yield PlainTable(id="ts-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="ts-status")

    def action_view(self, name: str) -> None:
        self.view = name
        self.reload()

    def reload(self) -> None:
        """Show the view; its numbers are counted on a thread (a town's round takes a second
        or two), then drawn at once."""
        self.query_one("#ts-tabs", Static).update("　".join(
            f"[reverse]{label}[/reverse]" if key == self.view else label
            for key, label in VIEWS.items()))
        self.query_one("#ts-status", Static).update("正在统计…")
        self._read(self.view, self.round_id, self.chosen())

    @work(thread=True, exclusive=True, group="testing-view", exit_on_error=False)
    def _read(self, view: str, round_id: int | None, kept: int | None) -> None:
        found = ts.get_round(round_id)
        numbers = ts.coverage(found.id) if found is not None else None
        rows: list[object] = []
        if view == "rounds":
            rows = [(r, "、".join(n.split("/")[-1] for n in ts.scope_names(r.id)) or "全镇",
                     len(ts.round_points(r.id))) for r in ts.rounds()]
        elif view in ("missing", "door") and found is not None:
            door = view == "door"
            rows = ts.missing(found.id, immobile_only=door, include_tested=door)[:SHOWN]
        self.app.call_from_thread(self._fill, view, found, numbers, rows, kept)

    def _fill(self, view: str, found: SamplingRound | None, numbers: ts.Coverage | None,
              rows: list, kept: int | None) -> None:
        if view != self.view:
            return  # the clerk has moved on; that view's own read follows
        table = self.query_one(DataTable)
        table.clear(columns=True)
        self.keys = []
        summary = self.query_one("#ts-summary", Static)
        status = self.query_one("#ts-status", Static)
        if found is None or numbers is None:
            summary.update("还没有核酸检测轮次：按 n 新建一轮")
        else:
            exempt = "、".join(f"{rule}{n}" for rule, n in numbers.exempt.items())
            summary.update(
                f"[b]{escape(found.name)}[/b]　{found.start_date:%m-%d}至{found.end_date:%m-%d}"
                f"　应检 {numbers.expected:,}　已检 {numbers.tested:,}　"
                f"[b red]未检 {numbers.missing:,}[/b red]　完成 {numbers.rate:.1%}　"
                f"阳性 {numbers.positive}　免检：{exempt}")
        if view == "rounds":
            self._rounds(table, rows)
            status.update("Enter 选择轮次　n 新建轮次　c 核销　i 导入名单")
        elif numbers is None:
            status.update("")
        elif view == "coverage":
            self._coverage(table, numbers)
            behind = "、".join(f"{g.name.split('/')[-1]}（未检{g.missing}）"
                               for g in numbers.behind(3))
            status.update(f"最落后的网格：{escape(behind) or '无'}　x 导出统计表")
        else:
            self._people(table, rows)
            status.update("r 未检原因　m 行动不便　b 批量标记　x 导出名单　"
                          f"（最多显示{SHOWN}人，导出名单含全部）")
        if kept in self.keys:
            table.move_cursor(row=self.keys.index(kept))

    def _rounds(self, table: DataTable, rows: list) -> None:
        table.add_columns("编号", "名称", "开始", "结束", "范围", "采样点")
        for r, scope, points in rows:
            mark = "● " if r.id == self.round_id else ""
            table.add_row(f"{mark}{r.id}", r.name, f"{r.start_date:%Y-%m-%d}",
                          f"{r.end_date:%Y-%m-%d}", scope, str(points))
            self.keys.append(r.id)

    def _coverage(self, table: DataTable, numbers: ts.Coverage) -> None:
        table.add_columns("区域", "应检", "已检", "未检", "完成率")
        for area in numbers.by_area():
            name = area.name if area.level == 1 else "　" + area.name.split("/", 1)[-1]
            missing = Text(f"{area.missing:,}", style="red b") if area.missing else "0"
            table.add_row(Text(name, style="b") if area.level == 1 else name,
                          f"{area.expected:,}", f"{area.tested:,}", missing, f"{area.rate:.1%}")

    def _people(self, table: DataTable, people: list[ts.MissingPerson]) -> None:
        table.add_columns("姓名", "身份证号码", "电话", "网格", "楼栋", "门牌", "原因")
        for m in people:
            reason = Text("已采样", style="green") if m.reason == "已采样" else m.reason
            table.add_row(m.name, m.id_masked, m.phone, m.grid, m.building, m.door, reason)
            self.keys.append(m.resident_id)

    def chosen(self) -> int | None:
        return self.query_one("#ts-table", PlainTable).at_cursor(self.keys)

    def _after(self, result: object) -> None:
        if result is not None and result is not False:
            self.reload()

    def _need_round(self) -> int | None:
        if self.round_id is None:
            self.notify("还没有核酸检测轮次：请先按 n 新建", severity="warning")
        return self.round_id

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if self.view == "rounds" and self.chosen() is not None:
            self.round_id = self.chosen()
            self.view = "coverage"
            self.reload()

    def action_new_round(self) -> None:
        today = clock.today()
        fields = [Field("name", "轮次名称", placeholder="如 第1轮全员核酸"),
                  Field("start", "开始日期", today.isoformat()),
                  Field("end", "结束日期", (today + dt.timedelta(days=1)).isoformat()),
                  Field("scope", "范围", placeholder="社区/小区/网格名称，逗号分隔；空 = 全镇"),
                  Field("points", "采样点", placeholder="名称，逗号分隔；新名称建为采样点")]

        def submit(v: dict[str, str]) -> SamplingRound:
            points = [ts.find_or_add_point(name).id for name in _names(v["points"])]
            return ts.new_round(v["name"], _day(v["start"], "开始日期"),
                                _day(v["end"], "结束日期"), _names(v["scope"]), points)

        def done(found: SamplingRound | None) -> None:
            if found is not None:
                self.round_id = found.id
                self.notify(f"已新建第{found.id}轮：{found.name}")
                self.reload()

        self.app.push_screen(FormDialog("新建核酸检测轮次", fields, submit), done)

    def action_check_off(self) -> None:
        round_id = self._need_round()
        if round_id is not None:
            self.app.push_screen(CheckOffScreen(round_id))

    def action_import_list(self) -> None:
        round_id = self._need_round()
        if round_id is None:
            return

        def job(path: Path, dry_run: bool, progress: Progress) -> JobResult:
            from exports.sampling import import_sample_list

            result = import_sample_list(round_id, path, dry_run=dry_run, progress=progress)
            more = len(result.unmatched) - 200
            details = [u.text() for u in result.unmatched[:200]] + (
                [f"……另有 {more} 行未匹配（命令 eprc import testing --json 可列出全部）"]
                if more > 0 else [])
            return JobResult(result.text(), details, changed=result.matched > 0 and not dry_run)

        self.app.push_screen(FileJobDialog("导入采样名单（xlsx 或 csv）", job,
                                           dry_run_label="只比对，不写入",
                                           placeholder="采样系统导出的名单文件"), self._after)

    def action_reason(self) -> None:
        resident_id = self.chosen() if self.view in ("missing", "door") else None
        if resident_id is None or self.round_id is None:
            self.notify("请在未检人员（3）或上门采样（4）中选择一人", severity="warning")
            return
        person = ts.get_resident(resident_id)
        fields = [Field("reason", "未检原因", ts.REASONS[0], options=("", *ts.REASONS)),
                  Field("note", "情况说明", placeholder="原因为“其他”时必填")]
        round_id = self.round_id
        self.app.push_screen(FormDialog(
            f"{person.name} 未检原因", fields,
            lambda v: ts.record_reason(round_id, resident_id, v["reason"], v["note"])),
            self._after)

    def action_immobile(self) -> None:
        resident_id = self.chosen() if self.view in ("missing", "door") else None
        if resident_id is None:
            self.notify("请在未检人员（3）或上门采样（4）中选择一人", severity="warning")
            return
        person = ts.get_resident(resident_id)
        ts.set_immobile([resident_id], not person.immobile)
        self.notify(f"{person.name}：{'已取消' if person.immobile else '已标记'}行动不便")
        self.reload()

    def action_marks(self) -> None:
        """外出 dates and 行动不便 for many residents at once, from a list (by ID number)."""

        def job(path: Path, _dry: bool, _progress: Progress) -> JobResult:
            from exports.sampling import read_marks

            result = ts.apply_marks(read_marks(path))
            return JobResult(result.text(), [p.text() for p in result.problems[:200]],
                             changed=result.changed > 0)

        self.app.push_screen(FileJobDialog(
            "批量标记外出/行动不便（按身份证号码）", job,
            placeholder="含“身份证号码”和“外出日期”“返回日期”“行动不便”列的 xlsx/csv"), self._after)

    def action_positive(self) -> None:
        round_id = self._need_round()
        if round_id is None:
            return
        chosen = self.chosen() if self.view in ("missing", "door") else None
        preset = ts.get_resident(chosen).id_number if chosen else ""
        fields = [Field("who", "身份证号/姓名/拼音", preset),
                  Field("category", "人员类别", POSITIVE_LABEL, options=CATEGORY_CHOICES),
                  Field("measure", "管控措施", ts.POSITIVE_MEASURE, options=MEASURE_KINDS),
                  Field("place", "隔离地点", placeholder="集中隔离时填写；空 = 待定")]

        def submit(v: dict[str, str]) -> object:
            person = _one_resident(v["who"])
            category = ts.POSITIVE_CATEGORY if v["category"] == POSITIVE_LABEL else v["category"]
            found = ts.record_positive(round_id, person.id, category, v["measure"], v["place"])
            self.notify(f"{person.name} 已登记为重点人员（{found.category}，{v['measure']}），"
                        "已列入首页", severity="warning")
            return found

        self.app.push_screen(FormDialog("初筛阳性：转为重点人员", fields, submit,
                                        note="一步完成：登记阳性、列为重点人员、开始管控措施"),
                             self._after)

    def action_export(self) -> None:
        """The sheet of this view (coverage, the untested, the door-to-door list)."""
        round_id = self._need_round()
        if round_id is not None:
            key = {"missing": "untested", "door": "door"}.get(self.view, "coverage")
            export_job(self, key, {"round": round_id})


class CheckOffScreen(FieldKeys, Framed):
    """核销: at a sampling point (or with a mobile team), find each person as at the gate —
    ID tail, name, pinyin initials or pass card — and Enter checks them off. The keys are the
    forms': Enter is a priority key that checks off whoever the box holds once it has every key
    typed before the Enter (not whoever the last redraw showed), and the next ID a card reader
    sends straight after waits, then lands in the emptied box."""

    CSS_PATH = SECTIONS_CSS
    TITLE = "核酸采样核销"
    BINDINGS = [Binding("escape", "app.pop_screen", "返回"), *FieldKeys.FIELD_KEYS]

    def __init__(self, round_id: int) -> None:
        super().__init__()
        self.round = ts.get_round(round_id)
        self.found: list[Resident] = []
        self.done = 0

    def compose_main(self) -> ComposeResult:
        yield Static(f"[b]{escape(self.round.name)}[/b]　采样核销（Enter 核销，Esc 返回）",
                     id="check-title")
        points = [(p.name, p.id) for p in ts.round_points(self.round.id)]
        with Horizontal(classes="field"):
            yield Label("采样点/方式", classes="field-label")
            yield Select(points, prompt="（不指定采样点）", id="check-point")
            yield Select([(w, w) for w in ("采样点", "上门")], value="采样点",
                         allow_blank=False, id="check-how")
        with Horizontal(classes="field"):
            yield Label("查找居民", classes="field-label")
            yield Input(placeholder="身份证号后几位/姓名/拼音首字母/出入卡号", id="check-find")
        yield Static("", id="check-person")
        yield Static("", id="check-message")
        table: PlainTable = PlainTable(id="check-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("时间", "姓名", "身份证号码", "方式", "结果")
        yield table

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#check-find", Input))

    def fields(self) -> list[Widget]:
        return [self.query_one("#check-point"), self.query_one("#check-how"),
                self.query_one("#check-find")]

    def last_field_done(self) -> None:
        find = self.query_one("#check-find", Input)
        after_typed(find, lambda: self._check_off(find))

    def _look_up(self, text: str) -> list[Resident]:
        text = text.strip()
        return ts.find_for_check_off(text) if len(text) >= 2 else []

    def on_input_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        self.found = self._look_up(text)
        person = self.query_one("#check-person", Static)
        if not self.found:
            person.update("未找到居民" if text else "")
        elif len(self.found) > 1:
            person.update(f"匹配{len(self.found)}人：" + "、".join(
                f"{escape(r.name)}（{r.id_number[-4:]}）" for r in self.found[:6])
                + "，请输入更多")
        else:
            r = self.found[0]
            address = r.household.address if r.household else ""
            person.update(f"[green]{escape(r.name)}　{mask_id(r.id_number)}　"
                          f"{escape(address)}[/green]")

    def _check_off(self, find: Input) -> None:
        message = self.query_one("#check-message", Static)
        found = self._look_up(find.value)
        if len(found) != 1:
            message.update("[red]请先找到唯一的一个人（匹配多人时输入更多）[/red]")
            return
        person = found[0]
        point = self.query_one("#check-point", Select).value
        how = str(self.query_one("#check-how", Select).value)
        sample, new = ts.check_off(self.round.id, person.id, how=how,
                                   point_id=point if isinstance(point, int) else None)
        if new:
            self.done += 1
            message.update(f"已核销：{escape(person.name)}（本次 {self.done} 人）")
        else:
            message.update(f"[yellow]{escape(person.name)} 已于{sample.at:%m-%d %H:%M}核销过，"
                           "未重复登记[/yellow]")
        table = self.query_one(DataTable)
        table.add_row(f"{clock.now():%H:%M}", person.name, mask_id(person.id_number), how,
                      "新核销" if new else "已核销过")
        table.move_cursor(row=table.row_count - 1)
        find.value = ""
        self.found = []
        self.query_one("#check-person", Static).update("")

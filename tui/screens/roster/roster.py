"""卡口排班: the township's week (checkpoints and sampling points × days, coverage in colour), a
post's week (its own slots × days, names in cells) with assign / remove / swap / pin, automatic
planning in a worker, the check, printing, and the gate entry screen (checkpoints only)."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, ProgressBar, Static
from textual.worker import Worker, WorkerState

from db import clock, roster
from db.logfile import clerk_line
from db.models import Assignment, Checkpoint, Shift
from db.validate import Invalid
from tui.dialogs.form import Field, FormDialog
from tui.exporting import export_job
from tui.markup import escape
from tui.screens import DetailScreen, SectionScreen, keys
from tui.widgets.column_table import SCROLLBAR, Col, ColumnTable
from tui.widgets.plain_table import PlainTable

WEEKDAYS = "一二三四五六日"


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class RosterScreen(SectionScreen):
    TITLE = "卡口排班"
    BINDINGS = keys(
        "enter open 卡口一周",
        "left_square_bracket week(-1) 上周",
        "right_square_bracket week(1) 下周",
        "p plan 自动排班",
        "c check 检查",
        "x export 导出/打印",
        "w staff 人员",
        "k checkpoints 卡口",
    )

    def __init__(self) -> None:
        super().__init__()
        self.start = monday(clock.today())
        self.checkpoints: list[Checkpoint] = []

    def compose_main(self) -> ComposeResult:
        yield Static(id="roster-title")
        table = ColumnTable((), tuple, id="roster-table")
        table.header_height = 2
        yield table
        yield table.detail
        yield ProgressBar(total=1.0, show_eta=False, id="roster-progress")
        yield Static(id="roster-status")

    def reload(self) -> None:
        end = self.start + dt.timedelta(days=6)
        days = [self.start + dt.timedelta(days=n) for n in range(7)]
        self.query_one("#roster-title", Static).update(
            f"[b]{self.start:%Y-%m-%d} 至 {end:%m-%d}[/b]　绿=排满　黄=缺人　红=无人　[ ] 切换周")
        cover = roster.coverage(self.start, end)

        def cells(cp: Checkpoint) -> tuple[object, ...]:
            days_cells = []
            for d in days:
                have, need = cover.get((cp.id, d.isoformat()), (0, 0))
                color = "green" if need and have >= need else ("red" if not have else "yellow")
                days_cells.append(Text(f"{have}/{need}", style=color) if need else "—")
            kind = cp.post_kind if cp.post_kind == "采样点" else cp.kind
            return (cp.name, f"{kind}·{cp.staff_per_shift}人", *days_cells)

        # a day is 5 cells under a two-line header (date, weekday): the whole week, Sunday
        # included, fits 80 columns; 类型 gives way first
        table = self.query_one(ColumnTable)
        table.declare((Col("卡口", 10, grow=True), Col("类型", 8, 1),
                       *[Col(f"{d:%m-%d}\n周{WEEKDAYS[d.weekday()]}", 5) for d in days]), cells)
        self.checkpoints = roster.checkpoints()
        table.set_rows(self.checkpoints)

    def action_staff(self) -> None:
        from tui.screens.roster.staff import StaffScreen

        self.app.push_screen(StaffScreen())

    def action_checkpoints(self) -> None:
        from tui.screens.roster.staff import CheckpointsScreen

        self.app.push_screen(CheckpointsScreen())

    def action_week(self, step: int) -> None:
        self.start += dt.timedelta(days=7 * step)
        self.reload()

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if self.checkpoints and 0 <= table.cursor_row < len(self.checkpoints):
            self.app.push_screen(CheckpointWeekScreen(self.checkpoints[table.cursor_row].id,
                                                      self.start))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_plan(self) -> None:
        self.query_one("#roster-status", Static).update("正在自动排班…")
        bar = self.query_one("#roster-progress", ProgressBar)
        bar.update(progress=0)
        bar.display = True
        self.run_plan(self.start, self.start + dt.timedelta(days=6))

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False)
    def run_plan(self, start: dt.date, end: dt.date) -> roster.PlanResult:
        def progress(_stage: str, fraction: float) -> None:
            self.app.call_from_thread(self.query_one("#roster-progress", ProgressBar).update,
                                      progress=fraction)

        return roster.plan(start, end, progress=progress)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "plan":
            return
        status = self.query_one("#roster-status", Static)
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.query_one("#roster-progress", ProgressBar).display = False
        if event.state == WorkerState.SUCCESS:
            result: roster.PlanResult = event.worker.result
            gaps = "；".join(g.text() for g in result.gaps[:3])
            status.update(escape(result.text() + (f"。{gaps}…" if gaps else "")))
            self.reload()
        elif event.state == WorkerState.ERROR:
            event.stop()
            status.update(f"[red]{escape(clerk_line(event.worker.error, '排班'))}[/red]")

    def action_check(self) -> None:
        result = roster.check_roster(self.start, self.start + dt.timedelta(days=6))
        summary = result.text()
        details = "\n".join(result.items[:12]) + ("\n…" if len(result.items) > 12 else "")
        self.app.push_screen(FormDialog("排班检查", [], lambda _v: True,
                                        note=summary + ("\n" + details if details else
                                                        "\n没有发现问题")))

    def action_export(self) -> None:
        fields = [Field("layout", "版式", options=("每个卡口一页", "全部卡口一张表")),
                  Field("print", "导出后打印", options=("否", "是"))]

        def start(v: dict[str, str] | None) -> None:
            if v is None:
                return
            from exports.system import print_file

            given = {"start": self.start, "end": self.start + dt.timedelta(days=6),
                     "one_sheet": v["layout"] != "每个卡口一页"}
            export_job(self, "roster", given, extra=print_file if v["print"] == "是" else None)

        self.app.push_screen(FormDialog("导出排班表", fields, lambda v: v), start)


class CheckpointWeekScreen(DetailScreen):
    """One post's week: its slots (卡口班次 or 采样点班次) × days with the names on duty."""

    TITLE = "卡口一周排班"
    BINDINGS = keys(
        "a assign 加人",
        "d remove 撤下",
        "s swap 互换",
        "l pin 锁定",
        "g gate 出入登记",
    )

    def __init__(self, checkpoint_id: int, start: dt.date) -> None:
        super().__init__()
        self.checkpoint = roster.checkpoint(checkpoint_id)
        self.start = start
        self.slots = roster.slots_for(self.checkpoint)
        if self.checkpoint.post_kind == "采样点":
            self.title = "采样点一周排班"
        self.days = [start + dt.timedelta(days=n) for n in range(7)]
        self.swap_from: Assignment | None = None

    def compose_main(self) -> ComposeResult:
        yield Static(id="week-title")
        table = PlainTable(id="week-table", cursor_type="cell")
        table.header_height = 2
        yield table
        yield Static("", id="week-detail", classes="list-detail", markup=False)
        yield Static("", id="week-status")

    def on_mount(self) -> None:
        roster.create_shifts(self.days[0], self.days[-1], self.checkpoint.id)
        self.reload()

    def reload(self) -> None:
        cp = self.checkpoint
        self.query_one("#week-title", Static).update(
            f"[b]{escape(cp.name)}[/b]{'（采样点）' if cp.post_kind == '采样点' else ''}"
            f"　每班{cp.staff_per_shift}人"
            + ("，须带班领导" if cp.needs_leader else "") + "　★=锁定　(带)=带班")
        table = self.query_one(DataTable)
        position = table.cursor_coordinate
        table.clear(columns=True)
        # the whole week fits the window: a day takes what 80 or 100 columns leave after 班次
        day_width = max(6, min(10, (self.size.width - SCROLLBAR - 13) // 7 - 2))
        table.add_column("班次", width=11)
        for d in self.days:
            table.add_column(f"{d:%m-%d}\n周{WEEKDAYS[d.weekday()]}", width=day_width)
        for slot in self.slots:
            cells = []
            for d in self.days:
                people = self.people(d, slot.id)
                shift = self.shift(d, slot.id)
                need = shift.headcount if shift else 0
                names = "\n".join(f"{a.staff.name}{'(带)' if a.is_leader else ''}"
                                  f"{'★' if a.pinned else ''}" for a in people)
                short = "" if len(people) >= need else f"\n缺{need - len(people)}"
                cells.append(Text.assemble(names, (short, "red"), end="", no_wrap=True,
                                           overflow="ellipsis"))
            table.add_row(slot.name, *cells, height=max(2, self.checkpoint.staff_per_shift + 1))
        table.cursor_coordinate = position

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        """The highlighted cell's names in full (a day's column is narrow at 80 columns)."""
        row, column = event.coordinate
        people = self.people(self.days[column - 1], self.slots[row].id) if column else []
        self.query_one("#week-detail", Static).update(
            f"{self.days[column - 1]:%m-%d} {self.slots[row].name}："
            + "、".join(f"{a.staff.name}{'(带)' if a.is_leader else ''}" for a in people)
            if column else "")

    def shift(self, day: dt.date, slot_id: int) -> Shift | None:
        return roster.shift_at(self.checkpoint.id, day, slot_id)

    def people(self, day: dt.date, slot_id: int) -> list[Assignment]:
        return roster.people_on(self.checkpoint.id, day, slot_id)

    def here(self) -> tuple[dt.date, int] | None:
        row, column = self.query_one(DataTable).cursor_coordinate
        if column == 0:
            self.notify("请把光标移到某一天的格子里", severity="warning")
            return None
        return self.days[column - 1], self.slots[row].id

    def _choose(self, title: str, then) -> None:
        """Ask which person of the current cell an action is for."""
        spot = self.here()
        if spot is None:
            return
        people = self.people(*spot)
        if not people:
            self.notify("这个班次还没有人", severity="warning")
            return
        if len(people) == 1:
            then(people[0])
            return
        names = [f"{a.staff.name}（{a.staff.phone}）" for a in people]

        def submit(v: dict[str, str]) -> Assignment:
            return people[names.index(v["who"])]

        self.app.push_screen(FormDialog(title, [Field("who", "人员", options=names)], submit),
                             lambda chosen: chosen is not None and then(chosen))

    def action_assign(self) -> None:
        spot = self.here()
        if spot is None:
            return
        shift = self.shift(*spot)
        fields = [Field("who", "姓名、拼音首字母或电话"), Field("pin", "锁定", options=("否", "是"))]

        def submit(v: dict[str, str]) -> Assignment:
            found = roster.find_staff(v["who"])
            if not found:
                raise Invalid(f"找不到“{v['who']}”")
            exact = [s for s in found if s.name == v["who"]]
            if len(found) > 1 and not exact:
                raise Invalid("找到多人：" + "、".join(f"{s.name}（{s.phone[-4:]}）"
                                                    for s in found[:8]) + "，请输入完整姓名")
            return roster.assign(shift.id, (exact or found)[0].id, pinned=v["pin"] == "是")

        self.app.push_screen(FormDialog(f"加人：{spot[0]:%m-%d} "
                                        f"{self.slots[[s.id for s in self.slots].index(spot[1])].name}",
                                        fields, submit), lambda r: r is not None and self.reload())

    def action_remove(self) -> None:
        def remove(a: Assignment) -> None:
            roster.unassign(a.id)
            self.notify(f"已撤下 {a.staff.name}（可在回收站恢复）")
            self.reload()

        self._choose("撤下谁？", remove)

    def action_pin(self) -> None:
        def pin(a: Assignment) -> None:
            roster.set_pinned(a.id, not a.pinned)
            self.reload()

        self._choose("锁定/解锁谁？", pin)

    def action_swap(self) -> None:
        def mark(a: Assignment) -> None:
            if self.swap_from is None:
                self.swap_from = a
                self.query_one("#week-status", Static).update(
                    f"已选 {escape(a.staff.name)}，移到另一个班次的格子再按 s 互换")
                return
            first, self.swap_from = self.swap_from, None
            try:
                roster.swap(first.id, a.id)
            except Invalid as exc:
                self.notify(str(exc), severity="error", timeout=8)
            self.query_one("#week-status", Static).update("")
            self.reload()

        self._choose("和谁互换？" if self.swap_from else "互换谁？", mark)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A sampling point has no gate: g and its footer entry are for checkpoints only."""
        return action != "gate" or self.checkpoint.post_kind == "卡口"

    def action_gate(self) -> None:
        from tui.screens.roster.gate import GateScreen

        self.app.push_screen(GateScreen(self.checkpoint.id))

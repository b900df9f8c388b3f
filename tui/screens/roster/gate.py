"""出入登记: the fast entry screen at a checkpoint — find the resident (ID, name, pinyin or pass
card) or type an outsider, then plate, in/out, temperature and health code; Enter records it.
A fever or a yellow/red code is refused (劝返) in red."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Select, Static

from db import clock, gate, names
from db.models import GatePassage, Resident
from db.roster import checkpoint
from db.validate import Invalid
from tui.exporting import export_job
from tui.markup import escape
from tui.screens import DetailScreen
from tui.widgets.plain_table import PlainTable


class GateScreen(DetailScreen):
    TITLE = "出入登记"
    BINDINGS = [Binding("ctrl+s", "record", "登记"),
                Binding("f10", "key_person", "转为重点人员"),
                Binding("ctrl+r", "export", "导出登记表", priority=True)]  # ^O: 求助

    def __init__(self, checkpoint_id: int) -> None:
        super().__init__()
        self.checkpoint = checkpoint(checkpoint_id)
        self.resident: Resident | None = None
        self.candidates: list[Resident] = []  # several matched: the clerk picks one
        self.last = None

    def compose_main(self) -> ComposeResult:
        yield Static(f"[b]{escape(self.checkpoint.name)}[/b]　今日出入登记", id="gate-title")
        with Horizontal(classes="field"):
            yield Label("查找居民", classes="field-label")
            yield Input(placeholder="身份证号/姓名/拼音首字母/临时出入卡号", id="gate-find")
        yield Static("", id="gate-person")
        with Horizontal(classes="field"):
            yield Label("外来人员姓名/电话", classes="field-label")
            yield Input(id="gate-name")
            yield Input(id="gate-phone")
        with Horizontal(classes="field"):
            yield Label("来自何地/事由", classes="field-label")
            yield Input(id="gate-origin")
        with Horizontal(classes="field"):
            yield Label("车牌/进出/健康码", classes="field-label")
            yield Input(placeholder="可空", id="gate-plate")
            yield Select([("进", "进"), ("出", "出")], value="进", allow_blank=False,
                         id="gate-direction")
            yield Select([(c, c) for c in gate.HEALTH_CODES], value="绿", allow_blank=False,
                         id="gate-code")
        with Horizontal(classes="field"):
            yield Label("体温（Enter 登记）", classes="field-label")
            yield Input(gate.DEFAULT_TEMPERATURE, id="gate-temperature")
        yield Static("", id="gate-message")
        table: PlainTable = PlainTable(id="gate-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("时间", "姓名", "车牌", "进/出", "体温", "健康码", "处置", "来自/事由")
        yield table

    def on_mount(self) -> None:
        self.query_one("#gate-find", Input).focus()
        self.reload()

    def reload(self) -> None:
        """Today's passages, oldest first, the latest at the bottom (read once, on opening)."""
        table = self.query_one(DataTable)
        table.clear()
        for p in gate.passages(self.checkpoint.id, clock.today()):
            self._add_passage(p)

    def _add_passage(self, p: GatePassage) -> None:
        """One passage added under the others, in view; the list is not read again."""
        table = self.query_one(DataTable)
        outcome = Text(p.outcome, style="red b") if p.outcome == "劝返" else p.outcome
        table.add_row(f"{p.at:%H:%M}", p.name, p.plate, p.direction,
                      f"{p.temperature:.1f}" if p.temperature else "", p.health_code,
                      outcome, p.origin_reason)
        table.move_cursor(row=table.row_count - 1)

    def action_export(self) -> None:
        """Today's 出入登记表 of this checkpoint, as the district's sheet."""
        export_job(self, "passages", {"checkpoint": self.checkpoint.id},
                   scope=self.checkpoint.name)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "gate-find":
            return
        found = gate.find_person(event.value) if len(event.value.strip()) >= 2 else []
        self.resident = found[0] if len(found) == 1 else None
        self.candidates = found if len(found) > 1 else []
        person = self.query_one("#gate-person", Static)
        if self.candidates:
            person.update(f"[yellow]匹配到{len(found)}人（"
                          f"{escape('、'.join(r.name for r in found[:4]))}"
                          f"{'…' if len(found) > 4 else ''}）：登记时选择，或输入更多[/yellow]")
        elif self.resident is None:
            person.update("未找到居民：外来人员请填写姓名、电话、来自何地" if event.value.strip()
                          else "")
        else:
            person.update(f"[green]{escape(self._label(self.resident))}[/green]")

    @staticmethod
    def _label(resident: Resident) -> str:
        address = resident.household.address if resident.household else ""
        return f"{names.resident(resident.name, resident.id_number)}　{address}"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "gate-temperature":
            self.action_record()
        else:
            self.focus_next()

    def _value(self, selector: str) -> str:
        return str(self.query_one(selector).value or "")

    def action_record(self) -> None:
        if self.resident is None and self.candidates and not self._value("#gate-name"):
            self._ask_which()
            return
        data = gate.PassageInput(
            direction=self._value("#gate-direction"),
            temperature=self._value("#gate-temperature"),
            health_code=self._value("#gate-code"), resident=self.resident,
            name=self._value("#gate-name"), phone=self._value("#gate-phone"),
            plate=self._value("#gate-plate"), origin_reason=self._value("#gate-origin"))
        message = self.query_one("#gate-message", Static)
        try:
            passage = gate.record_passage(self.checkpoint.id, data)
        except Invalid as exc:
            message.update(f"[red]{escape(str(exc))}[/red]")
            return
        self.last = passage
        if passage.outcome == "劝返":
            message.update(f"[red b]{escape(passage.name)} 体温{passage.temperature:.1f}℃ "
                           f"健康码{passage.health_code}：劝返，已登记并列入首页[/red b]")
        else:
            message.update(f"已登记：{escape(passage.name)} {passage.direction} 放行")
        for selector in ("#gate-find", "#gate-name", "#gate-phone", "#gate-origin",
                         "#gate-plate"):
            self.query_one(selector, Input).value = ""
        self.query_one("#gate-temperature", Input).value = gate.DEFAULT_TEMPERATURE
        self.resident = None
        self.candidates = []
        self.query_one("#gate-find", Input).focus()
        self._add_passage(passage)

    def _ask_which(self) -> None:
        """Several residents matched: the clerk says which one passes (never the first)."""
        from tui.dialogs.choose import ChooseDialog

        candidates = list(self.candidates)

        def chosen(index: int | None) -> None:
            if index is None:
                return
            self.resident = candidates[index]
            self.candidates = []
            self.query_one("#gate-person", Static).update(
                f"[green]{escape(self._label(self.resident))}[/green]")
            self.action_record()

        self.app.push_screen(ChooseDialog(f"匹配到 {len(candidates)} 人，登记的是哪一位？",
                                          [self._label(r) for r in candidates]), chosen)

    def action_key_person(self) -> None:
        """The person just registered becomes a key person (来自风险地区的外来人员)."""
        from db.models import KEY_CATEGORIES
        from tui.dialogs.form import Field, FormDialog

        passage = self.last
        if passage is None:
            self.notify("请先登记此人，再按 F10", severity="warning")
            return
        fields = [Field("id_number", "身份证号码"), Field("address", "在本地的住址"),
                  Field("category", "人员类别", "中高风险地区返乡", options=KEY_CATEGORIES)]

        def submit(v: dict[str, str]) -> object:
            return gate.key_person_from_passage(passage.id, v["id_number"], v["address"],
                                                v["category"])

        def done(person: object) -> None:
            if person is not None:
                self.notify(f"{passage.name} 已登记为重点人员，请到“重点人员”开始管控措施")

        self.app.push_screen(FormDialog(f"{passage.name} 转为重点人员", fields, submit,
                                        note=f"来自：{passage.origin_reason}"), done)

"""Every sheet the app reads or writes, declared once: its name, what it can be narrowed to
(scope kinds: an area, a checkpoint, a batch, a day, a period, …), whether it carries full ID
numbers, its writer and its one summary sentence.

The ``eprc export``/``eprc import`` commands (eprc.py), the report centre and each section's
``x`` key are generated from these declarations; none of them repeats a title, a date check or a
summary. A new scope kind is one more :class:`Param` factory below (``round_`` for a testing
round, ``status`` for a request's state, …); a new sheet is one more :class:`Sheet` in
:data:`SHEETS` (or :class:`Import` in :data:`IMPORTS`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from db import clock
from db.validate import Invalid, parse_date

Values = dict[str, Any]
Progress = Callable[[str, float], None]
Writer = Callable[[Path, Values, "Progress | None"], str]  # returns the one summary sentence


def today() -> dt.date:
    return clock.today()


def week_ago() -> dt.date:
    return clock.today() - dt.timedelta(days=6)


@dataclass(frozen=True)
class Param:
    """One thing a sheet can be told: on the command line an option (``flag``) or an argument
    (no flag); in a form a field (``label``). ``resolve`` turns the clerk's text into what the
    writer takes (a name into the area it names), refusing an unknown one (Invalid)."""

    key: str
    flag: str
    label: str
    help: str = ""
    type: str = "text"  # text | int | date | flag | choice | file
    required: bool = False
    default: Any = None  # a value, or a callable giving it (today)
    choices: tuple[str, ...] = ()
    resolve: Callable[[Any], Any] | None = None
    suggest: Callable[[], Any] | None = None  # the form's first value, when it differs from default
    in_form: bool = True
    blank: str = ""  # what an empty field means, shown in the form (空 = 全镇)

    def initial(self) -> Any:
        value = self.suggest or self.default
        try:
            return value() if callable(value) else value
        except Invalid:
            return None

    def parse(self, text: str) -> Any:
        """The typed value of a form field (empty: None), refusing bad input with its label."""
        text = text.strip()
        if not text:
            return None
        if self.type == "date":
            try:
                return parse_date(text)
            except Invalid as exc:
                raise Invalid(f"{self.label}：{exc}") from None
        if self.type == "int":
            if not text.isdigit():
                raise Invalid(f"{self.label}应为数字")
            return int(text)
        if self.type == "flag":
            return text == "是"
        return text


# -- scope kinds: declare one here and any sheet can take it -----------------------------------

def _area(name: str) -> Any:
    from db.areas import find_area

    return find_area(name)


def _checkpoint(name: str) -> int:
    from db.roster import find_checkpoint

    return find_checkpoint(name).id


def _round(text: str) -> int:
    from db.testing import find_round

    return find_round(text).id


def _running_round() -> int | None:
    """The round under way today, else the latest one (None before the first)."""
    from db.testing import rounds, running_round

    found = running_round() or next(iter(rounds()), None)
    return found.id if found is not None else None


def round_() -> Param:
    """A testing round (全员核酸), by its number or exact name; the form offers the running one."""
    return Param("round", "--round", "轮次（编号或名称）", "轮次编号或名称", required=True,
                 resolve=_round, default=_running_round)


def area(help: str = "只导出某个社区/村、小区、网格或楼栋") -> Param:
    return Param("area", "--area", "范围（社区/小区/网格名称）", help, resolve=_area,
                 blank="空 = 全镇")


def checkpoint(required: bool = False, help: str = "只导出某个卡口") -> Param:
    return Param("checkpoint", "--checkpoint", "卡口名称", help, required=required,
                 resolve=_checkpoint, blank="" if required else "空 = 全部卡口")


def batch_or_day() -> Param:
    """One batch by its number, or (left empty) every batch received on the sheet's day."""
    return Param("batch", "--batch", "推送批次号",
                 "推送批次号（不填：当天接收的全部批次，每批一个文件）", type="int",
                 blank="空 = 当天全部批次")


def received() -> Param:
    return day("接收日期（不填批次号时用：这一天接收的批次；默认今天）", "接收日期")


def callers() -> Param:
    return Param("callers", "--callers", "核查人", "核查人姓名，用顿号或逗号分隔（不填：一份不分人）",
                 blank="如：张三、李四（空 = 一份不分人）")


def day(help: str = "日期（默认今天）", label: str = "日期") -> Param:
    return Param("day", "--date", label, help, type="date", default=today)


def period(required: bool = False) -> tuple[Param, Param]:
    """``--from``/``--to``: checked once (the end not before the start) for every sheet."""
    if required:
        return (Param("start", "--from", "开始日期", "开始日期", type="date", required=True,
                      suggest=week_ago),
                Param("end", "--to", "结束日期", "结束日期", type="date", required=True,
                      suggest=today))
    return (Param("start", "--from", "开始日期", "开始日期（默认从头）", type="date",
                  suggest=week_ago),
            Param("end", "--to", "结束日期", "结束日期（默认今天）", type="date", default=today))


def choice(key: str, flag: str, label: str, choices: tuple[str, ...], help: str = "") -> Param:
    return Param(key, flag, label, help, type="choice", choices=choices, blank="空 = 全部")


def switch(key: str, flag: str, label: str, help: str, in_form: bool = True) -> Param:
    return Param(key, flag, label, help, type="flag", default=False, in_form=in_form)


def number(key: str, flag: str, label: str, help: str, default: int) -> Param:
    return Param(key, flag, label, help, type="int", default=default)


def argument(key: str, label: str, type: str = "text") -> Param:
    return Param(key, "", label, type=type, required=True,
                 resolve=Path if type == "file" else None)


def prepare(params: tuple[Param, ...], given: Mapping[str, Any],
            fixed: Mapping[str, Any] | None = None) -> Values:
    """The values a writer or reader takes, from what the clerk gave (None: not given):
    defaults filled, names resolved, required ones and the period checked once for every
    sheet. Raises Invalid, before anything is read or written."""
    values: Values = dict(fixed or {})
    for p in params:
        if p.key in values:
            continue
        value = given.get(p.key)
        if value is None:
            value = p.default() if callable(p.default) else p.default
            if value is None and p.required:
                raise Invalid(f"请填写{p.label}")
        elif p.resolve is not None and isinstance(value, str):  # a name; not what it names
            value = p.resolve(value)
        values[p.key] = value
    if values.get("start") and values.get("end") and values["end"] < values["start"]:
        raise Invalid("结束日期不能早于开始日期")
    return values


MEASURES = ("集中隔离", "居家隔离", "居家健康监测")


# -- sheets written -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Options:
    """A day and a period at once: enough for any sheet without a scope (bench, tests)."""

    day: dt.date
    start: dt.date
    end: dt.date
    scope: str = ""


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str
    full_ids: bool  # carries full ID numbers and phones (for superiors only)
    writer: Writer
    params: tuple[Param, ...] = ()
    command: str = ""  # ``eprc export <command>``; empty: the report centre only
    help: str = ""
    in_centre: bool = True
    fixed: Mapping[str, Any] = field(default_factory=dict)  # values this entry always uses
    writes_db: bool = False  # exporting changes the data file (the daily report freezes)
    personal: bool = False  # 含个人信息 (full phones, ID masked): an internal list, never posted

    @property
    def needs(self) -> str:
        keys = {p.key for p in self.params}
        return "round" if "round" in keys else "period" if "start" in keys else "day"

    def form_params(self) -> list[Param]:
        return [p for p in self.params if p.in_form and p.key not in self.fixed]

    def prepare(self, given: Mapping[str, Any]) -> Values:
        return prepare(self.params, given, self.fixed)

    def write(self, path: Path, given: Mapping[str, Any] | Options,
              progress: Progress | None = None) -> str:
        """Write the sheet to ``path``; return its summary sentence (已导出 …)."""
        if isinstance(given, Options):
            given = {"day": given.day, "start": given.start, "end": given.end,
                     **({"area": given.scope} if given.scope else {})}
        return self.writer(path, self.prepare(given), progress)

    def file_name(self, values: Mapping[str, Any], scope: str = "") -> str:
        from exports.office import report_filename  # openpyxl: not on the CLI's start-up path

        if self.needs == "period" and values.get("start"):
            span = f"{values['start']:%Y-%m-%d}至{values['end']:%m-%d}"
        else:
            span = f"{values.get('day') or values.get('end') or today():%Y-%m-%d}"
        return report_filename(f"{scope}{self.title}", span)

    def default_path(self, values: Mapping[str, Any], scope: str = "") -> Path:
        from exports.office import export_folder

        return export_folder() / self.file_name(values, scope)


def _counted(module: str, name: str, said: str, *keys: str) -> Writer:
    """The writer of a sheet whose exporter, ``exports.<module>.<name>(path, *values)``, takes
    the sheet's values of ``keys`` in that order and returns how many it wrote; ``said`` is the
    summary sentence with the count in its ``{}``. The module is imported only when the sheet is
    written (openpyxl is not on the CLI's start-up path)."""

    def write(path: Path, v: Values, _p: Progress | None) -> str:
        export = getattr(import_module(f"exports.{module}"), name)
        return said.format(export(path, *(v.get(key) for key in keys)))

    return write


def _daily(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.daily import export_daily

    report = export_daily(path, v["day"])
    return f"已导出{report.day:%Y-%m-%d}日报（{report.state}）"


def _residents(path: Path, v: Values, progress: Progress | None) -> str:
    from exports.residents import export_register

    return f"已导出 {export_register(path, v['area'], v['day'], progress=progress)} 人"


_ledger = _counted("keypersons", "export_ledger", "已导出 {} 条", "day", "kind", "everything")
_ledger_print = _counted("keypersons", "export_ledger_print", "已导出 {} 条", "day", "kind")
_temperatures = _counted("keypersons", "export_temperatures", "已导出 {} 人", "start", "end", "kind")
_notices = _counted("keypersons", "export_notices", "已导出 {} 户告知书", "day")


def _batches(v: Values) -> list[int]:
    """The batch asked for (refused when there is none such), or every batch received on the
    day, oldest first."""
    from db.pushed import batches, find_batch

    if v["batch"] is not None:
        if find_batch(v["batch"]) is None:
            raise Invalid(f"没有第{v['batch']}批推送名单（批次号见“推送核查”F4）")
        return [v["batch"]]
    found = sorted(b.id for b in batches() if b.received_at.date() == v["day"])
    if not found:
        raise Invalid(f"{v['day']:%Y-%m-%d}没有接收推送名单（可填写批次号导出任一批）")
    return found


def _feedback(path: Path, v: Values, _p: Progress | None) -> str:
    """One batch, or every batch of the day: one file each, named after ``path`` with 第N批
    when there are several."""
    from exports.pushed import export_feedback

    chosen = _batches(v)
    parts = []
    for batch_id in chosen:
        target = path if len(chosen) == 1 else path.with_name(
            f"{path.stem}_第{batch_id}批{path.suffix}")
        done, total = export_feedback(batch_id, target)
        parts.append(f"第{batch_id}批（已核查 {done}/{total}）")
    return f"已导出反馈表：{'；'.join(parts)}"


def _call_lists(path: Path, v: Values, _p: Progress | None) -> str:
    """A batch (or the day's newest) split among the callers, or as one list."""
    from db.pushed import parse_callers
    from exports.pushed import export_call_lists

    batch_id = _batches(v)[-1]
    names = parse_callers(v["callers"]) if (v.get("callers") or "").strip() else [""]
    lists = export_call_lists(path, batch_id, names)
    return f"已导出第{batch_id}批电话分派单：" + "，".join(
        f"{caller or '未分派'} {rows} 人" for caller, rows in lists)


def _roster(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.roster import export_roster

    count = export_roster(path, v["start"], v["end"], v["checkpoint"], v.get("one_sheet", False))
    return f"已导出 {count} 个卡口的排班表"


_passages = _counted("roster", "export_passages", "已导出 {} 条出入记录", "checkpoint", "day")
_volunteers = _counted("roster", "export_volunteers", "已导出 {} 名志愿者", "day")


def _donations(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.donations import export_ledger

    rows, money, goods = export_ledger(path, v["start"], v["end"])
    return f"已导出 {rows} 行（捐款 {money:,.2f} 元，物资折价 {goods:,.2f} 元）"


_distributions = _counted("donations", "export_distributions", "已导出 {} 条发放记录", "start", "end")


def _notice(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.donations import export_notice

    figures = export_notice(path, v["start"], v["end"], v["issue"], not v["full_names"])
    return f"已导出第{v['issue']}期捐赠公示（捐款 {sum(figures.money_in.values()):,.2f} 元）"


def _receipt(path: Path, v: Values, _p: Progress | None) -> str:
    from db.donations import find_receipt
    from exports.donations import export_receipt

    export_receipt(path, find_receipt(v["receipt_no"]))
    return f"已导出收据 {v['receipt_no']}"


_audit = _counted("audit", "export_audit", "已导出 {} 条操作记录", "start", "end")
_coverage = _counted("testing", "export_coverage", "已导出完成情况统计表（{} 个社区/网格）", "round")
_untested = _counted("testing", "export_untested", "已导出未检人员名单 {} 人", "round", "area")
_door = _counted("testing", "export_door", "已导出上门采样名单 {} 人", "round", "area")
_requests = _counted("requests", "export_requests", "已导出 {} 件求助", "start", "end", "status")
_delivery_lists = _counted("requests", "export_delivery_lists", "已导出 {} 件求助的配送清单", "day")


REQUEST_STATES = ("待派单", "已派单", "已送达", "已取消", "未办结")


def _ledger_kind(key: str, title: str, kind: str) -> list[Sheet]:
    """A measure's own ledger and its printed version, narrowed to that measure."""
    return [Sheet(key, title, True, _ledger, (day(),), fixed={"kind": kind}),
            Sheet(f"{key}_print", f"{title}（打印版）", True, _ledger_print, (day(),),
                  fixed={"kind": kind})]


SHEETS: list[Sheet] = [
    Sheet("daily", "疫情防控工作日报", False, _daily, (day("报告日期（默认今天）"),),
          "daily-report", "导出疫情防控工作日报表（导出即生成报送稿：已生成未报送；发送成功后为已报送，"
          "已报送后数字变化再导出为“更正”）。",
          writes_db=True),
    Sheet("residents", "居民信息登记表", True, _residents, (day(), area()), "residents",
          "导出居民信息登记表。"),
    Sheet("ledger", "重点人员管控台账", True, _ledger, (
        choice("kind", "--kind", "管控措施", MEASURES,
               "只导出某种管控措施（居家隔离/居家健康监测为相应台账）"),
        day("台账日期（默认今天）"),
        switch("everything", "--all", "包括已解除", "包括全部已解除的记录", in_form=False)),
        "key-persons", "导出重点人员管控台账。"),
    Sheet("ledger_print", "重点人员管控台账（打印版）", True, _ledger_print, (day(),)),
    *_ledger_kind("home", "居家隔离人员台账", "居家隔离"),
    *_ledger_kind("monitor", "居家健康监测人员台账", "居家健康监测"),
    Sheet("temperatures", "体温监测登记表", False, _temperatures, (
        *period(required=True), choice("kind", "--kind", "管控措施", MEASURES)),
        "temperatures", "导出体温监测登记表。"),
    Sheet("notices", "居家隔离告知书", False, _notices, (day(),), "notices",
          "导出居家隔离/居家健康监测告知书（每户一页）。"),
    Sheet("feedback", "推送核查反馈表", True, _feedback, (batch_or_day(), received()), "feedback",
          "导出核查反馈表（区里原表 + 核查结果）：一批，或当天接收的全部批次。"),
    Sheet("call_lists", "推送核查电话分派单", True, _call_lists,
          (batch_or_day(), callers(), received()), "call-lists",
          "导出电话分派单：每位核查人一张（已匹配居民的按社区整块分派，其余轮流）。"),
    Sheet("roster", "卡口值守排班表", False, _roster, (
        *period(required=True), checkpoint(),
        switch("one_sheet", "--one-sheet", "全部卡口一张表", "所有卡口放在一张表（首列为卡口名称）")),
        "roster", "导出卡口值守排班表（A4 横向，一页宽）。"),
    Sheet("passages", "出入登记表", False, _passages, (
        checkpoint(required=True, help="卡口名称"), day()), "passages",
        "导出卡口人员车辆出入登记表。", in_centre=False),
    Sheet("volunteers", "志愿者花名册", True, _volunteers, (day(),), "volunteers",
          "导出志愿者花名册（含累计服务时长）。"),
    Sheet("donations", "捐赠款物登记台账", False, _donations, period(), "donations",
          "导出捐赠款物登记台账（含合计）。"),
    Sheet("distributions", "物资发放登记表", False, _distributions, period(), "distributions",
          "导出物资发放登记表。"),
    Sheet("notice", "捐赠公示", False, _notice, (
        *period(), number("issue", "--issue", "公示期数", "期数（第几期）", 1),
        switch("full_names", "--full-names", "显示全名", "个人捐赠者显示全名（默认显示为“张*”）",
               in_form=False)),
        "donation-notice", "导出捐赠公示。"),
    Sheet("receipt", "捐赠收据", False, _receipt, (argument("receipt_no", "收据编号"),),
          "receipt", "导出一张捐赠收据（按收据编号，如 2022-0001）。", in_centre=False),
    Sheet("audit", "操作记录（审计日志）", True, _audit, period(), "audit",
          "导出操作记录（审计日志：谁、何时、改了什么）。"),
    Sheet("coverage", "全员核酸检测完成情况统计表", False, _coverage, (round_(),), "coverage",
          "导出全员核酸检测完成情况统计表（各社区、网格）。"),
    Sheet("untested", "核酸未检人员名单", False, _untested, (round_(), area()), "untested",
          "导出未检人员名单（每个网格一页，含完整电话、身份证号隐去中间，仅供内部联系）。",
          personal=True),
    Sheet("door", "上门采样名单", False, _door, (round_(), area()), "door",
          "导出上门采样名单（行动不便人员，按网格分页、按楼栋和门牌排列）。", personal=True),
    # callback phones in full (the volunteer must call), never an ID number
    Sheet("requests", "居民求助登记台账", True, _requests, (
        *period(required=True),
        choice("status", "--status", "状态", REQUEST_STATES, "只导出某个状态（未办结：待派单和已派单）")),
        "requests", "导出居民求助登记台账（A4 横向，一页宽；管控户标出）。"),
    Sheet("delivery_lists", "志愿者配送清单", True, _delivery_lists, (day(),), "delivery-lists",
          "导出志愿者配送清单（每名志愿者一页：地址、需求、回拨电话，送达签字）。"),
]

SHEET = {s.key: s for s in SHEETS}
EXPORTS: list[Sheet] = [s for s in SHEETS if s.in_centre]  # the report centre's list
Export = Sheet


# -- sheets read --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """What an import says: lines to show, the summary as data (--json), a non-zero exit."""

    lines: list[str]
    data: dict[str, Any]
    exit_code: int = 0
    warning: str = ""  # a last line for stderr


@dataclass(frozen=True)
class Import:
    key: str
    title: str
    read: Callable[[Path, Values], Outcome]
    params: tuple[Param, ...]
    help: str
    read_only_when: str = ""  # a flag that makes the import only look (--dry-run)

    def run(self, given: Mapping[str, Any]) -> Outcome:
        values = prepare(self.params, given)
        return self.read(values["file"], values)


def _rows(summary: Any) -> list[str]:
    from exports.residents import problem_lines

    return [f"  {line}" for line in summary.detail_lines()] + [
        f"  {line}" for line in problem_lines(summary)]


def _import_residents(path: Path, v: Values) -> Outcome:
    from exports.residents import import_residents_file

    summary = import_residents_file(path, v["dry_run"], v["errors_out"],
                                    accept_changes=v["accept_changes"],
                                    create_areas=v["create_areas"], area=v["area"])
    lines = [summary.text(), *_rows(summary)]
    if summary.conflicts and not summary.conflicts_applied and not summary.held:
        lines.append("姓名冲突未修改；核对无误后加 --accept-changes 重新导入即可修改")
    held = "表中有新区域，未导入任何数据；核对无误后加 --create-areas 重新导入"
    return Outcome(lines, summary.as_dict(), 1 if summary.held else 0,
                   held if summary.held else "")


def _import_pushed(path: Path, v: Values) -> Outcome:
    from exports.pushed import import_pushed_file

    summary = import_pushed_file(path, again=v["again"])
    lines = [f"已导入第{summary.batch_id}批，共{summary.rows}人，"
             f"核查截止：{summary.deadline:%Y-%m-%d %H:%M}"]
    if len(summary.sheets) > 1:
        lines.append("  工作表：" + "、".join(f"{s}（{n}人）" for s, n in summary.sheets))
    if summary.skipped:
        lines.append(f"  未导入的工作表：{'、'.join(summary.skipped)}")
    if summary.pushed_before:
        lines.append(f"  其中{summary.pushed_before}人此前推送过（核查时显示前次推送的结果）")
    lines += [f"  第{row}行 警告：{reason}" for row, reason in summary.warnings]
    return Outcome(lines, summary.as_dict())


def _import_staff(path: Path, v: Values) -> Outcome:
    from exports.staff import import_staff_file

    summary = import_staff_file(path, v["dry_run"], v["errors_out"], v["accept_changes"])
    return Outcome([("试运行（未写入）：" if v["dry_run"] else "") + summary.text(),
                    *_rows(summary)], {})


def _file(key: str, flag: str, help: str) -> Param:
    return Param(key, flag, help, help, type="file", resolve=Path)


def _import_testing(path: Path, v: Values) -> Outcome:
    from exports.sampling import import_sample_list

    result = import_sample_list(int(v["round"]), path, v["dry_run"])
    return Outcome([result.text(), *[f"  {u.text()}" for u in result.unmatched]],
                   result.as_dict())


DRY_RUN = switch("dry_run", "--dry-run", "只检查", "只检查并显示结果，不写入")
ACCEPT = "确认修改与台账不一致的姓名（冲突）"
IMPORTS: list[Import] = [
    Import("residents", "居民信息表", _import_residents, (
        argument("file", "文件", "file"), DRY_RUN,
        _file("errors_out", "--errors",
              "把被拒绝、有警告、冲突和修改的行写入此 xlsx（原列 + 原行号 + 问题）"),
        switch("as_json", "--json", "JSON", "以 JSON 输出汇总"),
        switch("accept_changes", "--accept-changes", "确认修改", ACCEPT),
        switch("create_areas", "--create-areas", "新建区域",
               "确认新建表中出现的新区域（社区/小区/网格/楼栋）"),
        area("表中没有“社区（村）”的行归入此区域")),
        "导入村（社区）报来的居民信息表。整个文件要么全部导入，要么不导入（被拒绝的行除外）。\n\n"
        "姓名与台账不一致的行默认不改（加 --accept-changes 才改）；表中有新区域时先列出，\n"
        "加 --create-areas 确认后才导入；疑似某列被单独排序时不导入任何数据。", "dry_run"),
    Import("pushed", "推送名单", _import_pushed, (
        argument("file", "文件", "file"), switch("as_json", "--json", "JSON", "以 JSON 输出汇总"),
        switch("again", "--again", "再建一批", "同样的名单已导入过时仍再建一批")),
        "导入区里推送的核查名单（保留原表全部列，多张工作表为同一批）。"),
    Import("staff", "值守人员/志愿者名单", _import_staff, (
        argument("file", "文件", "file"), switch("dry_run", "--dry-run", "只检查", "只检查，不写入"),
        _file("errors_out", "--errors", "把被拒绝、有警告、冲突和修改的行写入此 xlsx"),
        switch("accept_changes", "--accept-changes", "确认修改", "确认修改与名单不一致的姓名（冲突）")),
        "导入值守人员/志愿者名单（姓名与已有人员不一致时默认不改）。", "dry_run"),
    Import("testing", "采样名单", _import_testing, (
        argument("file", "文件", "file"), round_(),
        switch("dry_run", "--dry-run", "只比对", "只比对并显示结果，不写入"),
        switch("as_json", "--json", "JSON", "以 JSON 输出汇总")),
        "导入采样系统导出的已采样名单（xlsx 或 csv），按身份证号、无身份证号时按姓名+电话核销。\n\n"
        "匹配不上的行逐行列出，从不猜测；同一名单重复导入不会改变任何数据。", "dry_run"),
]

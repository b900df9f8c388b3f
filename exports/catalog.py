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
from pathlib import Path
from typing import Any

from db import clock
from db.validate import Invalid, parse_date

Values = dict[str, Any]
Progress = Callable[[str, float], None]


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


def _latest_batch() -> int:
    from db.pushed import batches

    found = batches()
    if not found:
        raise Invalid("还没有导入任何推送名单")
    return found[0].id


def area(help: str = "只导出某个社区/村、小区、网格或楼栋") -> Param:
    return Param("area", "--area", "范围（社区/小区/网格名称）", help, resolve=_area,
                 blank="空 = 全镇")


def checkpoint(required: bool = False, help: str = "只导出某个卡口") -> Param:
    return Param("checkpoint", "--checkpoint", "卡口名称", help, required=required,
                 resolve=_checkpoint, blank="" if required else "空 = 全部卡口")


def batch() -> Param:
    return Param("batch", "--batch", "推送批次号", "推送批次号", type="int", required=True,
                 default=_latest_batch)


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
    writer: Callable[[Path, Values, Progress | None], str]  # returns the one summary sentence
    params: tuple[Param, ...] = ()
    command: str = ""  # ``eprc export <command>``; empty: the report centre only
    help: str = ""
    in_centre: bool = True
    fixed: Mapping[str, Any] = field(default_factory=dict)  # values this entry always uses
    writes_db: bool = False  # exporting changes the data file (the daily report freezes)

    @property
    def needs(self) -> str:
        keys = {p.key for p in self.params}
        return "period" if "start" in keys else "day"

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


def _daily(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.daily import export_daily

    report = export_daily(path, v["day"])
    return f"已导出{report.day:%Y-%m-%d}日报并定稿{'（更正）' if report.correction else ''}"


def _residents(path: Path, v: Values, progress: Progress | None) -> str:
    from exports.residents import export_register

    return f"已导出 {export_register(path, v['area'], v['day'], progress=progress)} 人"


def _ledger(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.keypersons import export_ledger

    return f"已导出 {export_ledger(path, v['day'], v.get('kind'), v.get('everything', False))} 条"


def _ledger_print(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.keypersons import export_ledger_print

    return f"已导出 {export_ledger_print(path, v['day'], v.get('kind'))} 条"


def _temperatures(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.keypersons import export_temperatures

    return f"已导出 {export_temperatures(path, v['start'], v['end'], v.get('kind'))} 人"


def _notices(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.keypersons import export_notices

    return f"已导出 {export_notices(path, v['day'])} 户告知书"


def _feedback(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.pushed import export_feedback

    if v["batch"] is None:
        raise Invalid("还没有导入任何推送名单")
    done, total = export_feedback(v["batch"], path)
    return f"已导出第{v['batch']}批反馈表（已核查 {done}/{total}）"


def _roster(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.roster import export_roster

    count = export_roster(path, v["start"], v["end"], v["checkpoint"], v.get("one_sheet", False))
    return f"已导出 {count} 个卡口的排班表"


def _passages(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.roster import export_passages

    return f"已导出 {export_passages(path, v['checkpoint'], v['day'])} 条出入记录"


def _volunteers(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.roster import export_volunteers

    return f"已导出 {export_volunteers(path, v['day'])} 名志愿者"


def _donations(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.donations import export_ledger

    rows, money, goods = export_ledger(path, v["start"], v["end"])
    return f"已导出 {rows} 行（捐款 {money:,.2f} 元，物资折价 {goods:,.2f} 元）"


def _distributions(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.donations import export_distributions

    return f"已导出 {export_distributions(path, v['start'], v['end'])} 条发放记录"


def _notice(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.donations import export_notice

    figures = export_notice(path, v["start"], v["end"], v["issue"], not v["full_names"])
    return f"已导出第{v['issue']}期捐赠公示（捐款 {sum(figures.money_in.values()):,.2f} 元）"


def _receipt(path: Path, v: Values, _p: Progress | None) -> str:
    from db.donations import find_receipt
    from exports.donations import export_receipt

    export_receipt(path, find_receipt(v["receipt_no"]))
    return f"已导出收据 {v['receipt_no']}"


def _audit(path: Path, v: Values, _p: Progress | None) -> str:
    from exports.audit import export_audit

    return f"已导出 {export_audit(path, v['start'], v['end'])} 条操作记录"


def _ledger_kind(key: str, title: str, kind: str) -> list[Sheet]:
    """A measure's own ledger and its printed version, narrowed to that measure."""
    return [Sheet(key, title, True, _ledger, (day(),), fixed={"kind": kind}),
            Sheet(f"{key}_print", f"{title}（打印版）", True, _ledger_print, (day(),),
                  fixed={"kind": kind})]


SHEETS: list[Sheet] = [
    Sheet("daily", "疫情防控工作日报", False, _daily, (day("报告日期（默认今天）"),),
          "daily-report", "导出疫情防控工作日报表（导出即定稿；数字变化后再次导出标为“更正”）。",
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
    Sheet("feedback", "推送核查反馈表", True, _feedback, (batch(),), "feedback",
          "导出核查反馈表（区里原表 + 核查结果）。"),
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
        *period(), number("issue", "--issue", "公示期数", "期数（第N期）", 1),
        switch("full_names", "--full-names", "显示全名", "个人捐赠者显示全名（默认显示为“张*”）",
               in_form=False)),
        "donation-notice", "导出捐赠公示。"),
    Sheet("receipt", "捐赠收据", False, _receipt, (argument("receipt_no", "收据编号"),),
          "receipt", "导出一张捐赠收据（按收据编号，如 2022-0001）。", in_centre=False),
    Sheet("audit", "操作记录（审计日志）", True, _audit, period(), "audit",
          "导出操作记录（审计日志：谁、何时、改了什么）。"),
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
]

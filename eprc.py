"""eprc command line: ``eprc`` opens the TUI; subcommands run the same operations without it.

Thin by design: parse, call db/ and exports/, print. Errors are one Chinese line and a non-zero
exit status, never a traceback. Textual is imported only when the TUI opens.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from db.database import demo_path, open_database, resolve_path
from db.errors import EXIT_CLERK, EXIT_INTERNAL, DatabaseError, explain_sqlite
from db.validate import Invalid

Params = dict[str, Any]

# Every command, declared read or write (tests/test_cli_access.py fails on an undeclared one).
# A read command opens the file read-only, takes no lock and works beside an open window; a
# write command takes the one-writer lock first and is refused (exit 3) while another holds it.
ACCESS: dict[str, str | Callable[[Params], str]] = {
    "init": "write",
    "demo": "write",
    "check": lambda p: "write" if p["repair"] else "read",
    "backup": "read",
    "restore": "write",
    "settings": lambda p: "write" if p["value"] is not None or p["key"] == "smtp.password"
    else "read",  # the password is never shown: naming it alone asks for a new one
    "import residents": lambda p: "read" if p["dry_run"] else "write",
    "import pushed": "write",
    "import staff": lambda p: "read" if p["dry_run"] else "write",
    "verify": "write",
    "send": "write",
    "roster plan": "write",
    "roster check": "read",
    "roster withdraw": lambda p: "read" if p["dry_run"] else "write",
    "export daily-report": "write",  # exporting freezes the day's numbers
    **{f"export {name}": "read" for name in (
        "residents", "feedback", "key-persons", "temperatures", "notices", "donations",
        "distributions", "donation-notice", "receipt", "audit", "roster", "passages",
        "volunteers")},
    # the help-request desk (issue 20)
    "requests list": "read",
    "export requests": "read",
}


class UserError(click.ClickException):
    """Shown as one line ``错误：…``; exit status 1, or the error's own (3: file in use)."""

    def __init__(self, message: str, exit_code: int = EXIT_CLERK) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        click.echo(f"错误：{self.message}", err=True)


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the domain's expected errors, and SQLite's known failures, into one clear line."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from db.recycle import DeleteBlocked, RestoreConflict
        from db.settings import UnknownSetting

        try:
            return func(*args, **kwargs)
        except click.ClickException:
            raise
        except DatabaseError as exc:
            raise UserError(str(exc), exc.exit_code) from None
        except (Invalid, DeleteBlocked, RestoreConflict, UnknownSetting) as exc:
            raise UserError(str(exc)) from None
        except OSError as exc:
            raise UserError(f"文件操作失败：{exc.strerror or exc}（{exc.filename or ''}）") from None
        except Exception as exc:
            explained = explain_sqlite(exc)
            if explained is None:
                raise
            raise UserError(str(explained), explained.exit_code) from None

    return wrapper


def _db_path(ctx: click.Context, own: str | None) -> Path:
    return resolve_path(own or ctx.find_root().params.get("db_path"))


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", "db_path", type=click.Path(dir_okay=False),
                        help="数据库文件（默认：用户数据目录，或环境变量 EPRC_DB）")(func)


def command_name(ctx: click.Context) -> str:
    """``export residents`` for ``eprc export residents``: the key of ACCESS."""
    return " ".join(ctx.command_path.split()[1:])


def access(ctx: click.Context) -> str:
    declared = ACCESS[command_name(ctx)]
    return declared if isinstance(declared, str) else declared(ctx.params)


def _open(ctx: click.Context, own: str | None, create: bool = False) -> Path:
    """Open the file through the one door, read or write as the command is declared."""
    from db.database import close_file
    from exports.output import log_to_exports_file, record_full_ids_with

    path = _db_path(ctx, own)
    write = access(ctx) == "write"
    open_database(path, create=create, write=write, holder=f"命令（eprc {command_name(ctx)}）")
    ctx.call_on_close(close_file)
    record_full_ids_with(log_to_exports_file(path, f"eprc {command_name(ctx)}"))
    if write:
        _sweep(path)
    return path


def _sweep(path: Path) -> None:
    """Remove temporary files left by eprc processes that died (data, backup, export folders)."""
    from db.database import backup_dir
    from exports.office import export_folder
    from exports.output import sweep_leftovers

    sweep_leftovers([path.parent, backup_dir(path), export_folder()])


def output_option(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--force", is_flag=True,
                        help="输出文件已存在且不是 eprc 为这份报表写的文件时，仍然替换它")(func)
    return click.option("-o", "--output", required=True, type=click.Path(),
                        help="输出的 xlsx 文件")(func)


def _target(output: str, force: bool) -> Path:
    """The output path, refused now if it is the data file, a database, a backup or a folder;
    with ``--force`` an existing foreign file may be replaced."""
    from exports.output import allow_replace, refuse_protected

    path = Path(output)
    refuse_protected(path)
    if force:
        allow_replace(path)
    return path


class DateParam(click.ParamType):
    """A date written 2022-04-11, 2022.4.11 or 2022年4月11日."""

    name = "日期"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        from db.validate import parse_date

        if isinstance(value, dt.date):
            return value
        try:
            day = parse_date(value)
        except Invalid as exc:
            self.fail(str(exc), param, ctx)
        if day is None:
            self.fail("日期为空", param, ctx)
        return day


DATE = DateParam()


def _progress(stage: str, fraction: float) -> None:
    click.echo(f"  {stage} {fraction:4.0%}", err=True)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="数据库文件（默认：用户数据目录，或环境变量 EPRC_DB）")
@click.option("--demo", is_flag=True, help="打开演示乡镇（首次使用时自动生成）")
@click.version_option(package_name="eprc")
@click.pass_context
@friendly
def cli(ctx: click.Context, db_path: str | None, demo: bool) -> None:
    """eprc 镇街疫情防控台账。不带子命令时打开界面。"""
    if ctx.invoked_subcommand is not None:
        return
    from db.errors import MissingFile

    if demo:
        path = Path(db_path) if db_path else demo_path()
    else:
        path = resolve_path(db_path)
    named = bool(db_path or os.environ.get("EPRC_DB"))
    try:
        open_database(path, create=not (named or demo))
    except MissingFile:
        if demo:
            from db.demo import build_demo

            click.echo("正在生成演示乡镇（首次使用，约数秒）…", err=True)
            build_demo(path, "small")
        elif not click.confirm(f"数据文件“{path.resolve()}”不存在。要在这里新建一个空台账吗？",
                               default=False, err=True):
            raise UserError("未新建数据文件；请检查 --db 或 EPRC_DB 中的路径") from None
        open_database(path, create=True)
    _sweep(path)
    from tui.start import open_app

    open_app(path).run()


@cli.command()
@db_option
@click.pass_context
@friendly
def init(ctx: click.Context, db_path: str | None) -> None:
    """新建（或升级）数据库文件。"""
    path = _open(ctx, db_path, create=True)
    click.echo(f"数据库已就绪：{path}")


@cli.command()
@db_option
@click.option("--size", type=click.Choice(["small", "town"]), default="small", show_default=True,
              help="small：约2000人；town：40万人（用于性能测试）")
@click.option("--seed", type=int, default=2022, show_default=True, help="随机种子（同种子同数据）")
@click.pass_context
@friendly
def demo(ctx: click.Context, db_path: str | None, size: str, seed: int) -> None:
    """生成演示乡镇数据到一个新文件。"""
    import time

    from db.demo import build_demo

    path = Path(db_path) if db_path else (ctx.find_root().params.get("db_path") or demo_path())
    path = Path(path)
    start = time.perf_counter()
    build_demo(path, size, seed, progress=_progress)
    took = time.perf_counter() - start
    click.echo(f"演示数据已生成：{path}（{size}，用时 {took:.1f} 秒，"
               f"{path.stat().st_size / 1e6:.1f} MB）")


@cli.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option("--repair", is_flag=True, help="先备份，再修复可安全修复的问题")
@click.pass_context
@friendly
def check(ctx: click.Context, db_path: str | None, as_json: bool, repair: bool) -> None:
    """完整性检查与数据质量汇总；有问题时退出码为 1。"""
    from db.backup import backup_now, newest_good_backup
    from db.check import run_check

    path = _db_path(ctx, db_path)
    try:
        _open(ctx, db_path)
        report = run_check()
    except Exception as exc:  # a damaged file fails on open or on the first page read
        explained = exc if isinstance(exc, DatabaseError) else explain_sqlite(exc)
        if explained is None or explained.exit_code != EXIT_CLERK:
            raise
        good = newest_good_backup(path)
        hint = f"；最近的完好备份：{good}（eprc restore 该文件）" if good else "；没有找到完好的备份"
        raise UserError(f"{explained}{hint}") from None
    if repair:
        from db.check import repair as fix

        copy = backup_now()
        click.echo(f"已先备份到：{copy}")
        for line in fix():
            click.echo(f"  修复：{line}")
        report = run_check()
    if as_json:
        click.echo(json.dumps({"integrity": report.integrity, "problems": report.problems,
                               "summary": report.summary}, ensure_ascii=False, indent=2))
    else:
        click.echo(f"完整性检查：{'通过' if report.integrity == 'ok' else report.integrity}")
        for problem in report.problems:
            click.echo(f"  问题：{problem}")
        for label, value in report.summary.items():
            click.echo(f"  {label}：{value}")
        click.echo("检查通过" if report.ok else "发现问题，请处理")
    if report.integrity != "ok":
        good = newest_good_backup(path)
        click.echo(f"最近的完好备份：{good}" if good else "没有找到完好的备份", err=True)
    if not report.ok:
        sys.exit(EXIT_CLERK)


@cli.command()
@db_option
@click.argument("dest", required=False, type=click.Path())
@click.pass_context
@friendly
def backup(ctx: click.Context, db_path: str | None, dest: str | None) -> None:
    """备份数据库到 DEST（文件夹，或一个新文件名；默认：备份文件夹）。从不覆盖已有文件。"""
    from db.backup import backup_now

    _open(ctx, db_path)
    made = backup_now(Path(dest) if dest else None)
    click.echo(f"已备份到：{made}")


@cli.command()
@db_option
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
@friendly
def restore(ctx: click.Context, db_path: str | None, file: str) -> None:
    """用备份文件 FILE 恢复数据（先检查备份是否完好；当前数据会先备份）。"""
    from db.backup import restore_backup

    _open(ctx, db_path)
    safety = restore_backup(Path(file))
    click.echo(f"已从“{file}”恢复；原数据已备份到：{safety}")


@cli.command()
@db_option
@click.argument("key", required=False)
@click.argument("value", required=False)
@click.pass_context
@friendly
def settings(ctx: click.Context, db_path: str | None, key: str | None, value: str | None) -> None:
    """显示全部设置、读取 KEY，或把 KEY 设为 VALUE（smtp.password 不带值时隐藏输入）。"""
    from db.settings import DEFAULTS, SECRET, all_settings, get_setting, set_setting

    _open(ctx, db_path)
    if key == SECRET:
        if value is None:
            value = click.prompt("邮箱密码（授权码，输入时不显示）", hide_input=True, default="",
                                 show_default=False, err=True)
        set_setting(key, value)
        click.echo("邮箱密码已保存在系统凭据中" if value else "邮箱密码已清除")
    elif key is None:
        for name, current in all_settings().items():
            if name == SECRET:
                current = "******" if get_setting(SECRET) else ""
            click.echo(f"{name} = {current}    # {DEFAULTS[name][1]}")
    elif value is None:
        click.echo(get_setting(key))
    else:
        set_setting(key, value)
        click.echo(f"{key} 已设为：{get_setting(key)}")


def _echo_problems(summary: Any) -> None:
    """Rejected and warned rows of an import, each with the sheet's own row number (and the
    sheet's name when the file had several)."""
    from exports.residents import problem_lines

    for line in problem_lines(summary):
        click.echo(f"  {line}")


@cli.group("import")
def import_group() -> None:
    """从 Excel 导入（居民等）。"""


@import_group.command("residents")
@db_option
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只检查并显示结果，不写入")
@click.option("--errors", "errors_out", type=click.Path(dir_okay=False),
              help="把被拒绝、有警告、冲突和修改的行写入此 xlsx（原列 + 原行号 + 问题）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出汇总")
@click.option("--accept-changes", is_flag=True, help="确认修改与台账不一致的姓名（冲突）")
@click.option("--create-areas", is_flag=True, help="确认新建表中出现的新区域（社区/小区/网格/楼栋）")
@click.option("--area", "area_name", help="表中没有“社区（村）”的行归入此区域")
@click.pass_context
@friendly
def import_residents_cmd(ctx: click.Context, db_path: str | None, file: str, dry_run: bool,
                         errors_out: str | None, as_json: bool, accept_changes: bool,
                         create_areas: bool, area_name: str | None) -> None:
    """导入村（社区）报来的居民信息表。整个文件要么全部导入，要么不导入（被拒绝的行除外）。

    姓名与台账不一致的行默认不改（加 --accept-changes 才改）；表中有新区域时先列出，
    加 --create-areas 确认后才导入；疑似某列被单独排序时不导入任何数据。
    """
    from db.areas import find_area
    from exports.residents import import_residents_file

    _open(ctx, db_path)
    area = find_area(area_name) if area_name else None
    summary = import_residents_file(Path(file), dry_run, Path(errors_out) if errors_out else None,
                                    accept_changes=accept_changes, create_areas=create_areas,
                                    area=area)
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    else:
        click.echo(summary.text())
        for line in summary.detail_lines():
            click.echo(f"  {line}")
        _echo_problems(summary)
        if summary.conflicts and not summary.conflicts_applied and not summary.held:
            click.echo("姓名冲突未修改；核对无误后加 --accept-changes 重新导入即可修改")
        if summary.held:
            click.echo("表中有新区域，未导入任何数据；核对无误后加 --create-areas 重新导入", err=True)
    if summary.held:
        sys.exit(1)


@import_group.command("pushed")
@db_option
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出汇总")
@click.option("--again", is_flag=True, help="同样的名单已导入过时仍再建一批")
@click.pass_context
@friendly
def import_pushed_cmd(ctx: click.Context, db_path: str | None, file: str, as_json: bool,
                      again: bool) -> None:
    """导入区里推送的核查名单（保留原表全部列，多张工作表为同一批）。"""
    from exports.pushed import import_pushed_file

    _open(ctx, db_path)
    summary = import_pushed_file(Path(file), again=again)
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
        return
    click.echo(f"已导入第{summary.batch_id}批，共{summary.rows}人，"
               f"核查截止：{summary.deadline:%Y-%m-%d %H:%M}")
    if len(summary.sheets) > 1:
        click.echo("  工作表：" + "、".join(f"{s}（{n}人）" for s, n in summary.sheets))
    if summary.skipped:
        click.echo(f"  未导入的工作表：{'、'.join(summary.skipped)}")
    if summary.pushed_before:
        click.echo(f"  其中{summary.pushed_before}人此前推送过（核查时显示前次推送的结果）")
    for row, reason in summary.warnings:
        click.echo(f"  第{row}行 警告：{reason}")


@import_group.command("staff")
@db_option
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只检查，不写入")
@click.option("--errors", "errors_out", type=click.Path(dir_okay=False),
              help="把被拒绝、有警告、冲突和修改的行写入此 xlsx")
@click.option("--accept-changes", is_flag=True, help="确认修改与名单不一致的姓名（冲突）")
@click.pass_context
@friendly
def import_staff_cmd(ctx: click.Context, db_path: str | None, file: str, dry_run: bool,
                     errors_out: str | None, accept_changes: bool) -> None:
    """导入值守人员/志愿者名单（姓名与已有人员不一致时默认不改）。"""
    from exports.staff import import_staff_file

    _open(ctx, db_path)
    summary = import_staff_file(Path(file), dry_run, Path(errors_out) if errors_out else None,
                                accept_changes)
    click.echo(("试运行（未写入）：" if dry_run else "") + summary.text())
    for line in summary.detail_lines():
        click.echo(f"  {line}")
    _echo_problems(summary)


@cli.command()
@db_option
@click.argument("batch", type=int)
@click.argument("row", type=int)
@click.argument("result")
@click.option("--note", default="", help="备注")
@click.option("--id", "id_number", help="核实到的身份证号码")
@click.option("--address", default="", help="核实到的住址")
@click.option("--sheet", help="工作表名称（名单有多张工作表且行号重复时）")
@click.pass_context
@friendly
def verify(ctx: click.Context, db_path: str | None, batch: int, row: int, result: str, note: str,
           id_number: str | None, address: str, sheet: str | None) -> None:
    """记录推送名单第 BATCH 批、表格第 ROW 行的核查结果 RESULT。"""
    from db.pushed import batch_progress
    from db.pushed import verify as record

    _open(ctx, db_path)
    saved = record(batch, row, result, note, id_number, address, sheet)
    done, total = batch_progress(batch)
    linked = f"，已关联居民 {saved.resident.name}" if saved.resident_id else ""
    click.echo(f"第{batch}批第{row}行 {saved.name}：{saved.result}{linked}（本批已核查 {done}/{total}）")


@cli.group("export")
def export_group() -> None:
    """导出 Excel 报表。"""


@export_group.command("residents")
@db_option
@click.option("--area", help="只导出某个社区/村、小区、网格或楼栋")
@output_option
@click.pass_context
@friendly
def export_residents_cmd(ctx: click.Context, db_path: str | None, area: str | None,
                         output: str, force: bool) -> None:
    """导出居民信息登记表。"""
    from db.areas import find_area
    from exports.residents import export_register

    _open(ctx, db_path)
    target = _target(output, force)
    count = export_register(target, find_area(area) if area else None)
    click.echo(f"已导出 {count} 人：{output}")


@export_group.command("feedback")
@db_option
@click.option("--batch", type=int, required=True, help="推送批次号")
@output_option
@click.pass_context
@friendly
def export_feedback_cmd(ctx: click.Context, db_path: str | None, batch: int, output: str,
                        force: bool) -> None:
    """导出核查反馈表（区里原表 + 核查结果）。"""
    from exports.pushed import export_feedback

    _open(ctx, db_path)
    target = _target(output, force)
    done, total = export_feedback(batch, target)
    click.echo(f"已导出第{batch}批反馈表（已核查 {done}/{total}）：{output}")


@export_group.command("key-persons")
@db_option
@click.option("--kind", type=click.Choice(["集中隔离", "居家隔离", "居家健康监测"]),
              help="只导出某种管控措施（居家隔离/居家健康监测为相应台账）")
@click.option("--date", "day", type=DATE, help="台账日期（默认今天）")
@click.option("--all", "everything", is_flag=True, help="包括全部已解除的记录")
@output_option
@click.pass_context
@friendly
def export_key_persons_cmd(ctx: click.Context, db_path: str | None, kind: str | None, day: Any,
                           everything: bool, output: str, force: bool) -> None:
    """导出重点人员管控台账。"""
    from exports.keypersons import export_ledger

    _open(ctx, db_path)
    target = _target(output, force)
    count = export_ledger(target, day, kind, everything)
    click.echo(f"已导出 {count} 条：{output}")


@export_group.command("temperatures")
@db_option
@click.option("--from", "start", type=DATE, required=True, help="开始日期")
@click.option("--to", "end", type=DATE, required=True, help="结束日期")
@click.option("--kind", type=click.Choice(["集中隔离", "居家隔离", "居家健康监测"]))
@output_option
@click.pass_context
@friendly
def export_temperatures_cmd(ctx: click.Context, db_path: str | None, start: Any, end: Any,
                            kind: str | None, output: str, force: bool) -> None:
    """导出体温监测登记表。"""
    from exports.keypersons import export_temperatures

    _open(ctx, db_path)
    target = _target(output, force)
    if end < start:
        raise UserError("结束日期不能早于开始日期")
    count = export_temperatures(target, start, end, kind)
    click.echo(f"已导出 {count} 人：{output}")


@export_group.command("notices")
@db_option
@click.option("--date", "day", type=DATE, help="日期（默认今天）")
@output_option
@click.pass_context
@friendly
def export_notices_cmd(ctx: click.Context, db_path: str | None, day: Any, output: str,
                       force: bool) -> None:
    """导出居家隔离/居家健康监测告知书（每户一页）。"""
    from exports.keypersons import export_notices

    _open(ctx, db_path)
    target = _target(output, force)
    count = export_notices(target, day)
    click.echo(f"已导出 {count} 户告知书：{output}")


def _period_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = output_option(func)
    func = click.option("--to", "end", type=DATE, help="结束日期（默认今天）")(func)
    func = click.option("--from", "start", type=DATE, help="开始日期（默认从头）")(func)
    return db_option(func)


def _end(end: Any) -> Any:
    from db import clock

    return end or clock.today()


@export_group.command("donations")
@_period_options
@click.pass_context
@friendly
def export_donations_cmd(ctx: click.Context, db_path: str | None, start: Any, end: Any,
                         output: str, force: bool) -> None:
    """导出捐赠款物登记台账（含合计）。"""
    from exports.donations import export_ledger

    _open(ctx, db_path)
    target = _target(output, force)
    rows, money_total, goods_total = export_ledger(target, start, _end(end))
    click.echo(f"已导出 {rows} 行（捐款 {money_total:,.2f} 元，物资折价 {goods_total:,.2f} 元）：{output}")


@export_group.command("distributions")
@_period_options
@click.pass_context
@friendly
def export_distributions_cmd(ctx: click.Context, db_path: str | None, start: Any, end: Any,
                             output: str, force: bool) -> None:
    """导出物资发放登记表。"""
    from exports.donations import export_distributions

    _open(ctx, db_path)
    target = _target(output, force)
    count = export_distributions(target, start, _end(end))
    click.echo(f"已导出 {count} 条发放记录：{output}")


@export_group.command("donation-notice")
@_period_options
@click.option("--issue", type=int, default=1, show_default=True, help="期数（第N期）")
@click.option("--full-names", is_flag=True, help="个人捐赠者显示全名（默认显示为“张*”）")
@click.pass_context
@friendly
def export_notice_cmd(ctx: click.Context, db_path: str | None, start: Any, end: Any,
                      output: str, force: bool, issue: int, full_names: bool) -> None:
    """导出捐赠公示。"""
    from exports.donations import export_notice

    _open(ctx, db_path)
    target = _target(output, force)
    figures = export_notice(target, start, _end(end), issue, not full_names)
    click.echo(f"已导出第{issue}期捐赠公示（捐款 {sum(figures.money_in.values()):,.2f} 元）：{output}")


@export_group.command("receipt")
@db_option
@click.argument("receipt_no")
@output_option
@click.pass_context
@friendly
def export_receipt_cmd(ctx: click.Context, db_path: str | None, receipt_no: str,
                       output: str, force: bool) -> None:
    """导出一张捐赠收据（按收据编号，如 2022-0001）。"""
    from db.models import Donation
    from exports.donations import export_receipt

    _open(ctx, db_path)
    target = _target(output, force)
    donation = Donation.get_or_none(Donation.receipt_no == receipt_no.strip())
    if donation is None:
        raise UserError(f"没有收据编号为“{receipt_no}”的捐赠")
    export_receipt(target, donation.id)
    click.echo(f"已导出收据 {receipt_no}：{output}")


@export_group.command("daily-report")
@db_option
@click.option("--date", "day", type=DATE, help="报告日期（默认今天）")
@output_option
@click.pass_context
@friendly
def export_daily_cmd(ctx: click.Context, db_path: str | None, day: Any, output: str,
                     force: bool) -> None:
    """导出疫情防控工作日报表（导出即定稿；数字变化后再次导出标为“更正”）。"""
    from exports.daily import export_daily

    _open(ctx, db_path)
    target = _target(output, force)
    report = export_daily(target, _end(day))
    mark = "（更正）" if report.correction else ""
    click.echo(f"已导出{report.day:%Y-%m-%d}日报{mark}：{output}")


@cli.command()
@db_option
@click.option("--to", "to", multiple=True, required=True, help="收件人：通讯录中的名称或邮箱地址（可多次）")
@click.option("--subject", help="主题（默认按模板生成今日日报主题）")
@click.option("--body", help="正文（默认按模板）")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.pass_context
@friendly
def send(ctx: click.Context, db_path: str | None, to: tuple[str, ...], subject: str | None,
         body: str | None, files: tuple[str, ...]) -> None:
    """通过邮件发送文件 FILES（使用 smtp.* 设置）；未发送成功时退出码为 1。"""
    from db import clock
    from exports.mail import Draft, resolve_recipients, subject_and_body
    from exports.mail import send as send_mail

    _open(ctx, db_path)
    default_subject, default_body = subject_and_body(clock.today())
    draft = Draft(resolve_recipients(to), subject or default_subject, body or default_body,
                  [Path(f) for f in files])
    send_mail(draft)
    click.echo(f"已发送给 {', '.join(draft.to)}：{'、'.join(p.name for p in draft.files)}")


def _checkpoint_id(name: str | None) -> int | None:
    from db.roster import find_checkpoint

    return find_checkpoint(name).id if name else None


@cli.group("roster")
def roster_group() -> None:
    """卡口排班：自动排班与检查。"""


@roster_group.command("plan")
@db_option
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@click.option("--checkpoint", help="只排某个卡口")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly
def roster_plan_cmd(ctx: click.Context, db_path: str | None, start: Any, end: Any,
                    checkpoint: str | None, as_json: bool) -> None:
    """自动排班：保留已有和锁定的安排，只补空缺；排不满的班次逐一说明原因。"""
    from db.roster import plan

    _open(ctx, db_path)
    result = plan(start, end, _checkpoint_id(checkpoint))
    if as_json:
        click.echo(json.dumps({"shifts": result.shifts, "added": result.added,
                               "removed": result.removed,
                               "gaps": [g.text() for g in result.gaps]}, ensure_ascii=False))
        return
    click.echo(result.text())
    for gap in result.gaps:
        click.echo(f"  {gap.text()}")


@roster_group.command("check")
@db_option
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly
def roster_check_cmd(ctx: click.Context, db_path: str | None, start: Any, end: Any,
                     as_json: bool) -> None:
    """检查排班：缺人、重复排班、连班（含时段前后各一班）、超过每周上限（按整周）、不可值班、
    人员已停用、卡口已停用；发现问题时退出码为 1。"""
    from db.roster import check_roster

    _open(ctx, db_path)
    result = check_roster(start, end)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        click.echo(result.text())
        for item in result.items:
            click.echo(f"  {item}")
    if not result.ok:
        sys.exit(1)


@roster_group.command("withdraw")
@db_option
@click.option("--from", "start", type=DATE, help="从哪天起（默认今天）")
@click.option("--checkpoint", help="只看某个卡口")
@click.option("--dry-run", is_flag=True, help="只列出，不撤下")
@click.pass_context
@friendly
def roster_withdraw_cmd(ctx: click.Context, db_path: str | None, start: Any,
                        checkpoint: str | None, dry_run: bool) -> None:
    """撤下今后无法值守的排班：卡口已停用的班次，已停用人员和不可值班人员的安排。"""
    from db.roster import future_conflicts, withdraw_future

    _open(ctx, db_path)
    cp = _checkpoint_id(checkpoint)
    if dry_run:
        click.echo(f"今后无法值守：{future_conflicts(start, cp).text()}（未撤下）")
        return
    click.echo(f"已撤下：{withdraw_future(start, cp).text()}")


@export_group.command("audit")
@_period_options
@click.pass_context
@friendly
def export_audit_cmd(ctx: click.Context, db_path: str | None, start: Any, end: Any,
                     output: str, force: bool) -> None:
    """导出操作记录（审计日志：谁、何时、改了什么）。"""
    from exports.audit import export_audit

    _open(ctx, db_path)
    target = _target(output, force)
    count = export_audit(target, start, _end(end))
    click.echo(f"已导出 {count} 条操作记录：{output}")


@export_group.command("roster")
@db_option
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@click.option("--checkpoint", help="只导出某个卡口")
@click.option("--one-sheet", is_flag=True, help="所有卡口放在一张表（首列为卡口名称）")
@output_option
@click.pass_context
@friendly
def export_roster_cmd(ctx: click.Context, db_path: str | None, start: Any, end: Any,
                      checkpoint: str | None, one_sheet: bool, output: str, force: bool) -> None:
    """导出卡口值守排班表（A4 横向，一页宽）。"""
    from exports.roster import export_roster

    _open(ctx, db_path)
    target = _target(output, force)
    if end < start:
        raise UserError("结束日期不能早于开始日期")
    count = export_roster(target, start, end, _checkpoint_id(checkpoint), one_sheet)
    click.echo(f"已导出 {count} 个卡口的排班表：{output}")


@export_group.command("passages")
@db_option
@click.option("--checkpoint", required=True, help="卡口名称")
@click.option("--date", "day", type=DATE, help="日期（默认今天）")
@output_option
@click.pass_context
@friendly
def export_passages_cmd(ctx: click.Context, db_path: str | None, checkpoint: str, day: Any,
                        output: str, force: bool) -> None:
    """导出卡口人员车辆出入登记表。"""
    from exports.roster import export_passages

    _open(ctx, db_path)
    target = _target(output, force)
    count = export_passages(target, _checkpoint_id(checkpoint), _end(day))
    click.echo(f"已导出 {count} 条出入记录：{output}")


@export_group.command("volunteers")
@db_option
@output_option
@click.pass_context
@friendly
def export_volunteers_cmd(ctx: click.Context, db_path: str | None, output: str,
                          force: bool) -> None:
    """导出志愿者花名册（含累计服务时长）。"""
    from exports.roster import export_volunteers

    _open(ctx, db_path)
    target = _target(output, force)
    count = export_volunteers(target)
    click.echo(f"已导出 {count} 名志愿者：{output}")


# --- the help-request desk (居民求助) ---------------------------------------------------------


@cli.group("requests")
def requests_group() -> None:
    """居民求助：查看求助登记。"""


@requests_group.command("list")
@db_option
@click.option("--status", type=click.Choice(["待派单", "已派单", "已送达", "已取消", "未办结"]),
              help="只列出某个状态（未办结：待派单和已派单）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
@friendly
def requests_list_cmd(ctx: click.Context, db_path: str | None, status: str | None,
                      as_json: bool) -> None:
    """列出求助（新的在前）；超时的标出原因。"""
    from db.requests import request_rows

    _open(ctx, db_path)
    rows = request_rows(status)
    if as_json:
        click.echo(json.dumps([{
            "id": r.id, "taken_at": r.taken_at.isoformat(sep=" "), "name": r.name,
            "address": r.address, "needs": r.needs, "details": r.details, "urgent": r.urgent,
            "callback_phone": r.callback_phone, "status": r.status,
            "volunteer": r.volunteer, "team": r.team,
            "assigned_at": r.assigned_at and r.assigned_at.isoformat(sep=" "),
            "delivered_at": r.delivered_at and r.delivered_at.isoformat(sep=" "),
            "cancelled_at": r.cancelled_at and r.cancelled_at.isoformat(sep=" "),
            "cancel_reason": r.cancel_reason, "purchase_amount": str(r.purchase_amount),
            "paid": r.paid, "hours": None if r.hours is None else str(r.hours),
            "goods": r.goods, "under_measures": r.under_measures, "late": r.late}
            for r in rows], ensure_ascii=False, indent=1))
        return
    for r in rows:
        who = r.volunteer or r.team
        click.echo(f"第{r.id}号 {r.taken_at:%m-%d %H:%M} {r.status}{'【紧急】' if r.urgent else ''} "
                   f"{r.name} {r.address} {r.needs}{('→' + who) if who else ''}"
                   f"{'  ' + r.late if r.late else ''}")
    click.echo(f"共 {len(rows)} 件")


@export_group.command("requests")
@db_option
@click.option("--from", "start", type=DATE, required=True, help="受理日期自")
@click.option("--to", "end", type=DATE, required=True, help="受理日期至")
@click.option("--status", type=click.Choice(["待派单", "已派单", "已送达", "已取消", "未办结"]),
              help="只导出某个状态")
@output_option
@click.pass_context
@friendly
def export_requests_cmd(ctx: click.Context, db_path: str | None, start: Any, end: Any,
                        status: str | None, output: str, force: bool) -> None:
    """导出居民求助登记台账（A4 横向，一页宽；管控户标出）。"""
    from exports.requests import export_requests

    _open(ctx, db_path)
    target = _target(output, force)
    if end < start:
        raise UserError("结束日期不能早于开始日期")
    count = export_requests(target, start, end, status)
    click.echo(f"已导出 {count} 件求助：{output}")


def main() -> None:
    """Console-script entry point; an unexpected error is one line too (EPRC_DEBUG=1: traceback).

    Exit codes: 0 ok, 1 the clerk's error or problems found, 2 internal error, 3 file in use."""
    if not os.environ.get("EPRC_DEBUG"):
        # A failed export can leave openpyxl's streaming writer to be collected at exit, which
        # Python reports as "Exception ignored…" after our one-line message; keep it quiet.
        sys.unraisablehook = lambda _info: None
    from db.text import plain_text

    try:
        # arguments are a way in like any other: no escape sequences or control characters
        cli.main(args=[plain_text(a, lines=True) for a in sys.argv[1:]], prog_name="eprc",
                 standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("已取消", err=True)
        sys.exit(EXIT_CLERK)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_CLERK if isinstance(exc, click.UsageError) else exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - last resort: the clerk sees one line
        if os.environ.get("EPRC_DEBUG"):
            raise
        click.echo(f"错误：程序内部错误（{type(exc).__name__}: {exc}），请联系维护人员", err=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()

"""eprc command line: ``eprc`` opens the TUI; subcommands run the same operations without it.

Thin by design: parse, call db/ and exports/, print. Errors are one Chinese line and a non-zero
exit status, never a traceback. Textual is imported only when the TUI opens.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from cmdline.chinese import ChineseGroup, install
from cmdline.kit import ACCESS as ACCESS  # every command, read or write (test_file_safety)
from cmdline.kit import (
    DATE,
    UserError,
    catalog_commands,
    command,
    db_path_of,
    friendly,
    open_file,
    progress,
    sweep,
)
from db.database import demo_path, open_database, resolve_path
from db.errors import EXIT_CLERK, EXIT_INTERNAL, DatabaseError, explain_sqlite
from db.logfile import start_log

install()  # click's own words in Chinese, before any decorator below asks for them


@click.group(cls=ChineseGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
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
    sweep(path)
    start_log(path)
    from tui.start import open_app

    open_app(path).run()


@command(cli, "init", "write")
def init(ctx: click.Context, db_path: str | None) -> None:
    """新建（或升级）数据库文件。"""
    path = open_file(ctx, db_path, create=True)
    click.echo(f"数据库已就绪：{path}")


@command(cli, "demo", "write")
@click.option("--size", type=click.Choice(["small", "town"]), default="small", show_default=True,
              help="small：约2000人；town：40万人（用于性能测试）")
@click.option("--seed", type=int, default=2022, show_default=True, help="随机种子（同种子同数据）")
def demo(ctx: click.Context, db_path: str | None, size: str, seed: int) -> None:
    """生成演示乡镇数据到一个新文件。"""
    import time

    from db.demo import build_demo

    path = Path(db_path) if db_path else (ctx.find_root().params.get("db_path") or demo_path())
    path = Path(path)
    start = time.perf_counter()
    build_demo(path, size, seed, progress=progress)
    took = time.perf_counter() - start
    click.echo(f"演示数据已生成：{path}（{size}，用时 {took:.1f} 秒，"
               f"{path.stat().st_size / 1e6:.1f} MB）")


@command(cli, "check", lambda p: "write" if p["repair"] else "read")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option("--repair", is_flag=True, help="先备份，再修复可安全修复的问题")
def check(ctx: click.Context, db_path: str | None, as_json: bool, repair: bool) -> None:
    """完整性检查与数据质量汇总；有问题时退出码为 1。"""
    from db.backup import backup_now, newest_good_backup
    from db.check import run_check

    path = db_path_of(ctx, db_path)
    try:
        open_file(ctx, db_path)
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


@command(cli, "backup", "read")
@click.argument("dest", required=False, type=click.Path())
def backup(ctx: click.Context, db_path: str | None, dest: str | None) -> None:
    """备份数据库到“目标”（文件夹，或一个新文件名；默认：备份文件夹）。从不覆盖已有文件。"""
    from db.backup import backup_now

    open_file(ctx, db_path)
    made = backup_now(Path(dest) if dest else None)
    click.echo(f"已备份到：{made}")


@command(cli, "restore", "write")
@click.argument("file", type=click.Path(dir_okay=False))
def restore(ctx: click.Context, db_path: str | None, file: str) -> None:
    """用备份“文件”恢复数据（先检查备份是否完好；当前数据会先备份）。"""
    from db.backup import restore_backup

    open_file(ctx, db_path)
    safety = restore_backup(Path(file))
    click.echo(f"已从“{file}”恢复；原数据已备份到：{safety}")


@command(cli, "settings", lambda p: "write" if p["value"] is not None  # naming the password alone
         or p["key"] == "smtp.password" else "read")  # asks for a new one: it is never shown
@click.argument("key", required=False)
@click.argument("value", required=False)
def settings(ctx: click.Context, db_path: str | None, key: str | None, value: str | None) -> None:
    """显示全部设置、读取一个“设置项”，或把它设为“值”（邮箱密码 smtp.password 不带值时隐藏输入）。"""
    from db.settings import DEFAULTS, SECRET, all_settings, get_setting, set_setting

    open_file(ctx, db_path)
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


@command(cli, "verify", "write")
@click.argument("batch", type=int)
@click.argument("row", type=int)
@click.argument("result")
@click.option("--note", default="", help="备注")
@click.option("--id", "id_number", help="核实到的身份证号码")
@click.option("--address", default="", help="核实到的住址")
@click.option("--sheet", help="工作表名称（名单有多张工作表且行号重复时）")
def verify(ctx: click.Context, db_path: str | None, batch: int, row: int, result: str, note: str,
           id_number: str | None, address: str, sheet: str | None) -> None:
    """记录推送名单第“批次”批、表格第“行号”行的核查“结果”。"""
    from db.pushed import batch_progress
    from db.pushed import verify as record

    open_file(ctx, db_path)
    saved = record(batch, row, result, note, id_number, address, sheet)
    done, total = batch_progress(batch)
    linked = f"，已关联居民 {saved.resident.name}" if saved.resident_id else ""
    click.echo(f"第{batch}批第{row}行 {saved.name}：{saved.result}{linked}（本批已核查 {done}/{total}）")


@command(cli, "send", "write")
@click.option("--to", "to", multiple=True, required=True, help="收件人：通讯录中的名称或邮箱地址（可多次）")
@click.option("--subject", help="主题（默认按模板生成今日日报主题）")
@click.option("--body", help="正文（默认按模板）")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def send(ctx: click.Context, db_path: str | None, to: tuple[str, ...], subject: str | None,
         body: str | None, files: tuple[str, ...]) -> None:
    """通过邮件发送“文件”（使用“设置”中的邮件服务器）；未发送成功时退出码为 1。"""
    from db import clock
    from exports.mail import Draft, resolve_recipients, subject_and_body
    from exports.mail import send as send_mail

    open_file(ctx, db_path)
    default_subject, default_body = subject_and_body(clock.today())
    draft = Draft(resolve_recipients(to), subject or default_subject, body or default_body,
                  [Path(f) for f in files])
    send_mail(draft)
    click.echo(f"已发送给 {', '.join(draft.to)}：{'、'.join(p.name for p in draft.files)}")


@command(cli, "report-sent", "write")
@click.option("--date", "day", type=DATE, help="日报日期（默认今天）")
@click.option("--note", required=True, help="报送方式和说明，如：已传真区防控办")
def report_sent(ctx: click.Context, db_path: str | None, day: Any, note: str) -> None:
    """标记已导出的日报已用其他方式（传真、工作群、纸质）报送；用 eprc send 发出的自动标记。"""
    from db import clock
    from db.report import mark_reported_otherwise

    open_file(ctx, db_path)
    report = mark_reported_otherwise(day or clock.today(), note)
    click.echo(f"已标记{report.day:%Y-%m-%d}日报为已报送（{report.reported_note}）")


def _checkpoint_id(name: str | None) -> int | None:
    from db.roster import find_checkpoint

    return find_checkpoint(name).id if name else None


@cli.group("roster")
def roster_group() -> None:
    """卡口与采样点排班：自动排班与检查。"""


@command(roster_group, "plan", "write")
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@click.option("--checkpoint", help="只排某个卡口或采样点")
@click.option("--json", "as_json", is_flag=True)
def roster_plan_cmd(ctx: click.Context, db_path: str | None, start: Any, end: Any,
                    checkpoint: str | None, as_json: bool) -> None:
    """自动排班（卡口按卡口班次，采样点按采样点班次）：保留已有和锁定的安排，只补空缺；
    排不满的班次逐一说明原因。"""
    from db.roster import plan

    open_file(ctx, db_path)
    result = plan(start, end, _checkpoint_id(checkpoint))
    if as_json:
        click.echo(json.dumps({"shifts": result.shifts, "added": result.added,
                               "removed": result.removed,
                               "gaps": [g.text() for g in result.gaps]}, ensure_ascii=False))
        return
    click.echo(result.text())
    for gap in result.gaps:
        click.echo(f"  {gap.text()}")


@command(roster_group, "check", "read")
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@click.option("--json", "as_json", is_flag=True)
def roster_check_cmd(ctx: click.Context, db_path: str | None, start: Any, end: Any,
                     as_json: bool) -> None:
    """检查排班（卡口与采样点一并按时间核对）：缺人、重复排班、连班（含时段前后各一班）、超过每周上限（按整周）、不可值班、
    人员已停用、卡口已停用；发现问题时退出码为 1。"""
    from db.roster import check_roster

    open_file(ctx, db_path)
    result = check_roster(start, end)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        click.echo(result.text())
        for item in result.items:
            click.echo(f"  {item}")
    if not result.ok:
        sys.exit(1)


@command(roster_group, "withdraw", lambda p: "read" if p["dry_run"] else "write")
@click.option("--from", "start", type=DATE, help="从哪天起（默认今天）")
@click.option("--checkpoint", help="只看某个卡口")
@click.option("--dry-run", is_flag=True, help="只列出，不撤下")
def roster_withdraw_cmd(ctx: click.Context, db_path: str | None, start: Any,
                        checkpoint: str | None, dry_run: bool) -> None:
    """撤下今后无法值守的排班：卡口已停用的班次，已停用人员和不可值班人员的安排。"""
    from db.roster import future_conflicts, withdraw_future

    open_file(ctx, db_path)
    cp = _checkpoint_id(checkpoint)
    if dry_run:
        click.echo(f"今后无法值守：{future_conflicts(start, cp).text()}（未撤下）")
        return
    click.echo(f"已撤下：{withdraw_future(start, cp).text()}")


@cli.group("import")
def import_group() -> None:
    """从 Excel 导入（居民等）。"""


@cli.group("export")
def export_group() -> None:
    """导出 Excel 报表。"""


catalog_commands(export_group, import_group)


# --- whole-population testing (全员核酸, issue 19); its import and sheets come from the catalog


@cli.group("testing")
def testing_group() -> None:
    """全员核酸检测轮次：新建轮次、查看应检尽检情况。"""


@command(testing_group, "new", "write")
@click.option("--name", required=True, help="轮次名称，如“第1轮全员核酸”")
@click.option("--from", "start", type=DATE, required=True, help="开始日期")
@click.option("--to", "end", type=DATE, required=True, help="结束日期")
@click.option("--scope", "scopes", multiple=True,
              help="检测范围（社区/小区/网格/楼栋名称，可重复）；不填为全镇")
def testing_new(ctx: click.Context, db_path: str | None, name: str, start: Any, end: Any,
                scopes: tuple[str, ...]) -> None:
    """新建一轮全员核酸检测，输出轮次编号。"""
    from db.testing import new_round

    open_file(ctx, db_path)
    click.echo(new_round(name, start, end, scopes).id)


@command(testing_group, "coverage", "read")
@click.option("--round", "round_text", required=True, help="轮次编号或名称")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def testing_coverage(ctx: click.Context, db_path: str | None, round_text: str,
                     as_json: bool) -> None:
    """应检、已检、未检人数，各项免检人数，以及各社区、网格的情况。"""
    from db.testing import coverage, find_round

    open_file(ctx, db_path)
    numbers = coverage(find_round(round_text).id)
    if as_json:
        click.echo(json.dumps(numbers.as_dict(), ensure_ascii=False))
        return
    exempt = "、".join(f"{rule}{n}人" for rule, n in numbers.exempt.items())
    click.echo(f"{numbers.name}：应检 {numbers.expected} 人，已检 {numbers.tested} 人，"
               f"未检 {numbers.missing} 人（完成 {numbers.rate:.1%}）；免检：{exempt}")
    for area in numbers.by_area():
        indent = "  " if area.level == 1 else "    "
        click.echo(f"{indent}{area.name}：应检 {area.expected}，已检 {area.tested}，"
                   f"未检 {area.missing}")


# --- the help-request desk (居民求助) ---------------------------------------------------------


@cli.group("requests")
def requests_group() -> None:
    """居民求助：查看求助登记。"""


@command(requests_group, "list", "read")
@click.option("--status", type=click.Choice(["待派单", "已派单", "已送达", "已取消", "未办结"]),
              help="只列出某个状态（未办结：待派单和已派单，超时的在前）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def requests_list_cmd(ctx: click.Context, db_path: str | None, status: str | None,
                      as_json: bool) -> None:
    """列出求助（新的在前）；超时的标出原因。"""
    from db.requests import request_rows

    open_file(ctx, db_path)
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
        from db.logfile import report_bug

        click.echo(f"错误：{report_bug(exc, 'eprc ' + ' '.join(sys.argv[1:2]))}", err=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()

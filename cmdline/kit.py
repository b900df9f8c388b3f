"""The command line's kit: how a subcommand is declared (``--db``, read or write access, the
clerk's one-line errors), the file door it opens, dates as the clerk writes them, and the
``export``/``import`` commands generated from exports/catalog.py. eprc.py holds the commands."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from db.database import open_database, resolve_path
from db.errors import EXIT_CLERK, ClerkError, explain_sqlite
from db.logfile import start_log
from db.validate import Invalid

Params = dict[str, Any]

# Every command, declared read or write (tests/test_file_safety.py fails on an undeclared one).
# A read command opens the file read-only, takes no lock and works beside an open window; a
# write command takes the one-writer lock first and is refused (exit 3) while another holds it.
# Each command declares its own in ``@command``; export and import ones from the catalog.
ACCESS: dict[str, str | Callable[[Params], str]] = {}


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
        try:
            return func(*args, **kwargs)
        except click.ClickException:
            raise
        except ClerkError as exc:
            raise UserError(str(exc), exc.exit_code) from None
        except OSError as exc:
            raise UserError(f"文件操作失败：{exc.strerror or exc}（{exc.filename or ''}）") from None
        except Exception as exc:
            explained = explain_sqlite(exc)
            if explained is None:
                raise
            raise UserError(str(explained), explained.exit_code) from None

    return wrapper


def db_path_of(ctx: click.Context, own: str | None) -> Path:
    return resolve_path(own or ctx.find_root().params.get("db_path"))


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", "db_path", type=click.Path(dir_okay=False),
                        help="数据库文件（默认：用户数据目录，或环境变量 EPRC_DB）")(func)


def command(group: click.Group, name: str, declared: str | Callable[[Params], str],
            **settings: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """A subcommand taking ``--db`` and the context, whose errors are the clerk's one line,
    declared read or write in ACCESS."""

    def decorate(func: Callable[..., Any]) -> click.Command:
        ACCESS[f"{'' if group.name == 'cli' else group.name + ' '}{name}"] = declared
        return group.command(name, **settings)(db_option(click.pass_context(friendly(func))))

    return decorate


def command_name(ctx: click.Context) -> str:
    """``export residents`` for ``eprc export residents``: the key of ACCESS."""
    return " ".join(ctx.command_path.split()[1:])


def access(ctx: click.Context) -> str:
    declared = ACCESS[command_name(ctx)]
    return declared if isinstance(declared, str) else declared(ctx.params)


def open_file(ctx: click.Context, own: str | None, create: bool = False) -> Path:
    """Open the file through the one door, read or write as the command is declared."""
    from db.database import close_file
    from exports.output import log_to_exports_file, record_full_ids_with

    path = db_path_of(ctx, own)
    write = access(ctx) == "write"
    open_database(path, create=create, write=write, holder=f"命令（eprc {command_name(ctx)}）")
    ctx.call_on_close(close_file)
    start_log(path)
    record_full_ids_with(log_to_exports_file(path, f"eprc {command_name(ctx)}"))
    if write:
        sweep(path)
    return path


def sweep(path: Path) -> None:
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


def target(output: str, force: bool) -> Path:
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


def progress(stage: str, fraction: float) -> None:
    click.echo(f"  {stage} {fraction:4.0%}", err=True)


def _click_param(param: Any) -> click.Parameter:
    """A catalog parameter as a click option (or, without a flag, an argument)."""
    types: dict[str, Any] = {"int": int, "date": DATE, "file": click.Path(dir_okay=False),
                             "choice": click.Choice(list(param.choices))}
    if not param.flag:
        return click.Argument([param.key], type=types.get(param.type))
    if param.type == "flag":
        return click.Option([param.flag, param.key], is_flag=True, help=param.help)
    plain = None if callable(param.default) else param.default
    return click.Option([param.flag, param.key], type=types.get(param.type),
                        required=param.required, default=plain,
                        show_default=plain is not None, help=param.help or None)


def _with_params(command: click.Command, params: Any) -> None:
    """Add the catalog's parameters to a generated command, right after ``--db``."""
    command.params[1:1] = [_click_param(p) for p in params]


def _export_command(export_group: click.Group, sheet: Any) -> None:
    @command(export_group, sheet.command, "write" if sheet.writes_db else "read", help=sheet.help)
    @output_option
    def run(ctx: click.Context, db_path: str | None, output: str, force: bool, **given: Any) -> None:
        open_file(ctx, db_path)
        click.echo(f"{sheet.write(target(output, force), given)}：{output}")

    _with_params(run, sheet.params)


def _import_command(import_group: click.Group, entry: Any) -> None:
    flag = entry.read_only_when

    @command(import_group, entry.key, (lambda p: "read" if p[flag] else "write") if flag
             else "write", help=entry.help)
    def run(ctx: click.Context, db_path: str | None, **given: Any) -> None:
        open_file(ctx, db_path)
        outcome = entry.run(given)
        if given.get("as_json"):
            click.echo(json.dumps(outcome.data, ensure_ascii=False))
        for line in [] if given.get("as_json") else outcome.lines:
            click.echo(line)
        if outcome.warning and not given.get("as_json"):
            click.echo(outcome.warning, err=True)
        if outcome.exit_code:
            sys.exit(outcome.exit_code)

    _with_params(run, entry.params)


def catalog_commands(export_group: click.Group, import_group: click.Group) -> None:
    """``eprc export <sheet>`` and ``eprc import <sheet>`` for every sheet the catalog declares."""
    from exports.catalog import IMPORTS, SHEETS

    for sheet in SHEETS:
        if sheet.command:
            _export_command(export_group, sheet)
    for entry in IMPORTS:
        _import_command(import_group, entry)



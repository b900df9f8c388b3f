"""Click's own words in Chinese, so ``eprc --help`` and every error of the command line read
like the rest of eprc.

Click looks its words up through :mod:`gettext` (``_("Usage:")``, ``ngettext(...)``) with the
functions each of its modules imported; a gettext catalogue would need a compiled file and a
Chinese locale in the environment (which Windows does not set), so :func:`install` points those
module names at :data:`WORDS` instead. The words click does not translate (``[OPTIONS]``,
``COMMAND [ARGS]...``, argument names and the metavars INTEGER/TEXT) are given by
:class:`ChineseCommand` and :class:`ChineseGroup`. A test reads every command's help and fails
on any English word a clerk could see.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types

# click's message -> ours; fields in braces are filled by click and must keep their names
WORDS: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Try '{command} {option}' for help.": "输入“{command} {option}”查看帮助。",
    "Error: {message}": "错误：{message}",
    "Aborted!": "已取消",
    "Missing command.": "缺少子命令。",
    "No such command {name!r}.": "没有名为“{name}”的命令。",
    "No such option {name!r}.": "没有选项“{name}”。",
    "Did you mean {possibility}?": "是不是想用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是想用其中之一：{possibilities}？）",
    "Option {name!r} does not take a value.": "选项“{name}”不带值。",
    "Option {name!r} requires an argument.": "选项“{name}”后面需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项“{name}”后面需要 {nargs} 个值。",
    "Argument {name!r} takes {nargs} values.": "参数“{name}”需要 {nargs} 个值。",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的数字。",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "“{value}”不是有效的是/否值（可用：{states}）。",
    "{value!r} is not a valid UUID.": "“{value}”不是有效的编号。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not {choice}.": "“{value}”不是 {choice}。",
    "{value!r} is not one of {choices}.": "“{value}”不是以下之一：{choices}。",
    "{value!r} does not match the format {format}.": "“{value}”不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "“{value}”不符合格式 {formats}。",
    "{len_type} values are required, but {len_value} was given.":
        "需要 {len_type} 个值，给了 {len_value} 个。",
    "{len_type} values are required, but {len_value} were given.":
        "需要 {len_type} 个值，给了 {len_value} 个。",
    "Value must be an iterable.": "值应为多个。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”：{message}",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是文件，不是文件夹。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是文件夹，不是文件。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”无法读取。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”无法写入。",
    "{name} {filename!r} is not executable.": "{name}“{filename}”无法执行。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必填",
    "deprecated": "已停用",
    "(dynamic)": "（动态）",
    "Do you want to continue?": "要继续吗？",
    "Confirm the action without prompting.": "不询问，直接确认。",
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续…",
    "unknown error": "未知错误",
}
ARGUMENTS = {"file": "文件", "files": "文件", "dest": "目标", "key": "设置项", "value": "值",
             "batch": "批次", "row": "行号", "result": "结果", "receipt_no": "收据编号"}
TYPES = {click.INT: "整数", click.FLOAT: "数字", click.STRING: "文字", click.BOOL: "是/否"}
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."


def gettext(message: str) -> str:
    return WORDS.get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return gettext(singular if count == 1 else plural)


def install() -> None:
    """Give every click module that looks words up our Chinese ones (idempotent)."""
    for module in (click.core, click.decorators, click.exceptions, click.formatting,
                   click.parser, click.termui, click.types):
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class ChineseFormatter(click.HelpFormatter):
    """Headings with a Chinese colon, the usage line as 用法：, columns aligned by display width."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((display_width(first) for first, _ in rows), default=0),
                        col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            width = display_width(first)
            if width <= first_col - col_spacing:
                self.write(" " * (first_col - width))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = second.splitlines() or [""]
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


class ChineseContext(click.Context):
    formatter_class = ChineseFormatter


def _name_params(command: click.Command) -> None:
    """Arguments and option values named in Chinese unless the command named them itself."""
    for param in command.params:
        if param.metavar is not None:
            continue
        if isinstance(param, click.Argument):
            name = ARGUMENTS.get(param.name or "", (param.name or "").upper())
            param.metavar = f"{name}..." if param.nargs == -1 else name
            if not param.required:
                param.metavar = f"[{param.metavar}]"
        elif isinstance(param, click.Option) and not param.is_flag and param.type in TYPES:
            param.metavar = TYPES[param.type]


class ChineseCommand(click.Command):
    """A command whose usage line and value names are Chinese (parameters added after the
    command was made are named too: they are named whenever click asks for them)."""

    context_class = ChineseContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        _name_params(self)
        return super().get_params(ctx)


class ChineseGroup(click.Group):
    """A group whose usage line, value names, commands and subgroups are Chinese."""

    command_class = ChineseCommand
    group_class = type  # subgroups are ChineseGroups too
    context_class = ChineseContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        _name_params(self)
        return super().get_params(ctx)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """A command made elsewhere (``click.Command(...)``) speaks Chinese here too."""
        if type(cmd) is click.Command:
            cmd.__class__ = ChineseCommand
            cmd.options_metavar = OPTIONS_METAVAR
        super().add_command(cmd, name)

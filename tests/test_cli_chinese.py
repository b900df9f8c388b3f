"""`eprc --help`, every subcommand's help and click's own errors in Chinese: no English word a
clerk can see, beyond what they type (command and option names, choices) and a few names of
things (eprc, Excel, xlsx, JSON, EPRC_DB)."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from eprc import cli

# words a clerk types or reads as names, not English sentences
NAMES = {"eprc", "Excel", "xlsx", "JSON", "EPRC_DB", "smtp.password", "csv", "U", "A4"}


def commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


def typed_words(group: click.Group) -> set[str]:
    """Command names, option names and choices: what a clerk types."""
    words = {"-h", "--help", "--version"}
    stack: list[click.Command] = [group]
    while stack:
        command = stack.pop()
        words.add(command.name or "")
        if isinstance(command, click.Group):
            stack.extend(command.commands.values())
        for param in command.params:
            words.update(param.opts)
            words.update(param.secondary_opts)
            if isinstance(param.type, click.Choice):
                words.update(str(c) for c in param.type.choices)
    return words


def english(text: str, allowed: set[str]) -> list[str]:
    tokens = re.findall(r"-{0,2}[A-Za-z][A-Za-z0-9_.*-]*", text)
    return [t for t in tokens if t not in allowed and t not in NAMES
            and not (t.startswith("-") and t.split("=")[0] in allowed)]


@pytest.mark.parametrize("path", commands(cli), ids=lambda p: " ".join(p) or "eprc")
def test_every_help_is_chinese(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="eprc")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("用法：eprc")
    assert "选项：" in result.output and "显示本帮助并退出。" in result.output
    assert english(result.output, typed_words(cli)) == []


@pytest.mark.parametrize(("args", "expected"), [
    (["no-such"], "错误：没有名为“no-such”的命令。"),
    (["demo", "--bogus"], "错误：没有选项“--bogus”。"),
    (["demo", "--seed", "x"], "“x”不是有效的数字。"),
    (["demo", "--size", "huge"], "“huge”不是以下之一"),
    (["verify", "1"], "缺少参数"),
])
def test_click_errors_are_chinese(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(cli, args, prog_name="eprc")
    assert result.exit_code == 2
    assert expected in result.output
    assert "输入“eprc" in result.output and "查看帮助" in result.output
    assert english(result.output.replace("--bogus", "").replace("no-such", "")
                   .replace("huge", "").replace("“x”", ""), typed_words(cli)) == []

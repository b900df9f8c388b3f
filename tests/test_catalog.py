"""One catalog: every sheet's command, its one date check and its one summary sentence come
from exports/catalog.py, for the command line and the screens alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from db.database import close_database
from eprc import ACCESS, cli
from exports.catalog import IMPORTS, SHEETS, Param, Sheet, prepare


def test_every_declared_sheet_is_a_command_with_its_help() -> None:
    export_group, import_group = cli.commands["export"], cli.commands["import"]
    for sheet in SHEETS:
        if sheet.command:
            assert export_group.commands[sheet.command].help == sheet.help
            assert ACCESS[f"export {sheet.command}"] == ("write" if sheet.writes_db else "read")
    assert set(import_group.commands) == {entry.key for entry in IMPORTS}


@pytest.mark.parametrize("command", ["roster", "donations", "audit", "temperatures"])
def test_one_date_check_for_every_period(db_path: Path, tmp_path: Path, command: str) -> None:
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(cli, ["--db", str(db_path), "export", command, "--from",
                                      "2022-04-11", "--to", "2022-04-10", "-o", str(out)])
    close_database()
    assert result.exit_code == 1 and "结束日期不能早于开始日期" in result.stderr
    assert not out.exists()


def test_a_new_scope_kind_is_one_declaration(db_path: Path, tmp_path: Path) -> None:
    """What a helper adding 核酸检测轮次 writes: a Param whose resolve refuses unknown names."""
    from db.validate import Invalid

    def find_round(text: str) -> int:
        if text not in ("1", "第一轮"):
            raise Invalid(f"没有检测轮次“{text}”")
        return 1

    round_ = Param("round", "--round", "检测轮次", "检测轮次（编号或名称）", resolve=find_round)
    sheet = Sheet("rounds", "核酸检测登记表", True, lambda path, v, _p: f"已导出第{v['round']}轮",
                  (round_,))
    assert sheet.write(tmp_path / "r.xlsx", {"round": "第一轮"}) == "已导出第1轮"
    with pytest.raises(Invalid, match="没有检测轮次“9”"):
        prepare(sheet.params, {"round": "9"})

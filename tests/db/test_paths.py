"""SQLite URIs for local, drive-letter and network-share paths (db/paths.py)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from db.paths import sqlite_uri


def test_unc_path_keeps_server_and_share_in_the_path_not_the_authority() -> None:
    uri = sqlite_uri(PureWindowsPath(r"\\fileserver\防控办\台账\店埠镇.db"), mode="ro")
    assert uri == (
        "file:////fileserver/%E9%98%B2%E6%8E%A7%E5%8A%9E/%E5%8F%B0%E8%B4%A6/"
        "%E5%BA%97%E5%9F%A0%E9%95%87.db?mode=ro"
    )


def test_extended_length_unc_path_becomes_the_plain_share_path() -> None:
    uri = sqlite_uri(PureWindowsPath(r"\\?\UNC\fileserver\share\eprc.db"))
    assert uri == "file:////fileserver/share/eprc.db"


def test_drive_path_and_its_extended_form() -> None:
    assert sqlite_uri(PureWindowsPath(r"D:\台账\a.db"), mode="ro") == (
        "file:///D:/%E5%8F%B0%E8%B4%A6/a.db?mode=ro"
    )
    assert sqlite_uri(PureWindowsPath(r"\\?\D:\x\a.db")) == "file:///D:/x/a.db"


def test_uri_syntax_characters_in_names_are_escaped() -> None:
    uri = sqlite_uri(PureWindowsPath(r"C:\数据 #1\50%?&=.db"), mode="ro")
    assert uri == "file:///C:/%E6%95%B0%E6%8D%AE%20%231/50%25%3F%26%3D.db?mode=ro"


def test_relative_paths_are_refused() -> None:
    with pytest.raises(ValueError):
        sqlite_uri(PureWindowsPath(r"台账\a.db"))
    with pytest.raises(ValueError):
        sqlite_uri(PurePosixPath("a.db"))


def _make_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (42)")
    conn.commit()
    conn.close()


def _read_only_value(uri: str) -> int:
    conn = sqlite3.connect(uri, uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("INSERT INTO t VALUES (1)")
        return conn.execute("SELECT x FROM t").fetchone()[0]
    finally:
        conn.close()


def test_sqlite_opens_the_uri_of_an_awkward_local_name_read_only(tmp_path: Path) -> None:
    path = tmp_path / "台账 #1 50%&=.db"  # "?" is not allowed in a Windows file name
    _make_db(path)
    assert _read_only_value(sqlite_uri(path.resolve(), mode="ro")) == 42


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX only: there //server/share is /server/share")
def test_sqlite_passes_a_unc_uri_path_through_unchanged(tmp_path: Path) -> None:
    """SQLite's own parser, on this machine: the UNC form ``file:////server/share/…`` reaches the
    file system as ``//server/share/…`` (Windows reads that as the share; POSIX as ``/server/…``),
    while the form ``Path.as_uri()`` gives is refused for its authority."""
    path = tmp_path.resolve() / "店埠镇.db"
    _make_db(path)
    server, share, *rest = path.parts[1:]
    unc = PureWindowsPath("\\\\" + server + "\\" + share, *rest)
    assert _read_only_value(sqlite_uri(unc, mode="ro")) == 42
    with pytest.raises(sqlite3.OperationalError, match="authority"):
        sqlite3.connect(unc.as_uri() + "?mode=ro", uri=True)

"""The one-folder Windows build (packaging/windows/build.py), checked on any platform.

Tests that download wheels are marked ``network`` and skip, saying why, when the package index
cannot be reached. They build the folder for both Windows architectures (every dependency must
ship a wheel for each), inspect it, and build the same layout with this machine's wheels to run
eprc from it in an isolated Python: demo, one export, every screen, F1–F9.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import struct
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
BUILD_PY = ROOT / "packaging" / "windows" / "build.py"
SMOKE_PY = ROOT / "packaging" / "windows" / "smoke.py"
INDEX = os.environ.get("UV_INDEX_URL") or os.environ.get("UV_DEFAULT_INDEX") or "https://pypi.org/simple/"


def _load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eprc_windows_build", BUILD_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


build = _load_build()


def _index_unreachable() -> str | None:
    """Why the package index cannot be used, or None when it answers."""
    try:
        with urllib.request.urlopen(INDEX.rstrip("/") + "/pip/", timeout=15):
            return None
    except OSError as exc:
        return f"package index {INDEX} unreachable ({exc})"


_UNREACHABLE = _index_unreachable()
network = pytest.mark.skipif(_UNREACHABLE is not None, reason=_UNREACHABLE or "")


def _run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run a child; its output is decoded as the UTF-8 that ``-X utf8`` makes it write."""
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", errors="replace",
                          timeout=600, check=False, **kwargs)  # type: ignore[call-overload]


# ---- a stand-in for the embeddable Python zip -----------------------------------------------------

def _pe(machine: int) -> bytes:
    header = bytearray(b"MZ" + b"\0" * 0x3E)
    struct.pack_into("<I", header, 0x3C, 0x40)
    return bytes(header) + b"PE\0\0" + struct.pack("<H", machine) + b"\0" * 32


def _dll_with_version(version: tuple[int, int, int]) -> bytes:
    major, minor, patch = version
    fixed = struct.pack("<IIII", 0xFEEF04BD, 0x00010000, (major << 16) | minor, patch << 16)
    return b"\0" * 100 + fixed + b"\0" * 100


def _embeddable_zip(path: Path, machine: int = 0x8664, tag: str = "312",
                    sqlite: tuple[int, int, int] = (3, 45, 3)) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("python.exe", _pe(machine))
        archive.writestr(f"python{tag}.dll", b"MZ")
        archive.writestr(f"python{tag}.zip", b"")
        archive.writestr(f"python{tag}._pth", f"python{tag}.zip\r\n.\r\n#import site\r\n")
        archive.writestr("sqlite3.dll", _dll_with_version(sqlite))
        archive.writestr("_sqlite3.pyd", b"MZ")
    return path


def test_embeddable_zip_is_checked_for_architecture_version_and_sqlite(tmp_path: Path) -> None:
    amd64, win32 = build.TARGETS["amd64"], build.TARGETS["win32"]
    good = _embeddable_zip(tmp_path / "python-3.12.10-embed-amd64.zip")
    info = build.inspect_python_zip(good, amd64)
    assert (info.version, info.tag, info.sqlite) == ("3.12", "312", (3, 45, 3))
    with pytest.raises(build.BuildError, match="not for win32"):
        build.inspect_python_zip(good, win32)
    old = _embeddable_zip(tmp_path / "old.zip", sqlite=(3, 31, 1))
    with pytest.raises(build.BuildError, match=r"sqlite3.dll is 3\.31\.1"):
        build.inspect_python_zip(old, amd64)
    py39 = _embeddable_zip(tmp_path / "py39.zip", tag="39")
    with pytest.raises(build.BuildError, match="3.10 or later"):
        build.inspect_python_zip(py39, amd64)
    (tmp_path / "not.zip").write_bytes(b"PK but not really")
    with pytest.raises(build.BuildError, match="not a zip"):
        build.inspect_python_zip(tmp_path / "not.zip", amd64)


def test_a_bad_python_zip_stops_the_build_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "python-3.12.10-embed-amd64.zip"
    assert build.main(["--arch", "amd64", "--python-zip", str(missing), "-o", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"build failed: --python-zip {missing}: no such file\n"
    assert list(tmp_path.iterdir()) == []


def test_sqlite_version_read_from_the_version_string_without_a_resource() -> None:
    assert build.dll_version(b"xx\x003.40.1\x00yy\x002022-12-28\x00") == (3, 40, 1)
    assert build.dll_version(b"no version here") is None


def test_unpacked_python_looks_in_lib_and_nowhere_else(tmp_path: Path) -> None:
    zip_path = _embeddable_zip(tmp_path / "embed.zip")
    info = build.inspect_python_zip(zip_path, build.TARGETS["amd64"])
    build.unpack_python(zip_path, info, tmp_path / "python")
    assert (tmp_path / "python" / "python312._pth").read_bytes() == b"python312.zip\r\n.\r\n..\\lib\r\n"
    assert (tmp_path / "python" / "sqlite3.dll").exists()


# ---- the Windows folders ---------------------------------------------------------------------------

def _windows_environment(arch: str, python_version: str) -> dict[str, str]:
    """Marker variables as the target Windows Python reports them."""
    env = dict(default_environment())
    env.update(sys_platform="win32", platform_system="Windows", os_name="nt",
               platform_machine="AMD64" if arch == "amd64" else "x86",
               python_version=python_version, python_full_version=python_version + ".0",
               implementation_name="cpython", platform_python_implementation="CPython")
    return env


def _installed(lib: Path) -> dict[str, str]:
    """Distribution name → version of everything in ``lib``."""
    found = {}
    for info in lib.glob("*.dist-info"):
        name, version = info.name[: -len(".dist-info")].rsplit("-", 1)
        found[canonicalize_name(name)] = version
    return found


@pytest.fixture(scope="module")
def windows_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, str]]]:
    """amd64 built with a stand-in embeddable zip, win32 (for Python 3.10) without one."""
    if _UNREACHABLE:
        pytest.skip(_UNREACHABLE)
    out = tmp_path_factory.mktemp("dist")
    zip_path = _embeddable_zip(out / "python-3.12.10-embed-amd64.zip")
    folders = {}
    for arch, extra in (("amd64", ["--python-zip", str(zip_path), "--zip"]),
                        ("win32", ["--python-version", "3.10"])):
        done = _run([sys.executable, "-X", "utf8", str(BUILD_PY), "--arch", arch, *extra, "-o", str(out)])
        assert done.returncode == 0, done.stderr
        folder = Path(done.stdout.strip().removeprefix("built "))
        folders[arch] = (folder, done.stderr)
    yield folders


@network
@pytest.mark.parametrize("arch", ["amd64", "win32"])
def test_folder_holds_wheels_for_its_windows_only(
    windows_folders: dict[str, tuple[Path, str]], arch: str
) -> None:
    folder, _ = windows_folders[arch]
    assert re.fullmatch(rf"eprc-\d+\.\d+\.\d+.*-win-{arch}", folder.name)
    lib = folder / "lib"
    tags = {line.split(":", 1)[1].strip()
            for wheel in lib.glob("*.dist-info/WHEEL")
            for line in wheel.read_text(encoding="utf-8").splitlines() if line.startswith("Tag:")}
    platform = build.TARGETS[arch].wheel_platform
    assert tags and all(tag.endswith(("-any", f"-{platform}")) for tag in tags), tags
    assert any(tag.endswith(f"-{platform}") for tag in tags)
    assert not list(lib.rglob("*.so")), "a Linux extension module in a Windows folder"
    assert list((lib / "python_calamine").glob("*.pyd")), "calamine's Windows extension is missing"
    assert not (lib / "bin").exists() and not list(lib.rglob("*.pyc"))
    assert (lib / "eprc.py").exists() and (lib / "tui" / "app.tcss").exists()
    assert (lib / "tui" / "screens" / "sections.tcss").exists()


@network
@pytest.mark.parametrize(("arch", "python_version"), [("amd64", "3.12"), ("win32", "3.10")])
def test_folder_holds_what_windows_markers_require_and_nothing_else(
    windows_folders: dict[str, tuple[Path, str]], arch: str, python_version: str
) -> None:
    folder, _ = windows_folders[arch]
    lib = folder / "lib"
    installed = _installed(lib)
    pinned = dict(line.split("==") for line in
                  (folder / "requirements.txt").read_text(encoding="utf-8").split())
    assert {canonicalize_name(k): v for k, v in pinned.items()} == {
        k: v for k, v in installed.items() if k != "eprc"}
    windows = _windows_environment(arch, python_version)
    linux = dict(windows, sys_platform="linux", platform_system="Linux", os_name="posix",
                 platform_machine="x86_64")
    for metadata in lib.glob("*.dist-info/METADATA"):
        for line in metadata.read_text(encoding="utf-8").splitlines():
            if not line.startswith("Requires-Dist:"):
                continue
            req = Requirement(line.split(":", 1)[1].strip())
            if req.marker is not None and "extra" in str(req.marker):
                continue
            name = canonicalize_name(req.name)
            on_windows = req.marker is None or req.marker.evaluate(windows)
            if on_windows:
                assert name in installed, f"{metadata.parent.name} needs {req} on Windows"
                assert req.specifier.contains(installed[name], prereleases=True), (req, installed[name])
            elif req.marker is not None and req.marker.evaluate(linux):
                assert name not in installed, f"{req} is for Linux only"
    calamine = installed["python-calamine"]
    assert calamine.startswith("0.8.") if python_version == "3.10" else not calamine.startswith("0.8.")


@network
def test_launchers_and_usage_note(windows_folders: dict[str, tuple[Path, str]]) -> None:
    folder, _ = windows_folders["amd64"]
    for name, args in (("eprc.cmd", "-m eprc %*"), ("eprc-demo.cmd", "-m eprc --demo %*")):
        raw = (folder / name).read_bytes()
        text = raw.decode("ascii")
        assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
        run_line = f'"%~dp0python\\python.exe" -I -X utf8 {args}\r\n'
        assert text.count(run_line) == 2  # in Windows Terminal when there is one, else here
        assert f'start "" wt.exe {run_line}' in text
        assert '\r\nif "%EPRC_EXIT%"=="0" exit /b 0\r\n' in text
        assert text.endswith("\r\necho.\r\npause\r\nexit /b %EPRC_EXIT%\r\n")
        assert "(" not in text and ")" not in text  # no block that a folder's name could end
    usage = (folder / "使用说明.txt").read_bytes()
    assert usage.startswith(b"\xef\xbb\xbf")
    text = usage.decode("utf-8-sig")
    version = folder.name.split("-")[1]
    assert version in text and "Windows 10" in text and "共享文件夹" in text and "\r\n" in text


@network
def test_python_zip_given_and_missing(windows_folders: dict[str, tuple[Path, str]]) -> None:
    amd64, amd64_stderr = windows_folders["amd64"]
    assert (amd64 / "python" / "python.exe").exists()
    assert (amd64 / "python" / "python312._pth").read_bytes().endswith(b"..\\lib\r\n")
    assert "MISSING" not in amd64_stderr
    with zipfile.ZipFile(amd64.with_name(amd64.name + ".zip")) as archive:
        names = archive.namelist()
    assert f"{amd64.name}/eprc.cmd" in names and f"{amd64.name}/python/python.exe" in names
    assert f"{amd64.name}/lib/eprc.py" in names
    win32, win32_stderr = windows_folders["win32"]
    assert not (win32 / "python").exists()
    assert "MISSING: python\\ (pass --python-zip python-3.10.x-embed-win32.zip" in win32_stderr


@network
def test_resolution_evaluates_platform_markers_for_the_target(tmp_path: Path) -> None:
    source = tmp_path / "requirements.in"
    source.write_text('colorama; sys_platform == "win32"\nuvloop; sys_platform != "win32"\n',
                      encoding="utf-8")
    for arch, present, absent in (("amd64", "colorama", "uvloop"), ("win32", "colorama", "uvloop"),
                                  ("native", "uvloop", "colorama")):
        if arch == "native" and sys.platform == "win32":
            continue
        pins = build.resolve(source, build.TARGETS[arch], "3.12", tmp_path / f"{arch}.txt")
        names = {pin.split("==")[0] for pin in pins}
        assert present in names and absent not in names, (arch, pins)


# ---- the same layout, this machine's wheels, run isolated ----------------------------------------

def _base_python() -> str:
    """The interpreter behind this virtual environment (whose site-packages it does not see)."""
    base = getattr(sys, "_base_executable", None)
    if base and Path(base).exists() and Path(sys.prefix) not in Path(base).parents:
        return base
    if sys.platform == "win32":
        return str(Path(sys.base_prefix) / "python.exe")
    return str(Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}")


_BOOT = ("import runpy, sys; sys.path.insert(0, sys.argv.pop(1)); "
         "runpy.run_module('eprc', run_name='__main__', alter_sys=True)")


@network
def test_folder_runs_isolated_through_the_smoke_test(tmp_path: Path) -> None:
    done = _run([sys.executable, "-X", "utf8", str(BUILD_PY), "--arch", "native", "-o", str(tmp_path)])
    assert done.returncode == 0, done.stderr
    lib = Path(done.stdout.strip().removeprefix("built ")) / "lib"
    python = [_base_python(), "-I", "-S", "-X", "utf8"]
    env = {k: v for k, v in os.environ.items() if k != "EPRC_DB"}
    demo, export = tmp_path / "work" / "demo.db", tmp_path / "work" / "居民信息登记表.xlsx"
    made = _run([*python, "-c", _BOOT, str(lib), "demo", "--db", str(demo), "--size", "small"], env=env)
    assert made.returncode == 0, made.stderr
    exported = _run([*python, "-c", _BOOT, str(lib), "export", "residents", "--db", str(demo),
                     "-o", str(export)], env=env)
    assert exported.returncode == 0, exported.stderr
    from openpyxl import load_workbook

    exported_count = int(re.search(r"已导出 (\d+) 人", exported.stdout).group(1))  # type: ignore[union-attr]
    workbook = load_workbook(export, read_only=True)
    rows = sum(1 for row in workbook.worksheets[0].iter_rows(values_only=True) if any(row))
    workbook.close()
    assert exported_count > 1000 and rows > exported_count
    smoke = _run([*python, str(SMOKE_PY), str(lib), str(demo)], env=env)
    assert smoke.returncode == 0, smoke.stderr
    report = json.loads(smoke.stdout.strip().splitlines()[-1])
    assert Path(report["textual"]).resolve().is_relative_to(lib.resolve())
    assert not any("site-packages" in entry for entry in report["sys_path"]), report["sys_path"]
    assert {"tui.screens.residents", "tui.screens.settings", "tui.widgets.section_bar"} <= set(
        report["modules"])
    assert report["stylesheets"] == ["app.tcss", "sections.tcss"]
    assert report["sections"] == [
        "f1:dashboard:DashboardScreen", "f2:residents:ResidentsScreen",
        "f3:keypersons:KeyPersonsScreen", "f4:pushed:PushedScreen", "f5:roster:RosterScreen",
        "f6:donations:DonationsScreen", "f7:reports:ReportsScreen", "f8:recycle:RecycleScreen",
        "f9:settings:SettingsScreen",
    ]

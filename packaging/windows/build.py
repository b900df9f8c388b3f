"""Assemble eprc as one folder for the clerk's Windows PC: no Python, no admin rights, no internet.

    python packaging/windows/build.py --arch amd64|win32 --python-zip python-3.12.x-embed-amd64.zip -o dist

makes ``dist/eprc-<version>-win-<arch>/``::

    eprc.cmd, eprc-demo.cmd   double-click launchers: python\\python.exe -I -X utf8 -m eprc …
    使用说明.txt               for the clerk, UTF-8 with BOM (old Notepad reads a file without one as GBK)
    python\\                   the official embeddable Python, its ._pth pointing at ..\\lib
    lib\\                      eprc and every dependency, installed for the target (not this machine)
    requirements.txt          the exact versions in lib\\, resolved with Windows' environment markers

Dependencies are resolved for the target with ``uv pip compile --python-platform`` (pip would
evaluate environment markers for the build machine: Windows-only requirements left out, Linux-only
ones pulled in) and installed with ``uv pip install --target --python-platform --only-binary :all:
--no-deps`` (what ``pip install --target --platform win_amd64 --only-binary=:all: --no-deps`` does,
five times quicker). Without ``--python-zip`` everything else is built and the missing part is named, so
CI can build it. ``--arch native`` builds the same layout with this machine's wheels, for the
isolated smoke test (``packaging/windows/smoke.py``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DEFAULT_PYTHON_VERSION = "3.12"
# FTS5's trigram tokenizer, which eprc's search tables use, came with SQLite 3.34.0.
MIN_SQLITE = (3, 34, 0)


@dataclass(frozen=True)
class Target:
    """What the folder is built for."""

    arch: str  # amd64, win32 or native
    uv_platform: str | None  # uv's --python-platform; None: this machine
    wheel_platform: str | None  # the platform tag of its wheels; None: this machine
    pe_machine: int | None  # IMAGE_FILE_HEADER.Machine of the embeddable python.exe

    @property
    def windows(self) -> bool:
        return self.wheel_platform is not None


TARGETS = {
    "amd64": Target("amd64", "x86_64-pc-windows-msvc", "win_amd64", 0x8664),
    "win32": Target("win32", "i686-pc-windows-msvc", "win32", 0x014C),
    "native": Target("native", None, None, None),
}


class BuildError(Exception):
    """Something the person building must fix; the message says what."""


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``, raising BuildError with its output when it fails."""
    done = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", errors="replace",
                          check=False, **kwargs)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise BuildError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done


def uv_command() -> list[str]:
    """How to run uv: the ``uv`` package in this Python, or ``uv`` on PATH."""
    try:
        from uv import find_uv_bin
    except ImportError:
        found = shutil.which("uv")
        if found is None:
            raise BuildError("uv is needed to resolve for Windows: pip install uv") from None
        return [found]
    return [find_uv_bin()]


def uv(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a uv command with this Python, never one uv would download for itself."""
    env = dict(os.environ, UV_PYTHON_DOWNLOADS="never")
    return run([*uv_command(), *args], env=env)


# ---- the embeddable Python ------------------------------------------------------------------------

@dataclass(frozen=True)
class EmbeddedPython:
    """What the build learned from an embeddable Python zip."""

    version: str  # "3.12"
    tag: str  # "312"
    sqlite: tuple[int, ...] | None


def pe_machine(data: bytes) -> int:
    """The Machine field of a PE file's header."""
    if data[:2] != b"MZ":
        raise BuildError("python.exe in the zip is not a Windows executable")
    offset = struct.unpack_from("<I", data, 0x3C)[0]
    if data[offset:offset + 4] != b"PE\0\0":
        raise BuildError("python.exe in the zip is not a Windows executable")
    return struct.unpack_from("<H", data, offset + 4)[0]


def dll_version(data: bytes) -> tuple[int, ...] | None:
    """The file version in a DLL's version resource (VS_FIXEDFILEINFO), or its embedded
    ``sqlite3_version`` string; None when neither is found."""
    at = data.find(struct.pack("<I", 0xFEEF04BD))
    if at >= 0:
        ms, ls = struct.unpack_from("<II", data, at + 8)
        return (ms >> 16, ms & 0xFFFF, ls >> 16)
    found = re.findall(rb"\x00(3\.\d{1,2}\.\d{1,2})\x00", data)
    if found:
        return max(tuple(int(p) for p in v.split(b".")) for v in found)
    return None


def inspect_python_zip(path: Path, target: Target) -> EmbeddedPython:
    """Check the embeddable zip against the target: architecture, version, SQLite."""
    if not path.is_file():
        raise BuildError(f"--python-zip {path}: no such file")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise BuildError(f"--python-zip {path}: not a zip file") from None
    with archive:
        names = set(archive.namelist())
        tags = [m.group(1) for n in names if (m := re.fullmatch(r"python3(\d+)\._pth", n))]
        if "python.exe" not in names or len(tags) != 1:
            raise BuildError(f"{path.name} is not the embeddable Python (python.exe, python3XX._pth)")
        tag = "3" + tags[0]
        machine = pe_machine(archive.read("python.exe"))
        if machine != target.pe_machine:
            raise BuildError(f"{path.name} is not for {target.arch} (python.exe machine {machine:#x})")
        sqlite = dll_version(archive.read("sqlite3.dll")) if "sqlite3.dll" in names else None
    version = f"3.{tag[1:]}"
    if (3, int(tag[1:])) < (3, 10):
        raise BuildError(f"{path.name}: eprc needs Python 3.10 or later")
    if "sqlite3.dll" not in names:
        raise BuildError(f"{path.name} has no sqlite3.dll")
    if sqlite is not None and sqlite < MIN_SQLITE:
        raise BuildError(f"{path.name}: sqlite3.dll is {'.'.join(map(str, sqlite))}, eprc needs "
                         f"{'.'.join(map(str, MIN_SQLITE))} or later (FTS5 trigram)")
    return EmbeddedPython(version, tag, sqlite)


def unpack_python(path: Path, info: EmbeddedPython, dest: Path) -> None:
    """Unzip the embeddable Python into ``dest`` and point its ._pth at ..\\lib."""
    with zipfile.ZipFile(path) as archive:
        archive.extractall(dest)
    pth = dest / f"python{info.tag}._pth"
    # sys.path is exactly these lines (relative to the ._pth); `import site` stays off.
    pth.write_text(f"python{info.tag}.zip\r\n.\r\n..\\lib\r\n", encoding="utf-8", newline="")


# ---- dependencies --------------------------------------------------------------------------------

def python_version_for(target: Target, embedded: EmbeddedPython | None, asked: str | None) -> str:
    """The X.Y to resolve and install for."""
    if target.arch == "native":
        return f"{sys.version_info.major}.{sys.version_info.minor}"
    if embedded is not None:
        if asked and asked != embedded.version:
            raise BuildError(f"--python-version {asked} but the zip holds Python {embedded.version}")
        return embedded.version
    return asked or DEFAULT_PYTHON_VERSION


def resolve(requirements: Path, target: Target, python_version: str, dest: Path) -> list[str]:
    """Pin every requirement (and theirs) for the target, markers evaluated for it; write ``dest``."""
    args = ["pip", "compile", str(requirements), "--python", sys.executable,
            "--python-version", python_version, "--no-header", "--no-annotate", "--quiet",
            "--output-file", str(dest)]
    if target.uv_platform:
        args += ["--python-platform", target.uv_platform]
    uv(*args)
    return [line.strip() for line in dest.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def build_eprc_wheel(dest: Path) -> Path:
    """eprc itself as a wheel (pure Python: one for every platform), built from its sdist so that
    nothing stale in the work tree's build/ folder can slip in."""
    uv("build", "--python", sys.executable, "--out-dir", str(dest), str(ROOT))
    wheels = sorted(dest.glob("eprc-*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"expected one eprc wheel in {dest}, found {wheels}")
    return wheels[0]


def install(wheel: Path, requirements: Path, target: Target, python_version: str, lib: Path) -> None:
    """Install eprc and the pinned requirements into ``lib``: binary wheels for the target only,
    no dependency of their own (the pins are the whole list), no bytecode of the build machine."""
    args = ["pip", "install", "--quiet", "--target", str(lib), "--no-deps", "--only-binary", ":all:",
            "--no-compile", "--python", sys.executable, "-r", str(requirements), str(wheel)]
    if target.uv_platform:
        args += ["--python-platform", target.uv_platform, "--python-version", python_version]
    uv(*args)
    shutil.rmtree(lib / "bin", ignore_errors=True)  # console scripts of the build machine


# ---- what the clerk clicks and reads --------------------------------------------------------------

LAUNCHER = """\
@echo off
rem {title}: double-click it. Runs the Python in this folder, isolated from any other by -I.
rem No blocks in brackets here: a folder whose name has a bracket would end them early.
setlocal
if defined WT_SESSION goto run
if defined EPRC_NO_WT goto run
where wt.exe >nul 2>nul || goto run
rem Windows Terminal draws the Chinese screen correctly, and keeps the tab open on an error.
start "" wt.exe "%~dp0python\\python.exe" -I -X utf8 -m eprc {args}%*
exit /b 0
:run
"%~dp0python\\python.exe" -I -X utf8 -m eprc {args}%*
set "EPRC_EXIT=%errorlevel%"
if "%EPRC_EXIT%"=="0" exit /b 0
rem eprc has printed one line saying what is wrong: keep the window open so it can be read.
echo.
pause
exit /b %EPRC_EXIT%
"""


def write_launchers(folder: Path) -> None:
    """eprc.cmd and eprc-demo.cmd (CRLF; ASCII names, safe in any code page)."""
    for name, title, args in (("eprc.cmd", "eprc", ""), ("eprc-demo.cmd", "eprc demo", "--demo ")):
        text = LAUNCHER.format(title=title, args=args)
        (folder / name).write_text(text.replace("\n", "\r\n"), encoding="ascii", newline="")


def write_usage(folder: Path, version: str, arch: str) -> None:
    """使用说明.txt from usage.txt, in UTF-8 with BOM and CRLF."""
    text = (HERE / "usage.txt").read_text(encoding="utf-8").format(version=version, arch=arch)
    (folder / "使用说明.txt").write_text(text.replace("\n", "\r\n"), encoding="utf-8-sig", newline="")


# ---- the whole folder ----------------------------------------------------------------------------

def build(arch: str, python_zip: Path | None, out: Path, python_version: str | None = None,
          make_zip: bool = False) -> tuple[Path, list[str]]:
    """Assemble the folder; return it and what is missing from it (empty when complete)."""
    target = TARGETS[arch]
    embedded = inspect_python_zip(python_zip, target) if python_zip and target.windows else None
    version_xy = python_version_for(target, embedded, python_version)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="eprc-build-", dir=out) as tmp_name:
        tmp = Path(tmp_name)
        wheel = build_eprc_wheel(tmp / "wheel")
        eprc_version = wheel.name.split("-")[1]
        name = f"eprc-{eprc_version}-win-{arch}" if target.windows else f"eprc-{eprc_version}-{arch}"
        stage = tmp / name
        stage.mkdir()
        resolve(ROOT / "pyproject.toml", target, version_xy, stage / "requirements.txt")
        install(wheel, stage / "requirements.txt", target, version_xy, stage / "lib")
        missing: list[str] = []
        if target.windows:
            write_launchers(stage)
            write_usage(stage, eprc_version, arch)
            if embedded is not None and python_zip is not None:
                unpack_python(python_zip, embedded, stage / "python")
            else:
                missing.append(f"python\\ (pass --python-zip python-{version_xy}.x-embed-{arch}.zip, "
                               "the official embeddable package)")
        folder = out / name
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(stage, folder)
    if make_zip and not missing:
        shutil.make_archive(str(folder), "zip", root_dir=out, base_dir=name)
    return folder, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", choices=sorted(TARGETS), required=True,
                        help="amd64 or win32 (32-bit Windows); native: this machine, for tests")
    parser.add_argument("--python-zip", type=Path, help="the official embeddable Python zip")
    parser.add_argument("--python-version", help=f"X.Y without --python-zip "
                                                 f"(default {DEFAULT_PYTHON_VERSION})")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--zip", action="store_true", help="also zip the folder (when complete)")
    args = parser.parse_args(argv)
    try:
        folder, missing = build(args.arch, args.python_zip, args.output.resolve(),
                                args.python_version, args.zip)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    print(f"built {folder}")
    for item in missing:
        print(f"MISSING: {item}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

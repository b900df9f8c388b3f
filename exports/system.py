"""Handing exported files to the system: open their folder, send them to the printer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from db.validate import Invalid


def open_folder(folder: Path) -> None:
    """Show a folder in the system's file manager."""
    folder.mkdir(parents=True, exist_ok=True)
    if sys.platform == "win32":
        os.startfile(folder)  # type: ignore[attr-defined]
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(opener) is None:
        raise Invalid(f"无法打开文件夹（系统没有 {opener}），文件在：{folder}")
    subprocess.Popen([opener, str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def print_file(path: Path) -> str:
    """Send a file to the default printer; says clearly when no printer is set up."""
    if not path.is_file():
        raise Invalid(f"文件“{path}”不存在，请先导出")
    if sys.platform == "win32":
        try:
            os.startfile(path, "print")  # type: ignore[attr-defined]
        except OSError as exc:
            raise Invalid(f"无法打印（{exc.strerror}）：请确认已安装打印机并设为默认，"
                          "且电脑装有 Excel 或 WPS") from None
        return "已发送到默认打印机"
    if shutil.which("lp") is None:
        raise Invalid("未设置打印机（系统没有打印命令 lp），请把文件拷到能打印的电脑")
    result = subprocess.run(["lp", str(path)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise Invalid(f"打印失败：{result.stderr.strip() or '没有默认打印机'}")
    return result.stdout.strip() or "已发送到打印机"

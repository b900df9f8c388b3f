"""Every export of the report centre, printed: look at page 1 of each at once.

    python bench/print_pages.py OUTDIR [--db FILE] [--day 2022-04-11]

Writes every catalog export (from the small demo township built for ``--day``, or from ``--db``)
into OUTDIR, renders them all to PDF with LibreOffice in one call, and page 1 of each PDF to a
PNG beside it (60 dpi). Not a test: it prints what it made; ``tests/exports/test_print.py``
checks the same PDFs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exports.catalog import EXPORTS, Options  # noqa: E402

DEMO_DAY = dt.date(2022, 4, 11)  # a Monday: the roster's week is this one


def week_options(day: dt.date) -> Options:
    """The day, and the Monday-to-Sunday week it falls in."""
    monday = day - dt.timedelta(days=day.weekday())
    return Options(day=day, start=monday, end=monday + dt.timedelta(days=6))


def export_all(folder: Path, options: Options) -> list[Path]:
    """Write every catalog export into ``folder`` (the database must be open)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for export in EXPORTS:
        path = folder / f"{export.key}.xlsx"
        export.write(path, options)
        written.append(path)
    return written


def soffice() -> str | None:
    """The LibreOffice command, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


# The clerk prints from Excel or WPS on Windows with 宋体: CJK a full em, digits and Latin
# half of one. Here 宋体 is missing, and fontconfig's default stand-in (DejaVu Sans) has digits
# 27 % wider, so IDs would wrap on paper that never wraps them. Carlito (metric-compatible with
# Calibri, the workbook's default font) has half-em digits and gives LibreOffice Excel's column
# widths; CJK falls back to WenQuanYi Micro Hei. Packages: fonts-crosextra-carlito,
# fonts-wqy-microhei.
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  {aliases}
</fontconfig>
"""
SONGTI = ("宋体", "SimSun", "新宋体", "NSimSun")
STAND_INS = ("Carlito", "WenQuanYi Micro Hei")
REQUIRED_FONTS = STAND_INS


def missing_fonts() -> list[str]:
    """The stand-in fonts fontconfig does not know."""
    try:
        listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True,
                                check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return list(REQUIRED_FONTS)
    return [f for f in REQUIRED_FONTS if f not in listed]


def _fonts_conf(folder: Path) -> Path:
    prefer = "".join(f"<family>{f}</family>" for f in STAND_INS)
    aliases = "\n  ".join(f'<alias binding="same"><family>{name}</family>'
                           f"<prefer>{prefer}</prefer></alias>" for name in SONGTI)
    path = folder / "fonts.conf"
    path.write_text(FONTS_CONF.format(aliases=aliases), encoding="utf-8")
    return path


def to_pdf(files: list[Path], outdir: Path, timeout: float = 300) -> list[Path]:
    """Render ``files`` to PDF in ONE LibreOffice run with a private profile (a running soffice
    or a shared profile makes conversions silently produce nothing) and 宋体's stand-ins (see
    FONTS_CONF). Returns the PDFs, in order; raises RuntimeError naming any that did not
    appear."""
    command = soffice()
    if command is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="eprc-soffice-") as profile:
        env = {**os.environ, "HOME": profile,
               "FONTCONFIG_FILE": str(_fonts_conf(Path(profile)))}
        subprocess.run([command, "--headless", "--norestore",
                        f"-env:UserInstallation={Path(profile).as_uri()}",
                        "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)],
                       check=True, capture_output=True, timeout=timeout, env=env)
    pdfs = [outdir / f"{f.stem}.pdf" for f in files]
    missing = [p.name for p in pdfs if not p.is_file()]
    if missing:
        raise RuntimeError(f"LibreOffice produced no PDF for: {', '.join(missing)}")
    return pdfs


def first_pages(pdfs: list[Path], outdir: Path, resolution: int = 60) -> list[Path]:
    """Page 1 of each PDF as ``<name>-1.png`` in ``outdir``."""
    import pdfplumber

    pngs = []
    for pdf in pdfs:
        png = outdir / f"{pdf.stem}-1.png"
        with pdfplumber.open(pdf) as doc:
            doc.pages[0].to_image(resolution=resolution).save(png)
        pngs.append(png)
    return pngs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--db", type=Path, help="an eprc data file (default: a new small demo)")
    parser.add_argument("--day", type=dt.date.fromisoformat, default=DEMO_DAY)
    args = parser.parse_args()
    from db.database import close_database, open_database
    from db.demo import build_demo

    with tempfile.TemporaryDirectory(prefix="eprc-print-") as tmp:
        if args.db:
            open_database(args.db)
        else:
            build_demo(Path(tmp) / "demo.db", "small", seed=7, today=args.day)
        try:
            files = export_all(args.outdir, week_options(args.day))
        finally:
            close_database()
    pdfs = to_pdf(files, args.outdir)
    for png in first_pages(pdfs, args.outdir):
        print(png)


if __name__ == "__main__":
    main()

"""The import jobs the sections hand to :class:`~tui.dialogs.file_job.FileJobDialog`. Every
import is two steps: the file is read once and previewed (counts, problems, 姓名 that would
change, new areas, sheets), and nothing is written until the clerk presses Enter on 确认导入;
试运行 stops at the preview. A list imported before asks once more (再导入一次)."""

from __future__ import annotations

from pathlib import Path

from db.imports import ImportSummary
from db.models import Area
from tui.dialogs.file_job import Job, JobResult, Progress


def _details(summary: ImportSummary, errors: Path | None) -> list[str]:
    from exports.residents import problem_lines

    details = summary.detail_lines() + problem_lines(summary)
    if errors is not None and summary.problems():
        details.insert(0, f"有问题和改动的行已写入：{errors}")
    return details


def residents_import_job(area: Area | None) -> Job:
    """导入居民: rows naming no 社区（村） go to ``area`` (the area chosen in the tree)."""

    def job(path: Path, dry_run: bool, progress: Progress) -> JobResult:
        from exports.residents import import_residents_file, read_residents

        read = read_residents(path, progress)
        errors = path.with_name(f"{path.stem}_导入问题.xlsx")
        preview = import_residents_file(path, True, None, progress, area=area, read=read)
        if dry_run:
            return JobResult(preview.text(), _details(preview, None))

        def run(progress: Progress) -> JobResult:
            summary = import_residents_file(path, False, errors, progress, area=area, read=read,
                                            accept_changes=True, create_areas=True)
            return JobResult(summary.text(), _details(summary, errors), changed=True)

        return JobResult(preview.text("预览（尚未导入）："), _details(preview, None), confirm=run)

    return job


def staff_import_job() -> Job:
    """导入人员名单: 姓名 changes of people matched by ID wait for 确认导入."""

    def job(path: Path, dry_run: bool, progress: Progress) -> JobResult:
        from exports.residents import problem_lines
        from exports.staff import import_staff_file

        errors = path.with_name(f"{path.stem}_导入问题.xlsx")
        preview = import_staff_file(path, True)
        details = preview.detail_lines() + problem_lines(preview)
        if dry_run:
            return JobResult("试运行：" + preview.text(), details)

        def run(_progress: Progress) -> JobResult:
            summary = import_staff_file(path, False, errors, accept_changes=True)
            return JobResult(summary.text(), summary.detail_lines() + problem_lines(summary),
                             changed=True)

        return JobResult("预览（尚未导入）：" + preview.text(), details, confirm=run)

    return job


def pushed_import_job() -> Job:
    """导入推送名单: previewed (sheets and people), imported on 确认导入; a list imported before
    is named and made a new batch only on a further Enter."""

    def job(path: Path, _dry: bool, progress: Progress) -> JobResult:
        from db.pushed import AlreadyImported, BatchSummary
        from exports.pushed import import_pushed_file, read_pushed_sheets

        def result(summary: BatchSummary) -> JobResult:
            details = [f"工作表：{s}（{n} 人）" for s, n in summary.sheets] if len(
                summary.sheets) > 1 else []
            if summary.skipped:
                details.append(f"未导入的工作表：{'、'.join(summary.skipped)}")
            if summary.pushed_before:
                details.append(f"其中 {summary.pushed_before} 人此前推送过（核查时显示前次结果）")
            details += [f"第{r}行 警告：{w}" for r, w in summary.warnings]
            return JobResult(f"已导入第{summary.batch_id}批，共 {summary.rows} 人，核查截止 "
                             f"{summary.deadline:%m-%d %H:%M}", details, changed=True)

        def run(_progress: Progress) -> JobResult:
            try:
                return result(import_pushed_file(path))
            except AlreadyImported as exc:
                return JobResult(str(exc), [], confirm=lambda _p: result(
                    import_pushed_file(path, again=True)), confirm_label="再导入一次")

        sheets, skipped = read_pushed_sheets(path)
        details = [f"工作表：{s.name}（{len(s.records)} 人）" for s in sheets]
        if skipped:
            details.append(f"不导入的工作表：{'、'.join(skipped)}")
        people = sum(len(s.records) for s in sheets)
        return JobResult(f"预览（尚未导入）：{path.name}，共 {people} 人", details, confirm=run)

    return job

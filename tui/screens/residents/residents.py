"""居民: the area tree, the paged resident list and search as you type.

The form, the household screen, the dialogs and the export job are imported when first asked
for: the section's first opening on a slow PC does not wait for them (about 50 ms of imports)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Static, Tree
from textual.widgets.tree import TreeNode
from textual.worker import get_current_worker

from db.areas import AreaNode, area_by_id, area_tree, find_area
from db.residents import (
    ResidentRow,
    count_residents,
    delete_resident,
    find_residents,
    page_residents,
    resident_by_id,
    resident_rows,
)
from db.text import plain_text
from db.validate import Invalid
from tui.markup import escape
from tui.screens import SectionScreen, keys
from tui.widgets.column_table import Col, ColumnTable

PAGE = 100
SEARCH_LIMIT = 200
SEARCH_PAGE = 50  # rows fetched per screenful of search results; more as the cursor goes down
# 姓名, 住址, 网格 and 状态 are what a clerk finds and acts on; the rest give way at 80 columns
# (the detail line under the table shows them for the highlighted resident)
COLUMNS = (Col("姓名", 8), Col("性别", 4, 3), Col("年龄", 4, 2), Col("身份证号", 18, 2),
           Col("电话", 11, 1), Col("住址", 14, grow=True), Col("网格", 10), Col("类别", 4, 3),
           Col("状态", 4))


def _cells(r: ResidentRow) -> tuple[str, ...]:
    return (r.name, r.sex, str(r.age), r.id_number, r.phone, r.address, r.grid, r.kind, r.status)


class AreaPages:
    """The residents of an area (or the township) by number, a page at a time."""

    grows = False

    def __init__(self, area_id: int | None) -> None:
        self.area_id = area_id

    def first(self) -> list[ResidentRow]:
        return page_residents(limit=PAGE, area_id=self.area_id)

    def last(self) -> list[ResidentRow]:
        return page_residents(before=-1, limit=PAGE, area_id=self.area_id)

    def after(self, row: ResidentRow) -> list[ResidentRow]:
        return page_residents(after=row.id, limit=PAGE, area_id=self.area_id)

    def before(self, row: ResidentRow) -> list[ResidentRow]:
        return page_residents(before=row.id, limit=PAGE, area_id=self.area_id)


class FoundPages:
    """A search's results, best first: the next screenful is added below the last row."""

    grows = True

    def __init__(self, found: list[int]) -> None:
        self.found = found

    def after(self, row: ResidentRow) -> list[ResidentRow]:
        at = self.found.index(row.id) + 1 if row.id in self.found else len(self.found)
        return resident_rows(self.found[at:at + SEARCH_PAGE])

    def first(self) -> list[ResidentRow]:
        return resident_rows(self.found[:SEARCH_PAGE])

    def last(self) -> list[ResidentRow]:
        return []

    def before(self, row: ResidentRow) -> list[ResidentRow]:
        return []


def area_label(name: str, residents: int, households: int, room: int) -> str:
    """An area's line in the tree, never cut inside a number: the counts are kept whole and
    the households dropped, then the name shortened with …, when the tree is narrow."""
    for counts in (f"{residents:,}人/{households:,}户", f"{residents:,}人"):
        if cell_len(name) + 1 + cell_len(counts) <= room:
            return f"{name} {counts}"
    counts = f"{residents:,}人"
    short = name
    while short and cell_len(short) + 2 + cell_len(counts) > room:
        short = short[:-1]
    return f"{short}… {counts}" if short else counts


class ResidentsScreen(SectionScreen):
    TITLE = "居民"
    BINDINGS = keys(
        "slash search 搜索",
        "n new 新增",
        "e edit 编辑",
        "h household 查看户",
        Binding("delete", "delete", "删除"),
        "i import 导入",
        "x export 导出",
        "escape clear_search 清除搜索 hidden",
    )

    def __init__(self) -> None:
        super().__init__()
        self.area_id: int | None = None
        self.searching = False
        self.found: list[int] = []  # ids of the current search, best first
        self.pending_areas: dict[int | None, list[AreaNode]] = {}  # areas not yet in the tree

    def compose_main(self) -> ComposeResult:
        with Horizontal():
            tree: Tree[int | None] = Tree("全镇", id="area-tree", data=None)
            yield tree
            with Vertical(id="resident-pane"):
                yield Input(placeholder="/ 搜索：姓名、拼音首字母(zs)、身份证号或电话任意4位以上、住址",
                            id="resident-search")
                yield from ColumnTable(COLUMNS, _cells, pages=AreaPages(None),
                                       id="resident-table").with_detail()
                yield Static("", id="resident-status")

    def on_mount(self) -> None:
        self.load_tree()
        self.query_one(ColumnTable).focus()

    # --- tree ----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="tree")
    def load_tree(self) -> None:
        nodes = area_tree()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._fill_tree, nodes)

    def _fill_tree(self, nodes: list[AreaNode]) -> None:
        """The communities; each one's compounds, grids and buildings are added when it is
        first opened (a town has thousands, and a Tree builds every node it is given)."""
        tree = self.query_one("#area-tree", Tree)
        tree.clear()
        self.pending_areas = {}
        for node in nodes:
            self.pending_areas.setdefault(node.parent_id, []).append(node)
        total = sum(n.residents for n in self.pending_areas.get(None, []))
        tree.root.set_label(f"全镇 {total:,}人")
        self._add_children(tree.root, None)
        tree.root.expand()

    def _add_children(self, parent: TreeNode[int | None], area_id: int | None) -> None:
        tree = self.query_one("#area-tree", Tree)
        depth = 1
        up = parent
        while up.parent is not None:
            depth, up = depth + 1, up.parent
        # the tree's width, less the guides and the expand icon before the label
        room = tree.scrollable_content_region.width - depth * tree.guide_depth - 3
        for node in self.pending_areas.pop(area_id, []):
            label = Text(area_label(plain_text(node.name), node.residents, node.households, room))
            if node.id in self.pending_areas:
                parent.add(label, data=node.id)
            else:
                parent.add_leaf(label, data=node.id)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[int | None]) -> None:
        if event.node.data is not None and event.node.data in self.pending_areas:
            self._add_children(event.node, event.node.data)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        self.area_id = event.node.data
        self.reload()

    # --- list and search -----------------------------------------------------------------------

    @property
    def rows(self) -> list[ResidentRow]:
        """The residents on the table now."""
        return self.query_one(ColumnTable).items

    def reload(self) -> None:
        query = self.query_one("#resident-search", Input).value
        if query.strip():
            self.run_search(query, self.area_id)
        else:
            first = self.rows[0].id - 1 if self.rows and not self.searching else None
            self.show_page(page_residents(after=first, limit=PAGE, area_id=self.area_id))

    def show_page(self, rows: list[ResidentRow], cursor: int = 0, searched: str = "") -> None:
        self.searching = bool(searched)
        table = self.query_one(ColumnTable)
        table.pages = FoundPages(self.found) if searched else AreaPages(self.area_id)
        table.set_rows(rows, cursor)
        self.show_status(searched)

    def show_status(self, searched: str = "") -> None:
        status = self.query_one("#resident-status", Static)
        if searched:
            more = (f"（仅列出前{SEARCH_LIMIT}人，请输入更多字缩小范围）"
                    if len(self.found) >= SEARCH_LIMIT else "")
            status.update(f"搜索“{escape(searched)}”：找到 {len(self.found)} 人{more}")
        else:
            rows = self.rows
            total = count_residents(self.area_id)
            span = f"{rows[0].id}—{rows[-1].id}" if rows else "无"
            status.update(f"共 {total:,} 人　本页编号 {span}　↑↓ 到页边自动翻页　Ctrl+Home/End 首页/末页")

    def on_column_table_turned(self, event: ColumnTable.Turned) -> None:
        self.show_status()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "resident-search":
            return
        if event.value.strip():
            self.run_search(event.value, self.area_id)
        else:
            self.show_page(page_residents(limit=PAGE, area_id=self.area_id))

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str, area_id: int | None) -> None:
        found = find_residents(query, area_id, limit=SEARCH_LIMIT)
        rows = resident_rows(found[:SEARCH_PAGE])
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_found, found, rows, query.strip())

    def _show_found(self, found: list[int], rows: list[ResidentRow], query: str) -> None:
        self.found = found
        self.show_page(rows, 0, query)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(ColumnTable).focus()

    def on_key(self, event: events.Key) -> None:
        if event.key == "down" and isinstance(self.focused, Input):
            event.stop()
            self.query_one(ColumnTable).focus()

    def action_search(self) -> None:
        self.query_one("#resident-search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#resident-search", Input)
        if search.value:
            search.value = ""
        self.query_one(ColumnTable).focus()

    # --- actions on the chosen resident --------------------------------------------------------

    def selected(self) -> ResidentRow | None:
        return self.query_one(ColumnTable).selected()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    def action_new(self) -> None:
        """A new resident starts a household, which belongs to an area: with 全镇 selected the
        clerk is asked which one (a typo names no area and is refused)."""
        from tui.dialogs.ask import AskText
        from tui.screens.residents.resident_form import ResidentForm

        if self.area_id:
            self.app.push_screen(ResidentForm(area=area_by_id(self.area_id)), self._saved)
            return

        async def chosen(name: str) -> None:
            if not name.strip():
                return
            try:
                area = find_area(name.strip())
            except Invalid as exc:
                self.notify(str(exc), severity="error", timeout=8)
                return
            # awaited: keys typed right after Enter wait for the form's first field
            await self.app.push_screen(ResidentForm(area=area), self._saved)

        self.app.push_screen(AskText("新增居民属于哪个区域？（社区/村、小区或网格的名称）",
                                     then=chosen))

    def action_edit(self) -> None:
        from tui.screens.residents.resident_form import ResidentForm

        row = self.selected()
        if row is not None:
            self.app.push_screen(ResidentForm(resident_by_id(row.id)), self._saved)

    def _saved(self, resident_id: int | None) -> None:
        if resident_id is not None:
            self.notify("已保存")
            self.reload()

    def action_household(self) -> None:
        from tui.screens.residents.household import HouseholdScreen

        row = self.selected()
        if row is not None and row.household_id is not None:
            self.app.push_screen(HouseholdScreen(row.household_id))

    def action_import(self) -> None:
        from tui.dialogs.file_job import FileJobDialog
        from tui.screens.residents.import_jobs import residents_import_job

        area = area_by_id(self.area_id)

        def done(changed: bool | None) -> None:
            if changed:
                self.load_tree()
                self.reload()

        where = f"（表中没有社区的行归入：{area.name}）" if area else ""
        self.app.push_screen(FileJobDialog(
            f"导入居民信息表（.xlsx）{where}", residents_import_job(area),
            dry_run_label="试运行（只检查，不写入）",
            placeholder=r"例如 D:\村报表\桃园村.xlsx"), done)

    def action_export(self) -> None:
        from tui.exporting import export_job

        area = area_by_id(self.area_id)
        export_job(self, "residents", {"area": area}, scope=area.name if area else "")

    def action_delete(self) -> None:
        from tui.dialogs.confirm import ConfirmDialog

        row = self.selected()
        if row is None:
            return

        def done(confirmed: bool | None) -> None:
            if confirmed:
                delete_resident(row.id)
                self.notify(f"已将 {row.name} 移入回收站（F8 可恢复）")
                self.reload()

        self.app.push_screen(ConfirmDialog(f"删除居民 {row.name}（{row.id_number}）？\n"
                                           "删除后可在回收站恢复。", "删除"), done)

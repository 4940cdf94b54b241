"""Reading a table from ``.xlsx`` or ``.csv`` with the row numbers a spreadsheet shows, and
matching its headers to field names in Chinese or English.

Office sheets are rarely a bare table: a title row (often one cell merged across the width) sits
above the header, a value such as the community is merged down a column, headers carry notes
(「手机号（必填）」) and stars. ``read_table(path, fields)`` finds the header row among the first
rows, counts a value merged down a column for every row it spans, and skips rows that are one
cell merged across the table (section titles such as 「第一网格」).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from bot.infra.errors import DomainError, InvalidInput
from bot.infra.masking import clean

HEADER_SCAN_ROWS = 20  # title rows, dates and notes above the header; more than this is no roster


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[object]]]  # (row number as shown, cells)
    header_row: int = 1
    section_rows: list[tuple[int, str]] = field(default_factory=list)  # skipped: one cell merged across


@dataclass
class _Sheet:
    rows: list[tuple[int, list[object]]]
    across: set[tuple[int, int]] = field(default_factory=set)  # (row, column) starting a merge across


def read_table(path: Path, fields: dict[str, tuple[str, ...]] | None = None) -> Table:
    """The table of the file. With ``fields`` the header is the row among the first ones that
    names the most of them (on the first sheet that has one); without, the first non-empty row."""
    if not path.exists():
        raise InvalidInput(f"找不到文件 {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheets = _read_xlsx(path)
    elif suffix in (".csv", ".txt"):
        sheets = [_read_csv(path)]
    elif suffix in (".xls", ".et", ".wps"):
        raise InvalidInput(f"{path.name} 是旧版 Excel/WPS 格式：请在 Excel 或 WPS 里「另存为」.xlsx 后再导入")
    else:
        raise InvalidInput(f"只支持 .xlsx 和 .csv 文件，收到 {path.name}")
    sheets = [s for s in sheets if any(_filled(cells) for _, cells in s.rows)]
    if not sheets:
        raise InvalidInput(f"{path.name} 是空表")
    if fields is None:
        return _split(sheets[0], _first_filled(sheets[0]))
    for sheet in sheets:
        at = _find_header(sheet, fields)
        if at is not None:
            return _split(sheet, at, _aliases(fields))
    names = "、".join(aliases[0] for aliases in fields.values())
    raise InvalidInput(f"{path.name} 里找不到表头：前{HEADER_SCAN_ROWS}行没有一行写着 {names} 中的至少两列")


def _read_xlsx(path: Path) -> list[_Sheet]:
    from openpyxl import load_workbook  # 0.3 s to import; only imports and exports read sheets

    # Not read-only: only a fully loaded sheet knows its merged cells, and a roster is small
    # (20,000 rows load in about 3 s).
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput(f"无法读取 Excel 文件 {path.name}: {err}") from err
    try:
        return [_sheet_of(ws) for ws in wb.worksheets if ws.sheet_state == "visible"]
    finally:
        wb.close()


def _sheet_of(ws) -> _Sheet:
    grid = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
    across: set[tuple[int, int]] = set()
    for merged in ws.merged_cells.ranges:
        top, left = merged.min_row, merged.min_col
        if merged.max_col > left:
            across.add((top, left))
        # a value merged down a column (the community of a block of rows) belongs to every row
        value = grid[top - 1][left - 1] if top <= len(grid) and left <= len(grid[top - 1]) else None
        for r in range(top + 1, min(merged.max_row, len(grid)) + 1):
            cells = grid[r - 1]
            if len(cells) < left:
                cells.extend([None] * (left - len(cells)))
            cells[left - 1] = value
    return _Sheet([(i, cells) for i, cells in enumerate(grid, start=1)], across)


def _read_csv(path: Path) -> _Sheet:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput(f"{path.name} 不是 UTF-8 或 GBK 编码的 CSV")
    reader = csv.reader(io.StringIO(text, newline=""))
    return _Sheet([(i, list(r)) for i, r in enumerate(reader, start=1)])


def _filled(cells: list[object]) -> bool:
    return any(cell_text(c) for c in cells)


def _first_filled(sheet: _Sheet) -> int:
    return next(i for i, (_, cells) in enumerate(sheet.rows) if _filled(cells))


def _find_header(sheet: _Sheet, fields: dict[str, tuple[str, ...]]) -> int | None:
    """Index in ``sheet.rows`` of the row naming the most fields (at least two), among the first
    non-empty ones; the first such row when several tie."""
    lookup = _aliases(fields)
    best, best_score, seen = None, 1, 0
    for index, (_, cells) in enumerate(sheet.rows):
        if not _filled(cells):
            continue
        seen += 1
        if seen > HEADER_SCAN_ROWS:
            break
        score = len({hit[0] for c in cells if (hit := _lookup(lookup, cell_text(c)))})
        if score > best_score:
            best, best_score = index, score
    return best


def _split(sheet: _Sheet, at: int, lookup: dict[str, tuple[str, int]] | None = None) -> Table:
    header_row, header = sheet.rows[at]
    headers = [cell_text(h) for h in header]
    rest = sheet.rows[at + 1:]
    if lookup is not None:
        following = next((i for i, (_, cells) in enumerate(rest) if _filled(cells)), None)
        if following is not None and _is_subheader(headers, rest[following][1], lookup):
            # 「联系方式」 over 「手机」「座机」: the lower row names the columns it splits
            lower = [cell_text(c) for c in rest[following][1]]
            lower += [""] * (len(headers) - len(lower))
            headers += [""] * (len(lower) - len(headers))
            headers = [b if _lookup(lookup, b) else (a or b) for a, b in zip(headers, lower, strict=True)]
            header_row = rest[following][0]
            rest = rest[following + 1:]
    body: list[tuple[int, list[object]]] = []
    sections: list[tuple[int, str]] = []
    for number, cells in rest:
        filled = [i for i, c in enumerate(cells) if cell_text(c)]
        if not filled:
            continue
        if len(filled) == 1 and (number, filled[0] + 1) in sheet.across:
            sections.append((number, cell_text(cells[filled[0]])))
            continue
        if [cell_text(c) for c in cells[: len(headers)]] == headers:
            continue  # the header again (sheets pasted one under another, print titles)
        body.append((number, cells))
    return Table(headers, body, header_row, sections)


def _is_subheader(headers: list[str], cells: list[object], lookup: dict[str, tuple[str, int]]) -> bool:
    """The second row of a two-row header: under every column the header names it is empty,
    repeats the header (merged down) or is a header itself, and it names at least one."""
    named = 0
    for index, value in enumerate(cell_text(c) for c in cells):
        above = headers[index] if index < len(headers) else ""
        if _lookup(lookup, value) or (value and value == above):
            named += 1
        elif value and _lookup(lookup, above):
            return False
    return named > 0


# besides the invisible and direction marks ``masking.clean`` drops everywhere, a cell may hold
# control characters (a NUL from a broken export) that PostgreSQL refuses to store
_CONTROL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def cell_text(value: object) -> str:
    """A cell as the text a person sees: 13800000000.0 read from Excel is 13800000000; spaces
    around it and invisible characters are not part of it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return clean(str(value)).translate(_CONTROL).strip()


def header_key(text: str) -> str:
    """「 手机号码 」, 「*手机号」, 「手机号：」 and 「ＰＨＯＮＥ」 are the same header."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()
    return key.strip("*★☆※:：")


def _aliases(fields: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, int]]:
    """Header key → (field, rank of the spelling: 0 is the field's own name)."""
    table: dict[str, tuple[str, int]] = {}
    for name, aliases in fields.items():
        for rank, alias in enumerate(aliases):
            table.setdefault(header_key(alias), (name, rank))
    return table


def _lookup(table: dict[str, tuple[str, int]], header: str) -> tuple[str, int] | None:
    key = header_key(header)
    if not key:
        return None
    if key in table:
        return table[key]
    # a note in brackets: 「手机号（必填）」「单位(全称)」「楼栋【必填】」
    bare = re.sub(r"\(.*?\)|\[.*?\]|【.*?】|〔.*?〕", "", key)
    return table.get(bare) if bare and bare != key else None


@dataclass
class Columns:
    """Which column holds each field, the header as the sheet writes it, and the columns left
    unread (as their headers read, or 「F列（无表头）」 for a column of data without one)."""

    index: dict[str, int]
    labels: dict[str, str]
    ignored: list[str]

    def label(self, name: str, fields: dict[str, tuple[str, ...]]) -> str:
        return self.labels.get(name) or fields[name][0]


def match_columns(table: Table, fields: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Columns:
    """Field name → column; when two columns name one field the closer spelling wins (手机号 over
    联系电话) and the other is ignored. Raises naming every required column that is missing."""
    from openpyxl.utils import get_column_letter  # as above: loaded with the first sheet

    lookup = _aliases(fields)
    chosen: dict[str, tuple[int, int]] = {}  # field → (rank, column)
    for index, header in enumerate(table.headers):
        hit = _lookup(lookup, header)
        if hit and (hit[0] not in chosen or hit[1] < chosen[hit[0]][0]):
            chosen[hit[0]] = (hit[1], index)
    missing = [fields[f][0] for f in required if f not in chosen]
    if missing:
        unknown = [h for h in table.headers if h and not _lookup(lookup, h)]
        hint = f"（表头里没认出的列：{'、'.join(unknown[:10])}）" if unknown else ""
        raise InvalidInput(f"第{table.header_row}行（表头）缺少列：{'、'.join(missing)}{hint}")
    index = {name: column for name, (_, column) in chosen.items()}
    used = set(index.values())
    width = max([len(table.headers)] + [len(cells) for _, cells in table.rows])
    ignored = []
    for column in range(width):
        if column in used:
            continue
        header = table.headers[column] if column < len(table.headers) else ""
        if header:
            ignored.append(header)
        elif any(column < len(cells) and cell_text(cells[column]) for _, cells in table.rows):
            ignored.append(f"{get_column_letter(column + 1)}列（无表头）")
    return Columns(index, {name: _label(table.headers[column]) for name, column in index.items()}, ignored)


def _label(header: str) -> str:
    """A header as errors name it: 「*手机号（必填）」 is 手机号, 「社区（村）」 stays."""
    text = re.sub(r"[(（\[【][^)）\]】]*(?:必填|选填|必须|可选|可不填)[^)）\]】]*[)）\]】]", "", header)
    return " ".join(text.split()).strip("*★☆※:： ") or header


def match_headers(
    headers: list[str], fields: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> dict[str, int]:
    """Field name → column index of a header in row 1; raises naming every required column missing."""
    return match_columns(Table(headers, []), fields, required).index


@dataclass
class RowError:
    """A bad row, numbered as the spreadsheet shows it; ``column`` is the header as the sheet
    writes it when the problem is one cell's (「第2行 单位：…」)."""

    row: int
    reason: str
    column: str = ""

    def __str__(self) -> str:
        if self.column:
            return f"第{self.row}行 {self.column}：{self.reason}"
        return f"第{self.row}行：{self.reason}"


class RowsRejected(DomainError):
    """Some rows are bad: all of them are listed, and nothing was written."""

    what = "表格"

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        rows = len({e.row for e in errors})
        super().__init__(f"{self.what}有 {rows} 行错误，未导入任何数据")

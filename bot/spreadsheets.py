"""Reading a table from ``.xlsx`` or ``.csv`` with the row numbers a spreadsheet shows
(header = row 1), and matching its headers to field names in Chinese or English."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from .errors import DomainError, InvalidInput
from .masking import clean


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[object]]]  # (row number as shown, cells)


def read_table(path: Path) -> Table:
    if not path.exists():
        raise InvalidInput(f"找不到文件 {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    raise InvalidInput(f"只支持 .xlsx 和 .csv 文件，收到 {path.name}")


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput(f"无法读取 Excel 文件 {path.name}: {err}") from err
    try:
        sheet = wb.worksheets[0]
        rows = [(i, list(r)) for i, r in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        wb.close()
    return _split(rows, path)


def _read_csv(path: Path) -> Table:
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
    return _split([(i, list(r)) for i, r in enumerate(reader, start=1)], path)


def _split(rows: list[tuple[int, list[object]]], path: Path) -> Table:
    rows = [(n, cells) for n, cells in rows if any(cell_text(c) for c in cells)]
    if not rows:
        raise InvalidInput(f"{path.name} 是空表")
    (_, header), *body = rows
    return Table([cell_text(h) for h in header], body)


def cell_text(value: object) -> str:
    """A cell as the text a person sees: 13800000000.0 read from Excel is 13800000000."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return clean(str(value)).strip()  # a zero-width space pasted into a name is not part of it


def match_headers(
    headers: list[str], fields: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> dict[str, int]:
    """Field name → column index; raises naming every required column that is missing."""
    wanted = {alias.lower(): field for field, aliases in fields.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        field = wanted.get(header.strip().lower())
        if field and field not in found:
            found[field] = index
    missing = [fields[f][0] for f in required if f not in found]
    if missing:
        raise InvalidInput(f"第1行（表头）缺少列：{'、'.join(missing)}")
    return found


@dataclass
class RowError:
    """A bad row, numbered as the spreadsheet shows it (the header is row 1)."""

    row: int
    reason: str

    def __str__(self) -> str:
        return f"第{self.row}行：{self.reason}"


class RowsRejected(DomainError):
    """Some rows are bad: all of them are listed, and nothing was written."""

    what = "表格"

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{self.what}有 {len(errors)} 行错误，未导入任何数据")

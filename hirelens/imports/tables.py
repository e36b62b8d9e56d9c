"""Reading CSV (UTF-8 or GBK/GB18030) and XLSX (including merged header cells) into rows of text."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ROWS = 50_000
MAX_COLUMNS = 100
MAX_XLSX_EXPANDED = 200 * 1024 * 1024


@dataclass
class Table:
    kind: str
    encoding: str
    headers: list[str]
    rows: list[list]  # data rows, values as str (or date/datetime from XLSX)
    first_row: int  # spreadsheet row number of rows[0], for the report


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), ("gbk" if encoding == "gb18030" else "utf-8")
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV。"), code="encoding")


def read_csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = [row for row in reader]
    except csv.Error:
        raise ValidationError(_("CSV 文件格式错误，无法读取。"), code="corrupt") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ValidationError(_("文件中没有数据。"), code="empty")
    return Table(kind="csv", encoding=encoding, headers=[h.strip() for h in rows[0]], rows=rows[1 : MAX_ROWS + 2], first_row=2)


def read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(i.file_size for i in archive.infolist()) > MAX_XLSX_EXPANDED:
            raise ValidationError(_("XLSX 文件解压后异常巨大，已拒绝。"), code="zip_bomb")
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many types for broken files
        raise ValidationError(_("XLSX 文件已损坏，无法读取。"), code="corrupt") from None
    sheet = workbook.worksheets[0]
    merged = list(sheet.merged_cells.ranges)
    header_rows = 2 if any(r.min_row == 1 and (r.max_col > r.min_col or r.max_row > 1) for r in merged) else 1
    grid = [list(row) for row in sheet.iter_rows(values_only=True, max_col=min(sheet.max_column or 1, MAX_COLUMNS))]
    for rng in merged:  # a merged cell's value belongs to every cell it covers
        value = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(grid) else None
        for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
            for c in range(rng.min_col - 1, min(rng.max_col, len(grid[r]))):
                grid[r][c] = value
    if not grid:
        raise ValidationError(_("文件中没有数据。"), code="empty")
    width = max(len(row) for row in grid[:header_rows])
    headers = []
    for c in range(width):
        parts = []
        for r in range(min(header_rows, len(grid))):
            value = grid[r][c] if c < len(grid[r]) else None
            text = str(value).strip() if value is not None else ""
            if text and text not in parts:
                parts.append(text)
        headers.append("/".join(parts))
    while headers and not headers[-1]:
        headers.pop()
    rows = [list(row) for row in grid[header_rows:] if any(v not in (None, "") for v in row)]
    return Table(kind="xlsx", encoding="", headers=headers, rows=rows[: MAX_ROWS + 1], first_row=header_rows + 1)


def read_table(data: bytes) -> Table:
    if not data:
        raise ValidationError(_("文件是空的（0 字节）。"), code="empty")
    if data.startswith(b"PK\x03\x04"):
        table = read_xlsx(data)
    elif data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0")):
        raise ValidationError(_("不支持的文件类型：请上传 CSV 或 XLSX（旧版 .xls 请另存为 .xlsx）。"), code="type")
    else:
        table = read_csv(data)
    if len(table.rows) > MAX_ROWS:
        raise ValidationError(_("一次最多导入 %(n)s 行。") % {"n": MAX_ROWS}, code="too_many")
    if not any(table.headers):
        raise ValidationError(_("第一行应为表头。"), code="headers")
    return table

"""Any table as a file people open in Excel: .csv (UTF-8 with BOM) and .xlsx, both inert.

A cell that starts with = + - @, a tab or a carriage return is a formula to a spreadsheet
("formula injection": a note "=HYPERLINK(…)" typed by one user runs on another's machine). In
CSV such a text gets an apostrophe in front; in .xlsx it is written as text, never as a formula,
with Excel's own quote prefix, so it shows as typed and stays text when edited. Numbers stay
numbers.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")
MAX_SHEET_TITLE = 31


@dataclass(frozen=True)
class Column:
    title: str
    width: float = 14


@dataclass
class Table:
    """Rows of plain cells (text, numbers, dates, None) under titled columns."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[object]]


def is_dangerous(text: str) -> bool:
    return text.startswith(DANGEROUS)


def neutralise(value: object) -> object:
    """A cell for CSV: a text that a spreadsheet would run gets an apostrophe in front."""
    if isinstance(value, str) and is_dangerous(value):
        return "'" + value
    return value


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(value if isinstance(value, int | float) else str(value))


def csv_chunks(table: Table) -> Iterator[str]:
    """The table as CSV text in chunks, the first one starting with the BOM Excel looks for."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([neutralise(c.title) for c in table.columns])
    for count, row in enumerate(table.rows, start=1):
        writer.writerow([_csv_cell(v) for v in row])
        if count % 2000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def text_cell(sheet, value: str, **style) -> WriteOnlyCell:
    """A cell that holds text whatever it starts with: never a formula."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    if is_dangerous(value):
        cell.quotePrefix = True
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def cell_for(sheet, value: object, **style) -> object:
    """A write-only cell for any value: text as text, numbers and dates as they are."""
    if isinstance(value, str):
        return text_cell(sheet, value, **style)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if not style:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def sheet_title(text: str) -> str:
    """A name Excel accepts for a sheet: at most 31 characters, none of []:*?/\\."""
    cleaned = " ".join("".join(" " if ch in "[]:*?/\\" else ch for ch in text).split()).strip("'")
    return (cleaned or "Sheet")[:MAX_SHEET_TITLE]


def xlsx_bytes(table: Table) -> bytes:
    """The table as an .xlsx workbook of one sheet: bold frozen header, sensible widths."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(table.title))
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([text_cell(sheet, c.title, font=HEADER_FONT, fill=HEADER_FILL) for c in table.columns])
    for row in table.rows:
        sheet.append([cell_for(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_name(stem: str, format: str) -> str:
    """An ASCII-safe download name with today's date: "gia-tri-2026-11-21.xlsx"."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in stem).strip("-") or "export"
    return f"{safe}-{datetime.date.today().isoformat()}.{format}"


def response(table: Table, *, format: str, stem: str) -> HttpResponse | StreamingHttpResponse:
    """The table as a download: CSV streams row by row, .xlsx is built whole (write-only)."""
    headers = {"Content-Disposition": f'attachment; filename="{file_name(stem, format)}"'}
    if format == "xlsx":
        return HttpResponse(xlsx_bytes(table), content_type=CONTENT_TYPES["xlsx"], headers=headers)
    return StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in csv_chunks(table)),
        content_type=CONTENT_TYPES["csv"],
        headers=headers,
    )

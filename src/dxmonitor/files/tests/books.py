"""Workbooks as an officer edits them in Excel, made with openpyxl."""

import io

import openpyxl


def open_book(data: bytes, **options) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data), **options)


def save_book(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row_of(sheet, code: str, unit_code: str | None = None) -> int:
    """The row of an indicator (of a unit) in a template's data sheet."""
    for row in range(3, sheet.max_row + 1):
        if sheet.cell(row, 3).value == code and (unit_code is None or sheet.cell(row, 1).value == unit_code):
            return row
    raise AssertionError(f"{code} not in the template")


def fill(data: bytes, figures: dict[str, object], *, column: str = "G") -> bytes:
    """The template with figures typed into a column, by indicator code."""
    book = open_book(data)
    sheet = book["Số liệu"]
    for code, figure in figures.items():
        sheet[f"{column}{row_of(sheet, code)}"] = figure
    return save_book(book)

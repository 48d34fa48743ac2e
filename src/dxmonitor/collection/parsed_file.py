"""What reading a file found: its values (read lazily), and every problem at its sheet, row and column.

Every format (xlsx, CSV, and the formats added later) hands the import the same `ParsedFile`;
the import turns the problems of the file and the rejections of the values into one report.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from .bulk import RawValue

MAX_PROBLEMS = 1000


@dataclass(frozen=True)
class FileProblem:
    """One thing wrong in a file, where an officer finds it: sheet, row, column."""

    message_en: str
    message_vi: str
    sheet: str = ""
    row: int | None = None
    column: str = ""  # a letter ("G"), or a range for merged cells ("A5:B6")
    header: str = ""  # the column's header as the file names it
    field: str = ""

    @property
    def cell(self) -> str:
        """The place within the sheet: "G12", "A5:B6" (merged cells), or the row alone."""
        if self.column and ":" in self.column:
            return self.column
        if self.column and self.row:
            return f"{self.column}{self.row}"
        return str(self.row) if self.row else self.column

    @property
    def ref(self) -> str:
        """The place in Excel's notation: "Số liệu!G12"; "G12" in a file without sheets (CSV)."""
        place = self.cell
        if self.sheet and place:
            return f"{self.sheet}!{place}"
        return self.sheet or place

    def message(self, language: str) -> str:
        return self.message_en if language.startswith("en") else self.message_vi

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "field": self.field,
            "ref": self.ref,
            "message": self.message_en,
            "message_en": self.message_en,
            "message_vi": self.message_vi,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "FileProblem":
        return cls(
            message_en=data.get("message_en", ""),
            message_vi=data.get("message_vi", ""),
            sheet=data.get("sheet", ""),
            row=data.get("row"),
            column=data.get("column", ""),
            header=data.get("header", ""),
            field=data.get("field", ""),
        )


@dataclass
class ParsedFile:
    """A file as a reader understood it. `values` is a generator: problems it meets while
    reading are appended to `problems`, so the report is complete only once it is exhausted."""

    format: str
    values: Iterator[RawValue]
    problems: list[FileProblem] = field(default_factory=list)
    sheet: str = ""
    # Where each field's column is ("value" → ("G", "Giá trị")), to place value rejections.
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)
    dataset: str = ""  # the data set and period a template records, checked by the import
    period: str = ""
    rows_skipped: int = 0  # blank rows, and template rows left empty

    def problem(self, message_en: str, message_vi: str, *, row: int | None = None, field: str = "") -> None:
        column, header = self.columns.get(field, ("", ""))
        self.problems.append(FileProblem(message_en, message_vi, self.sheet, row, column, header, field))


def place_rejection(parsed: ParsedFile, *, row: int | None, field: str, en: str, vi: str) -> FileProblem:
    """A value the import refused, at the cell of the field it is about."""
    key = {"unit": "unit_code"}.get(field, field)
    column, header = parsed.columns.get(key, ("", ""))
    return FileProblem(en, vi, parsed.sheet, row, column, header, field)

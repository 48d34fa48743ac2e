"""Reading a CSV upload: UTF-8 with or without BOM, or UTF-16 as Excel saves "Unicode text" (tab
separated); commas, semicolons (Vietnamese Excel) or tabs; a first line "sep=;" is obeyed."""

import csv
import io
from collections.abc import Iterator

from dxmonitor.collection.parsed_file import ParsedFile
from dxmonitor.common.tables import DELIMITERS, decode
from dxmonitor.common.text import nfc

from . import tabular


def read_csv(data: bytes) -> ParsedFile:
    text = nfc(decode(data)).lstrip("\ufeff")
    first_line = text.split("\n", 1)[0].strip("\r")
    offset = 0
    if first_line.lower().startswith("sep=") and len(first_line) == 5:
        delimiter, offset = first_line[4], 1
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delimiter = max(DELIMITERS, key=first_line.count) if first_line else ","
    parsed = ParsedFile(format="csv", values=iter(()))
    rows = _rows(text, delimiter, offset, parsed)
    head = [r for r in (next(rows, None) for _ in range(tabular.HEADER_SEARCH_ROWS)) if r is not None]
    header = tabular.find_header(head, parsed)
    if header is None:
        return parsed

    def stream() -> Iterator[tuple[int, list]]:
        yield from head
        yield from rows

    parsed.values = tabular.values(stream(), header=header, parsed=parsed)
    return parsed


def _rows(text: str, delimiter: str, offset: int, parsed: ParsedFile) -> Iterator[tuple[int, list]]:
    """(line where the record starts, cells); a record may span lines inside quotes.

    A quote that is never closed makes Python's lenient reader take the rest of the file as one
    cell, silently: only the last record can do that, so it is held back and read again strictly
    before it is given, and reported at its line if its quote never closes."""
    lines = io.StringIO(text).readlines()  # split at \n only, as the reader would
    reader = csv.reader(lines, delimiter=delimiter)
    start = 1
    held: tuple[int, list] | None = None
    try:
        for cells in reader:
            if held is not None:
                yield held[0] + offset, held[1]
            held = (start, cells)
            start = reader.line_num + 1
    except csv.Error as exc:
        if held is not None:
            yield held[0] + offset, held[1]
        parsed.problem(
            f"the file is not a readable table from here on ({exc})",
            f"Từ dòng này tệp không còn là bảng đọc được ({exc})",
            row=start + offset,
        )
        return
    if held is None:
        return
    first, cells = held
    if first < len(lines) and _unclosed(lines[first - 1 :], delimiter):
        last = len(lines) + offset
        parsed.problem(
            f'a quote (") opened on this line is never closed, so lines {first + offset}–{last} '
            "would read as one cell; close the quote or remove it",
            f'Dấu ngoặc kép (") mở ở dòng này không được đóng, nên các dòng {first + offset}–{last} '
            "sẽ bị đọc thành một ô; hãy đóng hoặc xoá dấu ngoặc kép",
            row=first + offset,
        )
        return
    yield first + offset, cells


def _unclosed(lines: list[str], delimiter: str) -> bool:
    """Whether the record these lines start ends inside an open quote."""
    try:
        for _ in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False

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
    """(line where the record starts, cells); a record may span lines inside quotes."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start + offset, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        parsed.problem(
            f"the file is not a readable table from here on ({exc})",
            f"Từ dòng này tệp không còn là bảng đọc được ({exc})",
            row=start + offset,
        )

"""Read the tables officials save from Excel: CSV in UTF-8 (with or without BOM), UTF-16 as
Excel writes "Unicode text", separated by commas, semicolons (Vietnamese Excel) or tabs."""

import codecs
import csv
import io

from .errors import DomainError
from .text import nfc

DELIMITERS = ",;\t"


def decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DomainError(
            "the file is not text in UTF-8 or UTF-16; save it from Excel as CSV UTF-8 or Unicode text",
            "Tệp không phải văn bản UTF-8 hay UTF-16; hãy lưu từ Excel dạng CSV UTF-8 hoặc Unicode Text",
            field="file",
        ) from exc


def read_rows(data: bytes | str) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs with lower-cased headers; blank rows are skipped."""
    text = nfc(decode(data) if isinstance(data, bytes) else data).lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise DomainError("the file is empty", "Tệp không có dữ liệu", field="file")
    names = [h.strip().lower() for h in header]
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        rows.append(
            (number, {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(names)})
        )
    return rows

"""Which reader reads a file, told by its bytes: the one place a new import format is added.

Each format says whether bytes are its own (`sniff`) and turns them into a `ParsedFile` (`read`).
The first format whose sniff answers yes reads the file; a file no format claims is refused.
"""

from collections.abc import Callable
from dataclasses import dataclass

from dxmonitor.collection.parsed_file import ParsedFile
from dxmonitor.collection.payload_files import is_dhis2_csv, is_json_values, read_dhis2_csv, read_json_values
from dxmonitor.common.errors import DomainError

from .delimited import read_csv
from .sniff import CSV, XLSX, check_size, is_text, is_zip, refuse_foreign, unrecognised

KNOWN = "xlsx, csv, json (ours or DHIS2 dataValueSets), DHIS2 csv"


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    sniff: Callable[[bytes], bool]
    read: Callable[[bytes], ParsedFile]


def _read_xlsx(data: bytes) -> ParsedFile:
    from .xlsx import read_xlsx  # openpyxl loads only when a workbook comes

    return read_xlsx(data)


# In order: the first that recognises the bytes reads them. Text formats come last.
FORMATS: list[Format] = [
    Format(XLSX, "Excel (.xlsx)", is_zip, _read_xlsx),
    # The bulk API's formats (files for `dxmonitor import`), before the plain CSV that would claim them.
    Format("json", "JSON (values, or DHIS2 dataValueSets)", is_json_values, read_json_values),
    Format("dhis2-csv", "DHIS2 CSV", is_dhis2_csv, read_dhis2_csv),
    Format(CSV, "CSV", is_text, read_csv),
]


def detect(data: bytes) -> Format:
    check_size(len(data))
    refuse_foreign(data)
    for found in FORMATS:
        if found.sniff(data):
            return found
    raise unrecognised(data)


def read_file(data: bytes, *, format: str | None = None) -> ParsedFile:
    """Read a file of values; `format` forces a reader, otherwise the bytes choose it."""
    if format:
        chosen = next((f for f in FORMATS if f.name == format), None)
        if chosen is None:
            raise DomainError(
                f"unknown format {format!r}; known: {', '.join(f.name for f in FORMATS)}",
                f"Định dạng {format!r} không được hỗ trợ; hỗ trợ: {', '.join(f.name for f in FORMATS)}",
                field="format",
            )
        check_size(len(data))
        refuse_foreign(data)
        if not chosen.sniff(data):
            raise unrecognised(data)
        return chosen.read(data)
    return detect(data).read(data)

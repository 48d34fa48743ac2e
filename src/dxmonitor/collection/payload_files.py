"""Files in the bulk API's formats: our JSON (`{"values": [...]}`), DHIS2 dataValueSets JSON and
DHIS2 CSV with its header, read by the bulk API's own readers for `dxmonitor import`.

A file is all or nothing like every file: an unmapped DHIS2 data element or organisation unit is
a problem of the file (at the value's position, from 1), where the API would report a conflict
and keep the rest.
"""

import io
from collections.abc import Iterable, Iterator

from dxmonitor.common.bounded_json import JsonTooComplex
from dxmonitor.common.errors import DomainError

from .bulk import BulkSummary, RawValue
from .dhis2 import Dhis2Csv, Dhis2Json
from .parsed_file import ParsedFile
from .payloads import FORMAT_DHIS2_CSV, FORMAT_OURS, OurJson, sniff_json

JSON_FORMAT = "json"


def is_json_values(data: bytes) -> bool:
    """A JSON object with a "values" or DHIS2 "dataValues" array."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"{"):
        return False
    try:
        sniff_json(lambda: io.BytesIO(data))
    except JsonTooComplex:
        return True  # ours to refuse, with the limit, when it is read
    except DomainError:
        return False
    return True


def is_dhis2_csv(data: bytes) -> bool:
    """DHIS2's CSV, known by its header row (without one, name the format: --format dhis2-csv)."""
    first = data[:200].lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip().lower()
    return first.startswith(b"dataelement,") or first.startswith(b'"dataelement",')


def _parsed(fmt: str, reader: Iterable[RawValue], report: BulkSummary) -> ParsedFile:
    parsed = ParsedFile(format=fmt, values=iter(()))

    def values() -> Iterator[RawValue]:
        shown = 0
        for raw in reader:
            shown = _problems(parsed, report, shown)
            # Positions from 1, as a person counts the values of a file.
            raw.row = (raw.row or 0) + 1
            yield raw
        _problems(parsed, report, shown)

    parsed.values = values()
    return parsed


def _problems(parsed: ParsedFile, report: BulkSummary, shown: int) -> int:
    for rejection in report.rejections[shown:]:
        row = rejection.row + 1 if rejection.row is not None else None
        parsed.problem(rejection.message_en, rejection.message_vi, row=row, field=rejection.field)
    return len(report.rejections)


def read_json_values(data: bytes) -> ParsedFile:
    def opener() -> io.BytesIO:
        return io.BytesIO(data)

    fmt, envelope = sniff_json(opener)
    report = BulkSummary()
    if fmt == FORMAT_OURS:
        return _parsed(JSON_FORMAT, OurJson(opener, report=report), report)
    return _parsed(fmt, Dhis2Json(opener, envelope=envelope, report=report), report)


def read_dhis2_csv(data: bytes) -> ParsedFile:
    report = BulkSummary()
    return _parsed(FORMAT_DHIS2_CSV, Dhis2Csv(lambda: io.BytesIO(data), report=report), report)

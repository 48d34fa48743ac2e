"""DHIS2 data values written out: JSON, CSV, DHIS2's XML (DXF2) and ADX, streamed piece by piece.

ADX (the IHE aggregate data exchange profile) groups values by organisation unit and period,
the period written as its first day and an ISO 8601 duration (`2024-07-01/P3M`).
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import quoteattr

from django.utils import timezone

from .periods import MONTH, QUARTER, YEAR, parse_period

DXF_NS = "http://dhis2.org/schema/dxf/2.0"
ADX_NS = "urn:ihe:qrph:adx:2015"
CSV_HEADER = (
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
)
MEDIA = {
    "json": "application/json",
    "csv": "application/csv; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
    "adx": "application/adx+xml; charset=utf-8",
}
_DURATION = {YEAR: "P1Y", QUARTER: "P3M", MONTH: "P1M"}


def write_json(rows: Iterable[dict], *, data_set: str = "") -> Iterator[str]:
    yield "{" + (f'"dataSet": {json.dumps(data_set)}, ' if data_set else "") + '"dataValues": ['
    for number, row in enumerate(rows):
        yield ("," if number else "") + json.dumps(row, ensure_ascii=False)
    yield "]}"


def write_csv(rows: Iterable[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(CSV_HEADER)
    for number, row in enumerate(rows, start=1):
        out.writerow(
            [
                row["dataElement"],
                row["period"],
                row["orgUnit"],
                row["categoryOptionCombo"],
                row["attributeOptionCombo"],
                row["value"],
                row["storedBy"],
                row["lastUpdated"],
                row["comment"],
                "true" if row["followup"] else "false",
                "",
            ]
        )
        if number % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _attributes(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f" {name}={quoteattr(text)}" for name, text in pairs if text != "")


def write_xml(rows: Iterable[dict], *, data_set: str = "") -> Iterator[str]:
    head = _attributes([("dataSet", data_set)])
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<dataValueSet xmlns="{DXF_NS}"{head}>\n'
    for row in rows:
        pairs = [
            (name, "true" if value is True else "false" if value is False else str(value))
            for name, value in row.items()
        ]
        yield f"  <dataValue{_attributes(pairs)}/>\n"
    yield "</dataValueSet>\n"


def adx_period(code: str) -> str:
    """`2024Q3` → `2024-07-01/P3M`."""
    period = parse_period(code)
    assert period.start is not None
    return f"{period.start.isoformat()}/{_DURATION[period.type]}"


def _adx_disaggregation(combo: str) -> list[tuple[str, str]]:
    """A combo written as ADX disaggregation (`SEX=F;AGE=15-49`) becomes its attributes."""
    pairs = []
    for part in combo.split(";"):
        name, _, option = part.partition("=")
        if name.strip() and option.strip():
            pairs.append((name.strip(), option.strip()))
    return pairs


def write_adx(rows: Iterable[dict], *, data_set: str = "") -> Iterator[str]:
    exported = timezone.now().isoformat(timespec="seconds")
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<adx xmlns="{ADX_NS}" exported={quoteattr(exported)}>\n'
    group: tuple[str, str] | None = None
    for row in rows:
        key = (row["orgUnit"], row["period"])
        if key != group:
            if group is not None:
                yield "  </group>\n"
            group = key
            pairs = [
                ("orgUnit", row["orgUnit"]),
                ("period", adx_period(row["period"])),
                ("dataSet", data_set or "dxmonitor"),
            ]
            yield f"  <group{_attributes(pairs)}>\n"
        pairs = [
            ("dataElement", row["dataElement"]),
            *_adx_disaggregation(row["categoryOptionCombo"]),
            ("value", row["value"]),
        ]
        yield f"    <dataValue{_attributes(pairs)}/>\n"
    if group is not None:
        yield "  </group>\n"
    yield "</adx>\n"


def write(fmt: str, rows: Iterable[dict], *, data_set: str = "") -> Iterator[str]:
    if fmt == "csv":
        return write_csv(rows)
    if fmt == "xml":
        return write_xml(rows, data_set=data_set)
    if fmt == "adx":
        return write_adx(rows, data_set=data_set)
    return write_json(rows, data_set=data_set)

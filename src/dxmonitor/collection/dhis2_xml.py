"""DHIS2's XML data value sets (DXF2) and ADX (the IHE aggregate data exchange profile) read in.

Both are read as a stream (lxml's iterparse, each element dropped once read), so a large payload
never sits in memory. Parsing is closed to the usual XML attacks: a document type declaration is
refused before parsing starts (no entities, no external references, no expansion), the network is
never reached, and the body's size is already bounded by DXM_MAX_PAYLOAD_MB.

DXF2: `<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet period orgUnit>` with
`<dataValue dataElement period orgUnit categoryOptionCombo value comment deleted/>` children.
ADX: `<adx xmlns="urn:ihe:qrph:adx:2015">` with `<group orgUnit period dataSet>` holding
`<dataValue dataElement value …/>`; the period is a first day and a duration (`2024-07-01/P3M`),
and a data value's other attributes are its disaggregation, matched against a mapping's category
option combo written `NAME=OPTION;NAME=OPTION` (names in alphabetical order).
"""

import datetime
import re
from collections.abc import Iterator
from typing import IO

from lxml import etree

from dxmonitor.common.errors import DomainError

from .bulk import BulkSummary, RawValue
from .dhis2 import DataValue, Dhis2Values, _flag, _text
from .payloads import Opener

PROLOG_BYTES = 64 * 1024
DXF_ROOT, ADX_ROOT = "dataValueSet", "adx"
_ADX_PERIOD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})/P(\d+)([YMWD])$")
_ADX_OWN = {"dataElement", "value"}


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def not_xml(detail: str) -> DomainError:
    return DomainError(
        f"the payload is not well-formed XML: {detail[:200]}",
        f"Dữ liệu gửi lên không phải XML hợp lệ: {detail[:200]}",
        field="body",
    )


def check_prolog(stream: IO[bytes]) -> None:
    """Refuse a document type declaration (entities, external references) before parsing."""
    head = stream.read(PROLOG_BYTES)
    found = re.search(rb"<[A-Za-z_]", head)
    prolog = head[: found.start()] if found else head
    if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper():
        raise DomainError(
            "XML with a document type declaration (DOCTYPE, entities) is refused",
            "Không nhận XML có khai báo DOCTYPE hoặc thực thể (entity)",
            field="body",
        )
    if found is None and len(head) == PROLOG_BYTES:
        raise not_xml("no element in the first 64 KB")


def _events(opener: Opener) -> Iterator[tuple[str, etree._Element]]:
    with opener() as stream:
        check_prolog(stream)
        stream.seek(0)
        parser = etree.iterparse(
            stream,
            events=("start", "end"),
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            for event, element in parser:
                if event == "start" and element.getparent() is None and element.getroottree().docinfo.doctype:
                    raise not_xml("a document type declaration")
                yield event, element
        except etree.XMLSyntaxError as exc:
            raise not_xml(str(exc)) from exc


def sniff_xml(opener: Opener) -> str:
    """`dataValueSet` (DHIS2's XML) or `adx`: the root element's name."""
    for _event, element in _events(opener):
        root = _local(element.tag)
        if root in (DXF_ROOT, ADX_ROOT):
            return root
        raise DomainError(
            f"the XML root must be <dataValueSet> (DHIS2) or <adx> (ADX), not <{root}>",
            f"Gốc của XML phải là <dataValueSet> (DHIS2) hoặc <adx> (ADX), không phải <{root}>",
            field="body",
        )
    raise not_xml("the document is empty")


def _drop(element: etree._Element) -> None:
    """Forget an element once read, and the siblings before it, so memory stays flat."""
    element.clear()
    while element.getprevious() is not None:
        del element.getparent()[0]


def adx_period(text: str) -> str:
    """`2024-01-01/P1Y` → `2024`, `2024-07-01/P3M` → `2024Q3`, `2024-09-01/P1M` → `202409`;
    any other period is given back as it came, for the period check to refuse."""
    found = _ADX_PERIOD.match(text.strip())
    if not found:
        return text.strip()[:40]
    year, month, day, count, unit = found.groups()
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return text.strip()[:40]
    if day == "01":
        if unit == "Y" and count == "1" and month == "01":
            return year
        if unit == "M" and count == "3" and month in ("01", "04", "07", "10"):
            return f"{year}Q{(int(month) - 1) // 3 + 1}"
        if unit == "M" and count == "1":
            return f"{year}{month}"
    return text.strip()[:40]


class XmlValues:
    """DHIS2 XML or ADX → `RawValue`s, through the mappings like DHIS2 JSON."""

    def __init__(
        self, opener: Opener, *, report: BulkSummary, root: str, strategy: str = "CREATE_AND_UPDATE"
    ) -> None:
        self.opener = opener
        self.root = root
        self.values = Dhis2Values(report=report, strategy=strategy)

    @property
    def position(self) -> int:
        return self.values.position

    def __iter__(self) -> Iterator[RawValue]:
        return self.values.convert(self._read())

    def _read(self) -> Iterator[DataValue]:
        envelope: dict[str, str] = {}
        index = 0
        for event, element in _events(self.opener):
            name = _local(element.tag)
            if event == "start":
                if name in (DXF_ROOT, "group"):
                    envelope = {key: _text(value) for key, value in element.attrib.items()}
                continue
            if name != "dataValue":
                if name == "group":
                    _drop(element)
                continue
            item = (
                self._adx(element, envelope, index)
                if self.root == ADX_ROOT
                else self._dxf(element, envelope, index)
            )
            _drop(element)
            index += 1
            yield item

    @staticmethod
    def _dxf(element: etree._Element, envelope: dict[str, str], index: int) -> DataValue:
        get = element.attrib.get
        value = get("value")
        if value is None:
            child = next((c for c in element if _local(c.tag) == "value"), None)
            value = child.text if child is not None else None
        return DataValue(
            index=index,
            data_element=_text(get("dataElement")),
            period=_text(get("period"), 16) or envelope.get("period", "")[:16],
            org_unit=_text(get("orgUnit")) or envelope.get("orgUnit", ""),
            combo=_text(get("categoryOptionCombo")),
            value=value,
            comment=_text(get("comment"), 2000),
            deleted=_flag(get("deleted")),
        )

    @staticmethod
    def _adx(element: etree._Element, envelope: dict[str, str], index: int) -> DataValue:
        attributes = dict(element.attrib)
        parts = sorted((key, _text(value)) for key, value in attributes.items() if key not in _ADX_OWN)
        note = next((c.text or "" for c in element if _local(c.tag) == "annotation"), "")
        return DataValue(
            index=index,
            data_element=_text(attributes.get("dataElement")),
            period=adx_period(envelope.get("period", ""))[:16] if envelope.get("period") else "",
            org_unit=envelope.get("orgUnit", ""),
            combo=";".join(f"{key}={value}" for key, value in parts)[:64],
            value=attributes.get("value"),
            comment=_text(note, 2000),
        )

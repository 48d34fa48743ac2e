"""Bulk payloads as they arrive over HTTP: the body read as a stream, and our JSON format.

A body is read in pieces, never whole through `request.body` (whose limit is Django's
DATA_UPLOAD_MAX_MEMORY_SIZE): up to `memory_limit` bytes it stays in memory, beyond that it is
spooled to a file under VAR_DIR/imports, and past DXM_MAX_PAYLOAD_MB it is refused. Readers
take a way to open the body from its start and yield `RawValue`s lazily (ijson), so a payload
of a million values never sits in memory as one object.

Our format: `{"values": [{"unit": "03217", "indicator": "CTX.VILLAGES", "period": "2025Q3",
"kind": "actual", "value": 12, "numerator": …, "denominator": …, "comparator": "eq",
"note": …}, …]}`; `unit_code` is accepted for `unit`, `unit_id` for a unit's id.
"""

import contextlib
import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ijson
from django.conf import settings

from dxmonitor.common import bounded_json
from dxmonitor.common.errors import DomainError, Problem

from .bulk import BulkSummary, RawValue

READ_SIZE = 256 * 1024
# JSON and CSV payloads; which JSON is ours and which DHIS2's is told by its array.
JSON, CSV, XML = "json", "csv", "xml"
FORMAT_OURS, FORMAT_DHIS2_JSON, FORMAT_DHIS2_CSV = "json", "dhis2-json", "dhis2-csv"
FORMAT_DHIS2_XML, FORMAT_ADX = "dhis2-xml", "adx"
ARRAYS = {"values": FORMAT_OURS, "dataValues": FORMAT_DHIS2_JSON}

Opener = Callable[[], IO[bytes]]


class PayloadTooLarge(DomainError):
    status = 413


class UnsupportedMediaType(DomainError):
    status = 415


def spool_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def max_payload_bytes() -> int:
    return int(float(settings.DXM_MAX_PAYLOAD_MB) * 1024 * 1024)


def too_large() -> PayloadTooLarge:
    megabytes = f"{float(settings.DXM_MAX_PAYLOAD_MB):g}"
    return PayloadTooLarge(
        f"the payload is larger than {megabytes} MB (DXM_MAX_PAYLOAD_MB); send it in several parts",
        f"Dữ liệu gửi lên lớn hơn {megabytes} MB (DXM_MAX_PAYLOAD_MB); hãy chia thành nhiều lần gửi",
        field="body",
    )


@dataclass
class Body:
    """A request body held in memory (small) or in a spool file (large)."""

    size: int
    data: bytes | None = None
    path: Path | None = None

    def open(self) -> IO[bytes]:
        if self.path is not None:
            return self.path.open("rb")
        return io.BytesIO(self.data or b"")

    @property
    def spooled(self) -> bool:
        return self.path is not None

    def spool(self, *, name: str) -> Path:
        """Write an in-memory body to a spool file (a small body that holds many values)."""
        if self.path is None:
            path = spool_dir() / name
            path.write_bytes(self.data or b"")
            self.path, self.data = path, None
        return self.path

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def receive_body(
    *, stream: IO[bytes], content_length: int | None, memory_limit: int, name: str | None = None
) -> Body:
    """Read a body piece by piece: in memory up to `memory_limit`, spooled beyond it.

    Refused with 413 past DXM_MAX_PAYLOAD_MB, from its Content-Length before anything is read,
    or as soon as the bytes read pass it.
    """
    limit = max_payload_bytes()
    if content_length is not None and content_length > limit:
        raise too_large()
    buffer = io.BytesIO()
    handle: IO[bytes] | None = None
    path: Path | None = None
    size = 0
    try:
        while piece := stream.read(READ_SIZE):
            size += len(piece)
            if size > limit:
                raise too_large()
            if handle is None and size > memory_limit:
                path = spool_dir() / (name or f"{uuid.uuid4()}.body")
                handle = path.open("wb")
                handle.write(buffer.getvalue())
                buffer = io.BytesIO()
            (handle or buffer).write(piece)
    except BaseException:
        if handle is not None:
            handle.close()
        if path is not None:
            path.unlink(missing_ok=True)
        raise
    if handle is not None:
        handle.close()
        return Body(size=size, path=path)
    return Body(size=size, data=buffer.getvalue())


def media_type(*, content_type: str, suffix: str = "") -> str:
    """JSON, CSV or XML (DHIS2's or ADX) from the Content-Type, else from the path's suffix."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind in ("application/json", "text/json") or kind.endswith("+json"):
        return JSON
    if kind in ("application/csv", "text/csv"):
        return CSV
    if kind in ("application/xml", "text/xml") or kind.endswith("+xml"):
        return XML
    if kind in ("", "text/plain", "application/octet-stream") and suffix in (JSON, CSV, XML, "adx"):
        return XML if suffix == "adx" else suffix
    raise UnsupportedMediaType(
        "send Content-Type application/json, application/csv (text/csv), application/xml or "
        f"application/adx+xml, not {kind or 'nothing'!r}",
        "Cần gửi Content-Type application/json, application/csv (text/csv), application/xml hoặc "
        f"application/adx+xml, không phải {kind!r}",
        field="Content-Type",
    )


def not_json(exc: Exception) -> DomainError:
    return DomainError(
        f"the payload is not valid JSON: {str(exc)[:200]}",
        f"Dữ liệu gửi lên không phải JSON hợp lệ: {str(exc)[:200]}",
        field="body",
    )


def sniff_json(opener: Opener) -> tuple[str, dict[str, Any]]:
    """Which JSON format a payload is, and the top-level fields before its array.

    First measures the whole payload's nesting and tokens (refused with 400 past
    DXM_JSON_MAX_DEPTH or DXM_JSON_MAX_TOKENS), since the readers below keep a prefix per level;
    then reads only as far as the array ("values": ours, "dataValues": DHIS2).
    """
    envelope: dict[str, Any] = {}
    # A syntax error stops the measure within the limits, where every reader stops too: the
    # readers report it (a large payload's job fails with it).
    with opener() as stream, contextlib.suppress(ijson.JSONError):
        bounded_json.check(stream)
    with opener() as stream:
        try:
            events = ijson.parse(stream, use_float=True)
            first = next(events, None)
            if first is None or first[1] != "start_map":
                raise DomainError(
                    'the payload must be a JSON object: {"values": [...]} or {"dataValues": [...]}',
                    'Dữ liệu phải là một đối tượng JSON: {"values": [...]} hoặc {"dataValues": [...]}',
                    field="body",
                )
            for prefix, event, value in events:
                if prefix in ARRAYS and event == "start_array":
                    return ARRAYS[prefix], envelope
                if prefix and "." not in prefix and event in ("string", "number", "boolean"):
                    envelope[prefix] = value
        except ijson.JSONError as exc:
            raise not_json(exc) from exc
    raise DomainError(
        'the payload has no "values" (or DHIS2 "dataValues") array',
        'Dữ liệu không có mảng "values" (hoặc "dataValues" của DHIS2)',
        field="values",
    )


def _text(raw: Any, limit: int) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()[:limit]


def amount(raw: Any) -> Any:
    """A number or a string as given; anything else as text, for the contract to refuse."""
    if raw is None or isinstance(raw, int | float | str):
        return raw
    return repr(raw)[:40]


def _unit_id(raw: Any) -> int | None:
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float) and float(raw).is_integer():
        return int(raw) if 0 < raw < 2**63 else -1
    text = str(raw).strip()
    return int(text) if text.isdigit() and int(text) < 2**63 else -1


NOT_AN_OBJECT = Problem("value", "each value must be a JSON object", "Mỗi số liệu phải là một đối tượng JSON")


class OurJson:
    """Reads `{"values": [...]}`; counts what it read so progress can be shown."""

    def __init__(self, opener: Opener, *, report: BulkSummary) -> None:
        self.opener = opener
        self.report = report  # values refused before checking (not objects)
        self.position = 0

    def __iter__(self) -> Iterator[RawValue]:
        with self.opener() as stream:
            try:
                for index, item in enumerate(ijson.items(stream, "values.item", use_float=True)):
                    self.position = index + 1
                    if not isinstance(item, dict):
                        self.report.total += 1
                        self.report.reject(ref=str(index), row=index, problem=NOT_AN_OBJECT)
                        continue
                    yield self.value(index, item)
            except ijson.JSONError as exc:
                raise not_json(exc) from exc

    @staticmethod
    def value(index: int, item: dict) -> RawValue:
        unit = item.get("unit", item.get("unit_code"))
        unit_id = _unit_id(item.get("unit_id")) if unit is None else None
        return RawValue(
            indicator=_text(item.get("indicator"), 64),
            period=_text(item.get("period"), 16),
            unit_code=_text(unit, 24) if unit is not None else None,
            unit_id=unit_id,
            kind=_text(item.get("kind"), 8) or "actual",
            value=amount(item.get("value")),
            comparator=_text(item.get("comparator"), 8) or "eq",
            numerator=amount(item.get("numerator")),
            denominator=amount(item.get("denominator")),
            note=_text(item.get("note"), 2001),  # one more than a note holds: refused, not cut
            ref=str(index),
            row=index,
        )


def sorted_rejections(summary: BulkSummary) -> list:
    """Rejections in payload order (their refs are indexes)."""

    def order(rejection) -> tuple[int, int]:
        head = rejection.ref.split("\x1f", 1)[0]
        if rejection.row is not None:
            return (0, rejection.row)
        return (0, int(head)) if head.isdigit() else (1, 0)

    return sorted(summary.rejections, key=order)


def result(summary: BulkSummary) -> dict:
    """The answer to our format: counts and each refused value with its index in the payload."""
    body = summary.as_dict()
    body["rejections"] = [
        {**r.as_dict(), "index": r.row if r.row is not None else (int(r.ref) if r.ref.isdigit() else None)}
        for r in sorted_rejections(summary)
    ]
    return body

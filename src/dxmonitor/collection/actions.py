"""Every change to values and source documents goes through these functions.

Each function owns its transaction. A value is written once per (unit, indicator, period,
kind): a second write is an update with a history row, a write of the same content is
"unchanged" and leaves no trace, a delete is soft.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction

from dxmonitor.accounts.permissions import ENTER, can
from dxmonitor.catalog.models import Indicator
from dxmonitor.common.errors import DomainError, Forbidden, InvalidInput, NotFound
from dxmonitor.common.text import nfc
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit

from .datasets import check_open
from .models import Document, DocumentKind, Value, ValueChange
from .rules import after_write
from .schemas import check_value

CREATED, UPDATED, UNCHANGED, RESTORED, DELETED = (
    "created",
    "updated",
    "unchanged",
    "restored",
    "deleted",
)

# The fields whose change makes a new version of a value.
_CONTENT = ("value", "comparator", "numerator", "denominator", "note", "is_synthetic")


@dataclass(frozen=True)
class Provenance:
    """Where a write comes from. Every version of a value keeps its own."""

    source_type: str
    document: Document | None = None
    source_file: str = ""
    source_row: int | None = None
    api_client: str = ""
    evidence_quote: str = ""
    evidence_start: int | None = None
    evidence_end: int | None = None
    # Typed on a device without a connection at this moment, and sent later from its queue.
    entered_offline_at: datetime.datetime | None = None


@dataclass
class Recorded:
    value: Value
    outcome: str


def record_value(
    *,
    unit: Unit,
    indicator: Indicator,
    period: str,
    value,
    kind: str = "actual",
    comparator: str = "eq",
    numerator=None,
    denominator=None,
    note: str = "",
    is_synthetic: bool = False,
    provenance: Provenance,
    user: AnyUser | None = None,
    reason: str = "",
) -> Recorded:
    """Create, update or restore the value of (unit, indicator, period, kind).

    With a `user`, the write must fall within that user's data-entry subtree; without one it
    is the system's own (the demo, a command run by the operator).
    """
    if user is not None and not can(user, ENTER, unit):
        raise Forbidden(
            f"{user.get_username()} may not enter figures for {unit.name}",
            f"Tài khoản {user.get_username()} không được nhập số liệu cho {unit.name}",
            field="unit",
        )
    clean, problems = check_value(
        unit=unit,
        indicator=indicator,
        period=period,
        kind=kind,
        value=value,
        comparator=comparator,
        numerator=numerator,
        denominator=denominator,
    )
    if problems:
        raise InvalidInput(problems)
    assert clean is not None
    check_open(indicator=indicator, unit=unit, period=clean.period)
    provenance = _check_evidence(provenance)
    content = {
        "value": clean.value,
        "comparator": clean.comparator,
        "numerator": clean.numerator,
        "denominator": clean.denominator,
        "note": note,
        "is_synthetic": is_synthetic,
    }
    key = {"unit": unit, "indicator": indicator, "period": clean.period.code, "kind": clean.kind}
    try:
        with transaction.atomic():
            return _checked(_write(key, clean, content, provenance, user, reason))
    except IntegrityError:
        # Someone created the same value between our read and our insert: it exists now,
        # so this write becomes an update of theirs and both stay in the history.
        with transaction.atomic():
            return _checked(_write(key, clean, content, provenance, user, reason))


def _checked(recorded: Recorded) -> Recorded:
    """Declared rules and outlier flags follow every change, in the writer's transaction."""
    if recorded.outcome != UNCHANGED:
        after_write(value=recorded.value)
    return recorded


def _write(key: dict, clean, content: dict, provenance: Provenance, user, reason: str) -> Recorded:
    current = Value.objects.select_for_update().filter(**key).first()
    if current is None:
        current = Value(
            **key,
            period_type=clean.period.type,
            period_start=clean.period.start,
            period_end=clean.period.end,
            **content,
            version=1,
            created_by=user,
            updated_by=user,
        )
        _set_provenance(current, provenance)
        current.save()
        _log(current, ValueChange.Action.CREATE, None, provenance, user, reason)
        return Recorded(current, CREATED)
    if not current.is_deleted and all(getattr(current, k) == v for k, v in content.items()):
        return Recorded(current, UNCHANGED)
    if not current.is_deleted and current.is_synthetic != content["is_synthetic"]:
        # Real and synthetic figures never share a value's history.
        raise DomainError(
            "a synthetic value cannot replace a real one, nor the other way round; delete it first",
            "Không được ghi đè số liệu thật bằng dữ liệu mô phỏng hay ngược lại; hãy xóa số liệu cũ trước",
            field="value",
        )
    before = snapshot(current)
    action = ValueChange.Action.RESTORE if current.is_deleted else ValueChange.Action.UPDATE
    for k, v in content.items():
        setattr(current, k, v)
    current.is_deleted = False
    current.version += 1
    current.updated_by = user
    _set_provenance(current, provenance)
    current.save()
    _log(current, action, before, provenance, user, reason)
    return Recorded(current, RESTORED if action == ValueChange.Action.RESTORE else UPDATED)


def delete_value(
    *, value: Value, provenance: Provenance, user: AnyUser | None = None, reason: str = ""
) -> Recorded:
    """Mark a value deleted; it stays in the database with its history and can be restored."""
    with transaction.atomic():
        current = Value.objects.select_for_update().filter(pk=value.pk).first()
        if current is None:
            raise NotFound(f"value {value.pk} does not exist", f"Không có số liệu {value.pk}")
        if current.is_deleted:
            return Recorded(current, UNCHANGED)
        before = snapshot(current)
        current.is_deleted = True
        current.version += 1
        current.updated_by = user
        current.save(update_fields=["is_deleted", "version", "updated_by", "updated_at"])
        _log(current, ValueChange.Action.DELETE, before, provenance, user, reason)
        return _checked(Recorded(current, DELETED))


def _set_provenance(value: Value, provenance: Provenance) -> None:
    value.source_type = provenance.source_type
    value.document = provenance.document
    value.source_file = provenance.source_file
    value.source_row = provenance.source_row
    value.api_client = provenance.api_client
    value.evidence_quote = provenance.evidence_quote
    value.evidence_start = provenance.evidence_start
    value.evidence_end = provenance.evidence_end


def _check_evidence(provenance: Provenance) -> Provenance:
    """A quote cites its document exactly: a given span must hold the quote, and a quote given
    without a span is looked up in the text. Returns the provenance with its span filled in."""
    document, start, end = provenance.document, provenance.evidence_start, provenance.evidence_end
    quote = nfc(provenance.evidence_quote)
    if (start is None) != (end is None) or (start is not None and not 0 <= start < end):
        raise DomainError(
            "an evidence span needs a start before its end",
            "Vị trí trích dẫn phải có điểm đầu nhỏ hơn điểm cuối",
            field="evidence",
        )
    if document is None:
        return provenance
    if start is None and quote:
        found = document.text.find(quote)
        if found < 0:
            raise DomainError(
                f"the evidence quote does not appear in document {document.pk}",
                f"Trích dẫn không có trong tài liệu {document.pk}",
                field="evidence",
            )
        return replace(
            provenance, evidence_quote=quote, evidence_start=found, evidence_end=found + len(quote)
        )
    if start is not None and (end > len(document.text) or document.text[start:end] != quote):
        raise DomainError(
            f"the evidence quote is not at characters {start}-{end} of document {document.pk}",
            f"Trích dẫn không khớp với vị trí {start}-{end} trong tài liệu {document.pk}",
            field="evidence",
        )
    return provenance


def snapshot(value: Value) -> dict:
    return {
        "unit_id": value.unit_id,
        "indicator": value.indicator.code,
        "period": value.period,
        "kind": value.kind,
        "value": value.value,
        "comparator": value.comparator,
        "numerator": value.numerator,
        "denominator": value.denominator,
        "note": value.note,
        "is_synthetic": value.is_synthetic,
        "is_deleted": value.is_deleted,
        "source_type": value.source_type,
        "document_id": value.document_id,
        "evidence_quote": value.evidence_quote,
        "evidence_start": value.evidence_start,
        "evidence_end": value.evidence_end,
    }


def _log(value: Value, action: str, before: dict | None, provenance: Provenance, user, reason: str) -> None:
    ValueChange.objects.create(
        value=value,
        version=value.version,
        action=action,
        before=before,
        after=snapshot(value),
        changed_by=user,
        source_type=provenance.source_type,
        document=provenance.document,
        source_file=provenance.source_file,
        source_row=provenance.source_row,
        api_client=provenance.api_client,
        reason=reason,
        entered_offline_at=provenance.entered_offline_at,
    )


_DATELINE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


def find_publication_date(text: str) -> datetime.date | None:
    """The date printed near the top of an article ("02:21 PM 25/07/2023"), if any.

    Only the first few lines are looked at: a date deeper in the text is a fact's date,
    not the article's.
    """
    head = "\n".join(text.splitlines()[:4])[:400]
    for day, month, year in _DATELINE.findall(head):
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            continue
    return None


TITLE_LENGTH = 120


def derive_title(text: str) -> str:
    """A headline for a text that came without one: its first line, cut at a word if too long.

    News articles start with their headline; a lead paragraph ("ĐBP - Mặc dù còn gặp nhiều khó
    khăn …") is cut to about a line so that links citing it stay readable.
    """
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) <= TITLE_LENGTH:
        return first
    cut = first[:TITLE_LENGTH].rsplit(" ", 1)[0].rstrip(" ,;:-–")
    return cut + "…"


def add_document(
    *,
    text: str,
    title: str = "",
    kind: str = DocumentKind.ARTICLE,
    file_name: str = "",
    url: str = "",
    published_on: datetime.date | None = None,
    user: AnyUser | None = None,
) -> tuple[Document, bool]:
    """Store a source document (NFC); the same text twice is the same document."""
    text = nfc(text)
    if not text.strip():
        raise DomainError("the document is empty", "Tài liệu không có nội dung", field="text")
    if kind not in DocumentKind.values:
        raise DomainError(
            f"unknown document kind {kind!r}", f"Loại tài liệu {kind!r} không hợp lệ", field="kind"
        )
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    title = (title or derive_title(text))[:500]
    with transaction.atomic():
        existing = Document.objects.filter(sha256=digest).first()
        if existing:
            return existing, False
        document = Document.objects.create(
            title=title,
            kind=kind,
            file_name=file_name,
            sha256=digest,
            text=text,
            url=url,
            published_on=published_on or find_publication_date(text),
            created_by=user,
        )
        return document, True

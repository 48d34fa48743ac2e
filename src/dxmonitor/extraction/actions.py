"""Reading a document into proposed facts, and the officer's decisions on them.

Accepting a fact records a value through `collection.actions.record_value` — the same checks,
permissions, rules and history as a figure typed into a form — with the document as its source
and the quoted span as its evidence.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, add_document, record_value
from dxmonitor.collection.models import Comparator, Document, DocumentKind, SourceType, ValueKind
from dxmonitor.common.errors import DomainError, NotFound
from dxmonitor.common.numbers import NumberFormatError, parse_number
from dxmonitor.common.text import fold, strip_level_words
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import LEGACY_LAST_DAY, Unit
from dxmonitor.geo.queries import ancestors, resolve_unit, search_units

from .engine import Fact, extract
from .models import FactStatus, ProposedFact
from .places import province_names
from .reading import MAX_CHARS, clean_text, read_file
from .terms import current_catalogue


@dataclass
class ReadResult:
    document: Document
    created: bool
    facts: list[ProposedFact] = field(default_factory=list)


def read_upload(*, name: str, data: bytes, title: str = "", user: AnyUser | None = None) -> ReadResult:
    """A .txt, .docx or .pdf file: stored as a document and read into proposed facts."""
    text = read_file(name=name, data=data)
    return read_text(text=text, title=title, file_name=name, kind=DocumentKind.REPORT, user=user)


def read_text(
    *,
    text: str,
    title: str = "",
    file_name: str = "",
    kind: str = DocumentKind.REPORT,
    published_on: datetime.date | None = None,
    user: AnyUser | None = None,
) -> ReadResult:
    """Store the text as a document (the same text twice is one document) and propose its facts.

    A document read before keeps its proposals and the decisions taken on them.
    """
    text = clean_text(text)
    if not text.strip():
        raise DomainError("the text is empty", "Văn bản không có nội dung", field="text")
    if len(text) > MAX_CHARS:
        raise DomainError(
            f"the text holds {len(text):,} characters; the limit for a report is {MAX_CHARS:,}",
            f"Văn bản có {len(text):,} ký tự, vượt giới hạn {MAX_CHARS:,} ký tự cho một báo cáo".replace(
                ",", "."
            ),
            field="text",
        )
    document, created = add_document(
        text=text, title=title, kind=kind, file_name=file_name, published_on=published_on, user=user
    )
    existing = list(document.proposed_facts.all())
    if existing:
        return ReadResult(document, created, existing)
    facts = extract(
        document.text,
        catalogue=current_catalogue(),
        published_on=document.published_on,
        provinces=province_names(),
    )
    indicators = {i.code: i for i in Indicator.objects.filter(code__in={f.indicator for f in facts})}
    places: dict[tuple[str, str], Unit | None] = {}
    rows = []
    for position, fact in enumerate(facts):
        key = (fact.locality, fact.province, fact.within)
        if key not in places:
            places[key] = place_unit(
                locality=fact.locality, province=fact.province, within=fact.within, on=document.published_on
            )
        rows.append(_proposal(document, position, fact, indicators.get(fact.indicator), places[key]))
    with transaction.atomic():
        ProposedFact.objects.bulk_create(rows)
    return ReadResult(document, created, list(document.proposed_facts.all()))


def _proposal(document: Document, position: int, fact: Fact, indicator, unit) -> ProposedFact:
    return ProposedFact(
        document=document,
        position=position,
        indicator=indicator,
        locality=fact.locality[:200],
        province=fact.province[:100],
        within=fact.within[:200],
        unit=unit,
        value=fact.value,
        comparator=fact.comparator,
        kind=fact.kind,
        period=fact.period or "",
        numerator=fact.numerator,
        denominator=fact.denominator,
        evidence_start=fact.start,
        evidence_end=fact.end,
        evidence_quote=fact.evidence,
        score=fact.score,
        rule=fact.rule,
        matched=fact.matched[:300],
    )


def place_unit(
    *, locality: str, province: str = "", within: str = "", on: datetime.date | None
) -> Unit | None:
    """The unit a place name meant on the document's date.

    An undated text that names a district ("huyện") predates the 2025 reorganisation, which
    abolished districts: it is looked up in the structure of that time.
    """
    if not locality:
        return None
    found = []
    # A text written after the 2025 reorganisation may still name a former district ("huyện … cũ").
    days = [on] if on else [timezone.localdate()]
    if not on or on > LEGACY_LAST_DAY:
        days.append(LEGACY_LAST_DAY)
    for day in days:
        for hint in [province, None] if province else [None]:
            unit = resolve_unit(name=locality, province=hint, as_of=day)
            if unit is None and within:
                unit = _within(locality=locality, within=within, province=hint, on=day)
            if unit is not None:
                found.append(unit)
                break
    # Undated, "huyện Tủa Chùa" is the district of the old structure, not today's commune of that name.
    _, level = strip_level_words(fold(locality))
    typed = [u for u in found if level and u.unit_type.startswith(level.replace(" ", "_"))]
    return (typed or found or [None])[0]


def _within(*, locality: str, within: str, province: str | None, on: datetime.date) -> Unit | None:
    """ "xã Tân Lập, huyện Đồng Phú": of the communes of that name, the one in that district."""
    name = strip_level_words(fold(locality))[0]
    district = strip_level_words(fold(within))[0]
    candidates = [u for u in search_units(q=locality, as_of=on, limit=50) if u.search_key == name]
    inside = [u for u in candidates if any(a.search_key == district for a in ancestors(u))]
    if province:
        wanted = strip_level_words(fold(province))[0]
        inside = [u for u in inside if any(a.search_key == wanted for a in ancestors(u))] or inside
    return inside[0] if len(inside) == 1 else None


def _pending(fact: ProposedFact) -> None:
    if fact.status != FactStatus.PENDING:
        raise DomainError(
            f"fact {fact.pk} is already {fact.status}",
            f"Dữ kiện {fact.pk} đã được xử lý ({fact.get_status_display()})",
            field="status",
        )


def edit_fact(
    *, fact: ProposedFact, changes: dict, user: AnyUser | None = None, save: bool = True
) -> ProposedFact:
    """Correct a proposal before accepting it: indicator, unit, value, comparator, kind, period,
    numerator, denominator."""
    _pending(fact)
    if "indicator" in changes:
        code = (changes["indicator"] or "").strip()
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise NotFound(f"no indicator {code}", f"Không có chỉ tiêu {code}", field="indicator")
        fact.indicator = indicator
    if "unit_id" in changes:
        unit = Unit.objects.filter(pk=changes["unit_id"]).first() if changes["unit_id"] else None
        if unit is None:
            raise NotFound(
                f"no unit {changes['unit_id']}", f"Không có đơn vị {changes['unit_id']}", field="unit_id"
            )
        fact.unit = unit
    for name in ("value", "numerator", "denominator"):
        if name in changes:
            raw = changes[name]
            if raw in (None, "") and name != "value":
                setattr(fact, name, None)
                continue
            try:
                # "1.234.567" and "1.234" are thousands as Vietnamese writes them, "95,25" a decimal.
                setattr(fact, name, parse_number(raw))
            except NumberFormatError:
                raise DomainError(
                    f"{name} must be a number, not {raw!r}", f"“{raw}” không phải là số", field=name
                ) from None
    if "comparator" in changes:
        if changes["comparator"] not in Comparator.values:
            raise DomainError(
                f"unknown comparator {changes['comparator']!r}",
                "Phép so sánh không hợp lệ",
                field="comparator",
            )
        fact.comparator = changes["comparator"]
    if "kind" in changes:
        if changes["kind"] not in ValueKind.values:
            raise DomainError(f"unknown kind {changes['kind']!r}", "Loại số liệu không hợp lệ", field="kind")
        fact.kind = changes["kind"]
    if "period" in changes:
        fact.period = (changes["period"] or "").strip()[:12]
    fact.edited = True
    fact.problem = ""
    if save:
        fact.save()
    return fact


def accept_fact(
    *, fact: ProposedFact, user: AnyUser | None = None, changes: dict | None = None
) -> ProposedFact:
    """Record the fact as a value whose source is its document; refused facts keep the reason.

    Corrections given here are kept only if the value is recorded: a refused correction leaves
    the proposal as it was, with the reason."""
    if changes:
        fact = edit_fact(fact=fact, changes=changes, user=user, save=False)
    _pending(fact)
    try:
        if fact.indicator is None:
            raise DomainError("choose an indicator first", "Hãy chọn chỉ tiêu trước", field="indicator")
        if fact.unit is None:
            raise DomainError(
                f"choose the unit “{fact.locality or '?'}” refers to",
                f"Hãy chọn đơn vị hành chính cho “{fact.locality or '?'}”",
                field="unit_id",
            )
        document = fact.document
        period = fact.period or (str(document.published_on.year) if document.published_on else "")
        with transaction.atomic():
            recorded = record_value(
                unit=fact.unit,
                indicator=fact.indicator,
                period=period,
                kind=fact.kind,
                value=fact.value,
                comparator=fact.comparator,
                numerator=fact.numerator,
                denominator=fact.denominator,
                provenance=Provenance(
                    source_type=SourceType.EXTRACTION,
                    document=document,
                    evidence_quote=fact.evidence_quote,
                    evidence_start=fact.evidence_start,
                    evidence_end=fact.evidence_end,
                ),
                user=user,
            )
            fact.status = FactStatus.ACCEPTED
            fact.recorded_value = recorded.value
            fact.period = period
            fact.problem = ""
            fact.decided_at = timezone.now()
            fact.decided_by = user if user and user.is_authenticated else None
            fact.save()
    except DomainError as exc:
        ProposedFact.objects.filter(pk=fact.pk).update(problem=exc.message_vi + " / " + exc.message_en)
        raise
    return fact


def reject_fact(*, fact: ProposedFact, user: AnyUser | None = None) -> ProposedFact:
    _pending(fact)
    fact.status = FactStatus.REJECTED
    fact.decided_at = timezone.now()
    fact.decided_by = user if user and user.is_authenticated else None
    fact.save()
    return fact


@dataclass
class BulkResult:
    accepted: int = 0
    refused: list[tuple[int, DomainError]] = field(default_factory=list)


def accept_all(*, document: Document, user: AnyUser | None = None) -> BulkResult:
    """Accept every pending fact of a document; each one on its own, so one refusal stops none."""
    result = BulkResult()
    for fact in document.proposed_facts.filter(status=FactStatus.PENDING).select_related(
        "indicator", "unit", "document"
    ):
        try:
            accept_fact(fact=fact, user=user)
            result.accepted += 1
        except DomainError as exc:
            result.refused.append((fact.pk, exc))
    return result


SEEDS_DIR = Path(__file__).resolve().parent.parent / "demo" / "data" / "seeds"


@dataclass
class SeedsRead:
    documents: int = 0
    facts: int = 0
    pending: int = 0


def read_seed_articles(*, user: AnyUser | None = None, seeds_dir: Path = SEEDS_DIR) -> SeedsRead:
    """The demo's review queue: the seed articles read by the extractor (again, idempotently)."""
    report = SeedsRead()
    for path in sorted(seeds_dir.glob("*.txt")):
        result = read_upload(name=path.name, data=path.read_bytes(), user=user)
        report.documents += 1
        report.facts += len(result.facts)
        report.pending += sum(1 for f in result.facts if f.status == FactStatus.PENDING)
    return report

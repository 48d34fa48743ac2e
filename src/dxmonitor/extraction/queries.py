"""Read-side questions about proposed facts: the review queue, one document's proposals."""

from django.db.models import Count, Q, QuerySet

from dxmonitor.collection.models import Document

from .models import FactStatus, ProposedFact


def review_documents() -> QuerySet[Document]:
    """Documents that have proposals, those with most left to review first."""
    return (
        Document.objects.annotate(
            pending=Count("proposed_facts", filter=Q(proposed_facts__status=FactStatus.PENDING)),
            accepted=Count("proposed_facts", filter=Q(proposed_facts__status=FactStatus.ACCEPTED)),
            rejected=Count("proposed_facts", filter=Q(proposed_facts__status=FactStatus.REJECTED)),
            proposed=Count("proposed_facts"),
        )
        .filter(proposed__gt=0)
        .order_by("-pending", "-created_at")
    )


def document_facts(document: Document, *, status: str | None = None) -> QuerySet[ProposedFact]:
    facts = ProposedFact.objects.filter(document=document).select_related(
        "indicator", "unit", "recorded_value"
    )
    if status:
        facts = facts.filter(status=status)
    return facts.order_by("position")


def get_fact(fact_id: int) -> ProposedFact | None:
    if not 0 < fact_id < 2**63:
        return None
    return ProposedFact.objects.select_related("indicator", "unit", "document").filter(pk=fact_id).first()


def get_document(document_id: int) -> Document | None:
    if not 0 < document_id < 2**63:
        return None
    return Document.objects.filter(pk=document_id).first()


def highlighted(text: str, facts: list[ProposedFact]) -> list[dict]:
    """The text cut into plain and quoted pieces; overlapping quotes merge into one mark."""
    spans = sorted((f.evidence_start, f.evidence_end, f.pk) for f in facts if f.evidence_end <= len(text))
    pieces: list[dict] = []
    at = 0
    current: dict | None = None
    for start, end, pk in spans:
        if current and start < current["end"]:
            current["end"] = max(current["end"], end)
            current["facts"].append(pk)
            continue
        if current:
            pieces.append(current)
            at = current["end"]
        if start > at:
            pieces.append({"start": at, "end": start, "facts": []})
        current = {"start": max(start, at), "end": end, "facts": [pk]}
    if current:
        pieces.append(current)
        at = current["end"]
    if at < len(text):
        pieces.append({"start": at, "end": len(text), "facts": []})
    for piece in pieces:
        piece["text"] = text[piece["start"] : piece["end"]]
    return pieces

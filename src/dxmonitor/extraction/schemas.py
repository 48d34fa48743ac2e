"""The shapes of proposed facts and review documents in the JSON API."""

from ninja import Schema
from pydantic import Field

from .engine import RULES
from .models import ProposedFact


class FactOut(Schema):
    id: int
    document: int
    position: int
    status: str
    indicator: str | None
    indicator_name: str | None
    locality: str
    province: str
    within: str
    unit_id: int | None
    unit_name: str | None
    value: float
    comparator: str
    kind: str
    period: str
    numerator: float | None
    denominator: float | None
    evidence: str
    start: int
    end: int
    score: float
    rule: str = Field(description="why it was proposed: " + ", ".join(RULES))
    matched: str = Field(description="the catalogue phrasing the words around the figure matched")
    edited: bool
    problem: str
    value_id: int | None


class ReviewDocumentOut(Schema):
    id: int
    title: str
    file_name: str
    published_on: str | None
    proposed: int
    pending: int
    accepted: int
    rejected: int


class ReviewDocumentPage(Schema):
    count: int
    items: list[ReviewDocumentOut]


class ReviewDetailOut(ReviewDocumentOut):
    text: str
    facts: list[FactOut]


class ReadIn(Schema):
    text: str = Field(..., max_length=2_000_000, description="the report's text, pasted")
    title: str = Field("", max_length=500)


class FactChanges(Schema):
    indicator: str | None = Field(None, max_length=64)
    unit_id: int | None = None
    value: float | None = None
    comparator: str | None = Field(None, max_length=8)
    kind: str | None = Field(None, max_length=8)
    period: str | None = Field(None, max_length=12)
    numerator: float | None = None
    denominator: float | None = None


class BulkOut(Schema):
    accepted: int
    refused: list[dict]


def fact_out(fact: ProposedFact, language: str = "vi") -> dict:
    indicator = fact.indicator
    return {
        "id": fact.pk,
        "document": fact.document_id,
        "position": fact.position,
        "status": fact.status,
        "indicator": indicator.code if indicator else None,
        "indicator_name": (indicator.name_en if language.startswith("en") else indicator.name_vi)
        if indicator
        else None,
        "locality": fact.locality,
        "province": fact.province,
        "within": fact.within,
        "unit_id": fact.unit_id,
        "unit_name": fact.unit.name if fact.unit else None,
        "value": fact.value,
        "comparator": fact.comparator,
        "kind": fact.kind,
        "period": fact.period,
        "numerator": fact.numerator,
        "denominator": fact.denominator,
        "evidence": fact.evidence_quote,
        "start": fact.evidence_start,
        "end": fact.evidence_end,
        "score": fact.score,
        "rule": fact.rule,
        "matched": fact.matched,
        "edited": fact.edited,
        "problem": fact.problem,
        "value_id": fact.recorded_value_id,
    }


def review_document_out(document) -> dict:
    return {
        "id": document.pk,
        "title": document.title,
        "file_name": document.file_name,
        "published_on": document.published_on.isoformat() if document.published_on else None,
        "proposed": getattr(document, "proposed", 0),
        "pending": getattr(document, "pending", 0),
        "accepted": getattr(document, "accepted", 0),
        "rejected": getattr(document, "rejected", 0),
    }

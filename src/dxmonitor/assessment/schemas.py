"""The API's contract for rounds, sheets, appraisal, explanations and publication. Figures and
points may be sent as numbers or as officials write them ("1.234,5", "85%")."""

import datetime

from ninja import Schema
from pydantic import Field

from .models import Entry, Evidence, Round
from .queries import Ranking

Number = float | str | None


class DepartmentIn(Schema):
    code: str = Field(max_length=32)
    name_vi: str = Field(max_length=200)
    name_en: str = Field("", max_length=200)
    prefixes: list[str] = Field(max_length=100)


class DepartmentOut(Schema):
    id: int
    scheme: str
    code: str
    name_vi: str
    name_en: str
    prefixes: list[str]


class AppraiserIn(Schema):
    username: str = Field(max_length=150)
    province_id: int


class RoundIn(Schema):
    scheme: str = Field(max_length=40)
    version: int | None = None
    year: int
    province_id: int
    unit_ids: list[int] | None = Field(None, max_length=5000)
    self_until: datetime.date
    appraisal_until: datetime.date
    explanation_until: datetime.date
    publish_by: datetime.date
    title: str = Field("", max_length=300)


class RoundOut(Schema):
    id: int
    title: str
    scheme: str
    version: int
    year: int
    province_id: int
    province: str
    stage: str
    self_until: datetime.date
    appraisal_until: datetime.date
    explanation_until: datetime.date
    publish_by: datetime.date
    units: int
    submitted: int
    decision: str
    published_at: datetime.datetime | None
    report_id: int | None


def round_out(round_: Round) -> dict:
    sheets = round_.sheets.all()
    return {
        "id": round_.pk,
        "title": round_.title,
        "scheme": round_.scheme.code,
        "version": round_.version.number,
        "year": round_.year,
        "province_id": round_.province_id,
        "province": round_.province.name,
        "stage": round_.stage,
        "self_until": round_.self_until,
        "appraisal_until": round_.appraisal_until,
        "explanation_until": round_.explanation_until,
        "publish_by": round_.publish_by,
        "units": sheets.count(),
        "submitted": sheets.filter(status="submitted").count(),
        "decision": round_.decision,
        "published_at": round_.published_at,
        "report_id": round_.report_id,
    }


class EvidenceOut(Schema):
    id: int
    number: str
    issued_on: datetime.date | None
    issuer: str
    abstract: str
    link: str
    file_name: str
    content_type: str
    size: int
    public: bool
    stage: str
    added_at: datetime.datetime


def evidence_out(evidence: Evidence) -> dict:
    return {
        "id": evidence.pk,
        "number": evidence.number,
        "issued_on": evidence.issued_on,
        "issuer": evidence.issuer,
        "abstract": evidence.abstract,
        "link": evidence.link,
        "file_name": evidence.file_name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "public": evidence.public,
        "stage": evidence.stage,
        "added_at": evidence.added_at,
    }


class EntryOut(Schema):
    component: str
    name: str
    group: str
    max_points: float
    rule: str
    thresholds: str
    evidence_needed: str
    department: str
    system_figure: float | None
    system_source: str
    figure: float | None
    measured: bool
    comment: str
    self_points: float | None
    review: str
    appraised_figure: float | None
    appraised_points: float | None
    reason: str
    answer: str
    explanation: str
    explanation_text: str
    explanation_reply: str
    final_points: float | None
    points: float | None
    evidence: list[EvidenceOut]


def entry_out(entry: Entry, *, language: str = "vi", department: str = "") -> dict:
    component = entry.component
    return {
        "component": component.code,
        "name": component.name(language),
        "group": component.group.code,
        "max_points": component.max_points,
        "rule": component.rule,
        "thresholds": component.thresholds,
        "evidence_needed": component.evidence,
        "department": department,
        "system_figure": entry.system_figure,
        "system_source": entry.system_source,
        "figure": entry.figure,
        "measured": entry.measured,
        "comment": entry.comment,
        "self_points": entry.self_points,
        "review": entry.review,
        "appraised_figure": entry.appraised_figure,
        "appraised_points": entry.appraised_points,
        "reason": entry.reason,
        "answer": entry.answer,
        "explanation": entry.explanation,
        "explanation_text": entry.explanation_text,
        "explanation_reply": entry.explanation_reply,
        "final_points": entry.final_points,
        "points": entry.points,
        "evidence": [evidence_out(e) for e in getattr(entry, "documents", [])],
    }


class SheetOut(Schema):
    round_id: int
    unit_id: int
    unit: str
    status: str
    submitted_at: datetime.datetime | None
    self_points: float
    points: float
    max_points: float
    entries: list[EntryOut]


class EntryIn(Schema):
    figure: Number = None
    comment: str | None = Field(None, max_length=4000)
    use_measured: bool = False


class AppraisalIn(Schema):
    decision: str = Field(max_length=10, description="accept, adjust or ask")
    figure: Number = None
    points: Number = None
    reason: str = Field("", max_length=4000)


class AnswerIn(Schema):
    answer: str = Field(max_length=4000)


class ExplanationIn(Schema):
    text: str = Field(max_length=4000)


class ReplyIn(Schema):
    accept: bool
    reply: str = Field(max_length=4000)
    figure: Number = None
    points: Number = None


class PublishIn(Schema):
    decision: str = Field(max_length=4000)
    signer_name: str = Field(max_length=120)


class StandingOut(Schema):
    rank: int
    previous_rank: int | None
    unit_id: int
    unit: str
    status: str
    self_points: float
    points: float
    change: float
    pillars: dict[str, float]
    components: dict[str, float | None]


class PeerGroupOut(Schema):
    peer_group: str
    label: str
    units: list[StandingOut]


class RankingOut(Schema):
    round: RoundOut
    pillars: list[str]
    groups: list[PeerGroupOut]


def ranking_out(result: Ranking, *, language: str = "vi") -> dict:
    return {
        "round": round_out(result.round),
        "pillars": [p.code for p in result.tree.top],
        "groups": [
            {
                "peer_group": code,
                "label": result.peer_label(code, language),
                "units": [
                    {
                        "rank": s.rank,
                        "previous_rank": s.previous_rank,
                        "unit_id": s.unit.pk,
                        "unit": s.unit.name,
                        "status": s.status,
                        "self_points": s.self_points,
                        "points": s.points,
                        "change": s.change,
                        "pillars": s.pillars,
                        "components": s.components,
                    }
                    for s in standings
                ],
            }
            for code, standings in result.groups.items()
        ],
    }


class ProgressRow(Schema):
    key: str
    name: str
    done: int
    asked: int
    total: int


class ProgressOut(Schema):
    departments: list[ProgressRow]
    units: list[ProgressRow]


class EventOut(Schema):
    id: int
    kind: str
    unit_id: int | None
    component: str
    actor: str | None
    at: datetime.datetime
    reason: str
    data: dict

"""JSON twins of the assessment pages: rounds, a unit's self-assessment and its evidence, the
appraisal, the provisional ranking and explanations, publication, and the round's history."""

import datetime

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from ninja import Form, Query, Router, Status

from dxmonitor.accounts.api import WRITE_AUTH, requester
from dxmonitor.catalog.schemes import require_scheme, require_version
from dxmonitor.common.api import MAX_OFFSET, WRITE_ERRORS, ErrorOut
from dxmonitor.common.errors import Forbidden, NotFound
from dxmonitor.common.ids import is_id
from dxmonitor.common.language import current_language
from dxmonitor.common.users import ApiRequest
from dxmonitor.geo.api import get_unit

from . import actions, appraisal
from .access import may_read_round, may_read_sheet
from .evidence import max_bytes
from .models import Department, Evidence, Round, Stage
from .queries import ranking, rounds_for, sheet_summary
from .schemas import (
    AnswerIn,
    AppraisalIn,
    AppraiserIn,
    DepartmentIn,
    DepartmentOut,
    EntryIn,
    EntryOut,
    EventOut,
    EvidenceOut,
    ExplanationIn,
    ProgressOut,
    PublishIn,
    RankingOut,
    ReplyIn,
    RoundIn,
    RoundOut,
    SheetOut,
    entry_out,
    evidence_out,
    ranking_out,
    round_out,
)

router = Router(tags=["assessment"])
ERRORS = {**WRITE_ERRORS, 409: ErrorOut}


def _language(request: ApiRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", "vi") or "vi"


def _round(request: ApiRequest, round_id: int, user=None) -> Round:
    round_ = actions.get_round(round_id)
    if not may_read_round(user if user is not None else requester(request), round_):
        raise NotFound(f"assessment round {round_id} does not exist", f"Không có đợt đánh giá {round_id}")
    return round_


def _entry(request: ApiRequest, round_id: int, unit_id: int, code: str):
    round_ = _round(request, round_id, request.auth)
    return actions.get_entry(actions.get_sheet(round_, unit_id), code)


def _department_out(department: Department) -> dict:
    return {
        "id": department.pk,
        "scheme": department.scheme.code,
        "code": department.code,
        "name_vi": department.name_vi,
        "name_en": department.name_en,
        "prefixes": department.prefixes,
    }


@router.get("/assessment/schemes/{scheme}/departments", response={200: list[DepartmentOut], **ERRORS})
def list_departments(request: ApiRequest, scheme: str):
    """The departments appraising a scheme's components, and the groups each appraises."""
    found = require_scheme(scheme)
    return [_department_out(d) for d in Department.objects.filter(scheme=found).select_related("scheme")]


@router.post(
    "/assessment/schemes/{scheme}/departments", response={201: DepartmentOut, **ERRORS}, auth=WRITE_AUTH
)
def put_department(request: ApiRequest, scheme: str, payload: DepartmentIn):
    """Name a department and the groups or components it appraises (national administrators)."""
    department = actions.set_department(scheme=require_scheme(scheme), user=request.auth, **payload.dict())
    return Status(201, _department_out(department))


@router.post(
    "/assessment/departments/{department_id}/appraisers", response={201: dict, **ERRORS}, auth=WRITE_AUTH
)
def add_appraiser(request: ApiRequest, department_id: int, payload: AppraiserIn):
    """Give a user the appraiser role of a department for a province (its administrators)."""
    department = Department.objects.filter(pk=department_id).first() if is_id(department_id) else None
    user = get_user_model().objects.filter(username=payload.username).first()
    if department is None or user is None:
        raise NotFound("no such department or user", "Không có sở, ngành hoặc tài khoản này")
    appraiser = actions.grant_appraiser(
        user=user, department=department, province=get_unit(payload.province_id), granted_by=request.auth
    )
    return Status(201, {"id": appraiser.pk, "username": user.username, "department": department.code})


@router.get("/assessment/rounds", response={200: list[RoundOut], **ERRORS}, url_name="assessment_rounds")
def list_rounds(request: ApiRequest):
    """The rounds the caller may see: their province's, and every published round (twin of /assessment/)."""
    return [round_out(r) for r in rounds_for(requester(request))]


@router.post("/assessment/rounds", response={201: RoundOut, **ERRORS}, auth=WRITE_AUTH)
def open_round(request: ApiRequest, payload: RoundIn):
    """Open a round (the province's administrators): every unit's sheet is prefilled."""
    scheme = require_scheme(payload.scheme)
    units = [get_unit(u) for u in payload.unit_ids] if payload.unit_ids else None
    round_ = actions.open_round(
        scheme=scheme,
        version=require_version(scheme, payload.version),
        year=payload.year,
        province=get_unit(payload.province_id),
        units=units,
        user=request.auth,
        self_until=payload.self_until,
        appraisal_until=payload.appraisal_until,
        explanation_until=payload.explanation_until,
        publish_by=payload.publish_by,
        title=payload.title,
    )
    return Status(201, round_out(round_))


@router.get("/assessment/rounds/{round_id}", response={200: RoundOut, **ERRORS}, url_name="assessment_round")
def read_round(request: ApiRequest, round_id: int):
    return round_out(_round(request, round_id))


def sheet_out(round_: Round, unit_id: int, *, language: str) -> dict:
    sheet = actions.get_sheet(round_, unit_id)
    entries, owners = sheet_summary(sheet)
    return {
        "round_id": round_.pk,
        "unit_id": sheet.unit_id,
        "unit": sheet.unit.name,
        "status": sheet.status,
        "submitted_at": sheet.submitted_at,
        "self_points": round(sum(e.self_points or 0 for e in entries), 6),
        "points": round(sum(e.points or 0 for e in entries), 6),
        "max_points": round_.version.max_points,
        "entries": [entry_out(e, language=language, department=owners[e.pk]) for e in entries],
    }


@router.get(
    "/assessment/rounds/{round_id}/units/{unit_id}",
    response={200: SheetOut, **ERRORS},
    auth=WRITE_AUTH,
    url_name="assessment_sheet",
)
def read_sheet(request: ApiRequest, round_id: int, unit_id: int):
    """A unit's self-assessment: each component's figure (measured or entered), points, evidence,
    the appraisal and the explanation."""
    round_ = _round(request, round_id, request.auth)
    if not may_read_sheet(request.auth, round_, get_unit(unit_id)):
        raise Forbidden(
            "you may not read this unit's sheet", "Bạn không được xem bản đánh giá của đơn vị này"
        )
    return sheet_out(round_, unit_id, language=current_language())


@router.put(
    "/assessment/rounds/{round_id}/units/{unit_id}/components/{code}",
    response={200: EntryOut, **ERRORS},
    auth=WRITE_AUTH,
)
def save_entry(request: ApiRequest, round_id: int, unit_id: int, code: str, payload: EntryIn):
    entry = actions.save_entry(
        entry=_entry(request, round_id, unit_id, code),
        user=request.auth,
        figure=payload.figure,
        comment=payload.comment,
        use_measured=payload.use_measured,
    )
    return entry_out(entry, language=current_language())


@router.post(
    "/assessment/rounds/{round_id}/units/{unit_id}/components/{code}/evidence",
    response={201: EvidenceOut, **ERRORS},
    auth=WRITE_AUTH,
)
def add_evidence(
    request: ApiRequest,
    round_id: int,
    unit_id: int,
    code: str,
    number: Form[str] = "",
    issued_on: Form[datetime.date | None] = None,
    issuer: Form[str] = "",
    abstract: Form[str] = "",
    link: Form[str] = "",
    public: Form[bool] = False,
):
    """Attach a document (multipart form): number, date, issuer, abstract, and a file (PDF, PNG,
    JPEG, Excel; bounded in size) or a link."""
    # An optional file is read from the form itself: the document may be a link only.
    file = request.FILES.get("file")
    data = file.read(max_bytes() + 1) if file is not None else None
    evidence = actions.add_evidence(
        entry=_entry(request, round_id, unit_id, code),
        user=request.auth,
        number=number,
        issued_on=issued_on,
        issuer=issuer,
        abstract=abstract,
        link=link,
        file_name=file.name if file is not None else "",
        data=data,
        public=public,
    )
    return Status(201, evidence_out(evidence))


@router.get(
    "/assessment/evidence/{evidence_id}/file", response={200: None, **ERRORS}, url_name="assessment_file"
)
def evidence_file(request: ApiRequest, evidence_id: int):
    """An evidence file: to those who may read the unit's sheet, or to anyone once the round is
    published and the file marked public."""
    found = Evidence.objects.select_related("entry__sheet__round", "entry__sheet__unit")
    evidence = found.filter(pk=evidence_id).first() if is_id(evidence_id) else None
    if evidence is None or not evidence.data:
        raise NotFound(f"no evidence file {evidence_id}", f"Không có tệp minh chứng {evidence_id}")
    round_, unit = evidence.entry.sheet.round, evidence.entry.sheet.unit
    public = round_.stage == Stage.PUBLISHED and evidence.public
    if not public and not may_read_sheet(requester(request), round_, unit):
        raise NotFound(f"no evidence file {evidence_id}", f"Không có tệp minh chứng {evidence_id}")
    response = HttpResponse(bytes(evidence.data), content_type=evidence.content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{evidence.file_name.encode("ascii", "ignore").decode() or "minh-chung"}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post(
    "/assessment/rounds/{round_id}/units/{unit_id}/submit",
    response={200: SheetOut, **ERRORS},
    auth=WRITE_AUTH,
)
def submit(request: ApiRequest, round_id: int, unit_id: int):
    """The unit's approver submits; refused listing the components still missing."""
    round_ = _round(request, round_id, request.auth)
    actions.submit_sheet(sheet=actions.get_sheet(round_, unit_id), user=request.auth)
    return sheet_out(round_, unit_id, language=current_language())


@router.post(
    "/assessment/rounds/{round_id}/units/{unit_id}/components/{code}/appraisal",
    response={200: EntryOut, **ERRORS},
    auth=WRITE_AUTH,
)
def appraise(request: ApiRequest, round_id: int, unit_id: int, code: str, payload: AppraisalIn):
    """Accept, adjust (a new figure or points, with the reason) or ask for evidence (the appraiser
    of the component's department for the round's province)."""
    entry = appraisal.appraise(
        entry=_entry(request, round_id, unit_id, code), user=request.auth, **payload.dict()
    )
    return entry_out(entry, language=current_language())


@router.post(
    "/assessment/rounds/{round_id}/units/{unit_id}/components/{code}/answer",
    response={200: EntryOut, **ERRORS},
    auth=WRITE_AUTH,
)
def answer(request: ApiRequest, round_id: int, unit_id: int, code: str, payload: AnswerIn):
    entry = actions.answer_question(
        entry=_entry(request, round_id, unit_id, code), user=request.auth, answer=payload.answer
    )
    return entry_out(entry, language=current_language())


@router.get("/assessment/rounds/{round_id}/progress", response={200: ProgressOut, **ERRORS}, auth=WRITE_AUTH)
def progress(request: ApiRequest, round_id: int):
    """How far the appraisal is, per department and per unit."""
    round_ = _round(request, round_id, request.auth)
    found = appraisal.progress(round_)
    language = current_language()
    return {
        "departments": [
            {
                "key": r["department"].code if r["department"] else "",
                "name": r["department"].name(language) if r["department"] else "",
                "done": r["done"],
                "asked": r["asked"],
                "total": r["total"],
            }
            for r in found["departments"]
        ],
        "units": [
            {"key": str(s.unit_id), "name": s.unit.name, "done": s.done, "asked": s.asked, "total": s.total}
            for s in found["units"]
        ],
    }


@router.post(
    "/assessment/rounds/{round_id}/close-appraisal", response={200: RoundOut, **ERRORS}, auth=WRITE_AUTH
)
def close_appraisal(request: ApiRequest, round_id: int):
    """Close appraisal; the provisional ranking goes to the units for their explanations."""
    return round_out(
        appraisal.close_appraisal(round_=_round(request, round_id, request.auth), user=request.auth)
    )


@router.get(
    "/assessment/rounds/{round_id}/ranking",
    response={200: RankingOut, **ERRORS},
    url_name="assessment_ranking",
)
def read_ranking(request: ApiRequest, round_id: int):
    """The ranking by peer group: total, per pillar and component, change from the self-assessment."""
    round_ = _round(request, round_id)
    if round_.stage in (Stage.SELF, Stage.APPRAISAL) and not may_read_round(requester(request), round_):
        raise NotFound(f"assessment round {round_id} does not exist", f"Không có đợt đánh giá {round_id}")
    return ranking_out(ranking(round_), language=current_language())


@router.post(
    "/assessment/rounds/{round_id}/units/{unit_id}/components/{code}/explanation",
    response={200: EntryOut, **ERRORS},
    auth=WRITE_AUTH,
)
def explain(request: ApiRequest, round_id: int, unit_id: int, code: str, payload: ExplanationIn):
    """The unit explains a component of its provisional result, before the deadline."""
    entry = appraisal.explain(
        entry=_entry(request, round_id, unit_id, code), user=request.auth, text=payload.text
    )
    return entry_out(entry, language=current_language())


@router.post(
    "/assessment/rounds/{round_id}/units/{unit_id}/components/{code}/explanation-reply",
    response={200: EntryOut, **ERRORS},
    auth=WRITE_AUTH,
)
def reply(request: ApiRequest, round_id: int, unit_id: int, code: str, payload: ReplyIn):
    entry = appraisal.reply_explanation(
        entry=_entry(request, round_id, unit_id, code), user=request.auth, **payload.dict()
    )
    return entry_out(entry, language=current_language())


@router.post("/assessment/rounds/{round_id}/publish", response={200: RoundOut, **ERRORS}, auth=WRITE_AUTH)
def publish(request: ApiRequest, round_id: int, payload: PublishIn):
    """The council's decision: the round is published, locked, and its official report made for signing
    (`POST /api/v1/official-reports/{report_id}/sign`)."""
    round_ = appraisal.publish(
        round_=_round(request, round_id, request.auth),
        user=request.auth,
        decision=payload.decision,
        signer_name=payload.signer_name,
    )
    return round_out(round_)


@router.get("/assessment/rounds/{round_id}/events", response={200: list[EventOut], **ERRORS}, auth=WRITE_AUTH)
def events(
    request: ApiRequest,
    round_id: int,
    limit: int = Query(500, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Every step of the round: who, when, why, old and new."""
    round_ = _round(request, round_id, request.auth)
    if not may_read_round(request.auth, round_) or (
        round_.stage == Stage.PUBLISHED and not may_read_sheet(request.auth, round_, round_.province)
    ):
        raise Forbidden(
            "you may not read this round's history", "Bạn không được xem lịch sử của đợt đánh giá này"
        )
    rows = round_.events.select_related("actor").order_by("id")[offset : offset + limit]
    return [
        {
            "id": e.pk,
            "kind": e.kind,
            "unit_id": e.unit_id,
            "component": e.component,
            "actor": e.actor.get_username() if e.actor else None,
            "at": e.at,
            "reason": e.reason,
            "data": e.data,
        }
        for e in rows
    ]

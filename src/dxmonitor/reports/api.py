"""JSON twins of the official reports pages: list, make, read, download, sign."""

from ninja import Query, Router, Status

from dxmonitor.accounts.api import WRITE_AUTH
from dxmonitor.common.api import MAX_OFFSET, WRITE_ERRORS, ErrorOut
from dxmonitor.common.users import ApiRequest
from dxmonitor.geo.api import get_unit

from . import actions, queries
from .files import download
from .schemas import OfficialReportOut, ReportIn, SignIn, report_out

router = Router(tags=["official reports"])

ERRORS = {**WRITE_ERRORS, 409: ErrorOut}


@router.get(
    "/official-reports",
    response={200: list[OfficialReportOut], **ERRORS},
    auth=WRITE_AUTH,
    url_name="official_reports",
)
def list_reports(
    request: ApiRequest,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Official reports of the units the caller may read, newest first (twin of /reports/)."""
    return [report_out(r) for r in queries.reports_for(request.auth)[offset : offset + limit]]


@router.post(
    "/official-reports",
    response={201: OfficialReportOut, **ERRORS},
    auth=WRITE_AUTH,
    url_name="official_report_new",
)
def make_report(request: ApiRequest, payload: ReportIn):
    """Make a unit's periodic report (PDF and DOCX in the layout of Nghị định 30/2020)."""
    from dxmonitor.workflow.queries import get_dataset

    unit = get_unit(payload.unit_id)
    dataset = get_dataset(payload.dataset) if payload.dataset else None
    report = actions.generate_report(
        unit=unit,
        period=payload.period,
        user=request.auth,
        dataset=dataset,
        signer_name=payload.signer_name,
        signer_title=payload.signer_title.replace("\\n", "\n"),
        authority=payload.authority,
        issuing_body=payload.issuing_body.replace("\\n", "\n"),
        parent_body=payload.parent_body,
        symbol=payload.symbol,
        place=payload.place,
        issued_on=payload.issued_on,
        recipients=payload.recipients or None,
    )
    return Status(201, report_out(report))


@router.get(
    "/official-reports/{report_id}",
    response={200: OfficialReportOut, **ERRORS},
    auth=WRITE_AUTH,
    url_name="official_report",
)
def read_report(request: ApiRequest, report_id: int):
    """One report (twin of /reports/{id}/)."""
    return report_out(queries.get_report(report_id=report_id, user=request.auth))


@router.get(
    "/official-reports/{report_id}/pdf",
    auth=WRITE_AUTH,
    response={200: None, **ERRORS},
    url_name="official_report_pdf",
)
def report_pdf(request: ApiRequest, report_id: int):
    """The report as PDF, Vietnamese fonts embedded, unsigned."""
    return download(queries.get_report(report_id=report_id, user=request.auth), "pdf")


@router.get(
    "/official-reports/{report_id}/docx",
    auth=WRITE_AUTH,
    response={200: None, **ERRORS},
    url_name="official_report_docx",
)
def report_docx(request: ApiRequest, report_id: int):
    """The report as DOCX, to edit in a word processor."""
    return download(queries.get_report(report_id=report_id, user=request.auth), "docx")


@router.get(
    "/official-reports/{report_id}/signed",
    auth=WRITE_AUTH,
    response={200: None, **ERRORS},
    url_name="official_report_signed",
)
def report_signed(request: ApiRequest, report_id: int):
    """The signed PDF (404 until the report is signed)."""
    return download(queries.get_report(report_id=report_id, user=request.auth), "signed")


@router.post(
    "/official-reports/{report_id}/sign",
    response={200: OfficialReportOut, **ERRORS},
    auth=WRITE_AUTH,
    url_name="official_report_sign",
)
def sign(request: ApiRequest, report_id: int, payload: SignIn):
    """Sign the report's PDF (PAdES) with one of the caller's keys; a report is signed once."""
    from dxmonitor.signing.actions import get_credential

    report = queries.get_report(report_id=report_id, user=request.auth)
    credential = get_credential(credential_id=payload.credential_id, user=request.auth)
    signed = actions.sign_report(
        report=report,
        credential=credential,
        password=payload.password or None,
        user=request.auth,
        reason=payload.reason,
    )
    return report_out(signed)

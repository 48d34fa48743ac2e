"""The shape of official reports in the API."""

import datetime

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from .models import OfficialReport


class ReportIn(Schema):
    unit_id: int
    period: str = Field(max_length=8, description='"2026", "2026Q3" or "202609"')
    signer_name: str = Field(max_length=120)
    dataset: str = Field("", max_length=40, description="limit the indicators to a data set's")
    signer_title: str = Field(
        "", max_length=120, description='lines separated by "\\n"; default KT. CHỦ TỊCH / PHÓ CHỦ TỊCH'
    )
    authority: str = Field("", max_length=120)
    issuing_body: str = Field("", max_length=200, description="default: ỦY BAN NHÂN DÂN and the unit")
    parent_body: str = Field("", max_length=200)
    symbol: str = Field("BC-UBND", max_length=40)
    place: str = Field("", max_length=120)
    issued_on: datetime.date | None = None
    recipients: list[str] = Field(default_factory=list, max_length=30)


class SignIn(Schema):
    credential_id: int
    password: str = Field("", max_length=200, description="the certificate file's password (personal keys)")
    reason: str = Field("", max_length=200)


class OfficialReportOut(Schema):
    id: int
    number: str
    unit: dict
    period: str
    dataset: str | None
    title: str
    issued_on: datetime.date
    place: str
    issuing_body: str
    signer_name: str
    signer_title: str
    generated_at: datetime.datetime
    generated_by: str | None
    signed: bool
    signed_at: datetime.datetime | None
    signed_by: str | None
    signer_subject: str
    pdf_sha256: str
    signed_sha256: str
    page_url: str
    pdf_url: str
    docx_url: str
    signed_pdf_url: str | None


def report_out(report: OfficialReport) -> dict:
    api = f"/api/v1/official-reports/{report.pk}"
    return {
        "id": report.pk,
        "number": report.number_symbol,
        "unit": {
            "id": report.unit_id,
            "code": report.unit.code,
            "name": report.unit.name,
            "level": report.unit.level,
        },
        "period": report.period,
        "dataset": report.dataset.code if report.dataset_id else None,
        "title": report.title,
        "issued_on": report.issued_on,
        "place": report.place,
        "issuing_body": report.issuing_body,
        "signer_name": report.signer_name,
        "signer_title": report.signer_title,
        "generated_at": report.generated_at,
        "generated_by": report.generated_by.get_username() if report.generated_by else None,
        "signed": report.is_signed,
        "signed_at": report.signed_at,
        "signed_by": report.signed_by.get_username() if report.signed_by else None,
        "signer_subject": report.signer_subject,
        "pdf_sha256": report.pdf_sha256,
        "signed_sha256": report.signed_sha256,
        "page_url": reverse("reports:detail", args=[report.pk]),
        "pdf_url": f"{api}/pdf",
        "docx_url": f"{api}/docx",
        "signed_pdf_url": f"{api}/signed" if report.is_signed else None,
    }

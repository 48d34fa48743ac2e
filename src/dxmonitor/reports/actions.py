"""Making an official report and signing it. Each function owns its transaction."""

import datetime
import hashlib
from collections.abc import Callable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dxmonitor.accounts.permissions import ENTER, can
from dxmonitor.collection.models import DataSet
from dxmonitor.collection.periods import parse_period
from dxmonitor.common.errors import DomainError, Forbidden, InvalidInput, Problem
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit

from .content import Heading, build_document, default_issuing_body, default_recipients
from .layout import OfficialDocument
from .models import OfficialReport
from .render_docx import render_docx
from .render_pdf import render_pdf

DEFAULT_AUTHORITY = "TM. ỦY BAN NHÂN DÂN"
DEFAULT_SIGNER_TITLE = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
DEFAULT_SYMBOL = "BC-UBND"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def generate_report(
    *,
    unit: Unit,
    period: str,
    user: AnyUser,
    signer_name: str,
    dataset: DataSet | None = None,
    signer_title: str = DEFAULT_SIGNER_TITLE,
    authority: str = DEFAULT_AUTHORITY,
    issuing_body: str = "",
    parent_body: str = "",
    symbol: str = DEFAULT_SYMBOL,
    place: str = "",
    issued_on: datetime.date | None = None,
    recipients: list[str] | None = None,
    build: Callable[[Heading], OfficialDocument] | None = None,
) -> OfficialReport:
    """The unit's periodic digital-transformation report as PDF and DOCX, numbered in the
    unit's series for the year ("15/BC-UBND"), from the figures in the analytics store — or, with
    `build`, the document another domain writes (an assessment round's result) under the heading."""
    if not can(user, ENTER, unit):
        raise Forbidden(
            f"{user.get_username()} may not issue reports for {unit.name}",
            f"Tài khoản {user.get_username()} không được lập báo cáo của {unit.name}",
            field="unit",
        )
    parsed = parse_period(period)
    problems = []
    if parsed.start is None:
        problems.append(Problem("period", "give a year, quarter or month", "Cần ghi năm, quý hoặc tháng"))
    if not signer_name.strip():
        problems.append(Problem("signer_name", "give the signer's name", "Cần ghi họ tên người ký"))
    if not symbol.strip() or "/" in symbol:
        problems.append(Problem("symbol", "a symbol such as BC-UBND", "Ký hiệu văn bản dạng BC-UBND"))
    if problems:
        raise InvalidInput(problems)
    issued_on = issued_on or timezone.localdate()
    parent = unit.parent
    with transaction.atomic():
        # Numbers run per issuing unit and year: lock the unit's row so two reports made at the
        # same moment never take the same number.
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        taken = OfficialReport.objects.filter(unit=unit, year=issued_on.year, symbol=symbol.strip())
        number = (taken.aggregate(top=Max("number"))["top"] or 0) + 1
        heading = Heading(
            issuing_body=issuing_body.strip() or default_issuing_body(unit),
            parent_body=parent_body.strip(),
            number=f"{number}/{symbol.strip()}",
            place=place.strip() or (unit.short_name if unit.level == "province" else _province_of(unit)),
            issued_on=issued_on,
            authority=authority.strip() or DEFAULT_AUTHORITY,
            signer_title=signer_title.strip() or DEFAULT_SIGNER_TITLE,
            signer_name=signer_name.strip(),
            recipients=[r.strip() for r in (recipients or default_recipients(unit, parent)) if r.strip()],
        )
        document = (
            build(heading)
            if build is not None
            else build_document(unit=unit, period=parsed, dataset=dataset, heading=heading)
        )
        rendered = render_pdf(document)
        docx = render_docx(document)
        return OfficialReport.objects.create(
            unit=unit,
            period=parsed.code,
            dataset=dataset,
            year=issued_on.year,
            number=number,
            symbol=symbol.strip(),
            issued_on=issued_on,
            place=heading.place,
            title=document.title,
            issuing_body=heading.issuing_body,
            parent_body=heading.parent_body,
            authority=heading.authority,
            signer_title=heading.signer_title,
            signer_name=heading.signer_name,
            recipients="\n".join(heading.recipients),
            pdf=rendered.data,
            docx=docx,
            pdf_sha256=_sha256(rendered.data),
            signature_page=rendered.signature_page,
            signature_box=list(rendered.signature_box),
            generated_by=user,
        )


def _province_of(unit: Unit) -> str:
    ids = unit.ancestor_ids()
    province = Unit.objects.filter(pk__in=ids, level="province").first()
    return province.short_name if province else unit.short_name


def sign_report(
    *, report: OfficialReport, credential, password: str | None, user: AnyUser, reason: str = ""
) -> OfficialReport:
    """Sign the report's PDF (PAdES) in its signature block; a report is signed once."""
    from dxmonitor.signing.actions import sign_pdf

    with transaction.atomic():
        report = (
            OfficialReport.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)
        )
        if report.is_signed:
            raise DomainError(
                f"report {report.number_symbol} was already signed by {report.signer_subject}",
                f"Báo cáo số {report.number_symbol} đã được ký bởi {report.signer_subject}",
                field="report",
            )
        signed = sign_pdf(
            pdf=bytes(report.pdf),
            credential=credential,
            password=password,
            user=user,
            reason=reason.strip() or f"Ký ban hành báo cáo số {report.number_symbol}",
            location=report.place,
            box=(report.signature_page, tuple(report.signature_box)),
        )
        report.signed_pdf = signed
        report.signed_sha256 = _sha256(signed)
        report.signed_at = timezone.now()
        report.signed_by = user
        report.signer_subject = credential.subject_name
        report.save()
    return report

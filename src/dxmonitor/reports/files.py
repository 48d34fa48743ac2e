"""Downloads of a report's files, shared by the pages and the API."""

from django.http import HttpResponse

from dxmonitor.common.errors import NotFound

from .models import OfficialReport

TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "signed": "application/pdf",
}


def download(report: OfficialReport, which: str) -> HttpResponse:
    """The report's PDF, DOCX or signed PDF as an attachment named after its number."""
    data = {"pdf": report.pdf, "docx": report.docx, "signed": report.signed_pdf}[which]
    if data is None:
        raise NotFound(
            f"report {report.number_symbol} is not signed yet",
            f"Báo cáo số {report.number_symbol} chưa được ký",
        )
    suffix = "-da-ky.pdf" if which == "signed" else f".{which}"
    name = f"bao-cao-{report.number}-{report.symbol}-{report.year}{suffix}"
    response = HttpResponse(bytes(data), content_type=TYPES[which])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response

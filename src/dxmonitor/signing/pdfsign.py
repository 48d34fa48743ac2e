"""The PAdES signature itself: a PDF, an opened key, and optionally a visible stamp.

The stamp is drawn with reportlab in the Tinos font (embedded) so that Vietnamese reads with its
diacritics, then placed as the appearance of the signature field. The time it shows is the
signing time embedded in the signature, to the second the same.
"""

import datetime
import io
from functools import lru_cache
from pathlib import Path

from django.utils import timezone
from pyhanko.pdf_utils import content
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.stamp import StaticStampStyle

from dxmonitor.common.errors import DomainError

FONT_PATH = Path(__file__).resolve().parent.parent / "reports" / "fonts" / "Tinos_400Regular.ttf"
FONT_NAME = "DxmSigningTinos"

Box = tuple[int, tuple[float, float, float, float]]


def not_a_pdf(reason: str = "") -> DomainError:
    detail = f" ({reason})" if reason else ""
    return DomainError(
        f"the file is not a readable PDF document{detail}",
        "Tệp không phải tài liệu PDF đọc được",
        field="file",
    )


def open_writer(pdf: bytes) -> IncrementalPdfFileWriter:
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise not_a_pdf()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise not_a_pdf(str(exc)) from exc
    if writer.prev.encrypted:
        raise DomainError(
            "the PDF is password-protected; remove the protection before signing",
            "Tệp PDF đang được đặt mật khẩu; hãy gỡ mật khẩu trước khi ký",
            field="file",
        )
    return writer


class _BytesPage(content.ImportedPdfPage):
    """pyHanko's imported page, read from memory rather than from a file name."""

    def __init__(self, data: bytes) -> None:
        super().__init__(file_name="", page_ix=0)
        self.data = data

    def render(self) -> bytes:
        import binascii
        import uuid

        writer = self._ensure_writer
        xobj = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.data)), page_ix=0)
        resource_name = b"/Import" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[resource_name.decode("ascii")] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        from pyhanko.pdf_utils.layout import BoxConstraints

        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return resource_name + b" Do"


@lru_cache(maxsize=1)
def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH)))
    return FONT_NAME


def stamp_lines(*, signer: str, at: datetime.datetime, reason: str) -> list[str]:
    local = timezone.localtime(at)
    lines = [f"Ký bởi: {signer}", f"Thời gian: {local:%H:%M %d/%m/%Y}"]
    if reason:
        lines.append(f"Lý do: {reason}")
    return lines


def render_stamp(lines: list[str], width: float, height: float) -> bytes:
    """A one-page PDF the size of the signature box with the lines, shrunk to fit."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    font = _font()
    margin = 3.0
    size = min(11.0, (height - 2 * margin) / (len(lines) * 1.25))
    widest = max(stringWidth(line, font, 1.0) for line in lines)
    if widest * size > width - 2 * margin:
        size = (width - 2 * margin) / widest
    size = max(size, 3.0)
    out = io.BytesIO()
    drawing = canvas.Canvas(out, pagesize=(width, height), pageCompression=1)
    drawing.setTitle("Chữ ký số")
    drawing.setFillColorRGB(0.05, 0.25, 0.55)
    drawing.setFont(font, size)
    top = height - margin - size
    for index, line in enumerate(lines):
        drawing.drawString(margin, top - index * size * 1.25, line)
    drawing.showPage()
    drawing.save()
    return out.getvalue()


class _TimedSigner(signers.PdfSigner):
    """A PdfSigner whose signing time is fixed beforehand, so the stamp shows the embedded time."""

    def __init__(self, *args, signing_time: datetime.datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self.signing_time
        return session


def sign_document(
    *,
    pdf: bytes,
    signer: signers.SimpleSigner,
    signer_name: str,
    reason: str,
    location: str,
    field_name: str,
    box: Box | None,
    signing_time: datetime.datetime,
) -> bytes:
    writer = open_writer(pdf)
    if any(fields.enumerate_sig_fields(writer.prev, filled_status=True, with_name=field_name)):
        raise DomainError(
            f"the document is already signed in the field {field_name}; sign in another field",
            f"Tài liệu đã được ký ở ô chữ ký {field_name}; hãy ký vào ô khác",
            field="field_name",
        )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=signer_name or None,
    )
    spec = None
    style = None
    if box is not None:
        page, (x1, y1, x2, y2) = box
        pages = int(writer.root["/Pages"]["/Count"])
        if not -pages <= page < pages:
            raise DomainError(
                f"the document has {pages} page(s); there is no page {page + 1}",
                f"Tài liệu có {pages} trang; không có trang {page + 1}",
                field="page",
            )
        left, right = sorted((x1, x2))
        bottom, top = sorted((y1, y2))
        if right - left < 20 or top - bottom < 10:
            raise DomainError(
                "the signature box is too small to show the signer",
                "Khung chữ ký quá nhỏ để hiển thị người ký",
                field="box",
            )
        spec = fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=page,
            box=(round(left), round(bottom), round(right), round(top)),
        )
        lines = stamp_lines(signer=signer_name, at=signing_time, reason=reason)
        stamp = render_stamp(lines, round(right) - round(left), round(top) - round(bottom))
        style = StaticStampStyle(background=_BytesPage(stamp), background_opacity=1.0, border_width=1)
    else:
        spec = fields.SigFieldSpec(sig_field_name=field_name)
    pdf_signer = _TimedSigner(meta, signer, stamp_style=style, new_field_spec=spec, signing_time=signing_time)
    try:
        out = pdf_signer.sign_pdf(writer)
    except SigningError as exc:
        raise DomainError(
            f"the document could not be signed: {exc}",
            f"Không ký được tài liệu: {exc}",
            field="file",
        ) from exc
    except PdfError as exc:
        raise not_a_pdf(str(exc)) from exc
    return out.getvalue()

"""Official reports made from the figures, numbered, signed in their signature block and verified;
a data set that requires one gets its final approval only once it is signed."""

import io
import os
import shutil
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from dxmonitor.common.errors import DomainError, Forbidden
from dxmonitor.reports.actions import generate_report, sign_report
from dxmonitor.reports.queries import has_signed_report, reports_for
from dxmonitor.signing.queries import verify_pdf

from .conftest import PASSWORD, YEAR

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _make(province, approver, **extra):
    return generate_report(unit=province, period=YEAR, user=approver, signer_name="Lê Văn Minh", **extra)


def test_a_province_report_carries_its_figures_against_targets(figures, province, approver):
    report = _make(province, approver)
    assert report.number_symbol == "1/BC-UBND" and report.period == YEAR
    text = _text(bytes(report.pdf))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Số: 1/BC-UBND" in text
    assert "TỈNH LAI CHÂU" in text and "Lê Văn Minh" in text
    assert "Kết quả thực hiện chuyển đổi số năm 2026" in text
    # The province's rate is the ratio of its communes' sums, 75/140, not the mean of 75 % and 37,5 %.
    assert "53,57" in text or "53,6" in text
    assert "Xã Than Uyên" in text and "Xã Tân Uyên" in text
    assert "Nơi nhận:" in text and "Bộ Khoa học và Công nghệ" in text

    from docx import Document

    docx_text = "\n".join(p.text for p in Document(io.BytesIO(bytes(report.docx))).paragraphs)
    tables = Document(io.BytesIO(bytes(report.docx))).tables
    cells = {c.text for t in tables for row in t.rows for c in row.cells}
    assert "Kết quả thực hiện chuyển đổi số năm 2026" in docx_text or any("năm 2026" in c for c in cells)
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in c for c in cells)


def test_numbers_run_per_unit_and_year(figures, province, approver):
    first = _make(province, approver)
    second = _make(province, approver)
    other = _make(province, approver, symbol="BC-SKHCN")
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert "Số: 2/BC-UBND" in _text(bytes(second.pdf))


def test_bad_input_is_refused_whole(figures, province, approver):
    with pytest.raises(DomainError) as refused:
        generate_report(unit=province, period="", user=approver, signer_name="  ")
    assert {p.field for p in refused.value.problems} == {"period", "signer_name"}
    assert not reports_for(approver).exists()


def test_only_units_in_ones_subtree(figures, province, unit_named, communes):
    from dxmonitor.accounts.actions import ensure_user, grant_role

    officer, _ = ensure_user(username="canbo.dienbien", password="mat-khau-dai-000")
    grant_role(
        user=officer, role="data_entry", unit=unit_named("tỉnh Điện Biên", as_of=communes[0].valid_from)
    )
    with pytest.raises(Forbidden):
        generate_report(unit=province, period=YEAR, user=officer, signer_name="Ai đó")
    assert not reports_for(officer).exists()


def test_the_pdf_renders_to_a_page_with_print(figures, province, approver, tmp_path):
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftoppm (poppler-utils) is needed to render the report")
        pytest.skip("pdftoppm is not installed (apt-get install poppler-utils)")
    report = _make(province, approver)
    source = tmp_path / "bao-cao.pdf"
    source.write_bytes(bytes(report.pdf))
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(source), str(tmp_path / "trang")],
        check=True,
    )
    page = Image.open(next(tmp_path.glob("trang*.png"))).convert("L")
    dark = sum(page.histogram()[:128])
    assert dark > page.width * page.height * 0.01


def test_signing_puts_a_valid_signature_in_the_signature_block(figures, province, approver, credential):
    report = _make(province, approver)
    assert not has_signed_report(unit=province, period=YEAR)
    signed = sign_report(report=report, credential=credential, password=PASSWORD, user=approver)
    assert signed.is_signed and signed.signer_subject == "Lê Văn Minh"
    assert has_signed_report(unit=province, period=YEAR)
    checked = verify_pdf(pdf=bytes(signed.signed_pdf))
    assert checked.valid and checked.signatures[0].signer == "Lê Văn Minh"
    assert not checked.signatures[0].modified_after_signing
    # The signature field sits where the layout left room for it.
    reader = PdfReader(io.BytesIO(bytes(signed.signed_pdf)))
    page = reader.pages[signed.signature_page]
    widgets = [a.get_object() for a in page.get("/Annots", []) if a.get_object().get("/FT") == "/Sig"]
    assert len(widgets) == 1
    rect = [float(v) for v in widgets[0]["/Rect"]]
    assert all(abs(a - b) < 1 for a, b in zip(rect, signed.signature_box, strict=True))

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from dxmonitor.signing.queries import trusted_roots

    roots = [r.certificate_pem for r in trusted_roots()]
    from asn1crypto import pem, x509

    context = ValidationContext(
        trust_roots=[x509.Certificate.load(pem.unarmor(r.encode())[2]) for r in roots], allow_fetching=False
    )
    embedded = PdfFileReader(io.BytesIO(bytes(signed.signed_pdf))).embedded_signatures[0]
    status = validate_pdf_signature(embedded, context)
    assert status.bottom_line and status.intact and status.trusted


def test_a_wrong_password_signs_nothing_and_a_report_is_signed_once(figures, province, approver, credential):
    report = _make(province, approver)
    with pytest.raises(DomainError):
        sign_report(report=report, credential=credential, password="sai-mat-khau", user=approver)
    report.refresh_from_db()
    assert not report.is_signed and report.signed_pdf is None
    sign_report(report=report, credential=credential, password=PASSWORD, user=approver)
    with pytest.raises(DomainError) as again:
        sign_report(report=report, credential=credential, password=PASSWORD, user=approver)
    assert "đã được ký" in again.value.message_vi


def test_a_signed_report_unblocks_the_final_approval(figures, province, approver, credential, communes):
    """A data set whose approval needs a signed report: refused before signing, granted after."""
    from dxmonitor.accounts.actions import ensure_user, grant_role
    from dxmonitor.collection.datasets import define_dataset
    from dxmonitor.workflow.actions import submit_report
    from dxmonitor.workflow.approval import approve_report

    dataset, _ = define_dataset(
        code="NAM_KY_SO",
        name_vi="Báo cáo năm cần ký số",
        name_en="Yearly report needing a signature",
        period_type="Y",
        level="commune",
        indicators=[("GOV.ONLINE_DOSSIER_RATE", True)],
        due_days=30,
        closes_days=3650,
        requires_signed_report=True,
    )
    clerk, _ = ensure_user(username="canbo.thanuyen", password="mat-khau-dai-111")
    grant_role(user=clerk, role="data_entry", unit=communes[0])
    report = submit_report(dataset=dataset, unit=communes[0], period=YEAR, user=clerk)
    with pytest.raises(DomainError):
        approve_report(report=report, user=approver)
    official = generate_report(
        unit=communes[0], period=YEAR, user=approver, signer_name="Lê Văn Minh", dataset=dataset
    )
    sign_report(report=official, credential=credential, password=PASSWORD, user=approver)
    assert approve_report(report=report, user=approver).status == "locked"

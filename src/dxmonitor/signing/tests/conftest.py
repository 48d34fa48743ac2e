"""Real certificates (made by the product's own PKI helpers) and a real PDF with Vietnamese text."""

import datetime
import io

import pytest

from dxmonitor.signing import pki

NEW_DAY = datetime.date(2025, 8, 1)
PASSWORD = "mat-khau-chung-thu-2025"


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


@pytest.fixture(scope="session")
def ca():
    return pki.make_ca(common_name="CA thử nghiệm dxmonitor (không dùng thật)", organisation="dxmonitor")


@pytest.fixture(scope="session")
def rogue_ca():
    return pki.make_ca(common_name="CA lạ không được tin cậy")


@pytest.fixture
def trusted(db, ca, admin):
    from dxmonitor.signing.actions import add_trusted_root

    return add_trusted_root(certificate_pem=ca.pem, name="CA thử nghiệm", by=admin)


def p12_of(issued, ca=None, password: str = PASSWORD) -> bytes:
    return pki.export_pkcs12(issued, password=password, chain=[ca.certificate] if ca else [])


@pytest.fixture(scope="session")
def person_cert(ca):
    return pki.issue(ca=ca, common_name="Nguyễn Thị Hằng", organisation="UBND tỉnh Lai Châu")


@pytest.fixture
def person_p12(person_cert, ca) -> bytes:
    return p12_of(person_cert, ca)


@pytest.fixture
def signer_user(db):
    from dxmonitor.accounts.actions import ensure_user

    user, _ = ensure_user(username="nguyenthihang", password="mat-khau-dai-321")
    return user


@pytest.fixture
def credential(signer_user, person_p12, trusted):
    from dxmonitor.signing.actions import upload_credential

    return upload_credential(user=signer_user, pkcs12=person_p12, password=PASSWORD, label="Chữ ký của tôi")


@pytest.fixture
def province(unit_named):
    return unit_named("tỉnh Lai Châu", as_of=NEW_DAY)


@pytest.fixture
def other_province(unit_named):
    return unit_named("tỉnh Điện Biên", as_of=NEW_DAY)


@pytest.fixture
def approver(db, province):
    from dxmonitor.accounts.actions import ensure_user, grant_role

    user, _ = ensure_user(username="pheduyet", password="mat-khau-dai-789")
    grant_role(user=user, role="approver", unit=province)
    return user


@pytest.fixture
def unit_credential(approver, province, ca, trusted):
    from dxmonitor.signing.actions import create_unit_credential

    issued = pki.issue(ca=ca, common_name="UBND tỉnh Lai Châu", organisation="UBND tỉnh Lai Châu")
    return create_unit_credential(
        unit=province, pkcs12=p12_of(issued, ca, "khoa-don-vi"), password="khoa-don-vi", by=approver
    )


@pytest.fixture(scope="session")
def pdf() -> bytes:
    """A two-page report in Vietnamese with the Tinos font embedded."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from dxmonitor.signing.pdfsign import FONT_PATH

    pdfmetrics.registerFont(TTFont("TinosThu", str(FONT_PATH)))
    out = io.BytesIO()
    drawing = canvas.Canvas(out, pagesize=A4)
    drawing.setTitle("Báo cáo chuyển đổi số quý III năm 2025")
    for page, text in enumerate(
        (
            "Báo cáo kết quả chuyển đổi số xã Than Uyên, quý III năm 2025",
            "Tỷ lệ hồ sơ trực tuyến toàn trình đạt 62,5%; 14/14 bản có tổ công nghệ số cộng đồng.",
        )
    ):
        drawing.setFont("TinosThu", 13)
        drawing.drawString(72, 770, text)
        drawing.drawString(72, 740, f"Trang {page + 1}")
        drawing.showPage()
    drawing.save()
    return out.getvalue()

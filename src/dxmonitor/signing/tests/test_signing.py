"""Signing and verification with real certificates and real PDFs."""

import datetime
import io

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.hazmat.primitives.serialization import pkcs12 as crypto_pkcs12
from django.utils import timezone

from dxmonitor.common.errors import DomainError, Forbidden
from dxmonitor.signing import actions, pki, vault
from dxmonitor.signing.models import Credential
from dxmonitor.signing.queries import verify_pdf

from .conftest import PASSWORD, now, p12_of

pytestmark = pytest.mark.django_db

REASON = "Phê duyệt báo cáo quý III/2025"
BOX = (0, (340.0, 60.0, 560.0, 130.0))


def _sign(pdf, credential, user, *, password=PASSWORD, box=BOX, **extra):
    return actions.sign_pdf(
        pdf=pdf,
        credential=credential,
        password=password,
        user=user,
        reason=REASON,
        location="Lai Châu",
        box=box,
        **extra,
    )


def _problems_vi(result) -> list[str]:
    return [p.message_vi for p in result.problems]


def test_a_signed_pdf_verifies_as_valid_with_its_signer_time_and_reason(credential, signer_user, pdf):
    signed = _sign(pdf, credential, signer_user)
    result = verify_pdf(pdf=signed)
    assert result.signed and result.valid and not result.problems
    (signature,) = result.signatures
    assert signature.intact and signature.trusted and signature.covers_whole_file
    assert not signature.modified_after_signing and signature.modification == "none"
    assert signature.signer == "Nguyễn Thị Hằng" and signature.organisation == "UBND tỉnh Lai Châu"
    assert signature.issuer == "CA thử nghiệm dxmonitor (không dùng thật)"
    assert signature.reason == REASON and signature.location == "Lai Châu"
    assert signature.field_name == "ChuKySo"
    assert abs(signature.signing_time - timezone.now()) < datetime.timedelta(minutes=2)
    assert signature.serial == credential.serial


def test_pyhanko_agrees_the_signature_is_pades_and_valid(credential, signer_user, pdf, ca):
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    signed = _sign(pdf, credential, signer_user, box=None)
    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    root = asn1_x509.Certificate.load(ca.certificate.public_bytes(Encoding.DER))
    status = validate_pdf_signature(
        embedded, ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")
    )
    assert status.bottom_line and status.md_algorithm == "sha256"
    assert status.signer_reported_dt is not None
    assert status.signing_cert.subject.native["common_name"] == "Nguyễn Thị Hằng"


def test_the_visible_stamp_shows_the_signer_in_vietnamese(credential, signer_user, pdf):
    from pypdf import PdfReader

    signed = _sign(pdf, credential, signer_user)
    page = PdfReader(io.BytesIO(signed)).pages[0]
    (widget,) = [a.get_object() for a in page["/Annots"] if a.get_object().get("/FT") == "/Sig"]
    assert [round(float(v)) for v in widget["/Rect"]] == [340, 60, 560, 130]
    fonts = _fonts_under(widget["/AP"]["/N"].get_object())
    assert any(name.endswith("+Tinos-Regular") for name in fonts), fonts


def _fonts_under(xobject, depth: int = 0) -> list[str]:
    """The base fonts an appearance and the forms it draws use (the stamp is a form inside it)."""
    resources = xobject.get("/Resources", {})
    names = [str(f.get_object()["/BaseFont"]) for f in resources.get("/Font", {}).values()]
    if depth < 4:
        for inner in resources.get("/XObject", {}).values():
            names += _fonts_under(inner.get_object(), depth + 1)
    return names


def test_the_stamp_reads_in_vietnamese_with_the_signing_time():
    from pypdf import PdfReader

    from dxmonitor.signing.pdfsign import render_stamp, stamp_lines

    at = timezone.make_aware(datetime.datetime(2025, 9, 30, 14, 5))
    lines = stamp_lines(signer="Nguyễn Thị Hằng", at=at, reason=REASON)
    assert lines == ["Ký bởi: Nguyễn Thị Hằng", "Thời gian: 14:05 30/09/2025", f"Lý do: {REASON}"]
    text = PdfReader(io.BytesIO(render_stamp(lines, 220, 70))).pages[0].extract_text()
    assert "Ký bởi: Nguyễn Thị Hằng" in text and "Thời gian: 14:05 30/09/2025" in text


def test_an_invisible_signature_has_no_visible_rectangle(credential, signer_user, pdf):
    from pypdf import PdfReader

    signed = _sign(pdf, credential, signer_user, box=None)
    assert verify_pdf(pdf=signed).valid
    widgets = [a.get_object() for a in PdfReader(io.BytesIO(signed)).pages[0].get("/Annots", [])]
    assert all(float(w["/Rect"][2]) - float(w["/Rect"][0]) == 0 for w in widgets)


def test_upload_refuses_a_wrong_password_and_keeps_nothing(signer_user, person_p12):
    with pytest.raises(DomainError) as caught:
        actions.upload_credential(user=signer_user, pkcs12=person_p12, password="sai-mat-khau")
    assert caught.value.message_vi == "Mật khẩu tệp chứng thư số không đúng"
    assert not Credential.objects.exists()


def test_signing_refuses_a_wrong_password_and_returns_nothing(credential, signer_user, pdf):
    with pytest.raises(DomainError) as caught:
        _sign(pdf, credential, signer_user, password="sai-mat-khau")
    assert caught.value.message_vi == "Mật khẩu tệp chứng thư số không đúng"
    with pytest.raises(DomainError) as missing:
        _sign(pdf, credential, signer_user, password="")
    assert missing.value.field == "password"


def test_upload_refuses_a_file_that_is_not_pkcs12(signer_user, pdf):
    with pytest.raises(DomainError) as caught:
        actions.upload_credential(user=signer_user, pkcs12=pdf[:4000], password=PASSWORD)
    assert "PKCS#12" in caught.value.message_vi


def test_upload_refuses_a_file_over_the_size_bound(signer_user, person_p12):
    with pytest.raises(DomainError) as caught:
        actions.upload_credential(user=signer_user, pkcs12=person_p12 + b"\0" * 300_000, password=PASSWORD)
    assert "256 kB" in caught.value.message_vi


def test_upload_refuses_an_expired_certificate_with_its_date(signer_user, ca):
    start = now() - datetime.timedelta(days=800)
    expired = pki.issue(
        ca=ca, common_name="Lò Văn Hết", not_before=start, not_after=start + datetime.timedelta(days=730)
    )
    with pytest.raises(DomainError) as caught:
        actions.upload_credential(user=signer_user, pkcs12=p12_of(expired, ca), password=PASSWORD)
    day = timezone.localtime(start + datetime.timedelta(days=730)).strftime("%d/%m/%Y")
    assert caught.value.message_vi == f"Chứng thư số đã hết hạn ngày {day}"
    assert not Credential.objects.exists()


def test_upload_refuses_a_certificate_not_yet_valid(signer_user, ca):
    start = now() + datetime.timedelta(days=10)
    early = pki.issue(ca=ca, common_name="Lò Văn Sớm", not_before=start)
    with pytest.raises(DomainError) as caught:
        actions.upload_credential(user=signer_user, pkcs12=p12_of(early, ca), password=PASSWORD)
    assert caught.value.message_vi.startswith("Chứng thư số chỉ có hiệu lực từ ngày ")


def test_upload_refuses_a_certificate_not_meant_for_signing(signer_user, ca):
    exchange = pki.issue(ca=ca, common_name="Máy chủ trao đổi khóa", signing=False)
    with pytest.raises(DomainError) as caught:
        actions.upload_credential(user=signer_user, pkcs12=p12_of(exchange, ca), password=PASSWORD)
    assert "không dùng để ký" in caught.value.message_vi


def test_uploading_the_same_certificate_again_gives_the_kept_key(credential, signer_user, person_p12):
    again = actions.upload_credential(user=signer_user, pkcs12=person_p12, password=PASSWORD)
    assert again.pk == credential.pk and Credential.objects.count() == 1


def test_signing_refuses_a_key_whose_certificate_has_expired_since_upload(
    credential, signer_user, pdf, monkeypatch
):
    later = credential.not_after + datetime.timedelta(days=1)
    monkeypatch.setattr(actions.timezone, "now", lambda: later)
    with pytest.raises(DomainError) as caught:
        _sign(pdf, credential, signer_user)
    assert caught.value.message_vi.startswith("Chứng thư số đã hết hạn ngày ")


def test_signing_refuses_a_key_whose_certificate_is_not_yet_valid(credential, signer_user, pdf, monkeypatch):
    earlier = credential.not_before - datetime.timedelta(days=1)
    monkeypatch.setattr(actions.timezone, "now", lambda: earlier)
    with pytest.raises(DomainError) as caught:
        _sign(pdf, credential, signer_user)
    assert caught.value.message_vi.startswith("Chứng thư số chỉ có hiệu lực từ ngày ")


def test_signing_refuses_a_key_no_longer_in_use(credential, signer_user, pdf):
    actions.deactivate_credential(credential=credential, by=signer_user)
    with pytest.raises(DomainError) as caught:
        _sign(pdf, credential, signer_user)
    assert caught.value.message_vi == "Khóa ký này đã ngừng sử dụng"


def _sign_back_then(pdf, issued, ca, at):
    """Sign with the product's signing core at a past moment, as if the key had been used then."""
    from pyhanko.sign import signers

    from dxmonitor.signing.pdfsign import sign_document

    signer = signers.SimpleSigner.load_pkcs12_data(
        p12_of(issued, ca), other_certs=[], passphrase=PASSWORD.encode()
    )
    return sign_document(
        pdf=pdf,
        signer=signer,
        signer_name=issued.certificate.subject.rfc4514_string(),
        reason=REASON,
        location="Lai Châu",
        field_name="ChuKySo",
        box=None,
        signing_time=at,
    )


def test_a_pdf_signed_while_the_certificate_was_valid_stays_valid_after_it_expires(trusted, ca, pdf):
    start = now() - datetime.timedelta(days=800)
    issued = pki.issue(ca=ca, common_name="Lò Thị Xưa", not_before=start, days=730)
    signed = _sign_back_then(pdf, issued, ca, start + datetime.timedelta(days=100))
    result = verify_pdf(pdf=signed)
    assert result.valid, _problems_vi(result)
    assert not result.signatures[0].expired_at_signing


def test_a_signature_dated_after_the_certificate_expired_is_invalid(trusted, ca, pdf):
    start = now() - datetime.timedelta(days=800)
    issued = pki.issue(ca=ca, common_name="Lò Thị Xưa", not_before=start, days=730)
    signed = _sign_back_then(pdf, issued, ca, start + datetime.timedelta(days=760))
    result = verify_pdf(pdf=signed)
    (signature,) = result.signatures
    assert not result.valid and signature.expired_at_signing and signature.intact
    assert "Chứng thư số đã hết hạn vào thời điểm ký" in _problems_vi(result)


def test_a_signature_dated_before_the_certificate_was_valid_is_invalid(trusted, ca, pdf):
    start = now() - datetime.timedelta(days=30)
    issued = pki.issue(ca=ca, common_name="Lò Thị Sớm", not_before=start, days=730)
    signed = _sign_back_then(pdf, issued, ca, start - datetime.timedelta(days=5))
    result = verify_pdf(pdf=signed)
    assert not result.valid and result.signatures[0].not_yet_valid_at_signing
    assert "Chứng thư số chưa có hiệu lực vào thời điểm ký" in _problems_vi(result)


def test_a_certificate_from_an_untrusted_ca_is_intact_but_not_trusted(trusted, rogue_ca, signer_user, pdf):
    stranger = pki.issue(ca=rogue_ca, common_name="Người lạ", organisation="Không rõ")
    credential = actions.upload_credential(
        user=signer_user, pkcs12=p12_of(stranger, rogue_ca), password=PASSWORD
    )
    result = verify_pdf(pdf=_sign(pdf, credential, signer_user))
    (signature,) = result.signatures
    assert signature.intact and not signature.trusted and not result.valid
    assert _problems_vi(result) == ["Chứng thư số không do tổ chức chứng thực được tin cậy cấp"]


def test_a_removed_root_is_no_longer_trusted(credential, signer_user, pdf, trusted, admin):
    signed = _sign(pdf, credential, signer_user)
    actions.remove_trusted_root(root=trusted, by=admin)
    assert not verify_pdf(pdf=signed).signatures[0].trusted


def test_page_content_changed_after_signing_is_reported_as_modified(credential, signer_user, pdf):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = _sign(pdf, credential, signer_user)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(1)
    page = page_ref.get_object()
    forged = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 600 Td (99,9%) Tj ET"))
    page["/Contents"] = forged
    writer.mark_update(page_ref)
    out = io.BytesIO()
    writer.write(out)
    result = verify_pdf(pdf=out.getvalue())
    (signature,) = result.signatures
    assert signature.intact and not signature.covers_whole_file
    assert signature.modified_after_signing and not result.valid
    assert "Tài liệu đã bị sửa sau khi ký" in _problems_vi(result)


def test_bytes_flipped_inside_the_signed_range_break_the_signature(credential, signer_user, pdf):
    signed = bytearray(_sign(pdf, credential, signer_user))
    start = signed.index(b"stream", signed.index(b"/Contents")) + 20
    signed[start] ^= 0xFF
    result = verify_pdf(pdf=bytes(signed))
    assert result.signed and not result.valid and not result.signatures[0].intact
    assert "Nội dung đã ký không khớp với chữ ký (tệp đã bị thay đổi)" in _problems_vi(result)


def test_a_second_signature_leaves_the_first_valid(credential, signer_user, pdf, unit_credential, approver):
    first = _sign(pdf, credential, signer_user)
    both = _sign(first, unit_credential, approver, password=None, field_name="ChuKyDonVi", box=None)
    result = verify_pdf(pdf=both)
    assert [s.field_name for s in result.signatures] == ["ChuKySo", "ChuKyDonVi"]
    assert result.valid, _problems_vi(result)
    assert not result.signatures[0].covers_whole_file and result.signatures[0].modification == "form_filling"


def test_a_field_already_signed_is_not_signed_over(credential, signer_user, pdf):
    signed = _sign(pdf, credential, signer_user)
    with pytest.raises(DomainError) as caught:
        _sign(signed, credential, signer_user)
    assert caught.value.message_vi == "Tài liệu đã được ký ở ô chữ ký ChuKySo; hãy ký vào ô khác"


def test_a_box_on_a_page_the_document_lacks_is_refused(credential, signer_user, pdf):
    with pytest.raises(DomainError) as caught:
        _sign(pdf, credential, signer_user, box=(5, (340.0, 60.0, 560.0, 130.0)))
    assert caught.value.message_vi == "Tài liệu có 2 trang; không có trang 6"


def test_an_unsigned_pdf_is_reported_unsigned(pdf, trusted):
    result = verify_pdf(pdf=pdf)
    assert not result.signed and not result.valid
    assert _problems_vi(result) == ["Tài liệu không có chữ ký số"]


def test_a_file_that_is_not_a_pdf_is_refused(trusted):
    with pytest.raises(DomainError) as caught:
        verify_pdf(pdf="Báo cáo chuyển đổi số".encode())
    assert caught.value.message_vi == "Tệp không phải tài liệu PDF đọc được"
    with pytest.raises(DomainError):
        verify_pdf(pdf=b"%PDF-1.7\n garbage without objects")


def test_nobody_signs_with_someone_elses_personal_key(credential, approver, pdf):
    with pytest.raises(Forbidden):
        _sign(pdf, credential, approver)


def test_a_unit_key_signs_for_its_approvers_without_a_password(unit_credential, approver, pdf):
    result = verify_pdf(pdf=_sign(pdf, unit_credential, approver, password=None))
    assert result.valid and result.signatures[0].signer == "UBND tỉnh Lai Châu"


def test_a_unit_key_is_refused_outside_its_approvers(
    unit_credential, other_province, officer, pdf, unit_named
):
    from dxmonitor.accounts.actions import ensure_user, grant_role

    elsewhere, _ = ensure_user(username="pheduyet.dienbien", password="mat-khau-dai-654")
    grant_role(user=elsewhere, role="approver", unit=other_province)
    with pytest.raises(Forbidden):
        _sign(pdf, unit_credential, elsewhere, password=None)
    commune = unit_named("xã Than Uyên", as_of=datetime.date(2025, 8, 1), province="Lai Châu")
    grant_role(user=officer, role="data_entry", unit=commune)
    with pytest.raises(Forbidden):
        _sign(pdf, unit_credential, officer, password=None)


def test_only_the_units_approvers_keep_a_key_for_it(province, officer, ca, trusted):
    issued = pki.issue(ca=ca, common_name="UBND tỉnh Lai Châu")
    with pytest.raises(Forbidden):
        actions.create_unit_credential(
            unit=province, pkcs12=p12_of(issued, ca), password=PASSWORD, label="", by=officer
        )


def test_only_national_administrators_choose_trusted_roots(ca, officer):
    with pytest.raises(Forbidden):
        actions.add_trusted_root(certificate_pem=ca.pem, name="CA", by=officer)


def test_a_leaf_certificate_is_not_accepted_as_a_root(person_cert, admin):
    with pytest.raises(DomainError) as caught:
        actions.add_trusted_root(certificate_pem=person_cert.pem, name="", by=admin)
    assert "không phải của tổ chức chứng thực" in caught.value.message_vi


def test_the_kept_pkcs12_is_encrypted_and_opens_to_the_original(credential, person_p12, person_cert):
    raw = bytes(Credential.objects.get(pk=credential.pk).pkcs12)
    assert person_cert.certificate.public_bytes(Encoding.DER) not in raw
    with pytest.raises(ValueError):
        crypto_pkcs12.load_key_and_certificates(raw, PASSWORD.encode())
    assert vault.unseal(raw) == person_p12
    assert bytes(Credential.objects.get(pk=credential.pk).secret) == b""


def test_a_unit_keys_password_is_kept_encrypted(unit_credential):
    secret = bytes(Credential.objects.get(pk=unit_credential.pk).secret)
    assert secret and b"khoa-don-vi" not in secret
    assert vault.unseal(secret) == b"khoa-don-vi"


def test_credentials_for_lists_own_and_approved_units_keys(
    credential, unit_credential, signer_user, approver
):
    from dxmonitor.signing.queries import credentials_for

    assert list(credentials_for(signer_user)) == [credential]
    assert list(credentials_for(approver)) == [unit_credential]


def test_the_demo_pki_is_made_once(tmp_path, approver, province, signer_user):
    people = [("pheduyet", "Người phê duyệt (mô phỏng)"), ("nguyenthihang", "Nguyễn Thị Hằng (mô phỏng)")]
    first = actions.create_demo_pki(directory=tmp_path, people=people, units=[province])
    assert first.ca_created and first.issued == 3 and first.root.name == actions.DEMO_CA_NAME
    counts = Credential.objects.count()
    second = actions.create_demo_pki(directory=tmp_path, people=people, units=[province])
    assert not second.ca_created and second.issued == 0 and Credential.objects.count() == counts == 3
    assert [k.credential.pk for k in second.keys] == [k.credential.pk for k in first.keys]
    assert (tmp_path / "pheduyet.p12").stat().st_mode & 0o077 == 0
    personal = next(k for k in second.keys if k.holder == "pheduyet")
    assert personal.credential.organisation == province.name
    signed = actions.sign_pdf(
        pdf=_tiny_pdf(),
        credential=personal.credential,
        password=personal.password,
        user=approver,
        reason="Thử",
        location="Lai Châu",
    )
    assert verify_pdf(pdf=signed).valid


def _tiny_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    drawing = canvas.Canvas(out)
    drawing.drawString(72, 720, "Thu nghiem")
    drawing.save()
    return out.getvalue()

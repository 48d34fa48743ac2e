"""The signing pages, their JSON twins and the command line, with real files."""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dxmonitor.signing import actions
from dxmonitor.signing.models import Credential, SignatureCheck, TrustedRoot

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(credential, signer_user, pdf) -> bytes:
    return actions.sign_pdf(
        pdf=pdf,
        credential=credential,
        password=PASSWORD,
        user=signer_user,
        reason="Phê duyệt báo cáo",
        location="Lai Châu",
        box=(0, (340.0, 60.0, 560.0, 130.0)),
    )


@pytest.fixture
def modified(signed) -> bytes:
    changed = bytearray(signed)
    start = changed.index(b"stream", changed.index(b"/Contents")) + 20
    changed[start] ^= 0xFF
    return bytes(changed)


def _csrf(client: Client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)


def test_the_upload_form_keeps_a_key_through_csrf(signer_user, person_p12, trusted):
    client = Client(enforce_csrf_checks=True)
    client.force_login(signer_user)
    token = _csrf(client, "/signing/")
    without = client.post(
        "/signing/credentials/", {"file": SimpleUploadedFile("toi.p12", person_p12), "password": PASSWORD}
    )
    assert without.status_code == 403 and not Credential.objects.exists()
    answer = client.post(
        "/signing/credentials/",
        {
            "file": SimpleUploadedFile("toi.p12", person_p12),
            "password": PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )
    assert answer.status_code == 302
    page = client.get("/signing/").content.decode()
    assert "Nguyễn Thị Hằng" in page and "CA thử nghiệm dxmonitor" in page
    assert Credential.objects.get().owner == signer_user


def test_the_upload_form_says_the_password_is_wrong(signer_user, person_p12):
    client = Client()
    client.force_login(signer_user)
    answer = client.post(
        "/signing/credentials/",
        {"file": SimpleUploadedFile("toi.p12", person_p12), "password": "sai"},
        follow=True,
    )
    assert "Mật khẩu tệp chứng thư số không đúng" in answer.content.decode()
    assert not Credential.objects.exists()


def test_an_administrator_trusts_an_authority_from_its_pem(admin, ca, officer):
    client = Client()
    client.force_login(officer)
    client.post("/signing/roots/", {"file": SimpleUploadedFile("ca.pem", ca.pem.encode())})
    assert not TrustedRoot.objects.exists()
    client.force_login(admin)
    client.post("/signing/roots/", {"file": SimpleUploadedFile("ca.crt", ca.pem.encode()), "name": "CA thử"})
    assert TrustedRoot.objects.get().name == "CA thử"


def test_the_verify_page_shows_a_valid_signature(client, officer, signed):
    client.force_login(officer)
    page = client.post("/signing/verify/", {"file": SimpleUploadedFile("bao-cao.pdf", signed)})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'class="verdict valid"' in text and "Nguyễn Thị Hằng" in text
    assert SignatureCheck.objects.get().valid


def test_the_verify_page_shows_a_modified_pdf_as_invalid(client, officer, modified):
    client.force_login(officer)
    text = client.post(
        "/signing/verify/", {"file": SimpleUploadedFile("bao-cao.pdf", modified)}
    ).content.decode()
    assert 'class="verdict invalid"' in text
    assert "Nội dung đã ký không khớp với chữ ký" in text


def test_the_verify_page_refuses_a_file_that_is_not_a_pdf(client, officer):
    client.force_login(officer)
    page = client.post("/signing/verify/", {"file": SimpleUploadedFile("bang.xlsx", b"PK\x03\x04 not a pdf")})
    assert page.status_code == 400 and "Tệp không phải tài liệu PDF đọc được" in page.content.decode()


def test_the_pages_need_a_signed_in_user(client):
    assert client.get("/signing/").status_code == 302
    assert client.get("/signing/verify/").status_code == 302


def _token(user) -> str:
    from dxmonitor.accounts.actions import create_token

    return create_token(user=user, name="kiem-tra-chu-ky")[1]


def test_the_api_verifies_with_the_same_facts_as_the_page(officer, signed, modified):
    from dxmonitor.signing.queries import verify_pdf

    headers = {"Authorization": f"Bearer {_token(officer)}"}
    client = Client()
    good = client.post(
        "/api/v1/signing/verify", {"file": SimpleUploadedFile("a.pdf", signed)}, headers=headers
    )
    assert good.status_code == 200
    facts = verify_pdf(pdf=signed)
    answer, (signature,) = good.json(), facts.signatures
    assert answer["sha256"] == facts.sha256 and answer["valid"] == facts.valid
    for key in ("signer", "organisation", "issuer", "serial", "reason", "intact", "trusted"):
        assert answer["signatures"][0][key] == getattr(signature, key)
    assert answer["signatures"][0]["signing_time"][:16] == signature.signing_time.isoformat()[:16]
    assert good.json()["valid"] and good.json()["signatures"][0]["signer"] == "Nguyễn Thị Hằng"
    bad = client.post(
        "/api/v1/signing/verify", {"file": SimpleUploadedFile("b.pdf", modified)}, headers=headers
    )
    assert bad.status_code == 200 and not bad.json()["valid"]
    assert not bad.json()["signatures"][0]["intact"]
    refused = client.post(
        "/api/v1/signing/verify", {"file": SimpleUploadedFile("c.pdf", b"no pdf")}, headers=headers
    )
    assert (
        refused.status_code == 400 and refused.json()["detail_vi"] == "Tệp không phải tài liệu PDF đọc được"
    )


def test_the_api_keeps_and_lists_keys_and_roots(signer_user, person_p12, trusted):
    headers = {"Authorization": f"Bearer {_token(signer_user)}"}
    client = Client()
    wrong = client.post(
        "/api/v1/signing/credentials",
        {"file": SimpleUploadedFile("toi.p12", person_p12), "password": "sai"},
        headers=headers,
    )
    assert wrong.status_code == 400 and wrong.json()["detail_vi"] == "Mật khẩu tệp chứng thư số không đúng"
    kept = client.post(
        "/api/v1/signing/credentials",
        {"file": SimpleUploadedFile("toi.p12", person_p12), "password": PASSWORD, "label": "Của tôi"},
        headers=headers,
    )
    assert kept.status_code == 201 and kept.json()["subject_name"] == "Nguyễn Thị Hằng"
    listed = client.get("/api/v1/signing/credentials", headers=headers).json()
    assert [(c["label"], c["holder"], c["in_force"]) for c in listed] == [("Của tôi", "personal", True)]
    roots = client.get("/api/v1/signing/roots", headers=headers).json()
    assert [r["fingerprint"] for r in roots] == [trusted.fingerprint]


def test_the_api_refuses_callers_without_credentials(client, signed):
    assert client.get("/api/v1/signing/credentials").status_code == 401
    assert client.get("/api/v1/signing/roots").status_code == 401
    answer = client.post("/api/v1/signing/verify", {"file": SimpleUploadedFile("a.pdf", signed)})
    assert answer.status_code == 401 and not SignatureCheck.objects.exists()


def test_the_verify_command_prints_the_result_and_exits_by_validity(tmp_path, signed, modified, capsys):
    from dxmonitor.cli import main

    good, bad = tmp_path / "dung.pdf", tmp_path / "sua.pdf"
    good.write_bytes(signed)
    bad.write_bytes(modified)
    assert main(["signing", "verify", str(good)]) == 0
    assert "VALID" in capsys.readouterr().out
    assert main(["signing", "verify", str(bad), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["signed"] and not data["valid"] and not data["signatures"][0]["intact"]


def test_the_demo_pki_command_is_idempotent(tmp_path, capsys):
    from dxmonitor.cli import main
    from dxmonitor.demo.entry import load_entry_demo

    load_entry_demo()
    assert main(["signing", "demo-pki", "--directory", str(tmp_path)]) == 0
    first = capsys.readouterr().out
    assert "created and trusted; 3 certificate(s) issued" in first
    assert "pheduyet.laichau" in first and "unit-" in first
    assert main(["signing", "demo-pki", "--directory", str(tmp_path)]) == 0
    assert "already there and trusted; 0 certificate(s) issued" in capsys.readouterr().out
    keys = Credential.objects.order_by("pk")
    assert keys.count() == 3 and keys.filter(unit__name="Tỉnh Lai Châu").count() == 1
    assert io.BytesIO((tmp_path / "passwords.txt").read_bytes()).read().count(b"\n") == 3


def test_an_approver_keeps_a_key_for_their_unit_and_stops_using_it(client, approver, province, ca, trusted):
    from dxmonitor.signing import pki
    from dxmonitor.signing.models import Credential

    issued = pki.issue(ca=ca, common_name="UBND tỉnh Lai Châu", organisation="UBND tỉnh Lai Châu")
    data = pki.export_pkcs12(issued, password="mat-khau-don-vi", chain=[ca.certificate])
    client.force_login(approver)
    page = client.get("/signing/").content.decode()
    assert 'data-form="unit-key"' in page and f'<option value="{province.pk}">' in page
    upload = SimpleUploadedFile("don-vi.p12", data, content_type="application/x-pkcs12")
    wrong = client.post(
        "/signing/unit-keys/", {"unit": province.pk, "file": upload, "password": "sai"}, follow=True
    )
    assert "Mật khẩu tệp chứng thư số không đúng" in wrong.content.decode()
    assert not Credential.objects.filter(unit=province).exists()
    no_unit = client.post("/signing/unit-keys/", {"unit": "x", "password": "mat-khau-don-vi"}, follow=True)
    assert "Hãy chọn đơn vị" in no_unit.content.decode()
    upload = SimpleUploadedFile("don-vi.p12", data, content_type="application/x-pkcs12")
    client.post("/signing/unit-keys/", {"unit": province.pk, "file": upload, "password": "mat-khau-don-vi"})
    key = Credential.objects.get(unit=province)
    assert key.is_active and key.owner_id is None
    client.post(f"/signing/credentials/{key.pk}/stop/")
    key.refresh_from_db()
    assert not key.is_active


def test_a_unit_key_is_refused_to_someone_who_does_not_approve_for_it(
    client, signer_user, province, ca, trusted
):
    from dxmonitor.signing import pki

    issued = pki.issue(ca=ca, common_name="UBND tỉnh Lai Châu")
    data = pki.export_pkcs12(issued, password="x-mat-khau", chain=[ca.certificate])
    client.force_login(signer_user)
    assert 'data-form="unit-key"' not in client.get("/signing/").content.decode()
    answer = client.post(
        "/api/v1/signing/unit-keys",
        {"unit_id": province.pk, "file": SimpleUploadedFile("k.p12", data), "password": "x-mat-khau"},
    )
    assert answer.status_code == 403

"""The official reports pages and their JSON twins: make, download, sign, check."""

import json

import pytest

from dxmonitor.reports.actions import generate_report
from dxmonitor.reports.models import OfficialReport

from .conftest import PASSWORD, YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver_client(client, approver):
    client.force_login(approver)
    return client


def test_making_and_signing_through_the_pages(approver_client, figures, province, credential):
    page = approver_client.get("/reports/").content.decode()
    assert f'<option value="{province.pk}">' in page
    made = approver_client.post(
        "/reports/new/",
        {"unit": province.pk, "period": YEAR, "signer_name": "Lê Văn Minh", "symbol": "BC-UBND"},
    )
    report = OfficialReport.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/reports/{report.pk}/"
    detail = approver_client.get(f"/reports/{report.pk}/").content.decode()
    assert "1/BC-UBND" in detail and f'<option value="{credential.pk}"' in detail

    pdf = approver_client.get(f"/reports/{report.pk}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="bao-cao-1-BC-UBND-' in pdf["Content-Disposition"]
    docx = approver_client.get(f"/reports/{report.pk}/report.docx")
    assert docx.content.startswith(b"PK")
    assert approver_client.get(f"/reports/{report.pk}/signed.pdf").status_code == 404

    wrong = approver_client.post(
        f"/reports/{report.pk}/sign/", {"credential": credential.pk, "password": "sai"}, follow=True
    )
    assert "Mật khẩu" in wrong.content.decode()
    report.refresh_from_db()
    assert not report.is_signed
    approver_client.post(f"/reports/{report.pk}/sign/", {"credential": credential.pk, "password": PASSWORD})
    signed = approver_client.get(f"/reports/{report.pk}/").content.decode()
    assert 'class="verdict valid"' in signed and "Lê Văn Minh" in signed
    assert approver_client.get(f"/reports/{report.pk}/signed.pdf").content.startswith(b"%PDF")


def test_bad_input_on_the_page_says_why(approver_client, figures, province):
    answer = approver_client.post(
        "/reports/new/", {"unit": province.pk, "period": "", "signer_name": ""}, follow=True
    )
    assert "Cần ghi họ tên người ký" in answer.content.decode() or "lỗi" in answer.content.decode()
    not_a_unit = approver_client.post(
        "/reports/new/", {"unit": "tỉnh", "period": YEAR, "signer_name": "A"}, follow=True
    )
    assert "Hãy chọn đơn vị" in not_a_unit.content.decode()
    assert not OfficialReport.objects.exists()


def test_the_api_makes_signs_and_lists(figures, province, approver, credential):
    from django.test import Client

    from dxmonitor.accounts.actions import create_token

    _, token = create_token(user=approver, name="van-phong-so")
    api, auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    made = api.post(
        "/api/v1/official-reports",
        data=json.dumps({"unit_id": province.pk, "period": YEAR, "signer_name": "Lê Văn Minh"}),
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["number"] == "1/BC-UBND" and not body["signed"]
    assert api.get(body["pdf_url"], **auth).content.startswith(b"%PDF")
    signed = api.post(
        f"/api/v1/official-reports/{body['id']}/sign",
        data=json.dumps({"credential_id": credential.pk, "password": PASSWORD}),
        content_type="application/json",
        **auth,
    )
    assert signed.status_code == 200 and signed.json()["signer_subject"] == "Lê Văn Minh"
    again = api.post(
        f"/api/v1/official-reports/{body['id']}/sign",
        data=json.dumps({"credential_id": credential.pk, "password": PASSWORD}),
        content_type="application/json",
        **auth,
    )
    assert again.status_code == 400 and "already signed" in again.json()["detail"]
    listed = api.get("/api/v1/official-reports", **auth).json()
    assert [r["id"] for r in listed] == [body["id"]] and listed[0]["signed"]
    file = api.get(f"/api/v1/official-reports/{body['id']}/signed", **auth).content
    from dxmonitor.signing.queries import verify_pdf

    assert verify_pdf(pdf=file).valid
    assert Client().get("/api/v1/official-reports").status_code == 401


def test_readers_outside_the_unit_see_nothing(client, figures, province, approver, unit_named, communes):
    from dxmonitor.accounts.actions import ensure_user, grant_role

    report = generate_report(unit=province, period=YEAR, user=approver, signer_name="Lê Văn Minh")
    stranger, _ = ensure_user(username="phantich.dienbien", password="mat-khau-dai-000")
    grant_role(user=stranger, role="analyst", unit=unit_named("tỉnh Điện Biên", as_of=communes[0].valid_from))
    client.force_login(stranger)
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert client.get(f"/reports/{report.pk}/report.pdf").status_code == 404
    assert f'data-report="{report.pk}"' not in client.get("/reports/").content.decode()

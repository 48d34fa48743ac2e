"""The JSON twins: template download, upload (checked, kept), report, apply; value exports."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dxmonitor.collection.models import ImportJob, Value

from .books import fill, open_book

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _upload(client, token: str, data: bytes, name: str = "bao-cao.xlsx"):
    return client.post("/api/v1/uploads", {"file": SimpleUploadedFile(name, data)}, **_auth(token))


def test_template_download(client, clerk_token, quarterly, current_quarter, commune):
    response = client.get(f"/api/v1/templates/{quarterly.code}/{current_quarter.code}", **_auth(clerk_token))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert f"mau-XA_FILE-{current_quarter.code}.xlsx" in response["Content-Disposition"]
    assert open_book(response.content)["Số liệu"]["A3"].value == commune.code
    assert client.get(f"/api/v1/templates/{quarterly.code}/{current_quarter.code}").status_code == 401
    assert client.get(f"/api/v1/templates/{quarterly.code}/2026", **_auth(clerk_token)).status_code == 404
    assert (
        client.get(f"/api/v1/templates/KHONG_CO/{current_quarter.code}", **_auth(clerk_token)).status_code
        == 404
    )


def test_upload_report_apply(client, clerk_token, template, commune, var_dir):
    data = fill(template, {"CTX.VILLAGES": 6, "HR.DX_TRAINEES": "abc"})
    answer = _upload(client, clerk_token, data).json()
    assert answer["stage"] == "checked" and not answer["can_apply"]
    problem = answer["check"]["problems"][0]
    assert problem["sheet"] == "Số liệu" and problem["column"] == "G" and problem["header"] == "Giá trị"
    assert "is not a number" in problem["message_en"] and "không phải là số" in problem["message_vi"]
    refused = client.post(answer["apply_url"], **_auth(clerk_token))
    assert refused.status_code == 409
    assert not Value.objects.filter(unit=commune).exists()

    good = _upload(client, clerk_token, fill(template, {"CTX.VILLAGES": 6})).json()
    assert good["can_apply"] and good["check"]["created"] == 1 and good["apply"] is None
    assert (var_dir / "uploads" / good["id"]).read_bytes().startswith(b"PK")
    assert ImportJob.objects.get(pk=good["id"]).dry_run
    applied = client.post(good["apply_url"], **_auth(clerk_token)).json()
    assert applied["stage"] == "applied" and applied["apply"]["created"] == 1 and not applied["can_apply"]
    assert Value.objects.get(unit=commune, indicator__code="CTX.VILLAGES").value == 6
    again = client.post(good["apply_url"], **_auth(clerk_token)).json()  # twice: nothing more
    assert again["apply"]["created"] == 1 and Value.objects.filter(unit=commune).count() == 1
    report = client.get(good["url"], **_auth(clerk_token)).json()
    assert report["stage"] == "applied" and report["file_name"] == "bao-cao.xlsx"


def test_uploads_are_their_owners(client, clerk_token, admin_token, template):
    answer = _upload(client, clerk_token, fill(template, {"CTX.VILLAGES": 6})).json()
    assert client.get(answer["url"], **_auth(admin_token)).status_code == 404
    assert client.post(answer["apply_url"], **_auth(admin_token)).status_code == 404
    assert client.get("/api/v1/uploads/khong-phai-uuid", **_auth(clerk_token)).status_code == 404


def test_bad_files_answer_400_or_413(client, clerk_token, settings):
    pdf = _upload(client, clerk_token, b"%PDF-1.4 fake", "bao-cao.xlsx")
    assert pdf.status_code == 400 and "PDF" in pdf.json()["detail"]
    settings.DXM_MAX_UPLOAD_MB = 1
    big = _upload(client, clerk_token, b"a,b\n" * 400_000, "lon.csv")
    assert big.status_code == 413 and "DXM_MAX_UPLOAD_MB" in big.json()["detail"]
    assert not ImportJob.objects.exists()


def test_values_export_is_inert_in_both_formats(client, admin, commune, indicator):
    from dxmonitor.collection.actions import Provenance, record_value

    for code, note in (
        ("CTX.VILLAGES", '=HYPERLINK("http://x.invalid","bấm")'),
        ("CTX.HOUSEHOLDS", "+cmd|' /C calc'!A0"),
    ):
        record_value(
            unit=commune,
            indicator=indicator(code),
            period="2025",
            kind="actual",
            value=5,
            note=note,
            user=admin,
            provenance=Provenance(source_type="document"),
        )
    response = client.get(f"/api/v1/values/export?unit={commune.pk}&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    notes = {r[2]: r[11] for r in rows[1:]}
    assert notes["CTX.VILLAGES"] == '\'=HYPERLINK("http://x.invalid","bấm")'
    assert notes["CTX.HOUSEHOLDS"].startswith("'+cmd")
    assert rows[0][:3] == ["Mã đơn vị", "Tên đơn vị", "Mã chỉ tiêu"]

    workbook = client.get(f"/api/v1/values/export?unit={commune.pk}&format=xlsx")
    assert workbook["Content-Type"] == XLSX
    sheet = open_book(workbook.content).active
    cells = [sheet.cell(r, 12) for r in range(2, sheet.max_row + 1)]
    assert {c.value for c in cells} == {'=HYPERLINK("http://x.invalid","bấm")', "+cmd|' /C calc'!A0"}
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert client.get("/api/v1/values/export?format=pdf").status_code == 400


def test_exported_values_import_again_unchanged(client, clerk, clerk_token, template, commune):
    from dxmonitor.files.actions import import_file

    data = fill(template, {"CTX.VILLAGES": 6, "CTX.HOUSEHOLDS": 1200})
    import_file(data=data, file_name="a.xlsx", user=clerk, dry_run=False)
    exported = client.get(f"/api/v1/values/export?unit={commune.pk}&format=xlsx", **_auth(clerk_token))
    again = import_file(data=exported.content, file_name="xuat.xlsx", user=clerk, dry_run=True)
    assert again.ok and (again.values, again.unchanged) == (2, 2)

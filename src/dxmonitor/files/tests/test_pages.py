"""The pages: download, upload, the report on screen, apply; export links on the data tables."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dxmonitor.collection.models import Value

from .books import fill, open_book

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


def test_files_page_offers_templates_and_the_upload(clerk_client, quarterly, current_quarter):
    page = clerk_client.get("/collect/files/").content.decode()
    link = f"/collect/files/template/?dataset=XA_FILE&amp;period={current_quarter.code}"
    assert link in page and 'name="file"' in page and 'enctype="multipart/form-data"' in page
    response = clerk_client.get(link.replace("&amp;", "&"))
    assert (
        response.status_code == 200 and open_book(response.content)["Số liệu"]["C3"].value == "CTX.VILLAGES"
    )


def test_pages_need_a_login(client):
    assert client.get("/collect/files/").status_code == 302


def test_upload_report_on_screen_then_apply(clerk_client, template, commune):
    bad = fill(template, {"CTX.VILLAGES": "nhiều", "GOV.ONLINE_DOSSIER_RATE": 130})
    response = clerk_client.post("/collect/files/upload/", {"file": SimpleUploadedFile("quy.xlsx", bad)})
    assert response.status_code == 302
    page = clerk_client.get(response["Location"]).content.decode()
    assert "“nhiều” không phải là số" in page and "Tỷ lệ phần trăm không được vượt quá 100 (130)" in page
    assert re.search(r'data-ref="Số liệu!G\d+"', page) and "Apply" not in page.split("</table>")[-1]

    good = fill(template, {"CTX.VILLAGES": 5})
    response = clerk_client.post("/collect/files/upload/", {"file": SimpleUploadedFile("quy.xlsx", good)})
    report_url = response["Location"]
    page = clerk_client.get(report_url).content.decode()
    assert 'data-result="ok"' in page and f'action="{report_url}apply/"' in page
    assert not Value.objects.filter(unit=commune).exists()
    done = clerk_client.post(f"{report_url}apply/", follow=True).content.decode()
    assert 'data-result="applied"' in done
    assert Value.objects.get(unit=commune, indicator__code="CTX.VILLAGES").value == 5


def test_a_refused_file_says_why(clerk_client):
    response = clerk_client.post(
        "/collect/files/upload/", {"file": SimpleUploadedFile("bao-cao.xlsx", b"%PDF-1.5 ...")}, follow=True
    )
    assert "Tệp là PDF, không phải bảng tính Excel" in response.content.decode()


def test_someone_elses_upload_is_not_found(client, clerk_client, template, admin):
    response = clerk_client.post(
        "/collect/files/upload/",
        {"file": SimpleUploadedFile("quy.xlsx", fill(template, {"CTX.VILLAGES": 5}))},
    )
    client.force_login(admin)
    assert client.get(response["Location"]).status_code == 404


def test_export_links_on_the_data_tables(client, admin, commune, indicator):
    from dxmonitor.collection.actions import Provenance, record_value

    record_value(unit=commune, indicator=indicator("CTX.VILLAGES"), period="2025", kind="actual", value=12,
                 user=admin, provenance=Provenance(source_type="document"))  # fmt: skip
    unit_page = client.get(f"/units/{commune.pk}/").content.decode()
    assert f"/api/v1/values/export?unit={commune.pk}&amp;format=xlsx" in unit_page
    assert f"/api/v1/values/export?unit={commune.pk}&amp;format=csv" in unit_page
    indicator_page = client.get("/indicators/CTX.VILLAGES/").content.decode()
    assert "/api/v1/values/export?indicator=CTX.VILLAGES&amp;format=xlsx" in indicator_page
    units_page = client.get("/units/?level=province&as_of=2024-06-30").content.decode()
    assert "/units/export/?level=province&amp;as_of=2024-06-30&amp;format=csv" in units_page


def test_units_export(client):
    response = client.get("/units/export/?level=province&as_of=2024-06-30&format=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + 63 and rows[1][0] == "01" and rows[1][1] == "Thành phố Hà Nội"
    workbook = client.get("/units/export/?level=province&as_of=2025-08-01&format=xlsx")
    assert open_book(workbook.content).active.max_row == 1 + 34


def test_report_export_and_the_form_links(clerk_client, template, quarterly, commune, current_quarter):
    from dxmonitor.files.actions import import_file

    import_file(data=fill(template, {"CTX.VILLAGES": 5}), file_name="q.xlsx", user=None, dry_run=False)
    form = f"/collect/{quarterly.code}/{commune.pk}/{current_quarter.code}/"
    page = clerk_client.get(form).content.decode()
    assert (
        f"/collect/files/template/?dataset={quarterly.code}&amp;period={current_quarter.code}&amp;unit={commune.pk}"
        in page
    )
    assert f"{form}export/?format=xlsx" in page
    sheet = open_book(clerk_client.get(f"{form}export/?format=xlsx").content).active
    assert sheet.max_row == 1 + 5 and sheet["G2"].value == 5
    assert "/collect/files/" in clerk_client.get("/collect/").content.decode()

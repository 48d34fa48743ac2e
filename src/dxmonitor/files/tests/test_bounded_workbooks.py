"""Workbooks read within bounded memory: shared strings that unfold far beyond their cells are
refused while streaming, and formulas Excel never computed are reported at their cells."""

import io
import random
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dxmonitor.collection.models import Value

from .books import fill

pytestmark = pytest.mark.django_db

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def amplifying_workbook(*, strings: int = 3_000, length: int = 30_000) -> bytes:
    """About 1 MB that unpacks to about 90 MB of shared strings, each compressed under the zip-bomb
    ratio (a random letter every 250 keeps deflate near 97 times), for a sheet of a few cells."""
    rnd = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        book.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="r1" Type="{OFFICE}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        book.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets><sheet name="Số liệu" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{OFFICE}/worksheet" '
            f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{OFFICE}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>',
        )
        rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>{r}</v></c></row>' for r in range(1, 2_000))
        book.writestr(
            "xl/worksheets/sheet1.xml", f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
        )
        texts = (
            "".join("a" * 250 + rnd.choice(letters) for _ in range(length // 251)) + f"{i:08d}"
            for i in range(strings)
        )
        book.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{t}</t></si>" for t in texts) + "</sst>",
        )
    return buffer.getvalue()


def _upload(client, token: str, data: bytes, name: str = "bao-cao.xlsx"):
    return client.post(
        "/api/v1/uploads", {"file": SimpleUploadedFile(name, data)}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_shared_strings_that_unfold_far_beyond_the_cells_are_refused_in_little_memory(
    client, clerk_token, var_dir
):
    data = amplifying_workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        unpacked = book.getinfo("xl/sharedStrings.xml").file_size
    assert len(data) < 1_100_000 and unpacked > 80_000_000
    _upload(client, clerk_token, b"unit_code,indicator,period,value\n", name="warm.csv")  # imports, URLs
    tracemalloc.start()
    try:
        response = _upload(client, clerk_token, data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 400, response.content
    body = response.json()
    assert "texts add up to more than 8,000,000 characters" in body["detail"]
    assert "8.000.000 ký tự" in body["detail_vi"]
    assert peak < 40 * 1024 * 1024, f"{peak / 1e6:.0f} MB"


def test_a_text_longer_than_a_cell_holds_is_refused(client, clerk_token, var_dir):
    response = _upload(client, clerk_token, amplifying_workbook(strings=2, length=40_000))
    assert response.status_code == 400
    assert "longer than the 32,767 characters a cell holds" in response.json()["detail"]


def test_a_formula_without_a_computed_value_is_reported_at_its_cell(
    client, clerk_token, template, commune, var_dir
):
    data = fill(template, {"CTX.VILLAGES": 6, "HR.DX_TRAINEES": "=2+3"})  # openpyxl computes nothing
    answer = _upload(client, clerk_token, data).json()
    assert not answer["can_apply"] and answer["check"]["problems_total"] == 1
    problem = answer["check"]["problems"][0]
    assert problem["column"] == "G" and problem["header"] == "Giá trị" and problem["row"]
    assert "formula without a computed value" in problem["message_en"]
    assert "công thức nhưng chưa có giá trị" in problem["message_vi"]
    assert not Value.objects.filter(unit=commune).exists()


def test_the_apply_replays_the_values_the_check_read_instead_of_the_file(
    client, clerk_token, template, commune, var_dir, monkeypatch
):
    from dxmonitor.files import actions

    answer = _upload(client, clerk_token, fill(template, {"CTX.VILLAGES": 6, "HR.DX_TRAINEES": 30})).json()
    assert answer["can_apply"] and answer["check"]["created"] == 2

    def read_again(*_args, **_kwargs):
        raise AssertionError("the workbook was read a second time")

    monkeypatch.setattr(actions, "read_file", read_again)
    applied = client.post(answer["apply_url"], HTTP_AUTHORIZATION=f"Bearer {clerk_token}").json()
    assert applied["stage"] == "applied" and applied["apply"]["created"] == 2
    assert (
        applied["apply"]["sheet"] == "Số liệu"
        and applied["apply"]["rows_skipped"] == answer["check"]["rows_skipped"]
    )
    assert Value.objects.get(unit=commune, indicator__code="HR.DX_TRAINEES").value == 30


def test_the_command_line_import_reads_the_file_once(clerk, template, commune, monkeypatch):
    from dxmonitor.files import actions

    reads = []
    real = actions.read_file
    monkeypatch.setattr(
        actions, "read_file", lambda data, **options: reads.append(1) or real(data, **options)
    )
    data = fill(template, {"CTX.VILLAGES": 6, "HR.DX_TRAINEES": 30})
    report = actions.import_file(data=data, file_name="quy.xlsx", user=clerk, dry_run=False)
    assert report.applied and report.created == 2 and reads == [1]

"""An officer fills a report in Excel: downloads the template, uploads it with mistakes, reads the
report on screen, fixes the file, uploads it again, applies it and finds the figures on the unit page.

The demo approver of Lai Châu (`pheduyet.laichau`) enters figures for every commune of the province;
the test works on xã Mường Than, whose report the data-entry test leaves alone. The template is
edited with openpyxl, as Excel would save it.
"""

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

APPROVER = "pheduyet.laichau"
COMMUNE = "Mường Than"


def _password(server, username: str) -> str:
    for line in (server.var_dir / "demo-accounts.txt").read_text(encoding="utf-8").splitlines():
        name, _, rest = line.partition(" ")
        if name == username:
            return rest.split()[0]
    raise AssertionError(f"{username} is not in demo-accounts.txt")


def _log_in(web, username: str) -> None:
    web.goto("/login/?next=/collect/")
    form = web.page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(_password(web.server, username))
    with web.page.expect_navigation():
        form.locator("button[type=submit]").click()


def _row(sheet, code: str) -> int:
    for row in range(3, sheet.max_row + 1):
        if sheet.cell(row, 3).value == code:
            return row
    raise AssertionError(f"{code} is not in the template")


def _save(book, path) -> None:
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())


def _upload(web, path, shot: str = "") -> None:
    page = web.page
    web.goto("/collect/files/")
    if shot:
        web.shot(shot)
    page.locator("input[name=file]").set_input_files(str(path))
    with page.expect_navigation():
        page.locator("form.upload-form button[type=submit]").click()
    expect(page.locator(".upload-facts")).to_be_visible()


def test_officer_fills_a_report_in_excel(web, tmp_path):
    page = web.page
    _log_in(web, APPROVER)

    # From the overview to Mường Than's current quarterly report, and its template.
    web.goto(f"/collect/?q={COMMUNE}")
    row = page.locator(f'section[data-dataset="XA_QUY"] tr:has(th a:text-is("Xã {COMMUNE}"))')
    with page.expect_navigation():
        row.locator("a.ov-cell").first.click()
    unit_url = page.locator("nav.crumbs a").nth(1).get_attribute("href")
    links = page.locator("[data-files]")
    expect(links).to_be_visible()
    web.shot("report-form-with-excel-links")
    with page.expect_download() as download:
        links.locator("a[href*='/collect/files/template/']").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert re.fullmatch(r"mau-XA_QUY-\d{4}Q[1-4]-\d{5}\.xlsx", template.name), template.name

    book = openpyxl.load_workbook(template)
    sheet = book["Số liệu"]
    assert sheet["B3"].value == f"Xã {COMMUNE}" and sheet.protection.sheet
    commune_code = sheet["A3"].value
    villages, households = _row(sheet, "CTX.VILLAGES"), _row(sheet, "CTX.HOUSEHOLDS")
    broadband, online = _row(sheet, "INF.HOUSEHOLD_FIXED_BB"), _row(sheet, "GOV.ONLINE_DOSSIER_RATE")
    last = sheet.max_row

    # Mistakes an officer makes.
    sheet[f"G{villages}"] = "ba thôn"  # text in a number cell
    sheet[f"G{broadband}"] = 130  # 130% in a percentage
    sheet[f"G{households}"] = 1250
    sheet[f"A{last - 50}"], sheet[f"C{last - 50}"], sheet[f"G{last - 50}"] = commune_code, "INF.KHONG_CO", 5
    sheet[f"J{online}"] = "gộp hai dòng"
    sheet.merge_cells(f"J{online}:J{online + 1}")
    wrong = tmp_path / "bao-cao-quy-loi.xlsx"
    _save(book, wrong)

    _upload(web, wrong, shot="files-page")
    expect(page.locator("[data-result=problems]")).to_be_visible()
    problems = page.locator("table.problems tbody tr")
    expect(problems).to_have_count(4)
    expect(page.locator(f'tr[data-ref="Số liệu!G{villages}"] td.message')).to_have_text(
        "Giá trị: “ba thôn” không phải là số (viết như 1.234,5 hoặc 24,3%)"
    )
    expect(page.locator(f'tr[data-ref="Số liệu!G{broadband}"] td.message')).to_contain_text(
        "Tỷ lệ phần trăm không được vượt quá 100 (130)"
    )
    expect(page.locator(f'tr[data-ref="Số liệu!C{last - 50}"] td.message')).to_contain_text("INF.KHONG_CO")
    merged = page.locator(f'tr[data-ref="Số liệu!J{online}:J{online + 1}"]')
    expect(merged.locator("td.message")).to_contain_text("Ô gộp")
    expect(page.locator(f'tr[data-ref="Số liệu!G{villages}"] td').nth(1)).to_have_text(str(villages))
    expect(page.locator(f'tr[data-ref="Số liệu!G{villages}"] td').nth(2)).to_contain_text("G")
    expect(page.locator(".apply-box")).to_have_count(0)
    web.shot("report-with-problems")

    # The officer fixes the file: figures as Excel keeps them, a rate typed as 45,5%.
    book = openpyxl.load_workbook(template)
    sheet = book["Số liệu"]
    sheet[f"G{villages}"] = 3
    sheet[f"G{households}"] = 1250
    sheet[f"G{broadband}"] = 0.455
    sheet[f"G{broadband}"].number_format = "0.0%"
    sheet[f"H{online}"], sheet[f"I{online}"] = 40, 50
    sheet[f"J{households}"] = "theo số liệu thôn, bản"
    fixed = tmp_path / "bao-cao-quy.xlsx"
    _save(book, fixed)

    _upload(web, fixed)
    expect(page.locator("[data-result=ok]")).to_be_visible()
    expect(page.locator(".figures-read")).to_have_text("4")
    web.shot("report-ready-to-apply")
    with page.expect_navigation():
        page.locator(".apply-box button.submit").click()
    expect(page.locator("[data-result=applied]")).to_be_visible()
    expect(page.locator(".upload-facts")).to_have_attribute("data-stage", "applied")
    web.shot("applied")

    # The same file again changes nothing.
    _upload(web, fixed)
    expect(page.locator("[data-result=ok]")).to_have_text(re.compile(r"\D0\D+0\D+4\D"))

    # The figures on the commune's page, with their downloads.
    web.goto(unit_url)
    figures = page.locator("table.values").first
    expect(figures).to_contain_text("1.250")
    expect(figures).to_contain_text("45,5%")
    expect(figures).to_contain_text("80%")
    expect(page.locator("[data-downloads]").first).to_be_visible()
    web.shot("unit-page-with-the-figures")
    web.assert_clean()

"""The open-data portal in a real browser, signed out: its pages load clean, in Vietnamese by default
and in English on request, on a phone, with the keyboard alone; and a download works."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BROADBAND = "/public/indicators/INF.HOUSEHOLD_FIXED_BB/"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def _portal_unit(places) -> str:
    unit_id = re.search(r"/units/(\d+)/", places["tua_chua"]).group(1)
    return f"/public/units/{unit_id}/"


def _switch(web, code: str) -> None:
    with web.page.expect_navigation():
        web.page.locator(f"header form.lang button[value={code}]").click()
    button = web.page.locator(f"header form.lang button[value={code}]")
    expect(button).to_have_attribute("aria-current", "true")


def test_portal_pages_load_without_errors(web, places):
    html = web.page.locator("html")
    web.goto("/")
    with web.page.expect_navigation():
        web.page.locator("main a[href='/public/']").click()
    assert web.page.url == web.url("/public/")
    expect(html).to_have_attribute("lang", "vi")
    expect(web.page.locator("main h1")).to_be_visible()
    expect(web.page.locator("main a[rel=license]")).to_have_attribute("href", LICENCE_URL)
    expect(web.page.locator("table.portal-indicators tbody tr").first).to_be_visible()
    web.shot("home")

    web.goto(BROADBAND)
    expect(web.page.locator("td.num").filter(has_text="24,3%")).to_have_count(1)
    expect(web.page.locator("td.source blockquote").first).to_be_visible()
    # The demo's synthetic figures for Lai Châu are labelled on every row that shows one.
    synthetic_rows = web.page.locator("tr.synthetic")
    web.goto(BROADBAND + "?data=synthetic")
    expect(synthetic_rows.first).to_be_visible()
    assert synthetic_rows.count() == synthetic_rows.locator(".tag.synthetic").count() > 0
    expect(web.page.locator("p.synthetic-note")).to_be_visible()
    web.shot("indicator-synthetic")

    for path in ("/public/units/", _portal_unit(places), "/public/about/"):
        web.goto(path)
        expect(web.page.locator("main h1")).to_be_visible()
        web.shot(path.strip("/").replace("/", "-"))
    expect(web.page.locator("#sources li")).to_have_count(5)
    web.assert_clean()


def test_portal_language_switch(web):
    html = web.page.locator("html")
    web.goto("/public/about/")
    expect(html).to_have_attribute("lang", "vi")
    vietnamese_rule = web.page.locator("#rule p").first.inner_text()
    assert "Cổng chỉ công khai số liệu đã được công bố" in vietnamese_rule

    _switch(web, "en")
    assert web.page.url == web.url("/public/about/")
    expect(html).to_have_attribute("lang", "en")
    expect(web.page.locator("main h1")).to_have_text("About the data")
    expect(web.page.locator("#rule p").first).to_contain_text("The portal shows only published figures")
    web.goto(BROADBAND)
    expect(web.page.locator("td.num").filter(has_text="24.3%")).to_have_count(1)
    web.shot("english")

    _switch(web, "vi")
    expect(html).to_have_attribute("lang", "vi")
    expect(web.page.locator("td.num").filter(has_text="24,3%")).to_have_count(1)
    web.assert_clean()
    # Last, as the Vietnamese catalogue is being written: the interface text itself is Vietnamese.
    expect(web.page.locator("nav.portal-nav")).to_contain_text("Về dữ liệu")


def test_portal_download_carries_licence_and_sources(web, tmp_path):
    web.goto(BROADBAND)
    with web.page.expect_download() as csv_download:
        web.page.locator("[data-downloads] a", has_text=".csv").first.click()
    text = csv_download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[0] == "Mã đơn vị" and header[-1] == "Giấy phép"
    assert body and {row[-1] for row in body} == {"CC-BY-4.0"}
    quoted = [row for row in body if "24,3%" in row[header.index("Trích dẫn")]]
    assert quoted and quoted[0][header.index("Đơn vị")] == "Huyện Tủa Chùa"

    with web.page.expect_download() as xlsx_download:
        web.page.locator("[data-downloads] a", has_text=".xlsx").first.click()
    saved = tmp_path / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(saved)
    book = load_workbook(saved)
    assert book.sheetnames == ["Số liệu", "Giấy phép và nguồn"]
    statement = [row for row in book["Giấy phép và nguồn"].iter_rows(values_only=True) if row and row[0]]
    assert any(row[1] == LICENCE_URL for row in statement)
    web.assert_clean()


def test_portal_on_a_phone(phone, places):
    for path in ("/public/", BROADBAND, _portal_unit(places)):
        phone.goto(path)
        expect(phone.page.locator("main h1")).to_be_visible()
        width = phone.page.evaluate("document.documentElement.clientWidth")
        assert phone.page.evaluate("document.documentElement.scrollWidth") <= width + 2, path
        phone.shot(path.strip("/").replace("/", "-"))
    phone.assert_clean()


def test_portal_filters_with_the_keyboard_alone(web):
    web.goto(BROADBAND)
    page = web.page
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "data":
            break
    else:
        pytest.fail("the figures filter is not reachable with Tab")
    page.keyboard.press("ArrowDown")  # real and synthetic → real only
    assert page.evaluate("document.activeElement.value") == "real"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "data=real" in page.url
    expect(page.locator("tr.synthetic")).to_have_count(0)
    expect(page.locator("td.num").filter(has_text="24,3%")).to_have_count(1)
    web.shot("filtered")
    web.assert_clean()

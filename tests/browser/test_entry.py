"""The commune officer of the demo enters the quarter's figures, sees each one saved, and submits.

The demo account `canbo.thanuyen` enters figures for xã Than Uyên (Lai Châu); its password is in
demo-accounts.txt of the demo's var folder. The phone test runs first and leaves the quarterly
report untouched; the desktop test then fills it in and submits it.
"""

import re

import pytest
from playwright.sync_api import expect

from dxmonitor.common.numbers import NumberFormatError, parse_number

pytestmark = pytest.mark.browser

OFFICER = "canbo.thanuyen"


def _officer_password(server) -> str:
    for line in (server.var_dir / "demo-accounts.txt").read_text(encoding="utf-8").splitlines():
        username, _, rest = line.partition(" ")
        if username == OFFICER:
            return rest.split()[0]
    raise AssertionError(f"{OFFICER} is not in demo-accounts.txt")


def _log_in(web) -> None:
    web.goto("/login/?next=/collect/")
    form = web.page.locator("main form")
    form.locator("input[name=username]").fill(OFFICER)
    form.locator("input[name=password]").fill(_officer_password(web.server))
    with web.page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert web.page.url.endswith("/collect/"), web.page.url


def _open_current(web, dataset: str) -> None:
    """From the overview, the first (current) period of the data set."""
    link = web.page.locator(f'section[data-dataset="{dataset}"] a.ov-cell').first
    expect(link).to_have_attribute("data-state", "open")
    with web.page.expect_navigation():
        link.click()
    expect(web.page.locator("main h1")).to_be_visible()


def _cell(page, code: str, unit_id: str | None = None):
    prefix = f"-{unit_id}-" if unit_id else "-"
    return page.locator(f'.cell:has(input[name$="{prefix}{code}"][data-part="ver"])')


def _type(page, code: str, part: str, text: str, unit_id: str | None = None) -> None:
    box = _cell(page, code, unit_id).locator(f'input[data-part="{part}"]')
    box.click()
    box.fill(text)


def _leave(page, code: str, state: str = "saved", unit_id: str | None = None) -> None:
    """Leave the cell (Tab, past its other boxes) and wait for its answer."""
    cell = _cell(page, code, unit_id)
    for _ in range(4):
        page.keyboard.press("Tab")
        if not cell.evaluate("c => c.contains(document.activeElement)"):
            break
    expect(_cell(page, code, unit_id)).to_have_attribute("data-state", state)


def test_phone_form_and_village_grid(phone):
    _log_in(phone)
    phone.shot("overview")
    _open_current(phone, "XA_QUY")
    expect(phone.page.locator(".entry-row").first).to_be_visible()
    phone.shot("quarterly-form")
    width = phone.page.evaluate("document.documentElement.clientWidth")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= width + 2, (
        "the form scrolls sideways"
    )
    for box in phone.page.locator(".entry-row input.num").all()[:6]:
        bounds = box.bounding_box()
        assert bounds and bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= width + 1
        assert bounds["height"] >= 32  # big enough for a finger

    phone.goto("/collect/")
    _open_current(phone, "THON_NAM")
    grid = phone.page.locator("table.entry-grid")
    expect(grid).to_be_visible()
    assert grid.locator("tbody tr").count() == 5  # the five villages of the demo in xã Than Uyên
    first_village = grid.locator("tbody tr").first
    expect(first_village).to_contain_text("(mô phỏng)")
    village_id = first_village.locator("input[data-part=ver]").first.get_attribute("name").split("-")[1]
    _type(phone.page, "CTX.HOUSEHOLDS", "v", "87", unit_id=village_id)
    _leave(phone.page, "CTX.HOUSEHOLDS", unit_id=village_id)
    expect(phone.page.locator("#entry-summary")).to_have_attribute("data-filled", "1")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= width + 2, (
        "the grid page scrolls sideways"
    )
    phone.shot("village-grid")
    phone.assert_clean()


def test_officer_fills_in_and_submits_the_quarterly_report(web):
    page = web.page
    _log_in(web)
    web.shot("overview")
    _open_current(web, "XA_QUY")
    form_url = page.url
    expect(page.locator("[data-window]")).to_have_attribute("data-window", "open")
    expect(page.locator(".report-status")).to_have_attribute("data-status", "draft")
    expect(page.locator("#entry-summary")).to_have_attribute("data-required-filled", "0")

    # The page reads numbers as officials write them, the same way the server does.
    samples = ["1.234,5", "24,3%", "4.306", "4.3", "1,234.5", "72", " 1 234 ", "12,3,4", "abc", ""]
    in_browser = page.evaluate(
        "s => s.map(t => { const n = window.dxEntry.parseNumber(t); return Number.isNaN(n) ? 'NaN' : n; })",
        samples,
    )
    for text, got in zip(samples, in_browser, strict=True):
        try:
            wanted = parse_number(text)
        except NumberFormatError:
            wanted = "NaN" if text.strip() else None
        assert got == wanted, (text, got, wanted)

    _type(page, "CTX.VILLAGES", "v", "15")
    _leave(page, "CTX.VILLAGES")
    _type(page, "CTX.HOUSEHOLDS", "v", "1.234")
    _leave(page, "CTX.HOUSEHOLDS")
    expect(_cell(page, "CTX.HOUSEHOLDS").locator("input[data-part=v]")).to_have_value("1.234")
    _type(page, "AWR.CDT_TEAMS_VILLAGE", "v", "12")
    _leave(page, "AWR.CDT_TEAMS_VILLAGE")

    # A rate from its numerator and denominator, computed as the officer types.
    coverage = _cell(page, "AWR.CDT_VILLAGE_COVERAGE")
    _type(page, "AWR.CDT_VILLAGE_COVERAGE", "n", "12")
    _type(page, "AWR.CDT_VILLAGE_COVERAGE", "d", "15")
    expect(coverage.locator("output.rate")).to_have_text("= 80%")
    expect(coverage.locator("input[data-part=v]")).to_have_value("80")
    _type(page, "AWR.CDT_VILLAGE_COVERAGE", "d", "16")
    expect(coverage.locator("output.rate")).to_have_text("= 75%")
    _leave(page, "AWR.CDT_VILLAGE_COVERAGE")
    expect(coverage.locator("output.rate")).to_have_text("= 75%")

    fibre = _cell(page, "INF.FIBRE_VILLAGE_COVERAGE")
    _type(page, "INF.FIBRE_VILLAGE_COVERAGE", "n", "18")
    _type(page, "INF.FIBRE_VILLAGE_COVERAGE", "d", "16")
    expect(fibre.locator("output.rate")).to_have_class(re.compile(r"\bwarn\b"))  # over 100%, said at once
    _leave(page, "INF.FIBRE_VILLAGE_COVERAGE", state="error")
    expect(fibre.locator(".cell-status")).to_have_text("Tử số 18 lớn hơn mẫu số 16")
    web.shot("error")
    _type(page, "INF.FIBRE_VILLAGE_COVERAGE", "n", "9")
    _leave(page, "INF.FIBRE_VILLAGE_COVERAGE")

    _type(page, "INF.HOUSEHOLD_FIXED_BB", "v", "24,3%")
    _leave(page, "INF.HOUSEHOLD_FIXED_BB")
    _type(page, "GOV.ONLINE_DOSSIER_RATE", "n", "1.045")
    _type(page, "GOV.ONLINE_DOSSIER_RATE", "d", "2.300")
    expect(_cell(page, "GOV.ONLINE_DOSSIER_RATE").locator("output.rate")).to_have_text("= 45,43%")
    _leave(page, "GOV.ONLINE_DOSSIER_RATE")

    # Enter moves on to the next box and saves the one it leaves.
    box = _cell(page, "GOV.LATE_DOSSIERS").locator("input[data-part=v]")
    box.click()
    box.fill("3")
    page.keyboard.press("Enter")
    expect(_cell(page, "GOV.LATE_DOSSIERS")).to_have_attribute("data-state", "saved")
    expect(page.locator("#entry-summary")).to_have_attribute("data-required-filled", "8")
    expect(page.locator("#entry-summary .ready")).to_be_visible()
    web.shot("filled")

    page.reload()
    for code, part, text in [
        ("CTX.VILLAGES", "v", "15"),
        ("CTX.HOUSEHOLDS", "v", "1.234"),
        ("AWR.CDT_VILLAGE_COVERAGE", "n", "12"),
        ("AWR.CDT_VILLAGE_COVERAGE", "d", "16"),
        ("INF.FIBRE_VILLAGE_COVERAGE", "n", "9"),
        ("INF.HOUSEHOLD_FIXED_BB", "v", "24,3"),
        ("GOV.ONLINE_DOSSIER_RATE", "n", "1.045"),
        ("GOV.LATE_DOSSIERS", "v", "3"),
    ]:
        expect(_cell(page, code).locator(f"input[data-part={part}]")).to_have_value(text)
    expect(_cell(page, "AWR.CDT_VILLAGE_COVERAGE").locator("output.rate")).to_have_text("= 75%")
    expect(page.locator("#entry-summary")).to_have_attribute("data-required-filled", "8")

    # A figure typed just before submitting is saved first, then the report goes.
    _type(page, "HR.DX_TRAINEES", "v", "320")
    with page.expect_navigation():
        page.locator("form.submit-box button.submit").click()
    assert page.url == form_url
    expect(page.locator(".report-status")).to_have_attribute("data-status", "submitted")
    expect(page.locator("[data-lock=submitted]")).to_be_visible()
    expect(page.locator("ul.messages li.success")).to_be_visible()
    assert page.locator(".cell input.num").count() == 0
    expect(_cell_readonly(page, "HR.DX_TRAINEES")).to_contain_text("320")
    web.shot("submitted")

    web.goto("/collect/")
    first = page.locator('section[data-dataset="XA_QUY"] a.ov-cell').first
    expect(first).to_have_attribute("data-status", "submitted")
    web.shot("overview-after")
    web.assert_clean()


def _cell_readonly(page, code: str):
    return (
        page.locator(".entry-row").filter(has=page.locator(f'a.code:text-is("{code}")')).locator(".readonly")
    )

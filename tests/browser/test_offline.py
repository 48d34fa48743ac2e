"""The demo officer enters a quarter's figures on a phone without a connection, and they reach the server.

The officer (`canbo.thanuyen`, xã Than Uyên) opens /collect/ and a form online, which keeps them on
the device; then, offline, reloads both, types figures (a Vietnamese number, a broken rule shown at
once, a figure that is not a number), closes the page and opens it again, and submits. Meanwhile the
administrator changes one of the same figures. Back online, the figures are sent, the conflict shows
both figures and the officer keeps theirs; the values API and the history say what happened, and the
queued submission goes. The form used is the previous quarter (late, still open), which the other
browser tests leave alone.
"""

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

OFFICER = "canbo.thanuyen"
DATASET = "XA_QUY"
PERIOD = "2026Q3"  # late on the suite's pinned day (20/11/2026): figures still accepted
RULE = "Số thôn có tổ công nghệ số cộng đồng không vượt quá số thôn, bản, tổ dân phố"
# Waits on conditions only; a busy machine gets time.
SLOW = 60_000


def _password(server, username: str) -> str:
    for line in (server.var_dir / "demo-accounts.txt").read_text(encoding="utf-8").splitlines():
        name, _, rest = line.partition(" ")
        if name == username:
            return rest.split()[0]
    raise AssertionError(f"{username} is not in demo-accounts.txt")


def _log_in(web, username: str, password: str, next_path: str = "/collect/") -> None:
    web.goto(f"/login/?next={next_path}")
    form = web.page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with web.page.expect_navigation():
        form.locator("button[type=submit]").click()


def _cell(page, code: str):
    return page.locator(f'.cell:has(input[name$="-{code}"][data-part="ver"])')


def _type(page, code: str, part: str, text: str) -> None:
    box = _cell(page, code).locator(f'input[data-part="{part}"]')
    box.click()
    box.fill(text)


def _leave(page) -> None:
    page.keyboard.press("Tab")


def _bar(page):
    return page.locator("#offline-bar")


def _ready(page) -> None:
    expect(_bar(page)).to_have_attribute("data-ready", "", timeout=SLOW)


def _form_path(page) -> str:
    link = page.locator(f'section[data-dataset="{DATASET}"] a.ov-cell[data-period="{PERIOD}"]')
    expect(link).to_have_attribute("data-state", "late")
    return link.get_attribute("href")


def _api(page, path: str):
    response = page.request.get(page.url.split("/collect/")[0] + path)
    assert response.ok, (path, response.status)
    return response.json()


def test_offline_entry_sync_conflict_and_queued_submission(phone, browser, server):
    page, context = phone.page, phone.page.context
    _log_in(phone, OFFICER, _password(server, OFFICER))
    # Opening /collect/ online keeps the officer's forms on the device.
    expect(_bar(page)).to_have_attribute("data-kept", re.compile(r"^[1-9]\d*$"), timeout=SLOW)
    form_path = _form_path(page)
    phone.goto(form_path)
    _ready(page)
    unit_id = form_path.split("/")[3]

    # No connection: /collect/ and the form open from the device.
    context.set_offline(True)
    page.reload()
    _ready(page)
    expect(_bar(page)).to_have_attribute("data-online", "false")
    expect(_bar(page).locator("[data-net]")).to_contain_text("Mất kết nối")
    phone.goto("/collect/")
    expect(page.locator("main h1")).to_have_text("Nhập số liệu")
    phone.goto(form_path)
    _ready(page)

    # Figures typed offline are kept at once and checked as the server would.
    _type(page, "CTX.VILLAGES", "v", "5")
    _leave(page)
    _type(page, "CTX.HOUSEHOLDS", "v", "1.234,5")
    _leave(page)
    expect(_cell(page, "CTX.HOUSEHOLDS")).to_have_attribute("data-state", "queued")
    _type(page, "AWR.CDT_VILLAGE_COVERAGE", "n", "7")
    _type(page, "AWR.CDT_VILLAGE_COVERAGE", "d", "10")
    _leave(page)
    checks = page.locator("#entry-summary .checks[data-offline]")
    expect(checks.locator("li.error")).to_contain_text(RULE)  # the declared rule, judged on the device
    _type(page, "HR.DX_TRAINEES", "v", "abc")
    _leave(page)
    trainees = _cell(page, "HR.DX_TRAINEES")
    expect(trainees).to_have_attribute("data-state", "error")
    expect(trainees.locator(".cell-status")).to_have_text(
        "Giá trị: “abc” không phải là số (viết như 1.234,5 hoặc 24,3%)"
    )
    _type(page, "HR.DX_TRAINEES", "v", "")
    _leave(page)
    # The rule holds again once the figure is corrected.
    _type(page, "AWR.CDT_VILLAGE_COVERAGE", "n", "4")
    _leave(page)
    expect(checks).to_have_count(0)
    for code, part, text in [
        ("AWR.CDT_TEAMS_VILLAGE", "v", "4"),
        ("INF.HOUSEHOLD_FIXED_BB", "v", "24,3%"),
        ("GOV.LATE_DOSSIERS", "v", "2"),
    ]:
        _type(page, code, part, text)
        _leave(page)
    _type(page, "INF.FIBRE_VILLAGE_COVERAGE", "n", "3")
    _type(page, "INF.FIBRE_VILLAGE_COVERAGE", "d", "5")
    _leave(page)
    _type(page, "GOV.ONLINE_DOSSIER_RATE", "n", "1.045")
    _type(page, "GOV.ONLINE_DOSSIER_RATE", "d", "2.300")
    _leave(page)
    expect(_bar(page)).to_have_attribute("data-waiting", "8")
    expect(_bar(page).locator("[data-count]")).to_contain_text("8 số liệu chờ gửi")
    phone.shot("typed-offline")

    # Submitting offline queues the submission.
    page.locator("form.submit-box button.submit").click()
    expect(page.locator("form.submit-box [data-submit-note]")).to_contain_text("khi có mạng")

    # The page closed and opened again, still offline: everything typed is there.
    page.close()
    page = context.new_page()
    phone.page = page
    phone.goto(form_path)
    _ready(page)
    expect(_cell(page, "CTX.HOUSEHOLDS").locator('input[data-part="v"]')).to_have_value("1.234,5")
    expect(_cell(page, "AWR.CDT_VILLAGE_COVERAGE").locator('input[data-part="n"]')).to_have_value("4")
    expect(_bar(page)).to_have_attribute("data-waiting", "8")

    # Meanwhile the administrator, online in the office, changes the households figure.
    admin = browser.new_context(locale="vi-VN")
    try:
        admin.set_default_timeout(SLOW)
        office = admin.new_page()
        office.goto(server.at(f"/login/?next={form_path}"))
        office.locator("main form input[name=username]").fill(server.username)
        office.locator("main form input[name=password]").fill(server.password)
        with office.expect_navigation():
            office.locator("main form button[type=submit]").click()
        box = _cell(office, "CTX.HOUSEHOLDS").locator('input[data-part="v"]')
        box.click()
        box.fill("1.300")
        office.keyboard.press("Tab")
        expect(_cell(office, "CTX.HOUSEHOLDS")).to_have_attribute("data-state", "saved", timeout=SLOW)
    finally:
        admin.close()

    # Back online: the figures go, in order, with the version each was typed over.
    context.set_offline(False)
    households = _cell(page, "CTX.HOUSEHOLDS")
    expect(households).to_have_attribute("data-state", "conflict", timeout=SLOW)
    expect(households.locator("[data-conflict]")).to_contain_text(server.username)
    expect(households.locator("[data-conflict]")).to_contain_text("1.300")
    expect(households.locator("[data-conflict]")).to_contain_text("1.234,5")
    expect(_bar(page)).to_have_attribute("data-waiting", "0", timeout=SLOW)
    expect(_bar(page)).to_have_attribute("data-conflicts", "1")
    phone.shot("conflict")
    # The server answers 409 for the conflict: expected, not a fault of the page.
    phone.watch.clear()

    # The officer keeps the figure typed in the village; the submission waited for the choice.
    households.locator('button[data-keep="mine"]').click()
    expect(households).to_have_attribute("data-state", "saved", timeout=SLOW)
    expect(page.locator("form.submit-box [data-submit-result]")).to_have_attribute(
        "data-submit-result", "sent", timeout=SLOW
    )
    phone.shot("synced")

    # The values API and the history: the officer's figure, both figures kept, entered offline.
    found = _api(page, f"/api/v1/values?unit={unit_id}&indicator=CTX.HOUSEHOLDS&period={PERIOD}")
    (value,) = found["items"]
    assert value["value"] == 1234.5
    history = _api(page, f"/api/v1/values/{value['id']}/history")
    figures = [change["after"]["value"] for change in history]
    assert 1300 in figures and figures[-1] == 1234.5, figures
    assert history[-1]["changed_by"] == OFFICER and history[-1]["entered_offline_at"]
    coverage = _api(page, f"/api/v1/values?unit={unit_id}&indicator=AWR.CDT_VILLAGE_COVERAGE&period={PERIOD}")
    assert (coverage["items"][0]["numerator"], coverage["items"][0]["denominator"]) == (4, 10)
    report = _api(page, f"/api/v1/reports/{DATASET}/{unit_id}/{PERIOD}")
    assert report["report"]["status"] == "submitted" and report["report"]["is_late"]
    phone.assert_clean()


def test_signing_out_clears_the_device(phone, server):
    page = phone.page
    _log_in(phone, OFFICER, _password(server, OFFICER))
    expect(_bar(page)).to_have_attribute("data-kept", re.compile(r"^[1-9]\d*$"), timeout=SLOW)
    kept = page.evaluate("caches.keys()")
    assert "dxm-pages" in kept
    with page.expect_navigation():
        page.locator("header form[action$='/logout/'] button").click()
    page.wait_for_function("async () => !(await caches.keys()).includes('dxm-pages')", timeout=SLOW)
    databases = page.evaluate("async () => (await indexedDB.databases()).map(d => d.name)")
    assert "dxmonitor-offline" not in databases
    phone.assert_clean()


SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
USABLE = (
    "() => window.dxEntry !== undefined && document.querySelector('.cell[data-editable] input.num') !== null"
)


def test_the_form_on_a_slow_3g_link(phone, server, server_json, artifacts):
    """Chrome's Slow 3G profile (2 s round trip, 400 kbit/s) through the DevTools protocol: the form
    becomes usable cold (straight after signing in) and warm (after /collect/ kept it); the times
    are recorded, not judged (the machine is shared). The protocol slows the page's own requests,
    not the service worker's: `dxmonitor bench entry` slows everything on a relay instead."""
    units = server_json("/api/v1/search?q=xa+than+uyen")["units"]["items"]
    commune = next(u for u in units if u["name"] == "Xã Than Uyên" and u["structure"] != "legacy")
    # The villages' yearly form: still open when the other tests have submitted the quarters.
    form_path = f"/collect/THON_NAM/{commune['id']}/2026/"
    page = phone.page
    page.set_default_timeout(180_000)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    times = {}
    _log_in(phone, OFFICER, _password(server, OFFICER), next_path=form_path)
    page.wait_for_function(USABLE, timeout=180_000, polling=50)
    times["cold_usable_ms"] = round(page.evaluate("performance.now()"))
    _ready(page)
    phone.goto("/collect/")
    expect(_bar(page)).to_have_attribute("data-kept", re.compile(r"^[1-9]\d*$"), timeout=180_000)
    page.goto(server.at(form_path), wait_until="commit", timeout=180_000)
    page.wait_for_function(USABLE, timeout=180_000, polling=50)
    times["warm_usable_ms"] = round(page.evaluate("performance.now()"))
    _ready(page)
    expect(page.locator(".cell[data-editable] input.num").first).to_be_editable()
    (artifacts / "slow-3g-form.json").write_text(json.dumps(times), encoding="utf-8")
    print("form on Slow 3G:", times)
    phone.assert_clean()

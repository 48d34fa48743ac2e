"""A whole assessment round in the browser, with the demo's accounts and Lai Châu's communes.

The organiser opens a round of the commune index for two units; the demo commune (Phường Quyết
Thắng) keeps a measured component as the system measured it and overrides another with a
document, the other unit (Xã Lản Nhì Thàng, filled by the organiser) enters the component the
system could not measure; the appraiser of the provincial Office adjusts a figure with its reason
and asks for evidence on another, the commune answers, the rest is accepted, the provisional
ranking goes out, the commune explains, the explanation is accepted, the council's decision
publishes the round and its official report is signed and verifies. The same cycle through the
API is src/dxmonitor/assessment/tests/test_api.py.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FIRST, SECOND = "03386", "03391"
SIGNER = "Giàng A Páo"


def _accounts(server) -> dict[str, str]:
    lines = (server.var_dir / "demo-assessment-accounts.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split(" ", 1) for line in lines if line.strip())


def _demo_key(server) -> tuple[bytes, str]:
    folder = server.var_dir / "demo-pki"
    passwords = dict(
        line.split(" ", 1)
        for line in (folder / "passwords.txt").read_text(encoding="utf-8").splitlines()
        if line
    )
    return (folder / "pheduyet.laichau.p12").read_bytes(), passwords["pheduyet.laichau"].split()[0]


def _click(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def _log_in(web, username: str, password: str, path: str) -> None:
    if web.page.locator("header .who form button").count():
        _click(web.page, web.page.locator("header .who form button"))
    web.goto(f"/login/?next={path}")
    form = web.page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    _click(web.page, form.locator("button[type=submit]"))
    expect(web.page.locator("header .who")).to_contain_text(username)


def _form(page, kind: str, code: str):
    return page.locator(f'form[data-form="{kind}"]:has(input[name=component][value="{code}"])')


def _row(page, code: str):
    return page.locator(f'tr[id="c-{code}"]')


def _ok(web, where: str) -> None:
    expect(web.page.locator("ul.messages li.error")).to_have_count(0)
    web.assert_clean(where)


@pytest.mark.browser
def test_a_whole_assessment_round(web, server):
    accounts = _accounts(server)
    organiser, appraiser, commune = "bantochuc.laichau", "thamdinh.vpub", "danhgia.xa"
    page = web.page

    # The organiser opens the round for two units.
    _log_in(web, organiser, accounts[organiser], "/assessment/")
    form = page.locator("#open-round")
    form.locator("select[name=scheme]").select_option("DTI_XA_405")
    form.locator("input[name=year]").fill("2024")
    form.locator("input[name=self_until]").fill("2026-11-30")
    form.locator("input[name=appraisal_until]").fill("2026-12-10")
    form.locator("input[name=explanation_until]").fill("2026-12-20")
    form.locator("input[name=publish_by]").fill("2026-12-31")
    form.locator("input[name=units]").fill(f"{FIRST}, {SECOND}")
    form.locator("input[name=title]").fill("Đánh giá thử hai đơn vị năm 2024")
    _click(page, form.locator("button[type=submit]"))
    _ok(web, "opening the round")
    round_path = re.search(r"/assessment/\d+/", page.url).group(0)
    links = page.locator("#units a")
    expect(links).to_have_count(2)
    first = links.filter(has_text="Quyết Thắng").get_attribute("href")
    second = links.filter(has_text="Lản Nhì Thàng").get_attribute("href")

    # The commune: CQS.1 stays measured, CQS.2 is overridden with a document, then submitted.
    _log_in(web, commune, accounts[commune], first)
    expect(_row(page, "CQS.1")).to_contain_text("hệ thống đo")
    figure = _form(page, "figure", "CQS.2")
    figure.locator("input[name=figure]").fill("95%")
    _click(page, figure.locator("button[type=submit]"))
    _ok(web, "overriding a figure")
    expect(_row(page, "CQS.2")).not_to_contain_text("hệ thống đo")
    evidence = _form(page, "evidence", "CQS.2")
    evidence.locator("input[name=number]").fill("45/BC-UBND")
    evidence.locator("input[name=issued_on]").fill("2025-01-15")
    evidence.locator("input[name=issuer]").fill("UBND phường Quyết Thắng")
    evidence.locator("input[name=abstract]").fill("Báo cáo kết quả giải quyết thủ tục hành chính năm 2024")
    evidence.locator("input[name=file]").set_input_files(
        {"name": "bao-cao-45.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    _click(page, evidence.locator("button[type=submit]"))
    _ok(web, "attaching a document")
    expect(_row(page, "CQS.2")).to_contain_text("bao-cao-45.pdf")
    _click(page, page.locator("#submit-sheet"))
    _ok(web, "submitting")
    expect(page.locator("#sheet-status")).to_have_attribute("data-status", "submitted")
    web.shot("sheet-submitted")

    # The second unit enters what the system could not measure, with a link, and submits.
    _log_in(web, organiser, accounts[organiser], second)
    figure = _form(page, "figure", "CQS.3")
    figure.locator("input[name=figure]").fill("25%")
    _click(page, figure.locator("button[type=submit]"))
    evidence = _form(page, "evidence", "CQS.3")
    evidence.locator("input[name=number]").fill("12/BC-UBND")
    evidence.locator("input[name=link]").fill("https://laichau.gov.vn/van-ban/12")
    _click(page, evidence.locator("button[type=submit]"))
    _click(page, page.locator("#submit-sheet"))
    _ok(web, "the second unit submits")

    # The Office's appraiser adjusts CQS.1 with its reason and asks for evidence on CQS.2.
    _log_in(web, appraiser, accounts[appraiser], first)
    adjust = _form(page, "appraise", "CQS.1")
    adjust.locator("select[name=decision]").select_option("adjust")
    adjust.locator("input[name=figure]").fill("40%")
    adjust.locator("input[name=reason]").fill("Hệ thống một cửa điện tử ghi nhận 40%")
    _click(page, adjust.locator("button[type=submit]"))
    _ok(web, "adjusting")
    expect(_row(page, "CQS.1")).to_have_attribute("data-review", "adjusted")
    ask = _form(page, "appraise", "CQS.2")
    ask.locator("select[name=decision]").select_option("ask")
    ask.locator("input[name=reason]").fill("Đề nghị bổ sung thống kê hồ sơ đúng hạn")
    _click(page, ask.locator("button[type=submit]"))
    expect(_row(page, "CQS.2")).to_have_attribute("data-review", "asked")
    _click(page, page.locator("#accept-rest"))
    _ok(web, "the appraiser accepts the rest")
    web.goto(second)
    _click(page, page.locator("#accept-rest"))

    # The commune answers with a new document; the Office accepts.
    _log_in(web, commune, accounts[commune], first)
    evidence = _form(page, "evidence", "CQS.2")
    evidence.locator("input[name=number]").fill("46/BC-UBND")
    evidence.locator("input[name=abstract]").fill("Thống kê hồ sơ giải quyết đúng hạn")
    evidence.locator("input[name=file]").set_input_files(
        {"name": "thong-ke-46.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    _click(page, evidence.locator("button[type=submit]"))
    answer = _form(page, "answer", "CQS.2")
    answer.locator("input[name=answer]").fill("Đã bổ sung báo cáo số 46/BC-UBND")
    _click(page, answer.locator("button[type=submit]"))
    _ok(web, "the commune answers")
    expect(_row(page, "CQS.2")).to_have_attribute("data-review", "answered")
    _log_in(web, appraiser, accounts[appraiser], first)
    _click(page, page.locator("#accept-rest"))
    expect(_row(page, "CQS.2")).to_have_attribute("data-review", "accepted")

    # The other departments (the organiser appraises them in the demo), then appraisal closes.
    _log_in(web, organiser, accounts[organiser], first)
    _click(page, page.locator("#accept-rest"))
    web.goto(second)
    _click(page, page.locator("#accept-rest"))
    web.goto(round_path)
    _click(page, page.locator("form[action$='/close/'] button"))
    _ok(web, "closing appraisal")
    expect(page.locator("main")).to_contain_text("Xếp hạng tạm thời")

    # The commune explains CQS.1; the Office accepts the explanation.
    _log_in(web, commune, accounts[commune], first)
    explain = _form(page, "explain", "CQS.1")
    explain.locator("input[name=text]").fill("Tỷ lệ 75% theo báo cáo của hệ thống tỉnh")
    _click(page, explain.locator("button[type=submit]"))
    _ok(web, "explaining")
    _log_in(web, appraiser, accounts[appraiser], first)
    reply = _form(page, "reply", "CQS.1")
    reply.locator("input[name=reply]").fill("Chấp nhận giải trình")
    _click(page, reply.locator("button[type=submit]"))
    expect(_row(page, "CQS.1")).to_have_attribute("data-explanation", "accepted")

    # The council's decision publishes the round; its report is signed and verifies.
    _log_in(web, organiser, accounts[organiser], round_path)
    publish = page.locator("form[action$='/publish/']")
    publish.locator("input[name=decision]").fill("Hội đồng thẩm định thống nhất kết quả")
    publish.locator("input[name=signer_name]").fill(SIGNER)
    _click(page, publish.locator("button[type=submit]"))
    _ok(web, "publishing")
    report_path = re.search(r"/reports/\d+/", page.url).group(0)
    p12, password = _demo_key(server)
    web.goto("/signing/")
    upload = page.locator('#credentials form[action="/signing/credentials/"]')
    upload.locator("input[name=file]").set_input_files(
        {"name": "khoa.p12", "mimeType": "application/x-pkcs12", "buffer": p12}
    )
    upload.locator("input[name=password]").fill(password)
    _click(page, upload.locator("button[type=submit]"))
    web.goto(report_path)
    signing = page.locator("section.sign-report form")
    signing.locator("input[name=password]").fill(password)
    _click(page, signing.locator("button[type=submit]"))
    expect(page.locator(".verdict.valid")).to_be_visible()
    web.shot("round-report-signed")

    # Published: public, locked, private files stay private.
    _click(page, page.locator("header .who form button"))
    web.goto(round_path)
    expect(page.locator("main")).to_contain_text("Xếp hạng chính thức")
    expect(page.locator("main")).to_contain_text("45/BC-UBND")
    expect(page.locator("main")).to_contain_text("không công khai")
    web.shot("round-published")
    web.assert_clean("the published round")

"""A commune's quarterly report goes up for approval and comes back, then the province issues its
signed official report and anyone can check the signature.

In the browser, as users do it: the officer of xã Than Uyên (Lai Châu) submits, the province's
approver returns the report with a reason, the officer corrects a figure and submits again, the
approver approves and the figures lock. The approver then adds a personal signing key (.p12) on
the signing page, makes the province's report for 2026, downloads it, signs it (a wrong password
first) and checks the signed PDF, and a copy changed after signing, on the verification page.

The same round trip through the API closes the file: it needs no browser and runs on every
database.

The data set, the accounts, the figures and the trusted certification authority are made through
the product's own actions: for the browser, inside the demo server's database (a `dxmonitor
manage shell` run beside the server); for the API test, in the test database. The data set is
this file's own and shares no indicator with the demo's quarterly report, so the demo officer's
form (tests/browser/test_entry.py) is neither filled in nor locked by it.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

DATASET = "XA_DUYET_QUY"
DATASET_NAME = "Báo cáo công vụ số cấp xã hằng quý"
INDICATORS = [
    ("CTX.OFFICIALS", True),
    ("GOV.ONTIME_DOSSIER_RATE", True),
    ("GOV.OFFICIAL_EMAIL_ACCOUNTS", True),
    ("AWR.DX_CONTEST_PARTICIPANTS", False),
]
FIGURES = {
    "CTX.OFFICIALS": {"value": 21},
    "GOV.ONTIME_DOSSIER_RATE": {"value": None, "numerator": 188, "denominator": 200},
    "GOV.OFFICIAL_EMAIL_ACCOUNTS": {"value": 35},
}
# Online dossiers of two communes of Lai Châu in 2026, so that the province's report has a figure.
YEAR = "2026"
DOSSIERS = {"xã Than Uyên": (45, 60), "xã Tân Uyên": (30, 80)}

OFFICER, OFFICER_PASSWORD = "lo.thi.mai", "mat-khau-can-bo-xa-2026"
APPROVER, APPROVER_PASSWORD = "tran.van.duc", "mat-khau-phe-duyet-2026"
SIGNER = "Trần Văn Đức"
CERT_PASSWORD = "mat-khau-chung-thu-2026"
RETURN_REASON = "Số cán bộ, công chức chưa khớp với danh sách biên chế được giao năm 2026"
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
WRONG_PASSWORD = "Mật khẩu tệp chứng thư số không đúng"
MODIFIED = "Tài liệu đã bị sửa sau khi ký"


# --- set-up through the product's actions (runs wherever Django is set up) -------------------


def set_up(*, admin_username: str, ca_pem: str) -> dict:
    """The data set, xã Than Uyên's officer and Lai Châu's approver, the commune's required
    figures for the current quarter, the yearly figures of two communes, and the trusted CA."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from dxmonitor.accounts.actions import ensure_user, grant_role
    from dxmonitor.catalog.models import Indicator
    from dxmonitor.collection.actions import Provenance, record_value
    from dxmonitor.collection.datasets import define_dataset
    from dxmonitor.collection.models import SourceType
    from dxmonitor.geo.queries import resolve_unit
    from dxmonitor.signing.actions import add_trusted_root
    from dxmonitor.workflow.queries import period_containing

    structure_day = datetime.date(2025, 8, 1)
    form = Provenance(source_type=SourceType.FORM)
    dataset, _ = define_dataset(
        code=DATASET,
        name_vi=DATASET_NAME,
        name_en="Quarterly commune e-government report",
        period_type="Q",
        level="commune",
        indicators=INDICATORS,
        opens_after_days=0,
        due_days=20,
        closes_days=60,
    )
    province = resolve_unit(name="tỉnh Lai Châu", as_of=structure_day)
    commune = resolve_unit(name="xã Than Uyên", as_of=structure_day, province="Lai Châu")
    officer, _ = ensure_user(username=OFFICER, password=OFFICER_PASSWORD)
    grant_role(user=officer, role="data_entry", unit=commune)
    approver, _ = ensure_user(username=APPROVER, password=APPROVER_PASSWORD)
    grant_role(user=approver, role="approver", unit=province)

    period = period_containing("Q", timezone.localdate())
    for code, figure in FIGURES.items():
        record_value(
            unit=commune,
            indicator=Indicator.objects.get(code=code),
            period=period.code,
            provenance=form,
            user=officer,
            **figure,
        )
    rate = Indicator.objects.get(code="GOV.ONLINE_DOSSIER_RATE")
    for name, (top, bottom) in DOSSIERS.items():
        record_value(
            unit=resolve_unit(name=name, as_of=structure_day, province="Lai Châu"),
            indicator=rate,
            period=YEAR,
            value=None,
            numerator=top,
            denominator=bottom,
            provenance=form,
        )
    admin = get_user_model().objects.get(username=admin_username)
    add_trusted_root(certificate_pem=ca_pem, name="CA thử nghiệm phê duyệt (không dùng thật)", by=admin)
    return {
        "dataset": dataset.code,
        "commune": commune.pk,
        "province": province.pk,
        "period": period.code,
    }


def _keys():
    """A certification authority and the approver's personal certificate as a .p12 file."""
    from dxmonitor.signing import pki

    ca = pki.make_ca(common_name="CA thử nghiệm phê duyệt (không dùng thật)", organisation="dxmonitor")
    person = pki.issue(ca=ca, common_name=SIGNER, organisation="UBND tỉnh Lai Châu")
    return ca, pki.export_pkcs12(person, password=CERT_PASSWORD, chain=[ca.certificate])


def _changed_after_signing(signed: bytes) -> bytes:
    """The signed PDF with new page content appended as an incremental update, as a forger would."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 600 Td (99,9%) Tj ET")
    )
    writer.mark_update(page_ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


# --- the browser -------------------------------------------------------------------------------


def _set_up_on_server(server, tmp_path: Path, ca_pem: str) -> dict:
    """Run set_up() inside the demo server's database, beside the running server."""
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text(ca_pem, encoding="ascii")
    script = (
        "import json, sys; from pathlib import Path; "
        f"sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "import test_approval as t; "
        f"print('SETUP ' + json.dumps(t.set_up(admin_username={server.username!r}, "
        f"ca_pem=Path({str(ca_file)!r}).read_text())))"
    )
    executable = Path(sys.executable).with_name("dxmonitor")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "dxmonitor.cli"]
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DXM_SECRET_KEY"}}
    env.update(DXM_VAR_DIR=str(server.var_dir), DJANGO_SETTINGS_MODULE="dxmonitor.settings")
    done = subprocess.run(
        [*command, "manage", "shell", "-c", script],
        cwd=server.var_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("SETUP "))
    return json.loads(line.removeprefix("SETUP "))


def _log_in(web, username: str, password: str, next_path: str) -> None:
    web.goto(f"/login/?next={next_path}")
    form = web.page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with web.page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(web.page.locator("header .who")).to_contain_text(username)
    web.assert_clean(f"logging in as {username}")


def _log_out(web) -> None:
    with web.page.expect_navigation():
        web.page.locator("header .who form button").click()
    expect(web.page.locator("header .who")).to_contain_text("Đăng nhập")


def _cell(page, code: str):
    return page.locator(f'.cell:has(input[name$="-{code}"][data-part="ver"])')


def _click_through(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def _open_own_report(web) -> None:
    """The officer's overview, then this data set's current quarter."""
    web.goto("/collect/")
    link = web.page.locator(f'section[data-dataset="{DATASET}"] a.ov-cell').first
    _click_through(web.page, link)
    expect(web.page.locator("main h1")).to_have_text(DATASET_NAME)


def _open_from_inbox(web, unit_id: int, period: str):
    page = web.page
    page.locator("header nav summary", has_text="Báo cáo").click()
    _click_through(page, page.locator("header nav a", has_text="Hộp việc"))
    row = page.locator(
        f'section.inbox-waiting tr[data-report]:has(a[href="/collect/{DATASET}/{unit_id}/{period}/"])'
    )
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Xã Than Uyên")
    expect(row).to_contain_text(DATASET_NAME)
    expect(row).to_contain_text(OFFICER)
    return row


def _download(web, link) -> bytes:
    """Click a download link and read the file. These links have no `download` attribute, so
    Chromium starts a navigation and aborts it once the answer turns out to be an attachment:
    that one aborted request is the download itself, not a failure."""
    url = web.url(link.get_attribute("href"))
    with web.page.expect_download() as download:
        link.click()
    data = Path(download.value.path()).read_bytes()
    aborted = f"GET {url}: net::ERR_ABORTED"
    web.watch.failed_requests[:] = [r for r in web.watch.failed_requests if r != aborted]
    return data


def _status(page):
    return page.locator(".report-status")


@pytest.mark.browser
def test_a_report_is_returned_corrected_approved_and_the_province_signs_its_report(web, server, tmp_path):
    page = web.page
    ca, p12 = _keys()
    setup = _set_up_on_server(server, tmp_path, ca.pem)
    unit_id, period = setup["commune"], setup["period"]
    form_path = f"/collect/{DATASET}/{unit_id}/{period}/"

    # The officer submits the quarter's report.
    _log_in(web, OFFICER, OFFICER_PASSWORD, "/collect/")
    _open_own_report(web)
    assert page.url == web.url(form_path)
    expect(_status(page)).to_have_attribute("data-status", "draft")
    expect(page.locator("#entry-summary")).to_have_attribute("data-required-filled", "3")
    expect(_cell(page, "CTX.OFFICIALS").locator("input[data-part=v]")).to_have_value("21")
    _click_through(page, page.locator("form.submit-box button.submit", has_text="Nộp báo cáo"))
    expect(_status(page)).to_have_attribute("data-status", "submitted")
    expect(page.locator("[data-lock=submitted]")).to_be_visible()
    web.assert_clean("the officer submits")
    _log_out(web)

    # The approver finds it in the inbox and tries to return it without a reason.
    _log_in(web, APPROVER, APPROVER_PASSWORD, "/")
    row = _open_from_inbox(web, unit_id, period)
    web.shot("inbox")
    _click_through(page, row.locator("a"))
    assert page.url == web.url(form_path)
    give_back = page.locator("form[data-decide=return]")
    give_back.locator("button[type=submit]").click()  # the browser holds the empty required reason
    assert give_back.locator("input[name=reason]").evaluate("box => box.validity.valueMissing")
    assert page.url == web.url(form_path)
    expect(_status(page)).to_have_attribute("data-status", "submitted")
    # Without the browser's check the server refuses too, in Vietnamese.
    give_back.locator("input[name=reason]").evaluate("box => box.removeAttribute('required')")
    _click_through(page, give_back.locator("button[type=submit]"))
    expect(page.locator("ul.messages li.error")).to_have_text("Cần ghi lý do trả lại báo cáo")
    expect(_status(page)).to_have_attribute("data-status", "submitted")

    give_back = page.locator("form[data-decide=return]")
    give_back.locator("input[name=reason]").fill(RETURN_REASON)
    _click_through(page, give_back.locator("button[type=submit]"))
    expect(page.locator("ul.messages li.success")).to_be_visible()
    expect(_status(page)).to_have_attribute("data-status", "returned")
    web.assert_clean("the approver returns the report")
    _log_out(web)

    # The officer reads why, corrects one figure and submits again.
    _log_in(web, OFFICER, OFFICER_PASSWORD, "/collect/")
    _open_own_report(web)
    returned = page.locator("[data-returned]")
    expect(returned).to_contain_text(RETURN_REASON)
    expect(returned).to_contain_text(APPROVER)
    web.shot("returned")
    box = _cell(page, "CTX.OFFICIALS").locator("input[data-part=v]")
    box.click()
    box.fill("23")
    page.keyboard.press("Tab")
    expect(_cell(page, "CTX.OFFICIALS")).to_have_attribute("data-state", "saved")
    page.reload()
    expect(_cell(page, "CTX.OFFICIALS").locator("input[data-part=v]")).to_have_value("23")
    _click_through(page, page.locator("form.submit-box button.submit"))
    expect(_status(page)).to_have_attribute("data-status", "submitted")
    web.assert_clean("the officer submits again")
    _log_out(web)

    # The approver approves: the data set's only level is the province, so the figures lock.
    _log_in(web, APPROVER, APPROVER_PASSWORD, "/")
    row = _open_from_inbox(web, unit_id, period)
    _click_through(page, row.locator("a"))
    expect(page.locator("ol.events li[data-action]")).to_have_count(3)
    _click_through(page, page.locator("form[data-decide=approve] button[type=submit]"))
    expect(_status(page)).to_have_attribute("data-status", "locked")
    expect(_status(page).locator(".status.locked")).to_have_text("đã duyệt, khóa số liệu")
    expect(page.locator("form[data-decide=approve]")).to_have_count(0)
    web.assert_clean("the approver approves")
    _log_out(web)

    _log_in(web, OFFICER, OFFICER_PASSWORD, "/collect/")
    _open_own_report(web)
    expect(page.locator("[data-lock=approved]")).to_be_visible()
    expect(_status(page)).to_have_attribute("data-status", "locked")
    assert page.locator(".cell input.num").count() == 0
    assert page.locator("form.submit-box").count() == 0
    actions = page.locator("ol.events li[data-action]").evaluate_all(
        "items => items.map(i => i.dataset.action)"
    )
    assert actions == ["submit", "return", "submit", "approve"], actions  # oldest first
    expect(page.locator("ol.events")).to_contain_text(RETURN_REASON)
    web.shot("locked")
    web.assert_clean("the officer sees the locked report")
    _log_out(web)

    # The approver adds a personal signing key on the signing page.
    _log_in(web, APPROVER, APPROVER_PASSWORD, "/signing/")
    upload = page.locator('#credentials form[action="/signing/credentials/"]')
    upload.locator("input[name=file]").set_input_files(
        {"name": "tran-van-duc.p12", "mimeType": "application/x-pkcs12", "buffer": p12}
    )
    upload.locator("input[name=password]").fill(CERT_PASSWORD)
    upload.locator("input[name=label]").fill("Chữ ký số cá nhân")
    _click_through(page, upload.locator("button[type=submit]"))
    expect(page.locator("ul.messages li.success")).to_contain_text(SIGNER)
    expect(page.locator("#credentials tbody")).to_contain_text(SIGNER)
    web.assert_clean("the approver adds a signing key")

    # The province's report for 2026.
    # Official reports are reached from the inbox.
    page.locator("header nav summary", has_text="Báo cáo").click()
    _click_through(page, page.locator("header nav a", has_text="Hộp việc"))
    _click_through(page, page.locator("p.see-also a", has_text="Báo cáo chính thức"))
    make = page.locator("section.make-report form")
    make.locator("select[name=unit]").select_option(str(setup["province"]))
    make.locator("input[name=period]").fill(YEAR)
    make.locator("input[name=signer_name]").fill(SIGNER)
    _click_through(page, make.locator("button[type=submit]"))
    assert re.search(r"/reports/\d+/$", page.url), page.url
    expect(page.locator("main h1")).to_contain_text(re.compile(r"\d+/BC-UBND"))
    expect(page.locator("main")).to_contain_text("Tỉnh Lai Châu")
    expect(page.locator("main")).to_contain_text(SIGNER)
    pdf = _download(web, page.locator("a[data-download=pdf]"))
    assert pdf.startswith(b"%PDF")
    assert MOTTO in _pdf_text(pdf)

    # A wrong certificate password signs nothing; the right one signs.
    signing = page.locator("section.sign-report form")
    expect(signing.locator("select[name=credential]")).to_contain_text(SIGNER)
    signing.locator("input[name=password]").fill("mat-khau-sai")
    _click_through(page, signing.locator("button[type=submit]"))
    expect(page.locator("ul.messages li.error")).to_contain_text(WRONG_PASSWORD)
    expect(page.locator(".verdict")).to_have_count(0)
    expect(page.locator("a[data-download=signed]")).to_have_count(0)
    signing = page.locator("section.sign-report form")
    signing.locator("input[name=password]").fill(CERT_PASSWORD)
    signing.locator("input[name=reason]").fill("Ban hành báo cáo chuyển đổi số năm 2026")
    _click_through(page, signing.locator("button[type=submit]"))
    expect(page.locator(".verdict.valid")).to_be_visible()
    expect(page.locator(".signature.valid")).to_contain_text(SIGNER)
    web.shot("official-report-signed")
    signed = _download(web, page.locator("a[data-download=signed]"))
    assert signed.startswith(b"%PDF") and signed != pdf
    web.assert_clean("the approver makes and signs the official report")

    # Anyone with the file checks it; a copy changed after signing fails the check.
    web.goto("/signing/verify/")
    check = page.locator("main form")
    check.locator("input[name=file]").set_input_files(
        {"name": "bao-cao-da-ky.pdf", "mimeType": "application/pdf", "buffer": signed}
    )
    _click_through(page, check.locator("button[type=submit]"))
    expect(page.locator(".verdict.valid")).to_be_visible()
    expect(page.locator(".signature.valid")).to_contain_text(SIGNER)
    expect(page.locator(".signature.valid")).to_contain_text("UBND tỉnh Lai Châu")
    web.shot("verification-valid")

    check = page.locator("main form")
    check.locator("input[name=file]").set_input_files(
        {
            "name": "bao-cao-bi-sua.pdf",
            "mimeType": "application/pdf",
            "buffer": _changed_after_signing(signed),
        }
    )
    _click_through(page, check.locator("button[type=submit]"))
    expect(page.locator(".verdict.invalid")).to_be_visible()
    expect(page.locator(".verdict.invalid")).to_contain_text(MODIFIED)
    expect(page.locator(".verdict.valid")).to_have_count(0)
    web.shot("verification-invalid")
    web.assert_clean("checking the signed report")


# --- the same round trip through the API -----------------------------------------------------


@pytest.fixture
def analytics(settings, tmp_path):
    from dxmonitor.analytics import store

    settings.ANALYTICS_PATH = str(tmp_path / "analytics.duckdb")
    yield
    store.close_all()


@pytest.mark.django_db
def test_the_same_round_trip_through_the_api(analytics):
    from django.test import Client

    from dxmonitor.accounts.actions import create_token, ensure_user
    from dxmonitor.signing.actions import upload_credential

    ensure_user(username="quantri.vongtron", password="mat-khau-quan-tri-2026", is_admin=True)
    ca, p12 = _keys()
    setup = set_up(admin_username="quantri.vongtron", ca_pem=ca.pem)
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    officer, approver = users.get(username=OFFICER), users.get(username=APPROVER)
    credential = upload_credential(user=approver, pkcs12=p12, password=CERT_PASSWORD)
    api = Client()
    as_officer = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=officer, name='may-cua-xa')[1]}"}
    as_approver = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=approver, name='van-phong-tinh')[1]}"}
    report = f"/api/v1/reports/{DATASET}/{setup['commune']}/{setup['period']}"

    def post(path: str, body: dict | None, auth: dict):
        return api.post(path, data=json.dumps(body or {}), content_type="application/json", **auth)

    submitted = post(f"{report}/submit", None, as_officer)
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["report"]["status"] == "submitted"
    assert post(f"{report}/approve", None, as_officer).status_code == 403
    early = {
        "unit_id": setup["commune"],
        "indicator": "CTX.OFFICIALS",
        "period": setup["period"],
        "value": 22,
    }
    _refused_as_locked(post("/api/v1/values", early, as_officer))

    empty = post(f"{report}/return", {"reason": "  "}, as_approver)
    assert empty.status_code == 400 and "say why" in empty.json()["detail"], empty.content
    returned = post(f"{report}/return", {"reason": RETURN_REASON}, as_approver)
    assert returned.status_code == 200, returned.content
    assert returned.json()["report"]["status"] == "returned"
    assert returned.json()["report"]["reason"] == RETURN_REASON

    correction = {
        "unit_id": setup["commune"],
        "indicator": "CTX.OFFICIALS",
        "period": setup["period"],
        "value": 23,
    }
    changed = post("/api/v1/values", correction, as_officer)
    assert changed.status_code in (200, 201), changed.content
    assert post(f"{report}/submit", None, as_officer).json()["report"]["status"] == "submitted"
    approved = post(f"{report}/approve", {"reason": "Số liệu khớp biên chế"}, as_approver)
    assert approved.status_code == 200, approved.content
    assert approved.json()["report"]["status"] == "locked" and approved.json()["lock"] == "approved"
    assert post(f"{report}/approve", None, as_approver).status_code == 409
    _refused_as_locked(post("/api/v1/values", early, as_officer))
    officials = next(
        cell
        for row in api.get(report, **as_officer).json()["rows"]
        for cell in row["cells"]
        if cell["indicator"] == "CTX.OFFICIALS"
    )
    assert officials["value"] == 23

    made = post(
        "/api/v1/official-reports",
        {"unit_id": setup["province"], "period": YEAR, "signer_name": SIGNER},
        as_approver,
    )
    assert made.status_code == 201, made.content
    official = made.json()
    pdf = api.get(official["pdf_url"], **as_approver).content
    assert pdf.startswith(b"%PDF") and MOTTO in _pdf_text(pdf)
    sign = f"/api/v1/official-reports/{official['id']}/sign"
    wrong = post(sign, {"credential_id": credential.pk, "password": "mat-khau-sai"}, as_approver)
    assert wrong.status_code == 400
    assert api.get(f"/api/v1/official-reports/{official['id']}/signed", **as_approver).status_code == 404
    signed = post(sign, {"credential_id": credential.pk, "password": CERT_PASSWORD}, as_approver)
    assert signed.status_code == 200 and signed.json()["signer_subject"] == SIGNER, signed.content
    signed_pdf = api.get(f"/api/v1/official-reports/{official['id']}/signed", **as_approver).content

    def verify(data: bytes, name: str) -> dict:
        answer = api.post("/api/v1/signing/verify", {"file": _named(data, name)}, **as_approver)
        assert answer.status_code == 200, answer.content
        return answer.json()

    good = verify(signed_pdf, "bao-cao-da-ky.pdf")
    assert good["signed"] and good["valid"]
    assert [s["signer"] for s in good["signatures"]] == [SIGNER]
    bad = verify(_changed_after_signing(signed_pdf), "bao-cao-bi-sua.pdf")
    assert bad["signed"] and not bad["valid"]
    assert bad["signatures"][0]["modified_after_signing"]
    assert MODIFIED in [p["message_vi"] for p in bad["problems"] + bad["signatures"][0]["problems"]]


def _refused_as_locked(answer) -> None:
    assert answer.status_code == 400, answer.content
    assert "has been submitted" in answer.content.decode(), answer.content


def _named(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/pdf")

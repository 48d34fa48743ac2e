"""The whole round through the JSON API, with the bad inputs each refused as it should be."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from .conftest import DEADLINES, PASSWORD, PDF, YEAR

BASE = "/api/v1/assessment"


@pytest.fixture
def tokens(people):
    from dxmonitor.accounts.actions import create_token

    return {name: create_token(user=user, name=f"may-{name}")[1] for name, user in people.items()}


@pytest.fixture
def call(client, tokens):
    def send(method: str, path: str, who: str, body=None, **kwargs):
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        url = path if path.startswith("/api/") else BASE + path
        if method == "get":
            return client.get(url, headers=headers)
        if kwargs.get("multipart"):
            return client.post(url, body, headers=headers)
        return getattr(client, method)(url, body, content_type="application/json", headers=headers)

    return send


@pytest.fixture
def signing_key(db, admin, people):
    from dxmonitor.signing import pki
    from dxmonitor.signing.actions import add_trusted_root, upload_credential

    ca = pki.make_ca(common_name="CA thử nghiệm đánh giá (không dùng thật)", organisation="dxmonitor")
    add_trusted_root(certificate_pem=ca.pem, name="CA thử nghiệm", by=admin)
    issued = pki.issue(ca=ca, common_name="Giàng A Tủa", organisation="UBND tỉnh Lai Châu")
    data = pki.export_pkcs12(issued, password=PASSWORD, chain=[ca.certificate])
    return upload_credential(user=people["organiser"], pkcs12=data, password=PASSWORD)


def test_the_whole_round_through_the_api(call, people, measured, province, units, signing_key, settings):
    body = {
        "scheme": "DTI_XA_405",
        "year": YEAR,
        "province_id": province.pk,
        "unit_ids": [u.pk for u in units],
        **{k: v.isoformat() for k, v in DEADLINES.items()},
    }
    assert call("post", "/rounds", "specialist1", body).status_code == 403
    opened = call("post", "/rounds", "organiser", body)
    assert opened.status_code == 201, opened.json()
    rid = opened.json()["id"]
    assert opened.json()["stage"] == "self" and opened.json()["units"] == 3

    sheet = call("get", f"/rounds/{rid}/units/{units[0].pk}", "specialist1").json()
    online = next(e for e in sheet["entries"] if e["component"] == "CQS.1")
    assert online["measured"] and online["figure"] == 75.0 and online["department"] == "VPUB"
    assert call("get", f"/rounds/{rid}/units/{units[0].pk}", "specialist3").status_code == 403

    # Evidence over the limit or of a forbidden type.
    settings.ASSESSMENT_EVIDENCE_MAX_BYTES = 500
    path = f"{BASE}/rounds/{rid}/units/{units[0].pk}/components/NT.1.2/evidence"
    big = {"number": "1", "file": SimpleUploadedFile("big.pdf", PDF + b"0" * 600)}
    assert "at most 500 bytes" in call("post", path, "specialist1", big, multipart=True).json()["detail"]
    exe = {"number": "1", "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00")}
    assert (
        "PDF, PNG, JPEG or Excel" in call("post", path, "specialist1", exe, multipart=True).json()["detail"]
    )
    settings.ASSESSMENT_EVIDENCE_MAX_BYTES = 10_000_000

    for number, unit in enumerate(units, start=1):
        who = f"specialist{number}"
        entries = call("get", f"/rounds/{rid}/units/{unit.pk}", who).json()["entries"]
        for item in entries:
            if item["measured"]:
                continue
            code = item["component"]
            figure = "85%" if code == "NT.3.3" else "1.234,5" if code == "KTS.1" else "1"
            saved = call("put", f"/rounds/{rid}/units/{unit.pk}/components/{code}", who, {"figure": figure})
            assert saved.status_code == 200, saved.json()
            path = f"{BASE}/rounds/{rid}/units/{unit.pk}/components/{code}/evidence"
            form = {"number": f"{number}/QĐ-UBND", "issued_on": "2025-03-01", "abstract": "Quyết định"}
            form["file"] = SimpleUploadedFile("qd.pdf", PDF, content_type="application/pdf")
            added = call("post", path, who, form, multipart=True)
            assert added.status_code == 201, added.json()
        if number == 1:
            done = call("get", f"/rounds/{rid}/units/{unit.pk}", who).json()
            households = next(e for e in done["entries"] if e["component"] == "NT.3.3")
            products = next(e for e in done["entries"] if e["component"] == "KTS.1")
            assert households["figure"] == 85.0 and products["figure"] == 1234.5
            # Submitting is the approver's; a missing component is listed.
            call("put", f"/rounds/{rid}/units/{unit.pk}/components/NT.2.1", who, {"figure": ""})
            refused = call("post", f"/rounds/{rid}/units/{unit.pk}/submit", f"approver{number}")
            assert refused.status_code == 400
            assert [p["field"] for p in refused.json()["errors"]] == ["NT.2.1"]
            call("put", f"/rounds/{rid}/units/{unit.pk}/components/NT.2.1", who, {"figure": "100"})
        assert call("post", f"/rounds/{rid}/units/{unit.pk}/submit", who).status_code == 403
        submitted = call("post", f"/rounds/{rid}/units/{unit.pk}/submit", f"approver{number}")
        assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"

    def appraise(unit, code, who, **decision):
        return call("post", f"/rounds/{rid}/units/{unit.pk}/components/{code}/appraisal", who, decision)

    assert appraise(units[0], "CQS.1", "thamdinh_khcn", decision="accept").status_code == 403
    adjusted = appraise(
        units[0], "CQS.1", "thamdinh_vp", decision="adjust", figure="60%", reason="Theo hệ thống một cửa"
    )
    assert adjusted.json()["appraised_points"] == pytest.approx(60.0)
    asked = appraise(
        units[1], "CQS.2", "thamdinh_vp", decision="ask", reason="Bổ sung thống kê hồ sơ đúng hạn"
    )
    assert asked.json()["review"] == "asked"
    answered = call(
        "post",
        f"/rounds/{rid}/units/{units[1].pk}/components/CQS.2/answer",
        "specialist2",
        {"answer": "Đã bổ sung"},
    )
    assert answered.json()["review"] == "answered"
    progress = call("get", f"/rounds/{rid}/progress", "organiser").json()
    assert {row["key"] for row in progress["departments"]} == {"SKHCN", "VPUB", "SCT"}
    assert call("post", f"/rounds/{rid}/close-appraisal", "organiser").status_code == 400

    from dxmonitor.assessment.actions import grant_appraiser
    from dxmonitor.assessment.models import Department, Entry

    grant_appraiser(
        user=people["thamdinh_khcn"],
        department=Department.objects.get(code="SCT"),
        province=province,
        granted_by=people["organiser"],
    )
    for item in Entry.objects.filter(sheet__round_id=rid).exclude(review__in=["accepted", "adjusted"]):
        who = "thamdinh_vp" if item.component.code.startswith("CQS") else "thamdinh_khcn"
        assert appraise(item.sheet.unit, item.component.code, who, decision="accept").status_code == 200
    closed = call("post", f"/rounds/{rid}/close-appraisal", "organiser")
    assert closed.json()["stage"] == "explanation"

    provisional = call("get", f"/rounds/{rid}/ranking", "specialist1").json()
    communes = next(g for g in provisional["groups"] if g["peer_group"] == "xa")
    than_uyen = next(u for u in communes["units"] if u["unit_id"] == units[0].pk)
    assert than_uyen["change"] == pytest.approx(-15.0) and "CQS" in than_uyen["pillars"]

    explained = call(
        "post",
        f"/rounds/{rid}/units/{units[0].pk}/components/CQS.1/explanation",
        "specialist1",
        {"text": "Đúng 75%"},
    )
    assert explained.json()["explanation"] == "filed"
    late = datetime.datetime(2026, 12, 21, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
    with time_machine.travel(late, tick=False):
        too_late = call(
            "post",
            f"/rounds/{rid}/units/{units[1].pk}/components/CQS.1/explanation",
            "specialist2",
            {"text": "Muộn"},
        )
    assert too_late.status_code == 400 and "deadline" in too_late.json()["detail"]
    replied = call(
        "post",
        f"/rounds/{rid}/units/{units[0].pk}/components/CQS.1/explanation-reply",
        "thamdinh_vp",
        {"accept": True, "reply": "Chấp nhận giải trình"},
    )
    assert replied.json()["explanation"] == "accepted" and replied.json()["points"] == pytest.approx(75.0)

    published = call(
        "post",
        f"/rounds/{rid}/publish",
        "organiser",
        {"decision": "Hội đồng thống nhất", "signer_name": "Giàng A Tủa"},
    )
    assert published.status_code == 200 and published.json()["stage"] == "published"
    report_id = published.json()["report_id"]
    signed = call(
        "post",
        f"/api/v1/official-reports/{report_id}/sign",
        "organiser",
        {"credential_id": signing_key.pk, "password": PASSWORD},
    )
    assert signed.status_code == 200, signed.json()
    pdf = call("get", f"/api/v1/official-reports/{report_id}/signed", "organiser").content
    checked = call(
        "post",
        "/api/v1/signing/verify",
        "organiser",
        {"file": SimpleUploadedFile("kq.pdf", pdf)},
        multipart=True,
    )
    assert checked.status_code == 200, checked.content[:300]
    checked = checked.json()
    assert checked["valid"] and checked["signatures"][0]["signer"] == "Giàng A Tủa"

    # Published: locked, public, private files stay private.
    changed = call(
        "put", f"/rounds/{rid}/units/{units[0].pk}/components/NT.1.2", "specialist1", {"figure": "0"}
    )
    assert changed.status_code == 409
    from django.test import Client

    anonymous = Client()
    ranking = anonymous.get(f"{BASE}/rounds/{rid}/ranking").json()
    assert ranking["round"]["stage"] == "published"
    evidence_id = sheet_evidence_id = Entry.objects.get(
        sheet__round_id=rid, sheet__unit=units[0], component__code="NT.1.2"
    )
    evidence_id = sheet_evidence_id.evidence.first().pk
    assert anonymous.get(f"{BASE}/evidence/{evidence_id}/file").status_code == 404
    events = call("get", f"/rounds/{rid}/events", "organiser").json()
    assert {"opened", "adjust", "ask", "answered", "explained", "published"} <= {e["kind"] for e in events}


def test_ids_out_of_range_are_not_found(client, call, opened, units):
    huge = 10**22
    assert call("get", f"/rounds/{huge}", "organiser").status_code == 404
    assert call("get", f"/rounds/{opened.pk}/units/{huge}", "organiser").status_code == 404
    path = f"/rounds/{opened.pk}/units/{huge}/components/CQS.1"
    assert call("put", path, "specialist1", {"figure": "1"}).status_code == 404
    assert client.get(f"{BASE}/evidence/{huge}/file").status_code == 404
    assert client.get(f"/assessment/{huge}/").status_code == 404

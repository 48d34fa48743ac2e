"""Deciding on reports through the pages and the API: the inbox, approve, return, unlock, bulk."""

import json

import pytest

from dxmonitor.workflow.actions import submit_report
from dxmonitor.workflow.models import Report

from .conftest import form_path
from .test_submit import fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(quarterly, commune, clerk, current_quarter):
    fill(commune, current_quarter, clerk)
    return submit_report(dataset=quarterly, unit=commune, period=current_quarter.code, user=clerk)


@pytest.fixture
def approver_client(client, approver):
    client.force_login(approver)
    return client


def _post_json(client, path, body, **headers):
    return client.post(path, data=json.dumps(body), content_type="application/json", **headers)


def test_the_inbox_page_lists_what_waits_and_approves_in_bulk(approver_client, submitted, commune):
    page = approver_client.get("/inbox/")
    html = page.content.decode()
    assert page.status_code == 200 and 'class="inbox-waiting"' in html
    assert f'data-report="{submitted.pk}"' in html and commune.name in html
    twin = approver_client.get("/api/v1/inbox").json()
    assert [r["unit"]["id"] for r in twin["waiting"]] == [commune.pk]
    assert twin["waiting"][0]["waiting_for"]["level"] == "province"

    done = approver_client.post("/inbox/approve/", {"report": [submitted.pk]}, follow=True)
    assert Report.objects.get(pk=submitted.pk).status == "locked"
    assert f'data-report="{submitted.pk}"' not in done.content.decode()


def test_returning_on_the_report_page_needs_a_reason(
    approver_client, submitted, quarterly, commune, current_quarter
):
    base = form_path(quarterly, commune, current_quarter)
    page = approver_client.get(base).content.decode()
    assert 'data-decide="approve"' in page and 'data-decide="return"' in page
    refused = approver_client.post(f"{base}return/", {"reason": " "}, follow=True)
    assert "Cần ghi lý do trả lại báo cáo" in refused.content.decode()
    assert Report.objects.get(pk=submitted.pk).status == "submitted"

    approver_client.post(f"{base}return/", {"reason": "Thiếu số thôn có tổ công nghệ số"}, follow=True)
    report = Report.objects.get(pk=submitted.pk)
    assert report.status == "returned" and report.reason == "Thiếu số thôn có tổ công nghệ số"


def test_the_commune_sees_the_reason_and_cannot_decide(
    client, clerk, approver, submitted, quarterly, commune, current_quarter
):
    from dxmonitor.workflow.approval import return_report

    return_report(report=submitted, user=approver, reason="Số hộ chưa khớp")
    client.force_login(clerk)
    page = client.get(form_path(quarterly, commune, current_quarter)).content.decode()
    assert "data-returned" in page and "Số hộ chưa khớp" in page
    assert 'data-decide="approve"' not in page
    assert 'data-action="return"' in page  # the history
    twin = client.get("/api/v1/inbox").json()
    assert [r["reason"] for r in twin["returned"]] == ["Số hộ chưa khớp"]
    refused = client.post(f"{form_path(quarterly, commune, current_quarter)}approve/", follow=True)
    assert Report.objects.get(pk=submitted.pk).status == "returned"
    assert "không phê duyệt được" in refused.content.decode()


def test_the_api_approves_returns_and_unlocks(submitted, quarterly, commune, current_quarter, approver):
    from django.test import Client

    from dxmonitor.accounts.actions import create_token

    _, token = create_token(user=approver, name="may-cua-so")
    api = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    base = f"/api/v1/reports/{quarterly.code}/{commune.pk}/{current_quarter.code}"
    approved = _post_json(api, f"{base}/approve", {}, **auth)
    assert approved.status_code == 200 and approved.json()["report"]["status"] == "locked"
    assert approved.json()["lock"] == "approved"
    again = _post_json(api, f"{base}/approve", {}, **auth)
    assert again.status_code == 409 and "already approved" in again.json()["detail"]
    no_reason = _post_json(api, f"{base}/unlock", {"reason": ""}, **auth)
    assert no_reason.status_code == 400
    unlocked = _post_json(api, f"{base}/unlock", {"reason": "Điều chỉnh theo số liệu thống kê"}, **auth)
    body = unlocked.json()["report"]
    assert body["status"] == "returned" and body["reason"] == "Điều chỉnh theo số liệu thống kê"
    assert [h["action"] for h in body["history"]] == ["submit", "approve", "unlock"]


def test_the_api_refuses_approvers_outside_their_subtree(
    submitted, quarterly, commune, current_quarter, unit_named
):
    from django.test import Client

    from dxmonitor.accounts.actions import create_token, ensure_user, grant_role

    user, _ = ensure_user(username="pheduyet.dienbien", password="mat-khau-dai-000")
    grant_role(user=user, role="approver", unit=unit_named("tỉnh Điện Biên", as_of=current_quarter.start))
    _, token = create_token(user=user, name="dien-bien")
    answer = _post_json(
        Client(),
        f"/api/v1/reports/{quarterly.code}/{commune.pk}/{current_quarter.code}/approve",
        {},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 403
    assert Report.objects.get(pk=submitted.pk).status == "submitted"


def test_bulk_approval_through_the_api_answers_per_report(
    approver_client, submitted, quarterly, commune, current_quarter
):
    keys = [
        {"dataset": quarterly.code, "unit_id": commune.pk, "period": current_quarter.code},
        {"dataset": quarterly.code, "unit_id": commune.pk, "period": current_quarter.code},
        {"dataset": "KHONG_CO", "unit_id": commune.pk, "period": current_quarter.code},
    ]
    answer = _post_json(approver_client, "/api/v1/reports/approve", {"reports": keys})
    results = answer.json()
    assert answer.status_code == 200
    assert [r["approved"] for r in results] == [True, False, False]
    assert "already approved" in results[1]["error"]

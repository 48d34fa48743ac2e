"""A missing or failed credential is 401 with a challenge everywhere in the API, even with the CSRF
check on (as for a real client); a credential that works but lacks the right stays 403."""

import base64

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def basic(username: str, password: str) -> dict:
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {encoded}"}


BODY = {"dataValues": []}


@pytest.fixture
def strict():
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize(
    "credential",
    [
        basic("quantri", "sai-mat-khau"),
        basic("khong-co-ai", "mat-khau-dai-123"),
        {"HTTP_AUTHORIZATION": "ApiToken dxm_khong-ton-tai"},
        {"HTTP_AUTHORIZATION": "Bearer dxm_khong-ton-tai"},
        {},
    ],
    ids=["wrong-password", "unknown-user", "unknown-apitoken", "unknown-bearer", "none"],
)
def test_dhis2_path_answers_401_with_challenge(strict, admin, credential):
    answer = strict.post("/api/dataValueSets", BODY, content_type="application/json", **credential)
    assert answer.status_code == 401, answer.content
    challenge = answer["WWW-Authenticate"]
    assert 'Basic realm="dxmonitor"' in challenge and "ApiToken" in challenge and "Bearer" in challenge
    assert answer.json()["detail"] in ("the credentials are wrong", "authentication is required")


def test_own_api_answers_401_for_a_wrong_token_on_writes_and_reads(strict, admin):
    wrong = {"HTTP_AUTHORIZATION": "Bearer dxm_khong-ton-tai"}
    write = strict.post("/api/v1/values", {}, content_type="application/json", **wrong)
    assert write.status_code == 401 and write["WWW-Authenticate"] == 'Bearer realm="dxmonitor"'
    assert write.json()["detail"] == "the credentials are wrong"
    read = strict.get("/api/v1/jobs", **wrong)
    assert read.status_code == 401 and read["WWW-Authenticate"].startswith("Bearer")
    bulk = strict.post("/api/v1/dataValueSets", BODY, content_type="application/json", **wrong)
    assert bulk.status_code == 401 and "Basic" in bulk["WWW-Authenticate"]


def test_a_signed_in_session_still_needs_its_csrf_token(strict, admin):
    strict.force_login(admin)
    answer = strict.post("/api/v1/dataValueSets", BODY, content_type="application/json")
    assert answer.status_code == 403


def test_a_working_credential_without_the_right_stays_403(strict, officer, officer_token):
    by_basic = strict.post(
        "/api/dataValueSets", BODY, content_type="application/json", **basic("canboxa", "mat-khau-dai-456")
    )
    assert by_basic.status_code == 403 and "WWW-Authenticate" not in by_basic
    by_token = strict.get("/api/v1/dhis2/mappings", HTTP_AUTHORIZATION=f"Bearer {officer_token}")
    assert by_token.status_code == 403

"""The checks pages and their JSON twins: who sees which violations and flags, who may act."""

import pytest

from dxmonitor.accounts.actions import ensure_user, grant_role
from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import RuleViolation, SourceType, ValueFlag
from dxmonitor.geo.models import Level
from dxmonitor.geo.queries import descendants

pytestmark = pytest.mark.django_db
FORM = Provenance(source_type=SourceType.FORM)


def put(unit, code: str, period: str, value, **extra):
    return record_value(
        unit=unit,
        indicator=Indicator.objects.get(code=code),
        period=period,
        value=value,
        provenance=FORM,
        **extra,
    ).value


@pytest.fixture
def area(unit_named):
    """Two communes of one district breaking a rule in 2024, and one value far from its history."""
    district = unit_named("huyện Tủa Chùa")
    first, second = list(descendants(district, level=Level.COMMUNE).order_by("code"))[:2]
    for commune in (first, second):
        put(commune, "CTX.VILLAGES", "2024", 10)
        put(commune, "INF.VILLAGES_WITHOUT_GRID", "2024", 12)
    for year, number in (("2020", 1000), ("2021", 1010), ("2022", 1020), ("2023", 9000)):
        put(first, "CTX.HOUSEHOLDS", year, number)
    assert RuleViolation.objects.count() == 2 and ValueFlag.objects.count() == 1
    return {"district": district, "first": first, "second": second}


def person(username: str, role: str | None = None, unit=None):
    user, _ = ensure_user(username=username, password="mat-khau-dai-000")
    if role:
        grant_role(user=user, role=role, unit=unit)
    return user


def test_rules_page_and_its_twin_are_public(client):
    html = client.get("/rules/").content.decode()
    assert "AWR.CDT_VILLAGE_COVERAGE.numerator &lt;= CTX.VILLAGES" in html
    rules = client.get("/api/v1/rules").json()
    assert {
        "code": "INF.NO_GRID_LE_VILLAGES",
        "expression": "INF.VILLAGES_WITHOUT_GRID <= CTX.VILLAGES",
    }.items() <= next(r for r in rules if r["code"] == "INF.NO_GRID_LE_VILLAGES").items()


def test_checks_need_a_signed_in_user(client, area):
    response = client.get("/checks/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get("/api/v1/violations").status_code == 401
    assert client.get("/api/v1/flags").status_code == 401
    assert client.post("/api/v1/violations/refresh", {}, content_type="application/json").status_code == 401


def test_a_commune_officer_sees_and_rechecks_only_the_commune(client, area):
    officer = person("canbo1", "data_entry", area["first"])
    client.force_login(officer)
    html = client.get("/checks/").content.decode()
    assert area["first"].name in html and area["second"].name not in html
    assert 'action="/checks/refresh/"' in html  # the re-run button
    assert "/checks/flags/" not in html  # no resolve action for data entry
    data = client.get("/api/v1/violations?period=2024").json()
    assert data["count"] == 1 and data["items"][0]["unit"]["id"] == area["first"].pk
    assert data["items"][0]["rule"]["code"] == "INF.NO_GRID_LE_VILLAGES"
    assert (data["items"][0]["left_value"], data["items"][0]["right_value"]) == (12, 10)
    assert client.get(f"/api/v1/violations?within={area['second'].pk}").json()["count"] == 0
    flags = client.get("/api/v1/flags").json()
    assert flags["count"] == 1 and flags["items"][0]["reason"] == "history"
    refreshed = client.post(
        "/api/v1/violations/refresh", {"within": area["first"].pk}, content_type="application/json"
    )
    assert refreshed.status_code == 200 and refreshed.json()["violations"] == 1
    denied = client.post(
        "/api/v1/violations/refresh", {"within": area["second"].pk}, content_type="application/json"
    )
    assert denied.status_code == 403 and denied.json()["detail_vi"]
    assert client.post("/api/v1/violations/refresh", {}, content_type="application/json").status_code == 403
    flag = ValueFlag.objects.get()
    assert (
        client.post(f"/api/v1/flags/{flag.pk}/resolve", {}, content_type="application/json").status_code
        == 403
    )


def test_an_analyst_reads_but_does_not_act(client, area):
    client.force_login(person("phantich", "analyst", area["district"]))
    html = client.get(f"/checks/?unit={area['district'].pk}&period=2024").content.decode()
    assert area["first"].name in html and area["second"].name in html
    assert 'action="/checks/refresh/"' not in html
    response = client.post("/checks/refresh/", {"unit": area["district"].pk, "period": "2024"})
    assert response.status_code == 302
    assert RuleViolation.objects.count() == 2
    assert client.get("/api/v1/violations").json()["count"] == 2


def test_an_approver_resolves_a_flag_on_the_page_and_in_the_api(client, area):
    approver = person("pheduyet", "approver", area["district"])
    client.force_login(approver)
    html = client.get("/checks/?q=tua+chua").content.decode()
    flag = ValueFlag.objects.get()
    assert f'action="/checks/flags/{flag.pk}/resolve/"' in html and 'action="/checks/refresh/"' in html
    response = client.post(f"/checks/flags/{flag.pk}/resolve/", {"note": "đã xác minh", "next": "/checks/"})
    assert response.status_code == 302 and response["Location"] == "/checks/"
    flag.refresh_from_db()
    assert flag.resolved_by == approver and flag.resolution_note == "đã xác minh"
    assert client.get("/api/v1/flags").json()["count"] == 0
    resolved = client.get("/api/v1/flags?open=false").json()["items"][0]
    assert resolved["resolved_by"] == "pheduyet" and not resolved["open"]
    again = client.post(f"/api/v1/flags/{flag.pk}/resolve", {"note": "x"}, content_type="application/json")
    assert again.status_code == 200 and again.json()["resolution_note"] == "đã xác minh"
    assert client.post("/api/v1/flags/999999/resolve", {}, content_type="application/json").status_code == 404
    # An offsite "next" is not followed.
    response = client.post(f"/checks/flags/{flag.pk}/resolve/", {"next": "https://example.com/"})
    assert response["Location"] == "/checks/"


def test_the_recheck_button_brings_violations_up_to_date(client, area):
    client.force_login(person("pheduyet", "approver", area["district"]))
    RuleViolation.objects.all().delete()
    response = client.post("/checks/refresh/", {"unit": area["district"].pk, "period": "2024"})
    assert response.status_code == 302 and f"unit={area['district'].pk}" in response["Location"]
    assert RuleViolation.objects.count() == 2


def test_checks_page_has_its_twin(client, area):
    client.force_login(person("quantri2", "admin", None))
    response = client.get(f"/checks/?unit={area['district'].pk}&period=2024")
    html = response.content.decode()
    assert f'href="/api/v1/violations?within={area["district"].pk}&amp;period=2024"' in html
    assert client.get(f"/api/v1/violations?within={area['district'].pk}&period=2024").json()["count"] == 2
    assert client.get("/checks/?period=Q5/2024").status_code == 200  # a bad period is said, not a 500

"""Roles over unit subtrees: what they allow, how they are given and taken back."""

import datetime

import pytest

from dxmonitor.accounts.actions import create_token, ensure_user, grant_role, revoke_role
from dxmonitor.accounts.permissions import ADMINISTER, APPROVE, ENTER, READ, can, grants
from dxmonitor.cli import main
from dxmonitor.common.errors import DomainError
from dxmonitor.geo.models import Level, Unit
from dxmonitor.geo.queries import unit_for_code

pytestmark = pytest.mark.django_db
AFTER = datetime.date(2025, 8, 1)


@pytest.fixture
def lai_chau():
    return unit_for_code(code="12", on=AFTER)


def commune_of(province: Unit) -> Unit:
    return province.children.filter(level=Level.COMMUNE).order_by("code").first()


def test_a_role_covers_its_subtree_and_nothing_else(officer, lai_chau):
    commune = commune_of(lai_chau)
    grant_role(user=officer, role="data_entry", unit=commune)
    assert can(officer, ENTER, commune) and can(officer, READ, commune)
    assert not can(officer, APPROVE, commune)
    other = lai_chau.children.exclude(pk=commune.pk).first()
    assert not can(officer, ENTER, other) and not can(officer, ENTER, lai_chau)
    dien_bien = unit_for_code(code="11", on=AFTER)
    assert not can(officer, READ, commune_of(dien_bien))


def test_approver_and_analyst(officer, lai_chau):
    grant_role(user=officer, role="approver", unit=lai_chau)
    grant_role(user=officer, role="analyst", unit=unit_for_code(code="11", on=AFTER))
    commune = commune_of(lai_chau)
    assert can(officer, APPROVE, commune) and can(officer, ENTER, commune)
    assert can(officer, READ, commune_of(unit_for_code(code="11", on=AFTER)))
    assert not can(officer, ENTER, commune_of(unit_for_code(code="11", on=AFTER)))
    assert not can(officer, ADMINISTER, commune)


def test_revoking_takes_effect_at_once(officer, lai_chau):
    grant_role(user=officer, role="data_entry", unit=lai_chau)
    assert can(officer, ENTER, commune_of(lai_chau))
    assert revoke_role(user=officer, role="data_entry", unit=lai_chau) == 1
    assert not can(officer, ENTER, commune_of(lai_chau))
    assert not grants(officer).any


def test_bad_roles_are_refused(officer, lai_chau):
    with pytest.raises(DomainError, match="unknown role"):
        grant_role(user=officer, role="chairman", unit=lai_chau)


def test_roles_through_the_api(client, admin_token, officer_token, officer):
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {admin_token}"}
    body = {"role": "data_entry", "unit_code": "12"}
    assert (
        client.post(
            "/api/v1/users/canboxa/roles",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {officer_token}",
        ).status_code
        == 403
    )
    granted = client.post("/api/v1/users/canboxa/roles", body, content_type="application/json", **bearer)
    assert granted.status_code == 201
    assert [(r["role"], r["unit"]["name"]) for r in granted.json()["roles"]] == [
        ("data_entry", "Tỉnh Lai Châu")
    ]
    listed = {u["username"]: u for u in client.get("/api/v1/users", **bearer).json()}
    assert listed["canboxa"]["active_tokens"] == 1
    removed = client.delete("/api/v1/users/canboxa/roles?role=data_entry&unit_code=12", **bearer)
    assert removed.status_code == 200 and removed.json()["roles"] == []
    assert (
        client.delete("/api/v1/users/canboxa/roles?role=data_entry&unit_code=12", **bearer).status_code == 404
    )
    assert (
        client.post("/api/v1/users/nobody/roles", body, content_type="application/json", **bearer).status_code
        == 404
    )


def test_roles_from_the_command_line(capsys, officer):
    assert main(["user", "grant", "canboxa", "approver", "--unit-code", "12"]) == 0
    assert "approver over Tỉnh Lai Châu" in capsys.readouterr().out
    assert main(["user", "list"]) == 0
    assert "canboxa: approver@12" in capsys.readouterr().out
    assert main(["user", "revoke", "canboxa", "approver", "--unit-code", "12"]) == 0
    assert main(["user", "revoke", "canboxa", "approver", "--unit-code", "12"]) == 1
    assert main(["user", "grant", "canboxa", "approver", "--unit-code", "99"]) == 1


def test_a_data_entry_token_writes_only_inside_its_commune(client, officer, lai_chau):
    from dxmonitor.collection.models import Value

    commune = commune_of(lai_chau)
    grant_role(user=officer, role="data_entry", unit=commune)
    _, token = create_token(user=officer, name="may-xa")
    other = lai_chau.children.exclude(pk=commune.pk).order_by("code").first()

    def post(unit: Unit):
        return client.post(
            "/api/v1/values",
            {"unit_id": unit.pk, "indicator": "CTX.VILLAGES", "period": "2025Q4", "value": 9},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    assert post(commune).status_code == 201
    refused = post(other)
    assert refused.status_code == 403 and refused.json()["detail_vi"]
    assert not Value.objects.filter(unit=other).exists()


def test_staff_without_roles_administer_the_country(db):
    user, _ = ensure_user(username="cu", password="mat-khau-dai-789")
    user.is_staff = True
    user.save()
    assert can(user, ADMINISTER, Unit.objects.filter(level=Level.PROVINCE).first())

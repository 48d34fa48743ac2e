"""The audit trail: every change, with who, when and from where, for those who may read it."""

import pytest

from dxmonitor.accounts.actions import create_token, grant_role
from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, delete_value, record_value
from dxmonitor.collection.bulk import RawValue, import_values
from dxmonitor.collection.models import SourceType
from dxmonitor.geo.models import Level, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tua_chua():
    return Unit.objects.get(level=Level.DISTRICT, name="Huyện Tủa Chùa")


def test_every_channel_leaves_its_mark(client, admin, officer, tua_chua):
    villages = Indicator.objects.get(code="CTX.VILLAGES")
    value = record_value(
        unit=tua_chua,
        indicator=villages,
        period="2024",
        value=118,
        user=admin,
        provenance=Provenance(source_type=SourceType.FORM),
    )
    import_values(
        items=[RawValue(indicator="CTX.VILLAGES", period="2024", unit_code="098", value="120", row=7)],
        user=admin,
        source_type=SourceType.IMPORT,
        source_file="thong-ke-2024.xlsx",
    )
    delete_value(
        value=value.value,
        user=admin,
        reason="trùng số liệu",
        provenance=Provenance(source_type=SourceType.API, api_client="tich-hop"),
    )
    _, token = create_token(user=admin, name="doc-nhat-ky")
    body = client.get(
        "/api/v1/audit", {"within": tua_chua.parent_id}, HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    assert body["count"] == 3
    newest, imported, entered = body["items"]
    assert (newest["action"], newest["reason"], newest["api_client"]) == (
        "delete",
        "trùng số liệu",
        "tich-hop",
    )
    assert (imported["action"], imported["source_file"], imported["source_row"]) == (
        "update",
        "thong-ke-2024.xlsx",
        7,
    )
    assert (imported["before"]["value"], imported["after"]["value"]) == (118, 120)
    assert (entered["action"], entered["source_type"], entered["changed_by"]) == ("create", "form", "quantri")
    assert entered["unit"] == "Huyện Tủa Chùa" and entered["indicator"] == "CTX.VILLAGES"
    # The page shows the same, to signed-in readers within the unit only.
    assert client.get("/audit/").status_code == 302
    client.force_login(officer)
    assert "thong-ke-2024.xlsx" not in client.get("/audit/").content.decode()
    grant_role(user=officer, role="analyst", unit=tua_chua)
    page = client.get("/audit/", {"source_type": "import"}).content.decode()
    assert "thong-ke-2024.xlsx:7" in page and "trùng số liệu" not in page


def test_anonymous_readers_see_only_public_changes(client, admin, tua_chua):
    record_value(
        unit=tua_chua,
        indicator=Indicator.objects.get(code="CTX.VILLAGES"),
        period="2024",
        value=118,
        user=admin,
        provenance=Provenance(source_type=SourceType.FORM),
    )
    assert client.get("/api/v1/audit").json()["count"] == 0


def test_the_users_page_gives_and_takes_roles(client, admin, officer, tua_chua):
    client.force_login(officer)
    assert client.get("/users/").status_code == 302
    client.force_login(admin)
    assert "canboxa" in client.get("/users/").content.decode()
    given = client.post(
        "/users/roles/",
        {"username": "canboxa", "role": "analyst", "unit_code": "12", "action": "grant"},
        follow=True,
    )
    assert "Đã giao vai trò." in given.content.decode()
    assert officer.roles.get().unit.name == "Tỉnh Lai Châu"
    refused = client.post(
        "/users/roles/", {"username": "canboxa", "role": "boss", "action": "grant"}, follow=True
    )
    assert "không hợp lệ" in refused.content.decode()
    taken = client.post(
        "/users/roles/",
        {
            "username": "canboxa",
            "role": "analyst",
            "unit_id": officer.roles.get().unit_id,
            "action": "revoke",
        },
        follow=True,
    )
    assert "Đã thu hồi vai trò." in taken.content.decode() and not officer.roles.exists()

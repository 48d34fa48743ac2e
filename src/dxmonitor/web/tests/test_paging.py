"""Paging parameters out of range are the client's mistake on every listing of the API: 400, never 500."""

import re

import pytest

from dxmonitor.api import api

pytestmark = pytest.mark.django_db

PAGING = ("limit", "offset", "page", "page_size")


def paged_operations() -> list[tuple[str, str]]:
    """(path with its parameters filled, paging parameter) for every GET that pages."""
    found = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        names = {p["name"] for p in get.get("parameters", []) if p.get("in") == "query"}
        filled = re.sub(r"\{[^}]+\}", "1", path)
        found += [(filled, name) for name in PAGING if name in names]
    return found


def test_official_reports_with_a_negative_offset_is_a_400(client, admin_token):
    response = client.get("/api/v1/official-reports?offset=-1", HTTP_AUTHORIZATION=f"Bearer {admin_token}")
    assert response.status_code == 400 and "offset" in response.json()["detail"]


def test_every_paging_parameter_is_checked(client, admin_token):
    operations = paged_operations()
    assert ("/api/v1/official-reports", "offset") in operations and len(operations) > 10
    for path, name in operations:
        for bad in ("-1", "10" * 20, "abc"):
            response = client.get(path, {name: bad}, HTTP_AUTHORIZATION=f"Bearer {admin_token}")
            assert response.status_code == 400, (path, name, bad, response.status_code)

"""Writers that meet another writer get another try, then a clear answer to come back: never a 500.

The real meeting of twenty writers on PostgreSQL is in tests/test_bulk_server.py; here the
database's refusals are simulated, on both databases, to pin down each answer.
"""

import json

import pytest
from django.db import OperationalError

from dxmonitor.collection import bulk_sql
from dxmonitor.collection.models import Value
from dxmonitor.collection.tests.test_dhis2 import mapped  # noqa: F401 - a fixture
from dxmonitor.common.retry import is_transient

pytestmark = pytest.mark.django_db

VALUES = [{"unit": "098", "indicator": "CTX.VILLAGES", "period": "2024", "value": 120}]


def post(client, token: str, body: dict, path: str = "/api/v1/dataValueSets"):
    return client.post(
        path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


@pytest.fixture
def contended(monkeypatch):
    """The database refuses the first `refusals["left"]` writes of a chunk as busy."""
    refusals = {"left": 0, "seen": 0}
    write = bulk_sql.Writer.write

    def busy_write(self, *args, **kwargs):
        refusals["seen"] += 1
        if refusals["left"]:
            refusals["left"] -= 1
            raise OperationalError("database is locked")
        return write(self, *args, **kwargs)

    monkeypatch.setattr(bulk_sql.Writer, "write", busy_write)
    monkeypatch.setattr("dxmonitor.common.retry.pause", lambda attempt: None)
    return refusals


def test_a_chunk_that_meets_another_writer_runs_again(client, admin_token, contended):
    contended["left"] = 2
    response = post(client, admin_token, {"values": VALUES})
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    assert contended["seen"] == 3
    stored = Value.objects.get(indicator__code="CTX.VILLAGES", period="2024", unit__code="098")
    assert stored.version == 1 and stored.changes.count() == 1


def test_writers_told_to_come_back_when_the_tries_run_out(client, admin_token, contended):
    contended["left"] = 100
    response = post(client, admin_token, {"values": VALUES})
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert "send it again" in body["detail"] and body["detail_vi"]
    assert not Value.objects.filter(indicator__code="CTX.VILLAGES", period="2024", unit__code="098").exists()

    dry = post(client, admin_token, {"values": VALUES}, path="/api/v1/dataValueSets?dryRun=true")
    assert dry.status_code == 503 and int(dry["Retry-After"]) > 0


@pytest.mark.usefixtures("mapped")
def test_dhis2_clients_get_a_web_message_with_retry_after(client, admin_token, contended):
    contended["left"] = 100
    payload = {"dataValues": [{"orgUnit": "x", "dataElement": "y", "period": "2024", "value": "1"}]}
    # Nothing mapped: the value is a conflict and nothing reaches the database.
    refused = post(client, admin_token, payload, path="/api/dataValueSets")
    assert refused.status_code == 409 and "Retry-After" not in refused

    contended["left"] = 100
    payload = {
        "dataValues": [
            {"orgUnit": "DiszpKrYNg8", "dataElement": "DE_VILLAGES", "period": "2024", "value": "120"}
        ]
    }
    response = post(client, admin_token, payload, path="/api/dataValueSets")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["status"] == "ERROR" and body["httpStatusCode"] == 503
    assert body["response"]["status"] == "ERROR" and "send it again" in body["response"]["description"]


def test_only_meetings_of_writers_are_transient():
    assert is_transient(OperationalError("database is locked"))
    assert not is_transient(OperationalError("no such table: x"))
    assert not is_transient(ValueError("database is locked"))


def test_our_format_at_dhis2_paths_is_refused_with_an_import_summary(client, admin_token):
    response = post(client, admin_token, {"values": VALUES}, path="/api/dataValueSets")
    assert response.status_code == 409
    body = response.json()
    assert (
        body["response"]["status"] == "ERROR" and "/api/v1/dataValueSets" in body["response"]["description"]
    )
    assert not Value.objects.filter(indicator__code="CTX.VILLAGES", period="2024", unit__code="098").exists()

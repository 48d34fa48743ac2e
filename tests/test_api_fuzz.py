"""The published OpenAPI document, fuzzed: whatever a client sends within (or just outside) the
documented shapes, no operation answers with a server error.

Schemathesis reads /api/v1/openapi.json from the application itself and generates a few requests
per operation, called in-process through WSGI in the test's transaction, signed in as an
administrator (who may reach every write). The budget is small so that the suite stays fast:
`DXM_FUZZ_EXAMPLES` raises it for a deeper run.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("DXM_FUZZ_EXAMPLES", "3"))


def _schema():
    from dxmonitor.wsgi import application

    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    # The schema's own examples and a few generated requests (valid and invalid) per operation;
    # the coverage phase, which walks every boundary of every parameter, takes too long here.
    loaded.config.phases.update(phases=["examples", "fuzzing"])
    return loaded


schema = _schema()


@pytest.fixture
def same_connection(db):
    """Requests run in the test's transaction: Django must not close the connection at the end
    of each one, as it does for a real server (its test client does the same)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(same_connection) -> str:
    from dxmonitor.accounts.actions import create_token, ensure_user

    user, _ = ensure_user(username="kiemthu", is_admin=True)
    return create_token(user=user, name="fuzz")[1]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_with_a_server_error(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:500]}"
    )

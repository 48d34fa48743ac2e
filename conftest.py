"""Test set-up shared by every suite.

The test database gets the real administrative units and the real catalogue once per run:
tests then see the structure users see. Under CI=true a suite that cannot run (no browser,
no PostgreSQL) fails instead of being skipped.
"""

import os

import pytest

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from dxmonitor.catalog.actions import load_catalog
    from dxmonitor.collection.rules_file import load_rules
    from dxmonitor.geo.actions import load_units

    with django_db_blocker.unblock():
        load_units()
        load_catalog()
        load_rules()


def require(condition: bool, reason: str) -> None:
    """Skip when a suite's dependency is missing; under CI that is a failure."""
    if condition:
        return
    if CI:
        pytest.fail(f"required under CI but unavailable: {reason}", pytrace=False)
    pytest.skip(reason)

"""Test set-up shared by every suite.

The test database gets the real administrative units and the real catalogue once per run:
tests then see the structure users see. Under CI=true a suite that cannot run (no browser,
no PostgreSQL) fails instead of being skipped.

The whole run, and every process it starts, sees the same fixed day (tests/clock): a test
never depends on the date it runs. DXM_TEST_CLOCK chooses another instant, to check that
the suite holds on other days too.
"""

import os
import sys
import time
from pathlib import Path

import pytest

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# A weekday inside a quarter's entry window, shortly before the suite's tests were last revised.
PINNED_INSTANT = "2026-11-20T10:00:00+07:00"
CLOCK_DIR = Path(__file__).resolve().parent / "tests" / "clock"


def pytest_configure(config: pytest.Config) -> None:
    spec = os.environ.get("DXM_TEST_CLOCK") or PINNED_INSTANT
    if "@" not in spec:
        spec = f"{spec}@{time.time()}"
    os.environ["DXM_TEST_CLOCK"] = spec
    paths = [str(CLOCK_DIR), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    sys.path.insert(0, str(CLOCK_DIR))
    from dxm_clock import pin_clock

    pin_clock(spec)


@pytest.fixture(autouse=True)
def _background_jobs_run_at_once(settings):
    """Background jobs run at once, in the process and transaction that queues them, so a test
    sees their effect when the call returns. Tests of the queue itself (dxmonitor/jobs/tests)
    and the servers the suite starts use the database queue and real workers."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _analytics_store_of_its_own(settings, tmp_path):
    """Each test reads and refreshes an analytics store of its own (made only if it is used): a
    store left by another test would hold that test's figures."""
    from dxmonitor.analytics import store

    settings.ANALYTICS_PATH = str(tmp_path / "analytics.duckdb")
    yield
    store.close_all()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, pytestconfig):
    from tests.prepared_db import load_reference_data

    from dxmonitor.catalog.actions import load_catalog
    from dxmonitor.collection.rules_file import load_rules
    from dxmonitor.geo.actions import load_units

    def load() -> None:
        load_units()
        load_catalog()
        load_rules()

    with django_db_blocker.unblock():
        how = load_reference_data(load)
    pytestconfig.stash[REFERENCE_DATA] = how


REFERENCE_DATA = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    how = config.stash.get(REFERENCE_DATA, None)
    if how:
        terminalreporter.write_line(f"units, catalogue and rules: {how}")


def require(condition: bool, reason: str) -> None:
    """Skip when a suite's dependency is missing; under CI that is a failure."""
    if condition:
        return
    if CI:
        pytest.fail(f"required under CI but unavailable: {reason}", pytrace=False)
    pytest.skip(reason)

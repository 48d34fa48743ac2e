"""Fixtures for the domain apps' tests. Data is created through the product's own actions."""

import datetime

import pytest

LEGACY_DAY = datetime.date(2024, 6, 30)
NEW_DAY = datetime.date(2025, 8, 1)


@pytest.fixture
def admin(db):
    from dxmonitor.accounts.actions import ensure_user

    user, _ = ensure_user(username="quantri", password="mat-khau-dai-123", is_admin=True)
    return user


@pytest.fixture
def officer(db):
    from dxmonitor.accounts.actions import ensure_user

    user, _ = ensure_user(username="canboxa", password="mat-khau-dai-456")
    return user


@pytest.fixture
def admin_token(admin):
    from dxmonitor.accounts.actions import create_token

    _, plain = create_token(user=admin, name="tich-hop-thu-nghiem")
    return plain


@pytest.fixture
def officer_token(officer):
    from dxmonitor.accounts.actions import create_token

    _, plain = create_token(user=officer, name="may-cua-xa")
    return plain


@pytest.fixture
def unit_named(db):
    """Find a unit by name as users type it, in a given structure."""
    from dxmonitor.geo.queries import resolve_unit

    def find(name: str, *, as_of: datetime.date = LEGACY_DAY, province: str | None = None):
        unit = resolve_unit(name=name, as_of=as_of, province=province)
        assert unit is not None, f"{name} not found on {as_of}"
        return unit

    return find


@pytest.fixture
def indicator(db):
    from dxmonitor.catalog.models import Indicator

    return lambda code: Indicator.objects.get(code=code)


@pytest.fixture
def job_queue(settings):
    """The real database queue instead of running jobs at once; `job_queue()` then runs what
    waits, as `dxmonitor worker --burst` would, and returns the number of queue entries taken."""
    from dxmonitor.jobs.worker import JobWorker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def run_waiting() -> int:
        worker = JobWorker(poll=0, schedule=False, burst=True)
        worker.run()
        return worker.jobs_run

    return run_waiting

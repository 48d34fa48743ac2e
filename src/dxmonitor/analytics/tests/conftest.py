import pytest


@pytest.fixture
def analytics(settings, tmp_path):
    """A fresh analytics store for the test, rebuilt from what the test wrote."""
    from dxmonitor.analytics import store
    from dxmonitor.analytics.refresh import refresh

    settings.ANALYTICS_PATH = str(tmp_path / "analytics.duckdb")
    yield lambda **kwargs: refresh(**kwargs)
    store.close_all()

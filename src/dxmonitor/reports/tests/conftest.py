"""A province with two communes reporting for a year, an approver with a signing key, a trusted CA:
all made through the product's own actions and PKI helpers."""

import datetime

import pytest

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import SourceType

NEW_DAY = datetime.date(2025, 8, 1)
YEAR = "2026"
PASSWORD = "mat-khau-chung-thu-2026"
FORM = Provenance(source_type=SourceType.FORM)


@pytest.fixture
def analytics(settings, tmp_path):
    from dxmonitor.analytics import store

    settings.ANALYTICS_PATH = str(tmp_path / "analytics.duckdb")
    yield
    store.close_all()


@pytest.fixture
def province(unit_named):
    return unit_named("tỉnh Lai Châu", as_of=NEW_DAY)


@pytest.fixture
def communes(unit_named):
    return [
        unit_named("xã Than Uyên", as_of=NEW_DAY, province="Lai Châu"),
        unit_named("xã Tân Uyên", as_of=NEW_DAY, province="Lai Châu"),
    ]


@pytest.fixture
def figures(db, analytics, communes):
    """Online dossiers 45/60 and 30/80 (ratio of sums: 75/140 = 53,6 %), households with
    e-commerce accounts, and community tech teams."""
    rate = Indicator.objects.get(code="GOV.ONLINE_DOSSIER_RATE")
    parts = [(45, 60), (30, 80)]
    for commune, (top, bottom) in zip(communes, parts, strict=True):
        record_value(
            unit=commune,
            indicator=rate,
            period=YEAR,
            value=None,
            numerator=top,
            denominator=bottom,
            provenance=FORM,
        )
    return {"rate": rate}


@pytest.fixture
def approver(db, province):
    from dxmonitor.accounts.actions import ensure_user, grant_role

    user, _ = ensure_user(username="pheduyet", password="mat-khau-dai-789")
    grant_role(user=user, role="approver", unit=province)
    return user


@pytest.fixture(scope="session")
def ca():
    from dxmonitor.signing import pki

    return pki.make_ca(common_name="CA thử nghiệm báo cáo (không dùng thật)", organisation="dxmonitor")


@pytest.fixture
def credential(db, ca, admin, approver):
    from dxmonitor.signing import pki
    from dxmonitor.signing.actions import add_trusted_root, upload_credential

    add_trusted_root(certificate_pem=ca.pem, name="CA thử nghiệm", by=admin)
    issued = pki.issue(ca=ca, common_name="Lê Văn Minh", organisation="UBND tỉnh Lai Châu")
    data = pki.export_pkcs12(issued, password=PASSWORD, chain=[ca.certificate])
    return upload_credential(user=approver, pkcs12=data, password=PASSWORD)

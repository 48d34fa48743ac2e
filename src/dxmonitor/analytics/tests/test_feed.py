"""The store's feed reads the operational database through Arrow in the store's own columns."""

import pytest
from django.db import connection

from dxmonitor.analytics import feed
from dxmonitor.catalog.models import Indicator
from dxmonitor.geo.models import Unit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("sql", "schema", "model"),
    [(feed.INDICATORS_SQL, feed.INDICATOR_SCHEMA, Indicator), (feed.UNITS_SQL, feed.UNIT_SCHEMA, Unit)],
    ids=["indicators", "units"],
)
def test_reference_tables_arrive_in_the_stores_columns(sql, schema, model):
    batches = list(feed.batches(sql, schema))
    assert all(b.schema == schema for b in batches)
    assert sum(b.num_rows for b in batches) == model.objects.count() > 0
    if connection.vendor != "postgresql":
        return
    # A refresh outside a transaction on PostgreSQL reads over ADBC, from its own connection:
    # what the catalogue and the units loaded before the tests must come through the same way.
    adbc = list(feed._adbc_batches(sql, schema, uri=feed._django_uri()))
    assert all(b.schema == schema for b in adbc)
    assert sum(b.num_rows for b in adbc) == model.objects.count()

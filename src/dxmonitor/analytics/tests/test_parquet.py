"""The store written as Parquet, read by Apache Spark in local mode: the same province figure
for a month as the product answers, read from the figures and added up again from the values."""

import datetime
import os
import shutil

import pytest

from dxmonitor.analytics.parquet import export_parquet
from dxmonitor.analytics.queries import figure
from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import SourceType
from dxmonitor.collection.periods import parse_period
from dxmonitor.geo.queries import unit_for_code

pytestmark = pytest.mark.django_db
FORM = Provenance(source_type=SourceType.FORM)
MONTH = "202509"  # the communes formed on 1 July 2025 exist then
INDICATOR = "HR.DX_TRAINEES"


@pytest.fixture(scope="module")
def spark():
    # pyspark comes with the dev dependencies; Spark itself needs Java 17 or later.
    assert shutil.which("java"), "Spark needs Java (17 or later) on the PATH"
    from pyspark.sql import SparkSession

    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # Spark talks to itself on the loopback only
    session = (
        SparkSession.builder.master("local[1]")
        .appName("dxmonitor-parquet-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_reads_the_same_province_figure_for_a_month(analytics, spark, tmp_path):
    province = unit_for_code(code="12", on=datetime.date(2025, 8, 1))  # tỉnh Lai Châu
    communes = list(province.children.order_by("code")[:4])
    indicator = Indicator.objects.get(code=INDICATOR)
    for number, commune in enumerate(communes, start=1):
        record_value(unit=commune, indicator=indicator, period=MONTH, value=10 * number, provenance=FORM)
        # Another month must not leak into September's figure.
        record_value(unit=commune, indicator=indicator, period="202510", value=1000, provenance=FORM)
    analytics(full=True)
    product = figure(unit_id=province.pk, indicator_id=indicator.pk, period=parse_period(MONTH))
    assert product is not None and product.value == 100

    report = export_parquet(folder=tmp_path / "lake")
    assert report.values == 8 and report.files > 0
    assert (tmp_path / "lake" / "figures" / "year=2025" / f"indicator={INDICATOR}").is_dir()

    from pyspark.sql import functions as sql

    figures = spark.read.parquet(str(tmp_path / "lake" / "figures"))
    row = (
        figures.where(
            (sql.col("unit_code") == province.code)
            & (sql.col("indicator") == INDICATOR)
            & (sql.col("year") == 2025)
            & (sql.col("ptype") == "M")
            & (sql.col("month") == 9)
        )
        .select("value", "method")
        .collect()
    )
    assert [(r.value, r.method) for r in row] == [(product.value, product.method)]

    # Added up again by Spark from the leaf values and the units' paths.
    values = spark.read.parquet(str(tmp_path / "lake" / "values"))
    units = spark.read.parquet(str(tmp_path / "lake" / "units")).select("id", "path")
    september = (sql.col("indicator") == INDICATOR) & (sql.col("year") == 2025) & (sql.col("month") == 9)
    total = (
        values.where(september)
        .join(units, values.unit_id == units.id)
        .where(sql.col("path").startswith(province.path))
        .agg(sql.sum("value").alias("total"))
        .collect()[0]
        .total
    )
    assert total == product.value

"""The JSON twins: the same figures as the pages, the map's structures, and figures of units formed
in 2025 through their predecessors, equal to the analytics store's own answer."""

import datetime

import pytest

from dxmonitor.analytics import answers
from dxmonitor.analytics import queries as store_queries
from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.periods import parse_period
from dxmonitor.dashboard import queries
from dxmonitor.geo.models import Level, Unit
from dxmonitor.geo.queries import valid_on

pytestmark = pytest.mark.django_db


def test_the_dashboard_answers_in_json(client, admin, place, scored):
    client.force_login(admin)
    answer = client.get("/api/v1/dashboard", {"unit": place.district.pk, "period": "2024"}).json()
    assert answer["unit"]["id"] == place.district.pk and answer["period"]["code"] == "2024"
    tiles = {t["indicator"]["code"]: t for t in answer["tiles"]}
    online = tiles["GOV.ONLINE_DOSSIER_RATE"]
    assert online["value"] == pytest.approx(45.0) and online["status"] == "not_met"
    assert online["gap"] == pytest.approx(online["target"] - 45.0)
    signal = tiles["INF.VILLAGES_WITHOUT_MOBILE"]
    assert signal["value"] == 3 and signal["status"] == "not_met" and signal["direction"] == "down"
    assert answer["laggards"][0]["unit"]["id"] == place.poor.pk
    # The trend runs over the years the store holds.
    assert [p["period"] for p in answer["trend"]["points"]] == ["2023", "2024"]
    rows = answer["ranking"]["rows"]
    assert answer["ranking"]["scheme"]["code"] == "THU_XA"
    # The district's own communes, keeping their ranks in the province; those without figures last.
    assert [r["unit"]["id"] for r in rows][:2] == [place.good.pk, place.poor.pk]
    assert len(rows) == Unit.objects.filter(parent=place.district).count()
    assert rows[0]["groups"]["G1"] == pytest.approx(rows[0]["score"])
    assert (
        rows[0]["previous_rank"] is not None
        and rows[0]["change"] == rows[0]["previous_rank"] - rows[0]["rank"]
    )


def test_english_names_on_request(client, admin, place):
    client.force_login(admin)
    answer = client.get(
        "/api/v1/dashboard", {"unit": place.district.pk, "period": "2024"}, headers={"accept-language": "en"}
    ).json()
    assert any(t["indicator"]["name"] == "Share of dossiers submitted online" or t["display"].endswith("%")
               for t in answer["tiles"])  # fmt: skip
    assert answer["period"]["label"] == "2024"


def test_the_map_before_and_after_the_reorganisation(client, admin, place):
    client.force_login(admin)
    query = {"unit": place.province.pk, "period": "2024", "indicator": "INF.VILLAGES_WITHOUT_MOBILE"}
    before = client.get("/api/v1/dashboard/map", query).json()
    assert before["date"] == "2024-12-31" and before["level"] == Level.COMMUNE
    legacy_communes = Unit.objects.filter(path__startswith=place.province.path, level=Level.COMMUNE).count()
    assert len(before["points"]) == legacy_communes
    poor = next(p for p in before["points"] if p["unit"]["id"] == place.poor.pk)
    assert poor["value"] == 3 and poor["status"] == "not_met" and poor["source"]
    after = client.get("/api/v1/dashboard/map", {**query, "date": "2025-07-01"}).json()
    assert [a["valid_from"] for a in after["areas"]] == ["2025-07-01"]  # the merged province
    assert all(p["unit"]["valid_from"] == "2025-07-01" for p in after["points"])
    # The commune the poor one went into carries its villages without signal.
    assert sum(p["value"] or 0 for p in after["points"]) == pytest.approx(3)
    assert all(p["method"] in ("succession", "") for p in after["points"])
    # A district, gone in 2025, is drawn after it as the province it went into.
    district = client.get("/api/v1/dashboard/map", {**query, "unit": place.district.pk, "date": "2025-07-01"})
    assert [a["id"] for a in district.json()["areas"]] == [a["id"] for a in after["areas"]]
    country = client.get(
        "/api/v1/dashboard/map", {"period": "2024", "date": "2025-07-01", "indicator": "CTX.HOUSEHOLDS"}
    )
    assert len(country.json()["points"]) == 34 and len(country.json()["basemap"]) > 3000


def test_the_country_map_is_a_choropleth_and_a_province_map_symbols(client, admin, place):
    client.force_login(admin)
    query = {"period": "2024", "indicator": "INF.VILLAGES_WITHOUT_MOBILE"}
    for day, count in (("2025-06-30", 63), ("2025-07-01", 34)):
        country = client.get("/api/v1/dashboard/map", {**query, "date": day}).json()
        assert country["kind"] == "choropleth" and country["level"] == Level.PROVINCE
        assert country["shapes_url"].endswith("dashboard/geo/provinces-legacy.geojson")
        assert len(country["points"]) == count and all(p["shapes"] for p in country["points"])
        assert client.get(country["shapes_url"]).status_code == 200  # served with the product
    merged = next(p for p in country["points"] if p["unit"]["name"] == "Tỉnh Lào Cai")
    assert merged["shapes"] == ["10", "15"]  # Lào Cai and Yên Bái, merged on 01/07/2025
    province = client.get("/api/v1/dashboard/map", {**query, "unit": place.province.pk}).json()
    assert province["kind"] == "symbols" and province["shapes_url"] is None
    assert province["level"] == Level.COMMUNE and all(p["shapes"] == [] for p in province["points"])
    # Provinces asked inside a province: still its shape.
    alone = client.get(
        "/api/v1/dashboard/map", {**query, "unit": place.province.pk, "level": "province"}
    ).json()
    assert alone["kind"] == "choropleth" and [p["shapes"] for p in alone["points"]] == [["12"]]


def test_bad_input_in_english_and_vietnamese(client, admin, place):
    client.force_login(admin)
    bad = client.get("/api/v1/dashboard/map", {"unit": place.province.pk, "date": "hôm qua"})
    assert bad.status_code == 400 and "not a date" in bad.json()["detail"] and bad.json()["detail_vi"]
    assert client.get("/api/v1/dashboard", {"unit": 999999999}).status_code == 404
    assert client.get("/api/v1/dashboard", {"unit": place.province.pk, "scheme": "KHONG"}).status_code == 404


def test_figures_of_units_formed_later_match_the_store(place):
    """The dashboard's batched succession gives what analytics.queries.figure gives one by one."""
    answers.ensure_fresh()
    period = parse_period("2024")
    new_province = Unit.objects.get(successions_in__predecessor=place.province, level=Level.PROVINCE)
    communes = list(
        Unit.objects.filter(
            valid_on(datetime.date(2025, 7, 1)), path__startswith=new_province.path, level=Level.COMMUNE
        )
    )
    indicators = list(
        Indicator.objects.filter(code__in=["GOV.ONLINE_DOSSIER_RATE", "INF.VILLAGES_WITHOUT_MOBILE"])
    )
    found = queries.figures_for(units=[new_province, *communes], indicators=indicators, period=period)
    assert found, "the communes that reported must reach their successors"
    for unit in [new_province, *communes]:
        for indicator in indicators:
            one = store_queries.figure(unit_id=unit.pk, indicator_id=indicator.pk, period=period)
            expected = one.value if one is not None else None
            got = found.get((unit.pk, indicator.pk))
            assert (got.value if got else None) == pytest.approx(expected), (unit.name, indicator.code)

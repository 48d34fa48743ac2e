"""The open-data portal shows, serves and downloads public figures only, each with its licence and
source; figures collected from units and deleted figures never reach it."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from dxmonitor.collection.actions import Provenance, delete_value, record_value
from dxmonitor.collection.bulk import RawValue, import_values
from dxmonitor.collection.models import SourceType, Value
from dxmonitor.demo.actions import load_seed_facts
from dxmonitor.portal import downloads, queries
from dxmonitor.portal.licence import LICENCE_ID, LICENCE_URL

pytestmark = pytest.mark.django_db

BROADBAND = "INF.HOUSEHOLD_FIXED_BB"


@pytest.fixture
def figures(unit_named, indicator, officer):
    """The seed articles' facts, one of them deleted; a figure typed into a form; a synthetic one."""
    load_seed_facts()
    tua_chua = unit_named("Huyện Tủa Chùa")
    hua_na = unit_named("Xã Hua Nà", province="Lai Châu")
    collected = record_value(
        unit=tua_chua,
        indicator=indicator(BROADBAND),
        period="2019",
        value=77.7,
        provenance=Provenance(source_type=SourceType.FORM),
    ).value
    deleted = Value.objects.filter(source_type=SourceType.DOCUMENT).exclude(indicator__code=BROADBAND).first()
    delete_value(value=deleted, provenance=Provenance(source_type=SourceType.FORM))
    summary = import_values(
        items=[RawValue(indicator=BROADBAND, period="2022", unit_id=hua_na.pk, value=33.3)],
        user=None,
        source_type=SourceType.SYNTHETIC,
        source_file="dxmonitor demo",
        synthetic=True,
        all_or_nothing=True,
    )
    assert summary.created == 1
    return {"tua_chua": tua_chua, "hua_na": hua_na, "collected": collected, "deleted": deleted}


def test_the_public_rule_keeps_published_and_synthetic_figures_only(figures):
    public = queries.public_values()
    ids = set(public.values_list("id", flat=True))
    assert figures["collected"].pk not in ids
    assert figures["deleted"].pk not in ids
    documented = Value.objects.filter(source_type=SourceType.DOCUMENT, is_deleted=False).count()
    assert documented == 44
    found = queries.counts(public)
    assert (found.real, found.synthetic) == (44, 1)
    # Real figures come before synthetic ones whatever the indicator.
    flags = list(public.values_list("is_synthetic", flat=True))
    assert flags == sorted(flags) and flags[-1] is True
    assert queries.counts(queries.public_values(data=queries.SYNTHETIC)).total == 1


def test_units_and_indicators_list_only_public_figures(figures):
    summaries = {s.indicator.code: s for s in queries.indicator_summaries()}
    assert summaries[BROADBAND].synthetic == 1
    # The form figure of Tủa Chùa is not counted.
    assert (
        summaries[BROADBAND].real
        == Value.objects.filter(indicator__code=BROADBAND, source_type=SourceType.DOCUMENT).count()
    )
    units = {u.pk: u for u in queries.public_units()}
    assert units[figures["hua_na"].pk].synthetic == 1
    assert figures["tua_chua"].pk in units
    assert units[figures["tua_chua"].pk].real == queries.public_values(unit=figures["tua_chua"]).count()
    assert [u.name for u in queries.public_units(q="tua chua")] == ["Huyện Tủa Chùa"]


def test_pages_open_without_sign_in_and_show_sources_and_labels(client, figures):
    tua_chua, hua_na = figures["tua_chua"], figures["hua_na"]
    pages = ["/public/", "/public/about/", "/public/units/", f"/public/units/{tua_chua.pk}/",
             f"/public/indicators/{BROADBAND}/", f"/public/units/{hua_na.pk}/?data=synthetic"]  # fmt: skip
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'type="application/json"' in html, url
        twin = html.split('<link rel="alternate" type="application/json" href="')[1].split('"')[0]
        answer = client.get(twin.replace("&amp;", "&"))
        assert answer.status_code == 200, (url, twin)
    page = client.get(f"/public/indicators/{BROADBAND}/").content.decode()
    assert "24,3%" in page  # Tủa Chùa's broadband share, as the article states it
    assert "tỷ lệ hộ gia đình kết nối internet băng rộng đạt 24,3%" in page
    assert "77,7%" not in page  # the form figure
    assert 'class="tag synthetic"' in page and "33,3%" in page
    unit_page = client.get(f"/public/units/{tua_chua.pk}/").content.decode()
    successors = [s.successor for s in tua_chua.successions_out.all()]
    assert successors and all(f"/public/units/{u.pk}/" in unit_page for u in successors)
    home = client.get("/public/").content.decode()
    assert LICENCE_URL in home and "CC BY 4.0" in home
    assert "/public/" in client.get("/").content.decode()  # the home page links to the portal


def test_page_filters_and_bad_input(client, figures):
    tua_chua = figures["tua_chua"]
    real_only = client.get(f"/public/indicators/{BROADBAND}/?data=real").content.decode()
    assert "33,3%" not in real_only and "24,3%" in real_only
    assert client.get("/public/indicators/NOPE.NOPE/").status_code == 404
    assert client.get("/public/units/99999999/").status_code == 404
    assert client.get("/public/units/99999999999999999999999/").status_code == 404
    odd = client.get(f"/public/units/{tua_chua.pk}/?period=not-a-period&data=everything")
    assert odd.status_code == 200
    assert "24,3%" in odd.content.decode()
    assert client.get("/public/units/?level=galaxy").status_code == 200
    found = client.get("/public/units/?q=hua+na").content.decode()
    assert "Xã Hua Nà" in found and "Huyện Tủa Chùa" not in found
    assert [u["name"] for u in client.get("/api/v1/public/units?q=hua+na").json()["items"]] == ["Xã Hua Nà"]


def test_api_is_paged_bounded_and_public(client, figures):
    answer = client.get("/api/v1/public/values?limit=5").json()
    assert answer["count"] == 45 and len(answer["items"]) == 5
    item = answer["items"][0]
    assert item["synthetic"] is False and item["source"]["document"]["title"]
    assert "created_by" not in json.dumps(answer) and "api_client" not in json.dumps(answer)
    everything = client.get("/api/v1/public/values?limit=500").json()["items"]
    assert figures["collected"].pk not in {v["id"] for v in everything}
    assert [v["data_label"] for v in everything].count("synthetic") == 1
    assert client.get("/api/v1/public/values?limit=501").status_code == 400
    assert client.get("/api/v1/public/values?offset=-1").status_code == 400
    assert client.get("/api/v1/public/values?period=2024Q9").status_code == 400
    assert client.get("/api/v1/public/values?data=secret").status_code == 400
    assert client.get("/api/v1/public/values?indicator=NOPE").status_code == 404
    assert client.get("/api/v1/public/units/99999999").status_code == 404
    unit = client.get(f"/api/v1/public/units/{figures['tua_chua'].pk}?limit=2").json()
    assert unit["unit"]["name"] == "Huyện Tủa Chùa" and len(unit["values"]["items"]) == 2
    assert unit["counts"]["real"] == unit["values"]["count"]
    home = client.get("/api/v1/public").json()
    assert home["licence"]["id"] == LICENCE_ID and home["counts"] == {
        "real": 44,
        "synthetic": 1,
        "units": home["counts"]["units"],
        "documents": 5,
    }
    assert home["downloads"]["json"].endswith("format=json")


def test_downloads_carry_licence_and_sources(client, figures):
    base = f"/api/v1/public/values/export?indicator={BROADBAND}"
    response = client.get(base + "&format=csv")
    assert response.status_code == 200
    assert response["Link"] == f'<{LICENCE_URL}>; rel="license"'
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[-1] == "Giấy phép" and {r[-1] for r in body} == {LICENCE_ID}
    assert len(body) == queries.public_values(indicator=figures["collected"].indicator).count()
    assert all(r[header.index("Nguồn")] for r in body if r[header.index("Mô phỏng")] == "0")
    assert [r[header.index("Mô phỏng")] for r in body].count("1") == 1
    assert "77.7" not in text

    xlsx = client.get(base + "&format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Số liệu", "Giấy phép và nguồn"]
    statement = {row[0]: row[1] for row in book["Giấy phép và nguồn"].iter_rows(values_only=True) if row}
    assert LICENCE_URL in statement.values() and "Ghi công" in statement
    assert statement["Số liệu trong tệp"] == str(len(body))

    data = json.loads(b"".join(client.get(base + "&format=json").streaming_content))
    assert data["licence"]["url"] == LICENCE_URL and data["count"] == len(body) == len(data["items"])
    assert data["sources"] and all(s["url"].startswith("http") for s in data["sources"])
    assert data["filters"] == {"indicator": BROADBAND}


def test_download_bound_and_formats(client, figures, monkeypatch):
    assert client.get("/api/v1/public/values/export?format=pdf").status_code == 400
    monkeypatch.setattr(downloads, "MAX_DOWNLOAD_ROWS", 10)
    refused = client.get("/api/v1/public/values/export?format=csv")
    assert refused.status_code == 400 and "at most 10" in refused.json()["detail"]


def test_downloads_keep_formula_like_text_inert_and_follow_the_language(client, unit_named, indicator):
    from dxmonitor.collection.actions import add_document

    document, _ = add_document(
        text='=HYPERLINK("http://example.invalid") Huyện có 12 tổ công nghệ số cộng đồng.',
        title='=HYPERLINK("http://example.invalid","bấm")',
    )
    record_value(
        unit=unit_named("Huyện Tủa Chùa"),
        indicator=indicator("AWR.CDT_TEAMS_COMMUNE"),
        period="2024",
        value=12,
        provenance=Provenance(
            source_type=SourceType.DOCUMENT,
            document=document,
            evidence_quote='=HYPERLINK("http://example.invalid")',
        ),
    )
    base = "/api/v1/public/values/export?indicator=AWR.CDT_TEAMS_COMMUNE"
    text = b"".join(client.get(base + "&format=csv").streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][rows[0].index("Nguồn")] == "'" + document.title
    assert rows[1][rows[0].index("Trích dẫn")].startswith("'=HYPERLINK")

    book = load_workbook(io.BytesIO(client.get(base + "&format=xlsx", HTTP_ACCEPT_LANGUAGE="en").content))
    assert book.sheetnames == ["Figures", "Licence and sources"]
    sheet = book["Figures"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Source") + 1)
    assert cell.value == document.title and cell.data_type == "s"
    sources = [row for row in book["Licence and sources"].iter_rows(values_only=True) if row and row[1]]
    assert any(row[1] == document.title for row in sources)

"""The demo load: 45 real facts from five articles, on the units the articles name."""

import datetime

import pytest

from dxmonitor.collection.models import Document, SourceType, Value
from dxmonitor.demo.actions import GOLD_FILE, load_seed_facts, load_synthetic
from dxmonitor.geo.models import LEGACY_LAST_DAY

pytestmark = pytest.mark.django_db


def test_45_real_facts_with_provenance():
    report = load_seed_facts()
    assert (report.documents, report.facts, report.created) == (5, 45, 45)
    values = Value.objects.select_related("document", "unit").filter(is_synthetic=False)
    assert values.count() == 45
    for value in values:
        assert value.source_type == SourceType.DOCUMENT
        assert value.document.text[value.evidence_start : value.evidence_end] == value.evidence_quote
        assert value.unit.valid_to == LEGACY_LAST_DAY  # the structure the articles were written in


def test_facts_are_placed_on_the_units_the_articles_name():
    report = load_seed_facts()
    assert report.units == {
        "huyện Than Uyên": "Huyện Than Uyên",
        "huyện Tủa Chùa": "Huyện Tủa Chùa",
        "xã Hua Nà": "Xã Hua Nà",
        "tỉnh Lai Châu": "Tỉnh Lai Châu",
        "xã Lãng Công": "Xã Lãng Công",
        "thị xã Sa Pa": "Thị xã Sa Pa",
    }
    sa_pa = Value.objects.get(indicator__code="AWR.CDT_TEAMS_COMMUNE", unit__name="Thị xã Sa Pa")
    assert sa_pa.unit.parent.name == "Tỉnh Lào Cai" and sa_pa.value == 16
    lang_cong = Value.objects.filter(unit__name="Xã Lãng Công").first()
    assert lang_cong.unit.parent.parent.name == "Tỉnh Vĩnh Phúc"


def test_undated_facts_take_the_article_year_when_it_has_one():
    report = load_seed_facts()
    dated_article = Document.objects.get(file_name="004_c3e563d50b52de40.txt")
    assert dated_article.published_on == datetime.date(2023, 7, 25)
    assert set(dated_article.values.values_list("period", flat=True)) == {"2023", "2025"}
    assert report.dated_from_article == 2
    undated = Value.objects.filter(period="")
    assert undated.count() == report.undated == 45 - 2 - 3
    assert not undated.filter(document=dated_article).exists()


def test_reloading_changes_nothing():
    load_seed_facts()
    again = load_seed_facts()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 45)
    assert Document.objects.count() == 5


def test_the_gold_file_is_the_shipped_copy():
    assert sum(1 for line in GOLD_FILE.read_text(encoding="utf-8").splitlines() if line.strip()) == 45


def test_synthetic_values_are_labelled_and_kept_apart(client):
    load_seed_facts()
    report = load_synthetic()
    assert report.units > 100
    first = ("CTX.VILLAGES", "CTX.HOUSEHOLDS", "AWR.CDT_VILLAGE_COVERAGE", "INF.FIBRE_VILLAGE_COVERAGE")
    assert Value.objects.filter(is_synthetic=True, indicator__code__in=first).count() == report.units * 8
    synthetic = Value.objects.filter(is_synthetic=True)
    assert synthetic.count() == report.created
    assert set(synthetic.values_list("source_type", flat=True)) == {SourceType.SYNTHETIC}
    assert not synthetic.filter(document__isnull=False).exists()
    assert load_synthetic().created == 0
    body = client.get("/api/v1/values", {"synthetic": "true", "limit": 5}).json()
    assert all(item["synthetic"] and item["data_label"] == "synthetic" for item in body["items"])
    home = client.get("/api/v1/home").json()
    assert home["values"]["real_values"] == 45 and home["values"]["synthetic_values"] == report.created
    assert home["latest_real_facts"] and not any(item["synthetic"] for item in home["latest_real_facts"])
    page = client.get(f"/units/{synthetic.first().unit_id}/").content.decode()
    assert "tag synthetic" in page


def test_the_approval_demo_fills_the_approvers_inbox_once(settings, tmp_path, admin):
    from django.contrib.auth import get_user_model

    from dxmonitor.demo.approval import load_approval_demo
    from dxmonitor.demo.entry import load_entry_demo
    from dxmonitor.signing.queries import credentials_for
    from dxmonitor.workflow.inbox import inbox

    settings.VAR_DIR = tmp_path
    load_entry_demo()
    first = load_approval_demo(admin=admin)
    again = load_approval_demo(admin=admin)
    assert (first.submitted, first.waiting) == (2, 2) and (again.submitted, again.waiting) == (0, 2)
    approver = get_user_model().objects.get(username="pheduyet.laichau")
    waiting = inbox(approver, today=datetime.date.today()).waiting
    assert sorted(r.unit.short_name for r in waiting) == ["Mường Than", "Tân Uyên"]
    assert all(v.is_synthetic for r in waiting for v in Value.objects.filter(unit=r.unit, period=r.period))
    # The approver signs with a personal key and with the province's key.
    kinds = sorted("unit" if c.unit_id else "personal" for c in credentials_for(approver))
    assert kinds == ["personal", "unit"]
    assert (tmp_path / "demo-pki" / "passwords.txt").exists()

"""Scoring schemes as data, scores and ranks worked out by hand, versions, the what-if, who may
compute, and the two shipped schemes ranking the demo communes."""

import datetime
from pathlib import Path

import pytest

from dxmonitor.accounts.actions import grant_role
from dxmonitor.analytics import scores
from dxmonitor.analytics.models import Score
from dxmonitor.analytics.scoring import compute_scores, require_dated
from dxmonitor.catalog.models import Indicator, ScoringScheme
from dxmonitor.catalog.schemes import load_schemes, require_scheme
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import SourceType
from dxmonitor.common.errors import Forbidden, InvalidInput
from dxmonitor.geo.models import LEGACY_LAST_DAY, Level, Unit
from dxmonitor.geo.queries import unit_for_code

pytestmark = pytest.mark.django_db
FORM = Provenance(source_type=SourceType.FORM)
LEGACY = datetime.date(2024, 6, 30)

INDEX = """code,name_vi,name_en,level,basis,file
THU_XA,Bộ chỉ số thử,Trial index,commune,Bộ chỉ số dùng để kiểm thử,thu.csv
"""
# 200 points: G1 (ratio, full at 80 %; steps, lower is better) and G2 (yes or no).
TABLE = """code,parent,name_vi,name_en,max_points,rule,indicator,thresholds,evidence,source
G1,,Dịch vụ công,Public services,100,,,,,
G1.1,G1,Hồ sơ trực tuyến,Dossiers online,60,tỷ lệ,GOV.ONLINE_DOSSIER_RATE,80,,
G1.2,G1,Thôn lõm sóng,Villages without signal,40,bậc,INF.VILLAGES_WITHOUT_MOBILE,≤0: 40; ≤1: 20,,
G2,,Tổ công nghệ số,Digital teams,100,,,,,
G2.1,G2,Có tổ công nghệ số xã,Commune team,100,có/không,AWR.CDT_TEAMS_COMMUNE,≥1,,
"""


def write_scheme(folder: Path, table: str = TABLE) -> Path:
    (folder / "thu.csv").write_text(table, encoding="utf-8")
    index = folder / "schemes.csv"
    index.write_text(INDEX, encoding="utf-8")
    return index


def put(unit: Unit, code: str, period: str, value: float) -> None:
    record_value(
        unit=unit, indicator=Indicator.objects.get(code=code), period=period, value=value, provenance=FORM
    )


@pytest.fixture
def province() -> Unit:
    return unit_for_code(code="12", on=LEGACY)  # tỉnh Lai Châu before 2025


@pytest.fixture
def communes(province) -> list[Unit]:
    return list(Unit.objects.filter(path__startswith=province.path, level=Level.COMMUNE).order_by("code")[:4])


@pytest.fixture
def scheme(tmp_path) -> ScoringScheme:
    load_schemes(path=write_scheme(tmp_path))
    return require_scheme("THU_XA")


def report(unit: Unit, period: str, online: float, without: float, team: float) -> None:
    put(unit, "GOV.ONLINE_DOSSIER_RATE", period, online)
    put(unit, "INF.VILLAGES_WITHOUT_MOBILE", period, without)
    put(unit, "AWR.CDT_TEAMS_COMMUNE", period, team)


def test_points_follow_each_rule_and_ties_share_a_rank(analytics, scheme, province, communes):
    a, b, c, d = communes
    report(a, "2024", 40, 0, 1)  # 60 × 40/80 = 30, 40, 100 → 170
    report(b, "2024", 80, 1, 0)  # 60, 20, 0 → 80
    report(c, "2024", 100, 2, 1)  # 60 (capped), 0, 100 → 160
    report(d, "2024", 90, 1, 0)  # 60, 20, 0 → 80: the same as b
    done = compute_scores(scheme=scheme, period="2024", within=province)
    peers = Unit.objects.filter(
        path__startswith=province.path, level=Level.COMMUNE, valid_to=LEGACY_LAST_DAY
    ).count()
    assert (done.units, done.peer_groups, done.complete) == (peers, 1, 4)
    got = {s.unit_id: s for s in Score.objects.filter(scheme=scheme, period="2024")}
    assert [(got[u.pk].points, got[u.pk].rank) for u in (a, c, b, d)] == [
        (170, 1),
        (160, 2),
        (80, 3),
        (80, 3),
    ]
    assert got[a.pk].score == pytest.approx(0.85)
    assert got[a.pk].groups == {"G1": [70, 100], "G2": [100, 100]}
    assert got[a.pk].parts["G1.1"]["points"] == pytest.approx(30)
    # Units without a figure earn nothing, say what is missing and come after the ties.
    others = Score.objects.filter(scheme=scheme, period="2024").exclude(unit__in=communes)
    assert {s.rank for s in others} == {5} and {s.components_found for s in others} == {0}
    assert done.missing["G2.1"] == peers - 4


def test_rank_change_and_the_what_if(analytics, scheme, province, communes):
    a, b, c, _ = communes
    report(a, "2023", 10, 2, 0)  # 7.5 → third
    report(b, "2023", 80, 0, 1)  # 200 → first
    report(c, "2023", 40, 0, 1)  # 170 → second
    report(a, "2024", 80, 0, 1)  # 200 → first
    report(b, "2024", 80, 1, 0)  # 80 → third
    report(c, "2024", 40, 0, 1)  # 170 → second
    for year in ("2023", "2024"):
        compute_scores(scheme=scheme, period=year, within=province)
    found = scores.ranking(scheme=scheme, period=require_dated("2024"), within=province)
    changes = {row.score.unit_id: (row.previous_rank, row.score.rank, row.change) for row in found.rows}
    assert changes[a.pk] == (3, 1, 2) and changes[b.pk] == (1, 3, -2) and changes[c.pk] == (2, 2, 0)
    # b lacks the commune team (100 points) and 20 points of villages without signal: the team
    # alone would take it to 180, above c (170), so it climbs most with it.
    detail = scores.breakdown(scheme=scheme, unit=b, period=require_dated("2024"))
    first = detail.what_if[0]
    assert (first.component.code, first.points_needed, first.rank_after, first.places) == ("G2.1", 100, 2, 1)
    assert [w.component.code for w in detail.what_if] == ["G2.1", "G1.2"]


def test_a_changed_table_is_a_new_version_and_old_scores_keep_theirs(analytics, tmp_path, province, communes):
    index = write_scheme(tmp_path)
    load_schemes(path=index)
    scheme = require_scheme("THU_XA")
    report(communes[0], "2024", 40, 0, 1)
    compute_scores(scheme=scheme, period="2024", within=province)
    assert load_schemes(path=index).unchanged == ["THU_XA v1"]  # the same file changes nothing
    write_scheme(tmp_path, TABLE.replace("≤0: 40; ≤1: 20", "≤0: 40; ≤1: 30"))
    assert load_schemes(path=index).new_versions == ["THU_XA v2"]
    compute_scores(scheme=scheme, period="2024", within=province)
    first, second = (Score.objects.get(scheme=scheme, unit=communes[0], version__number=n) for n in (1, 2))
    assert (first.points, second.points) == (170, 170)
    report(communes[0], "2024", 40, 1, 1)
    compute_scores(scheme=scheme, period="2024", within=province)
    latest = scores.require_score(scheme=scheme, unit=communes[0], period=require_dated("2024"))
    assert (latest.version.number, latest.points) == (2, 160)  # 30 + 30 + 100 under version 2
    old = scores.ranking(scheme=scheme, period=require_dated("2024"), within=province, number=1)
    assert old.version.number == 1 and old.rows[0].score.points == 170


def test_a_scheme_file_with_problems_changes_nothing(tmp_path):
    broken = TABLE.replace("G1,,Dịch vụ công,Public services,100", "G1,,Dịch vụ công,Public services,90")
    broken = broken.replace("≥1,,", "≥ một,,")
    with pytest.raises(InvalidInput) as caught:
        load_schemes(path=write_scheme(tmp_path, broken))
    messages = " | ".join(p.message_en for p in caught.value.problems)
    assert "90" in messages and "100" in messages  # the group's points against its components'
    assert "'một' is not a number" in messages
    assert not ScoringScheme.objects.filter(code="THU_XA").exists()


def test_computing_takes_an_analyst_over_the_province(analytics, scheme, province, officer, communes):
    grant_role(user=officer, role="data_entry", unit=province)
    with pytest.raises(Forbidden):
        compute_scores(scheme=scheme, period="2024", within=province, user=officer)
    grant_role(user=officer, role="analyst", unit=province)
    done = compute_scores(scheme=scheme, period="2024", within=province, user=officer)
    assert done.units == len(
        list(scores.ranking(scheme=scheme, period=require_dated("2024"), within=province).rows)
    )
    with pytest.raises(Forbidden):
        compute_scores(scheme=scheme, period="2024", within=None, user=officer)  # every province


def test_the_api_ranks_explains_and_refuses(client, admin, officer, analytics, scheme, province, communes):
    a, b, *_ = communes
    report(a, "2024", 40, 0, 1)
    report(b, "2024", 80, 1, 0)
    client.force_login(admin)
    computed = client.post(
        "/api/v1/scores/compute",
        {"scheme": "THU_XA", "period": "2024", "within": province.pk},
        content_type="application/json",
    )
    # The worker computes them (here jobs run at once): the answer is the job, done.
    assert computed.status_code == 202 and computed.json()["status"] == "done", computed.json()
    assert computed.json()["result"]["complete"] == 2
    ranking = client.get(
        "/api/v1/scores", {"scheme": "THU_XA", "period": "2024", "within": province.pk}
    ).json()
    assert [(i["unit"]["code"], i["rank"], i["groups"]) for i in ranking["items"][:2]] == [
        (a.code, 1, {"G1": 0.7, "G2": 1.0}),
        (b.code, 2, {"G1": 0.8, "G2": 0.0}),
    ]
    detail = client.get(f"/api/v1/scores/THU_XA/units/{b.pk}", {"period": "2024"}).json()
    assert detail["points"] == 80 and detail["rank"] == 2
    what_if = client.get(f"/api/v1/scores/THU_XA/units/{b.pk}/what-if", {"period": "2024"}).json()
    assert what_if[0]["component"] == "G2.1" and what_if[0]["rank_after"] == 1
    assert client.get("/api/v1/scoring-schemes/THU_XA").json()["components"][1]["rule_text"]
    client.force_login(officer)  # no role over Lai Châu
    refused = client.get("/api/v1/scores", {"scheme": "THU_XA", "period": "2024", "within": province.pk})
    assert refused.status_code == 403


def test_the_scores_pages_rank_explain_and_download(client, admin, analytics, scheme, province, communes):
    import io

    from openpyxl import load_workbook

    a, b, *_ = communes
    report(a, "2024", 40, 0, 1)
    report(b, "2024", 80, 1, 0)
    compute_scores(scheme=scheme, period="2024", within=province)
    client.force_login(admin)
    page = client.get("/analytics/scores/", {"within": province.pk, "scheme": "THU_XA", "period": "2024"})
    html = page.content.decode()
    assert page.status_code == 200 and html.index(a.name) < html.index(b.name) and "0,850" in html
    detail = client.get(f"/analytics/scores/THU_XA/{b.pk}/", {"period": "2024"}).content.decode()
    assert "Có tổ công nghệ số xã" in detail and "≤0: 40; ≤1: 20" in detail
    download = client.get(
        "/analytics/scores/", {"within": province.pk, "scheme": "THU_XA", "period": "2024", "format": "xlsx"}
    )
    rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert rows[1][:7] == (1, None, None, a.code, a.name, 0.85, 170)
    unknown = client.get("/analytics/scores/", {"within": province.pk, "scheme": "KHONG_CO"})
    assert unknown.status_code == 404 and "KHONG_CO" in unknown.content.decode()
    undated = client.get("/analytics/scores/", {"within": province.pk, "scheme": "THU_XA", "period": "abc"})
    assert undated.status_code == 400


def test_the_scores_pages_refuse_a_reader_outside_the_unit(
    client, officer, analytics, scheme, province, communes
):
    report(communes[0], "2024", 40, 0, 1)
    compute_scores(scheme=scheme, period="2024", within=province)
    grant_role(user=officer, role="data_entry", unit=communes[1])
    client.force_login(officer)
    ranking = client.get("/analytics/scores/", {"within": province.pk, "scheme": "THU_XA", "period": "2024"})
    assert ranking.status_code == 403 and "Bạn không có vai trò tại" in ranking.content.decode()
    other = client.get(f"/analytics/scores/THU_XA/{communes[0].pk}/", {"period": "2024"})
    assert other.status_code == 403 and "score-breakdown" not in other.content.decode()
    own = client.get(f"/analytics/scores/THU_XA/{communes[1].pk}/", {"period": "2024"})
    assert own.status_code == 200 and "0,000" in own.content.decode()


def test_both_shipped_schemes_rank_the_demo_communes(analytics):
    from dxmonitor.demo.actions import SYNTHETIC_YEARS, load_demo_scores, load_synthetic

    load_synthetic()
    done = load_demo_scores()
    assert done.schemes == 2 and done.periods == [str(y) for y in SYNTHETIC_YEARS]
    province = unit_for_code(code="12", on=LEGACY)
    for code in ("DTI_XA_922", "DTI_XA_405"):
        found = scores.ranking(scheme=require_scheme(code), period=require_dated("2024"), within=province)
        rows = found.rows
        assert len(rows) == found.peers > 100
        assert rows[0].score.rank == 1 and rows[0].score.score > rows[-1].score.score
        assert all(0 <= r.score.score <= 1 for r in rows)
        assert sum(r.change is not None for r in rows) == len(rows)  # every commune was ranked in 2023
        assert sum(r.change != 0 for r in rows) > len(rows) // 2  # and ranks moved
        assert sum(r.score.components_found == r.score.components for r in rows) > len(rows) // 2

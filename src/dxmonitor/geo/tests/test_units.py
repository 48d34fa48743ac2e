"""The administrative structures as loaded from the data package."""

import datetime
import shutil
import sqlite3

import pytest

from dxmonitor.geo import queries
from dxmonitor.geo.actions import UnitError, add_village, load_units
from dxmonitor.geo.models import Level, Succession, Unit, UnitType
from dxmonitor.geo.sources import SourceError, default_source_dir

BEFORE = datetime.date(2024, 6, 30)
AFTER = datetime.date(2025, 8, 1)


def province(code: str, *, on: datetime.date) -> Unit:
    return queries.filter_units(level=Level.PROVINCE, as_of=on, code=code).get()


@pytest.mark.django_db
class TestStructures:
    def test_63_provinces_before_the_reorganisation_and_34_after(self):
        assert queries.filter_units(level=Level.PROVINCE, as_of=BEFORE).count() == 63
        assert queries.filter_units(level=Level.PROVINCE, as_of=AFTER).count() == 34

    def test_districts_exist_only_before(self):
        assert queries.filter_units(level=Level.DISTRICT, as_of=BEFORE).count() == 696
        assert queries.filter_units(level=Level.DISTRICT, as_of=AFTER).count() == 0

    def test_communes_of_each_structure(self):
        assert queries.filter_units(level=Level.COMMUNE, as_of=BEFORE).count() == 10035
        after = queries.filter_units(level=Level.COMMUNE, as_of=AFTER)
        assert after.count() == 3321
        by_type = {
            t: after.filter(unit_type=t).count() for t in (UnitType.XA, UnitType.PHUONG, UnitType.DAC_KHU)
        }
        assert by_type == {UnitType.XA: 2621, UnitType.PHUONG: 687, UnitType.DAC_KHU: 13}

    def test_the_last_day_and_the_first_day(self):
        last, first = datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)
        assert queries.filter_units(level=Level.PROVINCE, as_of=last).count() == 63
        assert queries.filter_units(level=Level.PROVINCE, as_of=first).count() == 34

    def test_a_reused_code_names_two_units(self):
        # 15 was Yên Bái until 30/06/2025 and is the merged Lào Cai since 01/07/2025.
        assert province("15", on=BEFORE).name == "Tỉnh Yên Bái"
        assert province("15", on=AFTER).name == "Tỉnh Lào Cai"
        assert Unit.objects.filter(level=Level.PROVINCE, code="15").count() == 2

    def test_unit_types_and_parents(self):
        tua_chua = queries.resolve_unit(name="huyện Tủa Chùa", as_of=BEFORE)
        assert tua_chua.unit_type == UnitType.HUYEN
        assert tua_chua.parent.name == "Tỉnh Điện Biên"
        assert province("01", on=BEFORE).unit_type == UnitType.THANH_PHO_TW
        sa_pa = queries.resolve_unit(name="thị xã Sa Pa", as_of=BEFORE)
        assert sa_pa.unit_type == UnitType.THI_XA
        new_commune = queries.filter_units(level=Level.COMMUNE, as_of=AFTER, code="03217").get()
        assert new_commune.parent.level == Level.PROVINCE  # no district level since 2025

    def test_centroids_and_areas(self):
        new_commune = queries.filter_units(level=Level.COMMUNE, as_of=AFTER, code="03217").get()
        assert new_commune.area_km2 and new_commune.area_km2 > 0
        assert 8 < new_commune.latitude < 24 and 102 < new_commune.longitude < 110


@pytest.mark.django_db
class TestHierarchy:
    def test_ancestors_and_descendants(self):
        hua_na = queries.resolve_unit(name="xã Hua Nà", as_of=BEFORE)
        assert [a.name for a in queries.ancestors(hua_na)] == ["Tỉnh Lai Châu", "Huyện Than Uyên"]
        than_uyen = hua_na.parent
        communes = queries.descendants(than_uyen, level=Level.COMMUNE)
        assert hua_na in communes
        assert all(c.parent_id == than_uyen.pk for c in communes)
        lai_chau = province("12", on=BEFORE)
        assert queries.descendants(lai_chau).filter(pk=hua_na.pk).exists()
        assert not queries.descendants(province("11", on=BEFORE)).filter(pk=hua_na.pk).exists()

    def test_paths_do_not_leak_between_prefix_ids(self):
        # A subtree is a prefix match on the path; "1/" must never match "12/".
        for unit in Unit.objects.filter(level=Level.PROVINCE)[:5]:
            inside = queries.descendants(unit)
            assert not inside.exclude(path__startswith=unit.path).exists()
            assert inside.count() == Unit.objects.filter(path__startswith=unit.path).count() - 1
            assert all(u.path.startswith(unit.path) for u in inside[:50])
            assert (
                inside.filter(level=Level.COMMUNE).count()
                == Unit.objects.filter(level=Level.COMMUNE, parent__parent=unit).count()
                + Unit.objects.filter(level=Level.COMMUNE, parent=unit).count()
            )

    def test_units_of_a_level_as_of_a_date(self):
        on = datetime.date(2020, 1, 1)
        assert queries.filter_units(level=Level.PROVINCE, as_of=on).count() == 63


@pytest.mark.django_db
class TestSuccession:
    def test_yen_bai_ends_and_flows_into_the_new_lao_cai(self):
        yen_bai = province("15", on=BEFORE)
        assert yen_bai.valid_to == datetime.date(2025, 6, 30)
        links = list(queries.successors(yen_bai))
        assert [(s.successor.name, s.successor.code, s.weight) for s in links] == [
            ("Tỉnh Lào Cai", "15", 1.0)
        ]
        assert links[0].successor.valid_from == datetime.date(2025, 7, 1)
        new_lao_cai = links[0].successor
        old = sorted(
            s.predecessor.name
            for s in queries.predecessors(new_lao_cai)
            if s.predecessor.level == Level.PROVINCE
        )
        assert old == ["Tỉnh Lào Cai", "Tỉnh Yên Bái"]

    def test_vinh_phuc_flows_into_phu_tho(self):
        vinh_phuc = province("26", on=BEFORE)
        assert [s.successor.name for s in queries.successors(vinh_phuc)] == ["Tỉnh Phú Thọ"]
        phu_tho = province("25", on=AFTER)
        merged = {
            s.predecessor.name for s in queries.predecessors(phu_tho) if s.predecessor.level == Level.PROVINCE
        }
        assert merged == {"Tỉnh Hòa Bình", "Tỉnh Phú Thọ", "Tỉnh Vĩnh Phúc"}

    def test_districts_flow_into_their_new_province(self):
        song_lo = queries.resolve_unit(name="huyện Sông Lô", as_of=BEFORE)
        assert [s.successor.name for s in queries.successors(song_lo)] == ["Tỉnh Phú Thọ"]

    def test_every_old_commune_has_successors_whose_weights_sum_to_one(self):
        weights: dict[int, float] = {}
        for predecessor_id, weight in Succession.objects.filter(predecessor__level=Level.COMMUNE).values_list(
            "predecessor_id", "weight"
        ):
            weights[predecessor_id] = weights.get(predecessor_id, 0) + weight
        assert len(weights) == 10035
        assert all(abs(total - 1) < 1e-4 for total in weights.values())

    def test_split_communes_are_weighted_by_area(self):
        split = Succession.objects.filter(weight__lt=1, predecessor__level=Level.COMMUNE)
        assert split.values("predecessor").distinct().count() == 471
        link = split.select_related("successor").first()
        siblings = Succession.objects.filter(predecessor=link.predecessor).select_related("successor")
        total_area = sum(s.successor.area_km2 for s in siblings)
        assert link.weight == pytest.approx(link.successor.area_km2 / total_area, abs=1e-5)
        assert link.weight_method == "area_share"
        assert sum(s.is_primary for s in siblings) == 1

    def test_every_new_commune_has_predecessors(self):
        new = queries.filter_units(level=Level.COMMUNE, as_of=AFTER)
        assert not new.filter(successions_in__isnull=True).exists()


@pytest.mark.django_db
class TestSearch:
    def test_missing_diacritics_find_huyen_tua_chua_first(self):
        hits = queries.search_units(q="tua chua")
        assert hits[0].name == "Huyện Tủa Chùa"
        assert {"Thị trấn Tủa Chùa", "Xã Tủa Chùa"} <= {h.name for h in hits[:5]}

    @pytest.mark.parametrize(
        "q", ["Tủa Chùa", "huyen tua chua", "HUYỆN TỦA CHÙA", "Tua  Chua", "tủa chùa điện biên"]
    )
    def test_spellings_of_the_same_place(self, q):
        assert queries.search_units(q=q)[0].name == "Huyện Tủa Chùa"

    def test_level_word_promotes_that_type(self):
        assert queries.search_units(q="xã Tủa Chùa")[0].name == "Xã Tủa Chùa"
        assert queries.search_units(q="thi tran tua chua")[0].name == "Thị trấn Tủa Chùa"

    def test_nfd_input(self):
        import unicodedata

        assert queries.search_units(q=unicodedata.normalize("NFD", "Lãng Công"))[0].name == "Xã Lãng Công"

    def test_search_by_date_and_level(self):
        hits = queries.search_units(q="lao cai", level=Level.PROVINCE, as_of=AFTER)
        assert [h.name for h in hits] == ["Tỉnh Lào Cai"] and hits[0].code == "15"

    def test_nothing_for_empty_or_unknown(self):
        assert queries.search_units(q="  ") == []
        assert queries.search_units(q="khong co dia danh nay") == []


@pytest.mark.django_db
class TestLoad:
    def test_second_load_changes_nothing(self):
        before = (Unit.objects.count(), Succession.objects.count())
        report = load_units()
        assert not report.changed
        assert report.created == 0 and report.unchanged == before[0]
        assert (Unit.objects.count(), Succession.objects.count()) == before

    def test_missing_source_is_a_clear_error_and_changes_nothing(self, tmp_path):
        before = Unit.objects.count()
        with pytest.raises(SourceError) as caught:
            load_units(source_dir=tmp_path / "nowhere")
        assert "not found" in caught.value.message_en
        assert "Không tìm thấy" in caught.value.message_vi
        assert Unit.objects.count() == before

    def test_corrupt_database_is_refused(self, tmp_path):
        shutil.copy(default_source_dir() / "converter_2025.json", tmp_path)
        (tmp_path / "dataset.db").write_bytes(b"this is not sqlite" * 100)
        with pytest.raises(SourceError) as caught:
            load_units(source_dir=tmp_path)
        assert "SQLite" in caught.value.message_en

    def test_truncated_mapping_is_refused_before_any_write(self, tmp_path):
        shutil.copy(default_source_dir() / "dataset.db", tmp_path)
        (tmp_path / "converter_2025.json").write_text('{"DICT_PROVINCE": {', encoding="utf-8")
        before = list(Unit.objects.order_by("pk").values_list("pk", "name", "path")[:200])
        with pytest.raises(SourceError, match="not valid"):
            load_units(source_dir=tmp_path)
        assert list(Unit.objects.order_by("pk").values_list("pk", "name", "path")[:200]) == before
        assert Unit.objects.filter(level=Level.COMMUNE).count() == 10035 + 3321

    def test_a_failure_while_writing_leaves_nothing_half_done(self, tmp_path, monkeypatch):
        from dxmonitor.geo import actions

        shutil.copy(default_source_dir() / "converter_2025.json", tmp_path)
        shutil.copy(default_source_dir() / "dataset.db", tmp_path)
        conn = sqlite3.connect(tmp_path / "dataset.db")
        conn.execute("update admin_units set ward = 'Xã Đổi Tên' where wardCode = '03217'")
        conn.commit()
        conn.close()

        def broken(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(actions, "_upsert_successions", broken)
        with pytest.raises(RuntimeError):
            load_units(source_dir=tmp_path)
        assert not Unit.objects.filter(name="Xã Đổi Tên").exists()

    def test_missing_table_is_refused(self, tmp_path):
        shutil.copy(default_source_dir() / "converter_2025.json", tmp_path)
        conn = sqlite3.connect(tmp_path / "dataset.db")
        conn.execute("create table admin_units (province text)")
        conn.close()
        with pytest.raises(SourceError) as caught:
            load_units(source_dir=tmp_path)
        assert "admin_units_legacy" in caught.value.message_en

    def test_a_changed_name_is_updated_in_place(self, tmp_path):
        shutil.copy(default_source_dir() / "converter_2025.json", tmp_path)
        shutil.copy(default_source_dir() / "dataset.db", tmp_path)
        conn = sqlite3.connect(tmp_path / "dataset.db")
        conn.execute(
            "update admin_units set ward = 'Xã Tủa Chùa Mới', wardShort = 'Tủa Chùa Mới' "
            "where wardCode = '03217'"
        )
        conn.commit()
        conn.close()
        unit = queries.filter_units(level=Level.COMMUNE, as_of=AFTER, code="03217").get()
        report = load_units(source_dir=tmp_path)
        assert report.created == 0 and report.updated == 1
        unit.refresh_from_db()
        assert unit.name == "Xã Tủa Chùa Mới"
        assert queries.search_units(q="tua chua moi")[0].pk == unit.pk


@pytest.mark.django_db
class TestVillages:
    def test_add_a_village_under_a_commune(self):
        hua_na = queries.resolve_unit(name="xã Hua Nà", as_of=BEFORE)
        village = add_village(commune=hua_na, name="Bản Nà Khương", unit_type=UnitType.BAN)
        assert village.name == "Bản Nà Khương" and village.short_name == "Nà Khương"
        assert village.level == Level.VILLAGE and village.parent == hua_na
        assert village.code == f"{hua_na.code}-001"
        assert village.valid_to == hua_na.valid_to
        assert village in queries.descendants(hua_na.parent)
        assert queries.search_units(q="ban na khuong")[0] == village
        assert village in queries.search_units(q="na khuong")
        second = add_village(commune=hua_na, name="Nà Cóc", unit_type=UnitType.BAN)
        assert second.code == f"{hua_na.code}-002"

    def test_village_rules(self):
        hua_na = queries.resolve_unit(name="xã Hua Nà", as_of=BEFORE)
        add_village(commune=hua_na, name="Nà Khương", unit_type=UnitType.BAN)
        with pytest.raises(UnitError, match="already exists"):
            add_village(commune=hua_na, name="bản na khuong", unit_type=UnitType.BAN)
        with pytest.raises(UnitError, match="under a commune"):
            add_village(commune=hua_na.parent, name="Bản X", unit_type=UnitType.BAN)
        with pytest.raises(UnitError, match="unknown village type"):
            add_village(commune=hua_na, name="X", unit_type=UnitType.XA)
        with pytest.raises(UnitError, match="needs a name"):
            add_village(commune=hua_na, name="  ", unit_type=UnitType.THON)


@pytest.mark.django_db
def test_the_full_name_beats_a_name_after_a_level_word():
    # "ban lang": the commune Bản Lang, before phường Láng reached by dropping "bản".
    assert queries.search_units(q="ban lang")[0].name == "Xã Bản Lang"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("table", "column", "bad"),
    [("admin_units", "wardLat", "'abc'"), ("admin_units_legacy", "wardType", "'Làng'")],
)
def test_a_source_of_the_wrong_shape_is_refused_clearly(tmp_path, table, column, bad):
    shutil.copy(default_source_dir() / "converter_2025.json", tmp_path)
    shutil.copy(default_source_dir() / "dataset.db", tmp_path)
    conn = sqlite3.connect(tmp_path / "dataset.db")
    conn.execute(f"update {table} set {column} = {bad} where rowid = 5")
    conn.commit()
    conn.close()
    with pytest.raises(SourceError):
        load_units(source_dir=tmp_path)


@pytest.mark.django_db
def test_a_malformed_split_entry_is_refused_clearly(tmp_path):
    import json

    shutil.copy(default_source_dir() / "dataset.db", tmp_path)
    data = json.loads((default_source_dir() / "converter_2025.json").read_text(encoding="utf-8"))
    province = next(iter(data["DICT_PROVINCE_WARD_DIVIDED"]))
    old = next(iter(data["DICT_PROVINCE_WARD_DIVIDED"][province]))
    data["DICT_PROVINCE_WARD_DIVIDED"][province][old] = ["oops"]
    (tmp_path / "converter_2025.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SourceError, match="wrong shape"):
        load_units(source_dir=tmp_path)

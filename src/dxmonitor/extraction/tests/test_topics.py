"""Ranks and scores that name no indicator take the one the passage is about; sentences written
for these tests."""

import pytest

from dxmonitor.extraction.engine import extract
from dxmonitor.extraction.places import province_names
from dxmonitor.extraction.terms import catalogue_from_csv

CATALOGUE = catalogue_from_csv()
pytestmark = pytest.mark.django_db


def facts_of(text: str) -> list[tuple]:
    found = extract(text, catalogue=CATALOGUE, provinces=province_names())
    return [(f.locality, f.indicator, f.value) for f in found]


def test_ranks_listed_with_lan_luot_go_to_the_places_listed_in_order():
    text = (
        "Theo kết quả chỉ số chuyển đổi số (DTI) năm 2023, tỉnh Bắc Ninh xếp thứ 7. "
        "Hải Phòng và Nam Định lần lượt xếp thứ 12 và 15."
    )
    assert facts_of(text) == [
        ("tỉnh Bắc Ninh", "DTI.RANK", 7),
        ("tỉnh Hải Phòng", "DTI.RANK", 12),
        ("tỉnh Nam Định", "DTI.RANK", 15),
    ]


def test_an_ordinal_in_words_goes_to_the_place_it_is_given_to():
    text = (
        "Bảng xếp hạng chỉ số chuyển đổi số (DTI) năm 2021 vừa công bố.\n"
        "Ở vị trí thứ hai là TP.Huế, sau thành phố Đà Nẵng."
    )
    assert facts_of(text) == [("thành phố Huế", "DTI.RANK", 2)]


def test_a_score_and_a_rank_in_sentences_that_do_not_name_the_index_again():
    text = (
        "Năm 2021, chỉ số chuyển đổi số của tỉnh Sơn La đạt 0,31 điểm. "
        "Sang năm 2022, Sơn La đạt 0,47 điểm, vươn lên xếp thứ 40 trong cả nước."
    )
    assert facts_of(text) == [
        ("tỉnh Sơn La", "DTI.SCORE", 0.31),
        ("tỉnh Sơn La", "DTI.SCORE", 0.47),
        ("tỉnh Sơn La", "DTI.RANK", 40),
    ]


def test_pillar_and_regional_ranks_are_not_the_index_rank():
    text = (
        "Chỉ số DTI năm 2023 của tỉnh Phú Thọ đạt 0,52 điểm, xếp thứ 23; trong đó chính quyền số ở vị "
        "trí thứ 18, kinh tế số đạt 0,41 điểm, xếp thứ 30. Tỉnh đứng thứ 3 khu vực trung du."
    )
    assert facts_of(text) == [("tỉnh Phú Thọ", "DTI.SCORE", 0.52), ("tỉnh Phú Thọ", "DTI.RANK", 23)]


def test_a_ranking_of_online_dossiers_is_not_an_index_rank():
    text = "Tỷ lệ hồ sơ nộp trực tuyến của tỉnh Hà Tĩnh đạt 65,2%, xếp thứ 12/34 tỉnh, thành."
    assert facts_of(text) == [("tỉnh Hà Tĩnh", "GOV.ONLINE_DOSSIER_RATE", 65.2)]


def test_ranks_of_several_years_in_one_sentence():
    text = (
        "Tỉnh Bình Dương giữ vững vị trí top 10 chỉ số chuyển đổi số toàn quốc, trong đó xếp thứ 6 năm 2021, "
        "thứ 9 năm 2022 và thứ 7 năm 2023."
    )
    found = extract(text, catalogue=CATALOGUE, provinces=province_names())
    assert [(f.locality, f.indicator, f.value, f.period) for f in found] == [
        ("tỉnh Bình Dương", "DTI.RANK", 6, "2021"),
        ("tỉnh Bình Dương", "DTI.RANK", 9, "2022"),
        ("tỉnh Bình Dương", "DTI.RANK", 7, "2023"),
    ]

"""Finding a unit, its figures with their evidence, both administrative structures, synthetic labels."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _search_from_header(web, query: str) -> None:
    box = web.page.locator("header form.search input[name=q]")
    box.fill(query)
    with web.page.expect_navigation():
        box.press("Enter")
    assert "/search/" in web.page.url


def _first_unit_hit(web):
    units = web.page.locator("main section").first
    return units.locator("ol.hits > li > a").first


def test_search_finds_tua_chua_and_its_broadband_figure(web):
    web.goto("/")
    _search_from_header(web, "tua chua")
    expect(web.page.locator("main input[name=q]")).to_have_value("tua chua")
    first = _first_unit_hit(web)
    expect(first).to_have_text("Huyện Tủa Chùa")
    web.shot("search")
    first.click()
    expect(web.page.locator("main h1")).to_have_text("Huyện Tủa Chùa")
    assert re.search(r"/units/\d+/$", web.page.url)

    row = web.page.locator("table.values tbody tr").filter(has_text="INF.HOUSEHOLD_FIXED_BB")
    expect(row).to_have_count(1)
    # Vietnamese number format: decimal comma.
    expect(row.locator("td.num")).to_have_text("24,3%")
    source = row.locator("td.source a[href^='/documents/']")
    expect(source).to_have_attribute("href", re.compile(r"^/documents/\d+/#q\d+$"))
    expect(source).not_to_be_empty()
    expect(row.locator("td.source blockquote")).to_contain_text(
        "tỷ lệ hộ gia đình kết nối internet băng rộng đạt 24,3%"
    )
    # National target 80% for 2025, not reached.
    comparison = row.locator("td.targets .cmp")
    expect(comparison).to_have_count(1)
    expect(comparison).to_have_class(re.compile(r"\bnot_met\b"))
    expect(comparison.locator("span.badge.not_met")).to_be_visible()
    expect(comparison).to_contain_text("2025")
    expect(comparison).to_contain_text("80%")
    expect(row.locator("td.targets .badge.met")).to_have_count(0)
    row.scroll_into_view_if_needed()
    web.shot("tua-chua")

    # The evidence link opens the article on that very quote.
    with web.page.expect_navigation():
        source.click()
    # The article has no headline: its title is its lead, cut to a line.
    expect(web.page.locator("main h1")).to_contain_text("ĐBP - Mặc dù còn gặp nhiều khó khăn")
    target = web.page.locator("article.doc-text mark:target")
    expect(target).to_have_count(1)
    expect(target).to_contain_text("24,3%")
    expect(target).to_be_in_viewport()
    web.shot("evidence")
    web.assert_clean()


def _listed(web) -> tuple[int, list[str]]:
    count_text = web.page.locator("p.count").inner_text()
    match = re.match(r"\s*(\d+)\b", count_text)
    assert match, f"no count in {count_text!r}"
    names = web.page.locator("main table tbody tr td:nth-child(2)").all_inner_texts()
    return int(match.group(1)), [n.strip() for n in names]


def test_structure_switch_shows_63_then_34_provinces(web):
    web.goto("/units/")
    switch = web.page.locator("fieldset.switch a")
    expect(switch).to_have_count(2)
    legacy, current = switch.nth(0), switch.nth(1)
    # Today the 2025 structure is in force.
    expect(current).to_have_attribute("aria-current", "true")
    count, names = _listed(web)
    assert count == 34 and len(names) == 34, (count, len(names))

    with web.page.expect_navigation():
        legacy.click()
    assert "as_of=2025-06-30" in web.page.url
    expect(web.page.locator("fieldset.switch a").nth(0)).to_have_attribute("aria-current", "true")
    count, names = _listed(web)
    assert count == 63 and len(names) == 63, (count, len(names))
    assert "Tỉnh Hà Giang" in names and "Tỉnh Lai Châu" in names and "Tỉnh Điện Biên" in names
    assert all(re.match(r"(Tỉnh|Thành phố) ", n) for n in names), names
    web.shot("legacy-63")

    with web.page.expect_navigation():
        web.page.locator("fieldset.switch a").nth(1).click()
    assert "as_of=2025-07-01" in web.page.url
    count, new_names = _listed(web)
    assert count == 34 and len(new_names) == 34, (count, len(new_names))
    # Hà Giang joined Tuyên Quang on 1 July 2025; Lai Châu kept its name.
    assert "Tỉnh Hà Giang" not in new_names
    assert "Tỉnh Tuyên Quang" in new_names and "Tỉnh Lai Châu" in new_names
    assert len(set(new_names)) == 34
    web.shot("new-34")
    web.assert_clean()


def test_synthetic_figures_are_labelled_and_kept_apart(web, places):
    web.goto("/")
    _search_from_header(web, "xa hua na")
    first = _first_unit_hit(web)
    expect(first).to_have_text("Xã Hua Nà")
    expect(web.page.locator("main section").first.locator("ol.hits > li").first).to_contain_text("30/06/2025")
    first.click()
    expect(web.page.locator("main h1")).to_contain_text("Xã Hua Nà")

    synthetic = web.page.locator("section.synthetic-block")
    expect(synthetic).to_have_count(1)
    expect(synthetic.locator("h2 .tag.synthetic")).to_be_visible()
    rows = synthetic.locator("table.values tbody tr")
    assert rows.count() >= 5
    expect(synthetic.locator("table.values tbody tr:not(.synthetic)")).to_have_count(0)
    # Hua Nà also has one real, sourced figure; it stays out of the synthetic block and unlabelled.
    real = web.page.locator("main > section:not(.synthetic-block):not(.succession)").filter(
        has=web.page.locator("table.values")
    )
    expect(real).to_have_count(1)
    expect(real.locator("tbody tr")).not_to_have_count(0)
    expect(real.locator("tr.synthetic, .tag.synthetic")).to_have_count(0)
    expect(real.locator("td.source a[href^='/documents/']").first).to_be_visible()
    synthetic.scroll_into_view_if_needed()
    web.shot("hua-na")

    web.goto(places["tua_chua"])
    expect(web.page.locator("section.synthetic-block")).to_have_count(0)
    figures = web.page.locator("main table.values")
    expect(figures).to_have_count(1)
    assert figures.locator("tbody tr").count() >= 5
    expect(figures.locator("tr.synthetic, .tag.synthetic")).to_have_count(0)
    web.assert_clean()

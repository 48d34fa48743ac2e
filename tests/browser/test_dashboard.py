"""The steering committee's dashboard and its map on the demo data: the charts are drawn (their
canvases hold coloured pixels), drilling down reaches a village, the language switch, a phone,
the keyboard, print, PNG and spreadsheet downloads, the map's symbols before and after 2025, and the
country map as a choropleth of the provinces."""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Coloured pixels of a canvas: not transparent, not white or light grey.
PAINTED = """(selector) => {
  const canvas = document.querySelector(selector + " canvas");
  if (!canvas) return 0;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    if (a > 100 && Math.max(r, g, b) - Math.min(r, g, b) > 60) painted++;
  }
  return painted;
}"""
# Pixels of one colour (the map's circles: met green, not met red), within a tolerance.
COLOURED = """([selector, rgb]) => {
  const canvas = document.querySelector(selector + " canvas");
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let found = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    const distance = Math.abs(r - rgb[0]) + Math.abs(g - rgb[1]) + Math.abs(b - rgb[2]);
    if (distance < 90) found++;
  }
  return found;
}"""


def _login(web, path: str = "/dashboard/") -> None:
    web.goto(f"/login/?next={path}")
    form = web.page.locator("main form")
    form.locator("input[name=username]").fill(web.server.username)
    form.locator("input[name=password]").fill(web.server.password)
    with web.page.expect_navigation():
        form.locator("button[type=submit]").click()
    _drawn(web)


def _drawn(web) -> None:
    expect(web.page.locator("body[data-rendered]")).to_have_count(1, timeout=20_000)


def _open(web, link) -> None:
    with web.page.expect_navigation():
        link.click()
    _drawn(web)


def _data(web, element_id: str) -> dict:
    return json.loads(web.page.locator(f"#{element_id}").text_content())


def test_the_dashboard_draws_its_charts_and_drills_down_to_a_village(web, server_json):
    _login(web)
    page = web.page
    expect(page.locator("main h1")).to_contain_text("Tỉnh Lai Châu")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert page.locator(".kpi").count() >= 6
    expect(page.locator(".kpi .badge").first).to_be_visible()
    assert page.evaluate(PAINTED, "#chart-trend") > 500, "the trend chart is blank"
    assert page.evaluate(PAINTED, "#chart-children") > 2000, "the units chart is blank"
    ranking = page.locator("table.ranking tbody tr")
    assert ranking.count() >= 100  # the communes of Lai Châu, ranked by score
    assert page.locator("table.ranking .up, table.ranking .down").count() > 10  # ranks moved since 2023
    web.shot("province")

    # Province → district → commune, through the units table.
    district = page.locator("table.drill tbody a").first
    name = district.inner_text()
    _open(web, district)
    expect(page.locator("main h1")).to_contain_text(name)
    expect(page.locator("nav.trail")).to_contain_text("Tỉnh Lai Châu")
    assert page.evaluate(PAINTED, "#chart-children") > 1000
    commune = page.locator("table.drill tbody a").first
    name = commune.inner_text()
    _open(web, commune)
    expect(page.locator("main h1")).to_contain_text(name)
    web.shot("commune")

    # A commune of 2025 with the demo's villages, and down to one of them.
    than_uyen = next(
        u
        for u in server_json("/api/v1/search?q=xa+than+uyen")["units"]["items"]
        if u["name"] == "Xã Than Uyên" and u["structure"] != "legacy"
    )
    web.goto(f"/dashboard/?unit={than_uyen['id']}")
    _drawn(web)
    village = page.locator("table.drill tbody a").filter(has_text="mô phỏng").first
    name = village.inner_text()
    _open(web, village)
    expect(page.locator("main h1")).to_contain_text(name)
    expect(page.locator("nav.trail")).to_contain_text("Xã Than Uyên")
    web.shot("village")
    web.assert_clean()


def test_charts_download_as_png_and_tables_as_spreadsheets(web):
    _login(web)
    with web.page.expect_download() as waiting:
        web.page.locator("button[data-png=chart-trend]").click()
    download = waiting.value
    assert download.suggested_filename.endswith(".png")
    with open(download.path(), "rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
    with web.page.expect_download() as waiting:
        web.page.locator("#h-ranking").locator("xpath=..").locator("a", has_text=".xlsx").click()
    assert waiting.value.suggested_filename.endswith(".xlsx")
    web.assert_clean()


def test_the_language_switch_keyboard_and_print(web):
    _login(web)
    page = web.page
    tile = page.locator(".kpi-value").first
    vietnamese = tile.inner_text()
    assert "," in vietnamese or "%" in vietnamese
    with page.expect_navigation():
        page.locator("header form.lang button[value=en]").click()
    _drawn(web)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_contain_text("Dashboard: Tỉnh Lai Châu")
    expect(page.locator("#h-ranking")).to_contain_text("Ranking by score")
    assert page.locator(".kpi-value").first.inner_text() == vietnamese.replace(",", ".")
    web.shot("english")
    with page.expect_navigation():
        page.locator("header form.lang button[value=vi]").click()
    _drawn(web)
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    # Keyboard: a unit's link is reached and followed without a mouse.
    link = page.locator("table.drill tbody a").first
    name = link.inner_text()
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _drawn(web)
    expect(page.locator("main h1")).to_contain_text(name)
    # The filters are a plain form: change the indicator group from the keyboard and submit.
    page.locator("form.filters select[name=group]").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # the indicator
    page.keyboard.press("Tab")  # the button
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _drawn(web)
    assert "group=" in page.url

    page.emulate_media(media="print")
    expect(page.locator("form.filters").first).to_be_hidden()
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator("#chart-trend canvas")).to_be_visible()
    web.shot("print")
    web.assert_clean()


def test_the_dashboard_fits_a_phone(phone):
    _login(phone)
    page = phone.page
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 362, f"the page is {width} px wide on a 360-px phone"
    assert page.evaluate(PAINTED, "#chart-trend") > 300
    phone.shot("phone")
    phone.assert_clean()


def test_the_map_shows_symbols_before_and_after_2025_and_drills_down(web):
    _login(web)
    page = web.page
    _open(web, page.locator("main .actions a").first)  # "Bản đồ"
    assert "/dashboard/map/" in page.url
    before = _data(web, "map-data")
    with_figure = [p for p in before["points"] if p["value"] is not None]
    assert len(before["points"]) == 106 and len(with_figure) >= 100  # the communes of Lai Châu in 2024
    red, green = (
        page.evaluate(COLOURED, ["#map", [179, 38, 30]]),
        page.evaluate(COLOURED, ["#map", [30, 127, 60]]),
    )
    assert red + green > 3000, "the map shows no symbols"
    expect(page.locator("table.drill tbody tr")).to_have_count(len(with_figure))
    web.shot("legacy")

    _open(web, page.locator("fieldset.switch a").nth(1))  # after the reorganisation
    assert "date=2025-07-01" in page.url
    after = _data(web, "map-data")
    assert len(after["points"]) == 38 and all(
        p["method"] == "succession" for p in after["points"] if p["value"]
    )
    assert page.evaluate(PAINTED, "#map") > 2000
    web.shot("merged")

    # A circle clicked goes to that commune's dashboard.
    target = next(p for p in after["points"] if p["value"] is not None)
    box = page.locator("#map").bounding_box()
    x, y = page.evaluate(
        """([lon, lat]) => echarts.getInstanceByDom(document.getElementById("map"))
             .convertToPixel({xAxisIndex: 0, yAxisIndex: 0}, [lon, lat])""",
        [target["lon"], target["lat"]],
    )
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    _drawn(web)
    assert "/dashboard/?" in page.url and "unit=" in page.url
    expect(page.locator("main h1")).to_contain_text("Xã" if "Xã" in page.title() else "")

    web.assert_clean()


# The choropleth's colours (visualMap, light to dark blue) and the grey of a province without figure.
SHADED = """(selector) => {
  const canvas = document.querySelector(selector + " canvas");
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let blue = 0, grey = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    if (a < 200) continue;
    if (b > r + 20 && b >= g) blue++;
    else if (Math.abs(r - 227) + Math.abs(g - 231) + Math.abs(b - 236) < 12) grey++;
  }
  return [blue, grey];
}"""


def test_the_country_map_is_a_choropleth_before_and_after_2025_and_drills_down(web):
    _login(web)
    page = web.page
    web.goto("/dashboard/map/?period=2024&date=2025-06-30")
    _drawn(web)
    before = _data(web, "map-data")
    assert before["kind"] == "choropleth" and len(before["points"]) == 63 and before["basemap"] == []
    assert all(p["shapes"] for p in before["points"])
    chart = 'echarts.getInstanceByDom(document.getElementById("map"))'
    option = page.evaluate(
        f"(() => {{ const o = {chart}.getOption(); return [o.series[0].type, o.geo.length]; }})()"
    )
    assert option == ["map", 1]  # provinces as shapes
    assert page.evaluate(f"{chart}.getOption().visualMap[0].show") is not False  # the colour scale
    blue, grey = page.evaluate(SHADED, "#map")
    with_figure = [p for p in before["points"] if p["value"] is not None]
    assert with_figure and blue > 2000, "no province is coloured by its figure"
    assert grey > 20000, "the provinces without a figure are not drawn"
    expect(page.locator("main")).to_contain_text("Natural Earth")
    web.shot("choropleth-legacy")

    # Pointing at a province with a figure: its value and source.
    target = max(with_figure, key=lambda p: p["value"])
    box = page.locator("#map").bounding_box()
    x, y = page.evaluate(f"([lon, lat]) => {chart}.convertToPixel({{geoIndex: 0}}, [lon, lat])",
                         [target["lon"], target["lat"]])  # fmt: skip
    page.mouse.move(box["x"] + x, box["y"] + y)
    tooltip = page.locator("#map div").filter(has_text=target["unit"]["name"]).last
    expect(tooltip).to_contain_text(target["display"])
    if target["source"]:
        expect(tooltip).to_contain_text("Nguồn")
    web.shot("choropleth-tooltip", full_page=False)

    # 34 provinces after the reorganisation, a merged one drawn as those it was formed from.
    _open(web, page.locator("fieldset.switch a").nth(1))
    after = _data(web, "map-data")
    assert after["kind"] == "choropleth" and len(after["points"]) == 34
    lao_cai = next(p for p in after["points"] if p["unit"]["name"] == "Tỉnh Lào Cai")
    assert lao_cai["shapes"] == ["10", "15"]
    assert page.evaluate(SHADED, "#map")[1] > 20000
    web.shot("choropleth-2025")

    # A province clicked: the map of its communes, as symbols.
    lai_chau = next(p for p in after["points"] if p["unit"]["name"] == "Tỉnh Lai Châu")
    x, y = page.evaluate(f"([lon, lat]) => {chart}.convertToPixel({{geoIndex: 0}}, [lon, lat])",
                         [lai_chau["lon"], lai_chau["lat"]])  # fmt: skip
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    _drawn(web)
    assert "/dashboard/map/?" in page.url and f"unit={lai_chau['unit']['id']}" in page.url
    expect(page.locator("main h1")).to_contain_text("Tỉnh Lai Châu")
    communes = _data(web, "map-data")
    assert communes["kind"] == "symbols" and communes["points"] and len(communes["basemap"]) > 0
    assert page.evaluate(PAINTED, "#map") > 2000
    web.assert_clean()


def test_the_country_map_fits_a_phone(phone):
    _login(phone, "/dashboard/map/")
    phone.goto("/dashboard/map/?period=2024&date=2025-07-01")
    _drawn(phone)
    page = phone.page
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 362, f"the page is {width} px wide on a 360-px phone"
    blue, grey = page.evaluate(SHADED, "#map")
    assert blue > 500 and grey > 20000, "the provinces are not drawn"
    phone.shot("country-map")
    phone.assert_clean()
